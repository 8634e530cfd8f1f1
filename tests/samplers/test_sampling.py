"""Posterior recovery (tolerances from Monte Carlo standard errors), reproducibility, robustness."""

import signal
import threading
import warnings

import arviz as az
import numpy as np
import pytest

from probgraph.samplers import InitialPointError, jitter, run_chains


def assert_moments(draws, mean, var, n_se=4.0):
    """Means and variances of ``draws`` (chains, draws, ndim) within ``n_se`` MCSEs of the truth."""
    for i in range(draws.shape[-1]):
        x = draws[..., i]
        ess_mean = az.ess(x, method="bulk")
        se_mean = np.sqrt(var[i] / ess_mean)
        assert abs(x.mean() - mean[i]) < n_se * se_mean, (i, x.mean(), mean[i], se_mean)
        sq = (x - mean[i]) ** 2
        se_var = sq.std() / np.sqrt(az.ess(sq, method="mean"))
        assert abs(sq.mean() - var[i]) < n_se * se_var, (i, sq.mean(), var[i], se_var)


def test_iid_normal_10d(targets):
    mu = np.linspace(-3, 3, 10)
    sigma = np.linspace(0.5, 2.0, 10)
    res = run_chains(targets["normal"], (mu, sigma), np.zeros(10), draws=500, tune=500,
                     chains=4, seed=11, progressbar=False)
    assert res.draws.shape == (4, 1000, 10) and not res.interrupted
    assert (res.n_done == 1000).all()
    post = res.posterior
    assert_moments(post, mu, sigma**2)
    assert res.stats["diverging"][:, 500:].sum() == 0
    assert 0.7 < res.stats["acceptance_rate"][:, 500:].mean() < 0.97
    # the adapted diagonal approaches the posterior variances
    np.testing.assert_allclose(res.inv_mass_matrix.mean(0), sigma**2, rtol=0.3)
    assert set(res.stats) >= {"lp", "diverging", "energy", "energy_error", "max_energy_error",
                              "tree_depth", "n_steps", "step_size", "step_size_bar",
                              "acceptance_rate", "reached_max_treedepth", "perf_counter_diff"}
    lp_direct = np.array([targets["normal"](q, (mu, sigma))[0] for q in post[0, :20]])
    np.testing.assert_allclose(res.stats["lp"][0, 500:520], lp_direct)
    n_steps, depth = res.stats["n_steps"], res.stats["tree_depth"]
    assert np.all(n_steps <= 2**depth - 1 + 2 ** np.maximum(depth, 0))
    assert np.all(res.stats["step_size"][:, 500:] == res.step_size[:, None])


def test_correlated_normal_dense(targets):
    cov = np.array([[1.0, 0.95 * 2.0], [0.95 * 2.0, 4.0]])
    mu = np.array([1.0, -1.0])
    args = (mu, np.linalg.inv(cov).ravel())
    res = run_chains(targets["mvnormal"], args, np.zeros(2), draws=500, tune=500, chains=2,
                     seed=5, init="jitter+adapt_full", progressbar=False)
    assert res.inv_mass_matrix.shape == (2, 2, 2)
    np.testing.assert_allclose(res.inv_mass_matrix[0], cov, rtol=0.35, atol=0.1)
    post = res.posterior
    assert_moments(post, mu, np.diag(cov))
    corr = np.corrcoef(post.reshape(-1, 2).T)[0, 1]
    assert abs(corr - 0.95) < 0.02
    # with the dense metric the posterior is nearly isotropic: short trajectories
    assert res.stats["tree_depth"][:, 500:].mean() < 3


def test_ill_conditioned_normal_100d(targets):
    sigma = np.logspace(-2, 2, 100)
    mu = np.zeros(100)
    res = run_chains(targets["normal"], (mu, sigma), np.zeros(100), draws=400, tune=1000,
                     chains=2, seed=3, progressbar=False)
    assert_moments(res.posterior, mu, sigma**2)
    assert res.stats["diverging"][:, 1000:].sum() == 0
    ratio = res.inv_mass_matrix / sigma**2
    assert np.all((ratio > 0.4) & (ratio < 2.5))


@pytest.mark.parametrize("init", ["adapt_diag_grad", "jitter+adapt_diag"])
def test_hmc_normal(targets, init):
    mu, sigma = np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 0.5])
    res = run_chains(targets["normal"], (mu, sigma), np.zeros(3), draws=1000, tune=500,
                     chains=2, seed=2, method="hmc", init=init, progressbar=False)
    assert_moments(res.posterior, mu, sigma**2)
    assert np.all(res.stats["tree_depth"] == 0)
    assert 0.5 < res.stats["acceptance_rate"][:, 500:].mean() < 0.95


def test_seed_reproducible_whatever_cores(targets):
    args = (np.zeros(4), np.ones(4))
    kw = {"draws": 50, "tune": 60, "chains": 3, "seed": 123, "progressbar": False}
    a = run_chains(targets["normal"], args, np.zeros(4), cores=1, **kw)
    b = run_chains(targets["normal"], args, np.zeros(4), cores=2, **kw)
    c = run_chains(targets["normal"], args, np.zeros(4), cores=2, **{**kw, "seed": 124})
    np.testing.assert_array_equal(a.draws, b.draws)
    for name in a.stats:
        if name != "perf_counter_diff":
            np.testing.assert_array_equal(a.stats[name], b.stats[name])
    assert not np.array_equal(a.draws, c.draws)
    assert not np.array_equal(a.draws[0], a.draws[1])  # chains get different streams


@pytest.mark.parametrize("name", ["truncated", "nan"])
def test_non_finite_regions_diverge(targets, name):
    args = (np.array([0.5]), np.zeros(1))
    res = run_chains(targets[name], args, np.zeros(2) - 0.5, draws=300, tune=200, chains=2,
                     seed=9, progressbar=False)
    assert res.stats["diverging"].sum() > 0
    assert np.all(res.draws[:, :, 0] <= 0.5)
    assert np.all(np.isfinite(res.draws)) and np.all(np.isfinite(res.stats["lp"]))
    assert np.isfinite(res.step_size).all()


def test_initial_point_error(targets):
    args = (np.array([-10.0]), np.zeros(1))  # support is q[0] <= -10
    with pytest.raises(InitialPointError) as err:
        run_chains(targets["truncated"], args, np.zeros(2), chains=1, seed=1,
                   progressbar=False)
    assert err.value.chain == 0 and err.value.point.shape == (2,)
    assert isinstance(err.value, ValueError)
    # a start inside the support without jitter is accepted as given
    res = run_chains(targets["truncated"], args, np.array([-10.5, 0.0]), draws=5, tune=0,
                     chains=1, seed=1, init="adapt_diag", progressbar=False)
    assert res.n_done[0] == 5


def test_jitter_helper():
    rng = np.random.default_rng(0)
    q = jitter(np.ones(1000), rng)
    assert np.all(np.abs(q - 1) <= 1) and q.std() > 0.5


def _interrupting_callback(after):
    def callback(info):
        if info["n_done"].sum() >= after:
            raise KeyboardInterrupt
    return callback


def test_interrupt_from_callback(targets):
    args = (np.zeros(3), np.ones(3))
    with pytest.warns(RuntimeWarning, match="interrupted"):
        res = run_chains(targets["normal"], args, np.zeros(3), draws=2 * 10**5, tune=100,
                         chains=2, seed=1, progressbar=False, callback=_interrupting_callback(300))
    assert res.interrupted
    assert np.all(res.n_done >= 1) and np.all(res.n_done < 2 * 10**5)
    for c, n in enumerate(res.n_done):
        assert np.all(res.stats["n_steps"][c, :n] >= 1)
        assert np.all(res.stats["n_steps"][c, n:n + 10] == 0)


def test_interrupt_by_sigint(targets):
    args = (np.zeros(3), np.ones(3))
    timer = []

    def callback(info):  # fire SIGINT only once sampling is running
        if not timer:
            timer.append(threading.Timer(0.1, signal.raise_signal, (signal.SIGINT,)))
            timer[0].start()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_chains(targets["normal"], args, np.zeros(3), draws=5 * 10**5, tune=50,
                         chains=2, seed=1, progressbar=False, callback=callback)
    assert res.interrupted and any("interrupted" in str(w.message) for w in caught)
    assert np.all(res.n_done > 0) and np.all(res.n_done < 5 * 10**5)
