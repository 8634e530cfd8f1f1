"""Measurements shared by the benchmark scripts: per-gradient time, sampling wall time, ESS per
second."""

from __future__ import annotations

import time

import numpy as np


def time_call(fn, *args, min_time: float = 0.5, repeat: int = 5) -> float:
    """Best-of-``repeat`` seconds per call of ``fn(*args)``, each round lasting at least
    ``min_time``."""
    fn(*args)
    n = 1
    while True:
        t = time.perf_counter()
        for _ in range(n):
            fn(*args)
        dt = time.perf_counter() - t
        if dt >= min_time / repeat or n > 1e7:
            break
        n *= 4
    best = dt / n
    for _ in range(repeat - 1):
        t = time.perf_counter()
        for _ in range(n):
            fn(*args)
        best = min(best, (time.perf_counter() - t) / n)
    return best


def njit_loop_time(logp_fn, q, args, n: int = 200) -> float:
    """Seconds per ``logp_fn(q, args)`` call measured from a compiled loop (no Python overhead)."""
    import numba

    @numba.njit
    def loop(q, args, n):
        acc = 0.0
        for _ in range(n):
            lp, g = logp_fn(q, args)
            acc += lp + g[0]
        return acc

    loop(q, args, 1)
    return time_call(loop, q, args, n) / n


def min_ess_bulk(idata, var_names) -> float:
    """The smallest bulk ESS over every element of ``var_names``."""
    import arviz as az
    ess = az.ess(idata, var_names=list(var_names), method="bulk")
    return float(min(float(np.min(ess[v].values)) for v in var_names))
