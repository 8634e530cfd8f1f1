"""Creating tensors: symbolic inputs (scalar, vector, matrix, ...), constants and ``as_tensor``."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Variable
from probgraph.tensor.type import TensorType, normalize_dtype
from probgraph.tensor.variable import TensorConstant, TensorVariable


def tensor(name: str | None = None, dtype=None, shape=None,
           ndim: int | None = None) -> TensorVariable:
    """A symbolic input: ``pt.tensor("x", dtype="float64", shape=(None, 3))``."""
    if shape is None:
        shape = (None,) * (ndim or 0)
    return TensorType(normalize_dtype(dtype), tuple(shape))(name)


def _maker(ndim: int, default_dtype=None):
    def make(name: str | None = None, dtype=None, shape=None) -> TensorVariable:
        if shape is not None and len(shape) != ndim:
            raise ValueError(f"shape {shape} has {len(shape)} dimensions, expected {ndim}")
        return tensor(name, dtype or default_dtype, shape if shape is not None else (None,) * ndim)
    return make


scalar, vector, matrix, tensor3, tensor4 = (_maker(n) for n in range(5))
dscalar, dvector, dmatrix, dtensor3 = (_maker(n, "float64") for n in range(4))
fscalar, fvector, fmatrix, ftensor3 = (_maker(n, "float32") for n in range(4))
iscalar, ivector, imatrix = (_maker(n, "int32") for n in range(3))
lscalar, lvector, lmatrix = (_maker(n, "int64") for n in range(3))
bscalar, bvector = (_maker(n, "bool") for n in range(2))


def constant(x, dtype=None, name: str | None = None) -> TensorConstant:
    """A constant tensor holding a read-only copy of ``x``."""
    if isinstance(x, TensorConstant) and dtype is None:
        return x
    if isinstance(x, Variable):
        raise TypeError(f"constant() needs a value, got the symbolic variable {x}")
    if dtype is None and isinstance(x, float):
        from probgraph.config import config
        dtype = config.floatX
    arr = np.array(x, dtype=None if dtype is None else normalize_dtype(dtype))
    if arr.dtype == object:
        raise TypeError(f"cannot turn {x!r} into a tensor")
    if arr.dtype.name not in ("bool",) and arr.dtype.kind not in "iufc":
        raise TypeError(f"cannot turn {x!r} (dtype {arr.dtype}) into a tensor")
    arr.setflags(write=False)
    return TensorConstant(TensorType(arr.dtype.name, arr.shape), arr, name)


def as_tensor(x, name: str | None = None, dtype=None, ndim: int | None = None) -> TensorVariable:
    """Return ``x`` as a tensor variable: variables pass through, values become constants.

    Lists/tuples containing symbolic variables are stacked.
    """
    if isinstance(x, Variable):
        if not isinstance(x, TensorVariable | TensorConstant):
            raise TypeError(f"{x} is not a tensor")
        out = x
        if dtype is not None and x.dtype != normalize_dtype(dtype):
            from probgraph.tensor.math import cast
            out = cast(x, dtype)
    elif isinstance(x, (list, tuple)) and any(isinstance(i, Variable) for i in _flat(x)):
        from probgraph.tensor.join import stack
        out = stack([as_tensor(i) for i in x])
        if dtype is not None:
            out = out.astype(dtype)
    else:
        out = constant(x, dtype=dtype, name=name)
    if ndim is not None and out.ndim != ndim:
        raise ValueError(f"expected a {ndim}-d tensor, got {out.ndim}-d {out}")
    return out


as_tensor_variable = as_tensor


def _flat(xs):
    for x in xs:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x
