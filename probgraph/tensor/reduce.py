"""Reductions over axes: sum, prod, max, min, all, any, argmax/argmin, and the derived
mean/var/std/logsumexp."""

from __future__ import annotations

import builtins

import numpy as np

from probgraph.graph.basic import Apply
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, is_float


def normalize_axis(axis, ndim: int, opname: str = "reduce") -> tuple[int, ...]:
    """Axis argument (None, int or sequence, negatives allowed) → sorted tuple of non-negative
    axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"{opname}: axis {a} is out of bounds for a {ndim}-d tensor")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


_NUMPY = {"sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "all": np.all,
          "any": np.any}


class Reduce(Op):
    """Reduce ``x`` over ``axis`` with ``kind`` in sum, prod, max, min, all, any (axes are
    removed)."""

    __props__ = ("kind", "axis")

    def __init__(self, kind: str, axis: tuple[int, ...]):
        if kind not in _NUMPY:
            raise ValueError(f"unknown reduction {kind!r}")
        self.kind = kind
        self.axis = tuple(axis)

    def __str__(self):
        return f"{self.kind.capitalize()}{{axis={self.axis}}}"

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        for a in self.axis:
            if a >= x.ndim:
                raise ValueError(f"{self}: axis {a} is out of bounds for {x.ndim}-d {x}")
        shape = tuple(s for i, s in enumerate(x.type.shape) if i not in self.axis)
        if self.kind in ("all", "any"):
            dtype = "bool"
        elif self.kind in ("sum", "prod"):
            dtype = _NUMPY[self.kind](np.ones(1, x.dtype)).dtype.name
        else:
            dtype = x.dtype
        return Apply(self, [x], [TensorType(dtype, shape)])

    def perform(self, node, inputs):
        out = _NUMPY[self.kind](inputs[0], axis=self.axis)
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor import math as tm
        from probgraph.tensor.shape import broadcast_to, expand_dims, shape
        (x,), (out,), (g,) = inputs, outputs, output_grads
        if not is_float(x.dtype) or self.kind in ("all", "any"):
            return [None]
        g_full = broadcast_to(expand_dims(g, self.axis), shape(x))
        if self.kind == "sum":
            return [g_full]
        out_full = expand_dims(out, self.axis)
        if self.kind == "prod":
            return [g_full * out_full / x]
        # max/min: the gradient flows to every element equal to the extreme value
        return [tm.switch(tm.eq(x, out_full), g_full, tm.zeros_like(x))]


class Argmax(Op):
    """Index of the largest (``kind="max"``) or smallest element along one axis (or of the flattened
    tensor)."""

    __props__ = ("kind", "axis")

    def __init__(self, kind: str, axis: int | None):
        self.kind = kind
        self.axis = axis

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        shape = () if self.axis is None else tuple(
            s for i, s in enumerate(x.type.shape) if i != self.axis)
        return Apply(self, [x], [TensorType("int64", shape)])

    def perform(self, node, inputs):
        f = np.argmax if self.kind == "max" else np.argmin
        return [np.asarray(f(inputs[0], axis=self.axis), dtype="int64")]

    def pullback(self, inputs, outputs, output_grads):
        return [None]  # an index has no gradient


def _reduce(kind, x, axis, keepdims):
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import expand_dims
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim, kind)
    out = Reduce(kind, axes)(x) if axes else (x if kind not in ("all", "any") else x.astype("bool"))
    if kind in ("sum", "prod") and not axes:
        out = x
    return expand_dims(out, axes) if keepdims and axes else out


def sum(x, axis=None, keepdims=False, dtype=None):  # noqa: A001 - numpy's name
    """Sum over ``axis`` (all axes by default), as ``numpy.sum``."""
    out = _reduce("sum", x, axis, keepdims)
    return out.astype(dtype) if dtype is not None else out


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``, as ``numpy.prod``."""
    return _reduce("prod", x, axis, keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Maximum over ``axis``, as ``numpy.max``."""
    return _reduce("max", x, axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """Minimum over ``axis``, as ``numpy.min``."""
    return _reduce("min", x, axis, keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("all", x, axis, keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return _reduce("any", x, axis, keepdims)


def _arg(kind, x, axis, keepdims):
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import expand_dims
    x = as_tensor(x)
    ax = None if axis is None else normalize_axis(axis, x.ndim)[0]
    out = Argmax(kind, ax)(x)
    if keepdims:
        out = expand_dims(out, tuple(range(x.ndim)) if ax is None else ax)
    return out


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum, as ``numpy.argmax``."""
    return _arg("max", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum, as ``numpy.argmin``."""
    return _arg("min", x, axis, keepdims)


def _count(x, axis):
    from probgraph.tensor.basic import as_tensor, constant
    from probgraph.tensor.shape import shape
    x = as_tensor(x)
    axes = normalize_axis(axis, x.ndim)
    sizes = [x.type.shape[a] for a in axes]
    if None not in sizes:
        return constant(int(np.prod(sizes)))
    shp = shape(x)
    return prod(shp[list(axes)]) if axes else constant(1)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``, as ``numpy.mean``."""
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    s = sum(x, axis, keepdims)
    if not is_float(s.dtype):
        s = tm.cast(s, "float64")
    return tm.true_divide(s, tm.cast(_count(x, axis), s.dtype))


def var(x, axis=None, keepdims=False, ddof=0):
    """Variance over ``axis``, as ``numpy.var``."""
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    d = x - mean(x, axis, keepdims=True)
    s = sum(d * d, axis, keepdims)
    n = tm.cast(_count(x, axis), s.dtype)
    return s / (n - ddof)


def std(x, axis=None, keepdims=False, ddof=0):
    """Standard deviation over ``axis``, as ``numpy.std``."""
    from probgraph.tensor import math as tm
    return tm.sqrt(var(x, axis, keepdims, ddof))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably (shifted by the maximum), as
    ``scipy.special.logsumexp``."""
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    m = max(x, axis, keepdims=True)
    m = tm.switch(tm.isinf(m), tm.zeros_like(m), m)
    m = tm.stop_gradient(m)
    out = tm.log(sum(tm.exp(x - m), axis, keepdims=True)) + m
    if not keepdims:
        from probgraph.tensor.shape import squeeze
        out = squeeze(out, normalize_axis(axis, x.ndim))
    return out
