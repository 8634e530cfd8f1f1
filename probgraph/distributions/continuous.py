"""Continuous distributions with PyMC's names and parameterisations: log-density, log-CDF, sampler,
support point."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions import transforms
from probgraph.distributions.dist_math import (LOG_2, LOG_2PI, LOG_PI, check_parameters,
                                               get_tau_sigma, in_support, log_diff_ndtr, log_i0,
                                               normal_lpdf)
from probgraph.distributions.distribution import (BoundedContinuous, Continuous, PositiveContinuous,
                                                  UnitContinuous)

__all__ = ["AsymmetricLaplace", "Beta", "Cauchy", "ChiSquared", "ExGaussian", "Exponential", "Flat",
           "Gamma", "Gumbel", "HalfCauchy", "HalfFlat", "HalfNormal", "HalfStudentT",
           "InverseGamma", "Kumaraswamy", "Laplace", "LogNormal", "Logistic", "Normal", "Pareto",
           "SkewNormal", "StudentT", "TruncatedNormal", "Uniform", "VonMises", "Wald", "Weibull"]

EULER_GAMMA = 0.5772156649015329


def _nonneg(x):
    return pt.ge(x, 0)


class Normal(Continuous):
    """Normal with mean ``mu`` and standard deviation ``sigma`` (or precision ``tau``)."""

    @classmethod
    def dist(cls, mu=0.0, sigma=None, tau=None, **kwargs):
        _, sigma = get_tau_sigma(tau, sigma)
        return super().dist([mu, sigma], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, sigma, size=None):
        return rng.normal(mu, sigma, size)

    @staticmethod
    def logp(value, mu, sigma):
        return check_parameters(normal_lpdf((value - mu) / sigma, pt.log(sigma)), sigma > 0,
                                msg="sigma > 0")

    @staticmethod
    def logcdf(value, mu, sigma):
        return check_parameters(pt.log_ndtr((value - mu) / sigma), sigma > 0, msg="sigma > 0")

    @staticmethod
    def support_point(rv, mu, sigma):
        return mu


class HalfNormal(PositiveContinuous):
    """|Normal(0, sigma)| (or precision ``tau``)."""

    @classmethod
    def dist(cls, sigma=None, tau=None, **kwargs):
        _, sigma = get_tau_sigma(tau, sigma)
        return super().dist([sigma], **kwargs)

    @classmethod
    def rng_fn(cls, rng, sigma, size=None):
        return np.abs(rng.normal(0.0, sigma, size))

    @staticmethod
    def logp(value, sigma):
        lp = normal_lpdf(value / sigma, pt.log(sigma)) + LOG_2
        return check_parameters(in_support(lp, _nonneg(value)), sigma > 0, msg="sigma > 0")

    @staticmethod
    def logcdf(value, sigma):
        z = pt.maximum(value, 0) / (sigma * np.sqrt(2.0))
        return check_parameters(in_support(pt.log(pt.erf(z)), _nonneg(value)), sigma > 0,
                                msg="sigma > 0")

    @staticmethod
    def support_point(rv, sigma):
        return sigma


class TruncatedNormal(BoundedContinuous):
    """Normal(mu, sigma) restricted to ``[lower, upper]`` (either bound may be None)."""

    bound_params = (2, 3)

    @classmethod
    def dist(cls, mu=0.0, sigma=None, tau=None, lower=None, upper=None, **kwargs):
        _, sigma = get_tau_sigma(tau, sigma)
        lower = -np.inf if lower is None else lower
        upper = np.inf if upper is None else upper
        return super().dist([mu, sigma, lower, upper], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, sigma, lower, upper, size=None):
        a, b = (lower - mu) / sigma, (upper - mu) / sigma
        import scipy.stats as st
        return st.truncnorm.rvs(a, b, loc=mu, scale=sigma, size=size, random_state=rng)

    @staticmethod
    def _log_mass(mu, sigma, lower, upper):
        return log_diff_ndtr((lower - mu) / sigma, (upper - mu) / sigma)

    @classmethod
    def logp(cls, value, mu, sigma, lower, upper):
        lp = normal_lpdf((value - mu) / sigma, pt.log(sigma)) - cls._log_mass(mu, sigma, lower,
                                                                              upper)
        lp = in_support(lp, pt.ge(value, lower), pt.le(value, upper))
        return check_parameters(lp, sigma > 0, pt.lt(lower, upper), msg="sigma > 0, lower < upper")

    @classmethod
    def logcdf(cls, value, mu, sigma, lower, upper):
        v = pt.clip(value, lower, upper)
        lp = (log_diff_ndtr((lower - mu) / sigma, (v - mu) / sigma)
              - cls._log_mass(mu, sigma, lower, upper))
        lp = pt.switch(pt.lt(value, lower), -np.inf, pt.switch(pt.ge(value, upper), 0.0, lp))
        return check_parameters(lp, sigma > 0, pt.lt(lower, upper), msg="sigma > 0, lower < upper")

    @staticmethod
    def support_point(rv, mu, sigma, lower, upper):
        lo_inf, hi_inf = pt.isinf(lower), pt.isinf(upper)
        inside = pt.and_(pt.gt(mu, lower), pt.lt(mu, upper))
        both = pt.switch(pt.and_(lo_inf, hi_inf), mu,
                         pt.switch(hi_inf, lower + 1,
                                   pt.switch(lo_inf, upper - 1, (lower + upper) / 2)))
        return pt.switch(inside, mu, both)


class StudentT(Continuous):
    """Student's t with ``nu`` degrees of freedom, location ``mu``, scale ``sigma`` (or precision
    ``lam``)."""

    @classmethod
    def dist(cls, nu, mu=0.0, sigma=None, lam=None, **kwargs):
        _, sigma = get_tau_sigma(lam, sigma)
        return super().dist([nu, mu, sigma], **kwargs)

    @classmethod
    def rng_fn(cls, rng, nu, mu, sigma, size=None):
        return mu + sigma * rng.standard_t(nu, size)

    @staticmethod
    def logp(value, nu, mu, sigma):
        z = (value - mu) / sigma
        lp = (pt.gammaln((nu + 1) / 2) - pt.gammaln(nu / 2) - 0.5 * pt.log(nu * np.pi)
              - pt.log(sigma) - (nu + 1) / 2 * pt.log1p(z * z / nu))
        return check_parameters(lp, nu > 0, sigma > 0, msg="nu > 0, sigma > 0")

    @staticmethod
    def logcdf(value, nu, mu, sigma):
        z = (value - mu) / sigma
        tail = pt.log(pt.betainc(nu / 2, 0.5, nu / (z * z + nu))) - LOG_2   # log P(T > |z|)
        lp = pt.switch(pt.lt(z, 0), tail, pt.log1p(-pt.exp(tail)))
        return check_parameters(lp, nu > 0, sigma > 0, msg="nu > 0, sigma > 0")

    @staticmethod
    def support_point(rv, nu, mu, sigma):
        return mu


class HalfStudentT(PositiveContinuous):
    """|StudentT(nu, 0, sigma)| (or precision ``lam``)."""

    @classmethod
    def dist(cls, nu=1.0, sigma=None, lam=None, **kwargs):
        _, sigma = get_tau_sigma(lam, sigma)
        return super().dist([nu, sigma], **kwargs)

    @classmethod
    def rng_fn(cls, rng, nu, sigma, size=None):
        return np.abs(sigma * rng.standard_t(nu, size))

    @staticmethod
    def logp(value, nu, sigma):
        return in_support(StudentT.logp(value, nu, 0.0, sigma) + LOG_2, _nonneg(value))

    @staticmethod
    def logcdf(value, nu, sigma):
        tail = StudentT.logcdf(-pt.maximum(value, 0), nu, 0.0, sigma) + LOG_2
        return in_support(pt.log1mexp(pt.minimum(tail, 0)), _nonneg(value))

    @staticmethod
    def support_point(rv, nu, sigma):
        return sigma


class Cauchy(Continuous):
    """Cauchy with location ``alpha`` and scale ``beta``."""

    @classmethod
    def dist(cls, alpha=0.0, beta=1.0, **kwargs):
        return super().dist([alpha, beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, beta, size=None):
        return alpha + beta * rng.standard_cauchy(size)

    @staticmethod
    def logp(value, alpha, beta):
        z = (value - alpha) / beta
        return check_parameters(-LOG_PI - pt.log(beta) - pt.log1p(z * z), beta > 0, msg="beta > 0")

    @staticmethod
    def logcdf(value, alpha, beta):
        return check_parameters(pt.log(0.5 + pt.arctan((value - alpha) / beta) / np.pi), beta > 0,
                                msg="beta > 0")

    @staticmethod
    def support_point(rv, alpha, beta):
        return alpha


class HalfCauchy(PositiveContinuous):
    """|Cauchy(0, beta)|."""

    @classmethod
    def dist(cls, beta=1.0, **kwargs):
        return super().dist([beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, beta, size=None):
        return np.abs(beta * rng.standard_cauchy(size))

    @staticmethod
    def logp(value, beta):
        z = value / beta
        lp = LOG_2 - LOG_PI - pt.log(beta) - pt.log1p(z * z)
        return check_parameters(in_support(lp, _nonneg(value)), beta > 0, msg="beta > 0")

    @staticmethod
    def logcdf(value, beta):
        lp = pt.log(2 / np.pi * pt.arctan(pt.maximum(value, 0) / beta))
        return check_parameters(in_support(lp, _nonneg(value)), beta > 0, msg="beta > 0")

    @staticmethod
    def support_point(rv, beta):
        return beta


class Laplace(Continuous):
    """Laplace (double exponential) with location ``mu`` and scale ``b``."""

    @classmethod
    def dist(cls, mu=0.0, b=1.0, **kwargs):
        return super().dist([mu, b], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, b, size=None):
        return rng.laplace(mu, b, size)

    @staticmethod
    def logp(value, mu, b):
        return check_parameters(-pt.log(2 * b) - pt.abs(value - mu) / b, b > 0, msg="b > 0")

    @staticmethod
    def logcdf(value, mu, b):
        z = (value - mu) / b
        lp = pt.switch(pt.le(z, 0), z - LOG_2, pt.log1p(-0.5 * pt.exp(-pt.abs(z))))
        return check_parameters(lp, b > 0, msg="b > 0")

    @staticmethod
    def support_point(rv, mu, b):
        return mu


class Logistic(Continuous):
    """Logistic with location ``mu`` and scale ``s``."""

    @classmethod
    def dist(cls, mu=0.0, s=1.0, **kwargs):
        return super().dist([mu, s], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, s, size=None):
        return rng.logistic(mu, s, size)

    @staticmethod
    def logp(value, mu, s):
        z = (value - mu) / s
        return check_parameters(-z - pt.log(s) - 2 * pt.softplus(-z), s > 0, msg="s > 0")

    @staticmethod
    def logcdf(value, mu, s):
        return check_parameters(-pt.softplus(-(value - mu) / s), s > 0, msg="s > 0")

    @staticmethod
    def support_point(rv, mu, s):
        return mu


class Exponential(PositiveContinuous):
    """Exponential with rate ``lam`` (or ``scale = 1 / lam``)."""

    @classmethod
    def dist(cls, lam=None, *, scale=None, **kwargs):
        if lam is not None and scale is not None:
            raise ValueError("Exponential: give either lam or scale, not both")
        lam = (1.0 if scale is None else 1.0 / pt.as_tensor(scale)) if lam is None else lam
        return super().dist([lam], **kwargs)

    @classmethod
    def rng_fn(cls, rng, lam, size=None):
        return rng.exponential(1.0 / lam, size)

    @staticmethod
    def logp(value, lam):
        lp = in_support(pt.log(lam) - lam * value, _nonneg(value))
        return check_parameters(lp, lam > 0, msg="lam > 0")

    @staticmethod
    def logcdf(value, lam):
        lp = in_support(pt.log1mexp(-lam * pt.maximum(value, 0)), _nonneg(value))
        return check_parameters(lp, lam > 0, msg="lam > 0")

    @staticmethod
    def support_point(rv, lam):
        return 1.0 / lam


class Gamma(PositiveContinuous):
    """Gamma with shape ``alpha`` and rate ``beta``, or mean ``mu`` and standard deviation
    ``sigma``."""

    @classmethod
    def dist(cls, alpha=None, beta=None, mu=None, sigma=None, **kwargs):
        if mu is not None or sigma is not None:
            if mu is None or sigma is None or alpha is not None or beta is not None:
                raise ValueError("Gamma: give alpha and beta, or mu and sigma")
            mu, sigma = pt.as_tensor(mu), pt.as_tensor(sigma)
            alpha, beta = mu ** 2 / sigma ** 2, mu / sigma ** 2
        elif alpha is None or beta is None:
            raise ValueError("Gamma: give alpha and beta, or mu and sigma")
        return super().dist([alpha, beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, beta, size=None):
        return rng.gamma(alpha, 1.0 / beta, size)

    @staticmethod
    def logp(value, alpha, beta):
        lp = alpha * pt.log(beta) - pt.gammaln(alpha) + pt.xlogy(alpha - 1, value) - beta * value
        lp = in_support(lp, _nonneg(value))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def logcdf(value, alpha, beta):
        lp = in_support(pt.log(pt.gammainc(alpha, beta * pt.maximum(value, 0))), _nonneg(value))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def support_point(rv, alpha, beta):
        return alpha / beta


class InverseGamma(PositiveContinuous):
    """Inverse gamma with shape ``alpha`` and scale ``beta``, or mean ``mu`` and standard deviation
    ``sigma``."""

    @classmethod
    def dist(cls, alpha=None, beta=None, mu=None, sigma=None, **kwargs):
        if mu is not None or sigma is not None:
            if mu is None or sigma is None or alpha is not None or beta is not None:
                raise ValueError("InverseGamma: give alpha and beta, or mu and sigma")
            mu, sigma = pt.as_tensor(mu), pt.as_tensor(sigma)
            alpha = mu ** 2 / sigma ** 2 + 2
            beta = mu * (mu ** 2 / sigma ** 2 + 1)
        elif alpha is None:
            raise ValueError("InverseGamma: give alpha (and beta), or mu and sigma")
        return super().dist([alpha, 1.0 if beta is None else beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, beta, size=None):
        return beta / rng.gamma(alpha, 1.0, size)

    @staticmethod
    def logp(value, alpha, beta):
        lp = alpha * pt.log(beta) - pt.gammaln(alpha) - (alpha + 1) * pt.log(value) - beta / value
        lp = in_support(lp, pt.gt(value, 0))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def logcdf(value, alpha, beta):
        v = pt.switch(pt.gt(value, 0), value, 1.0)
        lp = in_support(pt.log(pt.gammaincc(alpha, beta / v)), pt.gt(value, 0))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def support_point(rv, alpha, beta):
        return pt.switch(pt.gt(alpha, 1), beta / (alpha - 1), beta / (alpha + 1))


class Weibull(PositiveContinuous):
    """Weibull with shape ``alpha`` and scale ``beta``."""

    @classmethod
    def dist(cls, alpha, beta, **kwargs):
        return super().dist([alpha, beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, beta, size=None):
        return beta * rng.weibull(alpha, size)

    @staticmethod
    def logp(value, alpha, beta):
        z = value / beta
        lp = pt.log(alpha) - pt.log(beta) + pt.xlogy(alpha - 1, z) - z ** alpha
        lp = in_support(lp, _nonneg(value))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def logcdf(value, alpha, beta):
        lp = in_support(pt.log1mexp(-(pt.maximum(value, 0) / beta) ** alpha), _nonneg(value))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def support_point(rv, alpha, beta):
        return beta * pt.exp(pt.gammaln(1 + 1 / alpha))


class LogNormal(PositiveContinuous):
    """exp(Normal(mu, sigma)) (or precision ``tau``)."""

    @classmethod
    def dist(cls, mu=0.0, sigma=None, tau=None, **kwargs):
        _, sigma = get_tau_sigma(tau, sigma)
        return super().dist([mu, sigma], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, sigma, size=None):
        return rng.lognormal(mu, sigma, size)

    @staticmethod
    def logp(value, mu, sigma):
        log_v = pt.log(value)
        lp = in_support(normal_lpdf((log_v - mu) / sigma, pt.log(sigma)) - log_v, pt.gt(value, 0))
        return check_parameters(lp, sigma > 0, msg="sigma > 0")

    @staticmethod
    def logcdf(value, mu, sigma):
        v = pt.switch(pt.gt(value, 0), value, 1.0)
        lp = in_support(pt.log_ndtr((pt.log(v) - mu) / sigma), pt.gt(value, 0))
        return check_parameters(lp, sigma > 0, msg="sigma > 0")

    @staticmethod
    def support_point(rv, mu, sigma):
        return pt.exp(mu + sigma ** 2 / 2)


class Beta(UnitContinuous):
    """Beta with ``alpha`` and ``beta``, or mean ``mu`` with ``sigma`` or concentration ``nu``."""

    @classmethod
    def dist(cls, alpha=None, beta=None, mu=None, sigma=None, nu=None, **kwargs):
        if alpha is not None and beta is not None:
            pass
        elif mu is not None and sigma is not None:
            mu, sigma = pt.as_tensor(mu), pt.as_tensor(sigma)
            kappa = mu * (1 - mu) / sigma ** 2 - 1
            alpha, beta = mu * kappa, (1 - mu) * kappa
        elif mu is not None and nu is not None:
            alpha, beta = pt.as_tensor(mu) * nu, (1 - pt.as_tensor(mu)) * nu
        else:
            raise ValueError("Beta: give alpha and beta, mu and sigma, or mu and nu")
        return super().dist([alpha, beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, beta, size=None):
        return rng.beta(alpha, beta, size)

    @staticmethod
    def logp(value, alpha, beta):
        lp = (pt.xlogy(alpha - 1, value) + pt.xlog1py(beta - 1, -value) - pt.betaln(alpha, beta))
        lp = in_support(lp, _nonneg(value), pt.le(value, 1))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def logcdf(value, alpha, beta):
        v = pt.clip(value, 0, 1)
        lp = pt.switch(pt.lt(value, 0), -np.inf, pt.log(pt.betainc(alpha, beta, v)))
        return check_parameters(lp, alpha > 0, beta > 0, msg="alpha > 0, beta > 0")

    @staticmethod
    def support_point(rv, alpha, beta):
        return alpha / (alpha + beta)


class Kumaraswamy(UnitContinuous):
    """Kumaraswamy with shapes ``a`` and ``b``: density ``a b x^(a-1) (1 - x^a)^(b-1)`` on (0,
    1)."""

    @classmethod
    def dist(cls, a, b, **kwargs):
        return super().dist([a, b], **kwargs)

    @classmethod
    def rng_fn(cls, rng, a, b, size=None):
        u = rng.uniform(size=size if size is not None else np.broadcast(a, b).shape)
        return (1 - (1 - u) ** (1 / b)) ** (1 / a)

    @staticmethod
    def logp(value, a, b):
        lp = pt.log(a) + pt.log(b) + (a - 1) * pt.log(value) + (b - 1) * pt.log1p(-value ** a)
        lp = in_support(lp, pt.gt(value, 0), pt.lt(value, 1))
        return check_parameters(lp, a > 0, b > 0, msg="a > 0, b > 0")

    @staticmethod
    def logcdf(value, a, b):
        v = pt.clip(value, 0, 1)
        lp = pt.log1mexp(b * pt.log1p(-v ** a))
        lp = pt.switch(pt.le(value, 0), -np.inf, pt.switch(pt.ge(value, 1), 0.0, lp))
        return check_parameters(lp, a > 0, b > 0, msg="a > 0, b > 0")

    @staticmethod
    def support_point(rv, a, b):
        return pt.exp(pt.log(b) + pt.gammaln(1 + 1 / a) + pt.gammaln(b) - pt.gammaln(1 + 1 / a + b))


class Uniform(BoundedContinuous):
    """Uniform on ``[lower, upper]`` (interval transform)."""

    @classmethod
    def dist(cls, lower=0.0, upper=1.0, **kwargs):
        return super().dist([lower, upper], **kwargs)

    @classmethod
    def rng_fn(cls, rng, lower, upper, size=None):
        return rng.uniform(lower, upper, size)

    @staticmethod
    def logp(value, lower, upper):
        lp = in_support(-pt.log(upper - lower) + pt.zeros_like(value), pt.ge(value, lower),
                        pt.le(value, upper))
        return check_parameters(lp, pt.lt(lower, upper), msg="lower < upper")

    @staticmethod
    def logcdf(value, lower, upper):
        lp = pt.log(pt.clip((value - lower) / (upper - lower), 0, 1))
        return check_parameters(lp, pt.lt(lower, upper), msg="lower < upper")

    @staticmethod
    def support_point(rv, lower, upper):
        return (lower + upper) / 2


class Flat(Continuous):
    """The improper uniform density on the real line (logp 0); it cannot be sampled."""

    @classmethod
    def dist(cls, **kwargs):
        return super().dist([], **kwargs)

    @classmethod
    def rng_fn(cls, rng, size=None):
        raise NotImplementedError("cannot sample from a Flat distribution")

    @staticmethod
    def logp(value):
        return pt.zeros_like(value)

    @staticmethod
    def logcdf(value):
        return pt.switch(pt.eq(value, -np.inf), -np.inf,
                         pt.switch(pt.eq(value, np.inf), 0.0, -LOG_2))

    @staticmethod
    def support_point(rv):
        return pt.zeros_like(rv)


class HalfFlat(PositiveContinuous):
    """The improper uniform density on the positive reals; it cannot be sampled."""

    @classmethod
    def dist(cls, **kwargs):
        return super().dist([], **kwargs)

    @classmethod
    def rng_fn(cls, rng, size=None):
        raise NotImplementedError("cannot sample from a HalfFlat distribution")

    @staticmethod
    def logp(value):
        return in_support(pt.zeros_like(value), pt.gt(value, 0))

    @staticmethod
    def logcdf(value):
        return pt.switch(pt.lt(value, np.inf), -np.inf, 0.0)

    @staticmethod
    def support_point(rv):
        return pt.ones_like(rv)


class VonMises(Continuous):
    """Von Mises on ``[-pi, pi]`` with mean direction ``mu`` and concentration ``kappa``."""

    default_transform = transforms.circular

    @classmethod
    def dist(cls, mu=0.0, kappa=1.0, **kwargs):
        return super().dist([mu, kappa], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, kappa, size=None):
        return rng.vonmises(mu, kappa, size)

    @staticmethod
    def logp(value, mu, kappa):
        lp = kappa * pt.cos(value - mu) - LOG_2PI - log_i0(kappa)
        lp = in_support(lp, pt.ge(value, -np.pi), pt.le(value, np.pi))
        return check_parameters(lp, kappa > 0, msg="kappa > 0")

    @staticmethod
    def support_point(rv, mu, kappa):
        return mu


class SkewNormal(Continuous):
    """Skew normal with location ``mu``, scale ``sigma`` (or ``tau``) and skewness ``alpha``."""

    @classmethod
    def dist(cls, alpha=1.0, mu=0.0, sigma=None, tau=None, **kwargs):
        _, sigma = get_tau_sigma(tau, sigma)
        return super().dist([mu, sigma, alpha], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, sigma, alpha, size=None):
        import scipy.stats as st
        return st.skewnorm.rvs(alpha, loc=mu, scale=sigma, size=size, random_state=rng)

    @staticmethod
    def logp(value, mu, sigma, alpha):
        z = (value - mu) / sigma
        lp = LOG_2 + normal_lpdf(z, pt.log(sigma)) + pt.log_ndtr(alpha * z)
        return check_parameters(lp, sigma > 0, msg="sigma > 0")

    @staticmethod
    def support_point(rv, mu, sigma, alpha):
        return mu + sigma * np.sqrt(2 / np.pi) * alpha / pt.sqrt(1 + alpha ** 2)


class ExGaussian(Continuous):
    """Normal(mu, sigma) plus an independent Exponential with mean ``nu``."""

    @classmethod
    def dist(cls, mu=0.0, sigma=None, nu=None, **kwargs):
        if sigma is None or nu is None:
            raise ValueError("ExGaussian: give sigma and nu")
        return super().dist([mu, sigma, nu], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, sigma, nu, size=None):
        return rng.normal(mu, sigma, size) + rng.exponential(nu, size)

    @staticmethod
    def logp(value, mu, sigma, nu):
        z = (value - mu) / sigma
        lp = -pt.log(nu) + (mu - value) / nu + 0.5 * (sigma / nu) ** 2 + pt.log_ndtr(z - sigma / nu)
        lp = pt.switch(pt.gt(nu, 0.05 * sigma), lp, normal_lpdf(z, pt.log(sigma)))
        return check_parameters(lp, sigma > 0, nu > 0, msg="sigma > 0, nu > 0")

    @staticmethod
    def logcdf(value, mu, sigma, nu):
        z = (value - mu) / sigma
        tail = (mu - value) / nu + 0.5 * (sigma / nu) ** 2 + pt.log_ndtr(z - sigma / nu)
        lp = pt.switch(pt.gt(nu, 0.05 * sigma), pt.logdiffexp(pt.log_ndtr(z), tail), pt.log_ndtr(z))
        return check_parameters(lp, sigma > 0, nu > 0, msg="sigma > 0, nu > 0")

    @staticmethod
    def support_point(rv, mu, sigma, nu):
        return mu + nu


class Pareto(BoundedContinuous):
    """Pareto with shape ``alpha`` and scale (lower bound) ``m``."""

    bound_params = (1, None)

    @classmethod
    def dist(cls, alpha, m, **kwargs):
        return super().dist([alpha, m], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, m, size=None):
        return m * (1 + rng.pareto(alpha, size))

    @staticmethod
    def logp(value, alpha, m):
        lp = pt.log(alpha) + alpha * pt.log(m) - (alpha + 1) * pt.log(value)
        lp = in_support(lp, pt.ge(value, m))
        return check_parameters(lp, alpha > 0, m > 0, msg="alpha > 0, m > 0")

    @staticmethod
    def logcdf(value, alpha, m):
        v = pt.maximum(value, m)
        lp = in_support(pt.log1mexp(alpha * (pt.log(m) - pt.log(v))), pt.ge(value, m))
        return check_parameters(lp, alpha > 0, m > 0, msg="alpha > 0, m > 0")

    @staticmethod
    def support_point(rv, alpha, m):
        return m * 2 ** (1 / alpha)


class ChiSquared(PositiveContinuous):
    """Chi-squared with ``nu`` degrees of freedom (Gamma(nu/2, 1/2))."""

    @classmethod
    def dist(cls, nu, **kwargs):
        return super().dist([nu], **kwargs)

    @classmethod
    def rng_fn(cls, rng, nu, size=None):
        return rng.chisquare(nu, size)

    @staticmethod
    def logp(value, nu):
        return check_parameters(Gamma.logp(value, nu / 2, 0.5), nu > 0, msg="nu > 0")

    @staticmethod
    def logcdf(value, nu):
        return check_parameters(Gamma.logcdf(value, nu / 2, 0.5), nu > 0, msg="nu > 0")

    @staticmethod
    def support_point(rv, nu):
        return nu


class Wald(PositiveContinuous):
    """Wald (inverse Gaussian) with mean ``mu`` and shape ``lam`` (or ``phi = lam / mu``), shifted
    by ``alpha``."""

    @classmethod
    def dist(cls, mu=None, lam=None, phi=None, alpha=0.0, **kwargs):
        if mu is None:
            if lam is None or phi is None:
                raise ValueError("Wald: give mu with lam or phi, or lam and phi")
            mu = pt.as_tensor(lam) / phi
        elif lam is None:
            lam = pt.as_tensor(mu) * (1.0 if phi is None else phi)
        return super().dist([mu, lam, alpha], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, lam, alpha, size=None):
        return rng.wald(mu, lam, size) + alpha

    @staticmethod
    def logp(value, mu, lam, alpha):
        x = value - alpha
        lp = (0.5 * (pt.log(lam) - LOG_2PI) - 1.5 * pt.log(x)
              - lam / (2 * x) * ((x - mu) / mu) ** 2)
        lp = in_support(lp, pt.gt(x, 0))
        return check_parameters(lp, mu > 0, lam > 0, alpha >= 0, msg="mu > 0, lam > 0, alpha >= 0")

    @staticmethod
    def logcdf(value, mu, lam, alpha):
        x = pt.maximum(value - alpha, np.finfo(float).tiny)
        r = pt.sqrt(lam / x)
        lp = pt.logaddexp(pt.log_ndtr(r * (x / mu - 1)),
                          2 * lam / mu + pt.log_ndtr(-r * (x / mu + 1)))
        lp = in_support(lp, pt.gt(value, alpha))
        return check_parameters(lp, mu > 0, lam > 0, alpha >= 0, msg="mu > 0, lam > 0, alpha >= 0")

    @staticmethod
    def support_point(rv, mu, lam, alpha):
        return mu + alpha


class Gumbel(Continuous):
    """Gumbel (maximum) with location ``mu`` and scale ``beta``."""

    @classmethod
    def dist(cls, mu, beta, **kwargs):
        return super().dist([mu, beta], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, beta, size=None):
        return rng.gumbel(mu, beta, size)

    @staticmethod
    def logp(value, mu, beta):
        z = (value - mu) / beta
        return check_parameters(-z - pt.exp(-z) - pt.log(beta), beta > 0, msg="beta > 0")

    @staticmethod
    def logcdf(value, mu, beta):
        return check_parameters(-pt.exp(-(value - mu) / beta), beta > 0, msg="beta > 0")

    @staticmethod
    def support_point(rv, mu, beta):
        return mu + beta * EULER_GAMMA


class AsymmetricLaplace(Continuous):
    """Asymmetric Laplace with scale ``b``, asymmetry ``kappa`` (or quantile ``q``) and location
    ``mu``."""

    @classmethod
    def dist(cls, kappa=None, mu=0.0, b=1.0, q=None, **kwargs):
        if kappa is None:
            if q is None:
                raise ValueError("AsymmetricLaplace: give kappa or q")
            q = pt.as_tensor(q)
            kappa = pt.sqrt(q / (1 - q))
        elif q is not None:
            raise ValueError("AsymmetricLaplace: give either kappa or q, not both")
        return super().dist([b, kappa, mu], **kwargs)

    @classmethod
    def rng_fn(cls, rng, b, kappa, mu, size=None):
        import scipy.stats as st
        return st.laplace_asymmetric.rvs(kappa, loc=mu, scale=1 / b, size=size, random_state=rng)

    @staticmethod
    def logp(value, b, kappa, mu):
        d = value - mu
        lp = (pt.log(b) - pt.log(kappa + 1 / kappa)
              - pt.switch(pt.ge(d, 0), d * b * kappa, -d * b / kappa))
        return check_parameters(lp, b > 0, kappa > 0, msg="b > 0, kappa > 0")

    @staticmethod
    def logcdf(value, b, kappa, mu):
        d = value - mu
        k2 = kappa ** 2
        below = pt.log(k2 / (1 + k2)) + pt.minimum(d, 0) * b / kappa
        above = pt.log1p(-pt.exp(-pt.maximum(d, 0) * b * kappa) / (1 + k2))
        return check_parameters(pt.switch(pt.lt(d, 0), below, above), b > 0, kappa > 0,
                                msg="b > 0, kappa > 0")

    @staticmethod
    def support_point(rv, b, kappa, mu):
        return mu - (kappa - 1 / kappa) / b
