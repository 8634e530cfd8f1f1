"""Euclidean metrics for HMC: momentum draws, velocity M^{-1} p ("p_sharp") and kinetic energy.

A metric is the tuple ``(kind, inv_mass_diag, inv_mass_dense, chol)``. ``kind`` is one of
``METRIC_DIAG``, ``METRIC_DENSE``, ``METRIC_DIAG_GRAD`` (a diagonal metric); ``inv_mass_diag`` is
the diagonal inverse mass matrix, ``inv_mass_dense`` the dense one and ``chol`` its lower
Cholesky factor ``L`` (``L L^T = M^{-1}``), so that ``p = L^{-T} z`` has covariance ``M`` (the
distribution Stan's ``dense_e_metric.hpp`` draws). Dense arrays are ``(1, 1)`` placeholders for
diagonal metrics.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from probgraph.samplers.constants import METRIC_DENSE, METRIC_DIAG


def make_metric(ndim: int, kind: int = METRIC_DIAG) -> tuple:
    """Return the unit metric tuple for ``ndim`` parameters.

    Parameters
    ----------
    ndim : int
        Number of unconstrained parameters.
    kind : int
        ``METRIC_DIAG``, ``METRIC_DENSE`` or ``METRIC_DIAG_GRAD``.

    Examples
    --------
    >>> kind, diag, dense, chol = make_metric(3)
    >>> diag.tolist()
    [1.0, 1.0, 1.0]
    """
    size = ndim if kind == METRIC_DENSE else 1
    return (np.int64(kind), np.ones(ndim), np.eye(size), np.eye(size))


@njit(nogil=True, cache=True)
def velocity(metric, p, v):
    """Write ``v = M^{-1} p`` (Stan's ``dtau_dp``) into ``v``."""
    kind, minv, minv_dense, _ = metric
    n = p.shape[0]
    if kind == METRIC_DENSE:
        for i in range(n):
            acc = 0.0
            for j in range(n):
                acc += minv_dense[i, j] * p[j]
            v[i] = acc
    else:
        for i in range(n):
            v[i] = minv[i] * p[i]


@njit(nogil=True, cache=True)
def kinetic(p, v):
    """Kinetic energy ``p . M^{-1} p / 2`` given ``v = M^{-1} p``."""
    acc = 0.0
    for i in range(p.shape[0]):
        acc += p[i] * v[i]
    return 0.5 * acc


@njit(nogil=True, cache=True)
def draw_momentum(rng, metric, p, z):
    """Draw ``p ~ N(0, M)`` into ``p``; ``z`` is scratch space of the same length."""
    kind, minv, _, chol = metric
    n = p.shape[0]
    if kind == METRIC_DENSE:
        for i in range(n):
            z[i] = rng.standard_normal()
        # back substitution: L^T p = z
        for i in range(n - 1, -1, -1):
            acc = z[i]
            for j in range(i + 1, n):
                acc -= chol[j, i] * p[j]
            p[i] = acc / chol[i, i]
    else:
        for i in range(n):
            p[i] = rng.standard_normal() / np.sqrt(minv[i])


@njit(nogil=True, cache=True)
def copy_vec(dst, src):
    """``dst[:] = src`` as a plain loop (numba's generic slice assignment is slow to compile)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]
