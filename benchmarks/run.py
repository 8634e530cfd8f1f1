"""Side-by-side benchmarks on the six ``../shared/bench`` models: probgraph vs PyMC / nutpie where
installed.

Usage: ``python -m benchmarks.run [--models eight_schools,linreg_big] [--draws 1000] [--tune
1000]``. Prints per model: per-gradient time, compile time (cold: empty cache; warm: a second
process), sampling wall time (4 chains on ``--cores``), min ESS-bulk, ESS-bulk/s, divergences, and
ratios against the peers measured in the same run. PyMC and nutpie run in this interpreter if
importable, or in the interpreter named by ``PROBGRAPH_PEER_PYTHON`` (``benchmarks/peers.py``).
Results go to ``benchmarks/results/bench.json`` and ``bench.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def measure_probgraph(name: str, draws: int, tune: int, chains: int, cores: int,
                      seed: int = 1) -> dict:
    import probgraph as pg
    from benchmarks.measure import min_ess_bulk, njit_loop_time
    from benchmarks.models import bench_data, build, flat_point
    bd = bench_data()
    data = bd.load(name)
    t0 = time.perf_counter()
    model = build(name, data)
    f = model.logp_dlogp_function()
    q = flat_point(model, f, bd.unconstrain(name))
    f.logp_fn(q, f.args)
    logp_compile = time.perf_counter() - t0
    grad_s = njit_loop_time(f.logp_fn, q, f.args)
    t1 = time.perf_counter()
    idata = pg.sample(draws=draws, tune=tune, chains=chains, cores=cores, random_seed=seed,
                      model=model, progressbar=False, compute_convergence_checks=False)
    total = time.perf_counter() - t1
    wall = float(idata.posterior.attrs["sampling_time"])
    names = [rv.name for rv in model.free_RVs]
    ess = min_ess_bulk(idata, names)
    return {"framework": "probgraph", "model": name, "grad_us": grad_s * 1e6,
            "compile_s": logp_compile + (total - wall), "logp_compile_s": logp_compile,
            "wall_s": wall, "ess_bulk_min": ess, "ess_per_s": ess / wall,
            "divergences": int(idata.sample_stats["diverging"].sum())}


def compile_times(name: str) -> dict:
    """Cold (empty probgraph cache) and warm (same cache, new process) time to a first logp+grad
    through the sampler's entry point (``logp_fn``), imports included."""
    code = ("import time; t=time.perf_counter(); from benchmarks.models import bench_data, build; "
            f"bd=bench_data(); m=build({name!r}, bd.load({name!r})); f=m.logp_dlogp_function(); "
            "import numpy as np; f.logp_fn(np.zeros(f.ndim), f.args); "
            "print(time.perf_counter()-t)")
    out = {}
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "PROBGRAPH_COMPILEDIR": d}
        for label in ("cold", "warm"):
            r = subprocess.run([sys.executable, "-c", code], cwd=HERE.parent, env=env,
                               capture_output=True, text=True, timeout=900)
            out[f"{label}_compile_s"] = (float(r.stdout.strip().splitlines()[-1])
                                         if r.returncode == 0 else float("nan"))
    return out


def measure_peers(name: str, draws: int, tune: int, chains: int, cores: int) -> list[dict]:
    peer_python = os.environ.get("PROBGRAPH_PEER_PYTHON")
    try:
        import pymc  # noqa: F401
        peer_python = peer_python or sys.executable
    except ImportError:
        pass
    if not peer_python:
        return []
    r = subprocess.run([peer_python, str(HERE / "peers.py"), name, str(draws), str(tune),
                        str(chains),
                        str(cores)], capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        print(f"  peers failed on {name}: {r.stderr.strip().splitlines()[-1:]}")
        return []
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def print_table(rows: list[dict]) -> None:
    cols = ["model", "framework", "grad_us", "compile_s", "wall_s", "ess_bulk_min", "ess_per_s",
            "divergences"]
    print(" ".join(f"{c:>14}" for c in cols))
    for r in rows:
        print(" ".join(f"{r.get(c, float('nan')):>14.4g}" if isinstance(r.get(c), float)
                       else f"{str(r.get(c, '-')):>14}" for c in cols))
    by_model: dict = {}
    for r in rows:
        by_model.setdefault(r["model"], {})[r["framework"]] = r
    for model, fr in by_model.items():
        ours = fr.get("probgraph")
        for peer, r in fr.items():
            if peer == "probgraph" or not ours:
                continue
            print(f"{model}: probgraph/{peer}: ESS/s x{ours['ess_per_s'] / r['ess_per_s']:.2f}, "
                  f"per-gradient x{ours['grad_us'] / r['grad_us']:.2f} (lower is better), "
                  f"compile x{ours['compile_s'] / r['compile_s']:.2f}")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    models = sorted({r["model"] for r in rows})
    frameworks = sorted({r["framework"] for r in rows})
    fig, ax = plt.subplots(figsize=(8, 4))
    w = 0.8 / len(frameworks)
    for i, fw in enumerate(frameworks):
        vals = [next((r["ess_per_s"] for r in rows if r["model"] == m and r["framework"] == fw), 0)
                for m in models]
        ax.bar(np.arange(len(models)) + i * w, vals, w, label=fw)
    ax.set_xticks(np.arange(len(models)) + 0.4 - w / 2, models, rotation=20)
    ax.set_yscale("log")
    ax.set_ylabel("min ESS-bulk per second")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models",
                   default="eight_schools,hier_logistic,stoch_vol,ar1_scan,mvn_dense,linreg_big")
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--no-peers", action="store_true")
    p.add_argument("--no-compile-times", action="store_true")
    args = p.parse_args(argv)
    rows = []
    for name in args.models.split(","):
        print(f"== {name}", flush=True)
        row = measure_probgraph(name, args.draws, args.tune, args.chains, args.cores)
        if not args.no_compile_times:
            row.update(compile_times(name))
        rows.append(row)
        print(json.dumps(row), flush=True)
        if not args.no_peers:
            for r in measure_peers(name, args.draws, args.tune, args.chains, args.cores):
                rows.append(r)
                print(json.dumps(r), flush=True)
    print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(rows, indent=1))
    plot(rows, RESULTS / "bench.png")
    return rows


if __name__ == "__main__":
    main()
