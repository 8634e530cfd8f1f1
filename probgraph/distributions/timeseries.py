"""Time-series distributions over the last axis (PyMC's names): GaussianRandomWalk, RandomWalk,
AR."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions.continuous import Normal
from probgraph.distributions.dist_math import known_value
from probgraph.distributions.distribution import Continuous, Distribution
from probgraph.distributions.mixture import compound_family, param_batch, unpack_dist

__all__ = ["GaussianRandomWalk", "RandomWalk", "AR"]


def _steps(steps, shape, who):
    """The number of steps from ``steps=`` or the last entry of ``shape`` (minus the initial
    values)."""
    if steps is not None:
        return steps
    if shape is None:
        raise ValueError(f"{who}: give steps= or shape= (the last axis is time)")
    shape = (shape,) if np.ndim(shape) == 0 and not isinstance(shape, pt.TensorVariable) else shape
    return pt.as_tensor(shape[-1]) if not isinstance(shape, pt.TensorVariable) else shape[-1]


class _TimeSeries(Continuous):
    """Shared machinery: parameters ``(*own, steps, *init_params)``; the initial values come from
    ``init_family`` (a ``.dist`` given as ``init_dist``)."""

    ndim_supp = 1
    n_own = 2                # parameters before ``steps``
    n_init_values = 1        # initial values drawn from init_dist
    init_family = Normal
    _cache: dict = {}

    @classmethod
    def _build(cls, own, init_dist, steps, shape, size, extra=(), **kwargs):
        init_dist = Normal.dist(0.0, 100.0) if init_dist is None else init_dist
        fam, init_params = unpack_dist(init_dist, cls.__name__)
        if fam.ndim_supp:
            raise ValueError(f"{cls.__name__}: init_dist must be univariate")
        if steps is None:
            steps = pt.as_tensor(_steps(steps, shape, cls.__name__)) - cls._init_count(own)
        nd = (*(cls.ndims_params or (0,) * cls.n_own)[:cls.n_own], 0,
              *(fam.ndims_params or (0,) * len(init_params)))
        sub = compound_family(cls, cls.__name__, _TimeSeries._cache, (cls, fam, extra),
                              init_family=fam, ndims_params=nd, **dict(extra))
        if shape is None and size is not None:
            size = (size,) if np.ndim(size) == 0 else tuple(size)
            kv = known_value(pt.as_tensor(steps))
            n_time = int(kv) + cls._init_count(own) if kv is not None else \
                pt.as_tensor(steps) + cls._init_count(own)
            shape = (*size, n_time)
            size = None
        return Distribution.dist.__func__(sub, [*own, pt.cast(pt.as_tensor(steps), "floatX"),
                                                *init_params], shape=shape, size=size, **kwargs)

    @classmethod
    def _init_count(cls, own) -> int:
        return 1

    @classmethod
    def supp_shape(cls, params):
        steps = known_value(params[cls.n_own])
        init = cls._init_count(params[:cls.n_own])
        return (int(steps) + init,) if steps is not None else (None,)

    @classmethod
    def _init_logp(cls, first, init_params):
        return cls.init_family.logp(first, *init_params)

    @classmethod
    def _batch(cls, own, init_params, size, own_nd=(0, 0)):
        if size is not None:
            return tuple(size)
        shapes = [np.shape(p)[:np.ndim(p) - k] for p, k in zip(own, own_nd)]
        return np.broadcast_shapes(*shapes, param_batch(cls.init_family, init_params))


class GaussianRandomWalk(_TimeSeries):
    """A random walk with Normal(mu, sigma) innovations along the last axis; ``x[..., 0] ~
    init_dist``.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.GaussianRandomWalk.dist(mu=0.0, sigma=1.0, steps=9)
    >>> x.type.shape
    (10,)
    """

    @classmethod
    def dist(cls, mu=0.0, sigma=1.0, *, init_dist=None, steps=None, shape=None, size=None,
             **kwargs):
        return cls._build([mu, sigma], init_dist, steps, shape, size, **kwargs)

    @classmethod
    def rng_fn(cls, rng, mu, sigma, steps, *init_params, size=None):
        batch = cls._batch([mu, sigma], init_params, size)
        x0 = np.broadcast_to(cls.init_family.rng_fn(rng, *init_params, size=batch), batch)
        innov = rng.normal(np.asarray(mu)[..., None], np.asarray(sigma)[..., None],
                           (*batch, int(steps)))
        return np.concatenate([x0[..., None], x0[..., None] + np.cumsum(innov, -1)], axis=-1)

    @classmethod
    def logp(cls, value, mu, sigma, steps, *init_params):
        init = cls._init_logp(value[..., 0], init_params)
        diffs = value[..., 1:] - value[..., :-1]
        innov = Normal.logp(diffs, pt.expand_dims(mu, -1), pt.expand_dims(sigma, -1))
        return init + pt.sum(innov, axis=-1)

    @classmethod
    def support_point(cls, rv, mu, sigma, steps, *init_params):
        x0 = pt.as_tensor(cls.init_family.support_point(rv[..., 0], *init_params))
        t = pt.cast(pt.arange(rv.shape[-1]), "float64")
        return pt.expand_dims(x0, -1) + pt.expand_dims(mu, -1) * t + pt.zeros_like(rv)


RandomWalk = GaussianRandomWalk


class AR(_TimeSeries):
    """Autoregressive process of order ``p = rho.shape[-1]`` (minus one with ``constant=True``,
    where ``rho[..., 0]`` is the intercept): ``x_t ~ Normal(sum_i rho_i x_{t-i}, sigma)``; the first
    ``p`` values come from ``init_dist``.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.AR.dist(rho=[0.5, -0.2], sigma=1.0, steps=20)
    >>> x.type.shape
    (22,)
    """

    ndims_params = (1, 0)
    constant = False

    @classmethod
    def dist(cls, rho, sigma=1.0, *, init_dist=None, steps=None, constant=False, ar_order=None,
             shape=None, size=None, **kwargs):
        rho = pt.as_tensor(rho)
        if rho.ndim == 0:
            rho = pt.expand_dims(rho, -1)
        k = rho.type.shape[-1]
        if k is None:
            raise ValueError("AR: the length of rho's last axis must be known (or give ar_order=)")
        if ar_order is not None and ar_order != k - bool(constant):
            raise ValueError(f"AR: ar_order={ar_order} does not match rho with {k} entries "
                             f"(constant={constant})")
        if k - bool(constant) < 1:
            raise ValueError("AR: rho needs at least one coefficient")
        return cls._build([rho, sigma], init_dist, steps, shape, size,
                          extra=(("constant", bool(constant)),), **kwargs)

    @classmethod
    def _init_count(cls, own) -> int:
        return cls.order(own[0])

    @classmethod
    def order(cls, rho) -> int:
        return int(rho.type.shape[-1]) - int(cls.constant)

    @classmethod
    def supp_shape(cls, params):
        steps = known_value(params[cls.n_own])
        return (int(steps) + cls.order(params[0]),) if steps is not None else (None,)

    @classmethod
    def rng_fn(cls, rng, rho, sigma, steps, *init_params, size=None):
        rho = np.asarray(rho)
        p = rho.shape[-1] - cls.constant
        batch = cls._batch([rho, sigma], init_params, size, own_nd=(1, 0))
        x = np.empty((*batch, p + int(steps)))
        init_params = [np.asarray(q)[..., None] if np.ndim(q) else q for q in init_params]
        x[..., :p] = cls.init_family.rng_fn(rng, *init_params, size=(*batch, p))
        const = rho[..., 0] if cls.constant else 0.0
        coef = rho[..., 1:] if cls.constant else rho
        noise = rng.normal(0.0, 1.0, (*batch, int(steps))) * np.asarray(sigma)[..., None]
        for t in range(p, x.shape[-1]):
            past = x[..., t - p:t][..., ::-1]            # x_{t-1}, ..., x_{t-p}
            x[..., t] = const + np.sum(coef * past, -1) + noise[..., t - p]
        return x

    @classmethod
    def logp(cls, value, rho, sigma, steps, *init_params):
        p = cls.order(rho)
        init = pt.sum(cls._init_logp(value[..., :p], [pt.expand_dims(q, -1) if q.ndim else q
                                                      for q in init_params]), axis=-1)
        mean = 0.0
        if cls.constant:
            mean = pt.expand_dims(rho[..., 0], -1)
        for i in range(1, p + 1):
            mean = mean + pt.expand_dims(rho[..., i - 1 + cls.constant], -1) * value[..., p - i:-i]
        innov = Normal.logp(value[..., p:], mean, pt.expand_dims(sigma, -1))
        return init + pt.sum(innov, axis=-1)

    @classmethod
    def support_point(cls, rv, rho, sigma, steps, *init_params):
        return pt.zeros_like(rv)
