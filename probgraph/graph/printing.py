"""debugprint: a readable indented text form of a graph."""

from __future__ import annotations

import sys

from probgraph.graph.basic import Constant, Variable


def debugprint(outputs, file=None, print_type: bool = False) -> str:
    """Print (and return) the graph of ``outputs`` as an indented tree; shared subgraphs are printed
    once.

    Examples
    --------
    >>> import probgraph as pg, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> _ = pg.debugprint(pt.exp(x).sum())  # doctest: +SKIP
    """
    if isinstance(outputs, Variable):
        outputs = [outputs]
    lines: list[str] = []
    ids: dict[int, str] = {}

    def label(v):
        if id(v) not in ids:
            ids[id(v)] = f"[id {chr(65 + len(ids) % 26)}{len(ids) // 26 or ''}]"
        return ids[id(v)]

    def visit(v, depth):
        indent = " |" * depth
        typ = f" <{v.type}>" if print_type else ""
        if v.owner is None:
            kind = "const" if isinstance(v, Constant) else ("shared" if hasattr(v, "container")
                                                            else "input")
            lines.append(f"{indent}{v!r} {kind}{typ}")
            return
        seen = id(v) in ids
        name = f" '{v.name}'" if v.name else ""
        idx = f".{v.index}" if len(v.owner.outputs) > 1 else ""
        lines.append(f"{indent}{v.owner.op}{idx}{name} {label(v)}{typ}")
        if seen:
            return
        for i in v.owner.inputs:
            visit(i, depth + 1)

    for o in outputs:
        visit(o, 0)
    text = "\n".join(lines)
    print(text, file=file or sys.stdout)
    return text
