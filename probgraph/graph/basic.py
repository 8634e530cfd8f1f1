"""The graph's nodes: Variable, Constant and Apply, plus traversal (toposort, ancestors) and cloning
with replacement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class Variable:
    """A symbolic value of a given ``type``, produced by ``owner`` (an Apply) or a graph input if
    ``owner`` is None.

    Variables are compared by identity. ``name`` is only for printing and error messages.
    """

    __slots__ = ("type", "owner", "index", "name", "__weakref__")

    def __init__(self, type, owner: Apply | None = None, index: int | None = None,
                 name: str | None = None):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name

    def clone(self, name: str | None = None) -> Variable:
        """A new owner-less variable of the same type (and class)."""
        return type(self)(self.type, None, None, self.name if name is None else name)

    def __repr__(self) -> str:
        return f"{self.name or self.auto_name()}"

    def auto_name(self) -> str:
        if self.owner is not None:
            n = len(self.owner.outputs)
            suffix = f".{self.index}" if n > 1 else ""
            return f"{self.owner.op}{suffix}"
        return f"<{self.type}>"


class Constant(Variable):
    """An owner-less variable whose value is fixed at build time (``data``, a read-only numpy
    array)."""

    __slots__ = ("data",)

    def __init__(self, type, data: Any, name: str | None = None):
        super().__init__(type, None, None, name)
        self.data = data

    def signature(self) -> tuple:
        """What makes two constants interchangeable: type and value bytes."""
        d = self.data
        return (self.type, d.tobytes() if hasattr(d, "tobytes") else repr(d))

    def clone(self, name: str | None = None) -> Constant:
        return type(self)(self.type, self.data, self.name if name is None else name)

    def __repr__(self) -> str:
        if self.name:
            return self.name
        d = self.data
        if getattr(d, "size", 2) == 1:
            return repr(d.item()) if hasattr(d, "item") else repr(d)
        return f"Constant{{{getattr(d, 'shape', '')}}}"


class Apply:
    """One application of ``op`` to ``inputs`` producing ``outputs``; immutable once built."""

    __slots__ = ("op", "inputs", "outputs", "__weakref__")

    def __init__(self, op, inputs: Sequence[Variable], output_types: Sequence[Any],
                 output_cls: Sequence[type] | type | None = None):
        self.op = op
        self.inputs = tuple(inputs)
        if output_cls is None or isinstance(output_cls, type):
            output_cls = [output_cls] * len(output_types)
        outs = []
        for i, (t, cls) in enumerate(zip(output_types, output_cls)):
            cls = cls or t.variable_class
            outs.append(cls(t, self, i))
        self.outputs = tuple(outs)

    @property
    def out(self) -> Variable:
        """The single output (errors if there are several)."""
        if len(self.outputs) != 1:
            raise ValueError(f"{self.op} has {len(self.outputs)} outputs")
        return self.outputs[0]

    def __repr__(self) -> str:
        return f"{self.op}({', '.join(map(repr, self.inputs))})"


def toposort(outputs: Iterable[Variable], blockers: Iterable[Variable] = ()) -> list[Apply]:
    """Apply nodes feeding ``outputs`` in an order where every node comes after its inputs' owners.

    The order is deterministic: a depth-first post-order visiting inputs left to right.
    Traversal stops at ``blockers`` (treated as inputs).
    """
    blocked = {id(b) for b in blockers}
    order: list[Apply] = []
    seen: set[int] = set()
    for out in outputs:
        if out.owner is None or id(out) in blocked or id(out.owner) in seen:
            continue
        stack = [(out.owner, 0)]
        seen.add(id(out.owner))
        while stack:
            node, i = stack.pop()
            if i < len(node.inputs):
                stack.append((node, i + 1))
                inp = node.inputs[i]
                if inp.owner is not None and id(inp) not in blocked and id(inp.owner) not in seen:
                    seen.add(id(inp.owner))
                    stack.append((inp.owner, 0))
            else:
                order.append(node)
    return order


def graph_inputs(outputs: Iterable[Variable], blockers: Iterable[Variable] = ()) -> list[Variable]:
    """Owner-less variables (inputs, constants, shared) that ``outputs`` depend on, in first-seen
    order."""
    blocked = {id(b) for b in blockers}
    result, seen = [], set()

    def add(v):
        if id(v) not in seen:
            seen.add(id(v))
            result.append(v)

    outputs = list(outputs)
    for node in toposort(outputs, blockers):
        for inp in node.inputs:
            if inp.owner is None or id(inp) in blocked:
                add(inp)
    for out in outputs:
        if out.owner is None or id(out) in blocked:
            add(out)
    return result


def ancestors(outputs: Iterable[Variable], blockers: Iterable[Variable] = ()) -> list[Variable]:
    """Every variable ``outputs`` depend on, themselves included."""
    outputs = list(outputs)
    result = {id(v): v for v in graph_inputs(outputs, blockers)}
    for node in toposort(outputs, blockers):
        for v in node.outputs:
            result[id(v)] = v
    for o in outputs:
        result[id(o)] = o
    return list(result.values())


def clone_replace(outputs: Sequence[Variable], replace: Mapping[Variable, Variable] | None = None,
                  rebuild=None) -> list[Variable]:
    """Rebuild ``outputs`` with the variables in ``replace`` substituted.

    Nodes whose inputs did not change are reused as they are (graphs are values). ``rebuild(op,
    inputs)`` may be given to customise how a node is rebuilt; by default ``op.make_node(*inputs)``
    is called so types and static shapes are re-inferred.
    """
    memo: dict[int, Variable] = {id(k): v for k, v in (replace or {}).items()}
    blockers = list((replace or {}).keys())
    for node in toposort(outputs, blockers):
        new_inputs = [memo.get(id(i), i) for i in node.inputs]
        if all(a is b for a, b in zip(new_inputs, node.inputs)):
            continue
        new_node = rebuild(node.op, new_inputs) if rebuild else node.op.make_node(*new_inputs)
        for old, new in zip(node.outputs, new_node.outputs):
            memo[id(old)] = new
    return [memo.get(id(o), o) for o in outputs]


def is_ancestor(var: Variable, of: Iterable[Variable]) -> bool:
    """True if ``var`` is among the ancestors of ``of``."""
    return any(v is var for v in ancestors(of))
