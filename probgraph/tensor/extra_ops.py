"""Cumulative and ordering operations: cumsum, cumprod, diff, sort, argsort, searchsorted and
unique."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Variable
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, format_shape, is_float

__all__ = [
    "CumOp",
    "SearchSorted",
    "Sort",
    "Unique",
    "argsort",
    "cumprod",
    "cumsum",
    "diff",
    "searchsorted",
    "sort",
    "unique",
]

_CUM = {"sum": np.cumsum, "prod": np.cumprod}


def _axis(x: Variable, axis: int, opname: str) -> int:
    if not -x.ndim <= axis < max(x.ndim, 1) or x.ndim == 0:
        raise ValueError(f"{opname}: axis {axis} is out of bounds for {x.name or x} of shape "
                         f"{format_shape(x.type.shape)}")
    return axis % x.ndim


class CumOp(Op):
    """Cumulative sum or product along ``axis``; ``reverse=True`` accumulates from the end.

    The reversed cumulative sum is the pullback of the forward one (and vice versa).
    """

    __props__ = ("mode", "axis", "reverse")

    def __init__(self, mode: str, axis: int, reverse: bool = False):
        if mode not in _CUM:
            raise ValueError(f"CumOp: mode must be 'sum' or 'prod', got {mode!r}")
        self.mode = mode
        self.axis = int(axis)
        self.reverse = bool(reverse)

    def __str__(self):
        return f"Cum{self.mode}{{axis={self.axis}{', reverse' if self.reverse else ''}}}"

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"{self}: axis {self.axis} is out of bounds for {x.ndim}-d {x}")
        dtype = _CUM[self.mode](np.ones(1, dtype=x.dtype)).dtype.name
        return Apply(self, [x], [TensorType(dtype, x.type.shape)])

    def perform(self, node, inputs):
        (x,) = inputs
        f = _CUM[self.mode]
        if self.reverse:
            out = np.flip(f(np.flip(x, self.axis), axis=self.axis), self.axis)
        else:
            out = f(x, axis=self.axis)
        return [np.asarray(out, dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        (x,), (out,), (g,) = inputs, outputs, output_grads
        if not is_float(x.dtype):
            return [None]
        back = CumOp("sum", self.axis, not self.reverse)
        if self.mode == "sum":
            return [back(g)]
        # d out_j / d x_i = out_j / x_i for every j at or past i: valid only where x_i != 0
        return [back(g * out) / x]


def _cum(mode: str, x, axis) -> Variable:
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    if axis is None:
        x, axis = x.flatten() if x.ndim != 1 else x, 0
    return CumOp(mode, _axis(x, axis, f"cum{mode}"))(x)


def cumsum(x, axis: int | None = None) -> Variable:
    """Cumulative sum along ``axis`` (of the flattened tensor if None), as ``numpy.cumsum``.

    The gradient is the reversed cumulative sum of the output gradient.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.cumsum(pt.constant([1.0, 2.0, 3.0])).eval()
    array([1., 3., 6.])
    """
    return _cum("sum", x, axis)


def cumprod(x, axis: int | None = None) -> Variable:
    """Cumulative product along ``axis`` (of the flattened tensor if None), as ``numpy.cumprod``.

    The gradient divides by the input, so it is only valid where every entry is nonzero
    (a zero entry gives NaN/inf).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.cumprod(pt.constant([1.0, 2.0, 3.0])).eval()
    array([1., 2., 6.])
    """
    return _cum("prod", x, axis)


def diff(x, n: int = 1, axis: int = -1) -> Variable:
    """The ``n``-th discrete difference along ``axis``, as ``numpy.diff`` (built from slices).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.diff(pt.constant([1.0, 4.0, 9.0])).eval()
    array([3., 5.])
    """
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.math import neq
    x = as_tensor(x)
    if n < 0:
        raise ValueError(f"diff: the order n must be non-negative, got {n}")
    axis = _axis(x, axis, "diff")
    lead = (slice(None),) * axis
    for _ in range(n):
        hi, lo = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
        x = neq(hi, lo) if x.dtype == "bool" else hi - lo
    return x


# --------------------------------------------------------------------- ordering (no gradients)
class Sort(Op):
    """Sort along ``axis`` (``"values"``) or give the sorting indices (``"indices"``, int64).

    The sorted values have no gradient here (a gather by the sorting permutation would be needed).
    """

    __props__ = ("axis", "output", "kind")

    def __init__(self, axis: int, output: str = "values", kind: str = "stable"):
        self.axis = int(axis)
        self.output = output
        self.kind = kind

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        if not 0 <= self.axis < x.ndim:
            raise ValueError(f"{self}: axis {self.axis} is out of bounds for {x.ndim}-d {x}")
        dtype = x.dtype if self.output == "values" else "int64"
        return Apply(self, [x], [TensorType(dtype, x.type.shape)])

    def perform(self, node, inputs):
        f = np.sort if self.output == "values" else np.argsort
        return [np.asarray(f(inputs[0], axis=self.axis, kind=self.kind),
                           dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        if self.output == "indices":
            return [None]
        return super().pullback(inputs, outputs, output_grads)


def _sort(x, axis, output, kind):
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    if axis is None:
        x, axis = x.flatten() if x.ndim != 1 else x, 0
    return Sort(_axis(x, axis, "sort"), output, kind)(x)


def sort(x, axis: int | None = -1, kind: str = "stable") -> Variable:
    """Sorted copy along ``axis`` (flattened if None), as ``numpy.sort`` (not differentiable).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.sort(pt.constant([3.0, 1.0, 2.0])).eval()
    array([1., 2., 3.])
    """
    return _sort(x, axis, "values", kind)


def argsort(x, axis: int | None = -1, kind: str = "stable") -> Variable:
    """Indices that sort ``x`` along ``axis``, as ``numpy.argsort``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.argsort(pt.constant([3.0, 1.0, 2.0])).eval()
    array([1, 2, 0])
    """
    return _sort(x, axis, "indices", kind)


class SearchSorted(Op):
    """Insertion indices of ``v`` into the sorted vector ``a``, as ``numpy.searchsorted``."""

    __props__ = ("side",)

    def __init__(self, side: str = "left"):
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        self.side = side

    def make_node(self, a, v) -> Apply:
        from probgraph.tensor.basic import as_tensor
        a, v = as_tensor(a), as_tensor(v)
        if a.ndim != 1:
            raise ValueError(f"searchsorted: the sorted array must be 1-d, got {a.name or a} of "
                             f"shape {format_shape(a.type.shape)}")
        return Apply(self, [a, v], [TensorType("int64", v.type.shape)])

    def perform(self, node, inputs):
        a, v = inputs
        return [np.asarray(np.searchsorted(a, v, side=self.side), dtype="int64")]

    def pullback(self, inputs, outputs, output_grads):
        return [None, None]


def searchsorted(a, v, side: str = "left") -> Variable:
    """Indices where ``v`` would be inserted into sorted ``a`` to keep it sorted.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.searchsorted(pt.constant([1.0, 2.0, 3.0]), pt.constant([2.5, 0.0])).eval()
    array([2, 0])
    """
    return SearchSorted(side)(a, v)


class Unique(Op):
    """Sorted unique values of the flattened input, optionally with first indices, inverse and
    counts.

    The number of unique values is only known at run time.
    """

    __props__ = ("return_index", "return_inverse", "return_counts")

    def __init__(self, return_index=False, return_inverse=False, return_counts=False):
        self.return_index = bool(return_index)
        self.return_inverse = bool(return_inverse)
        self.return_counts = bool(return_counts)

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        types = [TensorType(x.dtype, (None,))]
        if self.return_index:
            types.append(TensorType("int64", (None,)))
        if self.return_inverse:
            types.append(TensorType("int64", x.type.shape))
        if self.return_counts:
            types.append(TensorType("int64", (None,)))
        return Apply(self, [x], types)

    def perform(self, node, inputs):
        (x,) = inputs
        res = np.unique(x.reshape(-1), return_index=self.return_index,
                        return_inverse=self.return_inverse, return_counts=self.return_counts)
        res = list(res) if isinstance(res, tuple) else [res]
        if self.return_inverse:
            k = 1 + self.return_index
            res[k] = res[k].reshape(x.shape)
        return [np.asarray(r, dtype=o.dtype) for r, o in zip(res, node.outputs)]


def unique(x, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False):
    """Sorted unique elements of ``x``, as ``numpy.unique`` (flattened; not differentiable).

    Returns one variable, or a list when any ``return_*`` flag is set.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.unique(pt.constant([3, 1, 3, 2])).eval()
    array([1, 2, 3])
    """
    return Unique(return_index, return_inverse, return_counts)(x)
