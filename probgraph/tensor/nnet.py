"""Neural-network functions under Theano's names (``pt.nnet``): activations, softmax family and
cross-entropies.

All are stable compositions of elementwise ops and reductions, so their gradients come from the
pieces and the numba backend fuses them into loops.
"""

from __future__ import annotations

from probgraph.graph.basic import Variable
from probgraph.tensor import math as tm
from probgraph.tensor import reduce as red
from probgraph.tensor.basic import as_tensor
from probgraph.tensor.math import sigmoid, softplus

__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "elu",
    "hard_sigmoid",
    "log_softmax",
    "logsoftmax",
    "relu",
    "selu",
    "sigmoid",
    "sigmoid_binary_crossentropy",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def relu(x, alpha=0) -> Variable:
    """Rectified linear unit ``x if x > 0 else alpha * x`` (leaky for ``alpha != 0``).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.relu(pt.constant([-2.0, 3.0])).eval()
    array([0., 3.])
    """
    x = as_tensor(x)
    below = 0 if isinstance(alpha, (int, float)) and alpha == 0 else alpha * x
    return tm.switch(tm.gt(x, 0), x, below)


def _shifted(x: Variable, axis: int) -> Variable:
    """``x`` minus its (finite) maximum along ``axis``; the shift carries no gradient."""
    m = red.max(x, axis=axis, keepdims=True)
    m = tm.stop_gradient(tm.switch(tm.isfinite(m), m, tm.zeros_like(m)))
    return x - m


def softmax(x, axis: int = -1) -> Variable:
    """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the maximum so large logits do not
    overflow.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.softmax(pt.constant([0.0, 0.0])).eval()
    array([0.5, 0.5])
    """
    x = as_tensor(x)
    e = tm.exp(_shifted(x, axis))
    return e / red.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1) -> Variable:
    """``x - logsumexp(x)`` along ``axis``: finite even for huge logits.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.log_softmax(pt.constant([1e4, 0.0])).eval()
    array([     0., -10000.])
    """
    x = as_tensor(x)
    z = _shifted(x, axis)
    return z - tm.log(red.sum(tm.exp(z), axis=axis, keepdims=True))


logsoftmax = log_softmax


def categorical_crossentropy(coding_dist, true_dist) -> Variable:
    """Cross-entropy ``-sum(true_dist * log(coding_dist))`` over the last axis, as in Theano.

    ``true_dist`` is either a distribution (one-hot) with ``coding_dist``'s shape, or an integer
    vector of class indices, one per row of the matrix ``coding_dist``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> p = pt.constant([[0.5, 0.5], [0.9, 0.1]])
    >>> pt.nnet.categorical_crossentropy(p, pt.constant([1, 0])).eval().round(4)
    array([0.6931, 0.1054])
    """
    coding_dist, true_dist = as_tensor(coding_dist), as_tensor(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -red.sum(true_dist * tm.log(coding_dist), axis=-1)
    if coding_dist.ndim != 2 or true_dist.ndim != 1 or true_dist.dtype.startswith("float"):
        raise TypeError(f"categorical_crossentropy: true_dist must match coding_dist "
                        f"({coding_dist.ndim}-d) or be an integer vector of class indices for a "
                        f"matrix coding_dist; got a {true_dist.ndim}-d {true_dist.dtype} tensor")
    from probgraph.tensor.extra_ops import cumsum
    from probgraph.tensor.shape import dimshuffle
    # column numbers 0..k-1 of every row, then a one-hot mask of the chosen class
    columns = cumsum(tm.ones_like(coding_dist, dtype="int64"), axis=1) - 1
    chosen = tm.eq(columns, dimshuffle(true_dist, (0, "x")))
    return -red.sum(tm.switch(chosen, tm.log(coding_dist), tm.zeros_like(coding_dist)), axis=1)


def binary_crossentropy(output, target) -> Variable:
    """Elementwise ``-(target * log(output) + (1 - target) * log(1 - output))``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> float(pt.nnet.binary_crossentropy(pt.constant(0.5), pt.constant(1.0)).eval().round(4))
    0.6931
    """
    output, target = as_tensor(output), as_tensor(target)
    return -(target * tm.log(output) + (1 - target) * tm.log1p(-output))


def sigmoid_binary_crossentropy(output, target) -> Variable:
    """``binary_crossentropy(sigmoid(output), target)`` computed stably from the logits ``output``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> loss = pt.nnet.sigmoid_binary_crossentropy(pt.constant(0.0), pt.constant(1.0))
    >>> float(loss.eval().round(4))
    0.6931
    """
    output, target = as_tensor(output), as_tensor(target)
    return softplus(output) - target * output


def hard_sigmoid(x) -> Variable:
    """The piecewise-linear approximation ``clip(0.2 * x + 0.5, 0, 1)`` (Theano's).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.hard_sigmoid(pt.constant([-5.0, 0.0, 1.0])).eval()
    array([0. , 0.5, 0.7])
    """
    x = as_tensor(x)
    return tm.clip(0.2 * x + 0.5, 0, 1)


def elu(x, alpha=1.0) -> Variable:
    """Exponential linear unit ``x if x > 0 else alpha * (exp(x) - 1)``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.elu(pt.constant([0.0, 2.0])).eval()
    array([0., 2.])
    """
    x = as_tensor(x)
    return tm.switch(tm.gt(x, 0), x, alpha * tm.expm1(x))


def selu(x) -> Variable:
    """Scaled ELU (Klambauer et al. 2017, "Self-normalizing neural networks").

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.selu(pt.constant([1.0])).eval().round(4)
    array([1.0507])
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def silu(x) -> Variable:
    """Sigmoid-weighted linear unit ``x * sigmoid(x)`` (also called swish).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.silu(pt.constant([0.0])).eval()
    array([0.])
    """
    x = as_tensor(x)
    return x * sigmoid(x)


swish = silu


def softsign(x) -> Variable:
    """``x / (1 + |x|)``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.nnet.softsign(pt.constant([1.0])).eval()
    array([0.5])
    """
    x = as_tensor(x)
    return x / (1 + tm.abs(x))

