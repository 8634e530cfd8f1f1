"""Shape operations: DimShuffle (transpose/add/drop broadcast axes), Shape, Reshape, BroadcastTo,
MakeVector."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Constant, Variable
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, format_shape


class DimShuffle(Op):
    """Reorder axes, insert broadcastable axes (``"x"``) and drop size-1 axes: ``x.dimshuffle(1,
    "x", 0)``."""

    __props__ = ("input_ndim", "new_order")

    def __init__(self, input_ndim: int, new_order):
        self.input_ndim = int(input_ndim)
        self.new_order = tuple(o if o == "x" else int(o) for o in new_order)
        kept = [o for o in self.new_order if o != "x"]
        if len(set(kept)) != len(kept) or any(o < 0 or o >= self.input_ndim for o in kept):
            raise ValueError(f"invalid dimshuffle pattern {new_order} for {input_ndim} dimensions")
        self.dropped = tuple(i for i in range(self.input_ndim) if i not in kept)

    def __str__(self):
        return f"DimShuffle{{{','.join(map(str, self.new_order))}}}"

    @property
    def is_transpose_only(self) -> bool:
        return "x" not in self.new_order and not self.dropped

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        if x.ndim != self.input_ndim:
            raise ValueError(f"{self}: expected a {self.input_ndim}-d input, got {x.ndim}-d")
        for d in self.dropped:
            if x.type.shape[d] != 1:
                raise ValueError(f"{self}: cannot drop axis {d} of {x} with shape "
                                 f"{format_shape(x.type.shape)}; only size-1 axes can be dropped")
        shape = tuple(1 if o == "x" else x.type.shape[o] for o in self.new_order)
        return Apply(self, [x], [TensorType(x.dtype, shape)])

    def perform(self, node, inputs):
        (x,) = inputs
        kept = [o for o in self.new_order if o != "x"]
        y = np.transpose(x, kept + list(self.dropped)) if x.ndim else x
        y = y.reshape(node.outputs[0].type.shape if None not in node.outputs[0].type.shape else
                      tuple(1 if o == "x" else x.shape[o] for o in self.new_order))
        return [y]

    def pullback(self, inputs, outputs, output_grads):
        (x,), (g,) = inputs, output_grads
        if not x.dtype.startswith("float"):
            return [None]
        kept = [o for o in self.new_order if o != "x"]
        # g without the inserted axes, axes in the order `kept`
        g = DimShuffle(g.ndim, [i for i, o in enumerate(self.new_order) if o != "x"])(g)
        # back to the input's order, re-inserting dropped axes
        back = []
        for i in range(self.input_ndim):
            back.append("x" if i in self.dropped else kept.index(i))
        return [DimShuffle(len(kept), back)(g)]


def dimshuffle(x, pattern) -> Variable:
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    pattern = tuple(pattern)
    if pattern == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, pattern)(x)


def pad_left(x: Variable, ndim: int) -> Variable:
    """``x`` with leading broadcastable axes added up to ``ndim`` dimensions."""
    if x.ndim >= ndim:
        return x
    return DimShuffle(x.ndim, ["x"] * (ndim - x.ndim) + list(range(x.ndim)))(x)


def transpose(x, axes=None) -> Variable:
    """Permute the axes (reverse them by default), as ``numpy.transpose``."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    axes = tuple(reversed(range(x.ndim))) if axes is None else tuple(a % x.ndim for a in axes)
    return dimshuffle(x, axes)


def expand_dims(x, axis) -> Variable:
    """Insert size-1 axes at ``axis`` (int or tuple), as ``numpy.expand_dims``."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out_ndim = x.ndim + len(axes)
    axes = sorted(a % out_ndim for a in axes)
    pattern, it = [], iter(range(x.ndim))
    for i in range(out_ndim):
        pattern.append("x" if i in axes else next(it))
    return dimshuffle(x, pattern)


def squeeze(x, axis=None) -> Variable:
    """Drop size-1 axes (all statically known ones, or ``axis``)."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    if axis is None:
        axes = [i for i, s in enumerate(x.type.shape) if s == 1]
    else:
        axes = [a % x.ndim for a in ((axis,) if np.ndim(axis) == 0 else axis)]
    return dimshuffle(x, [i for i in range(x.ndim) if i not in axes])


class Shape(Op):
    """The shape of a tensor as an int64 vector."""

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        return Apply(self, [x], [TensorType("int64", (x.ndim,))])

    def perform(self, node, inputs):
        return [np.array(inputs[0].shape, dtype="int64")]

    def pullback(self, inputs, outputs, output_grads):
        return [None]


def shape(x) -> Variable:
    """``x.shape``: a constant if every size is static, else a symbolic int64 vector."""
    from probgraph.tensor.basic import as_tensor, constant
    x = as_tensor(x)
    if all(s is not None for s in x.type.shape):
        return constant(np.array(x.type.shape, dtype="int64"))
    return Shape()(x)


class MakeVector(Op):
    """Stack scalars into a vector (used for symbolic shapes)."""

    __props__ = ("dtype",)

    def __init__(self, dtype: str = "int64"):
        self.dtype = dtype

    def make_node(self, *scalars) -> Apply:
        from probgraph.tensor.basic import as_tensor
        from probgraph.tensor.math import cast
        xs = [as_tensor(s) for s in scalars]
        for s in xs:
            if s.ndim != 0:
                raise ValueError(f"MakeVector: expected scalars, got {s} with {s.ndim} dimensions")
        xs = [cast(s, self.dtype) if s.dtype != self.dtype else s for s in xs]
        return Apply(self, xs, [TensorType(self.dtype, (len(xs),))])

    def perform(self, node, inputs):
        return [np.array(inputs, dtype=self.dtype).reshape(len(inputs))]

    def pullback(self, inputs, outputs, output_grads):
        g = output_grads[0]
        if not self.dtype.startswith("float"):
            return [None] * len(inputs)
        return [g[i] for i in range(len(inputs))]


def static_values(v: Variable) -> tuple | None:
    """Entries of a 1-d int vector known at build time (``None`` for symbolic ones), or None if
    unknown."""
    if isinstance(v, Constant):
        return tuple(int(a) for a in np.asarray(v.data).reshape(-1))
    if v.owner is not None and isinstance(v.owner.op, MakeVector):
        return tuple(int(np.asarray(i.data)) if isinstance(i, Constant) else None
                     for i in v.owner.inputs)
    if v.owner is not None and isinstance(v.owner.op, Shape):
        return v.owner.inputs[0].type.shape
    return None


def as_shape_vector(shape) -> Variable:
    """A shape given as ints, scalars or a vector → an int64 vector variable."""
    from probgraph.tensor.basic import as_tensor, constant
    if isinstance(shape, Variable):
        if shape.ndim == 0:
            return MakeVector("int64")(shape)
        return shape if shape.dtype == "int64" else shape.astype("int64")
    if np.ndim(shape) == 0:
        shape = (shape,)
    items = list(shape)
    if all(not isinstance(s, Variable) for s in items):
        return constant(np.array(items, dtype="int64").reshape(len(items)))
    return MakeVector("int64")(*[as_tensor(s) for s in items])


class Reshape(Op):
    """Reshape ``x`` to the shape given by an int64 vector (one entry may be -1)."""

    __props__ = ("ndim",)

    def __init__(self, ndim: int):
        self.ndim = ndim

    def make_node(self, x, shp) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        shp = as_shape_vector(shp)
        vals = static_values(shp) or (None,) * self.ndim
        size = None if None in x.type.shape else int(np.prod(x.type.shape))
        out = list(vals)
        if -1 in out:
            known = [s for s in out if s not in (-1, None)]
            if size is not None and None not in out:
                out[out.index(-1)] = size // int(np.prod(known)) if known else size
            else:
                out[out.index(-1)] = None
        if size is not None and None not in out and int(np.prod(out)) != size:
            raise ValueError(f"Reshape: cannot reshape {x} of shape {format_shape(x.type.shape)} "
                             f"to {format_shape(tuple(vals))}")
        return Apply(self, [x, shp], [TensorType(x.dtype, tuple(out))])

    def perform(self, node, inputs):
        x, shp = inputs
        return [np.reshape(x, tuple(int(s) for s in shp))]

    def pullback(self, inputs, outputs, output_grads):
        x = inputs[0]
        return [reshape(output_grads[0], shape(x)), None]


def reshape(x, newshape, ndim=None) -> Variable:
    """``numpy.reshape`` with static or symbolic sizes."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    shp = as_shape_vector(newshape)
    if shp.type.shape[0] is None:
        if ndim is None:
            raise ValueError("reshape: pass ndim= when the new shape's length is symbolic")
    ndim = shp.type.shape[0] if ndim is None else ndim
    if static_values(shp) == x.type.shape and None not in x.type.shape:
        return x
    return Reshape(ndim)(x, shp)


def flatten(x, ndim: int = 1) -> Variable:
    """Collapse the trailing axes so the result has ``ndim`` dimensions."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    if ndim == 1:
        return reshape(x, (-1,))
    lead = [x.type.shape[i] if x.type.shape[i] is not None else shape(x)[i]
            for i in range(ndim - 1)]
    return reshape(x, (*lead, -1))


class BroadcastTo(Op):
    """``numpy.broadcast_to`` with a (possibly symbolic) target shape."""

    __props__ = ("ndim",)

    def __init__(self, ndim):
        self.ndim = ndim

    def make_node(self, x, shp) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        shp = as_shape_vector(shp)
        vals = static_values(shp) or (None,) * self.ndim
        if x.ndim > self.ndim:
            raise ValueError(f"broadcast_to: cannot broadcast {x.ndim}-d {x} to {self.ndim} "
                             "dimensions")
        xs = (1,) * (self.ndim - x.ndim) + x.type.shape
        for a, b in zip(xs, vals):
            if a not in (1, None) and b is not None and a != b:
                raise ValueError(f"broadcast_to: cannot broadcast {x} of shape "
                                 f"{format_shape(x.type.shape)} to {format_shape(vals)}")
        out = tuple(b if b is not None else (a if a not in (1,) else None)
                    for a, b in zip(xs, vals))
        return Apply(self, [x, shp], [TensorType(x.dtype, out)])

    def perform(self, node, inputs):
        x, shp = inputs
        target = tuple(int(s) for s in shp)
        static = node.inputs[0].type.shape
        for axis, (s, n) in enumerate(zip(static, np.shape(x))):
            out_axis = axis + len(target) - len(static)
            if s is None and n != target[out_axis]:
                # only static size-1 dims broadcast (the gradient relies on it), as in numba
                raise ValueError(f"broadcast_to: {node.inputs[0]} has length {n} on axis {axis} "
                                 f"where {target[out_axis]} was expected")
        return [np.array(np.broadcast_to(x, target))]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor import reduce as _red
        x, g = inputs[0], output_grads[0]
        if not x.dtype.startswith("float"):
            return [None, None]
        extra = self.ndim - x.ndim
        if extra:
            g = _red.sum(g, axis=list(range(extra)))
        axes = [i for i in range(x.ndim) if x.type.shape[i] == 1
                and outputs[0].type.shape[extra + i] != 1]
        if axes:
            g = _red.sum(g, axis=axes, keepdims=True)
        return [g, None]


def broadcast_to(x, shp) -> Variable:
    """``numpy.broadcast_to``."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    shp = as_shape_vector(shp)
    return BroadcastTo(shp.type.shape[0])(x, shp)
