"""Multivariate distributions: logp against scipy.stats, invalid parameters, draw moments, zero-sum
transform."""

import numpy as np
import pytest
import scipy.stats as st

import probgraph.distributions as pd
import probgraph.tensor as pt
from probgraph.distributions import logp
from probgraph.predictive import draw

RNG = np.random.default_rng(7)
_A = RNG.normal(size=(3, 3))
COV = _A @ _A.T + np.eye(3)
MU = RNG.normal(size=3)
ALPHA = np.array([0.7, 2.0, 3.5])
P = np.array([0.2, 0.3, 0.5])

# (id, builder, scipy logpdf of one row, values)
CASES = [
    ("mvnormal_cov", lambda: pd.MvNormal.dist(MU, cov=COV), st.multivariate_normal(MU, COV).logpdf,
     RNG.normal(size=(4, 2, 3))),
    ("mvnormal_chol", lambda: pd.MvNormal.dist(MU, chol=np.linalg.cholesky(COV)),
     st.multivariate_normal(MU, COV).logpdf, RNG.normal(size=(5, 3))),
    ("mvnormal_tau", lambda: pd.MvNormal.dist(MU, tau=np.linalg.inv(COV)),
     st.multivariate_normal(MU, COV).logpdf, RNG.normal(size=3)),
    ("mvnormal_scalar_mu", lambda: pd.MvNormal.dist(0.5, cov=COV),
     st.multivariate_normal(np.full(3, 0.5), COV).logpdf, RNG.normal(size=(2, 3))),
    ("mvstudentt", lambda: pd.MvStudentT.dist(4.5, mu=MU, scale=COV),
     st.multivariate_t(MU, COV, df=4.5).logpdf, RNG.normal(size=(3, 3))),
    ("dirichlet", lambda: pd.Dirichlet.dist(ALPHA), st.dirichlet(ALPHA).logpdf,
     RNG.dirichlet(ALPHA, size=4)),
    ("multinomial", lambda: pd.Multinomial.dist(9, P), st.multinomial(9, P).logpmf,
     RNG.multinomial(9, P, size=4)),
]


def _rows(f, values):
    v = np.asarray(values)
    return np.array([f(r) for r in v.reshape(-1, v.shape[-1])]).reshape(v.shape[:-1])


@pytest.mark.parametrize("name, make, ref, values", CASES, ids=[c[0] for c in CASES])
def test_logp_vs_scipy(name, make, ref, values):
    np.testing.assert_allclose(logp(make(), values).eval(), _rows(ref, values), rtol=1e-8)


def test_batched_mean():
    mus = RNG.normal(size=(4, 3))
    x = RNG.normal(size=(4, 3))
    rv = pd.MvNormal.dist(mus, cov=COV)
    assert rv.type.shape == (4, 3)
    ref = [st.multivariate_normal(m, COV).logpdf(v) for m, v in zip(mus, x)]
    np.testing.assert_allclose(logp(rv, x).eval(), ref)


def test_invalid_parameters():
    with pytest.raises(pd.ParameterValueError):
        pd.MvNormal.dist(MU, cov=-np.eye(3))
    with pytest.raises(pd.ParameterValueError):
        pd.Dirichlet.dist([1.0, -1.0])
    cov = pt.dmatrix("cov")
    lp = logp(pd.MvNormal.dist(MU, cov=cov), MU)
    assert lp.eval({cov: -np.eye(3)}) == -np.inf
    a = pt.dvector("a")
    assert logp(pd.Dirichlet.dist(a), P).eval({a: [1.0, 0.0, 2.0]}) == -np.inf
    assert logp(pd.Multinomial.dist(9, P), [3, 3, 4]).eval() == -np.inf   # counts do not sum to n
    with pytest.raises(ValueError, match="exactly one of cov, chol and tau"):
        pd.MvNormal.dist(MU)


MOMENTS = [
    ("mvnormal", lambda **kw: pd.MvNormal.dist(MU, cov=COV, **kw), MU, np.diag(COV)),
    ("mvstudentt", lambda **kw: pd.MvStudentT.dist(6.0, mu=MU, scale=COV, **kw), MU,
     np.diag(COV) * 6.0 / 4.0),
    ("dirichlet", lambda **kw: pd.Dirichlet.dist(ALPHA, **kw), ALPHA / ALPHA.sum(),
     st.dirichlet(ALPHA).var()),
    ("multinomial", lambda **kw: pd.Multinomial.dist(9, P, **kw), 9 * P, 9 * P * (1 - P)),
    ("zerosum", lambda **kw: pd.ZeroSumNormal.dist(2.0, shape=(kw["shape"][0], 3)), np.zeros(3),
     np.full(3, 4.0 * 2 / 3)),
]


@pytest.mark.parametrize("name, make, mean, var", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_draw_moments(name, make, mean, var):
    n = 4000
    xs = draw(make(shape=(n, 3)), random_seed=2)
    assert xs.shape == (n, 3)
    np.testing.assert_array_less(np.abs(xs.mean(0) - mean), 5 * np.sqrt(var / n) + 1e-12)
    np.testing.assert_allclose(xs.var(0), var, rtol=0.15)


def test_mvnormal_covariance_of_draws():
    xs = draw(pd.MvNormal.dist(MU, cov=COV, shape=(20000, 3)), random_seed=3)
    np.testing.assert_allclose(np.cov(xs.T), COV, atol=0.1 * np.abs(COV).max())


@pytest.mark.parametrize("axes, shape", [(1, (6,)), (1, (2, 5)), (2, (4, 3))])
def test_zero_sum_normal(axes, shape):
    sigma = 1.7
    rv = pd.ZeroSumNormal.dist(sigma, n_zerosum_axes=axes, shape=shape)
    x = draw(rv, random_seed=4)
    for a in range(-axes, 0):
        np.testing.assert_allclose(x.sum(a), 0.0, atol=1e-12)
    tr = pd.ZeroSumTransform(axes)
    y = tr.forward(x).eval()
    assert y.shape == tuple(s - (i >= len(shape) - axes) for i, s in enumerate(shape))
    np.testing.assert_allclose(tr.backward(y).eval(), x, atol=1e-12)
    # the backward map is an isometry, so the density is a standard normal on the free coordinates
    ref = st.norm(0, sigma).logpdf(y).sum(axis=tuple(range(-axes, 0)))
    np.testing.assert_allclose(logp(rv, x).eval(), ref)
    assert np.all(logp(rv, x + 0.1).eval() == -np.inf)


def test_zero_sum_needs_shape():
    with pytest.raises(ValueError, match="shape="):
        pd.ZeroSumNormal.dist(1.0)


@pytest.mark.parametrize("value_shape", [(3,), (5, 3)])
@pytest.mark.parametrize("mode", ["python", "numba"])
def test_mvnormal_with_a_symbolic_cholesky_factor(value_shape, mode):
    """A Cholesky factor that is a graph input takes the triangular-solve path (not the folded
    inverse); logp against scipy and its gradient in the factor against finite differences."""
    import probgraph as pg

    L = pt.dmatrix("L", shape=(3, 3))
    x = RNG.normal(size=value_shape)
    lp = logp(pd.MvNormal.dist(MU, chol=L), x).sum()
    f = pg.function([L], [lp, pg.grad(lp, L)], mode=mode)
    chol = np.linalg.cholesky(COV)
    val, g = f(chol)
    np.testing.assert_allclose(val, _rows(st.multivariate_normal(MU, COV).logpdf, x).sum(),
                               rtol=1e-10)
    eps, num = 1e-6, np.zeros((3, 3))
    for i in range(3):
        for j in range(i + 1):
            d = np.zeros((3, 3))
            d[i, j] = eps
            num[i, j] = (f(chol + d)[0] - f(chol - d)[0]) / (2 * eps)
    np.testing.assert_allclose(np.tril(g), num, rtol=1e-5, atol=1e-7)
