"""Metropolis-type steps and the compound NUTS + Metropolis sampler: exact discrete posteriors,
a switchpoint model, random-walk Metropolis moments, step assignment and reproducibility."""

import arviz as az
import numpy as np
import pytest
from scipy import stats

import probgraph as pg
import probgraph.tensor as pt
from probgraph.samplers.compound import CompoundStep, assign_step_methods
from probgraph.samplers.metropolis import (
    BinaryGibbsMetropolis,
    CategoricalGibbsMetropolis,
    Metropolis,
    tune_scaling,
)
from probgraph.samplers.model_sampling import NUTS

Y_Z, Y_K, MU_K, P_K = 1.2, 0.8, np.array([-1.0, 0.0, 2.0]), np.array([0.2, 0.5, 0.3])


def latent_model():
    """z ~ Bernoulli(0.3), x ~ N(0, 1), y ~ N(x + 2z, 1); k ~ Categorical(P_K), y2 ~ N(MU_K[k],
    1)."""
    with pg.Model() as m:
        z = pg.Bernoulli("z", 0.3)
        x = pg.Normal("x", 0.0, 1.0)
        pg.Normal("y", x + 2.0 * z, 1.0, observed=Y_Z)
        k = pg.Categorical("k", P_K)
        pg.Normal("y2", pt.constant(MU_K)[k], 1.0, observed=Y_K)
    return m


def exact_latent():
    """P(z = 1 | y) (x marginalised: y | z ~ N(2z, 2)), E[x | y], and P(k | y2)."""
    w1 = 0.3 * stats.norm.pdf(Y_Z, 2.0, np.sqrt(2.0))
    w0 = 0.7 * stats.norm.pdf(Y_Z, 0.0, np.sqrt(2.0))
    pz = w1 / (w0 + w1)
    ex = (1 - pz) * Y_Z / 2 + pz * (Y_Z - 2.0) / 2
    pk = P_K * stats.norm.pdf(Y_K, MU_K, 1.0)
    return pz, ex, pk / pk.sum()


def assert_mean(x, truth, n_se=4.0):
    """The mean of ``x`` (chains, draws) within ``n_se`` Monte Carlo standard errors of
    ``truth``."""
    x = np.asarray(x, dtype=float)
    se = x.std() / np.sqrt(az.ess(x, method="mean"))
    assert abs(x.mean() - truth) < n_se * se, (x.mean(), truth, se)


# ---------------------------------------------------------------------- no sampling
def test_tune_scaling_schedule():
    rates = np.array([0.0, 0.01, 0.1, 0.3, 0.6, 0.8, 0.99])
    np.testing.assert_allclose(tune_scaling(2.0, rates), 2.0 * np.array(
        [0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 10.0]))


def test_default_step_assignment():
    m = latent_model()
    f = m.logp_dlogp_function(mode="python")
    steps = assign_step_methods(m, None, f)
    kinds = {type(s): [v.name for v in s.value_vars] for s in steps}
    assert kinds == {NUTS: ["x"], BinaryGibbsMetropolis: ["z"], CategoricalGibbsMetropolis: ["k"]}
    # a user step claims its variables; the rest get the defaults
    steps = assign_step_methods(m, [Metropolis([m["x"], "z"])], f)
    kinds = {type(s): [v.name for v in s.value_vars] for s in steps}
    assert kinds == {Metropolis: ["x", "z"],
                     CategoricalGibbsMetropolis: ["k"]}
    steps = assign_step_methods(m, CompoundStep([Metropolis()]), f)
    assert len(steps) == 1 and [v.name for v in steps[0].value_vars] == ["z", "x", "k"]


@pytest.mark.parametrize("step, match", [
    (lambda m: [NUTS([m["z"]])], "cannot sample the discrete variables"),
    (lambda m: [BinaryGibbsMetropolis([m["k"]])], "Bernoulli variables only"),
    (lambda m: [CategoricalGibbsMetropolis(["z"])], "Categorical variables only"),
    (lambda m: [Metropolis(["x"]), Metropolis(["x"])], "given to two steps"),
    (lambda m: [Metropolis(["y"])], "not a free random variable"),
])
def test_step_errors(step, match):
    m = latent_model()
    f = m.logp_dlogp_function(mode="python")
    with pytest.raises(ValueError, match=match):
        assign_step_methods(m, step(m), f)


def test_categorical_proposal_checked():
    with pytest.raises(ValueError, match="proposal must be"):
        CategoricalGibbsMetropolis(proposal="gibbs")


# ---------------------------------------------------------------------- sampling
@pytest.mark.slow
def test_latent_discrete_exact_posteriors():
    pz, ex, pk = exact_latent()
    with latent_model():
        idata = pg.sample(1000, tune=300, chains=2, random_seed=3, progressbar=False)
    post = idata.posterior
    assert post["z"].dtype.kind == "i" and post["k"].dtype.kind == "i"
    assert_mean(post["z"].values, pz)
    assert_mean(post["x"].values, ex)
    for j in range(3):
        assert_mean(post["k"].values == j, pk[j])
    ss = idata.sample_stats
    assert {"lp", "diverging", "tree_depth", "step_size", "acceptance_rate"} <= set(ss)
    assert idata.posterior.attrs["sampler"] == ("nuts+binary_gibbs_metropolis"
                                      "+categorical_gibbs_metropolis")


@pytest.fixture
def python_mode(monkeypatch):
    """Metropolis-only sampling needs no gradients and no numba: the python backend compiles
    faster."""
    monkeypatch.setattr(pg.config, "mode", "python")


@pytest.mark.slow
def test_user_steps_gibbs_proportional_and_seeds():
    """A user list (Metropolis on z and x, proportional Gibbs on k) and bit-identical reruns."""
    pz, ex, pk = exact_latent()
    m = latent_model()

    def run(seed, draws=1500):
        with m:
            steps = [Metropolis([m["x"], m["z"]]),
                     CategoricalGibbsMetropolis([m["k"]], proposal="proportional")]
            return pg.sample(draws, tune=500, chains=2, step=steps, random_seed=seed,
                             progressbar=False, compute_convergence_checks=False)

    idata = run(5)
    post = idata.posterior
    assert_mean(post["z"].values, pz)
    assert_mean(post["x"].values, ex)
    for j in range(3):
        assert_mean(post["k"].values == j, pk[j])
    acc = idata.sample_stats["x_z_accepted"].values
    assert acc.dtype == bool and 0.1 < acc.mean() < 0.9
    assert "x_z_scaling" in idata.sample_stats
    again, other = run(5, 50), run(6, 50)
    for name in ("x", "z", "k"):
        np.testing.assert_array_equal(again.posterior[name].values,
                                      post[name].values[:, :50])
    assert not np.array_equal(other.posterior["x"].values, again.posterior["x"].values)


@pytest.mark.slow
def test_switchpoint_recovered():
    counts = np.array([1, 0, 2, 1, 0, 1, 1, 2, 0, 1, 7, 5, 6, 8, 6, 5, 7, 6, 9, 6])
    t = np.arange(counts.size)
    with pg.Model() as m:
        s = pg.DiscreteUniform("s", 0, counts.size - 1)
        early = pg.Exponential("early", 1.0)
        late = pg.Exponential("late", 1.0)
        pg.Poisson("n", pg.math.switch(s > t, early, late), observed=counts)
        steps = [Metropolis([early, late]), Metropolis([s])]
        idata = pg.sample(1000, tune=500, chains=2, step=steps, random_seed=1, progressbar=False,
                          compute_convergence_checks=False)
    sp = idata.posterior["s"].values
    assert np.bincount(sp.ravel()).argmax() == 10
    assert (sp == 10).mean() > 0.5
    assert abs(idata.posterior["early"].values.mean() - 0.9) < 0.4
    assert abs(idata.posterior["late"].values.mean() - 6.5) < 1.0
    assert m.rvs_to_transforms[m["s"]] is None


@pytest.mark.slow
def test_metropolis_continuous_normal_moments(python_mode):
    with pg.Model():
        pg.Normal("x", 1.0, 2.0, shape=2)
        idata = pg.sample(2000, tune=500, chains=2, step=Metropolis(),
                          random_seed=2, progressbar=False)
    x = idata.posterior["x"].values
    for i in range(2):
        assert_mean(x[..., i], 1.0)
        assert_mean((x[..., i] - 1.0) ** 2, 4.0)
    acc = idata.sample_stats["x_accepted"].values.mean()
    assert 0.1 < acc < 0.7  # tuned scaling, not the initial one
    assert idata.posterior.attrs["sampler"] == "metropolis"
