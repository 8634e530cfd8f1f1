"""Mixture distributions (PyMC's ``Mixture`` and ``NormalMixture``) and helpers for families built
on others."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions.dist_math import check_parameters
from probgraph.distributions.distribution import Distribution, RandomVariable

__all__ = ["Mixture", "NormalMixture"]


# ---------------------------------------------------------------------- families built on families
def unpack_dist(rv, who: str):
    """``(family, params)`` of an unregistered ``.dist(...)`` variable used inside another
    family."""
    if not (hasattr(rv, "owner") and rv.owner is not None
            and isinstance(rv.owner.op, RandomVariable)):
        raise TypeError(f"{who}: expected a distribution made with .dist(...), e.g. "
                        f"pg.Normal.dist(0, 1), got {rv!r}")
    if rv.name is not None:
        raise ValueError(f"{who}: {rv.name!r} is a model variable; pass an unregistered "
                         f"{rv.owner.op.dist.__name__}.dist(...) instead")
    params = list(rv.owner.inputs[1:])
    shape_vec = rv.owner.inputs[0]
    if shape_vec.type.shape[0] not in (0, None) and rv.owner.op.dist.ndim_supp == 0:
        # a component with an explicit shape: carry it in its parameters
        params = [pt.broadcast_to(p, shape_vec) for p in params]
    return rv.owner.op.dist, params


def compound_family(parent, name: str, cache: dict, key, **attrs):
    """A cached subclass of ``parent`` named ``name`` carrying ``attrs`` (e.g. the component
    families)."""
    if key not in cache:
        cache[key] = type(name, (parent,), attrs)
    return cache[key]


def param_batch(family, params) -> tuple:
    """Numpy batch shape of parameter values for ``family``."""
    nd = family.ndims_params or (0,) * len(params)
    return np.broadcast_shapes(*[np.shape(p)[:np.ndim(p) - k] for p, k in zip(params, nd)])


# ---------------------------------------------------------------------- Mixture
class Mixture(Distribution):
    """A mixture with weights ``w`` (last axis) of components ``comp_dists``.

    ``comp_dists`` is a list of ``.dist(...)`` variables (one per weight) or one ``.dist`` whose
    last batch axis indexes the components. The log-density is ``logsumexp_k(log w_k +
    logp_k(value))``.

    Examples
    --------
    >>> import probgraph as pg
    >>> comps = [pg.Normal.dist(-1.0, 1.0), pg.Normal.dist(2.0, 0.5)]
    >>> x = pg.Mixture.dist(w=[0.3, 0.7], comp_dists=comps)
    >>> x.type.shape
    ()
    """

    _cache: dict = {}
    components: tuple = ()       # families of the components (one family if ``batched``)
    n_params: tuple = ()
    batched = False

    @classmethod
    def dist(cls, w, comp_dists, **kwargs):
        batched = not isinstance(comp_dists, (list, tuple))
        comps = [comp_dists] if batched else list(comp_dists)
        if not comps:
            raise ValueError("Mixture: comp_dists is empty")
        unpacked = [unpack_dist(c, "Mixture") for c in comps]
        fams = tuple(f for f, _ in unpacked)
        supp = {f.ndim_supp for f in fams}
        if len(supp) != 1:
            raise ValueError("Mixture: all components must have the same number of support "
                             "dimensions")
        dtypes = {c.dtype for c in comps}
        w = pt.as_tensor(w)
        if w.ndim == 0:
            raise ValueError("Mixture: w must have a last axis indexing the components")
        if not batched and w.type.shape[-1] not in (None, len(comps)):
            raise ValueError(f"Mixture: {w.type.shape[-1]} weights for {len(comps)} components")
        n_params = tuple(len(p) for _, p in unpacked)
        fam = compound_family(cls, cls.__name__, cls._cache, (fams, n_params, batched),
                              components=fams, n_params=n_params, batched=batched,
                              ndim_supp=supp.pop(),
                              dtype=dtypes.pop() if len(dtypes) == 1 else "floatX",
                              float_params=False)
        params = [w] + [p for _, ps in unpacked for p in ps]
        return super(Mixture, fam).dist(params, **kwargs)

    @classmethod
    def _split(cls, params):
        out, i = [], 0
        for n in cls.n_params:
            out.append(list(params[i:i + n]))
            i += n
        return out

    @classmethod
    def supp_shape(cls, params):
        if cls.ndim_supp == 0:
            return ()
        return cls.components[0].supp_shape(cls._split(params[1:])[0])

    @classmethod
    def batch_shape(cls, params):
        from probgraph.tensor.elemwise import broadcast_shapes
        w, groups = params[0], cls._split(params[1:])
        shapes = [w.type.shape[:-1]]
        for fam, ps in zip(cls.components, groups):
            b = fam.batch_shape(ps)
            shapes.append(b[:-1] if cls.batched else b)
        n = max(len(s) for s in shapes)
        return broadcast_shapes([(1,) * (n - len(s)) + tuple(s) for s in shapes], "Mixture")

    @classmethod
    def rng_fn(cls, rng, w, *params, size=None):
        groups = cls._split(params)
        batch = tuple(size) if size is not None else np.broadcast_shapes(
            w.shape[:-1], *[param_batch(f, ps)[:-1] if cls.batched else param_batch(f, ps)
                            for f, ps in zip(cls.components, groups)])
        k = w.shape[-1]
        if cls.batched:
            draws = cls.components[0].rng_fn(rng, *groups[0], size=(*batch, k))
        else:
            draws = np.stack([f.rng_fn(rng, *ps, size=batch)
                              for f, ps in zip(cls.components, groups)],
                             axis=len(batch))
        wn = np.broadcast_to(w / w.sum(-1, keepdims=True), (*batch, k))
        u = rng.uniform(size=batch)[..., None]
        idx = np.minimum((np.cumsum(wn, -1) < u).sum(-1), k - 1)
        draws = np.moveaxis(np.asarray(draws), len(batch), -1)      # (*batch, *support, k)
        idx = idx[(Ellipsis,) + (None,) * (cls.ndim_supp + 1)]
        return np.take_along_axis(draws, idx, axis=-1)[..., 0]

    @classmethod
    def get_default_transform(cls, params):
        trs = [f.get_default_transform(ps) for f, ps in zip(cls.components, cls._split(params[1:]))]
        return trs[0] if all(t is trs[0] for t in trs) else None

    @classmethod
    def component_logps(cls, value, params):
        """Log-densities of each component at ``value``, stacked on a last axis."""
        groups = cls._split(params)
        axis = -1 - cls.ndim_supp
        if cls.batched:
            lp = cls.components[0].logp(pt.expand_dims(value, axis), *groups[0])
            return lp
        return pt.stack([f.logp(value, *ps) for f, ps in zip(cls.components, groups)], axis=-1)

    @classmethod
    def logp(cls, value, w, *params):
        log_w = pt.log(w) - pt.log(pt.sum(w, axis=-1, keepdims=True))
        lp = pt.logsumexp(log_w + cls.component_logps(value, params), axis=-1)
        return check_parameters(lp, pt.all(pt.ge(w, 0), axis=-1), msg="w >= 0")

    @classmethod
    def logcdf(cls, value, w, *params):
        groups = cls._split(params)
        log_w = pt.log(w) - pt.log(pt.sum(w, axis=-1, keepdims=True))
        if cls.batched:
            lc = cls.components[0].logcdf(pt.expand_dims(value, -1), *groups[0])
        else:
            lc = pt.stack([f.logcdf(value, *ps) for f, ps in zip(cls.components, groups)], axis=-1)
        return check_parameters(pt.logsumexp(log_w + lc, axis=-1), pt.all(pt.ge(w, 0), axis=-1),
                                msg="w >= 0")

    @classmethod
    def support_point(cls, rv, w, *params):
        # the support point of the heaviest component
        groups = cls._split(params)
        if cls.batched:
            sp = cls.components[0].support_point(rv, *groups[0])
            sp = pt.as_tensor(sp)
            if sp.ndim == 0:
                return sp
            onehot = pt.eq(pt.expand_dims(pt.argmax(w, axis=-1), -1), pt.arange(w.shape[-1]))
            onehot = pt.expand_dims(onehot, -1) if cls.ndim_supp else onehot
            return pt.sum(pt.switch(onehot, sp, 0), axis=-1 - cls.ndim_supp)
        sps = [pt.as_tensor(f.support_point(rv, *ps)) for f, ps in zip(cls.components, groups)]
        best = pt.argmax(w, axis=-1)
        out = sps[-1]
        for i in range(len(sps) - 1, -1, -1):
            out = pt.switch(pt.eq(best, i), sps[i], out)
        return out


class NormalMixture:
    """A mixture of normals with weights ``w``, means ``mu`` and scales ``sigma`` (or precisions
    ``tau``) whose last axis indexes the components.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.NormalMixture.dist(w=[0.5, 0.5], mu=[-1.0, 1.0], sigma=[1.0, 1.0])
    >>> x.type.shape
    ()
    """

    def __new__(cls, name, w, mu, sigma=None, tau=None, **kwargs):
        from probgraph.model import register_distribution
        return register_distribution(Mixture, name, (w, cls._comp(mu, sigma, tau)), kwargs)

    @staticmethod
    def _comp(mu, sigma, tau):
        from probgraph.distributions.continuous import Normal
        return Normal.dist(mu, sigma=sigma, tau=tau)

    @classmethod
    def dist(cls, w, mu, sigma=None, tau=None, **kwargs):
        return Mixture.dist(w, cls._comp(mu, sigma, tau), **kwargs)
