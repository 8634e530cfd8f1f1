"""Simulation-based calibration of NUTS on three small models, and the harness's rank test.

Each model is simulated by hand-written numpy code (independent of the model's logp), the
model is compiled once and re-used across replications through ``pg.Data``/``pg.set_data``.
Each parameter element gets one chi-square test of rank uniformity at level ALPHA / n_params
(Bonferroni over the elements of that model).
"""

import numpy as np
import pytest

import probgraph as pg
from probgraph.testing import rank_uniformity_pvalues, simulation_based_calibration

ALPHA = 0.001  # family-wise level per model
N_SIMS, DRAWS, TUNE = 100, 99, 150  # ranks 0..99 -> 10 bins of 10 rank values


def normal_mean():
    """Normal mean with known sd, 10 observations."""
    with pg.Model() as m:
        y = pg.Data("y", np.zeros(10))
        mu = pg.Normal("mu", 1.0, 2.0)
        pg.Normal("obs", mu, 1.5, observed=y)

    def simulate(rng):
        mu = rng.normal(1.0, 2.0)
        return {"mu": mu}, {"y": rng.normal(mu, 1.5, size=10)}
    return m, simulate


def hierarchical_normal():
    """Three groups, non-centred, with a half-normal group sd: exercises a log transform."""
    group = np.repeat(np.arange(3), 4)
    with pg.Model() as m:
        y = pg.Data("y", np.zeros(12))
        mu = pg.Normal("mu", 0.0, 1.0)
        tau = pg.HalfNormal("tau", 1.0)
        z = pg.Normal("z", 0.0, 1.0, shape=3)
        theta = pg.Deterministic("theta", mu + tau * z)
        pg.Normal("obs", theta[group], 1.0, observed=y)

    def simulate(rng):
        mu, tau = rng.normal(), abs(rng.normal())
        theta = mu + tau * rng.normal(size=3)
        return {"mu": mu, "tau": tau, "theta": theta}, {"y": rng.normal(theta[group], 1.0)}
    return m, simulate


def logistic_regression():
    """Two coefficients (intercept and slope), 30 Bernoulli outcomes."""
    x = np.linspace(-2.0, 2.0, 30)
    with pg.Model() as m:
        y = pg.Data("y", np.zeros(30, dtype="int64"))
        beta = pg.Normal("beta", 0.0, 1.0, shape=2)
        pg.Bernoulli("obs", logit_p=beta[0] + beta[1] * x, observed=y)

    def simulate(rng):
        beta = rng.normal(size=2)
        p = 1.0 / (1.0 + np.exp(-(beta[0] + beta[1] * x)))
        return {"beta": beta}, {"y": (rng.random(30) < p).astype("int64")}
    return m, simulate


@pytest.mark.slow
@pytest.mark.parametrize("build", [normal_mean, hierarchical_normal, logistic_regression])
def test_sbc_ranks_are_uniform(build):
    model, simulate = build()
    res = simulation_based_calibration(model, simulate, n_sims=N_SIMS, draws=DRAWS, tune=TUNE,
                                       seed=20261203)
    assert not res.recompiled, "set_data between replications must not trigger a recompile"
    assert all(len(r) == N_SIMS for r in res.ranks.values())
    p = res.pvalues(bins=10)
    level = ALPHA / len(p)
    assert min(p.values()) > level, f"non-uniform ranks: {p} (level {level:.2g})"
    assert res.n_divergent <= 0.01 * N_SIMS * DRAWS


def test_rank_test_detects_miscalibration():
    """The chi-square test passes uniform ranks and rejects the shapes SBC is meant to catch."""
    rng = np.random.default_rng(0)
    uniform = rng.integers(0, 100, size=100)
    too_narrow = np.where(rng.random(100) < 0.5, rng.integers(0, 5, 100),
                          rng.integers(95, 100, 100))
    biased = rng.integers(0, 40, size=100)
    p = rank_uniformity_pvalues({"u": uniform, "n": too_narrow, "b": biased}, n_draws=99)
    assert p["u"] > 0.01 and p["n"] < 1e-6 and p["b"] < 1e-6
    with pytest.raises(ValueError, match="equal bins"):
        rank_uniformity_pvalues({"u": uniform}, n_draws=100)
