"""The leapfrog integrator on a Euclidean metric, written to run inside the compiled chain loop."""

from __future__ import annotations

import numpy as np
from numba import njit

from probgraph.samplers.constants import METRIC_DENSE
from probgraph.samplers.metrics import kinetic, velocity


@njit(nogil=True, cache=True)
def leapfrog(logp_fn, args, metric, eps, q_src, g_src, q_dst, g_dst, p, v):
    """One leapfrog step of size ``eps`` from ``(q_src, p)`` to ``(q_dst, p)``.

    The momentum ``p`` is updated in place; ``q_dst``/``g_dst`` receive the new position and
    gradient of the log density, ``v`` the velocity ``M^{-1} p`` at the new point. ``q_src`` and
    ``q_dst`` may be the same array. A NaN log density counts as ``-inf``.

    Returns
    -------
    logp, kinetic : float
        Log density and kinetic energy at the new point.

    Notes
    -----
    Stan's ``expl_leapfrog.hpp``: half step in momentum, full step in position, half step in
    momentum, with ``dp/dt = grad log p(q)``.
    """
    kind, minv, _, _ = metric
    n = q_src.shape[0]
    half = 0.5 * eps
    if kind == METRIC_DENSE:
        for i in range(n):
            p[i] += half * g_src[i]
        velocity(metric, p, v)
        for i in range(n):
            q_dst[i] = q_src[i] + eps * v[i]
    else:
        for i in range(n):
            pi = p[i] + half * g_src[i]
            p[i] = pi
            q_dst[i] = q_src[i] + eps * minv[i] * pi
    logp, grad = logp_fn(q_dst, args)
    if np.isnan(logp):
        logp = -np.inf
    if kind == METRIC_DENSE:
        for i in range(n):
            gi = grad[i]
            g_dst[i] = gi
            p[i] += half * gi
        velocity(metric, p, v)
        return logp, kinetic(p, v)
    acc = 0.0
    for i in range(n):
        gi = grad[i]
        g_dst[i] = gi
        pi = p[i] + half * gi
        p[i] = pi
        vi = minv[i] * pi
        v[i] = vi
        acc += pi * vi
    return logp, 0.5 * acc
