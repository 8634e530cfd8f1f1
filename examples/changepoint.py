"""A switchpoint in yearly disaster counts: Metropolis for the discrete year, NUTS for the rates.

Run: ``python examples/changepoint.py [--draws 2000] [--tune 1000] [--chains 4]``

Counts in the style of the British coal-mining disasters (1851-1961) are simulated with a known year
when the rate drops (``TRUTH``)::

    switchpoint ~ DiscreteUniform(first year, last year)
    early_rate, late_rate ~ Exponential(1)
    disasters[t] ~ Poisson(early_rate if year[t] < switchpoint else late_rate)

The log-density has no gradient in ``switchpoint``, so ``pg.sample`` builds a compound step as PyMC
does: Metropolis for the integer switchpoint and NUTS for the two rates, taking turns each draw.
The summary prints the truth beside the estimates; figures go to ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import probgraph as pg

TRUTH = {"switchpoint": 1891, "early_rate": 3.0, "late_rate": 1.0}
YEARS = np.arange(1851, 1962)


def simulate(seed: int):
    """One Poisson count a year: the early rate before the switchpoint, the late rate from it on."""
    rng = np.random.default_rng(seed)
    rate = np.where(YEARS < TRUTH["switchpoint"], TRUTH["early_rate"], TRUTH["late_rate"])
    return rng.poisson(rate)


def build_model(disasters) -> pg.Model:
    with pg.Model(coords={"year": YEARS}) as model:
        switchpoint = pg.DiscreteUniform("switchpoint", lower=YEARS[0], upper=YEARS[-1])
        early_rate = pg.Exponential("early_rate", lam=1.0)
        late_rate = pg.Exponential("late_rate", lam=1.0)
        rate = pg.math.switch(YEARS < switchpoint, early_rate, late_rate)
        pg.Poisson("disasters", mu=rate, observed=disasters, dims="year")
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1851)
    parser.add_argument("--out", default=str(Path(__file__).parent / "output"))
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    import arviz as az

    disasters = simulate(args.seed)
    model = build_model(disasters)
    start = time.perf_counter()
    idata = pg.sample(draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed,
                      model=model, progressbar=False)
    wall = time.perf_counter() - start
    names = ["switchpoint", "early_rate", "late_rate"]
    summary = az.summary(idata, var_names=names)
    summary.insert(0, "truth", [TRUTH[n] for n in names])
    print(summary.to_string())
    stats = idata.sample_stats
    n_div = int(stats["diverging"].sum()) if "diverging" in stats else 0
    print(f"\n{args.chains} chains x {args.draws} draws (+{args.tune} tuning) in {wall:.2f} s "
          f"(compile included); divergences: {n_div}")
    switch_draws = idata.posterior["switchpoint"].values.ravel()
    years, counts = np.unique(switch_draws, return_counts=True)
    top = np.argsort(counts)[::-1][:3]
    print("most probable switchpoints: " +
          ", ".join(f"{years[i]} ({100 * counts[i] / switch_draws.size:.0f}%)" for i in top))

    if not args.no_plots:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        post = idata.posterior
        early, late = post["early_rate"].values.ravel(), post["late_rate"].values.ravel()
        expected = np.where(YEARS[None, :] < switch_draws[:, None], early[:, None], late[:, None])
        fig, ax = plt.subplots(figsize=(9, 4))
        ax.vlines(YEARS, 0, disasters, color="0.6", label="disasters")
        ax.plot(YEARS, expected.mean(axis=0), "C0", label="posterior mean rate")
        ax.fill_between(YEARS, *np.percentile(expected, [5, 95], axis=0), alpha=0.3, color="C0")
        ax.axvline(TRUTH["switchpoint"], color="C3", ls="--", label="true switchpoint")
        ax.set(xlabel="year", ylabel="count")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "changepoint.png", dpi=80)
        az.plot_trace(idata, var_names=names)
        plt.tight_layout()
        plt.savefig(out / "changepoint_trace.png", dpi=80)
        plt.close("all")
        print(f"plots saved in {out}/")
    return {"idata": idata, "summary": summary, "divergences": n_div, "truth": TRUTH,
            "disasters": disasters}


if __name__ == "__main__":
    main()
