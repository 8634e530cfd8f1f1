"""Building tensors: zeros/ones/full/alloc, arange/linspace/eye, diag/tril/triu/fill_diagonal."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Constant, Variable
from probgraph.graph.op import Op
from probgraph.tensor.math import ones_like, zeros_like
from probgraph.tensor.type import TensorType, normalize_dtype, upcast

__all__ = ["zeros", "ones", "full", "empty", "alloc", "zeros_like", "ones_like", "full_like",
           "ARange", "arange", "linspace", "eye", "diag", "tril", "triu", "fill_diagonal"]


def _is_static(v) -> bool:
    return not isinstance(v, Variable) or isinstance(v, Constant)


def _value(v):
    return np.asarray(v.data) if isinstance(v, Constant) else v


def full(shape, fill_value, dtype=None) -> Variable:
    """A tensor of ``shape`` (ints, symbolic scalars or a vector) filled with ``fill_value``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> n = pt.lscalar("n")
    >>> pt.full((2, n), 7.0).eval({n: 3})
    array([[7., 7., 7.],
           [7., 7., 7.]])
    """
    from probgraph.tensor.basic import as_tensor, constant
    from probgraph.tensor.shape import broadcast_to
    if isinstance(fill_value, Variable):
        value = as_tensor(fill_value, dtype=dtype)
    else:
        value = constant(fill_value, dtype=dtype)
    return broadcast_to(value, shape)


def zeros(shape, dtype=None) -> Variable:
    """Zeros of ``shape`` (``dtype`` defaults to ``config.floatX``), as ``numpy.zeros``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.zeros(2).eval()
    array([0., 0.])
    """
    return full(shape, 0, normalize_dtype(dtype))


def ones(shape, dtype=None) -> Variable:
    """Ones of ``shape`` (``dtype`` defaults to ``config.floatX``), as ``numpy.ones``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.ones((1, 2), dtype="int64").eval()
    array([[1, 1]])
    """
    return full(shape, 1, normalize_dtype(dtype))


empty = zeros


def alloc(value, *shape) -> Variable:
    """``value`` broadcast to ``shape`` (Theano's ``alloc``; the sizes may be symbolic scalars).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.alloc(0.5, 2, 2).eval()
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import broadcast_to
    return broadcast_to(as_tensor(value), list(shape))


def full_like(x, fill_value, dtype=None) -> Variable:
    """A tensor shaped like ``x`` filled with ``fill_value`` (``x``'s dtype unless given).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.fvector("x")
    >>> pt.full_like(x, 2).eval({x: np.zeros(2, "float32")})
    array([2., 2.], dtype=float32)
    """
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import shape
    x = as_tensor(x)
    return full(shape(x), fill_value, dtype or x.dtype)


class ARange(Op):
    """``numpy.arange(start, stop, step)`` with symbolic scalar bounds (length known at run time).

    ``__props__ = ("dtype",)``. Inputs: ``start``, ``stop``, ``step`` (scalars).
    """

    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, start, stop, step) -> Apply:
        from probgraph.tensor.basic import as_tensor
        xs = [as_tensor(v) for v in (start, stop, step)]
        for name, v in zip(("start", "stop", "step"), xs):
            if v.ndim != 0:
                raise ValueError(f"arange: {name} must be a scalar, got {v} of type {v.type}")
        return Apply(self, xs, [TensorType(self.dtype, (None,))])

    def perform(self, node, inputs):
        start, stop, step = (v.item() for v in map(np.asarray, inputs))
        if step == 0:
            raise ValueError("arange: step cannot be zero")
        return [np.arange(start, stop, step, dtype=self.dtype)]

    def pullback(self, inputs, outputs, output_grads):
        return [None, None, None]


def arange(start, stop=None, step=1, dtype=None) -> Variable:
    """Evenly spaced values in ``[start, stop)``, as ``numpy.arange`` (bounds may be symbolic).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> n = pt.lscalar("n")
    >>> pt.arange(n).eval({n: 3})
    array([0, 1, 2])
    >>> pt.arange(0.0, 1.0, 0.25).eval()
    array([0.  , 0.25, 0.5 , 0.75])
    """
    from probgraph.tensor.basic import constant
    from probgraph.tensor.elemwise import as_tensor_inputs
    if stop is None:
        start, stop = 0, start
    args = (start, stop, step)
    if all(_is_static(a) for a in args):
        vals = [_value(a) for a in args]
        if dtype is None and all(isinstance(a, (int, np.integer)) for a in args):
            dtype = "int64"  # numpy's default integer, whatever the platform
        return constant(np.arange(*vals, dtype=None if dtype is None else normalize_dtype(dtype)))
    xs = as_tensor_inputs(list(args))
    return ARange(dtype or upcast(*[x.dtype for x in xs]))(*xs)


def linspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None) -> Variable:
    """``num`` evenly spaced values from ``start`` to ``stop``, as ``numpy.linspace``.

    ``num`` is constant; ``start`` and ``stop`` may be symbolic (and are then differentiable).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.linspace(0, 1, 3).eval()
    array([0. , 0.5, 1. ])
    """
    from probgraph.tensor.basic import constant
    if _is_static(start) and _is_static(stop):
        return constant(np.linspace(_value(start), _value(stop), int(num), endpoint=endpoint,
                                    dtype=None if dtype is None else normalize_dtype(dtype)))
    unit = np.linspace(0.0, 1.0, int(num), endpoint=endpoint)
    unit = unit.astype(normalize_dtype(dtype) if dtype else "float64")
    out = start + (stop - start) * constant(unit)
    return out if dtype is None else out.astype(dtype)


def _tri_mask(n, m, k):
    """Boolean ``(n, m)`` mask of ``j - i <= k`` (numpy's ``tri``); constant when the sizes are."""
    from probgraph.tensor.basic import constant
    if _is_static(n) and _is_static(m):
        return constant(np.tri(int(_value(n)), int(_value(m)), int(k), dtype=bool))
    rows = arange(n)[:, None]
    cols = arange(m)[None, :]
    return cols - rows <= k


def eye(n, m=None, k: int = 0, dtype=None) -> Variable:
    """Ones on the ``k``-th diagonal of an ``(n, m)`` matrix (sizes may be symbolic): ``numpy.eye``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.eye(2, 3, k=1).eval()
    array([[0., 1., 0.],
           [0., 0., 1.]])
    """
    from probgraph.tensor.basic import constant
    m = n if m is None else m
    dtype = normalize_dtype(dtype)
    if _is_static(n) and _is_static(m):
        return constant(np.eye(int(_value(n)), int(_value(m)), int(k), dtype=dtype))
    return (_tri_mask(n, m, k) & ~_tri_mask(n, m, k - 1)).astype(dtype)


def _diag_index(length, row0: int, col0: int):
    """Row and column index vectors of a diagonal of ``length`` starting at ``(row0, col0)``."""
    from probgraph.tensor.basic import constant
    if _is_static(length):
        base = np.arange(int(_value(length)), dtype="int64")
        return constant(base + row0), constant(base + col0)
    base = arange(length)
    return base + row0, base + col0


def diag(v, k: int = 0) -> Variable:
    """A diagonal matrix from a vector, or the ``k``-th diagonal of a matrix, as ``numpy.diag``.

    Both directions are differentiable (a gather and a scatter).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> pt.diag(x).eval({x: [1.0, 2.0]})
    array([[1., 0.],
           [0., 2.]])
    >>> pt.diag(pt.diag(x)).eval({x: [1.0, 2.0]})
    array([1., 2.])
    """
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.join import _dim
    from probgraph.tensor.subtensor import set_subtensor
    v = as_tensor(v)
    k = int(k)
    if v.ndim == 1:
        n = _dim(v, 0)
        size = n + abs(k)
        rows, cols = _diag_index(n, max(-k, 0), max(k, 0))
        return set_subtensor(zeros((size, size), dtype=v.dtype)[rows, cols], v)
    if v.ndim == 2:
        n, m = _dim(v, 0), _dim(v, 1)
        length = (n - max(-k, 0), m - max(k, 0))
        if _is_static(n) and _is_static(m):
            length = max(0, min(length))
        else:
            length = tm.maximum(tm.minimum(*length), 0)
        rows, cols = _diag_index(length, max(-k, 0), max(k, 0))
        return v[rows, cols]
    raise ValueError(f"diag: expected a vector or a matrix, got {v} with {v.ndim} dimensions")


def _triangle(x, k: int, lower: bool, name: str) -> Variable:
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.join import _dim
    x = as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{name}: expected at least 2 dimensions, got {x} with {x.ndim}")
    n, m = _dim(x, x.ndim - 2), _dim(x, x.ndim - 1)
    mask = _tri_mask(n, m, k) if lower else ~_tri_mask(n, m, k - 1)
    return tm.switch(mask, x, 0)


def tril(x, k: int = 0) -> Variable:
    """``x`` with the entries above the ``k``-th diagonal zeroed (last two axes), as ``numpy.tril``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dmatrix("x")
    >>> pt.tril(x).eval({x: np.ones((2, 2))})
    array([[1., 0.],
           [1., 1.]])
    """
    return _triangle(x, int(k), True, "tril")


def triu(x, k: int = 0) -> Variable:
    """``x`` with the entries below the ``k``-th diagonal zeroed (last two axes), as ``numpy.triu``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dmatrix("x")
    >>> pt.triu(x).eval({x: np.ones((2, 2))})
    array([[1., 1.],
           [0., 1.]])
    """
    return _triangle(x, int(k), False, "triu")


def fill_diagonal(a, val) -> Variable:
    """A copy of matrix ``a`` with its main diagonal set to ``val``, as ``numpy.fill_diagonal``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.dmatrix("a")
    >>> pt.fill_diagonal(a, 5.0).eval({a: np.zeros((2, 3))})
    array([[5., 0., 0.],
           [0., 5., 0.]])
    """
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.join import _dim
    from probgraph.tensor.subtensor import set_subtensor
    a = as_tensor(a)
    if a.ndim != 2:
        raise ValueError(f"fill_diagonal: expected a matrix, got {a} with {a.ndim} dimensions")
    n, m = _dim(a, 0), _dim(a, 1)
    length = min(n, m) if _is_static(n) and _is_static(m) else tm.minimum(n, m)
    rows, cols = _diag_index(length, 0, 0)
    return set_subtensor(a[rows, cols], val)
