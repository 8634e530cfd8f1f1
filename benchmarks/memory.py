"""Peak memory (RSS) of a 4-chain NUTS run on ``linreg_big`` (100,000 x 20): probgraph vs PyMC.

Each framework runs in its own subprocess, which reports its own peak (``getrusage`` ru_maxrss:
after the imports, after building the model, after sampling) and that of the processes it started;
the parent also polls ``/proc`` for the summed RSS of the whole process tree (PyMC runs chains as
processes, probgraph as threads). A ``baseline`` row (python + numpy + the data, no framework) and
the data size are printed for reference. The peak includes numba/LLVM compilation (smaller with a
warm compile cache). PyMC runs if importable here or in the interpreter named by
``PROBGRAPH_PEER_PYTHON``.

Run: ``python -m benchmarks.memory [--quick] [--N 100000] [--draws 1000] [--tune 1000]
[--no-peers]``; writes ``benchmarks/results/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DIR = Path(os.environ.get("PROBGRAPH_BENCH_DIR", HERE.parents[1] / "shared" / "bench"))


def _mb(kb: float) -> float:
    return kb / 1024.0


def worker(framework: str, N: int, draws: int, tune: int, chains: int, cores: int) -> None:
    """In the subprocess: build and sample, printing one JSON line of peak RSS figures (MB)."""
    peak = {}
    sys.path.insert(0, str(BENCH_DIR))
    import bench_data as bd
    if framework == "probgraph":
        import probgraph as pg
        from benchmarks.models import build
    elif framework == "pymc":
        import models_pymc
        import pymc as pg
        build = models_pymc.build
    peak["after_import_mb"] = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    data = bd.linreg_big(N=N)
    if framework != "baseline":
        model = build("linreg_big", data)
        peak["after_build_mb"] = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        t = time.perf_counter()
        pg.sample(draws=draws, tune=tune, chains=chains, cores=cores, random_seed=1, model=model,
                  progressbar=False, compute_convergence_checks=False)
        peak["sample_s"] = time.perf_counter() - t
    peak["self_mb"] = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    peak["children_mb"] = _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    peak["data_mb"] = (data["X"].nbytes + data["y"].nbytes) / 2**20
    print(json.dumps(peak), flush=True)


def _tree_rss_kb(pid: int) -> int:
    """Summed VmRSS (kB) of ``pid`` and all its descendants; 0 for processes already gone."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(ln.split()[1] for ln in status.splitlines()
                              if ln.startswith("VmRSS")))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            pass
    return total


def run(python: str, framework: str, args) -> dict | None:
    cmd = [python, str(HERE / "memory.py"), "--worker", framework, "--N", str(args.N), "--draws",
           str(args.draws), "--tune", str(args.tune), "--chains", str(args.chains), "--cores",
           str(args.cores)]
    path = [str(HERE.parent), os.environ.get("PYTHONPATH")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    tree_kb = 0
    while proc.poll() is None:
        tree_kb = max(tree_kb, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    out, err = proc.communicate()
    if proc.returncode != 0:
        print(f"{framework} failed: {err.strip().splitlines()[-1:]}")
        return None
    row = {"framework": framework, **json.loads(out.strip().splitlines()[-1])}
    row["tree_polled_mb"] = _mb(tree_kb)
    row["peak_mb"] = max(row["self_mb"], row["tree_polled_mb"])
    return row


def peer_python() -> str | None:
    try:
        import pymc  # noqa: F401
        return sys.executable
    except ImportError:
        return os.environ.get("PROBGRAPH_PEER_PYTHON")


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="N=10,000, 100 draws + 100 tune")
    p.add_argument("--N", type=int, default=100_000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--chains", type=int, default=4)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--no-peers", action="store_true")
    p.add_argument("--worker", choices=["baseline", "probgraph", "pymc"], help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.N, args.draws, args.tune = 10_000, 100, 100
    if args.worker:
        return worker(args.worker, args.N, args.draws, args.tune, args.chains, args.cores)
    runs = [(sys.executable, "baseline"), (sys.executable, "probgraph")]
    peer = None if args.no_peers else peer_python()
    if peer:
        runs.append((peer, "pymc"))
    elif not args.no_peers:
        print("PyMC not importable and PROBGRAPH_PEER_PYTHON unset: no PyMC figures")
    rows = [r for r in (run(py, fw, args) for py, fw in runs) if r]
    print(f"linreg_big N={args.N}, K=20: {args.chains} chains on {args.cores} cores, "
          f"{args.draws} draws + {args.tune} tune")
    if rows:
        print(f"data (X and y, float64): {rows[0]['data_mb']:.1f} MB")
    print(f"{'framework':>10} {'peak MB':>9} {'self':>9} {'children':>9} {'tree':>9} {'import':>9} "
          f"{'build':>9}")
    for r in rows:
        print(f"{r['framework']:>10} " + " ".join(
            f"{r.get(k, float('nan')):9.1f}" for k in ("peak_mb", "self_mb", "children_mb",
                                                       "tree_polled_mb", "after_import_mb",
                                                       "after_build_mb")))
    by = {r["framework"]: r for r in rows}
    if "probgraph" in by and "pymc" in by:
        ratio = by["probgraph"]["peak_mb"] / by["pymc"]["peak_mb"]
        print(f"peak RSS probgraph / pymc: x{ratio:.2f}")
    result = {"N": args.N, "K": 20, "chains": args.chains, "cores": args.cores, "draws": args.draws,
              "tune": args.tune, "rows": rows}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "memory.json").write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
