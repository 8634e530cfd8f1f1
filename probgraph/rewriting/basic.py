"""Always-on rules: constant folding and useless-op removal (``x*1``, identity dimshuffles, ``x -
x``, ...)."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Constant, Variable
from probgraph.graph.rewrite import node_rewriter, register_value_view, scalar_constant
from probgraph.tensor import math as tm
from probgraph.tensor.elemwise import Elemwise
from probgraph.tensor.shape import BroadcastTo, DimShuffle, Reshape, Shape, broadcast_to, pad_left
from probgraph.tensor.type import TensorType
from probgraph.tensor.variable import TensorConstant

register_value_view(DimShuffle, BroadcastTo, Reshape, tm.Identity, tm.StopGradient)

#: Folding never creates a constant larger than this many elements unless its inputs were as large.
FOLD_MIN_SIZE = 64
#: ... and never one larger than this many bytes.
FOLD_MAX_BYTES = 1 << 25
#: Views (transpose, reshape, broadcast) of constants larger than this stay symbolic: a folded
# transpose is a
#: non-contiguous constant (``np.dot`` on it is slow), and the backends read views for free.
FOLD_VIEW_MAX_SIZE = 1000


def fit_type(new: Variable, old: Variable) -> Variable | None:
    """``new`` made to have ``old``'s type (cast, padded, broadcast), or ``None`` if that is not
    safe.

    Used by the driver when a replacement's type differs from the variable it replaces: the dtype is
    cast, a fully static shape is restored with ``broadcast_to``; otherwise a static size may become
    more or less precise but never turn into (or from) a broadcastable 1.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> x = pt.lvector("x", shape=(3,))
    >>> fit_type(x, pt.dvector("y", shape=(3,))).dtype
    'float64'
    """
    if not (isinstance(new.type, TensorType) and isinstance(old.type, TensorType)):
        return new if new.type == old.type else None
    if new.ndim > old.ndim:
        return None
    new = pad_left(new, old.ndim)
    if new.dtype != old.dtype:
        new = tm.cast(new, old.dtype)
    if new.type == old.type:
        return new
    if None not in old.type.shape:
        try:
            return broadcast_to(new, old.type.shape)
        except ValueError:
            return None
    ok = all(a == b or (a is None) != (b is None) and 1 not in (a, b)
             for a, b in zip(new.type.shape, old.type.shape))
    return new if ok else None


def is_constant(v: Variable) -> bool:
    """True for constants and uniform constants seen through broadcasts."""
    return isinstance(v, Constant) or scalar_constant(v) is not None


def _value_is(v: Variable, value) -> bool:
    c = scalar_constant(v)
    return c is not None and c == value


# ----------------------------------------------------------------------------- constant folding

@node_rewriter()
def constant_folding(node):
    """A node whose inputs are all constants becomes a constant (its ``perform``), unless it is
    huge."""
    if not node.inputs or not all(isinstance(i, Constant) for i in node.inputs):
        return None
    if not getattr(node.op, "do_constant_folding", True):
        return None
    if isinstance(node.op, (DimShuffle, Reshape, BroadcastTo)) and \
            int(np.size(node.inputs[0].data)) > FOLD_VIEW_MAX_SIZE:
        return None
    if not all(isinstance(o.type, TensorType) for o in node.outputs):
        return None
    in_size = sum(int(np.size(i.data)) for i in node.inputs)
    limit = max(FOLD_MIN_SIZE, in_size)
    for o in node.outputs:
        if None not in o.type.shape and int(np.prod(o.type.shape)) > limit:
            return None
    values = node.op.perform(node, [i.data for i in node.inputs])
    out = []
    for o, v in zip(node.outputs, values):
        arr = np.array(v, dtype=o.dtype)
        if arr.size > limit or arr.nbytes > FOLD_MAX_BYTES or arr.ndim != o.ndim:
            return None
        arr.setflags(write=False)
        # keep "unknown" where the node said so and the value has a broadcastable 1 there
        shape = tuple(None if s is None and a == 1 else a for s, a in zip(o.type.shape, arr.shape))
        out.append(TensorConstant(TensorType(o.dtype, shape), arr))
    return out


# ----------------------------------------------------------------------------- useless elementwise
# ops

@node_rewriter("add", "sub", "mul", "true_divide", "power")
def useless_arith(node):
    """``x + 0``, ``0 + x``, ``x - 0``, ``x * 1``, ``1 * x``, ``x / 1``, ``x ** 1`` → ``x``."""
    name = node.op.scalar_op.name
    a, b = node.inputs
    neutral = 0 if name in ("add", "sub") else 1
    if _value_is(b, neutral):
        return [a]
    if name in ("add", "mul") and _value_is(a, neutral):
        return [b]
    return None


@node_rewriter(tm.sub)
def sub_self(node):
    """``x - x`` → zeros of the same shape and dtype (after grad only: it disconnects ``x``)."""
    a, b = node.inputs
    return [tm.zeros_like(a, dtype=node.outputs[0].dtype)] if a is b else None


@node_rewriter(tm.neg)
def neg_neg(node):
    """``-(-x)`` → ``x``."""
    x = node.inputs[0]
    if x.owner is not None and x.owner.op == tm.neg.op:
        return [x.owner.inputs[0]]
    return None


@node_rewriter(tm.switch)
def useless_switch(node):
    """``switch(constant, a, b)`` → ``a`` or ``b``; ``switch(c, a, a)`` → ``a``."""
    cond, a, b = node.inputs
    if a is b:
        return [a]
    c = scalar_constant(cond)
    if c is None:
        return None
    return [a if bool(c) else b]


# ----------------------------------------------------------------------------- useless shape ops

@node_rewriter(DimShuffle)
def dimshuffle_rules(node):
    """Drop identity dimshuffles and merge a dimshuffle of a dimshuffle into one."""
    op, x = node.op, node.inputs[0]
    if op.new_order == tuple(range(op.input_ndim)):
        return [x]
    if x.owner is not None and isinstance(x.owner.op, DimShuffle):
        inner = x.owner.op
        order = tuple("x" if o == "x" else inner.new_order[o] for o in op.new_order)
        src = x.owner.inputs[0]
        if order == tuple(range(inner.input_ndim)):
            return [src]
        return [DimShuffle(inner.input_ndim, order)(src)]
    return None


@node_rewriter(tm.Cast)
def useless_cast(node):
    """A cast to the dtype the value already has."""
    x = node.inputs[0]
    return [x] if x.dtype == node.op.dtype else None


def _is_shape_of(shp: Variable, x: Variable) -> bool:
    return shp.owner is not None and isinstance(shp.owner.op, Shape) and shp.owner.inputs[0] is x


@node_rewriter(BroadcastTo, Reshape)
def useless_reshape(node):
    """``broadcast_to``/``reshape`` to the shape the value already has (statically, or
    ``x.shape``)."""
    x, shp = node.inputs
    out = node.outputs[0]
    if x.ndim != out.ndim:
        return None
    static = x.type.shape == out.type.shape and None not in x.type.shape
    return [x] if static or _is_shape_of(shp, x) else None


@node_rewriter(Shape)
def shape_of_static(node):
    """``x.shape`` of a tensor whose shape is known statically → a constant."""
    shape = node.inputs[0].type.shape
    if None in shape:
        return None
    from probgraph.tensor.basic import constant
    return [constant(np.array(shape, dtype="int64"))]


@node_rewriter(Shape)
def shape_of_elementwise(node):
    """``shape(f(a, b))`` → ``shape(a)`` for an elementwise ``f`` and an input ``a`` that is not
    broadcast (so the value of ``f`` need not be computed just for its shape)."""
    out = node.inputs[0]
    if out.owner is None:
        return None
    op = out.owner.op
    if not isinstance(op, (Elemwise, tm.Cast, tm.Identity, tm.StopGradient)):
        return None
    for x in out.owner.inputs:
        if x.ndim == out.ndim and not any(a == 1 and b != 1
                                          for a, b in zip(x.type.shape, out.type.shape)):
            return [Shape()(x)]
    return None


@node_rewriter(Shape)
def shape_of_broadcast(node):
    """``shape(broadcast_to(x, shp))`` → ``shp`` (gradients ask the shape of their seeds)."""
    out = node.inputs[0]
    if out.owner is None or not isinstance(out.owner.op, BroadcastTo):
        return None
    return [out.owner.inputs[1]]


@node_rewriter(tm.Identity, tm.StopGradient)
def remove_identity(node):
    """``Identity`` and ``StopGradient`` do nothing once gradients are taken."""
    return [node.inputs[0]]


FOLD = [constant_folding]
USELESS = [useless_arith, neg_neg, useless_switch, dimshuffle_rules, useless_cast, useless_reshape,
           shape_of_static, shape_of_elementwise, shape_of_broadcast]
#: only after differentiation (in ``function``): ``grad`` needs Identity/StopGradient, and
#: ``x - x`` → 0 would disconnect ``x``
AFTER_GRAD = [remove_identity, sub_self]
