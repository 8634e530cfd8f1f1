"""Sampler overhead per leapfrog step (apart from the gradient), ESS-bulk/s, and chain parallelism.

Run: ``python benchmarks/sampler_overhead.py``. Goal: < 0.5 us of sampler work per leapfrog step
on a 100-d normal.
"""

from __future__ import annotations

import time

import arviz as az
import numpy as np
from numba import njit

from probgraph.samplers import run_chains


@njit(nogil=True, cache=True)
def std_normal_logp(q, args):
    """A trivial target: standard normal, gradient freshly allocated as the model layer does."""
    grad = np.empty_like(q)
    lp = 0.0
    for i in range(q.shape[0]):
        lp -= 0.5 * q[i] * q[i]
        grad[i] = -q[i]
    return lp, grad


@njit(nogil=True, cache=True)
def normal_logp(q, args):
    mu, sigma = args
    grad = np.empty_like(q)
    lp = 0.0
    for i in range(q.shape[0]):
        z = (q[i] - mu[i]) / sigma[i]
        lp -= 0.5 * z * z
        grad[i] = -z / sigma[i]
    return lp, grad


@njit(nogil=True)
def _time_gradient(logp_fn, args, q, n):
    acc = 0.0
    for k in range(n):
        q[0] = 1e-9 * k
        lp, g = logp_fn(q, args)
        acc += lp + g[-1]
    return acc


def gradient_time(logp_fn, args, ndim, n=200_000):
    q = np.ones(ndim)
    _time_gradient(logp_fn, args, q, 10)
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        _time_gradient(logp_fn, args, q, n)
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def overhead(ndim=100, draws=3000, tune=300):
    args = (np.zeros(1), np.zeros(1))
    t_grad = gradient_time(std_normal_logp, args, ndim)
    best = np.inf
    for seed in range(3):
        res = run_chains(std_normal_logp, args, np.zeros(ndim), draws=draws, tune=tune,
                         chains=1, seed=seed, progressbar=False)
        steps = res.stats["n_steps"].sum()
        best = min(best, res.chain_time[0] / steps)
    print(f"{ndim}-d normal: {best * 1e6:.3f} us per leapfrog step in total, gradient "
          f"{t_grad * 1e6:.3f} us -> sampler overhead {(best - t_grad) * 1e6:.3f} us/step "
          f"(compile/cache load {res.compile_time:.2f} s)")


def ess_per_second(ndim=10, draws=1000, tune=1000, chains=2):
    args = (np.linspace(-2, 2, ndim), np.linspace(0.5, 2.0, ndim))
    res = run_chains(normal_logp, args, np.zeros(ndim), draws=draws, tune=tune, chains=chains,
                     cores=chains, seed=1, progressbar=False)
    ess = min(float(az.ess(res.posterior[..., i], method="bulk")) for i in range(ndim))
    print(f"{ndim}-d normal, {chains} chains x ({tune} tune + {draws} draws): min ESS-bulk "
          f"{ess:.0f} in {res.wall_time * 1e3:.1f} ms wall -> {ess / res.wall_time:,.0f} ESS/s "
          f"(mean n_steps {res.stats['n_steps'][:, tune:].mean():.1f})")


def parallelism(ndim=50, draws=4000, tune=500):
    args = (np.zeros(ndim), np.ones(ndim))
    times = {}
    for cores in (1, 2):
        res = run_chains(normal_logp, args, np.zeros(ndim), draws=draws, tune=tune, chains=2,
                         cores=cores, seed=2, progressbar=False)
        times[cores] = res.wall_time
    print(f"2 chains: cores=1 {times[1]:.3f} s, cores=2 {times[2]:.3f} s -> speed-up "
          f"{times[1] / times[2]:.2f}x (2.0 = fully parallel)")


if __name__ == "__main__":
    overhead()
    ess_per_second()
    parallelism()
