"""Numba backend figures: call overhead, compile time cold/warm, and logp+gradient time of two bench
models.

Run ``python benchmarks/compile_and_call.py`` from the repository root. The models come from
``../shared/bench/bench_data.py`` and are written directly with ``probgraph.tensor`` on a flat
parameter vector (no model layer). Goals: call overhead ≤ 2.5 µs (trust_input), hier_logistic
≤ 150 µs, linreg_big ≤ 2 ms, compile ≤ 3 s cold and ≤ 0.5 s warm.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("PROBGRAPH_BENCH_DIR", ROOT.parent / "shared" / "bench"))
sys.path[:0] = [str(ROOT), str(BENCH)]

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _normal(pt, x, sigma=1.0):
    """log N(x | 0, sigma) summed over the (statically sized) entries of ``x``."""
    n = int(np.prod(x.type.shape))
    return (-0.5 * (x / sigma) ** 2).sum() - n * (np.log(sigma) + LOG_SQRT_2PI)


def hier_logistic_logp(pt, data):
    """Unconstrained log-density of hier_logistic over q = [mu_a, log sigma_a, a_raw(G),
    beta(K)]."""
    G, K = data["G"], data["K"]
    q = pt.dvector("q", shape=(2 + G + K,))
    mu_a, log_sigma_a, a_raw, beta = q[0], q[1], q[2:2 + G], q[2 + G:]
    sigma_a = pt.exp(log_sigma_a)
    X, g, y = (pt.constant(data["X"]), pt.constant(data["g"]),
               pt.constant(data["y"].astype("float64")))
    alpha = mu_a + sigma_a * a_raw
    eta = alpha[g] + pt.dot(X, beta)
    logp = (_normal(pt, mu_a, 2.0) + np.log(2.0) - LOG_SQRT_2PI - 0.5 * sigma_a ** 2 + log_sigma_a
            + _normal(pt, a_raw) + _normal(pt, beta) + (y * eta - pt.softplus(eta)).sum())
    return q, logp


def linreg_big_logp(pt, data):
    """Unconstrained log-density of linreg_big over q = [beta(K), a, log sigma]."""
    K = data["K"]
    q = pt.dvector("q", shape=(K + 2,))
    beta, a, log_sigma = q[:K], q[K], q[K + 1]
    sigma = pt.exp(log_sigma)
    X, y = pt.constant(data["X"]), pt.constant(data["y"])
    mu = pt.dot(X, beta) + a
    n = data["y"].shape[0]
    loglik = -0.5 * (((y - mu) / sigma) ** 2).sum() - n * (log_sigma + LOG_SQRT_2PI)
    logp = (_normal(pt, beta) + _normal(pt, a, 10.0) + np.log(2.0) - LOG_SQRT_2PI
            - 0.5 * sigma ** 2 + log_sigma + loglik)
    return q, logp


def _point(model):
    import bench_data
    u = bench_data.unconstrain(model)
    return np.concatenate([np.atleast_1d(u[name]).ravel()
                           for name, _, _ in bench_data.PARAMS[model]])


def _per_call(f, *args, repeat=5, number=None) -> float:
    if number is None:
        t0 = time.perf_counter()
        f(*args)
        number = max(10, int(0.05 / max(time.perf_counter() - t0, 1e-7)))
    return min(timeit.repeat(lambda: f(*args), number=number, repeat=repeat)) / number


def overhead():
    import probgraph as pg
    import probgraph.tensor as pt
    x = pt.dvector("x")
    f = pg.function([x], (pt.exp(x) * 2).sum())
    xv = np.linspace(0, 1, 10)
    normal = _per_call(f, xv, number=100_000)
    f.trust_input = True
    trusted = _per_call(f, xv, number=100_000)
    kernel = f.thunk.kernel
    raw = _per_call(kernel, xv, *f.thunk.consts, number=100_000)
    print(f"call overhead sum(exp(x)*2), x of 10: normal {normal * 1e6:.2f} µs, trust_input "
          f"{trusted * 1e6:.2f} µs, bare kernel {raw * 1e6:.2f} µs")


def model_times():
    import bench_data
    import probgraph as pg
    import probgraph.tensor as pt
    for model, builder, goal in (("hier_logistic", hier_logistic_logp, 150e-6),
                                 ("linreg_big", linreg_big_logp, 2e-3)):
        data = bench_data.load(model)
        q, logp = builder(pt, data)
        t0 = time.perf_counter()
        f = pg.function([q], [logp, pg.grad(logp, q)])
        ct = time.perf_counter() - t0
        f.trust_input = True
        x0 = _point(model)
        py = pg.function([q], [logp, pg.grad(logp, q)], mode="python")
        lp, gr = f(x0)
        lp_ref, gr_ref = py(x0)
        assert np.allclose(lp, lp_ref) and np.allclose(gr, gr_ref), model
        t = _per_call(f, x0)
        print(f"{model}: logp+grad {t * 1e6:.1f} µs (goal {goal * 1e6:.0f} µs), "
              f"python backend {_per_call(py, x0, repeat=2) * 1e6:.0f} µs, "
              f"compile {ct:.2f} s (this process)")


def compile_cold_warm():
    """Compile hier_logistic logp+grad in two fresh processes sharing a new, empty cache."""
    code = ("import time; t0 = time.perf_counter(); import sys; sys.path[:0] = %r; "
            "import compile_and_call as b, bench_data, probgraph as pg, probgraph.tensor as pt; "
            "t1 = time.perf_counter(); "
            "q, lp = b.hier_logistic_logp(pt, bench_data.load('hier_logistic')); "
            "f = pg.function([q], [lp, pg.grad(lp, q)]); "
            "print(time.perf_counter() - t1, t1 - t0)") % ([str(ROOT), str(BENCH),
                                                            str(ROOT / "benchmarks")],)
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, PROBGRAPH_COMPILEDIR=d)
        times = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True,
                                 check=True).stdout.split()
            times.append((float(out[0]), float(out[1])))
    (cold, imp), (warm, _) = times
    print(f"compile hier_logistic logp+grad: cold {cold:.2f} s (empty cache, runtime helpers "
          f"included), warm {warm:.2f} s (fresh process); import {imp:.2f} s")


def pytensor_ratio():
    try:
        import pytensor  # noqa: F401
    except ImportError:
        print("PyTensor is not installed: no ratio")
        return
    print("PyTensor installed: ratio not implemented in this script yet")


if __name__ == "__main__":
    overhead()
    model_times()
    compile_cold_warm()
    pytensor_ratio()
