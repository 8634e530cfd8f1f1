"""How per-gradient time and ESS/s of ``linreg_big`` (K=20) scale with the rows: 10k -> 100k -> 1M.

Beside each per-gradient time stands the memory-bandwidth floor: the time to read X once, the faster
of numpy's ``X.sum()`` and a numba streaming sum (``fastmath``, so it vectorises), with the bytes/s
it implies. A logp + gradient reads X at least once (X @ beta, then X.T @ residual: twice unless
fused), so per-gradient / floor says how close to memory-bound the gradient is (1-2 is the ideal).
Below ~L2/L3 size the "floor" is cache bandwidth. Sampling: NUTS, 4 chains on 2 cores
(``--no-sample``).

Run: ``python -m benchmarks.scaling [--quick] [--sizes 10000,100000,1000000] [--draws 1000]
[--tune 1000] [--no-sample]``; writes ``benchmarks/results/scaling.json`` and ``scaling.png``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numba
import numpy as np

from benchmarks.measure import min_ess_bulk, njit_loop_time, time_call
from benchmarks.models import bench_data, build, flat_point

HERE = Path(__file__).resolve().parent


@numba.njit(fastmath=True)
def _stream_sum(x):
    acc = 0.0
    for i in range(x.size):
        acc += x[i]
    return acc


def read_floor(X: np.ndarray) -> float:
    """Seconds to read ``X`` once from memory (the faster of numpy and a numba streaming sum)."""
    flat = X.reshape(-1)
    return min(time_call(X.sum, min_time=0.3), time_call(_stream_sum, flat, min_time=0.3))


def measure(N: int, K: int, draws: int, tune: int, sample: bool) -> dict:
    import probgraph as pg
    bd = bench_data()
    data = bd.linreg_big(N=N, K=K)
    model = build("linreg_big", data)
    f = model.logp_dlogp_function()
    q = flat_point(model, f, bd.unconstrain("linreg_big"))
    grad_s = njit_loop_time(f.logp_fn, q, f.args, n=max(5, 2_000_000 // N))
    floor_s = read_floor(data["X"])
    row = {"N": N, "K": K, "X_mb": data["X"].nbytes / 2**20, "grad_us": grad_s * 1e6,
           "floor_us": floor_s * 1e6, "bandwidth_gb_s": data["X"].nbytes / floor_s / 1e9,
           "grad_over_floor": grad_s / floor_s}
    if sample:
        idata = pg.sample(draws=draws, tune=tune, chains=4, cores=2, random_seed=1, model=model,
                          progressbar=False, compute_convergence_checks=False)
        wall = float(idata.posterior.attrs["sampling_time"])
        ess = min_ess_bulk(idata, [rv.name for rv in model.free_RVs])
        row.update(wall_s=wall, ess_bulk_min=ess, ess_per_s=ess / wall,
                   divergences=int(idata.sample_stats["diverging"].sum()))
    return row


def print_row(r: dict) -> None:
    line = (f"N={r['N']:>9,}  X {r['X_mb']:7.1f} MB  per-gradient {r['grad_us']:10.1f} us  "
            f"floor (read X once) {r['floor_us']:9.1f} us at {r['bandwidth_gb_s']:5.1f} GB/s  "
            f"gradient/floor x{r['grad_over_floor']:.2f}")
    if "ess_per_s" in r:
        line += (f"  ESS/s {r['ess_per_s']:8.1f} (min ESS {r['ess_bulk_min']:.0f} "
                 f"in {r['wall_s']:.1f} s)")
    print(line, flush=True)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    N = [r["N"] for r in rows]
    sampled = "ess_per_s" in rows[0]
    fig, axes = plt.subplots(1, 1 + sampled, figsize=(5 + 5 * sampled, 4), squeeze=False)
    ax = axes[0, 0]
    ax.loglog(N, [r["grad_us"] for r in rows], "o-", label="logp + gradient")
    ax.loglog(N, [r["floor_us"] for r in rows], "s--", label="read X once (floor)")
    ax.set_xlabel("rows N (K=20)")
    ax.set_ylabel("microseconds")
    ax.legend()
    if sampled:
        axes[0, 1].loglog(N, [r["ess_per_s"] for r in rows], "o-")
        axes[0, 1].set_xlabel("rows N (K=20)")
        axes[0, 1].set_ylabel("min ESS-bulk per second")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main(argv=None) -> list[dict]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="N = 2k, 10k; 100 draws + 100 tune")
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--K", type=int, default=20)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--tune", type=int, default=1000)
    p.add_argument("--no-sample", action="store_true")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.draws, args.tune = "2000,10000", 100, 100
    rows = []
    for N in map(int, args.sizes.split(",")):
        rows.append(measure(N, args.K, args.draws, args.tune, not args.no_sample))
        print_row(rows[-1])
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scaling.json").write_text(json.dumps(rows, indent=1))
    plot(rows, HERE / "results" / "scaling.png")
    return rows


if __name__ == "__main__":
    main()
