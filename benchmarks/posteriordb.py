"""Every posteriordb case against its reference posterior: a pass/fail table with ESS per second.

Run from the repository root: ``python -m benchmarks.posteriordb [--draws N --tune N] [case ...]``.
The cases and the comparison rule live in ``tests/posteriordb/models.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

MODELS = Path(__file__).resolve().parent.parent / "tests" / "posteriordb" / "models.py"


def load_models():
    name = "posteriordb_models"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, MODELS)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _sampling_seconds(idata, fallback: float) -> float:
    for attrs in (idata.attrs, getattr(idata, "posterior", None) and idata.posterior.attrs):
        if attrs and "sampling_time" in attrs:
            return float(attrs["sampling_time"])
    return fallback


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="posterior names (default: all)")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    opts = parser.parse_args(argv)
    M = load_models()
    names = opts.cases or list(M.CASES)
    head = f"{'case':<42} {'#par':>4} {'worst|z|':>8} {'sd_rel':>7} {'min ESS':>7} {'div':>4} " \
           f"{'result':>6} {'ESS/s':>8} {'total s':>7}"
    print(head)
    print("-" * len(head))
    failed = []
    for name in names:
        case = M.CASES[name]
        try:
            rows, idata, seconds = M.run_case(case, opts.draws, opts.tune, opts.chains, opts.seed)
        except Exception as exc:  # noqa: BLE001 - a broken case is a row of the table
            print(f"{name:<42} ERROR {type(exc).__name__}: {str(exc)[:120]}")
            failed.append(name)
            continue
        n_div = int(idata.sample_stats["diverging"].sum())
        ok = all(r["ok"] for r in rows) and (case.expect_divergences or n_div <= 2)
        worst_z = max(abs(r["z"]) for r in rows)
        worst_sd = max(rows, key=lambda r: abs(r["sd_rel"]))["sd_rel"]
        min_ess = min(r["ess"] for r in rows)
        ess_s = min_ess / _sampling_seconds(idata, seconds)
        print(f"{name:<42} {len(rows):>4} {worst_z:>8.2f} {worst_sd:>+7.3f} {min_ess:>7.0f} "
              f"{n_div:>4} {'pass' if ok else 'FAIL':>6} {ess_s:>8.0f} {seconds:>7.1f}", flush=True)
        if not ok:
            failed.append(name)
            for r in rows:
                if not r["ok"]:
                    print(f"    {r['name']}: mean {r['mean']:.4g} (ref {r['ref_mean']:.4g}, z "
                          f"{r['z']:+.1f}), sd {r['sd']:.4g} (ref {r['ref_sd']:.4g}), q_err "
                          f"{r['q_err']:.2f}, ess {r['ess']:.0f}, rhat {r['rhat']:.3f}")
    print(f"\n{len(names) - len(failed)}/{len(names)} cases pass" +
          (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
