"""Shared numerics for log-densities: parameter checks, support masks and stable log-space
helpers."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.graph.basic import Constant, Variable, toposort

LOG_2PI = float(np.log(2 * np.pi))
LOG_PI = float(np.log(np.pi))
LOG_2 = float(np.log(2.0))


class ParameterValueError(ValueError):
    """A distribution was given parameters known (at build time) to be invalid, e.g.
    ``sigma=-1``."""


def depends_on_constants_only(var: Variable) -> bool:
    """True if ``var`` depends only on constants (no inputs, data or random variables), so its
    value is known when the graph is built."""
    if isinstance(var, Constant):
        return True
    if var.owner is None:
        return False
    from probgraph.distributions.distribution import RandomVariable
    for node in toposort([var]):
        if isinstance(node.op, RandomVariable):
            return False
        if any(i.owner is None and not isinstance(i, Constant) for i in node.inputs):
            return False
    return True


def known_value(var: Variable):
    """The value of ``var`` if it depends only on constants (see
    :func:`depends_on_constants_only`), else None."""
    if isinstance(var, Constant):
        return var.data
    if not depends_on_constants_only(var):
        return None
    from probgraph.backends.python import evaluate
    return evaluate([var])[0]


def _all(conditions):
    cond = None
    for c in conditions:
        c = pt.as_tensor(c)
        if c.dtype != "bool":
            c = pt.neq(c, 0)
        cond = c if cond is None else pt.and_(cond, c)
    return cond


def check_parameters(logp, *conditions, msg: str = ""):
    """``logp`` where all ``conditions`` on the parameters hold, ``-inf`` elsewhere (PyMC's name).

    Conditions that are known at build time to be false raise :class:`ParameterValueError` at once.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> sigma = pt.dscalar("sigma")
    >>> lp = check_parameters(-pt.log(sigma), sigma > 0, msg="sigma > 0")
    >>> float(lp.eval({sigma: -1.0}))
    -inf
    """
    for c in conditions:
        val = known_value(pt.as_tensor(c))
        if val is not None and not np.all(val):
            raise ParameterValueError(f"invalid parameter: {msg or 'a parameter check'} does not "
                                      "hold")
    cond = _all(conditions)
    logp = pt.as_tensor(logp)
    if cond is None:
        return logp
    return pt.switch(cond, logp, _neg_inf(logp))


def in_support(logp, *conditions):
    """``logp`` where the value satisfies all ``conditions`` (its support), ``-inf`` elsewhere."""
    cond = _all(conditions)
    logp = pt.as_tensor(logp)
    return logp if cond is None else pt.switch(cond, logp, _neg_inf(logp))


def _neg_inf(like):
    dtype = like.dtype if like.dtype.startswith("float") else "float64"
    return pt.constant(-np.inf, dtype=dtype)


def get_tau_sigma(tau=None, sigma=None):
    """PyMC's ``(tau, sigma)`` from either precision ``tau`` or scale ``sigma`` (default
    sigma=1)."""
    if tau is not None and sigma is not None:
        raise ValueError("give either sigma or tau, not both")
    if tau is None and sigma is None:
        sigma = 1.0
    if sigma is None:
        tau = pt.as_tensor(tau)
        return tau, 1.0 / pt.sqrt(tau)
    sigma = pt.as_tensor(sigma)
    return 1.0 / pt.square(sigma), sigma


def normal_lpdf(z, log_sigma):
    """log N(z | 0, 1) - log_sigma, for a standardised value ``z``."""
    return -0.5 * pt.square(z) - 0.5 * LOG_2PI - log_sigma


def log_diff_ndtr(a, b):
    """``log(Phi(b) - Phi(a))`` for ``a <= b``, stable in both tails (uses symmetry when ``a >
    0``)."""
    upper_tail = pt.gt(a, 0)
    lo = pt.switch(upper_tail, -b, a)
    hi = pt.switch(upper_tail, -a, b)
    return pt.logdiffexp(pt.log_ndtr(hi), pt.log_ndtr(lo))


def log_i0(x):
    """``log(I0(x))`` for ``x >= 0`` without overflow: ``log(i0e(x)) + x``."""
    return pt.log(pt.i0e(x)) + pt.abs(x)


def zvalue(value, mu, sigma):
    return (value - mu) / sigma


# ----------------------------------------------------------------- last-axis linear maps
# Transforms of vector variables (simplex, ordered, sum_to_1) need slices, shifts and cumulative
# sums along the last axis. With a static length they are products with small constant matrices,
# which keeps them inside elementwise + reduce (differentiable and compiled by every backend).

def last_axis_length(x, who: str) -> int:
    n = x.type.shape[-1] if x.ndim else None
    if n is None:
        raise ValueError(f"{who}: the last axis of {x} must have a length known when the model is "
                         "built (give shape= or dims= with coords)")
    return int(n)


def matvec_last(x, matrix: np.ndarray):
    """``y[..., i] = sum_j matrix[i, j] * x[..., j]`` for a constant ``matrix``."""
    m = pt.constant(np.asarray(matrix, dtype=x.dtype))
    return pt.sum(pt.expand_dims(x, -2) * m, axis=-1)


def cumsum_last(x, exclusive: bool = False):
    """Cumulative sum along the last axis (``exclusive=True`` starts from 0)."""
    n = last_axis_length(x, "cumsum")
    i, j = np.indices((n, n))
    return matvec_last(x, (j < i) if exclusive else (j <= i))
