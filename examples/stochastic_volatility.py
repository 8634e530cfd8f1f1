"""Stochastic volatility: a Gaussian random walk of log-volatility under heavy-tailed returns.

Run: ``python examples/stochastic_volatility.py [--days 300] [--draws 1000] [--chains 4]``

The model of PyMC's stochastic-volatility example, on returns simulated from it (so the true path is
known)::

    sigma ~ Exponential(10)                         day-to-day change of log-volatility
    nu ~ Exponential(0.1)                           degrees of freedom of the returns
    log_vol ~ GaussianRandomWalk(sigma)             one value per day
    returns ~ StudentT(nu, mu=0, sigma=exp(log_vol))

It has as many parameters as days, strongly correlated along the walk: the kind of posterior NUTS is
for. The summary prints the truth beside the estimates, and how often the true log-volatility lies
in its 90% interval. Figures (returns with the volatility band) go to ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import probgraph as pg

TRUTH = {"sigma": 0.15, "nu": 6.0, "log_vol_start": -4.0}


def simulate(days: int, seed: int):
    """A log-volatility random walk and Student-t returns scaled by its exponential."""
    rng = np.random.default_rng(seed)
    log_vol = TRUTH["log_vol_start"] + np.cumsum(TRUTH["sigma"] * rng.standard_normal(days))
    returns = np.exp(log_vol) * rng.standard_t(TRUTH["nu"], size=days)
    return log_vol, returns


def build_model(returns) -> pg.Model:
    with pg.Model(coords={"day": np.arange(len(returns))}) as model:
        sigma = pg.Exponential("sigma", lam=10.0)
        nu = pg.Exponential("nu", lam=0.1)
        log_vol = pg.GaussianRandomWalk("log_vol", sigma=sigma, init_dist=pg.Normal.dist(-4.0, 2.0),
                                        dims="day")
        pg.StudentT("returns", nu=nu, mu=0.0, sigma=pg.math.exp(log_vol), observed=returns,
                    dims="day")
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=300)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).parent / "output"))
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    import arviz as az

    log_vol_true, returns = simulate(args.days, args.seed)
    model = build_model(returns)
    start = time.perf_counter()
    idata = pg.sample(draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed,
                      model=model, progressbar=False)
    wall = time.perf_counter() - start
    summary = az.summary(idata, var_names=["sigma", "nu"])
    summary.insert(0, "truth", [TRUTH["sigma"], TRUTH["nu"]])
    print(summary.to_string())
    n_div = int(idata.sample_stats["diverging"].sum())
    print(f"\n{args.chains} chains x {args.draws} draws (+{args.tune} tuning) in {wall:.2f} s "
          f"(compile included); divergences: {n_div}")

    vol_draws = idata.posterior["log_vol"].values.reshape(-1, args.days)
    lo, hi = np.percentile(vol_draws, [5, 95], axis=0)
    coverage = float(np.mean((log_vol_true >= lo) & (log_vol_true <= hi)))
    print(f"days with the true log-volatility inside its 90% interval: {100 * coverage:.0f}%")

    if not args.no_plots:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
        ax0.plot(returns, lw=0.8, color="0.3")
        ax0.set(ylabel="return", title="simulated daily returns")
        ax1.fill_between(np.arange(args.days), lo, hi, alpha=0.4, label="90% posterior interval")
        ax1.plot(log_vol_true, "k", lw=1, label="true log-volatility")
        ax1.set(xlabel="day", ylabel="log-volatility")
        ax1.legend()
        fig.tight_layout()
        fig.savefig(out / "stochastic_volatility.png", dpi=80)
        az.plot_trace(idata, var_names=["sigma", "nu"])
        plt.tight_layout()
        plt.savefig(out / "stochastic_volatility_trace.png", dpi=80)
        plt.close("all")
        print(f"plots saved in {out}/")
    return {"idata": idata, "summary": summary, "divergences": n_div, "coverage": coverage,
            "truth": {**TRUTH, "log_vol": log_vol_true}}


if __name__ == "__main__":
    main()
