"""Hand-written numba log densities shared by the sampler tests (all take ``args=(a, b)``, so they
share one compiled sampler kernel: the kernel is specialised on the signature, not the function)."""

import numpy as np
import pytest
from numba import njit


@njit(nogil=True, cache=True)
def normal_logp(q, args):
    """Independent normals: ``args = (mu, sigma)``."""
    mu, sigma = args
    grad = np.empty_like(q)
    lp = 0.0
    for i in range(q.shape[0]):
        z = (q[i] - mu[i]) / sigma[i]
        lp -= 0.5 * z * z
        grad[i] = -z / sigma[i]
    return lp, grad


@njit(nogil=True, cache=True)
def mvnormal_logp(q, args):
    """Multivariate normal: ``args = (mu, precision.ravel())``."""
    mu, prec = args
    n = q.shape[0]
    grad = np.zeros(n)
    lp = 0.0
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += prec[i * n + j] * (q[j] - mu[j])
        grad[i] = -acc
        lp -= 0.5 * (q[i] - mu[i]) * acc
    return lp, grad


@njit(nogil=True, cache=True)
def truncated_logp(q, args):
    """Standard normals with ``q[0] <= args[0][0]``: ``-inf`` (and a zero gradient) beyond."""
    bound, _ = args
    grad = -q.copy()
    if q[0] > bound[0]:
        return -np.inf, grad
    return -0.5 * (q @ q), grad


@njit(nogil=True, cache=True)
def nan_logp(q, args):
    """Standard normals with NaN log density and gradient where ``q[0] > args[0][0]``."""
    bound, _ = args
    grad = -q.copy()
    if q[0] > bound[0]:
        grad[:] = np.nan
        return np.nan, grad
    return -0.5 * (q @ q), grad


@pytest.fixture(scope="session")
def targets():
    return {
        "normal": normal_logp,
        "mvnormal": mvnormal_logp,
        "truncated": truncated_logp,
        "nan": nan_logp,
    }
