"""Cheaper forms for the backend: small constant powers become square/sqrt/reciprocal, ``sum(x*y)``
a dot."""

from __future__ import annotations

from probgraph.graph.rewrite import PatternRewriter, node_rewriter
from probgraph.tensor import math as tm
from probgraph.tensor.reduce import Reduce
from probgraph.tensor.type import is_float


def _float_x(b) -> bool:
    return is_float(b["x"].dtype)


pow_two = PatternRewriter((tm.power, "x", 2), (tm.square, "x"), name="pow_two")
pow_half = PatternRewriter((tm.power, "x", 0.5), (tm.sqrt, "x"), name="pow_half")
pow_minus_one = PatternRewriter((tm.power, "x", -1), (tm.reciprocal, "x"), constraint=_float_x,
                                name="pow_minus_one")
pow_minus_half = PatternRewriter((tm.power, "x", -0.5), (tm.reciprocal, (tm.sqrt, "x")),
                                 constraint=_float_x, name="pow_minus_half")


@node_rewriter(Reduce)
def sum_mul_to_dot(node):
    """``sum(x * y)`` of two float vectors of the same length → ``dot(x, y)`` (one BLAS call)."""
    if node.op.kind != "sum":
        return None
    p = node.inputs[0]
    if p.ndim != 1 or p.owner is None or p.owner.op != tm.mul.op:
        return None
    x, y = p.owner.inputs
    if not (is_float(x.dtype) and is_float(y.dtype)):
        return None
    if (x.type.shape[0] == 1) != (y.type.shape[0] == 1):
        return None  # one of them is broadcast
    from probgraph.tensor.dot import Dot
    return [Dot()(x, y)]


SPECIALIZE = [pow_two, pow_half, pow_minus_one, pow_minus_half, sum_mul_to_dot]
