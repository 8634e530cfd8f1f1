"""The README's main job: Rubin's eight schools (non-centred), sampled with NUTS and summarised with
ArviZ.

Run: ``python examples/eight_schools.py [--draws 1000] [--tune 1000] [--chains 4] [--out
examples/output]`` It prints ``az.summary``, the number of divergences and the timing, and saves a
trace plot and a forest plot as PNG files in the output folder.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import probgraph as pg

SCHOOLS = ["Choate", "Deerfield", "Phillips Andover", "Phillips Exeter", "Hotchkiss",
           "Lawrenceville",
           "St. Paul's", "Mt. Hermon"]
Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])      # estimated coaching effects
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])  # their standard errors


def build_model() -> pg.Model:
    """Non-centred eight schools: theta = mu + tau * theta_tilde."""
    with pg.Model(coords={"school": SCHOOLS}) as model:
        mu = pg.Normal("mu", mu=0.0, sigma=5.0)
        tau = pg.HalfCauchy("tau", beta=5.0)
        theta_tilde = pg.Normal("theta_tilde", mu=0.0, sigma=1.0, dims="school")
        theta = pg.Deterministic("theta", mu + tau * theta_tilde, dims="school")
        pg.Normal("y", mu=theta, sigma=SIGMA, observed=Y, dims="school")
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", default=str(Path(__file__).parent / "output"))
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    import arviz as az

    model = build_model()
    start = time.perf_counter()
    idata = pg.sample(draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed,
                      model=model, progressbar=False)
    wall = time.perf_counter() - start
    summary = az.summary(idata, var_names=["mu", "tau", "theta"])
    print(summary.to_string())
    n_div = int(idata.sample_stats["diverging"].sum())
    print(f"\n{args.chains} chains x {args.draws} draws (+{args.tune} tuning) in {wall:.2f} s "
          f"(compile included); divergences after tuning: {n_div}")
    if not args.no_plots:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        az.plot_trace(idata, var_names=["mu", "tau"])
        plt.tight_layout()
        plt.savefig(out / "eight_schools_trace.png", dpi=80)
        az.plot_forest(idata, var_names=["theta"], combined=True)
        plt.tight_layout()
        plt.savefig(out / "eight_schools_forest.png", dpi=80)
        plt.close("all")
        print(f"plots saved in {out}/")
    return {"idata": idata, "summary": summary, "divergences": n_div}


if __name__ == "__main__":
    main()
