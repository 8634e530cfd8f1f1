"""Continuous distributions against scipy.stats: logp, logcdf, draws, invalid parameters,
gradients."""

import numpy as np
import pytest
import scipy.stats as st

import probgraph.tensor as pt
from probgraph import distributions as D
from probgraph.distributions.dist_math import ParameterValueError
from probgraph.predictive import draw
from probgraph.tensor.grad import verify_grad

R = (-2.0, 2.0)      # any real
P = (0.5, 3.0)       # positive


class _HalfT:
    def __init__(self, nu, sigma):
        self.t = st.t(nu, 0, sigma)

    def logpdf(self, x):
        return np.where(x >= 0, np.log(2) + self.t.logpdf(x), -np.inf)

    def logcdf(self, x):
        return np.log(2 * self.t.cdf(x) - 1)

    def rvs(self, size=None, random_state=None):
        return np.abs(self.t.rvs(size=size, random_state=random_state))

    def cdf(self, x):
        return 2 * self.t.cdf(x) - 1

    def stats(self, moments):
        return None


class _Kumaraswamy:
    def __init__(self, a, b):
        self.a, self.b = a, b

    def logpdf(self, x):
        a, b = self.a, self.b
        return np.log(a) + np.log(b) + (a - 1) * np.log(x) + (b - 1) * np.log1p(-x ** a)

    def cdf(self, x):
        return 1 - (1 - x ** self.a) ** self.b

    def logcdf(self, x):
        return np.log(self.cdf(x))

    def rvs(self, size=None, random_state=None):
        u = random_state.uniform(size=size)
        return (1 - (1 - u) ** (1 / self.b)) ** (1 / self.a)

    def stats(self, moments):
        return None


# family, parameter ranges, scipy reference, has logcdf, a value outside the support (or None)
CASES = [
    (D.Normal, {"mu": R, "sigma": P}, lambda mu, sigma: st.norm(mu, sigma), True, None),
    (D.HalfNormal, {"sigma": P}, lambda sigma: st.halfnorm(scale=sigma), True, -1.0),
    (D.TruncatedNormal, {"mu": R, "sigma": P, "lower": (-3.0, -1.0), "upper": (1.0, 3.0)},
     lambda mu, sigma, lower,
     upper: st.truncnorm((lower - mu) / sigma, (upper - mu) / sigma, mu, sigma),
     True, 5.0),
    (D.StudentT, {"nu": (5.0, 10.0), "mu": R, "sigma": P}, lambda nu, mu,
     sigma: st.t(nu, mu, sigma),
     True, None),
    (D.HalfStudentT, {"nu": (5.0, 10.0), "sigma": P}, _HalfT, True, -1.0),
    (D.Cauchy, {"alpha": R, "beta": P}, lambda alpha, beta: st.cauchy(alpha, beta), True, None),
    (D.HalfCauchy, {"beta": P}, lambda beta: st.halfcauchy(scale=beta), True, -1.0),
    (D.Laplace, {"mu": R, "b": P}, lambda mu, b: st.laplace(mu, b), True, None),
    (D.Logistic, {"mu": R, "s": P}, lambda mu, s: st.logistic(mu, s), True, None),
    (D.Exponential, {"lam": P}, lambda lam: st.expon(scale=1 / lam), True, -1.0),
    (D.Gamma, {"alpha": P, "beta": P}, lambda alpha, beta: st.gamma(alpha, scale=1 / beta), True,
     -1.0),
    (D.InverseGamma, {"alpha": (4.5, 6.0), "beta": P},
     lambda alpha, beta: st.invgamma(alpha, scale=beta), True, -1.0),
    (D.Weibull, {"alpha": P, "beta": P}, lambda alpha, beta: st.weibull_min(alpha, scale=beta),
     True,
     -1.0),
    (D.LogNormal, {"mu": (-1.0, 1.0), "sigma": (0.2, 0.8)},
     lambda mu, sigma: st.lognorm(sigma, scale=np.exp(mu)), True, -1.0),
    (D.Beta, {"alpha": P, "beta": P}, lambda alpha, beta: st.beta(alpha, beta), True, 1.5),
    (D.Kumaraswamy, {"a": P, "b": P}, _Kumaraswamy, True, 1.5),
    (D.Uniform, {"lower": (-3.0, -1.0), "upper": (1.0, 3.0)},
     lambda lower, upper: st.uniform(lower, upper - lower), True, 4.0),
    (D.VonMises, {"mu": (-1.0, 1.0), "kappa": P}, lambda mu, kappa: st.vonmises(kappa, loc=mu),
     False,
     4.0),
    (D.SkewNormal, {"mu": R, "sigma": P, "alpha": R},
     lambda mu, sigma, alpha: st.skewnorm(alpha, mu, sigma), False, None),
    (D.ExGaussian, {"mu": R, "sigma": P, "nu": P},
     lambda mu, sigma, nu: st.exponnorm(nu / sigma, mu, sigma), True, None),
    (D.Pareto, {"alpha": (4.5, 6.0), "m": P}, lambda alpha, m: st.pareto(alpha, scale=m), True,
     0.1),
    (D.ChiSquared, {"nu": (1.0, 6.0)}, lambda nu: st.chi2(nu), True, -1.0),
    (D.Wald, {"mu": P, "lam": P}, lambda mu, lam: st.invgauss(mu / lam, scale=lam), True, -1.0),
    (D.Gumbel, {"mu": R, "beta": P}, lambda mu, beta: st.gumbel_r(mu, beta), True, None),
    (D.AsymmetricLaplace, {"b": P, "kappa": P, "mu": R},
     lambda b, kappa, mu: st.laplace_asymmetric(kappa, loc=mu, scale=1 / b), True, None),
]
IDS = [c[0].__name__ for c in CASES]
# a constrained parameter of each family (for the invalid-parameter tests)
CONSTRAINED = {"Normal": "sigma", "HalfNormal": "sigma", "TruncatedNormal": "upper",
               "StudentT": "nu",
               "HalfStudentT": "sigma", "Cauchy": "beta", "HalfCauchy": "beta", "Laplace": "b",
               "Logistic": "s", "Exponential": "lam", "Gamma": "alpha", "InverseGamma": "beta",
               "Weibull": "alpha", "LogNormal": "sigma", "Beta": "beta", "Kumaraswamy": "a",
               "Uniform": "upper", "VonMises": "kappa", "SkewNormal": "sigma", "ExGaussian": "nu",
               "Pareto": "m", "ChiSquared": "nu", "Wald": "lam", "Gumbel": "beta",
               "AsymmetricLaplace": "kappa"}


def _params(ranges, rng, shape=()):
    return {k: rng.uniform(lo, hi, size=shape) for k, (lo, hi) in ranges.items()}


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("shape", [(), (3,)], ids=["scalar", "vector"])
def test_logp_and_logcdf_match_scipy(case, shape, rng):
    family, ranges, ref, has_cdf, _ = case
    params = _params(ranges, rng, shape)
    frozen = ref(**params)
    values = frozen.rvs(size=(4, *shape), random_state=rng)
    rv = family.dist(**params)
    np.testing.assert_allclose(D.logp(rv, values).eval(), frozen.logpdf(values), rtol=1e-6,
                               atol=1e-8)
    if has_cdf:
        np.testing.assert_allclose(D.logcdf(rv, values).eval(), frozen.logcdf(values), rtol=1e-5,
                                   atol=1e-8)


@pytest.mark.parametrize("case", [c for c in CASES if c[4] is not None],
                         ids=[c[0].__name__ for c in CASES if c[4] is not None])
def test_logp_outside_support_is_minus_inf(case, rng):
    family, ranges, _, _, outside = case
    rv = family.dist(**_params(ranges, rng))
    assert D.logp(rv, outside).eval() == -np.inf


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_invalid_parameters(case, rng):
    family, ranges, ref, _, _ = case
    params = _params(ranges, rng)
    value = ref(**params).rvs(random_state=rng)
    name = CONSTRAINED[family.__name__]
    invalid = -1.0 if name != "upper" else params["lower"] - 1.0
    # symbolic parameter: -inf at run time, finite for the valid value
    sym = pt.dscalar(name)
    rv = family.dist(**{**params, name: sym})
    assert D.logp(rv, value).eval({sym: invalid}) == -np.inf
    assert np.isfinite(D.logp(rv, value).eval({sym: params[name]}))
    # constant parameter known to be invalid: an error when the variable is built
    with pytest.raises(ParameterValueError, match="invalid parameter"):
        family.dist(**{**params, name: invalid})


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_draws_match_scipy(case, rng):
    family, ranges, ref, _, _ = case
    params = _params(ranges, rng)
    frozen = ref(**params)
    n = 4000
    x = draw(family.dist(**params), draws=n, random_seed=7)
    assert x.shape == (n,)
    assert st.kstest(x, frozen.cdf).pvalue > 1e-4
    stats = frozen.stats(moments="mvk")
    if stats is None or family in (D.Cauchy, D.HalfCauchy):
        return
    mean, var, kurt = (float(s) for s in stats)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / n)
    if np.isfinite(kurt):
        assert abs(x.var() - var) < 5 * np.sqrt(var ** 2 * (kurt + 2) / n)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shape_and_size(case, rng):
    family, ranges, _, _, _ = case
    params = _params(ranges, rng, (3,))
    rv = family.dist(**params, size=(2, 3))
    assert rv.type.shape == (2, 3)
    assert draw(rv, random_seed=1).shape == (2, 3)
    with pytest.raises(ValueError, match="do not fit"):
        family.dist(**params, shape=(4,))


GRAD_CASES = [c for c in CASES if c[0] not in (D.TruncatedNormal, D.Uniform)]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c[0].__name__ for c in GRAD_CASES])
def test_logp_gradient(case, rng):
    family, ranges, ref, _, _ = case
    params = _params(ranges, rng)
    value = ref(**params).rvs(random_state=rng)
    names = list(params)

    def fn(v, *ps):
        return D.logp(family.dist(**dict(zip(names, ps))), v)

    verify_grad(fn, [np.asarray(value), *[np.asarray(params[k]) for k in names]], rel_tol=1e-4,
                abs_tol=1e-4)


def test_alternative_parameterisations():
    mu, sigma = 2.0, 0.5
    g = D.Gamma.dist(mu=mu, sigma=sigma)
    np.testing.assert_allclose(D.logp(g, 1.7).eval(), st.gamma(16.0, scale=1 / 8.0).logpdf(1.7))
    b = D.Beta.dist(mu=0.3, sigma=0.1)
    kappa = 0.3 * 0.7 / 0.01 - 1
    np.testing.assert_allclose(D.logp(b, 0.25).eval(),
                               st.beta(0.3 * kappa, 0.7 * kappa).logpdf(0.25))
    n = D.Normal.dist(1.0, tau=4.0)
    np.testing.assert_allclose(D.logp(n, 0.3).eval(), st.norm(1.0, 0.5).logpdf(0.3))
    e = D.Exponential.dist(scale=2.0)
    np.testing.assert_allclose(D.logp(e, 0.3).eval(), st.expon(scale=2.0).logpdf(0.3))
    ig = D.InverseGamma.dist(mu=2.0, sigma=1.0)
    np.testing.assert_allclose(D.logp(ig, 1.5).eval(), st.invgamma(6.0, scale=10.0).logpdf(1.5))
    w = D.Wald.dist(mu=1.5, phi=2.0)
    np.testing.assert_allclose(D.logp(w, 0.7).eval(), st.invgauss(1.5 / 3.0, scale=3.0).logpdf(0.7))
    al = D.AsymmetricLaplace.dist(q=0.3, b=1.0)
    k = np.sqrt(0.3 / 0.7)
    np.testing.assert_allclose(D.logp(al, 0.4).eval(), st.laplace_asymmetric(k).logpdf(0.4))


def test_tails_are_stable():
    tn = D.TruncatedNormal.dist(0.0, 1.0, lower=10.0, upper=11.0)
    ref = st.truncnorm(10.0, 11.0).logpdf(10.5)
    np.testing.assert_allclose(D.logp(tn, 10.5).eval(), ref, rtol=1e-6)
    one_sided = D.TruncatedNormal.dist(0.0, 1.0, lower=0.0)
    np.testing.assert_allclose(D.logp(one_sided, 0.5).eval(), st.halfnorm.logpdf(0.5))
    assert np.isfinite(D.logcdf(D.Normal.dist(0.0, 1.0), -40.0).eval())
    assert np.isfinite(D.logp(D.VonMises.dist(0.0, 800.0), 0.0).eval())
    np.testing.assert_allclose(D.logcdf(D.Exponential.dist(1.0), 1e-20).eval(), np.log(1e-20))
    np.testing.assert_allclose(D.logp(D.Gamma.dist(1.0, 2.0), 0.0).eval(), np.log(2.0))
    np.testing.assert_allclose(D.logp(D.Weibull.dist(1.0, 0.5), 0.0).eval(), np.log(2.0))
    np.testing.assert_allclose(D.logp(D.Beta.dist(1.0, 1.0), [0.0, 1.0]).eval(), [0.0, 0.0])


def test_flat_and_halfflat():
    assert D.logp(D.Flat.dist(), 12.0).eval() == 0.0
    assert D.logp(D.HalfFlat.dist(), -1.0).eval() == -np.inf
    assert D.logp(D.HalfFlat.dist(shape=2), [1.0, 2.0]).eval().tolist() == [0.0, 0.0]
    np.testing.assert_allclose(D.logcdf(D.Flat.dist(), [-np.inf, 0.0, np.inf]).eval(),
                               [-np.inf, np.log(0.5), 0.0])
    with pytest.raises(NotImplementedError, match="Flat"):
        draw(D.Flat.dist())


def test_dirac_delta_and_custom_dist():
    d = D.DiracDelta.dist(3)
    assert d.dtype == "int64"
    assert D.logp(d, 3).eval() == 0.0 and D.logp(d, 2).eval() == -np.inf
    assert draw(d, draws=3).tolist() == [3, 3, 3]

    def lp(value, mu):
        return -0.5 * (value - mu) ** 2

    def rnd(mu, rng=None, size=None):
        return rng.normal(mu, 1.0, size)

    c = D.CustomDist.dist(2.0, logp=lp, random=rnd)
    np.testing.assert_allclose(D.logp(c, 1.0).eval(), -0.5)
    assert abs(draw(c, draws=2000, random_seed=3).mean() - 2.0) < 0.15
    no_random = D.CustomDist.dist(2.0, logp=lp)
    with pytest.raises(NotImplementedError, match="random"):
        draw(no_random)


def test_logp_of_non_random_variable_is_an_error():
    with pytest.raises(TypeError, match="not a random variable"):
        D.logp(pt.dscalar("x") * 2, 1.0)
