"""numpy functions composed from existing ops (no new Ops): flips, axis moves, nan-reductions..."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Variable
from probgraph.tensor import math as tm
from probgraph.tensor import reduce as tr
from probgraph.tensor.basic import as_tensor, constant
from probgraph.tensor.builders import arange, full
from probgraph.tensor.extra_ops import sort
from probgraph.tensor.join import concatenate, stack
from probgraph.tensor.reduce import normalize_axis
from probgraph.tensor.shape import broadcast_to, dimshuffle, expand_dims, reshape, transpose
from probgraph.tensor.subtensor import getitem, set_subtensor, take
from probgraph.tensor.type import is_float, is_int

__all__ = [
    "allclose", "append", "around", "atleast_1d", "atleast_2d", "atleast_3d",
    "broadcast_arrays", "cbrt", "column_stack", "conj", "conjugate", "copysign",
    "count_nonzero", "cov", "cross", "diagonal", "dstack", "fabs", "flip", "fliplr", "flipud",
    "fmod", "heaviside", "hypot", "isclose", "kron", "logaddexp2", "median", "meshgrid",
    "moveaxis", "nan_to_num", "nanmax", "nanmean", "nanmin", "nansum", "pad", "percentile",
    "ptp", "quantile", "ravel", "remainder", "roll", "swapaxes", "take_along_axis", "trace",
]


def _dim(x: Variable, i: int):
    """Size of axis ``i``: an int when known at build time, else a symbolic scalar."""
    s = x.type.shape[i]
    return s if s is not None else x.shape[i]


def _as_float(x: Variable) -> Variable:
    return x if is_float(x.dtype) else tm.cast(x, "float64")


def _one_or_list(xs):
    return xs[0] if len(xs) == 1 else list(xs)


# --------------------------------------------------------------------- axes and shapes
def flip(m, axis=None) -> Variable:
    """Reverse the order of elements along ``axis`` (all axes by default), as ``numpy.flip``."""
    m = as_tensor(m)
    axes = normalize_axis(axis, m.ndim, "flip")
    idx = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(m.ndim))
    return getitem(m, idx) if axes else m


def fliplr(m) -> Variable:
    """Reverse the columns (axis 1), as ``numpy.fliplr``."""
    return flip(m, 1)


def flipud(m) -> Variable:
    """Reverse the rows (axis 0), as ``numpy.flipud``."""
    return flip(m, 0)


def moveaxis(a, source, destination) -> Variable:
    """Move axes to new positions, others keep their order, as ``numpy.moveaxis``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> pt.moveaxis(pt.tensor(shape=(2, 3, 4)), 0, -1).type.shape
    (3, 4, 2)
    """
    a = as_tensor(a)
    for ax in [*np.atleast_1d(source), *np.atleast_1d(destination)]:
        normalize_axis(int(ax), a.ndim, "moveaxis")
    src = [s % a.ndim for s in np.atleast_1d(source)]
    dst = [d % a.ndim for d in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    order = [i for i in range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def swapaxes(a, axis1: int, axis2: int) -> Variable:
    """Interchange two axes, as ``numpy.swapaxes``."""
    a = as_tensor(a)
    order = list(range(a.ndim))
    i, j = (normalize_axis(ax, a.ndim, "swapaxes")[0] for ax in (axis1, axis2))
    order[i], order[j] = order[j], order[i]
    return transpose(a, order)


def atleast_1d(*arys):
    """Inputs viewed with at least one dimension, as ``numpy.atleast_1d`` (a list for several)."""
    return _one_or_list([expand_dims(x, 0) if x.ndim == 0 else x for x in map(as_tensor, arys)])


def atleast_2d(*arys):
    """Inputs viewed with at least two dimensions (leading axes added), as ``numpy.atleast_2d``."""
    return _one_or_list([dimshuffle(x, ["x"] * (2 - x.ndim) + list(range(x.ndim)))
                         if x.ndim < 2 else x for x in map(as_tensor, arys)])


def atleast_3d(*arys):
    """Inputs with at least three dimensions: ``(N,) -> (1, N, 1)``, ``(M, N) -> (M, N, 1)``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.atleast_3d(pt.dvector(shape=(4,))).type.shape
    (1, 4, 1)
    """
    patterns = {0: ["x", "x", "x"], 1: ["x", 0, "x"], 2: [0, 1, "x"]}
    return _one_or_list([dimshuffle(x, patterns[x.ndim]) if x.ndim < 3 else x
                         for x in map(as_tensor, arys)])


def ravel(a) -> Variable:
    """The elements in C order as a 1-d tensor, as ``numpy.ravel``."""
    a = as_tensor(a)
    return a if a.ndim == 1 else a.flatten()


def diagonal(a, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """The diagonal(s) of ``a``; the diagonal axis is appended last, as ``numpy.diagonal``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> pt.diagonal(pt.constant(np.arange(6.0).reshape(2, 3)), offset=1).eval()
    array([1., 5.])
    """
    a = as_tensor(a)
    if a.ndim < 2:
        raise ValueError(f"diagonal: {a} needs at least 2 dimensions, got {a.ndim}")
    i, j = (normalize_axis(ax, a.ndim, "diagonal")[0] for ax in (axis1, axis2))
    if i == j:
        raise ValueError("diagonal: axis1 and axis2 cannot be the same")
    a = moveaxis(a, (i, j), (-2, -1))
    n, m = _dim(a, -2), _dim(a, -1)
    row0, col0 = max(-offset, 0), max(offset, 0)
    if isinstance(n, int) and isinstance(m, int):
        rows = np.arange(max(min(n - row0, m - col0), 0))
    else:
        rows = arange(tm.maximum(tm.minimum(n - row0, m - col0), 0))
    return getitem(a, (Ellipsis, rows + row0, rows + col0))


def trace(a, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype=None) -> Variable:
    """Sum along a diagonal, as ``numpy.trace``."""
    return tr.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


# --------------------------------------------------------------------- elementwise compositions
def hypot(x1, x2) -> Variable:
    """``sqrt(x1**2 + x2**2)`` elementwise (no overflow guard), as ``numpy.hypot``."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    return tm.sqrt(tm.square(_as_float(x1)) + tm.square(_as_float(x2)))


def cbrt(x) -> Variable:
    """Real cube root, negative for negative ``x``, as ``numpy.cbrt`` (gradient infinite at 0)."""
    x = _as_float(as_tensor(x))
    return tm.sign(x) * tm.power(tm.abs(x), 1.0 / 3.0)


def fabs(x) -> Variable:
    """Absolute value as a float, as ``numpy.fabs``."""
    return tm.abs(_as_float(as_tensor(x)))


def remainder(x1, x2) -> Variable:
    """Remainder with the sign of the divisor (Python's ``%``), as ``numpy.remainder``."""
    return tm.mod(x1, x2)


def fmod(x1, x2) -> Variable:
    """Remainder with the sign of the dividend (C's ``fmod``), as ``numpy.fmod``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.fmod(pt.constant([-3, 3]), 2).eval()
    array([-1,  1])
    """
    x1 = as_tensor(x1)
    r = tm.mod(x1, x2)
    return tm.switch(tm.logical_and(tm.neq(r, 0), tm.neq(tm.lt(r, 0), tm.lt(x1, 0))), r - x2, r)


def copysign(x1, x2) -> Variable:
    """``|x1|`` with the sign of ``x2`` (``-0.0`` counts as positive), as ``numpy.copysign``."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    mag = tm.abs(_as_float(x1))
    return tm.switch(tm.lt(x2, 0), -mag, mag)


def around(a, decimals: int = 0) -> Variable:
    """Round half to even to ``decimals`` places (scale, round, unscale), as ``numpy.around``."""
    a = as_tensor(a)
    if decimals == 0 or (is_int(a.dtype) and decimals > 0):
        return tm.round(a) if decimals == 0 and not is_int(a.dtype) else a
    if is_int(a.dtype):
        scale = 10 ** (-decimals)
        return tm.cast(tm.round(tm.true_divide(a, scale)) * scale, a.dtype)
    scale = 10.0 ** decimals
    return tm.true_divide(tm.round(a * scale), scale)


def nan_to_num(x, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Variable:
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: dtype extremes).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> pt.nan_to_num(pt.constant([np.nan, -np.inf, 1.0]), neginf=-9.0).eval()
    array([ 0., -9.,  1.])
    """
    x = as_tensor(x)
    if not is_float(x.dtype):
        return x
    big = float(np.finfo(x.dtype).max)
    hi = big if posinf is None else posinf
    lo = -big if neginf is None else neginf
    out = tm.switch(tm.isnan(x), constant(nan, dtype=x.dtype), x)
    out = tm.switch(tm.eq(x, np.inf), constant(hi, dtype=x.dtype), out)
    return tm.switch(tm.eq(x, -np.inf), constant(lo, dtype=x.dtype), out)


def heaviside(x1, x2) -> Variable:
    """Step function: 0 below 0, ``x2`` at 0, 1 above (NaN stays NaN), as ``numpy.heaviside``."""
    x1, x2 = as_tensor(x1), as_tensor(x2)
    step = tm.cast(tm.gt(x1, 0), tm.add(x1, x2).dtype)
    return tm.switch(tm.isnan(x1), x1, tm.switch(tm.eq(x1, 0), x2, step))


def logaddexp2(x1, x2) -> Variable:
    """``log2(2**x1 + 2**x2)`` computed stably, as ``numpy.logaddexp2``."""
    ln2 = float(np.log(2.0))
    x1, x2 = _as_float(as_tensor(x1)), _as_float(as_tensor(x2))
    return tm.logaddexp(x1 * ln2, x2 * ln2) / ln2


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Variable:
    """``|a - b| <= atol + rtol * |b|`` (infinities equal only themselves), as ``numpy.isclose``."""
    a, b = as_tensor(a), as_tensor(b)
    fa, fb = _as_float(a), _as_float(b)
    close = tm.le(tm.abs(fa - fb), atol + rtol * tm.abs(fb))
    out = tm.switch(tm.and_(tm.isfinite(fa), tm.isfinite(fb)), close, tm.eq(fa, fb))
    if equal_nan:
        out = tm.or_(out, tm.and_(tm.isnan(fa), tm.isnan(fb)))
    return out


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Variable:
    """Whether all elements are close (a 0-d bool), as ``numpy.allclose``."""
    return tr.all(isclose(a, b, rtol, atol, equal_nan))


def conj(x) -> Variable:
    """Complex conjugate; the identity on the real dtypes probgraph supports, as ``numpy.conj``."""
    return as_tensor(x)


conjugate = conj


# --------------------------------------------------------------------- reductions
def _nan_filled(a: Variable, fill) -> Variable:
    return tm.switch(tm.isnan(a), constant(fill, dtype=a.dtype), a) if is_float(a.dtype) else a


def nansum(a, axis=None, keepdims: bool = False) -> Variable:
    """Sum treating NaN as zero, as ``numpy.nansum``."""
    return tr.sum(_nan_filled(as_tensor(a), 0), axis, keepdims)


def nanmean(a, axis=None, keepdims: bool = False) -> Variable:
    """Mean of the non-NaN elements (NaN where there are none), as ``numpy.nanmean``."""
    a = as_tensor(a)
    if not is_float(a.dtype):
        return tr.mean(a, axis, keepdims)
    n = tr.sum(tm.cast(tm.logical_not(tm.isnan(a)), a.dtype), axis, keepdims)
    return nansum(a, axis, keepdims) / n


def _nan_extreme(kind: str, a, axis, keepdims) -> Variable:
    a = as_tensor(a)
    if not is_float(a.dtype):
        return getattr(tr, kind)(a, axis, keepdims)
    out = getattr(tr, kind)(_nan_filled(a, -np.inf if kind == "max" else np.inf), axis, keepdims)
    return tm.switch(tr.all(tm.isnan(a), axis, keepdims), constant(np.nan, dtype=a.dtype), out)


def nanmax(a, axis=None, keepdims: bool = False) -> Variable:
    """Maximum ignoring NaN (NaN where all are NaN), as ``numpy.nanmax``."""
    return _nan_extreme("max", a, axis, keepdims)


def nanmin(a, axis=None, keepdims: bool = False) -> Variable:
    """Minimum ignoring NaN (NaN where all are NaN), as ``numpy.nanmin``."""
    return _nan_extreme("min", a, axis, keepdims)


def count_nonzero(a, axis=None, keepdims: bool = False) -> Variable:
    """Number of non-zero elements (int64), as ``numpy.count_nonzero``."""
    return tr.sum(tm.cast(tm.neq(as_tensor(a), 0), "int64"), axis, keepdims)


def ptp(a, axis=None, keepdims: bool = False) -> Variable:
    """Range ``max - min`` along ``axis``, as ``numpy.ptp``."""
    return tr.max(a, axis, keepdims) - tr.min(a, axis, keepdims)


def cov(m, y=None, rowvar: bool = True, bias: bool = False, ddof: int | None = None) -> Variable:
    """Covariance matrix of the rows (variables) of ``m``, as ``numpy.cov``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> pt.cov(pt.constant([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])).eval()
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    m = as_tensor(m)
    if m.ndim > 2:
        raise ValueError(f"cov: {m} has {m.ndim} dimensions; pass a vector or a matrix")
    def variables_as_rows(v):  # numpy leaves a single row as it is even when rowvar=False
        v = _as_float(atleast_2d(as_tensor(v)))
        return v.T if not rowvar and v.type.shape[0] != 1 else v

    X = variables_as_rows(m)
    if y is not None:
        X = concatenate([X, variables_as_rows(y)], axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    Xc = X - tr.mean(X, axis=1, keepdims=True)
    n = tm.cast(_dim(X, 1), X.dtype) if isinstance(_dim(X, 1), Variable) else _dim(X, 1)
    out = tm.true_divide(Xc @ Xc.T, n - ddof)
    return out[0, 0] if m.ndim == 1 and y is None else out


def quantile(a, q, axis: int | None = None, keepdims: bool = False) -> Variable:
    """The ``q``-th quantiles (constant, in [0, 1]) linearly interpolated, as ``numpy.quantile``.

    Built on ``sort``, which has no gradient, so ``grad`` through a quantile raises. A vector ``q``
    adds a leading axis. NaNs are not propagated (they sort last).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.quantile(pt.constant([1.0, 2.0, 4.0, 8.0]), 0.5).eval()
    array(3.)
    """
    a = as_tensor(a)
    qs = np.asarray(q, dtype="float64")
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"quantile: q must be in [0, 1], got {q!r}")
    if axis is None:
        s, ax = sort(ravel(a), axis=0), 0
    else:
        ax = normalize_axis(axis, a.ndim, "quantile")[0]
        s = sort(a, axis=ax)
    s = _as_float(s)
    n = _dim(s, ax)
    outs = []
    for qi in qs.reshape(-1):
        if isinstance(n, int):
            if n == 0:
                raise ValueError(f"quantile: {a} is empty along axis {ax}")
            pos = qi * (n - 1)
            lo, frac = int(np.floor(pos)), float(pos - np.floor(pos))
            hi = min(lo + 1, n - 1)
        else:
            pos = tm.cast(n - 1, "float64") * qi
            lo_f = tm.floor(pos)
            frac = tm.cast(pos - lo_f, s.dtype)
            lo = tm.cast(lo_f, "int64")
            hi = tm.minimum(lo + 1, n - 1)
        v_lo, v_hi = take(s, lo, axis=ax), take(s, hi, axis=ax)
        outs.append(v_lo + (v_hi - v_lo) * frac)
    out = outs[0] if qs.ndim == 0 else stack(outs, axis=0)
    if keepdims:
        axes = tuple(range(a.ndim)) if axis is None else (ax,)
        out = expand_dims(out, tuple(i + qs.ndim for i in axes))
    return out


def percentile(a, q, axis: int | None = None, keepdims: bool = False) -> Variable:
    """The ``q``-th percentiles (constant, in [0, 100]), as ``numpy.percentile`` (no gradient)."""
    return quantile(a, np.asarray(q, dtype="float64") / 100.0, axis, keepdims)


def median(a, axis: int | None = None, keepdims: bool = False) -> Variable:
    """The median along ``axis``, as ``numpy.median`` (no gradient: uses ``sort``)."""
    return quantile(a, 0.5, axis, keepdims)


# --------------------------------------------------------------------- combining and rearranging
def kron(a, b) -> Variable:
    """Kronecker product, as ``numpy.kron``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> pt.kron(pt.constant([1.0, 10.0]), pt.constant([1.0, 2.0])).eval()
    array([ 1.,  2., 10., 20.])
    """
    a, b = as_tensor(a), as_tensor(b)
    nd = max(a.ndim, b.ndim)
    a = dimshuffle(a, ["x"] * (nd - a.ndim) + list(range(a.ndim)))
    b = dimshuffle(b, ["x"] * (nd - b.ndim) + list(range(b.ndim)))
    prod = dimshuffle(a, [p for i in range(nd) for p in (i, "x")]) * \
        dimshuffle(b, [p for i in range(nd) for p in ("x", i)])
    return reshape(prod, [_dim(a, i) * _dim(b, i) for i in range(nd)]) if nd else prod


def cross(a, b, axis: int = -1) -> Variable:
    """Cross product of 3-vectors along ``axis`` (others broadcast), as ``numpy.cross``."""
    a, b = as_tensor(a), as_tensor(b)
    for v in (a, b):
        if v.ndim == 0 or v.type.shape[axis] not in (3, None):
            raise ValueError(f"cross: {v} must have size 3 along axis {axis}, "
                             f"got shape {v.type.shape}")
    a, b = moveaxis(a, axis, -1), moveaxis(b, axis, -1)
    c = [getitem(a, (Ellipsis, i)) for i in range(3)]
    d = [getitem(b, (Ellipsis, i)) for i in range(3)]
    out = stack([c[1] * d[2] - c[2] * d[1], c[2] * d[0] - c[0] * d[2],
                 c[0] * d[1] - c[1] * d[0]], -1)
    return moveaxis(out, -1, axis)


def column_stack(tup) -> Variable:
    """Stack 1-d tensors as columns (2-d ones as they are), as ``numpy.column_stack``."""
    xs = [as_tensor(x) for x in tup]
    cols = [dimshuffle(x, [0, "x"]) if x.ndim == 1 else atleast_2d(x) for x in xs]
    return concatenate(cols, axis=1)


def dstack(tup) -> Variable:
    """Stack along the third axis after ``atleast_3d``, as ``numpy.dstack``."""
    return concatenate([atleast_3d(x) for x in tup], axis=2)


def append(arr, values, axis: int | None = None) -> Variable:
    """``values`` appended to ``arr`` (both flattened if ``axis`` is None): ``numpy.append``."""
    arr, values = as_tensor(arr), as_tensor(values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], axis=0)
    return concatenate([arr, values], axis=axis)


def roll(a, shift, axis=None) -> Variable:
    """Elements shifted cyclically by constant ``shift`` along ``axis``, as ``numpy.roll``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.roll(pt.constant([1, 2, 3, 4]), 1).eval()
    array([4, 1, 2, 3])
    """
    a = as_tensor(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape) if a.ndim != 1 else roll(a, shift, 0)
    shifts, axes = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    out = a
    for s, ax in zip(shifts.reshape(-1), axes.reshape(-1)):
        ax = normalize_axis(int(ax), a.ndim, "roll")[0]
        n = _dim(a, ax)
        idx = (np.arange(n) - int(s)) % n if isinstance(n, int) else tm.mod(arange(n) - int(s), n)
        out = take(out, idx, axis=ax)
    return out


def pad(array, pad_width, mode: str = "constant", constant_values=0) -> Variable:
    """Pad with a constant scalar; ``pad_width`` an int, ``(before, after)`` or a pair per axis.

    Only ``mode="constant"`` is supported.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.pad(pt.constant([1, 2]), (1, 2)).eval()
    array([0, 1, 2, 0, 0])
    """
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got mode={mode!r}")
    x = as_tensor(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype="int64"), (x.ndim, 2))
    if np.any(widths < 0):
        raise ValueError(f"pad: pad widths must be non-negative, got {pad_width!r}")
    shape = [_dim(x, i) + int(lo + hi) for i, (lo, hi) in enumerate(widths)]
    out = full(shape, constant_values, dtype=x.dtype)
    idx = tuple(slice(int(lo), int(lo) + _dim(x, i) if isinstance(_dim(x, i), int)
                      else -int(hi) or None) for i, (lo, hi) in enumerate(widths))
    return set_subtensor(getitem(out, idx), x) if x.ndim else x


def take_along_axis(arr, indices, axis: int | None) -> Variable:
    """Pick values at ``indices`` along ``axis`` (other axes matched), as ``numpy.take_along_axis``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.constant([[3.0, 1.0], [0.0, 2.0]])
    >>> pt.take_along_axis(x, pt.argsort(x, axis=1), axis=1).eval()
    array([[1., 3.],
           [0., 2.]])
    """
    arr, indices = as_tensor(arr), as_tensor(indices)
    if axis is None:
        arr, axis = ravel(arr), 0
    if indices.ndim != arr.ndim:
        raise ValueError(f"take_along_axis: {indices} has {indices.ndim} dimensions but {arr} has "
                         f"{arr.ndim}; they must match")
    ax = normalize_axis(axis, arr.ndim, "take_along_axis")[0]
    idx = []
    for i in range(arr.ndim):
        if i == ax:
            idx.append(indices)
            continue
        n = _dim(arr, i)
        r = np.arange(n) if isinstance(n, int) else arange(n)
        shp = [1] * arr.ndim
        shp[i] = -1
        idx.append(r.reshape(shp) if isinstance(r, np.ndarray) else reshape(r, shp))
    return getitem(arr, tuple(idx))


def broadcast_arrays(*args) -> list[Variable]:
    """The inputs broadcast against each other, as ``numpy.broadcast_arrays`` (a list)."""
    xs = [as_tensor(x) for x in args]
    template = xs[0].astype("int8") * 0
    for x in xs[1:]:
        template = template + x.astype("int8") * 0
    shape = template.type.shape if None not in template.type.shape else template.shape
    same = [x.type.shape == template.type.shape and None not in x.type.shape for x in xs]
    return [x if keep else broadcast_to(x, shape) for x, keep in zip(xs, same)]


def meshgrid(*xi, indexing: str = "xy") -> list[Variable]:
    """Coordinate grids from 1-d coordinates, as ``numpy.meshgrid`` (``indexing`` "xy" or "ij").

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> X, Y = pt.meshgrid(pt.dvector(shape=(3,)), pt.dvector(shape=(2,)))
    >>> X.type.shape
    (2, 3)
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    xs = [ravel(as_tensor(x)) for x in xi]
    nd = len(xs)
    grids = []
    for i, x in enumerate(xs):
        pos = i
        if indexing == "xy" and nd >= 2 and i < 2:
            pos = 1 - i
        grids.append(dimshuffle(x, [0 if k == pos else "x" for k in range(nd)]))
    return broadcast_arrays(*grids)
