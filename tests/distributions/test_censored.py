"""Censored and Truncated wrappers: logp/logcdf against scipy, draws, and errors."""

import numpy as np
import pytest
import scipy.stats as st

import probgraph.distributions as pd
from probgraph.distributions import logcdf, logp
from probgraph.predictive import draw

V = np.array([-3.0, -1.0, 0.0, 0.7, 1.5, 2.0])
BASES = [
    ("normal", lambda: pd.Normal.dist(0.5, 2.0), st.norm(0.5, 2.0)),
    ("gumbel", lambda: pd.Gumbel.dist(0.0, 1.5), st.gumbel_r(0.0, 1.5)),
]


@pytest.mark.parametrize("name, make, ref", BASES, ids=[b[0] for b in BASES])
def test_censored_logp(name, make, ref):
    rv = pd.Censored.dist(make(), lower=-1.0, upper=1.5)
    expect = np.where(V == -1.0, ref.logcdf(-1.0),
                      np.where(V == 1.5, ref.logsf(1.5), ref.logpdf(V)))
    expect = np.where((V < -1.0) | (V > 1.5), -np.inf, expect)
    np.testing.assert_allclose(logp(rv, V).eval(), expect)


@pytest.mark.parametrize("name, make, ref", BASES, ids=[b[0] for b in BASES])
def test_truncated_logp_logcdf(name, make, ref):
    rv = pd.Truncated.dist(make(), lower=-1.0, upper=1.5)
    mass = ref.cdf(1.5) - ref.cdf(-1.0)
    inside = (V >= -1.0) & (V <= 1.5)
    with np.errstate(divide="ignore"):
        expect = np.where(inside, ref.logpdf(V) - np.log(mass), -np.inf)
        np.testing.assert_allclose(logp(rv, V).eval(), expect)
        cdf = np.clip((ref.cdf(V) - ref.cdf(-1.0)) / mass, 0, 1)
        np.testing.assert_allclose(logcdf(rv, V).eval(), np.log(cdf), atol=1e-12)


def test_one_sided_and_vectorised():
    lower = np.array([0.0, 1.0, -2.0])
    rv = pd.Truncated.dist(pd.Normal.dist(0.0, 1.0), lower=lower)
    assert rv.type.shape == (3,)
    v = np.array([0.5, 1.2, -1.0])
    np.testing.assert_allclose(logp(rv, v).eval(), st.norm.logpdf(v) - st.norm.logsf(lower))
    rv = pd.Censored.dist(pd.Normal.dist(0.0, 1.0, shape=(3,)), lower=None, upper=1.0)
    assert rv.type.shape == (3,)
    np.testing.assert_allclose(logp(rv, [1.0, 0.0, -5.0]).eval(),
                               [st.norm.logsf(1.0), st.norm.logpdf(0.0), st.norm.logpdf(-5.0)])


def test_discrete_truncation():
    rv = pd.Truncated.dist(pd.Poisson.dist(3.0), lower=2, upper=6)
    assert rv.dtype == "int64"
    k = np.arange(9)
    mass = st.poisson(3).cdf(6) - st.poisson(3).cdf(1)
    with np.errstate(divide="ignore"):
        expect = np.where((k >= 2) & (k <= 6), st.poisson(3).logpmf(k) - np.log(mass), -np.inf)
    np.testing.assert_allclose(logp(rv, k).eval(), expect)
    x = draw(pd.Truncated.dist(pd.Poisson.dist(3.0, shape=(2000,)), lower=2, upper=6),
             random_seed=1)
    assert x.min() >= 2 and x.max() <= 6 and x.dtype == np.int64


def test_draw_moments():
    n = 4000
    ref = st.truncnorm(-0.75, 0.5, loc=0.5, scale=2.0)
    x = draw(pd.Truncated.dist(pd.Normal.dist(0.5, 2.0, shape=(n,)), -1.0, 1.5), random_seed=2)
    assert x.min() >= -1.0 and x.max() <= 1.5
    assert abs(x.mean() - ref.mean()) < 5 * ref.std() / np.sqrt(n)
    ref_c = np.clip(st.norm(0.5, 2.0).rvs(200000, random_state=3), -1.0, 1.5)
    c = draw(pd.Censored.dist(pd.Normal.dist(0.5, 2.0, shape=(n,)), -1.0, 1.5), random_seed=2)
    assert abs(c.mean() - ref_c.mean()) < 5 * ref_c.std() / np.sqrt(n)
    assert abs((c == -1.0).mean() - st.norm(0.5, 2.0).cdf(-1.0)) < 0.03


def test_errors_and_transform():
    with pytest.raises(pd.ParameterValueError):
        pd.Truncated.dist(pd.Normal.dist(), lower=2.0, upper=1.0)
    with pytest.raises(TypeError, match=r"\.dist\(\.\.\.\)"):
        pd.Censored.dist(1.0, lower=0.0)
    rv = pd.Truncated.dist(pd.Normal.dist(), lower=0.0, upper=2.0)
    tr = rv.owner.op.dist.get_default_transform(rv.owner.inputs[1:])
    assert float(tr.backward(0.0, *rv.owner.inputs[1:]).eval()) == 1.0
