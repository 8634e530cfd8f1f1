"""TEMPORARY minimal numba runtime helpers (placeholder until the runtime developer's module lands)."""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def mod(a, b):
    return a - np.floor_divide(a, b) * b if b != 0 else a * 0


@njit(cache=True)
def power(a, b):
    return a ** b


@njit(cache=True)
def sign(x):
    return (x > 0) - (x < 0) if x == x else x


@njit(cache=True)
def invert(x):
    return ~x


@njit(cache=True)
def round_half_even(x):
    return np.round(x)


@njit(cache=True)
def log(x):
    if x > 0:
        return math.log(x)
    if x == 0:
        return -np.inf
    return np.nan


@njit(cache=True)
def log2(x):
    return log(x) / math.log(2.0)


@njit(cache=True)
def log10(x):
    return log(x) / math.log(10.0)


@njit(cache=True)
def log1p(x):
    if x > -1:
        return math.log1p(x)
    if x == -1:
        return -np.inf
    return np.nan


@njit(cache=True)
def sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True)
def softplus(x):
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@njit(cache=True)
def logit(x):
    return log(x) - log1p(-x)


@njit(cache=True)
def log1mexp(x):
    if x < -0.6931471805599453:
        return math.log1p(-math.exp(x))
    return log(-math.expm1(x))


@njit(cache=True)
def logaddexp(a, b):
    m = max(a, b)
    if m == -np.inf:
        return m
    return m + math.log1p(math.exp(-abs(a - b)))


@njit(cache=True)
def xlogy(x, y):
    return 0.0 if x == 0 else x * log(y)


@njit(cache=True)
def xlog1py(x, y):
    return 0.0 if x == 0 else x * log1p(y)


@njit(cache=True)
def gammaln(x):
    return math.lgamma(x)
