"""Tests of the convergence checks: R-hat and ESS against ArviZ, and the warning messages."""

import warnings

import arviz as az
import numpy as np
import pytest

from probgraph.arviz import to_inference_data
from probgraph.samplers.diagnostics import (
    SamplingWarning,
    convergence_warnings,
    ess_bulk,
    rhat,
    warn_convergence,
)

CHAINS, DRAWS = 4, 200


def ar1(rng, phi, shape):
    """Autocorrelated chains: x_t = phi x_{t-1} + noise, along axis 1."""
    x = np.zeros(shape)
    x[:, 0] = rng.normal(size=(shape[0], *shape[2:])) / np.sqrt(1 - phi**2)
    for t in range(1, shape[1]):
        x[:, t] = phi * x[:, t - 1] + rng.normal(size=(shape[0], *shape[2:]))
    return x


def stats(shape=(CHAINS, DRAWS), n_divergent=0, n_saturated=0):
    diverging = np.zeros(shape, dtype=bool)
    diverging.flat[:n_divergent] = True
    saturated = np.zeros(shape, dtype=bool)
    if n_saturated:
        saturated.flat[-n_saturated:] = True
    return {"diverging": diverging, "reached_max_treedepth": saturated}


@pytest.mark.parametrize(
    "phi, shape",
    [(0.0, (4, 200)), (0.9, (4, 201, 2)), (0.5, (2, 7)), (0.95, (3, 100, 2, 2))],
)
def test_rhat_and_ess_match_arviz(phi, shape):
    draws = ar1(np.random.default_rng(3), phi, shape)
    draws[1] += 0.3  # one chain shifted
    expected_rhat = az.rhat({"x": draws}, method="rank")["x"].values
    expected_ess = az.ess({"x": draws}, method="bulk")["x"].values
    np.testing.assert_allclose(rhat(draws), expected_rhat, rtol=1e-10)
    np.testing.assert_allclose(ess_bulk(draws), expected_ess, rtol=1e-10)


def test_constant_parameter_gives_nan():
    draws = np.ones((4, 100))
    assert np.isnan(rhat(draws)) and np.isnan(ess_bulk(draws))


def test_well_mixed_chains_give_no_messages():
    draws = np.random.default_rng(0).normal(size=(CHAINS, DRAWS, 3))
    idata = to_inference_data({"theta": draws}, sample_stats=stats())
    assert convergence_warnings(idata) == []


def test_shifted_chain_gives_rhat_warning_naming_worst_parameters():
    rng = np.random.default_rng(1)
    theta = rng.normal(size=(CHAINS, DRAWS, 3))
    theta[0, :, 1] += 3.0  # chain 0 sits elsewhere for theta[b]
    idata = to_inference_data(
        {"theta": theta, "mu": rng.normal(size=(CHAINS, DRAWS))},
        sample_stats=stats(),
        coords={"school": ["a", "b", "c"]},
        dims={"theta": ["school"]},
    )
    messages = convergence_warnings(idata)
    (message,) = [m for m in messages if m.startswith("The rhat")]
    assert message.startswith("The rhat statistic is larger than 1.01 for some parameters.")
    assert "theta[b] (" in message
    assert "mu (" not in message and "theta[a]" not in message


def test_one_chain_skips_rhat():
    theta = np.random.default_rng(2).normal(size=(1, DRAWS))
    theta[0, DRAWS // 2 :] += 5.0  # split R-hat would flag this
    idata = to_inference_data({"theta": theta}, sample_stats=stats((1, DRAWS)))
    assert not any("rhat statistic" in m for m in convergence_warnings(idata))


def test_divergences_are_counted():
    idata = to_inference_data(
        {"mu": np.random.default_rng(4).normal(size=(CHAINS, DRAWS))},
        sample_stats=stats(n_divergent=3),
    )
    assert convergence_warnings(idata) == [
        "There were 3 divergences after tuning. Increase `target_accept` or reparameterize."
    ]
    assert convergence_warnings(idata, n_divergent=1) == [
        "There was 1 divergence after tuning. Increase `target_accept` or reparameterize."
    ]
    assert convergence_warnings(idata, n_divergent=0) == []


def test_max_treedepth_hits():
    posterior = {"mu": np.random.default_rng(5).normal(size=(CHAINS, DRAWS))}
    idata = to_inference_data(posterior, sample_stats=stats(n_saturated=8))
    (message,) = convergence_warnings(idata)
    assert message.startswith("8 of 800 draws reached the maximum tree depth of 10.")
    assert "Increase `max_treedepth`" in message
    depth = np.full((CHAINS, DRAWS), 4)
    depth[0, :5] = 6
    idata = to_inference_data(posterior, sample_stats={"tree_depth": depth})
    (message,) = convergence_warnings(idata, max_treedepth=6)
    assert message.startswith("5 of 800 draws reached the maximum tree depth of 6.")


def test_low_ess_warning():
    draws = ar1(np.random.default_rng(6), 0.97, (CHAINS, DRAWS))
    idata = to_inference_data({"slow": draws}, sample_stats=stats())
    (message,) = [m for m in convergence_warnings(idata) if "effective sample size" in m]
    assert message.startswith(
        "The effective sample size per chain is smaller than 100 for some parameters."
    )
    assert "slow (" in message


def test_warn_convergence_issues_sampling_warnings():
    idata = to_inference_data(
        {"mu": np.random.default_rng(7).normal(size=(CHAINS, DRAWS))},
        sample_stats=stats(n_divergent=2),
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        messages = warn_convergence(idata)
    assert [str(w.message) for w in caught] == messages
    assert len(messages) == 1 and all(w.category is SamplingWarning for w in caught)
    assert issubclass(SamplingWarning, UserWarning)
