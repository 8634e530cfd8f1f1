"""Censored and Truncated wrappers (PyMC's names): any univariate family with a logcdf, bounded by
lower/upper."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions import transforms
from probgraph.distributions.dist_math import check_parameters, in_support
from probgraph.distributions.distribution import Distribution
from probgraph.distributions.mixture import compound_family, unpack_dist

__all__ = ["Censored", "Truncated"]


class _Bounded(Distribution):
    """Parameters ``(lower, upper, *base_params)`` around the univariate family ``base``."""

    base = None
    _cache: dict = {}

    @classmethod
    def dist(cls, dist, lower=None, upper=None, **kwargs):
        fam, params = unpack_dist(dist, cls.__name__)
        if fam.ndim_supp:
            raise NotImplementedError(f"{cls.__name__}: only univariate distributions can be "
                                      "wrapped")
        nd = (0, 0, *(fam.ndims_params or (0,) * len(params)))
        sub = compound_family(cls, cls.__name__, _Bounded._cache, (cls, fam), base=fam,
                              ndims_params=nd, dtype=dist.dtype, float_params=False)
        lower = -np.inf if lower is None else lower
        upper = np.inf if upper is None else upper
        lower, upper = pt.as_tensor(lower), pt.as_tensor(upper)
        if not lower.dtype.startswith("float"):
            lower, upper = pt.cast(lower, "float64"), pt.cast(upper, "float64")
        if kwargs.get("shape") is None and kwargs.get("size") is None \
                and dist.owner.inputs[0].type.shape[0] not in (0, None):
            kwargs["shape"] = dist.owner.inputs[0]
        return super(_Bounded, sub).dist([lower, pt.cast(upper, lower.dtype), *params], **kwargs)

    @classmethod
    def _logccdf(cls, value, params):
        return pt.log1mexp(pt.minimum(cls.base.logcdf(value, *params), 0.0))

    @classmethod
    def support_point(cls, rv, lower, upper, *params):
        sp = pt.as_tensor(cls.base.support_point(rv, *params))
        sp = pt.clip(sp, lower, upper)
        return sp if sp.dtype == rv.dtype else pt.cast(sp, rv.dtype)


class Censored(_Bounded):
    """``dist`` clipped to ``[lower, upper]``: the mass beyond each bound sits on the bound.

    Examples
    --------
    >>> import probgraph as pg
    >>> y = pg.Censored.dist(pg.Normal.dist(0.0, 1.0), lower=-1.0, upper=1.0)
    >>> round(float(pg.logp(y, 1.0).eval()), 4)   # log P(Normal > 1)
    -1.8410
    """

    @classmethod
    def rng_fn(cls, rng, lower, upper, *params, size=None):
        return np.clip(cls.base.rng_fn(rng, *params, size=size), lower, upper)

    @classmethod
    def logp(cls, value, lower, upper, *params):
        inside = cls.base.logp(value, *params)
        at_lower = cls.base.logcdf(lower, *params)
        at_upper = cls._logccdf(upper, params)
        lp = pt.switch(pt.eq(value, lower), at_lower,
                       pt.switch(pt.eq(value, upper), at_upper, inside))
        lp = in_support(lp, pt.ge(value, lower), pt.le(value, upper))
        return check_parameters(lp, pt.lt(lower, upper), msg="lower < upper")

    @classmethod
    def logcdf(cls, value, lower, upper, *params):
        lc = cls.base.logcdf(value, *params)
        lc = pt.switch(pt.lt(value, lower), -np.inf, pt.switch(pt.ge(value, upper), 0.0, lc))
        return check_parameters(lc, pt.lt(lower, upper), msg="lower < upper")


class Truncated(_Bounded):
    """``dist`` restricted to ``[lower, upper]`` and renormalised.

    Draws use rejection sampling from ``dist``.

    Examples
    --------
    >>> import probgraph as pg
    >>> y = pg.Truncated.dist(pg.Normal.dist(0.0, 1.0), lower=0.0)
    >>> round(float(pg.logp(y, 0.0).eval()), 4)   # twice the Normal density
    -0.2258
    """

    max_tries = 100

    @classmethod
    def get_default_transform(cls, params):
        if not cls.dtype.startswith("float") and cls.dtype != "floatX":
            return None
        return transforms.Interval(params[0], params[1])

    @classmethod
    def support_point(cls, rv, lower, upper, *params):
        if cls._discrete():
            return super().support_point(rv, lower, upper, *params)
        # strictly inside the bounds, so that the interval transform maps it to a finite value
        sp = pt.as_tensor(cls.base.support_point(rv, *params))
        lo_inf, hi_inf = pt.isinf(lower), pt.isinf(upper)
        inside = pt.and_(pt.gt(sp, lower), pt.lt(sp, upper))
        other = pt.switch(hi_inf, lower + 1, pt.switch(lo_inf, upper - 1, (lower + upper) / 2))
        return pt.switch(inside, sp, other)

    @classmethod
    def _log_mass(cls, lower, upper, params):
        below = lower - 1 if cls._discrete() else lower
        return pt.logdiffexp(cls.base.logcdf(upper, *params), cls.base.logcdf(below, *params))

    @classmethod
    def _discrete(cls) -> bool:
        return cls.dtype.startswith("int")

    @classmethod
    def rng_fn(cls, rng, lower, upper, *params, size=None):
        shape = np.shape(cls.base.rng_fn(rng, *params, size=size))
        shape = np.broadcast_shapes(shape, np.shape(lower), np.shape(upper))
        out = np.full(shape, np.nan)
        todo = np.ones(shape, dtype=bool)
        for _ in range(cls.max_tries):
            x = np.broadcast_to(cls.base.rng_fn(rng, *params, size=shape), shape)
            ok = todo & (x >= lower) & (x <= upper)
            out[ok] = x[ok]
            todo &= ~ok
            if not todo.any():
                return out
        raise RuntimeError(f"Truncated {cls.base.__name__}: rejection sampling found no draw "
                           f"inside the bounds after {cls.max_tries} tries")

    @classmethod
    def logp(cls, value, lower, upper, *params):
        lp = cls.base.logp(value, *params) - cls._log_mass(lower, upper, params)
        lp = in_support(lp, pt.ge(value, lower), pt.le(value, upper))
        return check_parameters(lp, pt.lt(lower, upper), msg="lower < upper")

    @classmethod
    def logcdf(cls, value, lower, upper, *params):
        below = lower - 1 if cls._discrete() else lower
        v = pt.clip(value, lower, upper)
        lc = (pt.logdiffexp(cls.base.logcdf(v, *params), cls.base.logcdf(below, *params))
              - cls._log_mass(lower, upper, params))
        lc = pt.switch(pt.lt(value, lower), -np.inf, pt.switch(pt.ge(value, upper), 0.0, lc))
        return check_parameters(lc, pt.lt(lower, upper), msg="lower < upper")
