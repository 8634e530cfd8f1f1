"""Discrete distributions: logp/logcdf against scipy.stats, invalid parameters, and draw moments."""

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

import probgraph.distributions as pd
from probgraph.distributions import logcdf, logp
from probgraph.predictive import draw

# (name, dist builder, scipy frozen, values, has logcdf)
V20 = np.array([-1, 0, 1, 2, 3, 5, 8, 13, 20])
CASES = [
    ("bernoulli", lambda: pd.Bernoulli.dist(p=0.3), st.bernoulli(0.3), np.array([-1, 0, 1, 2]),
     True),
    ("bernoulli_logit", lambda: pd.Bernoulli.dist(logit_p=-1.2), st.bernoulli(sp.expit(-1.2)),
     np.array([0, 1]), True),
    ("binomial", lambda: pd.Binomial.dist(12, 0.35), st.binom(12, 0.35), V20, True),
    ("binomial_logit", lambda: pd.Binomial.dist(7, logit_p=2.0), st.binom(7, sp.expit(2.0)),
     np.arange(-1, 9), True),
    ("betabinomial", lambda: pd.BetaBinomial.dist(2.0, 3.5, 10), st.betabinom(10, 2.0, 3.5), V20,
     False),
    ("poisson", lambda: pd.Poisson.dist(3.7), st.poisson(3.7), V20, True),
    ("negbin_mu", lambda: pd.NegativeBinomial.dist(mu=4.0, alpha=2.5),
     st.nbinom(2.5, 2.5 / 6.5), V20, True),
    ("negbin_np", lambda: pd.NegativeBinomial.dist(n=3.0, p=0.4), st.nbinom(3.0, 0.4), V20, True),
    ("geometric", lambda: pd.Geometric.dist(0.25), st.geom(0.25), V20, True),
    ("discreteuniform", lambda: pd.DiscreteUniform.dist(-2, 5), st.randint(-2, 6), np.arange(-4, 8),
     True),
    ("hypergeometric", lambda: pd.HyperGeometric.dist(20, 7, 12), st.hypergeom(20, 7, 12), V20,
     False),
]


@pytest.mark.parametrize("name, make, ref, values, has_cdf", CASES, ids=[c[0] for c in CASES])
def test_logp_logcdf_vs_scipy(name, make, ref, values, has_cdf):
    rv = make()
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(logp(rv, values).eval(), ref.logpmf(values), rtol=1e-7,
                                   atol=1e-10)
        if has_cdf:
            np.testing.assert_allclose(logcdf(rv, values).eval(), ref.logcdf(values), rtol=1e-6,
                                       atol=1e-10)


def test_vectorised_parameters(rng):
    mu = rng.uniform(0.5, 5, size=(3, 1))
    values = rng.integers(0, 8, size=(3, 4))
    rv = pd.Poisson.dist(mu, shape=(3, 4))
    np.testing.assert_allclose(logp(rv, values).eval(), st.poisson(mu).logpmf(values))
    n, p = np.array([5, 10, 20]), rng.uniform(0.1, 0.9, size=(2, 3))
    rv = pd.Binomial.dist(n, p)
    assert rv.type.shape == (2, 3)
    np.testing.assert_allclose(logp(rv, np.array([2, 4, 11])).eval(),
                               st.binom(n, p).logpmf([2, 4, 11]))


def test_categorical(rng):
    p = rng.dirichlet(np.ones(4), size=3)
    values = np.array([0, 3, 2])
    rv = pd.Categorical.dist(p=p)
    assert rv.type.shape == (3,)
    np.testing.assert_allclose(logp(rv, values).eval(), np.log(p[np.arange(3), values]))
    # unnormalised p and logits agree
    np.testing.assert_allclose(logp(pd.Categorical.dist(p=p * 5.0), values).eval(),
                               np.log(p[np.arange(3), values]))
    logits = np.log(p) + 2.0
    np.testing.assert_allclose(logp(pd.Categorical.dist(logit_p=logits), values).eval(),
                               np.log(p[np.arange(3), values]))
    assert logp(rv, np.array([4, 0, -1])).eval()[[0, 2]].tolist() == [-np.inf, -np.inf]


def test_ordered_logistic():
    eta, cut = 0.4, np.array([-1.0, 0.5, 2.0])
    rv = pd.OrderedLogistic.dist(eta=eta, cutpoints=cut)
    s = sp.expit(eta - cut)
    p = np.array([1 - s[0], s[0] - s[1], s[1] - s[2], s[2]])
    np.testing.assert_allclose(np.exp(logp(rv, np.arange(4)).eval()), p)
    rv = pd.OrderedProbit.dist(eta=eta, cutpoints=cut)
    s = st.norm.cdf(eta - cut)
    np.testing.assert_allclose(np.exp(logp(rv, np.arange(4)).eval()),
                               [1 - s[0], s[0] - s[1], s[1] - s[2], s[2]])


def test_zero_inflated():
    v = np.arange(0, 10)
    psi, mu = 0.7, 2.5
    ref = np.log((1 - psi) * (v == 0) + psi * st.poisson(mu).pmf(v))
    np.testing.assert_allclose(logp(pd.ZeroInflatedPoisson.dist(psi, mu), v).eval(), ref)
    ref = np.log((1 - psi) * (v == 0) + psi * st.nbinom(2.0, 2.0 / 5.0).pmf(v))
    rv = pd.ZeroInflatedNegativeBinomial.dist(psi, mu=3.0, alpha=2.0)
    np.testing.assert_allclose(logp(rv, v).eval(), ref)
    with np.errstate(divide="ignore"):
        ref = np.log((1 - psi) * (v == 0) + psi * st.binom(8, 0.3).pmf(v))
        np.testing.assert_allclose(logp(pd.ZeroInflatedBinomial.dist(psi, 8, 0.3), v).eval(), ref)
    ref = np.log((1 - psi) + psi * st.poisson(mu).cdf(v))
    np.testing.assert_allclose(logcdf(pd.ZeroInflatedPoisson.dist(psi, mu), v).eval(), ref)


INVALID = [
    (pd.Bernoulli, lambda p: pd.Bernoulli.dist(p), 1.5, 0),
    (pd.Binomial, lambda p: pd.Binomial.dist(5, p), -0.1, 1),
    (pd.Poisson, lambda m: pd.Poisson.dist(m), -1.0, 1),
    (pd.NegativeBinomial, lambda a: pd.NegativeBinomial.dist(mu=2.0, alpha=a), -1.0, 1),
    (pd.Geometric, lambda p: pd.Geometric.dist(p), 1.5, 1),
    (pd.BetaBinomial, lambda a: pd.BetaBinomial.dist(a, 1.0, 4), -1.0, 1),
]


@pytest.mark.parametrize("cls, make, bad, value", INVALID, ids=[c[0].__name__ for c in INVALID])
def test_invalid_parameters(cls, make, bad, value):
    import probgraph.tensor as pt
    # known at build time: raises
    with pytest.raises(pd.ParameterValueError):
        make(bad)
    # symbolic: -inf
    x = pt.dscalar("x")
    lp = logp(make(x), value)
    assert lp.eval({x: bad}) == -np.inf


MOMENTS = [
    ("bernoulli", lambda **kw: pd.Bernoulli.dist(0.3, **kw), 0.3, 0.21),
    ("binomial", lambda **kw: pd.Binomial.dist(10, 0.4, **kw), 4.0, 2.4),
    ("betabinomial", lambda **kw: pd.BetaBinomial.dist(2.0, 3.0, 10, **kw), 4.0,
     st.betabinom(10, 2, 3).var()),
    ("poisson", lambda **kw: pd.Poisson.dist(3.0, **kw), 3.0, 3.0),
    ("negbin", lambda **kw: pd.NegativeBinomial.dist(mu=4.0, alpha=2.0, **kw), 4.0,
     4.0 + 16.0 / 2.0),
    ("geometric", lambda **kw: pd.Geometric.dist(0.25, **kw), 4.0, 0.75 / 0.0625),
    ("discreteuniform", lambda **kw: pd.DiscreteUniform.dist(1, 6, **kw), 3.5, 35 / 12),
    ("categorical", lambda **kw: pd.Categorical.dist([0.2, 0.5, 0.3], **kw), 1.1, 0.49),
    ("zip", lambda **kw: pd.ZeroInflatedPoisson.dist(0.6, 3.0, **kw), 1.8,
     0.6 * 3.0 * (1 + 0.4 * 3.0)),
    ("zinb", lambda **kw: pd.ZeroInflatedNegativeBinomial.dist(0.6, mu=3.0, alpha=2.0, **kw), 1.8,
     0.6 * (3.0 + 4.5 + 9.0) - 1.8 ** 2),
    ("hypergeometric", lambda **kw: pd.HyperGeometric.dist(20, 7, 12, **kw),
     st.hypergeom(20, 7, 12).mean(), st.hypergeom(20, 7, 12).var()),
]


@pytest.mark.parametrize("name, make, mean, var", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_draw_moments(name, make, mean, var):
    n = 4000
    xs = draw(make(shape=(n,)), random_seed=1)
    assert xs.shape == (n,) and xs.dtype == np.int64
    assert abs(xs.mean() - mean) < 5 * np.sqrt(var / n)
    assert abs(xs.var() - var) < 8 * var * np.sqrt(2.0 / n) + 0.05 * var


def test_draw_with_shape():
    x = draw(pd.Poisson.dist(2.0, shape=(500, 4)), random_seed=3)
    assert x.shape == (500, 4) and x.dtype == np.int64
    assert abs(x.mean() - 2.0) < 5 * np.sqrt(2.0 / 2000)
    c = draw(pd.Categorical.dist(p=np.full((2, 3), 1 / 3), shape=(100, 2)), random_seed=3)
    assert c.shape == (100, 2) and set(np.unique(c)) <= {0, 1, 2}


def test_support_points():
    import probgraph.tensor as pt  # noqa: F401
    rv = pd.Poisson.dist(3.7)
    assert int(pd.Poisson.support_point(rv, *rv.owner.inputs[1:]).eval()) == 3
    rv = pd.Categorical.dist([0.1, 0.7, 0.2])
    assert int(pd.Categorical.support_point(rv, *rv.owner.inputs[1:]).eval()) == 1
