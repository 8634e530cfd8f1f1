"""LKJCorr, LKJCholeskyCov and the Cholesky transforms: Jacobians, normalisation, draws, models,
sampling."""

import functools

import numpy as np
import pytest
import scipy.integrate as si
import scipy.stats as st
from scipy.special import betaln

import probgraph as pg
import probgraph.distributions as pd
import probgraph.tensor as pt
from probgraph.compile import function
from probgraph.distributions import logp
from probgraph.distributions.lkj import (
    CholeskyCorrTransform,
    CholeskyCovPacked,
    CorrMatrixTransform,
    LKJCorr,
    lkj_log_normalizer,
)

RNG = np.random.default_rng(11)


def _fn(f, m):
    y = pt.tensor("y", dtype="float64", shape=(m,))
    return function([y], f(y), mode="python")


def _num_jacobian(f, y, eps=1e-6):
    """Central-difference Jacobian of ``f: R^m -> R^k`` at ``y`` (k x m)."""
    cols = []
    for i in range(y.size):
        d = np.zeros(y.size)
        d[i] = eps
        cols.append((f(y + d) - f(y - d)) / (2 * eps))
    return np.array(cols).T


# ---------------------------------------------------------------------- transforms
def _strict_lower(n):
    rows, cols = np.tril_indices(n, -1)
    return lambda M: M[rows, cols]


# (id, transform, length of the unconstrained vector, free entries of the constrained value)
TRANSFORMS = [
    ("chol_corr_2", CholeskyCorrTransform(2), 1, _strict_lower(2)),
    ("chol_corr_3", CholeskyCorrTransform(3), 3, _strict_lower(3)),
    ("chol_corr_5", CholeskyCorrTransform(5), 10, _strict_lower(5)),
    ("corr_matrix_2", CorrMatrixTransform(2), 1, _strict_lower(2)),
    ("corr_matrix_3", CorrMatrixTransform(3), 3, _strict_lower(3)),
    ("corr_matrix_4", CorrMatrixTransform(4), 6, _strict_lower(4)),
    ("cov_packed_1", CholeskyCovPacked(1), 1, lambda x: x),
    ("cov_packed_3", CholeskyCovPacked(3), 6, lambda x: x),
]


@pytest.mark.parametrize("name, t, m, free", TRANSFORMS, ids=[c[0] for c in TRANSFORMS])
@pytest.mark.parametrize("scale", [0.3, 1.5])
def test_transform_jacobian_and_round_trip(name, t, m, free, scale):
    y = RNG.normal(scale=scale, size=m)
    backward = _fn(t.backward, m)
    x = backward(y)
    J = _num_jacobian(lambda v: free(backward(v)), y)
    np.testing.assert_allclose(float(_fn(t.log_jac_det, m)(y)), np.linalg.slogdet(J)[1],
                               rtol=1e-6, atol=1e-6)
    xv = pt.tensor("x", dtype="float64", shape=x.shape)
    np.testing.assert_allclose(function([xv], t.forward(xv), mode="python")(x), y, atol=1e-9)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_cholesky_corr_backward_is_a_correlation_cholesky(n):
    t = CholeskyCorrTransform(n)
    m = n * (n - 1) // 2
    for y in (RNG.normal(scale=2.0, size=m), np.zeros(m)):
        L = _fn(t.backward, m)(y)
        np.testing.assert_allclose(L, np.tril(L))
        assert np.all(np.diag(L) > 0)
        np.testing.assert_allclose((L ** 2).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(_fn(t.backward, m)(np.zeros(m)), np.eye(n))


def test_cholesky_corr_extreme_values_stay_finite():
    t = CholeskyCorrTransform(3)
    y = np.array([40.0, -40.0, 25.0])
    L = _fn(t.backward, 3)(y)
    assert np.all(np.isfinite(L))
    jac = float(_fn(t.log_jac_det, 3)(y))
    assert np.isfinite(jac)
    # log(1 - tanh(y)^2) = log(4) - 2|y| - 2 log1p(exp(-2|y|)) exactly in the tails
    w = 1.0 + (np.array([1, 2, 2]) - np.array([0, 0, 1]) - 1) / 2.0
    np.testing.assert_allclose(jac, np.sum(w * (np.log(4.0) - 2 * np.abs(y))), rtol=1e-12)
    yv = pt.tensor("y", dtype="float64", shape=(3,))
    g = function([yv], pt.grad(t.log_jac_det(yv) + pt.sum(t.backward(yv)), yv), mode="python")(y)
    assert np.all(np.isfinite(g))


def test_cov_packed_gradient_of_backward():
    t = CholeskyCovPacked(3)
    pg.verify_grad(lambda y: pt.sum(t.backward(pt.reshape(y, (6,))) ** 3), [RNG.normal(size=6)],
                   rng=RNG)


def test_transform_errors():
    with pytest.raises(ValueError, match="length 3"):
        CholeskyCorrTransform(3).backward(np.zeros(4))
    with pytest.raises(ValueError, match="at least 2"):
        CholeskyCorrTransform(1)
    with pytest.raises(ValueError, match="integer"):
        CholeskyCovPacked(2.5)


# ---------------------------------------------------------------------- LKJCorr log-density
def _corr_logp_fn(n, eta):
    C = pt.dmatrix("C")
    return function([C], logp(LKJCorr.dist(n=n, eta=eta), C), mode="python")


def _random_corr(n, size, rng):
    return LKJCorr.rng_fn(rng, n, 1.0, size=(size,))


@pytest.mark.parametrize("eta", [0.7, 1.0, 2.5])
def test_lkjcorr_normalised_n2(eta):
    f = _corr_logp_fn(2, eta)
    total, _ = si.quad(lambda r: np.exp(f(np.array([[1.0, r], [r, 1.0]]))), -1, 1)
    np.testing.assert_allclose(total, 1.0, rtol=1e-7)
    # the shape: (1 - r^2)^(eta - 1)
    lp = [float(f(np.array([[1.0, r], [r, 1.0]]))) for r in (0.0, 0.6)]
    np.testing.assert_allclose(lp[1] - lp[0], (eta - 1) * np.log(1 - 0.36), rtol=1e-12)


@functools.lru_cache
def _integral_n3(eta):
    """integral of det(C)^(eta - 1) over 3x3 correlation matrices by 3-d quadrature.

    r23 = r12 r13 + t sqrt(a), a = (1 - r12^2)(1 - r13^2), |t| < 1 covers exactly the
    positive-definite matrices (dr23 = sqrt(a) dt); r12, r13 and t are then written as sines so the
    integrand is smooth.
    """
    def integrand(w, v, u):
        r12, r13, t = np.sin(u), np.sin(v), np.sin(w)
        a = (1 - r12 ** 2) * (1 - r13 ** 2)
        r23 = r12 * r13 + t * np.sqrt(a)
        det = 1 - r12 ** 2 - r13 ** 2 - r23 ** 2 + 2 * r12 * r13 * r23
        return max(det, 0.0) ** (eta - 1) * np.sqrt(a) * np.cos(u) * np.cos(v) * np.cos(w)
    h = np.pi / 2
    return si.tplquad(integrand, -h, h, -h, h, -h, h, epsabs=1e-10, epsrel=1e-8)[0]


@pytest.mark.parametrize("eta", [1.0, 2.0, 3.5])
def test_lkjcorr_normaliser_n3_against_quadrature(eta):
    np.testing.assert_allclose(float(lkj_log_normalizer(eta, 3).eval()), -np.log(_integral_n3(eta)),
                               rtol=1e-5)
    # and the log-density itself: log c + (eta - 1) log det C at random correlation matrices
    f = _corr_logp_fn(3, eta)
    for C in _random_corr(3, 3, RNG):
        ref = -np.log(_integral_n3(eta)) + (eta - 1) * np.linalg.slogdet(C)[1]
        np.testing.assert_allclose(float(f(C)), ref, rtol=1e-5)


def test_lkjcorr_normaliser_n4_monte_carlo():
    """Volume-weighted integral over 4x4 correlation matrices by uniform sampling of the cube."""
    rng = np.random.default_rng(5)
    n, eta, draws = 4, 1.8, 200_000
    rows, cols = np.triu_indices(n, 1)
    C = np.broadcast_to(np.eye(n), (draws, n, n)).copy()
    r = rng.uniform(-1, 1, size=(draws, len(rows)))
    C[:, rows, cols] = r
    C[:, cols, rows] = r
    pd_ok = np.linalg.eigvalsh(C)[:, 0] > 0
    vals = np.where(pd_ok, np.abs(np.linalg.det(C)) ** (eta - 1), 0.0) * 2.0 ** len(rows)
    est, se = vals.mean(), vals.std() / np.sqrt(draws)
    integral = np.exp(-float(lkj_log_normalizer(eta, n).eval()))
    assert abs(est - integral) < 4 * se, (est, se, integral)


def test_lkjcorr_normaliser_uniform_volume():
    # eta = 1: the volume of 3x3 correlation matrices is pi^2 / 2
    np.testing.assert_allclose(float(lkj_log_normalizer(1.0, 3).eval()), -np.log(np.pi ** 2 / 2))


def test_lkjcorr_outside_support():
    f = _corr_logp_fn(3, 2.0)
    not_pd = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    not_unit = np.diag([1.0, 2.0, 1.0])
    not_sym = np.array([[1.0, 0.2, 0.0], [0.1, 1.0, 0.0], [0.0, 0.0, 1.0]])
    for C in (not_pd, not_unit, not_sym):
        assert f(C) == -np.inf


def test_lkjcorr_gradient_wrt_eta():
    C = _random_corr(3, 1, RNG)[0]
    pg.verify_grad(lambda eta: logp(LKJCorr.dist(n=3, eta=eta), C), [np.array(1.7)], rng=RNG)


# ---------------------------------------------------------------------- draws
@pytest.mark.parametrize("n, eta", [(2, 1.0), (3, 2.0), (4, 0.8), (5, 4.0)])
def test_lkjcorr_draws_moments_and_marginal(n, eta):
    rng = np.random.default_rng(n)
    draws = LKJCorr.rng_fn(rng, n, eta, size=(4000,))
    np.testing.assert_allclose(draws, np.swapaxes(draws, -1, -2))
    np.testing.assert_allclose(np.diagonal(draws, axis1=-2, axis2=-1), 1.0)
    assert np.all(np.linalg.eigvalsh(draws)[:, 0] > 0)
    r = draws[:, n - 1, 0]
    var = 1.0 / (2 * eta + n - 1)
    assert abs(r.mean()) < 4 * np.sqrt(var / r.size)
    assert abs(r.var() - var) < 0.1 * var
    # every off-diagonal correlation is 2 Beta(b, b) - 1 with b = eta - 1 + n / 2
    b = eta - 1 + n / 2
    for i, j in zip(*np.tril_indices(n, -1)):
        assert st.kstest((draws[:, i, j] + 1) / 2, st.beta(b, b).cdf).pvalue > 1e-3


def test_lkjcorr_pg_draw():
    C = pg.LKJCorr.dist(n=3, eta=2.0)
    assert C.type.shape == (3, 3)
    out = pg.draw(C, draws=5, random_seed=3)
    assert out.shape == (5, 3, 3)
    np.testing.assert_allclose(pg.draw(C, random_seed=3), pg.draw(C, random_seed=3))


def test_lkjcholeskycov_draws():
    n, eta = 3, 2.0
    chol, corr, stds = pg.LKJCholeskyCov.dist(eta, n, pg.Exponential.dist(1.0, shape=n))
    vals = pg.draw([chol, corr, stds], draws=2000, random_seed=4)
    L, R, S = vals
    cov = L @ np.swapaxes(L, -1, -2)
    np.testing.assert_allclose(L, np.tril(L))
    assert np.all(np.linalg.eigvalsh(cov)[:, 0] > 0)
    np.testing.assert_allclose(S, np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1)))
    np.testing.assert_allclose(np.diagonal(R, axis1=-2, axis2=-1), 1.0)
    assert abs(S.mean() - 1.0) < 4 * np.sqrt(1.0 / S.size)       # Exponential(1) scales
    var = 1.0 / (2 * eta + n - 1)
    assert abs(R[:, 2, 1].var() - var) < 0.12 * var


# ---------------------------------------------------------------------- LKJCholeskyCov log-density
def _lkjcov_reference(x, n, eta, sd_logpdf):
    """log-density of the packed covariance Cholesky ``x`` by the change of variables, with every
    Jacobian from finite differences: (sigma, free CPC-Cholesky entries) -> x, and Lc -> C."""
    rows, cols = np.tril_indices(n)
    L = np.zeros((n, n))
    L[rows, cols] = x
    sigma = np.linalg.norm(L, axis=1)
    Lc = L / sigma[:, None]
    srows, scols = np.tril_indices(n, -1)

    def lc_from_free(w):
        M = np.zeros((n, n))
        M[srows, scols] = w
        M[np.arange(n), np.arange(n)] = np.sqrt(1 - (M ** 2).sum(axis=1))
        return M

    def to_x(params):
        s, w = params[:n], params[n:]
        return (s[:, None] * lc_from_free(w))[rows, cols]

    def to_c(w):
        M = lc_from_free(w)
        return (M @ M.T)[srows, scols]

    w = Lc[srows, scols]
    C = Lc @ Lc.T
    j = np.arange(n - 1)
    log_c = -np.sum((n - 1 - j) * betaln(0.5, eta + (n - 2 - j) / 2))      # LKJ 2009, eq. (16)
    log_corr = log_c + (eta - 1) * np.linalg.slogdet(C)[1]
    log_jac_lc_to_c = np.linalg.slogdet(_num_jacobian(to_c, w))[1] if len(w) else 0.0
    log_jac_to_x = np.linalg.slogdet(_num_jacobian(to_x, np.concatenate([sigma, w])))[1]
    return log_corr + log_jac_lc_to_c + np.sum(sd_logpdf(sigma)) - log_jac_to_x


# (id, n, eta, sd_dist builder, scipy logpdf of the scales)
COV_CASES = [
    ("n1", 1, 2.0, lambda n: pg.Exponential.dist(1.5, shape=n), st.expon(scale=1 / 1.5).logpdf),
    ("n2_exp", 2, 2.0, lambda n: pg.Exponential.dist(1.0, shape=n), st.expon().logpdf),
    ("n3_halfnormal", 3, 0.8, lambda n: pg.HalfNormal.dist(2.0), st.halfnorm(scale=2.0).logpdf),
    ("n4_exp", 4, 3.0, lambda n: pg.Exponential.dist(0.5), st.expon(scale=2.0).logpdf),
]


@pytest.mark.parametrize("name, n, eta, sd, sd_logpdf", COV_CASES, ids=[c[0] for c in COV_CASES])
def test_lkjcholeskycov_logp_vs_change_of_variables(name, n, eta, sd, sd_logpdf):
    packed = pg.LKJCholeskyCov.dist(eta, n, sd(n), compute_corr=False)
    assert packed.type.shape == (n * (n + 1) // 2,)
    xv = pt.dvector("x")
    f = function([xv], logp(packed, pt.reshape(xv, packed.type.shape)), mode="python")
    rng = np.random.default_rng(n)
    for x in pg.draw(packed, draws=3, random_seed=rng):
        np.testing.assert_allclose(float(f(x)), _lkjcov_reference(x, n, eta, sd_logpdf),
                                   rtol=1e-6, atol=1e-6)
    bad = pg.draw(packed, random_seed=1)
    bad[0] = -bad[0]                       # a negative diagonal entry
    assert f(bad) == -np.inf


def test_lkjcholeskycov_normalised_n2_along_scales():
    """With n = 2 and exponential scales, integrating over the packed entries gives one."""
    packed = pg.LKJCholeskyCov.dist(1.5, 2, pg.Exponential.dist(2.0), compute_corr=False)
    xv = pt.dvector("x")
    f = function([xv], logp(packed, pt.reshape(xv, (3,))), mode="python")
    # in the coordinates (s0, s1, r) the packed entries are (s0, s1 r, s1 sqrt(1 - r^2)), |J| = s1 /
    # sqrt(1 - r^2): integrate the log-density over r for fixed scales and compare with p(s0) p(s1)
    s0, s1 = 0.7, 1.3
    dens = si.quad(lambda r: np.exp(f(np.array([s0, s1 * r, s1 * np.sqrt(1 - r * r)])))
                   * s1 / np.sqrt(1 - r * r), -1, 1)[0]
    np.testing.assert_allclose(dens, st.expon(scale=0.5).pdf(s0) * st.expon(scale=0.5).pdf(s1),
                               rtol=1e-7)


# ---------------------------------------------------------------------- in a model
def test_lkjcholeskycov_in_model():
    n = 3
    with pg.Model() as m:
        chol, corr, stds = pg.LKJCholeskyCov("chol", eta=2.0, n=n,
                                             sd_dist=pg.Exponential.dist(1.0, shape=n))
        pg.MvNormal("x", mu=np.zeros(n), chol=chol, observed=RNG.normal(size=(5, n)))
    assert [v.name for v in m.value_vars] == ["chol_cholesky-cov-packed__"]
    assert [d.name for d in m.deterministics] == ["chol_corr", "chol_stds"]
    point = m.initial_point()
    np.testing.assert_allclose(point["chol_cholesky-cov-packed__"], 0.0)   # identity at sd mode 1
    assert np.isfinite(m.compile_logp(mode="python")(point))
    assert np.all(np.isfinite(m.compile_dlogp(mode="python")(point)))
    # at a random point: chol @ chol.T is a covariance, corr and stds agree with it
    q = {"chol_cholesky-cov-packed__": RNG.normal(size=6)}
    L, R, S = m.compile_fn([chol, corr, stds], mode="python")(q)
    cov = L @ L.T
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    np.testing.assert_allclose(S, np.sqrt(np.diag(cov)))
    np.testing.assert_allclose(R, cov / np.outer(S, S))
    # the model's term is the family's logp at the constrained value plus the diagonal's
    # log-Jacobian
    packed = m["chol"]
    xval = m.compile_fn(packed, mode="python")(q)
    direct = float(logp(packed, xval).eval())
    diag = np.cumsum(np.arange(1, n + 1)) - 1
    terms = m.compile_fn(m.logp(vars=[packed]), mode="python")(q)
    np.testing.assert_allclose(float(terms), direct + q["chol_cholesky-cov-packed__"][diag].sum())


def test_lkjcorr_in_model_gradient():
    with pg.Model() as m:
        eta = pg.Exponential("eta", 1.0)
        pg.LKJCorr("C", n=3, eta=eta)
    assert [v.name for v in m.value_vars] == ["eta_log__", "C_cholesky-corr__"]
    point = m.initial_point()
    np.testing.assert_allclose(point["C_cholesky-corr__"], 0.0)
    logp_fn = m.compile_logp(mode="python")
    dlogp_fn = m.compile_dlogp(mode="python")
    q = {"eta_log__": np.array(0.3), "C_cholesky-corr__": RNG.normal(size=3)}
    flat = np.concatenate([np.atleast_1d(q["eta_log__"]), q["C_cholesky-corr__"]])

    def f(v):
        return float(logp_fn({"eta_log__": v[0], "C_cholesky-corr__": v[1:]}))
    num = np.array([(f(flat + d) - f(flat - d)) / 2e-6 for d in np.eye(4) * 1e-6])
    np.testing.assert_allclose(dlogp_fn(q), num, rtol=1e-5, atol=1e-6)


def test_lkjcholeskycov_dist_returns_triple():
    chol, corr, stds = pg.LKJCholeskyCov.dist(2.0, 2, pg.HalfNormal.dist(1.0))
    assert chol.type.shape == (2, 2) and corr.type.shape == (2, 2) and stds.type.shape == (2,)


def test_errors():
    with pytest.raises(ValueError, match="integer"):
        pg.LKJCorr.dist(n=2.5, eta=1.0)
    with pytest.raises(NotImplementedError, match="return_matrix"):
        pg.LKJCorr.dist(n=3, eta=1.0, return_matrix=False)
    with pytest.raises(NotImplementedError, match="scalar"):
        pg.LKJCorr.dist(n=3, eta=np.ones(2))
    with pytest.raises(pd.ParameterValueError):
        pg.LKJCorr.dist(n=3, eta=-1.0)
    with pytest.raises(NotImplementedError, match="single 3x3 matrix"):
        pg.LKJCorr.dist(n=3, eta=2.0, size=4)
    with pytest.raises(NotImplementedError, match="single matrix"):
        pg.LKJCholeskyCov.dist(2.0, 3, pg.HalfNormal.dist(1.0), size=4)
    with pytest.raises(TypeError, match=r"\.dist"):
        pg.LKJCholeskyCov.dist(2.0, 3, sd_dist=1.0)
    with pytest.raises(ValueError, match="length n=3"):
        pg.LKJCholeskyCov.dist(2.0, 3, sd_dist=pg.Exponential.dist(1.0, shape=2))
    with pytest.raises(NotImplementedError, match="univariate"):
        pg.LKJCholeskyCov.dist(2.0, 2, sd_dist=pg.Dirichlet.dist(np.ones(2)))
    with pg.Model():
        s = pg.Exponential("s", 1.0, shape=2)
        with pytest.raises(ValueError, match="model variable"):
            pg.LKJCholeskyCov("c", eta=2.0, n=2, sd_dist=s)


# ---------------------------------------------------------------------- sampling (numba)
@pytest.mark.slow
def test_sample_lkjcholeskycov_mvnormal():
    rng = np.random.default_rng(0)
    obs = rng.multivariate_normal(np.zeros(2), [[1.0, 0.5], [0.5, 2.0]], size=20)
    with pg.Model() as m:
        chol, _, _ = pg.LKJCholeskyCov("chol", eta=2.0, n=2,
                                             sd_dist=pg.Exponential.dist(1.0, shape=2))
        pg.MvNormal("x", mu=np.zeros(2), chol=chol, observed=obs)
    idata = pg.sample(draws=200, tune=200, chains=2, cores=1, random_seed=1, progressbar=False,
                      compute_convergence_checks=False, model=m)
    post = idata.posterior
    assert post["chol_corr"].shape == (2, 200, 2, 2)
    assert np.all(np.isfinite(post["chol_stds"].values))
    assert int(idata.sample_stats["diverging"].sum()) == 0


@pytest.mark.slow
def test_sample_lkjcorr_prior_moments():
    """NUTS on the LKJ prior alone recovers Var[r] = 1/(2 eta + n - 1): checks transform +
    Jacobian."""
    with pg.Model() as m:
        pg.LKJCorr("C", n=3, eta=2.0)
    idata = pg.sample(draws=1000, tune=500, chains=2, cores=1, random_seed=2, progressbar=False,
                      compute_convergence_checks=False, model=m)
    r = idata.posterior["C"].values.reshape(-1, 3, 3)[:, 2, 0]
    assert abs(r.mean()) < 0.06
    np.testing.assert_allclose(r.var(), 1.0 / 6.0, rtol=0.15)
