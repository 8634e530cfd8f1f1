"""Discrete distributions with PyMC's names and parameterisations: log-mass, log-CDF, sampler,
support point."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions.dist_math import check_parameters, in_support
from probgraph.distributions.distribution import Discrete
from probgraph.tensor.elemwise import Elemwise

__all__ = ["Bernoulli", "Binomial", "BetaBinomial", "Poisson", "NegativeBinomial", "Geometric",
           "DiscreteUniform", "Categorical", "ZeroInflatedPoisson", "ZeroInflatedBinomial",
           "ZeroInflatedNegativeBinomial", "HyperGeometric", "OrderedLogistic", "OrderedProbit"]


# ---------------------------------------------------------------------- shared helpers
def log_p_pair(p):
    """``(log p, log(1 - p))``, computed from the logit when ``p`` is ``sigmoid(logit_p)``."""
    p = pt.as_tensor(p)
    if p.owner is not None and isinstance(p.owner.op, Elemwise) and str(p.owner.op) == "sigmoid":
        x = p.owner.inputs[0]
        return -pt.softplus(-x), -pt.softplus(x)
    return pt.log(p), pt.log1p(-p)


def _logit_of(p):
    """``x`` when ``p`` is ``sigmoid(x)`` (built from ``logit_p=``), else None."""
    p = pt.as_tensor(p)
    if p.owner is not None and isinstance(p.owner.op, Elemwise) and str(p.owner.op) == "sigmoid":
        return p.owner.inputs[0]
    return None


def _p_from(p, logit_p, name):
    if (p is None) == (logit_p is None):
        raise ValueError(f"{name}: give exactly one of p and logit_p")
    return pt.sigmoid(logit_p) if p is None else p


def _unit(p):
    return pt.and_(pt.ge(p, 0), pt.le(p, 1))


def _log_choose(n, k):
    return pt.gammaln(n + 1) - pt.gammaln(k + 1) - pt.gammaln(n - k + 1)


def _is_int(value):
    return pt.eq(value, pt.floor(value)) if value.dtype.startswith("float") else pt.eq(value, value)


def _np_int(x):
    return np.asarray(np.round(x)).astype(np.int64)


def poisson_logp(value, mu):
    """log Poisson(value | mu) without checks (``xlogy`` keeps ``mu = 0, value = 0`` at 0)."""
    return pt.xlogy(value, mu) - mu - pt.gammaln(value + 1)


def negbinom_logp(value, n, p):
    """log NegativeBinomial(value | n, p) (failures before the ``n``-th success) without checks."""
    return (pt.gammaln(value + n) - pt.gammaln(n) - pt.gammaln(value + 1) + n * pt.log(p)
            + pt.xlog1py(value, -p))


def binom_logp(value, n, p):
    """log Binomial(value | n, p) without checks (stable at ``p`` in {0, 1} and from a logit)."""
    log_p, log_1mp = log_p_pair(p)
    vlogp = pt.switch(pt.eq(value, 0), 0.0, value * log_p)
    rest = pt.switch(pt.eq(n - value, 0), 0.0, (n - value) * log_1mp)
    return _log_choose(n, value) + vlogp + rest


# ---------------------------------------------------------------------- binary and counts
class Bernoulli(Discrete):
    """One trial with success probability ``p`` (or ``logit_p``)."""

    @classmethod
    def dist(cls, p=None, logit_p=None, **kwargs):
        return super().dist([_p_from(p, logit_p, "Bernoulli")], **kwargs)

    @classmethod
    def rng_fn(cls, rng, p, size=None):
        return rng.binomial(1, p, size)

    @staticmethod
    def logp(value, p):
        in_01 = pt.or_(pt.eq(value, 0), pt.eq(value, 1))
        x = _logit_of(p)
        if x is not None:
            # from a logit: value * x - softplus(x) (exact for value in {0, 1}), one softplus per
            # element; sigmoid(x) is always a valid probability, so no parameter check
            return in_support(value * x - pt.softplus(x), in_01)
        log_p, log_1mp = log_p_pair(p)
        lp = pt.switch(pt.eq(value, 1), log_p, log_1mp)
        lp = in_support(lp, in_01)
        return check_parameters(lp, _unit(p), msg="0 <= p <= 1")

    @staticmethod
    def logcdf(value, p):
        _, log_1mp = log_p_pair(p)
        lp = pt.switch(pt.lt(value, 0), -np.inf, pt.switch(pt.lt(value, 1), log_1mp, 0.0))
        return check_parameters(lp, _unit(p), msg="0 <= p <= 1")

    @staticmethod
    def support_point(rv, p):
        return pt.cast(pt.ge(p, 0.5), "int64")


class Binomial(Discrete):
    """Successes in ``n`` trials with probability ``p`` (or ``logit_p``)."""

    @classmethod
    def dist(cls, n, p=None, logit_p=None, **kwargs):
        return super().dist([n, _p_from(p, logit_p, "Binomial")], **kwargs)

    @classmethod
    def rng_fn(cls, rng, n, p, size=None):
        return rng.binomial(_np_int(n), p, size)

    @staticmethod
    def logp(value, n, p):
        lp = in_support(binom_logp(value, n, p), pt.ge(value, 0), pt.le(value, n))
        return check_parameters(lp, pt.ge(n, 0), _unit(p), msg="n >= 0, 0 <= p <= 1")

    @staticmethod
    def logcdf(value, n, p):
        k = pt.floor(value)
        body = pt.log(pt.betainc(pt.maximum(n - k, 1e-300), k + 1, 1 - p))
        lp = pt.switch(pt.lt(value, 0), -np.inf, pt.switch(pt.ge(value, n), 0.0, body))
        return check_parameters(lp, pt.ge(n, 0), _unit(p), msg="n >= 0, 0 <= p <= 1")

    @staticmethod
    def support_point(rv, n, p):
        return pt.cast(pt.round(n * p), "int64")


class BetaBinomial(Discrete):
    """Binomial(n, p) with p ~ Beta(alpha, beta)."""

    @classmethod
    def dist(cls, alpha, beta, n, **kwargs):
        return super().dist([alpha, beta, n], **kwargs)

    @classmethod
    def rng_fn(cls, rng, alpha, beta, n, size=None):
        return rng.binomial(_np_int(n), rng.beta(alpha, beta, size), size)

    @staticmethod
    def logp(value, alpha, beta, n):
        lp = _log_choose(n, value) + pt.betaln(value + alpha, n - value + beta) - pt.betaln(alpha,
                                                                                            beta)
        lp = in_support(lp, pt.ge(value, 0), pt.le(value, n))
        return check_parameters(lp, alpha > 0, beta > 0, pt.ge(n, 0),
                                msg="alpha > 0, beta > 0, n >= 0")

    @staticmethod
    def support_point(rv, alpha, beta, n):
        return pt.cast(pt.round(n * alpha / (alpha + beta)), "int64")


class Poisson(Discrete):
    """Counts with rate ``mu``."""

    @classmethod
    def dist(cls, mu, **kwargs):
        return super().dist([mu], **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, size=None):
        return rng.poisson(mu, size)

    @staticmethod
    def logp(value, mu):
        lp = in_support(poisson_logp(value, mu), pt.ge(value, 0))
        return check_parameters(lp, pt.ge(mu, 0), msg="mu >= 0")

    @staticmethod
    def logcdf(value, mu):
        k = pt.floor(value)
        lp = pt.switch(pt.lt(value, 0), -np.inf, pt.log(pt.gammaincc(k + 1, mu)))
        return check_parameters(lp, pt.ge(mu, 0), msg="mu >= 0")

    @staticmethod
    def support_point(rv, mu):
        return pt.cast(pt.floor(mu), "int64")


def _nb_params(mu, alpha, n, p, name):
    if mu is not None and alpha is not None and n is None and p is None:
        alpha = pt.as_tensor(alpha)
        return alpha, alpha / (pt.as_tensor(mu) + alpha)
    if n is not None and p is not None and mu is None and alpha is None:
        return n, p
    raise ValueError(f"{name}: give mu and alpha, or n and p")


class NegativeBinomial(Discrete):
    """Overdispersed counts: mean ``mu`` and shape ``alpha``, or ``n`` successes with probability
    ``p``.

    The parameters are stored as ``(n, p)`` with ``n = alpha`` and ``p = alpha / (mu + alpha)``.
    """

    @classmethod
    def dist(cls, mu=None, alpha=None, p=None, n=None, **kwargs):
        return super().dist(list(_nb_params(mu, alpha, n, p, "NegativeBinomial")), **kwargs)

    @classmethod
    def rng_fn(cls, rng, n, p, size=None):
        return rng.poisson(rng.gamma(n, (1 - p) / p, size))

    @staticmethod
    def logp(value, n, p):
        lp = in_support(negbinom_logp(value, n, p), pt.ge(value, 0))
        return check_parameters(lp, n > 0, _unit(p), msg="n > 0, 0 <= p <= 1")

    @staticmethod
    def logcdf(value, n, p):
        k = pt.floor(value)
        lp = pt.switch(pt.lt(value, 0), -np.inf, pt.log(pt.betainc(n, k + 1, p)))
        return check_parameters(lp, n > 0, _unit(p), msg="n > 0, 0 <= p <= 1")

    @staticmethod
    def support_point(rv, n, p):
        return pt.cast(pt.floor(n * (1 - p) / p), "int64")


class Geometric(Discrete):
    """Trials up to and including the first success (values 1, 2, ...)."""

    @classmethod
    def dist(cls, p, **kwargs):
        return super().dist([p], **kwargs)

    @classmethod
    def rng_fn(cls, rng, p, size=None):
        return rng.geometric(p, size)

    @staticmethod
    def logp(value, p):
        lp = in_support(pt.xlog1py(value - 1, -p) + pt.log(p), pt.ge(value, 1))
        return check_parameters(lp, _unit(p), msg="0 <= p <= 1")

    @staticmethod
    def logcdf(value, p):
        k = pt.floor(pt.maximum(value, 1))
        lp = pt.switch(pt.lt(value, 1), -np.inf, pt.log1mexp(k * pt.log1p(-p)))
        return check_parameters(lp, _unit(p), msg="0 <= p <= 1")

    @staticmethod
    def support_point(rv, p):
        return pt.cast(pt.round(1.0 / p), "int64")


class DiscreteUniform(Discrete):
    """Integers ``lower, ..., upper`` with equal mass."""

    @classmethod
    def dist(cls, lower, upper, **kwargs):
        return super().dist([lower, upper], **kwargs)

    @classmethod
    def rng_fn(cls, rng, lower, upper, size=None):
        return rng.integers(_np_int(lower), _np_int(upper), size, endpoint=True)

    @staticmethod
    def logp(value, lower, upper):
        lp = in_support(-pt.log(upper - lower + 1) + pt.zeros_like(value, dtype="float64"),
                        pt.ge(value, lower), pt.le(value, upper))
        return check_parameters(lp, pt.le(lower, upper), msg="lower <= upper")

    @staticmethod
    def logcdf(value, lower, upper):
        k = pt.floor(value)
        lp = pt.log((k - lower + 1) / (upper - lower + 1))
        lp = pt.switch(pt.lt(value, lower), -np.inf, pt.switch(pt.ge(value, upper), 0.0, lp))
        return check_parameters(lp, pt.le(lower, upper), msg="lower <= upper")

    @staticmethod
    def support_point(rv, lower, upper):
        return pt.cast(pt.floor((lower + upper) / 2), "int64")


# ---------------------------------------------------------------------- categories
def _log_probs(p):
    """Normalised log-probabilities along the last axis."""
    return pt.log(p) - pt.log(pt.sum(p, axis=-1, keepdims=True))


class Categorical(Discrete):
    """One of ``K`` categories ``0..K-1`` with probabilities ``p`` (or ``logit_p``) on the last
    axis.

    ``p`` is normalised to sum to one, as in PyMC.
    """

    ndims_params = (1,)

    @classmethod
    def dist(cls, p=None, logit_p=None, **kwargs):
        if (p is None) == (logit_p is None):
            raise ValueError("Categorical: give exactly one of p and logit_p")
        if p is None:
            from probgraph.tensor.nnet import softmax
            p = softmax(pt.as_tensor(logit_p), axis=-1)
        p = pt.as_tensor(p)
        if p.ndim == 0:
            raise ValueError("Categorical: p must have at least one dimension (the categories)")
        return super().dist([p], **kwargs)

    @classmethod
    def rng_fn(cls, rng, p, size=None):
        p = np.asarray(p, dtype=float)
        p = p / p.sum(-1, keepdims=True)
        shape = p.shape[:-1] if size is None else tuple(size)
        u = rng.uniform(size=shape)[..., None]
        cdf = np.cumsum(np.broadcast_to(p, (*shape, p.shape[-1])), axis=-1)
        return np.minimum((cdf < u).sum(-1), p.shape[-1] - 1)

    @staticmethod
    def logp(value, p):
        k = p.type.shape[-1]
        cats = pt.arange(k if k is not None else p.shape[-1])
        hit = pt.eq(pt.expand_dims(value, -1), cats)
        log_p = _log_probs(p)
        lp = pt.sum(pt.switch(hit, log_p, 0.0), axis=-1)
        lp = in_support(lp, pt.any(hit, axis=-1))
        return check_parameters(lp, pt.all(pt.ge(p, 0), axis=-1), msg="p >= 0")

    @staticmethod
    def support_point(rv, p):
        return pt.argmax(p, axis=-1)


def _ordered_probs(eta, cutpoints, cdf):
    """P(y = k) for k = 0..K from a latent ``eta`` and increasing ``cutpoints`` (last axis)."""
    eta, cutpoints = pt.as_tensor(eta), pt.as_tensor(cutpoints)
    s = cdf(pt.expand_dims(eta, -1) - cutpoints)      # P(y > k), K - 1 entries
    return pt.concatenate([1 - s[..., :1], s[..., :-1] - s[..., 1:], s[..., -1:]], axis=-1)


class OrderedLogistic:
    """Ordinal outcomes: ``P(y > k) = sigmoid(eta - cutpoints[k])`` — a Categorical over ``K + 1``
    classes.

    As in PyMC, the variable is a :class:`Categorical` with those probabilities.

    Examples
    --------
    >>> import probgraph as pg
    >>> y = pg.OrderedLogistic.dist(eta=0.0, cutpoints=[-1.0, 1.0])
    >>> y.type.shape
    ()
    """

    cdf = staticmethod(pt.sigmoid)

    def __new__(cls, name, eta, cutpoints, **kwargs):
        from probgraph.model import register_distribution
        p = _ordered_probs(eta, cutpoints, cls.cdf)
        return register_distribution(Categorical, name, (), {**kwargs, "p": p})

    @classmethod
    def dist(cls, eta, cutpoints, **kwargs):
        return Categorical.dist(p=_ordered_probs(eta, cutpoints, cls.cdf), **kwargs)


class OrderedProbit(OrderedLogistic):
    """Ordinal outcomes with ``P(y > k) = Phi((eta - cutpoints[k]) / sigma)`` (sigma = 1)."""

    cdf = staticmethod(pt.ndtr)


# ---------------------------------------------------------------------- zero inflation
def _zero_inflated(value, psi, logp_nonzero, logp_at_zero):
    lp = pt.switch(pt.eq(value, 0), pt.logaddexp(pt.log1p(-psi), pt.log(psi) + logp_at_zero),
                   pt.log(psi) + logp_nonzero)
    return in_support(lp, pt.ge(value, 0))


def _zi_draw(rng, psi, draws):
    return np.where(rng.uniform(size=np.shape(draws)) < psi, draws, 0)


class ZeroInflatedPoisson(Discrete):
    """Poisson(mu) with probability ``psi``, else 0."""

    @classmethod
    def dist(cls, psi, mu, **kwargs):
        return super().dist([psi, mu], **kwargs)

    @classmethod
    def rng_fn(cls, rng, psi, mu, size=None):
        return _zi_draw(rng, psi,
                        rng.poisson(mu, size if size is not None else np.broadcast(psi, mu).shape))

    @staticmethod
    def logp(value, psi, mu):
        lp = _zero_inflated(value, psi, poisson_logp(value, mu), -mu)
        return check_parameters(lp, _unit(psi), pt.ge(mu, 0), msg="0 <= psi <= 1, mu >= 0")

    @staticmethod
    def logcdf(value, psi, mu):
        lp = pt.logaddexp(pt.log1p(-psi), pt.log(psi) + Poisson.logcdf(value, mu))
        return check_parameters(pt.switch(pt.lt(value, 0), -np.inf, lp), _unit(psi), pt.ge(mu, 0),
                                msg="0 <= psi <= 1, mu >= 0")

    @staticmethod
    def support_point(rv, psi, mu):
        return pt.cast(pt.floor(psi * mu), "int64")


class ZeroInflatedBinomial(Discrete):
    """Binomial(n, p) with probability ``psi``, else 0."""

    @classmethod
    def dist(cls, psi, n, p, **kwargs):
        return super().dist([psi, n, p], **kwargs)

    @classmethod
    def rng_fn(cls, rng, psi, n, p, size=None):
        shape = size if size is not None else np.broadcast(psi, n, p).shape
        return _zi_draw(rng, psi, rng.binomial(_np_int(n), p, shape))

    @staticmethod
    def logp(value, psi, n, p):
        lp = _zero_inflated(value, psi, binom_logp(value, n, p), n * log_p_pair(p)[1])
        lp = in_support(lp, pt.le(value, n))
        return check_parameters(lp, _unit(psi), pt.ge(n, 0), _unit(p),
                                msg="0 <= psi <= 1, n >= 0, 0 <= p <= 1")

    @staticmethod
    def support_point(rv, psi, n, p):
        return pt.cast(pt.round(psi * n * p), "int64")


class ZeroInflatedNegativeBinomial(Discrete):
    """NegativeBinomial (``mu``/``alpha`` or ``n``/``p``) with probability ``psi``, else 0."""

    @classmethod
    def dist(cls, psi, mu=None, alpha=None, p=None, n=None, **kwargs):
        n, p = _nb_params(mu, alpha, n, p, "ZeroInflatedNegativeBinomial")
        return super().dist([psi, n, p], **kwargs)

    @classmethod
    def rng_fn(cls, rng, psi, n, p, size=None):
        return _zi_draw(rng, psi, NegativeBinomial.rng_fn(rng, n, p, size if size is not None
                                                            else np.broadcast(psi, n, p).shape))

    @staticmethod
    def logp(value, psi, n, p):
        lp = _zero_inflated(value, psi, negbinom_logp(value, n, p), n * pt.log(p))
        return check_parameters(lp, _unit(psi), n > 0, _unit(p),
                                msg="0 <= psi <= 1, n > 0, 0 <= p <= 1")

    @staticmethod
    def support_point(rv, psi, n, p):
        return pt.cast(pt.floor(psi * n * (1 - p) / p), "int64")


class HyperGeometric(Discrete):
    """Successes in ``n`` draws without replacement from ``N`` items of which ``k`` are
    successes."""

    @classmethod
    def dist(cls, N, k, n, **kwargs):
        return super().dist([N, k, n], **kwargs)

    @classmethod
    def rng_fn(cls, rng, N, k, n, size=None):
        N, k, n = _np_int(N), _np_int(k), _np_int(n)
        return rng.hypergeometric(k, N - k, n, size)

    @staticmethod
    def logp(value, N, k, n):
        lp = _log_choose(k, value) + _log_choose(N - k, n - value) - _log_choose(N, n)
        lp = in_support(lp, pt.ge(value, pt.maximum(0, n - N + k)), pt.le(value, pt.minimum(k, n)))
        return check_parameters(lp, pt.ge(k, 0), pt.ge(n, 0), pt.le(k, N), pt.le(n, N),
                                msg="0 <= k <= N, 0 <= n <= N")

    @staticmethod
    def support_point(rv, N, k, n):
        lo, hi = pt.maximum(0, n - N + k), pt.minimum(k, n)
        return pt.cast(pt.clip(pt.floor(n * k / N), lo, hi), "int64")
