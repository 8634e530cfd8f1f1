"""pg.sample on models: reproducible seeds, ArviZ groups, log-likelihood, warmup, bad starts, known
posterior."""

import numpy as np
import pytest

import probgraph as pg
from probgraph.arviz import group_names

Y = np.array([0.8, 1.3, 0.2, 1.9, 1.1])


def normal_mean_model():
    """mu ~ N(0, 1), y_i ~ N(mu, 1): the posterior is N(sum(y)/(n+1), 1/(n+1))."""
    with pg.Model(coords={"obs": list("abcde")}) as model:
        mu = pg.Normal("mu", 0.0, 1.0)
        sigma = pg.HalfNormal("sigma", 1.0)
        pg.Deterministic("mu2", 2 * mu)
        pg.Normal("y", mu, 1.0, observed=Y, dims="obs")
        pg.Normal("z", 0.0, sigma, observed=np.array([0.5, -0.3]))
    return model


@pytest.fixture(scope="module")
def model():
    return normal_mean_model()


@pytest.fixture(scope="module")
def idata(model):
    return pg.sample(draws=500, tune=500, chains=2, random_seed=3, progressbar=False, model=model,
                     discard_tuned_samples=False, idata_kwargs={"log_likelihood": True})


def test_groups_stats_and_dims(idata):
    assert {"posterior", "sample_stats", "observed_data", "log_likelihood", "warmup_posterior",
            "warmup_sample_stats"} <= set(group_names(idata))
    post = idata.posterior
    assert post["mu"].shape == (2, 500)
    for stat in ["lp", "diverging", "energy", "tree_depth", "n_steps", "step_size",
                 "acceptance_rate", "max_energy_error"]:
        assert stat in idata.sample_stats
    assert idata.sample_stats["diverging"].dtype == bool
    assert list(idata.observed_data["y"].dims) == ["obs"]
    np.testing.assert_allclose(post["mu2"].values, 2 * post["mu"].values)
    assert idata.posterior.attrs["inference_library"] == "probgraph"


def test_posterior_of_conjugate_mean_within_monte_carlo_error(idata):
    import arviz as az
    n = len(Y)
    exact_mean, exact_sd = Y.sum() / (n + 1), np.sqrt(1 / (n + 1))
    mu = idata.posterior["mu"]
    mcse = float(az.mcse(idata, var_names=["mu"])["mu"])
    assert abs(float(mu.mean()) - exact_mean) < 4 * mcse
    ess = float(az.ess(idata, var_names=["mu"])["mu"])
    assert abs(float(mu.std()) - exact_sd) < 4 * exact_sd / np.sqrt(2 * ess)


def test_loo_works(idata):
    import arviz as az
    loo = az.loo(idata, var_name="y")
    elpd = loo.elpd_loo if hasattr(loo, "elpd_loo") else loo.elpd  # arviz 0.x / 1.x
    assert np.isfinite(elpd)


def test_same_seed_same_draws_whatever_cores(model):
    a = pg.sample(draws=50, tune=50, chains=2, cores=1, random_seed=11, progressbar=False,
                  model=model, return_inferencedata=False, compute_convergence_checks=False)
    b = pg.sample(draws=50, tune=50, chains=2, cores=2, random_seed=11, progressbar=False,
                  model=model, return_inferencedata=False, compute_convergence_checks=False)
    np.testing.assert_array_equal(a["posterior"]["mu"], b["posterior"]["mu"])


def test_bad_start_names_the_variable():
    with pg.Model() as m:
        pg.Normal("mu", 0.0, 1.0)
        pg.Uniform("u", 0.0, 1.0, observed=np.array([0.5, 2.0]))
    with pytest.raises(pg.SamplingError, match=r"u: -inf \(observed\)"):
        pg.sample(draws=10, tune=10, chains=1, model=m, progressbar=False)
