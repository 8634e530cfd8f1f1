"""Multivariate distributions (PyMC's names): MvNormal, MvStudentT, Dirichlet, Multinomial,
ZeroSumNormal."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions import transforms
from probgraph.distributions.dist_math import (LOG_2PI, LOG_PI, check_parameters,
                                               depends_on_constants_only, in_support,
                                               last_axis_length, matvec_last)
from probgraph.distributions.distribution import Continuous, Discrete
from probgraph.tensor import linalg

__all__ = ["MvNormal", "MvStudentT", "Dirichlet", "Multinomial", "ZeroSumNormal",
           "ZeroSumTransform"]


# ---------------------------------------------------------------------- Gaussian helpers
def _chol_from(cov=None, chol=None, tau=None, name="MvNormal"):
    """The lower Cholesky factor from exactly one of a covariance, a Cholesky factor or a
    precision."""
    if sum(x is not None for x in (cov, chol, tau)) != 1:
        raise ValueError(f"{name}: give exactly one of cov, chol and tau")
    for what, m in (("cov", cov), ("chol", chol), ("tau", tau)):
        if m is not None and pt.as_tensor(m).ndim != 2:
            raise ValueError(f"{name}: {what} must be a matrix (batched matrices are not "
                             f"supported), got {pt.as_tensor(m).ndim} dimensions")
    if chol is not None:
        return pt.as_tensor(chol)
    if cov is not None:
        return linalg.cholesky(cov)
    return linalg.cholesky(linalg.inv(tau))


def _vector_mu(mu, chol):
    """``mu`` as a vector (a scalar is broadcast to the matrix's size)."""
    mu = pt.as_tensor(mu)
    if mu.ndim == 0:
        n = chol.type.shape[0]
        mu = pt.broadcast_to(mu, (n if n is not None else chol.shape[0],))
    return mu


def _whiten(delta, chol, eye):
    """``L^-1 delta`` along the last axis of ``delta`` for a lower-triangular ``L``.

    A constant ``L`` is inverted once when the graph is compiled, leaving one matrix product per
    call; otherwise one triangular solve (O(n^2) per vector rather than O(n^3) for an inverse).
    """
    if depends_on_constants_only(chol) or delta.ndim > 2:
        chol_inv = linalg.solve_triangular(chol, eye, lower=True)
        if delta.ndim <= 2:
            return pt.dot(delta, chol_inv.T)
        return pt.sum(pt.expand_dims(delta, -2) * chol_inv, axis=-1)
    if delta.ndim == 1:
        return linalg.solve_triangular(chol, delta, lower=True)
    return linalg.solve_triangular(chol, delta.T, lower=True).T


def mv_quad_logdet(value, mu, chol):
    """``(|L^-1 (value - mu)|^2, log|det L|, n)`` along the last axis for a lower-triangular
    ``L``."""
    delta = value - mu
    n = chol.type.shape[0] if chol.type.shape[0] is not None else delta.type.shape[-1]
    n = n if n is not None else chol.shape[0]
    eye = pt.eye(n, dtype=chol.dtype)
    z = _whiten(delta, chol, eye)
    diag = pt.sum(chol * eye, axis=-1)   # not pt.diag: its [i, i] gather has no numba emitter
    return pt.sum(pt.square(z), axis=-1), pt.sum(pt.log(diag), axis=-1), n, pt.all(pt.gt(diag, 0))


def _batch(size, *shapes):
    return tuple(size) if size is not None else np.broadcast_shapes(*shapes)


class MvNormal(Continuous):
    """Multivariate normal with mean ``mu`` and covariance ``cov`` (or Cholesky ``chol``, precision
    ``tau``).

    The covariance is stored as its lower Cholesky factor; the log-density uses triangular solves.

    Examples
    --------
    >>> import probgraph as pg, numpy as np
    >>> x = pg.MvNormal.dist(mu=np.zeros(2), cov=np.eye(2))
    >>> x.type.shape
    (2,)
    """

    ndim_supp = 1
    ndims_params = (1, 2)

    @classmethod
    def dist(cls, mu=0.0, cov=None, tau=None, chol=None, lower=True, **kwargs):
        chol = _chol_from(cov, chol, tau, cls.__name__)
        if not lower:
            chol = chol.T
        return super().dist([_vector_mu(mu, chol), chol], **kwargs)

    @classmethod
    def supp_shape(cls, params):
        return (params[1].type.shape[-1],)

    @classmethod
    def rng_fn(cls, rng, mu, chol, size=None):
        z = rng.standard_normal((*_batch(size, mu.shape[:-1]), chol.shape[-1]))
        return mu + z @ chol.T

    @staticmethod
    def logp(value, mu, chol):
        quad, logdet, n, ok = mv_quad_logdet(value, mu, chol)
        lp = -0.5 * quad - logdet - 0.5 * LOG_2PI * n
        return check_parameters(lp, ok, msg="cov positive definite")

    @staticmethod
    def support_point(rv, mu, chol):
        return mu


class MvStudentT(Continuous):
    """Multivariate Student's t with ``nu`` degrees of freedom, location ``mu`` and scale ``scale``
    (PyMC's ``Sigma``/``scale``, or ``chol``/``tau``)."""

    ndim_supp = 1
    ndims_params = (0, 1, 2)

    @classmethod
    def dist(cls, nu, *, Sigma=None, mu=0.0, scale=None, tau=None, chol=None,
             lower=True,  # noqa: N803
             **kwargs):
        if Sigma is not None and scale is not None:
            raise ValueError("MvStudentT: give Sigma or scale, not both")
        chol = _chol_from(scale if scale is not None else Sigma, chol, tau, cls.__name__)
        if not lower:
            chol = chol.T
        return super().dist([nu, _vector_mu(mu, chol), chol], **kwargs)

    @classmethod
    def supp_shape(cls, params):
        return (params[2].type.shape[-1],)

    @classmethod
    def rng_fn(cls, rng, nu, mu, chol, size=None):
        batch = _batch(size, np.shape(nu), mu.shape[:-1])
        z = rng.standard_normal((*batch, chol.shape[-1])) @ chol.T
        w = np.sqrt(rng.chisquare(np.broadcast_to(nu, batch)) / nu)
        return mu + z / np.asarray(w)[..., None]

    @staticmethod
    def logp(value, nu, mu, chol):
        quad, logdet, n, ok = mv_quad_logdet(value, mu, chol)
        lp = (pt.gammaln((nu + n) / 2.0) - pt.gammaln(nu / 2.0) - 0.5 * n * (pt.log(nu) + LOG_PI)
              - logdet - (nu + n) / 2.0 * pt.log1p(quad / nu))
        return check_parameters(lp, ok, nu > 0, msg="nu > 0, scale positive definite")

    @staticmethod
    def support_point(rv, nu, mu, chol):
        return mu


# ---------------------------------------------------------------------- simplex-valued
class Dirichlet(Continuous):
    """Probability vectors with concentration ``a`` (last axis); simplex transform by default."""

    ndim_supp = 1
    ndims_params = (1,)
    default_transform = transforms.simplex

    @classmethod
    def dist(cls, a, **kwargs):
        if pt.as_tensor(a).ndim == 0:
            raise ValueError("Dirichlet: a must have at least one dimension (the categories)")
        return super().dist([a], **kwargs)

    @classmethod
    def rng_fn(cls, rng, a, size=None):
        g = rng.standard_gamma(np.broadcast_to(a, (*_batch(size, a.shape[:-1]), a.shape[-1])))
        return g / g.sum(-1, keepdims=True)

    @staticmethod
    def logp(value, a):
        lp = (pt.sum(pt.xlogy(a - 1, value), axis=-1) + pt.gammaln(pt.sum(a, axis=-1))
              - pt.sum(pt.gammaln(a), axis=-1))
        inside = pt.all(pt.and_(pt.ge(value, 0), pt.le(value, 1)), axis=-1)
        return check_parameters(in_support(lp, inside), pt.all(pt.gt(a, 0), axis=-1), msg="a > 0")

    @staticmethod
    def support_point(rv, a):
        return a / pt.sum(a, axis=-1, keepdims=True)


class Multinomial(Discrete):
    """Counts of ``n`` draws over categories with probabilities ``p`` (last axis, normalised)."""

    ndim_supp = 1
    ndims_params = (0, 1)

    @classmethod
    def dist(cls, n, p, **kwargs):
        if pt.as_tensor(p).ndim == 0:
            raise ValueError("Multinomial: p must have at least one dimension (the categories)")
        return super().dist([n, p], **kwargs)

    @classmethod
    def supp_shape(cls, params):
        return (params[1].type.shape[-1],)

    @classmethod
    def rng_fn(cls, rng, n, p, size=None):
        p = p / p.sum(-1, keepdims=True)
        batch = _batch(size, np.shape(n), p.shape[:-1])
        n = np.broadcast_to(np.round(n).astype(np.int64), batch)
        return rng.multinomial(n, np.broadcast_to(p, (*batch, p.shape[-1])))

    @staticmethod
    def logp(value, n, p):
        log_p = pt.log(p) - pt.log(pt.sum(p, axis=-1, keepdims=True))
        terms = pt.switch(pt.eq(value, 0), 0.0, value * log_p) - pt.gammaln(value + 1)
        lp = pt.gammaln(n + 1) + pt.sum(terms, axis=-1)
        lp = in_support(lp, pt.all(pt.ge(value, 0), axis=-1), pt.eq(pt.sum(value, axis=-1), n))
        return check_parameters(lp, pt.ge(n, 0), pt.all(pt.ge(p, 0), axis=-1), msg="n >= 0, p >= 0")

    @staticmethod
    def support_point(rv, n, p):
        p = p / pt.sum(p, axis=-1, keepdims=True)
        base = pt.floor(pt.expand_dims(n, -1) * p)
        # put what flooring lost into the first category so the counts sum to n
        rest = pt.expand_dims(n - pt.sum(base, axis=-1), -1)
        k = last_axis_length(p, "Multinomial")
        first = pt.constant((np.arange(k) == 0).astype("float64"))
        return pt.cast(base + rest * first, "int64")


# ---------------------------------------------------------------------- zero-sum normal
def _along(x, axis: int, matrix: np.ndarray):
    """The constant linear map ``matrix`` applied along ``axis`` (negative) of ``x``."""
    if axis == -1:
        return matvec_last(x, matrix)
    perm = list(range(x.ndim))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return pt.transpose(matvec_last(pt.transpose(x, perm), matrix), perm)


def _zerosum_matrices(n: int):
    """``(forward (n-1, n), backward (n, n-1))``: PyMC's Householder-style map of the zero-sum
    hyperplane of R^n to R^(n-1); ``backward`` has orthonormal columns (log-Jacobian 0)."""
    rn = np.sqrt(n)
    c = 1.0 / (rn + n)
    back = np.vstack([np.eye(n - 1) - c, np.full((1, n - 1), -1.0 / rn)])
    fwd = np.hstack([np.eye(n - 1), np.full((n - 1, 1), -rn * c)])
    return fwd, back


class ZeroSumTransform(transforms.Transform):
    """Values summing to zero along the last ``n_zerosum_axes`` axes ↔
    one entry fewer per axis."""

    name = "zerosum"

    def __init__(self, n_zerosum_axes: int = 1):
        self.n_zerosum_axes = self.ndim_supp = int(n_zerosum_axes)

    def _apply(self, value, which):
        x = pt.as_tensor(value)
        for axis in range(-self.n_zerosum_axes, 0):
            n = x.type.shape[axis]
            if n is None:
                raise ValueError("ZeroSumNormal: the zero-sum axes need lengths known when the "
                                 "model is built")
            x = _along(x, axis, _zerosum_matrices(n + which)[which])
        return x

    def forward(self, value, *params):
        return self._apply(value, 0)

    def backward(self, value, *params):
        return self._apply(value, 1)

    def log_jac_det(self, value, *params):
        value = pt.as_tensor(value)
        return pt.sum(pt.zeros_like(value), axis=tuple(range(-self.n_zerosum_axes, 0)))


class ZeroSumNormal(Continuous):
    """Normal(0, sigma) values constrained to sum to zero over the last ``n_zerosum_axes`` axes.

    ``shape=`` (or ``dims=``) is required; ``sigma`` must have length one across the zero-sum axes.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.ZeroSumNormal.dist(sigma=1.0, shape=(4,))
    >>> abs(float(pg.draw(x, random_seed=0).sum())) < 1e-12
    True
    """

    _families: dict = {}
    n_zerosum_axes = 1
    ndims_params = (1, 1)

    def __new__(cls, name, *args, n_zerosum_axes=1, **kwargs):
        from probgraph.model import register_distribution
        return register_distribution(cls._family(n_zerosum_axes), name, args, kwargs)

    @classmethod
    def _family(cls, n):
        n = int(n)
        if n < 1:
            raise ValueError(f"ZeroSumNormal: n_zerosum_axes must be >= 1, got {n}")
        if n == ZeroSumNormal.n_zerosum_axes:
            return ZeroSumNormal
        if n not in cls._families:
            cls._families[n] = type("ZeroSumNormal", (ZeroSumNormal,),
                                    {"n_zerosum_axes": n, "ndim_supp": n, "ndims_params": (n, 1)})
        return cls._families[n]

    ndim_supp = 1

    @classmethod
    def dist(cls, sigma=1.0, n_zerosum_axes=None, *, shape=None, **kwargs):
        fam = cls if n_zerosum_axes is None else cls._family(n_zerosum_axes)
        n = fam.n_zerosum_axes
        if kwargs.get("size") is not None or shape is None:
            raise ValueError("ZeroSumNormal: give shape= (or dims=) including the zero-sum axes")
        shape = (shape,) if np.ndim(shape) == 0 and not isinstance(shape,
                                                                   pt.TensorVariable) else shape
        shape = tuple(shape) if not isinstance(shape, pt.TensorVariable) else \
            tuple(shape[i] for i in range(shape.type.shape[0]))
        if len(shape) < n:
            raise ValueError(f"ZeroSumNormal: shape {shape} has fewer than n_zerosum_axes={n} axes")
        sigma = pt.as_tensor(sigma)
        if sigma.ndim and any(s != 1 for s in sigma.type.shape[-n:]):
            raise ValueError(f"ZeroSumNormal: sigma (shape {sigma.type.shape}) must have length "
                             "one across the zero-sum axes")
        supp = pt.stack([pt.cast(pt.as_tensor(s), "int64") for s in shape[len(shape) - n:]])
        return super(ZeroSumNormal, fam).dist([sigma, supp], shape=shape, **kwargs)

    @classmethod
    def supp_shape(cls, params):
        from probgraph.tensor.shape import static_values
        vals = static_values(params[1])
        return tuple(vals) if vals is not None else (None,) * cls.n_zerosum_axes

    @classmethod
    def get_default_transform(cls, params):
        return ZeroSumTransform(cls.n_zerosum_axes)

    @classmethod
    def rng_fn(cls, rng, sigma, supp, size=None):
        n = cls.n_zerosum_axes
        sigma = np.asarray(sigma)
        batch = sigma.shape[:max(sigma.ndim - n, 0)] if size is None else tuple(size)
        x = rng.normal(0.0, 1.0, (*batch, *(int(s) for s in supp))) * sigma
        for axis in range(-n, 0):
            x = x - x.mean(axis=axis, keepdims=True)
        return x

    @classmethod
    def logp(cls, value, sigma, supp):
        n = cls.n_zerosum_axes
        axes = tuple(range(-n, 0))
        log_sigma = pt.log(sigma)
        if sigma.ndim:
            log_sigma = pt.sum(log_sigma, axis=tuple(range(-min(n, sigma.ndim), 0)))
        dof = pt.prod(pt.cast(supp, "float64") - 1)
        lp = pt.sum(-0.5 * pt.square(value / sigma), axis=axes) - (0.5 * LOG_2PI + log_sigma) * dof
        zero = None
        for axis in axes:
            ok = pt.le(pt.abs(pt.mean(value, axis=axis, keepdims=True)), 1e-9)
            ok = pt.all(ok, axis=axes)
            zero = ok if zero is None else pt.and_(zero, ok)
        return check_parameters(in_support(lp, zero), pt.all(pt.gt(sigma, 0)), msg="sigma > 0")

    @staticmethod
    def support_point(rv, sigma, supp):
        return pt.zeros_like(rv)
