"""A mixture of three Gaussians, with ordered means so that the components cannot swap labels.

Run: ``python examples/gaussian_mixture.py [--n 500] [--draws 1000] [--tune 1000] [--chains 4]``

Data are drawn from three normal components with stated weights, means and widths (``TRUTH``)::

    w ~ Dirichlet(ones(3))
    mu ~ Normal(0, 10), constrained to mu_0 < mu_1 < mu_2 (the ``ordered`` transform)
    sigma ~ HalfNormal(2)
    y ~ NormalMixture(w, mu, sigma)

A mixture's likelihood does not change when two components trade places, so without the ordering
each chain may settle on its own labelling and the chains disagree (R-hat far above 1). The ordered
transform samples ``mu_0`` and the logs of the gaps between the means, which removes the symmetry.
``NormalMixture`` sums the components in log space (``logsumexp``). Figures go to ``--out``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import probgraph as pg

TRUTH = {"w": np.array([0.3, 0.5, 0.2]), "mu": np.array([-4.0, 0.0, 5.0]),
         "sigma": np.array([1.0, 0.8, 1.5])}
COMPONENTS = ["left", "middle", "right"]


def simulate(n: int, seed: int):
    rng = np.random.default_rng(seed)
    k = rng.choice(len(COMPONENTS), size=n, p=TRUTH["w"])
    return TRUTH["mu"][k] + TRUTH["sigma"][k] * rng.standard_normal(n)


def build_model(y) -> pg.Model:
    with pg.Model(coords={"component": COMPONENTS}) as model:
        w = pg.Dirichlet("w", a=np.ones(len(COMPONENTS)), dims="component")
        # start the means spread over the data: from a bunched start, a chain can settle in a worse
        # local mode that merges two components
        mu = pg.Normal("mu", mu=0.0, sigma=10.0, dims="component",
                       transform=pg.distributions.transforms.ordered,
                       initval=np.quantile(y, [0.2, 0.5, 0.8]))
        sigma = pg.HalfNormal("sigma", sigma=2.0, dims="component")
        pg.NormalMixture("y", w=w, mu=mu, sigma=sigma, observed=y)
    return model


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="number of observations")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--tune", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(Path(__file__).parent / "output"))
    parser.add_argument("--no-plots", action="store_true")
    args = parser.parse_args(argv)

    import arviz as az

    y = simulate(args.n, args.seed)
    model = build_model(y)
    start = time.perf_counter()
    idata = pg.sample(draws=args.draws, tune=args.tune, chains=args.chains, random_seed=args.seed,
                      model=model, progressbar=False)
    wall = time.perf_counter() - start
    names = ["w", "mu", "sigma"]
    summary = az.summary(idata, var_names=names)
    summary.insert(0, "truth", np.concatenate([TRUTH[n] for n in names]))
    print(summary.to_string())
    n_div = int(idata.sample_stats["diverging"].sum())
    print(f"\n{args.chains} chains x {args.draws} draws (+{args.tune} tuning) in {wall:.2f} s "
          f"(compile included); divergences: {n_div}; largest R-hat {summary['r_hat'].max():.3f}")

    if not args.no_plots:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from scipy import stats
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        post = idata.posterior
        grid = np.linspace(y.min() - 1, y.max() + 1, 300)
        w_m, mu_m, s_m = (post[n].values.reshape(-1, len(COMPONENTS)).mean(axis=0) for n in names)
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.hist(y, bins=50, density=True, color="0.8", label="data")
        for k, label in enumerate(COMPONENTS):
            ax.plot(grid, w_m[k] * stats.norm.pdf(grid, mu_m[k], s_m[k]), label=label)
        ax.set(xlabel="y", ylabel="density", title="components at their posterior means")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "gaussian_mixture.png", dpi=80)
        az.plot_trace(idata, var_names=names)
        plt.tight_layout()
        plt.savefig(out / "gaussian_mixture_trace.png", dpi=80)
        plt.close("all")
        print(f"plots saved in {out}/")
    return {"idata": idata, "summary": summary, "divergences": n_div, "truth": TRUTH}


if __name__ == "__main__":
    main()
