"""PyMC's ``pm.math`` namespace: the tensor functions model code uses, under PyMC's names."""

from __future__ import annotations

import probgraph.tensor as pt
from probgraph.tensor import (abs, and_, arange, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,
                              arctanh, betaln, broadcast_to, ceil, clip, concatenate, constant, cos,
                              cosh, cumprod, cumsum, diag, digamma, dot, eq, erf, erfc, erfcinv,
                              erfinv, exp, expand_dims, expm1, eye, flatten, floor, full, full_like,
                              gamma, gammaln, ge, gt, identity, invlogit, isinf, isnan, le, log,
                              log1mexp, log1p, log_ndtr, log_sigmoid, logaddexp, logdiffexp, logit,
                              logsumexp, lt, matmul, max, maximum, mean, min, minimum, ndtr, ndtri,
                              neq, ones, ones_like, or_, outer, power, prod, reshape, round,
                              sigmoid, sign, sin, sinh, softplus, sqrt, square, squeeze, stack, std,
                              sum, switch, tan, tanh, tensordot, tril, triu, var, where, zeros,
                              zeros_like)
from probgraph.tensor import linalg as _linalg
from probgraph.tensor import nnet as _nnet

__all__ = ["abs", "and_", "arange", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
           "arctanh", "betaln", "broadcast_to", "ceil", "ceiling", "clip", "concatenate",
           "constant",
           "cos", "cosh", "cumprod", "cumsum", "det", "diag", "digamma", "dot", "eq", "erf", "erfc",
           "erfcinv", "erfinv", "exp", "expand_dims", "expit", "expm1", "extract_diag", "eye",
           "flatten", "floor", "full", "full_like", "gamma", "gammaln", "ge", "gt", "identity",
           "invlogit", "invprobit", "isinf", "isnan", "le", "log", "log1mexp", "log1p", "log1pexp",
           "log_ndtr", "log_sigmoid", "log_softmax", "logaddexp", "logdiffexp", "logit",
           "logsumexp", "lt", "matmul", "matrix_inverse", "max", "maximum", "mean", "min",
           "minimum",
           "ndtr", "ndtri", "neq", "ones", "ones_like", "or_", "outer", "power", "probit", "prod",
           "reshape", "round", "sgn", "sigmoid", "sign", "sin", "sinh", "softmax", "softplus",
           "sqr",
           "sqrt", "square", "squeeze", "stack", "std", "sum", "switch", "tan", "tanh", "tensordot",
           "trace", "tril", "triu", "var", "where", "zeros", "zeros_like"]

expit = sigmoid
log1pexp = softplus
sqr = square
sgn = sign
ceiling = ceil
det = _linalg.det
matrix_inverse = _linalg.inv
softmax = _nnet.softmax
log_softmax = _nnet.log_softmax


def probit(p):
    """The standard normal quantile function, ``sqrt(2) * erfinv(2p - 1)``."""
    return ndtri(p)


def invprobit(x):
    """The standard normal CDF."""
    return ndtr(x)


def extract_diag(x):
    """The diagonal of a matrix."""
    return diag(x)


def trace(x):
    """The sum of a matrix's diagonal."""
    return pt.sum(diag(x))



def __getattr__(name):
    """``expand_packed_triangular`` lives with the LKJ distributions (lazy import, no cycle)."""
    if name == "expand_packed_triangular":
        from probgraph.distributions.lkj import expand_packed_triangular
        return expand_packed_triangular
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
