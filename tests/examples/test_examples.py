"""Smoke tests of the examples gallery: each ``main([...])`` runs in-process on small settings and
recovers what it simulated (posterior means a few posterior sds from the truth, a falling loss)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import probgraph as pg
from probgraph.arviz import group_names

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAMPLED = ["linear_regression", "hierarchical_logistic", "stochastic_volatility", "changepoint",
           "gaussian_mixture"]
SMALL = ["--draws", "300", "--tune", "300", "--chains", "2", "--no-plots"]


def load(name: str):
    """The example ``examples/<name>.py`` imported as a module."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def float64():
    """The examples assume the default floatX (another example's import may have changed it)."""
    old = pg.config.floatX
    pg.config.floatX = "float64"
    yield
    pg.config.floatX = old


def assert_near_truth(idata, name, truth, n_sd=4.0):
    """Posterior mean of ``name`` within ``n_sd`` posterior sds (plus MC slack) of ``truth``."""
    draws = idata.posterior[name].values
    draws = draws.reshape(-1, *draws.shape[2:])
    mean, sd = draws.mean(axis=0), draws.std(axis=0)
    z = np.abs(mean - np.asarray(truth)) / (sd + 1e-12)
    assert np.all(z < n_sd), f"{name}: posterior mean {mean} sd {sd}, truth {truth}"


@pytest.mark.parametrize("name", SAMPLED + ["rnn_scan"])
def test_example_has_docstring_and_standard_flags(name, capsys):
    module = load(name)
    assert module.__doc__.strip().splitlines()[0].endswith(".")
    assert "Run: ``python examples/" in module.__doc__
    with pytest.raises(SystemExit) as exc:
        module.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    flags = ["--seed", "--out", "--no-plots"]
    flags += ["--draws", "--tune", "--chains"] if name in SAMPLED else ["--epochs"]
    assert all(f in out for f in flags), out


def test_linear_regression_recovers_coefficients_and_writes_plots(tmp_path, capsys):
    res = load("linear_regression").main(["--n", "60", "--draws", "300", "--tune", "300",
                                           "--chains", "2", "--out", str(tmp_path)])
    truth = res["truth"]
    for name in ["alpha", "beta", "sigma"]:
        assert_near_truth(res["idata"], name, truth[name])
    assert res["divergences"] == 0
    assert res["coverage"] > 0.75
    assert "posterior_predictive" in group_names(res["idata"])
    out = capsys.readouterr().out
    assert "r_hat" in out and "divergences" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["linear_regression_fit.png",
                                                          "linear_regression_trace.png"]


def test_hierarchical_logistic_non_centred_recovers_truth():
    res = load("hierarchical_logistic").main(["--groups", "6", "--per-group", "30", *SMALL])
    idata, truth = res["idata"], res["truth"]
    for name in ["mu_a", "sigma_a", "b", "a"]:
        assert_near_truth(idata, name, truth[name])
    assert res["divergences"] <= 3  # non-centred: (almost) no funnel
    assert res["accuracy"] > 0.6
    assert idata.posterior["a"].dims[-1] == "group"


def test_stochastic_volatility_tracks_the_true_path():
    res = load("stochastic_volatility").main(["--days", "100", *SMALL])
    assert_near_truth(res["idata"], "sigma", res["truth"]["sigma"])
    assert res["idata"].posterior["log_vol"].shape[-1] == 100
    assert res["coverage"] > 0.6


def test_changepoint_compound_step_finds_the_switchpoint():
    module = load("changepoint")
    try:
        res = module.main(SMALL)
    except (NotImplementedError, ImportError, TypeError, ValueError, AttributeError) as exc:
        pytest.fail("compound sampling (Metropolis for the integer switchpoint, NUTS for the "
                    f"rates) is not available: {type(exc).__name__}: {exc}")
    idata, truth = res["idata"], res["truth"]
    switch = idata.posterior["switchpoint"].values
    assert np.issubdtype(switch.dtype, np.integer), f"switchpoint draws have dtype {switch.dtype}"
    assert len(np.unique(switch)) > 1, "the switchpoint never moved: Metropolis rejected everything"
    assert abs(np.median(switch) - truth["switchpoint"]) <= 5
    for name in ["early_rate", "late_rate"]:
        assert_near_truth(idata, name, truth[name])


def test_gaussian_mixture_ordered_means_recover_components():
    res = load("gaussian_mixture").main(["--n", "300", *SMALL])
    idata, truth = res["idata"], res["truth"]
    mu = idata.posterior["mu"].values
    assert np.all(np.diff(mu, axis=-1) > 0), "the ordered transform let the means swap"
    for name in ["w", "mu", "sigma"]:
        assert_near_truth(idata, name, truth[name])
    assert float(res["summary"]["r_hat"].max()) < 1.1  # no label switching between chains


def test_rnn_scan_loss_falls(mode, capsys):
    args = ["--epochs", "60", "--steps", "20", "--batch", "16", "--hidden", "8", "--mode", mode]
    res = load("rnn_scan").main([*args, "--no-plots"])
    losses = res["losses"]
    assert len(losses) == 60 and np.all(np.isfinite(losses))
    assert np.mean(losses[-10:]) < losses[0] / 5
    assert res["test_loss"] < res["noise_floor"]  # better than repeating the noisy input
    assert "epoch   60" in capsys.readouterr().out
