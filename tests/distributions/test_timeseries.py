"""GaussianRandomWalk and AR: logp against hand-written numpy/scipy formulas, shapes, and draw
moments."""

import numpy as np
import pytest
import scipy.stats as st

import probgraph.distributions as pd
from probgraph.distributions import logp
from probgraph.predictive import draw


def grw_ref(x, mu, sigma, init):
    return init.logpdf(x[..., 0]) + st.norm(mu, sigma).logpdf(np.diff(x, axis=-1)).sum(-1)


def ar_ref(x, rho, sigma, init, constant=False):
    c, coef = (rho[0], rho[1:]) if constant else (0.0, rho)
    p = len(coef)
    mean = c + sum(coef[i - 1] * x[..., p - i:x.shape[-1] - i] for i in range(1, p + 1))
    return init.logpdf(x[..., :p]).sum(-1) + st.norm(mean, sigma).logpdf(x[..., p:]).sum(-1)


@pytest.mark.parametrize("kwargs, shape", [
    (dict(mu=0.3, sigma=1.5, steps=6), (7,)),
    (dict(mu=0.0, sigma=1.0, shape=(3, 5)), (3, 5)),
    (dict(mu=-0.2, sigma=2.0, steps=4, size=(2,)), (2, 5)),
])
def test_grw_logp(rng, kwargs, shape):
    init = pd.Normal.dist(1.0, 2.0)
    rv = pd.GaussianRandomWalk.dist(init_dist=init, **kwargs)
    assert rv.type.shape == shape
    x = rng.normal(size=shape).cumsum(-1)
    np.testing.assert_allclose(logp(rv, x).eval(),
                               grw_ref(x, kwargs["mu"], kwargs["sigma"], st.norm(1.0, 2.0)))


def test_grw_batched_params(rng):
    sigma = np.array([0.5, 1.0, 2.0])
    rv = pd.GaussianRandomWalk.dist(mu=0.0, sigma=sigma, steps=8)
    assert rv.type.shape == (3, 9)
    x = rng.normal(size=(3, 9))
    np.testing.assert_allclose(logp(rv, x).eval(),
                               grw_ref(x, 0.0, sigma[:, None], st.norm(0.0, 100.0)))


def test_grw_draws():
    n, steps = 4000, 10
    x = draw(pd.GaussianRandomWalk.dist(0.5, 2.0, init_dist=pd.Normal.dist(0.0, 1.0), steps=steps,
                                        size=(n,)), random_seed=1)
    assert x.shape == (n, steps + 1)
    d = np.diff(x, axis=-1)
    assert abs(d.mean() - 0.5) < 5 * 2.0 / np.sqrt(d.size)
    np.testing.assert_allclose(d.std(), 2.0, rtol=0.03)
    np.testing.assert_allclose(x[:, -1].var(), 1.0 + 4.0 * steps, rtol=0.1)


@pytest.mark.parametrize("rho, constant", [([0.6], False), ([0.5, -0.3], False),
                                           ([1.0, 0.4, 0.2], True)])
def test_ar_logp(rng, rho, constant):
    init = pd.Normal.dist(0.0, 3.0)
    rv = pd.AR.dist(rho=rho, sigma=0.8, init_dist=init, constant=constant, steps=15)
    p = len(rho) - constant
    assert rv.type.shape == (15 + p,)
    x = rng.normal(size=15 + p)
    np.testing.assert_allclose(logp(rv, x).eval(),
                               ar_ref(x, np.array(rho), 0.8, st.norm(0, 3.0), constant))
    # a batch of series through shape=
    rv = pd.AR.dist(rho=rho, sigma=0.8, init_dist=init, constant=constant, shape=(2, 12))
    x = rng.normal(size=(2, 12))
    np.testing.assert_allclose(logp(rv, x).eval(),
                               ar_ref(x, np.array(rho), 0.8, st.norm(0, 3.0), constant))


def test_ar_draws_stationary_variance():
    rho, sigma, n = 0.7, 1.0, 400
    x = draw(pd.AR.dist(rho=[rho], sigma=sigma,
                        init_dist=pd.Normal.dist(0.0, sigma / np.sqrt(1 - rho ** 2)),
                        steps=30, size=(n,)), random_seed=2)
    assert x.shape == (n, 31)
    np.testing.assert_allclose(x[:, -1].var(), sigma ** 2 / (1 - rho ** 2), rtol=0.2)
    lag1 = np.corrcoef(x[:, -1], x[:, -2])[0, 1]
    assert abs(lag1 - rho) < 0.1


def test_errors():
    with pytest.raises(ValueError, match="steps= or shape="):
        pd.GaussianRandomWalk.dist(0.0, 1.0)
    with pytest.raises(ValueError, match="ar_order"):
        pd.AR.dist(rho=[0.5, 0.2], ar_order=3, steps=5)
