"""``theano.tensor`` over probgraph: the ``probgraph.tensor`` namespace plus Theano's own names.

``import probgraph.compat.theano.tensor as T`` gives ``T.matrix``, ``T.dot``, ``T.nnet.softmax``,
``T.set_subtensor``, ... as Theano had them.
"""

from __future__ import annotations

import types

import probgraph.tensor as _pt
from probgraph.tensor.type import TensorType as _TensorType

# every public function, constructor and class of probgraph.tensor (its submodules are left out, so
# that e.g. ``T.nnet`` is Theano's and not probgraph's module)
globals().update({name: value for name, value in vars(_pt).items()
                  if not name.startswith("_") and not isinstance(value, types.ModuleType)})

from probgraph.compat.theano.tensor import nnet  # noqa: E402

# ---- Theano's spellings of numpy functions
abs_ = _pt.abs
sqr = _pt.square
pow = _pt.power  # noqa: A001 - Theano's name
sgn = _pt.sign
inv = _pt.reciprocal
int_div = _pt.floor_divide
true_div = _pt.true_divide


def TensorType(dtype, broadcastable=None, shape=None):  # noqa: N802 - Theano's name
    """Theano's ``TensorType(dtype, broadcastable)``: ``True`` marks a dimension of static size 1.

    Examples
    --------
    >>> x = TensorType("float64", (False, True))("x")
    >>> x.type.shape
    (None, 1)
    """
    if shape is None:
        shape = tuple(1 if b else None for b in (broadcastable or ()))
    return _TensorType(dtype, shape)


def _row_col(dtype, shape):
    def make(name=None, dtype=dtype):
        return _pt.tensor(name, dtype, shape)
    return make


row, col = _row_col(None, (1, None)), _row_col(None, (None, 1))
frow, fcol = _row_col("float32", (1, None)), _row_col("float32", (None, 1))
drow, dcol = _row_col("float64", (1, None)), _row_col("float64", (None, 1))
irow, icol = _row_col("int32", (1, None)), _row_col("int32", (None, 1))


def shape_padleft(x, n_ones: int = 1):
    """Add ``n_ones`` broadcastable dimensions in front of ``x``."""
    x = _pt.as_tensor(x)
    return x.dimshuffle(*(["x"] * n_ones), *range(x.ndim))


def shape_padright(x, n_ones: int = 1):
    """Add ``n_ones`` broadcastable dimensions after the last dimension of ``x``."""
    x = _pt.as_tensor(x)
    return x.dimshuffle(*range(x.ndim), *(["x"] * n_ones))


def shape_padaxis(x, axis: int):
    """Insert one broadcastable dimension at ``axis``."""
    return _pt.expand_dims(x, axis)
