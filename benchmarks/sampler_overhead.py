"""Sampler overhead per leapfrog step (apart from the gradient), ESS-bulk/s, and chain parallelism.

Run: ``python benchmarks/sampler_overhead.py``. Goal: < 0.5 us of sampler work per leapfrog step
on a 100-d normal.
"""

from __future__ import annotations

import time

import arviz as az
import numpy as np
from numba import njit

from probgraph.samplers import constants as C
from probgraph.samplers import run_chains
from probgraph.samplers.chain import compiled_chunk, init_chain_state, nuts_chunk


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
    """Best ``(wall, cpu)`` seconds per gradient call over three runs."""
    q = np.ones(ndim)
    _time_gradient(logp_fn, args, q, 10)
    wall = cpu = np.inf
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        _time_gradient(logp_fn, args, q, n)
        wall = min(wall, (time.perf_counter() - t0) / n)
        cpu = min(cpu, (time.process_time() - c0) / n)
    return wall, cpu


def overhead(ndim=100, draws=3000, tune=300):
    """Sampler time per leapfrog step minus the gradient's, as wall time of the chain thread and
    as process CPU time (the machine may be loaded: CPU time is the steadier of the two)."""
    args = (np.zeros(1), np.zeros(1))
    g_wall, g_cpu = gradient_time(std_normal_logp, args, ndim)
    wall = cpu = np.inf
    for seed in range(3):
        c0 = time.process_time()
        res = run_chains(std_normal_logp, args, np.zeros(ndim), draws=draws, tune=tune,
                         chains=1, seed=seed, progressbar=False)
        steps = res.stats["n_steps"].sum()
        wall = min(wall, res.chain_time[0] / steps)
        cpu = min(cpu, (time.process_time() - c0) / steps)
    print(f"{ndim}-d normal: {wall * 1e6:.3f} us per leapfrog step in total, gradient "
          f"{g_wall * 1e6:.3f} us -> sampler overhead {(wall - g_wall) * 1e6:.3f} us/step wall, "
          f"{(cpu - g_cpu) * 1e6:.3f} us/step CPU (compile/cache load {res.compile_time:.2f} s)")


def kernel_overhead(ndims=(10, 100, 1000), draws=4000, tune=300, reps=5):
    """The same per-step overhead, timed around the compiled NUTS chunk alone after warmup
    (no thread pool, progress polling or adaptation), best of ``reps`` in CPU and wall time."""
    args = (np.zeros(1), np.zeros(1))
    tuning = (C.TARGET_ACCEPT, C.DA_GAMMA, C.DA_T0, C.DA_KAPPA)
    for ndim in ndims:
        g_wall, g_cpu = gradient_time(std_normal_logp, args, ndim)
        wall = cpu = np.inf
        for rep in range(reps):
            rng = np.random.default_rng(rep)
            q = rng.uniform(-1, 1, ndim)
            lp, g = std_normal_logp(q, args)
            st = init_chain_state(q, lp, g, tune, C.METRIC_DIAG, rng)
            out = np.zeros((tune + draws, ndim))
            stats = np.zeros((tune + draws, C.N_STATS))
            call = [std_normal_logp, args, st.rng, st.metric, st.q, st.g, st.sc, st.welford,
                    st.flags, tuning, C.MAX_TREEDEPTH, C.MAX_ENERGY_ERROR, 0, tune, tune, out,
                    stats, st.ws]
            run = compiled_chunk(nuts_chunk, std_normal_logp, tuple(call))
            run(*call)  # warmup
            call[12:14] = [tune, tune + draws]
            t0, c0 = time.perf_counter(), time.process_time()
            run(*call)
            t1, c1 = time.perf_counter(), time.process_time()
            steps = stats[tune:, C.ST_N_STEPS].sum()
            wall = min(wall, (t1 - t0) / steps)
            cpu = min(cpu, (c1 - c0) / steps)
        print(f"{ndim}-d normal, compiled chunk only: sampler overhead {(cpu - g_cpu) * 1e6:.3f} "
              f"us/step CPU, {(wall - g_wall) * 1e6:.3f} us/step wall (gradient "
              f"{g_cpu * 1e6:.3f} us)")


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
    kernel_overhead()
    ess_per_second()
    parallelism()
