"""Mixture and NormalMixture: logp against a numpy logsumexp, logcdf, draws, and use inside a
model."""

import numpy as np
import pytest
import scipy.stats as st
from scipy.special import logsumexp

import probgraph.distributions as pd
from probgraph.distributions import logcdf, logp
from probgraph.predictive import draw

W = np.array([0.2, 0.5, 0.3])
MU, SIGMA = np.array([-2.0, 0.0, 3.0]), np.array([0.5, 1.0, 2.0])
V = np.linspace(-4, 6, 7)

CASES = [
    ("list", lambda: pd.Mixture.dist(W, [pd.Normal.dist(m, s) for m, s in zip(MU, SIGMA)])),
    ("batched", lambda: pd.Mixture.dist(W, pd.Normal.dist(MU, SIGMA))),
    ("normalmixture", lambda: pd.NormalMixture.dist(W, MU, SIGMA)),
    ("unnormalised_w", lambda: pd.NormalMixture.dist(W * 4.0, MU, SIGMA)),
]


@pytest.mark.parametrize("name, make", CASES, ids=[c[0] for c in CASES])
def test_logp_logcdf(name, make):
    rv = make()
    ref = logsumexp(np.log(W) + st.norm(MU, SIGMA).logpdf(V[:, None]), axis=-1)
    np.testing.assert_allclose(logp(rv, V).eval(), ref)
    ref = logsumexp(np.log(W) + st.norm(MU, SIGMA).logcdf(V[:, None]), axis=-1)
    np.testing.assert_allclose(logcdf(rv, V).eval(), ref)


def test_mixed_families_and_batch():
    w = np.array([[0.3, 0.7], [0.6, 0.4]])
    rv = pd.Mixture.dist(w, [pd.Normal.dist(0.0, 1.0), pd.StudentT.dist(3.0, 1.0, 2.0)])
    assert rv.type.shape == (2,)
    v = np.array([0.5, -1.0])
    ref = logsumexp(np.log(w) + np.stack([st.norm(0, 1).logpdf(v), st.t(3, 1, 2).logpdf(v)], -1),
                    -1)
    np.testing.assert_allclose(logp(rv, v).eval(), ref)


def test_discrete_and_multivariate_components():
    rv = pd.Mixture.dist([0.4, 0.6], [pd.Poisson.dist(1.0), pd.Poisson.dist(6.0)])
    assert rv.dtype == "int64"
    k = np.arange(10)
    ref = np.log(0.4 * st.poisson(1).pmf(k) + 0.6 * st.poisson(6).pmf(k))
    np.testing.assert_allclose(logp(rv, k).eval(), ref)
    comps = [pd.MvNormal.dist(np.zeros(2), cov=np.eye(2)),
             pd.MvNormal.dist(np.full(2, 3.0), cov=np.eye(2))]
    rv = pd.Mixture.dist([0.5, 0.5], comps)
    assert rv.type.shape == (2,)
    x = np.array([[0.1, 0.2], [3.0, 2.5]])
    ref = np.log(0.5 * st.multivariate_normal(np.zeros(2)).pdf(x)
                 + 0.5 * st.multivariate_normal(np.full(2, 3.0)).pdf(x))
    np.testing.assert_allclose(logp(rv, x).eval(), ref)


def test_invalid_weights():
    with pytest.raises(pd.ParameterValueError):
        pd.NormalMixture.dist([-0.5, 1.5], [0.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="2 weights for 3 components"):
        pd.Mixture.dist([0.5, 0.5], [pd.Normal.dist()] * 3)


def test_draw_moments():
    n = 6000
    x = draw(pd.NormalMixture.dist(W, MU, SIGMA, shape=(n,)), random_seed=5)
    mean = W @ MU
    var = W @ (SIGMA ** 2 + MU ** 2) - mean ** 2
    assert x.shape == (n,)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / n)
    assert abs(x.var() - var) < 0.1 * var


def test_in_model():
    import probgraph as pg  # noqa: F401
    from probgraph.model import Model
    with Model() as m:
        w = pd.Dirichlet("w", np.ones(3))
        y = pd.NormalMixture("y", w, MU, SIGMA, observed=V)
    point = m.initial_point()
    np.testing.assert_allclose(point["w_simplex__"], 0.0, atol=1e-12)
    vals = {m.rvs_to_values[w]: point["w_simplex__"]}
    ref = logsumexp(np.log(np.ones(3) / 3) + st.norm(MU, SIGMA).logpdf(V[:, None]), axis=-1).sum()
    terms = m.logp(sum=False, jacobian=False)
    np.testing.assert_allclose(float(terms[1].sum().eval(vals)), ref)
    assert y.name == "y"
