"""Graph: an immutable value holding inputs and outputs, with cached toposort, clients and
structural hash."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from probgraph.graph.basic import Apply, Constant, Variable, graph_inputs, toposort


class Graph:
    """A function graph from ``inputs`` to ``outputs``.

    Owner-less variables that are not listed in ``inputs`` (constants, shared variables) are its
    ``free_inputs``. The graph never changes; rewrites return a new one.
    """

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)

    @cached_property
    def apply_nodes(self) -> tuple[Apply, ...]:
        return tuple(toposort(self.outputs, self.inputs))

    def toposort(self) -> tuple[Apply, ...]:
        return self.apply_nodes

    @cached_property
    def variables(self) -> tuple[Variable, ...]:
        seen, out = set(), []
        for v in (*self.inputs, *graph_inputs(self.outputs, self.inputs)):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for node in self.apply_nodes:
            out.extend(node.outputs)
        return tuple(out)

    @cached_property
    def free_inputs(self) -> tuple[Variable, ...]:
        """Owner-less variables other than ``inputs`` that the outputs depend on."""
        ins = {id(i) for i in self.inputs}
        return tuple(v for v in graph_inputs(self.outputs, self.inputs) if id(v) not in ins)

    @cached_property
    def clients(self) -> dict[int, list[tuple[Apply | str, int]]]:
        """``id(var) -> [(node, input_index), ...]``; graph outputs appear as ``("output", i)``."""
        result: dict[int, list] = {}
        for node in self.apply_nodes:
            for i, v in enumerate(node.inputs):
                result.setdefault(id(v), []).append((node, i))
        for i, v in enumerate(self.outputs):
            result.setdefault(id(v), []).append(("output", i))
        return result

    @cached_property
    def structural_key(self) -> tuple:
        """A hashable description of the graph independent of object identities."""
        index: dict[int, int] = {}
        parts: list = []
        for i, v in enumerate(self.inputs):
            index[id(v)] = len(index)
            parts.append(("in", i, v.type))
        for v in self.free_inputs:
            index[id(v)] = len(index)
            if isinstance(v, Constant):
                parts.append(("const", v.signature()))
            else:
                parts.append(("free", v.type))
        for node in self.apply_nodes:
            parts.append((node.op, tuple(index[id(i)] for i in node.inputs),
                          tuple(o.type for o in node.outputs)))
            for o in node.outputs:
                index[id(o)] = len(index)
        parts.append(("out", tuple(index.get(id(o), -1) for o in self.outputs)))
        return tuple(parts)

    def __hash__(self) -> int:
        return hash(self.structural_key)

    def __eq__(self, other) -> bool:
        return isinstance(other, Graph) and self.structural_key == other.structural_key

    def __repr__(self) -> str:
        return (f"Graph({len(self.inputs)} inputs, {len(self.outputs)} outputs, "
                f"{len(self.apply_nodes)} nodes)")
