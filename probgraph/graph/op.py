"""The Op base class: identity from ``__props__``, ``make_node`` (type and shape checks),
``perform`` and ``pullback``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from probgraph.graph.basic import Apply, Variable


class Op:
    """A symbolic operation.

    Subclasses set ``__props__`` (the attribute names that make up the op's whole identity) and
    implement

    * ``make_node(*inputs) -> Apply`` — convert and check inputs, infer output dtypes and static
      shapes; a shape clash raises a ``ValueError`` here, naming the op and the shapes;
    * ``perform(node, inputs) -> list`` — the numpy reference implementation;
    * ``pullback(inputs, outputs, output_grads) -> list[Variable | None]`` — symbolic
      vector-Jacobian products; ``None`` means the input gets no gradient (zero or disconnected).
      ``output_grads`` entries may be ``None`` (that output does not reach the cost).
    * optionally ``infer_shape(node, input_shapes) -> list[tuple]`` of symbolic shapes.
    """

    __props__: tuple[str, ...] = ()

    def _props(self) -> tuple:
        return tuple(getattr(self, a) for a in self.__props__)

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        return hash((type(self), self._props()))

    def __str__(self) -> str:
        name = type(self).__name__
        if not self.__props__:
            return name
        return f"{name}{{{', '.join(f'{a}={getattr(self, a)!r}' for a in self.__props__)}}}"

    __repr__ = __str__

    def make_node(self, *inputs) -> Apply:
        raise NotImplementedError(f"{type(self).__name__}.make_node")

    def perform(self, node: Apply, inputs: Sequence[Any]) -> list[Any]:
        raise NotImplementedError(f"{type(self).__name__}.perform")

    def pullback(self, inputs: Sequence[Variable], outputs: Sequence[Variable],
                 output_grads: Sequence[Variable | None]) -> list[Variable | None]:
        raise NotDifferentiableError(f"{self} has no gradient")

    def __call__(self, *inputs, **kwargs):
        node = self.make_node(*inputs, **kwargs)
        return node.outputs[0] if len(node.outputs) == 1 else list(node.outputs)


class NotDifferentiableError(TypeError):
    """Raised when a gradient is requested through an op (input) that has none."""
