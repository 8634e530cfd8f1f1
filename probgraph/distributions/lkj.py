"""LKJ priors on correlation and covariance matrices (PyMC's ``LKJCorr``, ``LKJCholeskyCov``) and
their transforms.

The LKJ density on ``n x n`` correlation matrices is ``c(eta, n) * det(C) ** (eta - 1)``
(Lewandowski, Kurowicka & Joe 2009, "Generating random correlation matrices based on vines and
extended onion method", J. Multivariate Analysis 100). Everything here rests on one
parameterisation, the *canonical partial correlations* (CPCs) ``z`` of the C-vine, which are the
free parameters of the Cholesky factor ``L`` of ``C``: row ``i`` of ``L`` is

    L[i, j] = z[i, j] * sqrt(prod_{k<j} (1 - z[i, k]^2))   (j < i),
    L[i, i] = sqrt(prod_{k<i} (1 - z[i, k]^2)),

so that every row has unit norm (Stan Reference Manual, "Constraint transforms", section
"Cholesky factors of correlation matrices"). Under LKJ(eta) the CPCs are independent with
``(z[i, j] + 1) / 2 ~ Beta(b_j, b_j)``, ``b_j = eta + (n - 2 - j) / 2``, which gives both the
sampler (the C-vine method of LKJ 2009, section 2.4) and the normalising constant.

Packed vectors follow PyMC: the free CPCs in ``np.tril_indices(n, -1)`` order, the Cholesky factor
of a covariance in ``np.tril_indices(n)`` order (diagonal at ``cumsum(arange(1, n + 1)) - 1``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions import transforms
from probgraph.distributions.dist_math import (
    LOG_2,
    check_parameters,
    cumsum_last,
    in_support,
    known_value,
    last_axis_length,
    matvec_last,
)
from probgraph.distributions.distribution import Continuous, RandomVariable
from probgraph.distributions.mixture import compound_family, unpack_dist
from probgraph.graph.basic import Variable
from probgraph.tensor import linalg

__all__ = ["CholeskyCorrTransform", "CholeskyCovPacked", "CorrMatrixTransform", "LKJCholeskyCov",
           "LKJCorr", "expand_packed_triangular"]

# tolerance of the support checks of a correlation matrix given as a value (unit diagonal, symmetry)
CORR_ATOL = 1e-8


# ---------------------------------------------------------------------- packing helpers
def _scatter(n: int, rows, cols) -> np.ndarray:
    """The ``(n * n, m)`` 0/1 matrix that puts entry ``k`` of a packed vector at ``(rows[k],
    cols[k])``."""
    out = np.zeros((n * n, len(rows)))
    out[np.asarray(rows) * n + np.asarray(cols), np.arange(len(rows))] = 1.0
    return out


def _unpack(vec, n: int, rows, cols):
    """A packed vector → the ``(n, n)`` matrix with its entries at ``(rows, cols)`` and zeros
    elsewhere."""
    return pt.reshape(matvec_last(vec, _scatter(n, rows, cols)), (n, n))


def _pack(mat, n: int, rows, cols):
    """The entries of an ``(n, n)`` matrix at ``(rows, cols)`` as a vector."""
    return matvec_last(pt.reshape(mat, (n * n,)), _scatter(n, rows, cols).T)


def _check_vector(x, m: int, who: str):
    x = pt.as_tensor(x)
    if x.ndim != 1:
        raise NotImplementedError(f"{who}: only a single (unbatched) matrix is supported; got a "
                                  f"value with {x.ndim} dimensions")
    got = last_axis_length(x, who)
    if got != m:
        raise ValueError(f"{who}: expected a packed vector of length {m}, got length {got}")
    return x


def _static_int(x, what: str) -> int:
    """A Python int from an int or a tensor whose value is known when the model is built."""
    val = known_value(x) if isinstance(x, Variable) else x
    if val is None or np.ndim(val) != 0 or float(val) != int(val):
        raise ValueError(f"{what} must be an integer known when the model is built, got {x!r}")
    return int(val)


def expand_packed_triangular(n, packed, lower: bool = True):
    """The ``(n, n)`` triangular matrix from its packed triangle (PyMC's
    ``expand_packed_triangular``).

    ``lower=True`` reads ``packed`` in ``np.tril_indices(n)`` order, ``lower=False`` in
    ``np.triu_indices(n)`` order; the other triangle is zero.

    Examples
    --------
    >>> import numpy as np
    >>> expand_packed_triangular(2, np.array([1.0, 2.0, 3.0])).eval()
    array([[1., 0.],
           [2., 3.]])
    """
    n = _static_int(n, "expand_packed_triangular: n")
    packed = _check_vector(packed, n * (n + 1) // 2, "expand_packed_triangular")
    rows, cols = np.tril_indices(n) if lower else np.triu_indices(n)
    return _unpack(packed, n, rows, cols)


def _log1m_tanh2(y):
    """``log(1 - tanh(y)^2) = -2 log cosh(y)``, without overflow for large ``|y|``."""
    a = pt.abs(y)
    return 2.0 * LOG_2 - 2.0 * a - 2.0 * pt.softplus(-2.0 * a)


# ---------------------------------------------------------------------- transforms
class CholeskyCorrTransform(transforms.Transform):
    """``R^(n(n-1)/2)`` ↔ lower Cholesky factors of ``n x n`` correlation matrices
    (unit-norm rows).

    ``backward`` maps ``y`` to CPCs ``z = tanh(y)`` and builds ``L`` row by row as in the module
    docstring (Stan Reference Manual, "Cholesky factors of correlation matrices"). Its
    log-Jacobian, with respect to the free entries ``L[i, j], j < i``, is
    ``sum log(1 - z^2)`` (the tanh) plus ``1/2 sum_{j<i} log(1 - sum_{k<j} L[i, k]^2)`` (the CPC
    map, triangular within each row), i.e. ``sum_{j<i} (1 + (i - j - 1) / 2) log(1 - z[i, j]^2)``.

    Examples
    --------
    >>> import numpy as np
    >>> t = CholeskyCorrTransform(3)
    >>> L = t.backward(np.array([0.3, -0.2, 0.5])).eval()
    >>> np.allclose((L ** 2).sum(axis=1), 1.0)
    True
    """

    name = "cholesky-corr"
    ndim_supp = 1

    def __init__(self, n):
        self.n = _static_int(n, f"{type(self).__name__}: n")
        if self.n < 2:
            raise ValueError(f"{type(self).__name__}: n must be at least 2, got {self.n}")
        self.rows, self.cols = np.tril_indices(self.n, -1)
        self.m = len(self.rows)

    def _cholesky(self, value):
        """``L`` from the unconstrained vector."""
        y = _check_vector(value, self.m, type(self).__name__)
        l1mz2 = _log1m_tanh2(y)
        z = _unpack(pt.tanh(y), self.n, self.rows, self.cols)
        # log of the squared norm left in row i before column j: sum_{k<j} log(1 - z[i, k]^2)
        log_rest = cumsum_last(_unpack(l1mz2, self.n, self.rows, self.cols), exclusive=True)
        eye = pt.constant(np.eye(self.n, dtype=y.dtype))
        return (z + eye) * pt.exp(0.5 * log_rest)

    def backward(self, value, *params):
        return self._cholesky(value)

    def _cholesky_forward(self, chol):
        chol = pt.as_tensor(chol)
        used = cumsum_last(pt.square(chol), exclusive=True)     # sum_{k<j} L[i, k]^2
        strict = pt.constant(np.tri(self.n, k=-1, dtype=bool))
        z = chol / pt.sqrt(pt.switch(strict, 1.0 - used, 1.0))
        return pt.arctanh(_pack(z, self.n, self.rows, self.cols))

    def forward(self, value, *params):
        return self._cholesky_forward(value)

    def _weights(self) -> np.ndarray:
        return 1.0 + (self.rows - self.cols - 1) / 2.0

    def log_jac_det(self, value, *params):
        y = _check_vector(value, self.m, type(self).__name__)
        return pt.sum(_log1m_tanh2(y) * self._weights(), axis=-1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n})"


class CorrMatrixTransform(CholeskyCorrTransform):
    """``R^(n(n-1)/2)`` ↔ ``n x n`` correlation matrices ``C = L L^T`` (LKJCorr's default
    transform).

    The map ``L → C`` on the free entries has Jacobian ``prod_i L[i, i]^(n - 1 - i)`` (0-based),
    so the total log-Jacobian is ``sum_{j<i} (n - j) / 2 * log(1 - z[i, j]^2)`` — Stan's
    correlation matrix transform (Stan Reference Manual, "Correlation matrices").
    """

    def backward(self, value, *params):
        chol = self._cholesky(value)
        return pt.dot(chol, chol.T)

    def forward(self, value, *params):
        return self._cholesky_forward(linalg.cholesky(value))

    def _weights(self) -> np.ndarray:
        return (self.n - self.cols) / 2.0


class CholeskyCovPacked(transforms.Transform):
    """The packed lower Cholesky factor of a covariance (length ``n(n+1)/2``) with its diagonal
    logged.

    PyMC's ``CholeskyCovPacked``: ``forward`` takes the log of the diagonal entries, ``backward``
    the exp; the log-Jacobian is the sum of the unconstrained diagonal entries.

    Examples
    --------
    >>> import numpy as np
    >>> t = CholeskyCovPacked(2)
    >>> t.backward(np.array([0.0, 0.5, np.log(2.0)])).eval()
    array([1. , 0.5, 2. ])
    """

    name = "cholesky-cov-packed"
    ndim_supp = 1

    def __init__(self, n):
        self.n = _static_int(n, "CholeskyCovPacked: n")
        self.m = self.n * (self.n + 1) // 2
        self.diag = np.zeros(self.m, dtype=bool)
        self.diag[np.cumsum(np.arange(1, self.n + 1)) - 1] = True

    def forward(self, value, *params):
        x = _check_vector(value, self.m, "CholeskyCovPacked")
        diag = pt.constant(self.diag)
        return pt.switch(diag, pt.log(pt.switch(diag, x, 1.0)), x)

    def backward(self, value, *params):
        y = _check_vector(value, self.m, "CholeskyCovPacked")
        diag = pt.constant(self.diag)
        return pt.switch(diag, pt.exp(pt.switch(diag, y, 0.0)), y)

    def log_jac_det(self, value, *params):
        y = _check_vector(value, self.m, "CholeskyCovPacked")
        return pt.sum(y * self.diag.astype(y.dtype), axis=-1)

    def __repr__(self) -> str:
        return f"CholeskyCovPacked(n={self.n})"


# ---------------------------------------------------------------------- LKJ numerics
def lkj_log_normalizer(eta, n: int):
    """``log c(eta, n)``: minus the log of ``integral det(C)^(eta - 1) dC`` over correlation
    matrices.

    The integral factors over the CPCs: ``prod_{j=0}^{n-2} B(1/2, b_j)^(n - 1 - j)`` with
    ``b_j = eta + (n - 2 - j) / 2`` (LKJ 2009). For ``eta = 1`` it is minus the log-volume of the
    correlation matrices, e.g. ``-log 2`` for ``n = 2`` and ``-log(pi^2 / 2)`` for ``n = 3``.

    Examples
    --------
    >>> round(float(lkj_log_normalizer(1.0, 2).eval()), 6)
    -0.693147
    """
    eta = pt.as_tensor(eta)
    j = np.arange(n - 1)
    return -pt.sum((n - 1 - j) * pt.betaln(0.5, eta + (n - 2 - j) / 2.0))


def _cpc_cholesky_draws(rng, n: int, eta: float, batch: tuple) -> np.ndarray:
    """Cholesky factors of LKJ(eta) correlation matrices by the C-vine method (independent CPCs)."""
    rows, cols = np.tril_indices(n, -1)
    b = eta + (n - 2 - cols) / 2.0
    z = 2.0 * rng.beta(b, b, size=(*batch, len(rows))) - 1.0
    chol = np.zeros((*batch, n, n))
    chol[..., 0, 0] = 1.0
    k = 0
    for i in range(1, n):
        rest = np.ones(batch)
        for j in range(i):
            chol[..., i, j] = z[..., k] * np.sqrt(rest)
            rest = rest * (1.0 - z[..., k] ** 2)
            k += 1
        chol[..., i, i] = np.sqrt(rest)
    return chol


def _as_float(x):
    x = pt.as_tensor(x)
    return x if x.dtype.startswith("float") else pt.cast(x, "floatX")


def _check_eta(eta, who: str):
    eta = _as_float(eta)
    if eta.ndim != 0:
        raise NotImplementedError(f"{who}: eta must be a scalar (batches of matrices are not "
                                  f"supported), got {eta.ndim} dimensions")
    return eta


# ---------------------------------------------------------------------- LKJCorr
class LKJCorr(Continuous):
    """LKJ(eta) prior on ``n x n`` correlation matrices (PyMC's ``LKJCorr``, returning the matrix).

    The density is ``c(eta, n) det(C)^(eta - 1)`` (Lewandowski, Kurowicka & Joe 2009); ``eta = 1``
    is uniform over correlation matrices, larger ``eta`` concentrates near the identity. Each
    off-diagonal correlation has mean 0 and variance ``1 / (2 eta + n - 1)``. Draws use the C-vine
    method; the free variable is the vector of ``n(n-1)/2`` CPCs through ``CorrMatrixTransform``.

    Examples
    --------
    >>> import probgraph as pg
    >>> C = pg.LKJCorr.dist(n=3, eta=2.0)
    >>> C.type.shape
    (3, 3)
    """

    ndim_supp = 2
    ndims_params = (0, 0)
    float_params = False

    @classmethod
    def dist(cls, n, eta, *, return_matrix: bool = True, **kwargs):
        if not return_matrix:
            raise NotImplementedError("LKJCorr: only return_matrix=True (the full correlation "
                                      "matrix) is supported; take C[np.triu_indices(n, 1)] for the "
                                      "packed form")
        n = _static_int(n, "LKJCorr: n")
        if n < 2:
            raise ValueError(f"LKJCorr: n must be at least 2, got {n}")
        rv = super().dist([pt.constant(n, dtype="int64"), _check_eta(eta, "LKJCorr")], **kwargs)
        if rv.ndim != 2:
            raise NotImplementedError(f"LKJCorr: only a single {n}x{n} matrix is supported (shape "
                                      f"{rv.type.shape} asks for a batch)")
        return rv

    @classmethod
    def supp_shape(cls, params):
        n = _static_int(params[0], "LKJCorr: n")
        return (n, n)

    @classmethod
    def get_default_transform(cls, params):
        return CorrMatrixTransform(params[0])

    @classmethod
    def rng_fn(cls, rng, n, eta, size=None):
        n = int(n)
        chol = _cpc_cholesky_draws(rng, n, float(eta), tuple(size) if size is not None else ())
        corr = chol @ np.swapaxes(chol, -1, -2)
        idx = np.arange(n)
        corr[..., idx, idx] = 1.0
        return corr

    @staticmethod
    def logp(value, n, eta):
        value = pt.as_tensor(value)
        if value.ndim != 2:
            raise NotImplementedError("LKJCorr: only a single (unbatched) matrix is supported")
        n = _static_int(n, "LKJCorr: n")
        eye = np.eye(n, dtype=value.dtype)
        diag = pt.sum(linalg.cholesky(value) * eye, axis=-1)    # (pt.diag has no numba emitter)
        lp = lkj_log_normalizer(eta, n) + (eta - 1.0) * 2.0 * pt.sum(pt.log(diag))
        unit_diag = pt.all(pt.le(pt.abs(pt.sum(value * eye, axis=-1) - 1.0), CORR_ATOL))
        symmetric = pt.all(pt.le(pt.abs(value - value.T), CORR_ATOL))
        lp = in_support(lp, unit_diag, symmetric, pt.all(pt.gt(diag, 0)))
        return check_parameters(lp, eta > 0, msg="eta > 0")

    @staticmethod
    def support_point(rv, n, eta):
        return pt.constant(np.eye(_static_int(n, "LKJCorr: n"), dtype=rv.dtype))


# ---------------------------------------------------------------------- LKJCholeskyCov
class _LKJCholeskyCov(Continuous):
    """The packed lower Cholesky factor of ``diag(sigma) C diag(sigma)`` with ``C ~ LKJ(eta)`` and
    ``sigma ~ sd_dist``: parameters ``(n, eta, *sd_params)``, the family ``sd_family`` a class
    attribute.

    The log-density, with respect to the packed entries, is (PyMC's ``_LKJCholeskyCov.logp``, Stan's
    ``lkj_corr_cholesky``)::

        log c(eta, n) + sum_i (2 eta - 3 + n - i) log Lc[i, i]  LKJ on the correlation Cholesky Lc
        + sum_i log p_sd(sigma_i)                               the scales
        + sum_i (log Lc[i, i] - i log sigma_i)                  Jacobian of (sigma, Lc) → L

    where ``sigma_i`` is the norm of row ``i`` of ``L`` and ``Lc[i, i] = L[i, i] / sigma_i``. The
    last line is the inverse Jacobian of ``L[i, :] = sigma_i Lc[i, :]``, a polar-coordinates map per
    row.
    """

    ndim_supp = 1
    float_params = False
    sd_family = None
    _cache: ClassVar[dict] = {}

    @classmethod
    def dist(cls, n, eta, sd_dist, **kwargs):
        n = _static_int(n, "LKJCholeskyCov: n")
        if n < 1:
            raise ValueError(f"LKJCholeskyCov: n must be at least 1, got {n}")
        fam, sd_params = unpack_dist(sd_dist, "LKJCholeskyCov sd_dist")
        if fam.ndim_supp:
            raise NotImplementedError("LKJCholeskyCov: sd_dist must be a univariate distribution "
                                      f"(scalar or vector of length n), got {fam.__name__}")
        try:
            sd_params = [pt.broadcast_to(p, (n,)) for p in sd_params]
        except ValueError as exc:
            raise ValueError(f"LKJCholeskyCov: sd_dist must be a scalar or have length n={n} "
                             f"({exc})") from None
        sub = compound_family(cls, "_LKJCholeskyCov", _LKJCholeskyCov._cache, fam, sd_family=fam,
                              ndims_params=(0, 0, *(1,) * len(sd_params)))
        rv = super(_LKJCholeskyCov, sub).dist(
            [pt.constant(n, dtype="int64"), _check_eta(eta, "LKJCholeskyCov"), *sd_params],
            **kwargs)
        if rv.ndim != 1:
            raise NotImplementedError("LKJCholeskyCov: only a single matrix is supported (shape "
                                      f"{rv.type.shape} asks for a batch)")
        return rv

    @classmethod
    def supp_shape(cls, params):
        n = _static_int(params[0], "LKJCholeskyCov: n")
        return (n * (n + 1) // 2,)

    @classmethod
    def get_default_transform(cls, params):
        return CholeskyCovPacked(params[0])

    @classmethod
    def rng_fn(cls, rng, n, eta, *sd_params, size=None):
        n = int(n)
        batch = tuple(size) if size is not None else ()
        sigma = np.asarray(cls.sd_family.rng_fn(rng, *sd_params, size=(*batch, n)))
        chol = sigma[..., :, None] * _cpc_cholesky_draws(rng, n, float(eta), batch)
        rows, cols = np.tril_indices(n)
        return chol[..., rows, cols]

    @staticmethod
    def _pieces(n: int):
        """Constant maps of the packed vector: the diagonal entries, and the row of each entry."""
        rows, cols = np.tril_indices(n)
        on_diag = (rows == cols).astype(float)
        diag_sel = np.zeros((n, len(rows)))
        diag_sel[rows[rows == cols], np.flatnonzero(rows == cols)] = 1.0
        row_sel = (rows[None, :] == np.arange(n)[:, None]).astype(float)
        return on_diag, diag_sel, row_sel

    @classmethod
    def logp(cls, value, n, eta, *sd_params):
        value = pt.as_tensor(value)
        if value.ndim != 1:
            raise NotImplementedError("LKJCholeskyCov: only a single (unbatched) matrix is "
                                      "supported")
        n = _static_int(n, "LKJCholeskyCov: n")
        _, diag_sel, row_sel = cls._pieces(n)
        diag = matvec_last(value, diag_sel)                 # L[i, i]
        sigma = pt.sqrt(matvec_last(pt.square(value), row_sel))
        log_sigma = pt.log(sigma)
        log_corr_diag = pt.log(diag) - log_sigma            # log Lc[i, i]
        i = np.arange(n, dtype=float)
        lkj = lkj_log_normalizer(eta, n) + pt.sum((2.0 * eta - 3.0 + n - i) * log_corr_diag)
        sd_lp = pt.sum(cls.sd_family.logp(sigma, *sd_params))
        jac = pt.sum(log_corr_diag - i * log_sigma)
        lp = in_support(lkj + sd_lp + jac, pt.all(pt.gt(diag, 0)))
        return check_parameters(lp, eta > 0, msg="eta > 0")

    @classmethod
    def support_point(cls, rv, n, eta, *sd_params):
        n = _static_int(n, "LKJCholeskyCov: n")
        sd_rv = RandomVariable(cls.sd_family, rv.dtype, 0)(pt.constant(np.array([n])), *sd_params)
        sd = pt.broadcast_to(pt.as_tensor(cls.sd_family.support_point(sd_rv, *sd_params)), (n,))
        _, diag_sel, _ = cls._pieces(n)
        return matvec_last(pt.cast(sd, rv.dtype), diag_sel.T)


def _chol_corr_stds(n: int, packed):
    """``(chol, corr, stds)`` from the packed lower Cholesky factor of a covariance."""
    chol = expand_packed_triangular(n, packed, lower=True)
    stds = pt.sqrt(pt.sum(pt.square(chol), axis=-1))
    cov = pt.dot(chol, chol.T)
    inv = 1.0 / stds
    corr = pt.expand_dims(inv, -1) * cov * pt.expand_dims(inv, 0)
    return chol, corr, stds


class LKJCholeskyCov:
    """Covariance ``diag(sigma) C diag(sigma)`` with ``C ~ LKJ(eta)`` and ``sigma ~ sd_dist``,
    through its Cholesky factor (PyMC's ``LKJCholeskyCov``).

    The free variable ``name`` is the packed lower Cholesky factor (length ``n(n+1)/2``, transform
    ``CholeskyCovPacked``). With ``compute_corr=True`` (default) returns ``(chol, corr, stds)`` and,
    if ``store_in_trace``, records ``{name}_corr`` and ``{name}_stds`` as Deterministics; with
    ``compute_corr=False`` returns the packed vector (expand it with ``expand_packed_triangular``).
    ``sd_dist`` is an unregistered ``.dist(...)``, scalar or of length ``n``.

    Examples
    --------
    >>> import probgraph as pg, numpy as np
    >>> with pg.Model():
    ...     chol, corr, stds = pg.LKJCholeskyCov("chol", eta=2.0, n=3,
    ...                                          sd_dist=pg.Exponential.dist(1.0, shape=3))
    ...     x = pg.MvNormal("x", mu=np.zeros(3), chol=chol)
    >>> chol.type.shape
    (3, 3)
    """

    def __new__(cls, name, eta, n, sd_dist, *, compute_corr: bool = True,
                store_in_trace: bool = True,
                **kwargs):
        from probgraph.model import Deterministic
        packed = _LKJCholeskyCov(name, n=n, eta=eta, sd_dist=sd_dist, **kwargs)
        if not compute_corr:
            return packed
        chol, corr, stds = _chol_corr_stds(_static_int(n, "LKJCholeskyCov: n"), packed)
        if store_in_trace:
            corr = Deterministic(f"{name}_corr", corr)
            stds = Deterministic(f"{name}_stds", stds)
        return chol, corr, stds

    @classmethod
    def dist(cls, eta, n, sd_dist, *, compute_corr: bool = True, **kwargs):
        """An unregistered variable: ``(chol, corr, stds)``, or the packed vector if not
        ``compute_corr``.

        Examples
        --------
        >>> import probgraph as pg
        >>> packed = pg.LKJCholeskyCov.dist(2.0, 2, pg.HalfNormal.dist(1.0), compute_corr=False)
        >>> packed.type.shape
        (3,)
        """
        packed = _LKJCholeskyCov.dist(n=n, eta=eta, sd_dist=sd_dist, **kwargs)
        if not compute_corr:
            return packed
        return _chol_corr_stds(_static_int(n, "LKJCholeskyCov: n"), packed)
