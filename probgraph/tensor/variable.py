"""TensorVariable (numpy-like operators and methods), TensorConstant and SharedVariable."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Constant, Variable


class _TensorMethods:
    """Operators and numpy-style methods shared by every tensor variable."""

    __slots__ = ()
    __array_priority__ = 1000  # numpy arrays defer to our operators

    # ---- attributes
    @property
    def ndim(self) -> int:
        return self.type.ndim

    @property
    def dtype(self) -> str:
        return self.type.dtype

    @property
    def broadcastable(self):
        return self.type.broadcastable

    @property
    def shape(self):
        return _m().shape(self)

    @property
    def size(self):
        return _m().prod(self.shape)

    @property
    def T(self):
        return _m().transpose(self)

    # ---- arithmetic
    def __add__(self, o): return _m().add(self, o)
    def __radd__(self, o): return _m().add(o, self)
    def __sub__(self, o): return _m().sub(self, o)
    def __rsub__(self, o): return _m().sub(o, self)
    def __mul__(self, o): return _m().mul(self, o)
    def __rmul__(self, o): return _m().mul(o, self)
    def __truediv__(self, o): return _m().true_divide(self, o)
    def __rtruediv__(self, o): return _m().true_divide(o, self)
    def __floordiv__(self, o): return _m().floor_divide(self, o)
    def __rfloordiv__(self, o): return _m().floor_divide(o, self)
    def __mod__(self, o): return _m().mod(self, o)
    def __rmod__(self, o): return _m().mod(o, self)
    def __pow__(self, o): return _m().power(self, o)
    def __rpow__(self, o): return _m().power(o, self)
    def __matmul__(self, o): return _m().matmul(self, o)
    def __rmatmul__(self, o): return _m().matmul(o, self)
    def __neg__(self): return _m().neg(self)
    def __pos__(self): return self
    def __abs__(self): return _m().abs(self)

    # ---- comparisons and logic (elementwise; identity is used for hashing)
    def __lt__(self, o): return _m().lt(self, o)
    def __le__(self, o): return _m().le(self, o)
    def __gt__(self, o): return _m().gt(self, o)
    def __ge__(self, o): return _m().ge(self, o)
    def __and__(self, o): return _m().and_(self, o)
    def __rand__(self, o): return _m().and_(o, self)
    def __or__(self, o): return _m().or_(self, o)
    def __ror__(self, o): return _m().or_(o, self)
    def __xor__(self, o): return _m().xor(self, o)
    def __invert__(self): return _m().invert(self)

    def __bool__(self):
        raise TypeError("a symbolic variable has no truth value; use pt.switch/pt.where for "
                        "conditions")

    def __iter__(self):
        if self.ndim == 0 or self.type.shape[0] is None:
            raise TypeError("cannot iterate over a symbolic tensor of unknown length")
        for i in range(self.type.shape[0]):
            yield self[i]

    def __len__(self):
        if self.ndim == 0 or self.type.shape[0] is None:
            raise TypeError("len() of a symbolic tensor needs a known static length; use "
                            "x.shape[0]")
        return self.type.shape[0]

    # ---- indexing and shape
    def __getitem__(self, idx):
        from probgraph.tensor import subtensor
        return subtensor.getitem(self, idx)

    def reshape(self, *shape, ndim=None):
        if (len(shape) == 1 and isinstance(shape[0], (list, tuple))
                or len(shape) == 1 and not isinstance(shape[0], (int, np.integer))):
            shape = shape[0]
        return _m().reshape(self, shape, ndim=ndim)

    def dimshuffle(self, *pattern):
        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = pattern[0]
        return _m().dimshuffle(self, pattern)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = axes[0]
        return _m().transpose(self, axes or None)

    def flatten(self, ndim=1):
        return _m().flatten(self, ndim)

    def ravel(self):
        return _m().flatten(self, 1)

    def squeeze(self, axis=None):
        return _m().squeeze(self, axis)

    def astype(self, dtype):
        return _m().cast(self, dtype)

    def copy(self, name=None):
        return _m().identity(self, name=name)

    # ---- reductions
    def sum(self, axis=None, keepdims=False, dtype=None):
        return _m().sum(self, axis=axis, keepdims=keepdims, dtype=dtype)

    def prod(self, axis=None, keepdims=False):
        return _m().prod(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _m().mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return _m().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return _m().min(self, axis=axis, keepdims=keepdims)

    def std(self, axis=None, keepdims=False, ddof=0):
        return _m().std(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def var(self, axis=None, keepdims=False, ddof=0):
        return _m().var(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def argmax(self, axis=None, keepdims=False):
        return _m().argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return _m().argmin(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False):
        return _m().any(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return _m().all(self, axis=axis, keepdims=keepdims)

    def cumsum(self, axis=None):
        return _m().cumsum(self, axis=axis)

    def dot(self, other):
        return _m().dot(self, other)

    def clip(self, lo, hi):
        return _m().clip(self, lo, hi)

    def round(self):
        return _m().round(self)

    def nonzero_values(self):
        return self[_m().neq(self, 0)]

    # ---- evaluation
    def eval(self, inputs_to_values=None, mode="python"):
        """Evaluate with the reference backend: ``(x * 2).eval({x: 3.0})``."""
        from probgraph.backends.python import evaluate
        givens = dict(inputs_to_values or {})
        return evaluate([self], givens)[0]


def _m():
    from probgraph import tensor
    return tensor


class TensorVariable(_TensorMethods, Variable):
    """A symbolic tensor: ``x = pt.vector("x"); y = (x ** 2).sum()``."""

    __slots__ = ()


class TensorConstant(_TensorMethods, Constant):
    """A tensor whose value is known when the graph is built."""

    __slots__ = ()

    @property
    def value(self):
        return self.data


class SharedVariable(TensorVariable):
    """A tensor whose value lives outside the graph and persists between calls (Theano's
    ``shared``).

    Compiled functions read its current value on every call and may update it (``updates=``).
    """

    __slots__ = ("container",)

    def __init__(self, type, value=None, name=None, owner=None, index=None):
        super().__init__(type, owner, index, name)
        self.container = [value]

    def get_value(self, borrow: bool = False):
        v = self.container[0]
        return v if borrow else v.copy()

    def set_value(self, value, borrow: bool = False):
        arr = self.type.filter(value, name=f"shared variable {self.name or ''}".strip())
        self.container[0] = arr if borrow and arr is value else np.array(arr, copy=True)

    def clone(self, name=None):
        new = SharedVariable(self.type, None, self.name if name is None else name)
        new.container = self.container
        return new


def shared(value, name: str | None = None, borrow: bool = False, shape=None) -> SharedVariable:
    """A shared variable holding ``value`` (an array or scalar), as in Theano.

    Examples
    --------
    >>> import probgraph as pg
    >>> w = pg.shared(np.zeros(3), name="w")
    >>> w.get_value()
    array([0., 0., 0.])
    """
    from probgraph.tensor.type import TensorType
    arr = np.asarray(value)
    if not borrow:
        arr = arr.copy()
    if shape is None:
        # the length may change with set_value, so only size-1 dims stay static (for broadcasting)
        shape = tuple(None for s in arr.shape)
    return SharedVariable(TensorType(arr.dtype.name, shape), arr, name)
