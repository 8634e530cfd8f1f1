"""Forward sampling: draw, prior predictive and posterior predictive (moments, shapes, ArviZ
groups)."""

import numpy as np
import pytest

from probgraph import distributions as D
from probgraph.arviz import group_names
from probgraph.model import Data, Deterministic, Model, set_data
from probgraph.predictive import draw, sample_posterior_predictive, sample_prior_predictive


def _model():
    with Model(coords={"obs": ["a", "b", "c"]}) as model:
        mu = D.Normal("mu", 1.0, 2.0)
        sigma = D.HalfNormal("sigma", 1.0)
        Deterministic("mu2", mu * 2)
        D.Normal("y", mu, sigma, observed=[0.1, 0.5, -0.2], dims="obs")
    return model


def test_draw_is_reproducible_and_joint():
    with Model():
        mu = D.Normal("mu", 0.0, 1.0)
        x = D.Normal("x", mu, 0.001)
    a, b = draw([mu, x], draws=200, random_seed=3)
    assert a.shape == (200,) and np.max(np.abs(a - b)) < 0.01
    np.testing.assert_array_equal(draw(mu, draws=5, random_seed=1),
                                  draw(mu, draws=5, random_seed=1))
    assert np.ndim(draw(mu)) == 0


def test_prior_predictive_moments():
    model = _model()
    n = 2000
    prior = sample_prior_predictive(n, model=model, random_seed=1, return_inferencedata=False)
    assert set(prior) == {"mu", "sigma", "mu2", "y"}
    assert prior["y"].shape == (1, n, 3) and prior["mu"].shape == (1, n)
    np.testing.assert_allclose(prior["mu2"], 2 * prior["mu"])
    assert abs(prior["mu"].mean() - 1.0) < 5 * 2.0 / np.sqrt(n)
    y = prior["y"][0, :, 0]
    var_y = 4.0 + 1.0   # Var(mu) + E[sigma^2] for HalfNormal(1)
    assert abs(y.var() - var_y) < 0.1 * var_y * 5 / np.sqrt(n / 100)


def test_prior_predictive_inferencedata():
    model = _model()
    idata = sample_prior_predictive(50, model=model, random_seed=1)
    assert set(idata.prior.data_vars) == {"mu", "sigma", "mu2"}
    assert set(idata.prior_predictive.data_vars) == {"y"}
    assert idata.prior_predictive["y"].dims == ("chain", "draw", "obs")
    np.testing.assert_allclose(idata.observed_data["y"].values, [0.1, 0.5, -0.2])


def test_posterior_predictive_from_dict_and_inferencedata():
    model = _model()
    trace = {"mu": np.full((2, 500), 3.0), "sigma": np.full((2, 500), 0.5)}
    pp = sample_posterior_predictive(trace, model=model, random_seed=2, return_inferencedata=False)
    assert pp["y"].shape == (2, 500, 3)
    assert abs(pp["y"].mean() - 3.0) < 5 * 0.5 / np.sqrt(3000)
    assert abs(pp["y"].std() - 0.5) < 0.03
    from probgraph.arviz import to_inference_data
    idata = to_inference_data(trace, coords={"obs": ["a", "b", "c"]})
    out = sample_posterior_predictive(idata, model=model, random_seed=2)
    assert out.posterior_predictive["y"].dims == ("chain", "draw", "obs")
    np.testing.assert_allclose(out.posterior_predictive["y"].values, pp["y"])
    extended = sample_posterior_predictive(idata, model=model, random_seed=2,
                                           extend_inferencedata=True)
    assert extended is idata and "posterior_predictive" in group_names(idata)
    det = sample_posterior_predictive(trace, model=model, var_names=["mu2"],
                                      return_inferencedata=False)
    np.testing.assert_allclose(det["mu2"], 6.0)


def test_posterior_predictive_follows_set_data():
    with Model() as model:
        x = Data("x", np.linspace(0, 1, 4))
        b = D.Normal("b", 0.0, 1.0)
        D.Normal("y", b * x, 0.01, observed=np.zeros(4), shape=x.shape)
    set_data({"x": np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])}, model=model)
    pp = sample_posterior_predictive({"b": np.full((1, 20), 2.0)}, model=model, random_seed=0,
                                     return_inferencedata=False)
    assert pp["y"].shape == (1, 20, 6)
    np.testing.assert_allclose(pp["y"].mean(axis=(0, 1)), 2.0 * np.arange(1, 7), atol=0.01)


def test_bad_trace():
    with pytest.raises(TypeError, match="InferenceData"):
        sample_posterior_predictive([1, 2], model=_model())


def test_predictions_with_new_coords():
    with Model(coords={"obs": ["a", "b", "c"]}) as model:
        x = Data("x", np.array([1.0, 2.0, 3.0]), dims="obs")
        b = D.Normal("b", 0.0, 1.0)
        D.Normal("y", b * x, 0.01, observed=np.zeros(3), dims="obs")
    set_data({"x": np.array([1.0, 2.0])}, model=model, coords={"obs": ["d", "e"]})
    idata = sample_posterior_predictive({"b": np.full((1, 10), 1.0)}, model=model, predictions=True,
                                        random_seed=0)
    assert idata.posterior_predictive["y"].shape == (1, 10, 2)
    assert list(idata.posterior_predictive["obs"].values) == ["d", "e"]
