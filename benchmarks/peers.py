"""Run one benchmark model with PyMC (default sampler) and nutpie; print one JSON line per
framework.

Usage (normally called by ``benchmarks/run.py``): ``python benchmarks/peers.py MODEL DRAWS TUNE
CHAINS CORES``. Needs ``pymc`` (and optionally ``nutpie``) importable, and ``../shared/bench`` (or
PROBGRAPH_BENCH_DIR).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

BENCH_DIR = Path(os.environ.get("PROBGRAPH_BENCH_DIR",
                                Path(__file__).resolve().parents[2] / "shared" / "bench"))
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(name, draws, tune, chains, cores):
    import arviz as az
    import bench_data as bd
    import models_pymc as mp
    import pymc as pm
    from measure import time_call
    data = bd.load(name)
    free = [n for n, _, _ in bd.PARAMS[name]]

    def ess_min(idata):
        e = az.ess(idata, var_names=free, method="bulk")
        return float(min(float(np.min(e[v].values)) for v in free))

    t0 = time.perf_counter()
    model = mp.build(name, data)
    f = model.logp_dlogp_function(ravel_inputs=True)
    f.set_extra_values({})
    order = [v.name for v in f._grad_vars]
    q = mp.flat_point(model, order, bd.unconstrain(name))
    f(q)
    compile_logp = time.perf_counter() - t0
    grad_s = time_call(f, q)
    t1 = time.perf_counter()
    idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=cores, random_seed=1,
                      model=model,
                      progressbar=False, compute_convergence_checks=False)
    total = time.perf_counter() - t1
    wall = float(idata.posterior.attrs.get("sampling_time", total))
    ess = ess_min(idata)
    print(json.dumps({"framework": "pymc", "model": name, "grad_us": grad_s * 1e6,
                      "compile_s": compile_logp + total - wall, "wall_s": wall, "ess_bulk_min": ess,
                      "ess_per_s": ess / wall,
                      "divergences": int(idata.sample_stats["diverging"].sum())}), flush=True)
    try:
        import nutpie
    except ImportError:
        return
    t0 = time.perf_counter()
    cm = nutpie.compile_pymc_model(model)
    compile_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    idata = nutpie.sample(cm, draws=draws, tune=tune, chains=chains, cores=cores, seed=1,
                          progress_bar=False)
    wall = time.perf_counter() - t1
    ess = ess_min(idata)
    print(json.dumps({"framework": "nutpie", "model": name, "grad_us": float("nan"),
                      "compile_s": compile_s, "wall_s": wall, "ess_bulk_min": ess,
                      "ess_per_s": ess / wall,
                      "divergences": int(idata.sample_stats["diverging"].sum())}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], *map(int, sys.argv[2:6]))
