"""Bijections from constrained supports to the real line (PyMC's names): log, logodds, Interval,
simplex, ordered, ..."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions.dist_math import (cumsum_last, known_value, last_axis_length,
                                               matvec_last)

__all__ = ["Chain", "ChainedTransform", "CircularTransform", "Interval", "LogExpM1",
           "LogOddsTransform", "LogTransform", "Ordered", "SimplexTransform", "SumTo1", "Transform",
           "circular", "log", "log_exp_m1", "logodds", "ordered", "simplex", "sum_to_1"]


class Transform:
    """A bijection ``backward: R^n -> support`` with its inverse and log-Jacobian (PyMC's
    interface).

    ``forward(x, *params)`` maps a constrained value to the unconstrained space;
    ``backward(y, *params)`` maps back; ``log_jac_det(y, *params)`` is
    ``log|det d backward / d y|`` — elementwise for elementwise transforms, summed over the last
    axis when ``ndim_supp == 1``. ``params`` are the distribution's parameters (used by transforms
    whose bounds depend on them).
    """

    name = ""
    ndim_supp = 0

    def forward(self, value, *params):
        raise NotImplementedError

    def backward(self, value, *params):
        raise NotImplementedError

    def log_jac_det(self, value, *params):
        """Default: ``log|det J|`` of ``backward`` from the symbolic Jacobian (slow; for
        checking)."""
        raise NotImplementedError(f"{type(self).__name__}.log_jac_det")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LogTransform(Transform):
    """Positive reals: ``y = log(x)``; log-Jacobian ``y``."""

    name = "log"

    def forward(self, value, *params):
        return pt.log(value)

    def backward(self, value, *params):
        return pt.exp(value)

    def log_jac_det(self, value, *params):
        return pt.as_tensor(value)


class LogExpM1(Transform):
    """Positive reals through softplus: ``x = log(1 + exp(y))``."""

    name = "log_exp_m1"

    def forward(self, value, *params):
        return pt.log(pt.expm1(value))

    def backward(self, value, *params):
        return pt.softplus(value)

    def log_jac_det(self, value, *params):
        return -pt.softplus(-value)


class LogOddsTransform(Transform):
    """The unit interval: ``y = logit(x)``; log-Jacobian ``log sigmoid(y) + log sigmoid(-y)``."""

    name = "logodds"

    def forward(self, value, *params):
        return pt.log(value) - pt.log1p(-value)

    def backward(self, value, *params):
        return pt.sigmoid(value)

    def log_jac_det(self, value, *params):
        return -pt.softplus(-value) - pt.softplus(value)


def _bound(b):
    """A bound as a tensor, or None when absent or statically infinite."""
    if b is None:
        return None
    b = pt.as_tensor(b)
    val = known_value(b)
    if val is not None and np.all(np.isinf(val)):
        return None
    return b


class Interval(Transform):
    """``(lower, upper)`` through a scaled sigmoid; one-sided bounds use a shifted log.

    Bounds are numbers, tensors (e.g. a distribution's parameters) or ``None`` for an open side;
    ``bounds_fn(*params) -> (lower, upper)`` computes them from the distribution's parameters as in
    PyMC.

    Examples
    --------
    >>> from probgraph.distributions import transforms as tr
    >>> t = tr.Interval(0.0, 2.0)
    >>> float(t.backward(0.0).eval())
    1.0
    """

    name = "interval"

    def __init__(self, lower=None, upper=None, bounds_fn=None):
        self.lower, self.upper, self.bounds_fn = lower, upper, bounds_fn

    def _bounds(self, params):
        lo, hi = self.bounds_fn(*params) if self.bounds_fn is not None else (self.lower, self.upper)
        return _bound(lo), _bound(hi)

    def forward(self, value, *params):
        lo, hi = self._bounds(params)
        if lo is not None and hi is not None:
            return pt.log(value - lo) - pt.log(hi - value)
        if lo is not None:
            return pt.log(value - lo)
        if hi is not None:
            return pt.log(hi - value)
        return pt.as_tensor(value)

    def backward(self, value, *params):
        lo, hi = self._bounds(params)
        if lo is not None and hi is not None:
            s = pt.sigmoid(value)
            return s * hi + (1 - s) * lo
        if lo is not None:
            return pt.exp(value) + lo
        if hi is not None:
            return hi - pt.exp(value)
        return pt.as_tensor(value)

    def log_jac_det(self, value, *params):
        lo, hi = self._bounds(params)
        if lo is not None and hi is not None:
            return pt.log(hi - lo) - 2 * pt.softplus(-value) - value
        if lo is not None or hi is not None:
            return pt.as_tensor(value)
        return pt.zeros_like(value)

    def __repr__(self) -> str:
        return f"Interval({self.lower!r}, {self.upper!r})"


class SimplexTransform(Transform):
    """The probability simplex (K entries) ↔ R^(K-1) by stick breaking (NumPyro's
    ``StickBreakingTransform``).

    The centering ``y - log(K - 1 - i)`` maps ``y = 0`` to the uniform vector.
    """

    name = "simplex"
    ndim_supp = 1

    def forward(self, value, *params):
        x = pt.as_tensor(value)
        k = last_axis_length(x, "simplex transform")
        i, j = np.indices((k - 1, k))
        head = matvec_last(x, i == j)
        tail = matvec_last(x, j > i)
        return pt.log(head) - pt.log(tail) + np.log(np.arange(k - 1, 0, -1, dtype=float))

    def _logs(self, y):
        km1 = last_axis_length(y, "simplex transform")
        t = y - np.log(np.arange(km1, 0, -1, dtype=float))
        return km1, -pt.softplus(-t), -pt.softplus(t)   # log z, log(1 - z)

    def backward(self, value, *params):
        y = pt.as_tensor(value)
        km1, log_z, log_1mz = self._logs(y)
        i, j = np.indices((km1 + 1, km1))
        log_rest = matvec_last(log_1mz, j < i)   # sum_{j<i} log(1 - z_j), K entries
        log_z_full = matvec_last(log_z, i == j)  # log z_i, and 0 for the last entry
        return pt.exp(log_z_full + log_rest)

    def log_jac_det(self, value, *params):
        y = pt.as_tensor(value)
        km1, log_z, log_1mz = self._logs(y)
        weights = np.arange(km1, 0, -1, dtype=float)  # log(1 - z_j) appears in K-1-j diagonal terms
        return pt.sum(log_z + log_1mz * weights, axis=-1)


class Ordered(Transform):
    """Increasing vectors: ``x_0 = y_0``, ``x_i = x_{i-1} + exp(y_i)``; log-Jacobian
    ``sum(y[1:])``."""

    name = "ordered"
    ndim_supp = 1

    @staticmethod
    def _first(x):
        n = last_axis_length(x, "ordered transform")
        return pt.constant(np.arange(n) == 0)

    def forward(self, value, *params):
        x = pt.as_tensor(value)
        n = last_axis_length(x, "ordered transform")
        i, j = np.indices((n, n))
        diff = matvec_last(x, (i == j) * 1.0 - (j == i - 1) * 1.0)
        first = self._first(x)
        return pt.switch(first, x, pt.log(pt.switch(first, pt.ones_like(diff), diff)))

    def backward(self, value, *params):
        y = pt.as_tensor(value)
        first = self._first(y)
        steps = pt.switch(first, y, pt.exp(pt.switch(first, pt.zeros_like(y), y)))
        return cumsum_last(steps)

    def log_jac_det(self, value, *params):
        y = pt.as_tensor(value)
        return pt.sum(pt.switch(self._first(y), pt.zeros_like(y), y), axis=-1)


class SumTo1(Transform):
    """Vectors summing to one: drop the last entry (``x_K = 1 - sum(y)``); log-Jacobian 0."""

    name = "sumto1"
    ndim_supp = 1

    def forward(self, value, *params):
        x = pt.as_tensor(value)
        n = last_axis_length(x, "sum_to_1 transform")
        i, j = np.indices((n - 1, n))
        return matvec_last(x, i == j)

    def backward(self, value, *params):
        y = pt.as_tensor(value)
        n = last_axis_length(y, "sum_to_1 transform") + 1
        i, j = np.indices((n, n - 1))
        last = pt.constant((np.arange(n) == n - 1).astype(y.dtype))
        return matvec_last(y, i == j) + last * (1 - pt.sum(y, axis=-1, keepdims=True))

    def log_jac_det(self, value, *params):
        return pt.sum(pt.zeros_like(value), axis=-1)


class CircularTransform(Transform):
    """Angles: the value is wrapped into ``[-pi, pi]`` by ``arctan2(sin y, cos y)``; log-Jacobian
    0."""

    name = "circular"

    def forward(self, value, *params):
        return pt.as_tensor(value)

    def backward(self, value, *params):
        return pt.arctan2(pt.sin(value), pt.cos(value))

    def log_jac_det(self, value, *params):
        return pt.zeros_like(value)


class Chain(Transform):
    """Transforms applied in sequence: ``forward`` left to right, ``backward`` right to left."""

    def __init__(self, transform_list):
        self.transform_list = list(transform_list)
        self.name = "_".join(t.name for t in self.transform_list)
        self.ndim_supp = max(t.ndim_supp for t in self.transform_list)

    def forward(self, value, *params):
        for t in self.transform_list:
            value = t.forward(value, *params)
        return value

    def backward(self, value, *params):
        for t in reversed(self.transform_list):
            value = t.backward(value, *params)
        return value

    def log_jac_det(self, value, *params):
        total = None
        for t in reversed(self.transform_list):
            term = t.log_jac_det(value, *params)
            if self.ndim_supp and not t.ndim_supp:
                term = pt.sum(term, axis=-1)
            total = term if total is None else total + term
            value = t.backward(value, *params)
        return total

    def __repr__(self) -> str:
        return f"Chain({self.transform_list!r})"


ChainedTransform = Chain

log = LogTransform()
log_exp_m1 = LogExpM1()
logodds = LogOddsTransform()
simplex = SimplexTransform()
ordered = Ordered()
sum_to_1 = SumTo1()
circular = CircularTransform()


def __getattr__(name):
    """PyMC keeps the Cholesky transforms here; they live with the LKJ distributions (lazy, no
    cycle)."""
    if name in ("CholeskyCovPacked", "CholeskyCorrTransform", "CorrMatrixTransform"):
        from probgraph.distributions import lkj
        return getattr(lkj, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
