"""Bayesian linear regression on simulated data: ``pg.Data``, NUTS and posterior predictive checks.

Run: ``python examples/linear_regression.py [--n 100] [--draws 1000] [--tune 1000] [--chains 4]``

The data are ``y = alpha + x @ beta + noise`` with stated true values (``TRUTH``); the model
recovers them, prints ``az.summary`` beside the truth, and draws posterior predictive replicates of
``y``. The predictors live in ``pg.Data``, so new ``x`` can be swapped in with ``pg.set_data``.
Figures (trace and the fitted line with its predictive band) go to ``--out`` (``examples/output/``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import probgraph as pg

TRUTH = {"alpha": 1.0, "beta": np.array([2.0, -0.5]), "sigma": 0.7}
PREDICTORS = ["x0", "x1"]


def simulate(n: int, seed: int):
    """``n`` rows of two standard-normal predictors and their noisy linear response."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, len(PREDICTORS)))
    y = TRUTH["alpha"] + x @ TRUTH["beta"] + TRUTH["sigma"] * rng.standard_normal(n)
    return x, y


def build_model(x, y) -> pg.Model:
    """Weakly informative priors; the mean is a Deterministic so it appears in the trace."""
    with pg.Model(coords={"predictor": PREDICTORS}) as model:
        x_data = pg.Data("x", x, dims=("obs", "predictor"))
        alpha = pg.Normal("alpha", mu=0.0, sigma=10.0)
        beta = pg.Normal("beta", mu=0.0, sigma=10.0, dims="predictor")
        sigma = pg.HalfNormal("sigma", sigma=5.0)
        mu = pg.Deterministic("mu", alpha + pg.math.dot(x_data, beta), dims="obs")
        pg.Normal("y", mu=mu, sigma=sigma, observed=y, dims="obs")
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="number of observations")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(Path(__file__).parent / "output"))
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    import arviz as az

    x, y = simulate(args.n, args.seed)
    model = build_model(x, y)
    start = time.perf_counter()
    idata = pg.sample(draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed,
                      model=model, progressbar=False)
    wall = time.perf_counter() - start
    summary = az.summary(idata, var_names=["alpha", "beta", "sigma"])
    summary.insert(0, "truth", np.concatenate([[TRUTH["alpha"]], TRUTH["beta"], [TRUTH["sigma"]]]))
    print(summary.to_string())
    n_div = int(idata.sample_stats["diverging"].sum())
    print(f"\n{args.chains} chains x {args.draws} draws (+{args.tune} tuning) in {wall:.2f} s "
          f"(compile included); divergences: {n_div}")

    pg.sample_posterior_predictive(idata, model=model, random_seed=args.seed, progressbar=False,
                                   extend_inferencedata=True)
    y_rep = idata.posterior_predictive["y"].values.reshape(-1, args.n)
    lo, hi = np.percentile(y_rep, [5, 95], axis=0)
    coverage = float(np.mean((y >= lo) & (y <= hi)))
    print(f"observations inside their 90% posterior predictive interval: {100 * coverage:.0f}%")

    if not args.no_plots:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        az.plot_trace(idata, var_names=["alpha", "beta", "sigma"])
        plt.tight_layout()
        plt.savefig(out / "linear_regression_trace.png", dpi=80)
        fig, ax = plt.subplots(figsize=(6, 4))
        fitted = idata.posterior["mu"].values.reshape(-1, args.n).mean(axis=0)
        order = np.argsort(fitted)
        ax.fill_between(fitted[order], *np.percentile(y_rep[:, order], [5, 95], axis=0), alpha=0.3,
                        label="90% posterior predictive")
        ax.plot(fitted, y, ".", label="data")
        ax.plot(fitted[order], fitted[order], "k-", label="posterior mean of mu")
        ax.set(xlabel="fitted mean", ylabel="y")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "linear_regression_fit.png", dpi=80)
        plt.close("all")
        print(f"plots saved in {out}/")
    return {"idata": idata, "summary": summary, "divergences": n_div, "coverage": coverage,
            "truth": TRUTH}


if __name__ == "__main__":
    main()
