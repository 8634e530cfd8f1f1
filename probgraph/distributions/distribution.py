"""The distribution base: the RandomVariable op, ``Distribution`` (``Normal("x", ...)`` /
``.dist(...)``), logp/logcdf.

A distribution class states its parameters, log-density, optional log-CDF, a numpy sampler, a
support point and a default transform; the base class turns that into a registered model variable.
Adding a family is a class with ``dist``, ``rng_fn``, ``logp`` and ``support_point``::

    class Exponential(PositiveContinuous):
        @classmethod
        def dist(cls, lam=1.0, **kwargs):
            return super().dist([lam], **kwargs)

        @classmethod
        def rng_fn(cls, rng, lam, size=None):
            return rng.exponential(1.0 / lam, size)

        @staticmethod
        def logp(value, lam):
            return check_parameters(in_support(pt.log(lam) - lam * value, value >= 0), lam > 0)

        @staticmethod
        def support_point(rv, lam):
            return 1.0 / lam
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions import transforms
from probgraph.graph.basic import Apply, Variable
from probgraph.graph.op import Op
from probgraph.tensor.shape import static_values
from probgraph.tensor.type import TensorType, format_shape, normalize_dtype

__all__ = ["UNSET", "BoundedContinuous", "Continuous", "CustomDist", "DiracDelta", "Discrete",
           "Distribution", "PositiveContinuous", "RandomVariable", "UnitContinuous", "logcdf",
           "logp"]


class _Unset:
    def __repr__(self):
        return "UNSET"


UNSET = _Unset()


class RandomVariable(Op):
    """A draw from ``dist``: inputs are the requested shape (an int64 vector, empty = from the
    parameters) followed by the distribution's parameters.

    Model graphs never evaluate it: the model replaces each random variable by its value.
    ``perform`` draws with a fresh generator so that ``rv.eval()`` works; ``pg.draw`` passes a
    seeded one.
    """

    __props__ = ("dist", "dtype", "ndim_supp")

    def __init__(self, dist, dtype, ndim_supp=0):
        self.dist = dist
        self.dtype = normalize_dtype(dtype)
        self.ndim_supp = ndim_supp

    def __str__(self):
        return f"{self.dist.__name__}RV"

    def make_node(self, shape, *params) -> Apply:
        shape = pt.as_tensor(shape, dtype="int64") if not isinstance(shape, Variable) else shape
        params = [pt.as_tensor(p) for p in params]
        out_shape = self.dist.static_shape(shape, params)
        return Apply(self, [shape, *params], [TensorType(self.dtype, out_shape)])

    def perform(self, node, inputs):
        return [self.draw_values(np.random.default_rng(), inputs)]

    def draw_values(self, rng, inputs):
        """One draw given the input values ``(shape, *params)``."""
        shape, *params = inputs
        size = None
        if len(shape):
            size = tuple(int(s) for s in shape)
            if self.ndim_supp:
                size = size[:len(size) - self.ndim_supp]
        out = np.asarray(self.dist.rng_fn(rng, *params, size=size))
        return out.astype(self.dtype, copy=False)

    def pullback(self, inputs, outputs, output_grads):
        return [None] * len(inputs)


def _as_param(p, float_params: bool):
    p = pt.as_tensor(p)
    if float_params and not p.dtype.startswith("float"):
        p = pt.cast(p, "floatX")
    return p


def _shape_vector(shape):
    """A user shape (int, tuple with ints or scalar variables, a vector variable) →
    int64 vector."""
    if shape is None:
        return pt.constant(np.zeros(0, dtype="int64"))
    from probgraph.tensor.shape import as_shape_vector
    return as_shape_vector(shape)


class Distribution:
    """Base class of every distribution.

    ``Normal("x", mu, sigma, ...)`` inside a ``with Model():`` block creates and registers a random
    variable; ``Normal.dist(mu, sigma)`` creates an unregistered one. Subclasses define ``dist``
    (parameter conversion, then ``super().dist([params], **kwargs)``), ``rng_fn``, ``logp``,
    optionally ``logcdf``, and ``support_point``; ``default_transform`` is a transform or None.
    """

    rv_op = RandomVariable
    dtype = "floatX"
    ndim_supp = 0
    ndims_params: tuple | None = None   # core dims of each parameter (default: all 0)
    default_transform = None
    float_params = True

    def __new__(cls, name, *args, **kwargs):
        from probgraph.model import register_distribution
        return register_distribution(cls, name, args, kwargs)

    @classmethod
    def dist(cls, dist_params, *, shape=None, size=None, dtype=None, **kwargs):
        """An unregistered random variable with parameters ``dist_params``.

        Examples
        --------
        >>> import probgraph as pg
        >>> x = pg.Normal.dist(mu=0.0, sigma=2.0, shape=(3,))
        >>> x.type.shape
        (3,)
        """
        if kwargs:
            raise TypeError(f"{cls.__name__}.dist() got unexpected arguments {sorted(kwargs)}")
        params = [_as_param(p, cls.float_params) for p in dist_params]
        if shape is None and size is not None:
            size = (size,) if np.ndim(size) == 0 and not isinstance(size, Variable) else size
            shape = (*tuple(size), *cls.supp_shape(params))
        shape_vec = _shape_vector(shape)
        op = cls.rv_op(cls, dtype or cls.rv_dtype(params), cls.ndim_supp)
        rv = op(shape_vec, *params)
        try:
            cls.logp(rv, *params)   # raises ParameterValueError for parameters known to be invalid
        except NotImplementedError:
            pass
        return rv

    # ------------------------------------------------------------------ shapes
    @classmethod
    def rv_dtype(cls, params) -> str:
        return normalize_dtype(cls.dtype)

    @classmethod
    def supp_shape(cls, params) -> tuple:
        """Static support shape (``()`` for univariate families); multivariate ones override
        this."""
        if cls.ndim_supp == 0:
            return ()
        return params[0].type.shape[params[0].ndim - cls.ndim_supp:]

    @classmethod
    def batch_shape(cls, params) -> tuple:
        """Static broadcast of the parameters' batch shapes (raises naming the family on a
        clash)."""
        from probgraph.tensor.elemwise import broadcast_shapes
        nd = cls.ndims_params or (0,) * len(params)
        batch = [p.type.shape[:p.ndim - k] for p, k in zip(params, nd)]
        n = max((len(b) for b in batch), default=0)
        padded = [(1,) * (n - len(b)) + tuple(b) for b in batch]
        return broadcast_shapes(padded, cls.__name__) if padded else ()

    @classmethod
    def static_shape(cls, shape_vec, params) -> tuple:
        """The random variable's static shape from the requested shape and the parameters."""
        batch = cls.batch_shape(params)
        supp = cls.supp_shape(params)
        if shape_vec.type.shape[0] == 0:
            return (*batch, *supp)
        vals = static_values(shape_vec)
        out = tuple(vals) if vals is not None else (None,) * shape_vec.type.shape[0]
        if shape_vec.type.shape[0] is None:
            raise ValueError(f"{cls.__name__}: the shape must have a known number of dimensions")
        want = out[:len(out) - cls.ndim_supp]
        if len(batch) > len(want) or any(
                b not in (1, None) and w is not None and b != w
                for b, w in zip(batch[::-1], want[::-1])):
            raise ValueError(f"{cls.__name__}: parameters with batch shape {format_shape(batch)} "
                             f"do not fit shape {format_shape(out)}")
        return tuple(None if s is not None and s < 0 else s for s in out)

    # ------------------------------------------------------------------ family interface
    @classmethod
    def rng_fn(cls, rng, *params, size=None):
        raise NotImplementedError(f"{cls.__name__} has no random number generator")

    @staticmethod
    def logp(value, *params):
        raise NotImplementedError

    @staticmethod
    def logcdf(value, *params):
        raise NotImplementedError

    @staticmethod
    def support_point(rv, *params):
        raise NotImplementedError

    @classmethod
    def get_default_transform(cls, params):
        """The transform to the unconstrained space (override when it depends on the parameters)."""
        return cls.default_transform


class Continuous(Distribution):
    """Real-valued families (floatX values)."""


class PositiveContinuous(Continuous):
    """Families on the positive reals (log transform by default)."""

    default_transform = transforms.log


class UnitContinuous(Continuous):
    """Families on the unit interval (logodds transform by default)."""

    default_transform = transforms.logodds


class BoundedContinuous(Continuous):
    """Families on an interval given by parameters; ``bound_params`` names their indices (lower,
    upper)."""

    bound_params = (0, 1)

    @classmethod
    def get_default_transform(cls, params):
        lo, hi = cls.bound_params
        return transforms.Interval(None if lo is None else params[lo],
                                   None if hi is None else params[hi])


class Discrete(Distribution):
    """Integer-valued families (int64 values; no transform)."""

    dtype = "int64"


# ---------------------------------------------------------------------- logp / logcdf of a variable
def _rv_parts(rv):
    if not isinstance(rv, Variable) or rv.owner is None or not isinstance(rv.owner.op,
                                                                          RandomVariable):
        raise TypeError(f"{rv!r} is not a random variable created by a distribution; logp/logcdf "
                        "are defined for variables made with e.g. pg.Normal(...) or "
                        "pg.Normal.dist(...)")
    return rv.owner.op.dist, rv.owner.inputs[1:]


def logp(rv, value):
    """The symbolic log-density (or mass) of ``rv`` at ``value``, elementwise.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.Normal.dist(0.0, 1.0)
    >>> round(float(pg.logp(x, 0.0).eval()), 4)
    -0.9189
    """
    dist, params = _rv_parts(rv)
    return dist.logp(pt.as_tensor(value, dtype=rv.dtype), *params)


def logcdf(rv, value):
    """The symbolic log cumulative distribution function of ``rv`` at ``value``.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.Normal.dist(0.0, 1.0)
    >>> round(float(pg.logcdf(x, 0.0).eval()), 4)
    -0.6931
    """
    dist, params = _rv_parts(rv)
    try:
        return dist.logcdf(pt.as_tensor(value, dtype=rv.dtype), *params)
    except NotImplementedError:
        raise NotImplementedError(f"{dist.__name__} has no logcdf") from None


# ---------------------------------------------------------------------- CustomDist and DiracDelta
class CustomDist(Distribution):
    """A distribution from user functions (PyMC's ``CustomDist``): ``logp(value, *params)``,
    optionally ``random(*params, rng=, size=)``, ``logcdf`` and
    ``support_point(rv, size, *params)``.

    Examples
    --------
    >>> import probgraph as pg, probgraph.tensor as pt
    >>> def lp(value, mu):
    ...     return -0.5 * (value - mu) ** 2
    >>> with pg.Model():
    ...     x = pg.CustomDist("x", 1.0, logp=lp)
    """

    _cache: ClassVar[dict] = {}
    _custom = ("logp", "logcdf", "random", "support_point", "ndim_supp", "ndims_params",
               "class_name",
               "signature", "dtype")

    def __new__(cls, name, *dist_params, **kwargs):
        from probgraph.model import register_distribution
        fns, kwargs = cls._split(kwargs)
        return register_distribution(cls._family(**fns), name, dist_params, kwargs)

    @classmethod
    def dist(cls, *dist_params, **kwargs):
        fns, kwargs = cls._split(kwargs)
        return cls._family(**fns).dist(*dist_params, **kwargs)

    @classmethod
    def _split(cls, kwargs):
        fns = {k: kwargs.pop(k) for k in cls._custom if k in kwargs}
        if fns.get("logp") is None:
            fns.pop("logp", None)
        if "signature" in fns:
            fns.pop("signature")
        return fns, kwargs

    @classmethod
    def _family(cls, logp=None, logcdf=None, random=None, support_point=None, ndim_supp=0,
                ndims_params=None, class_name="CustomDist", dtype="floatX"):
        key = (logp, logcdf, random, support_point, ndim_supp, ndims_params, class_name, dtype)
        if key in cls._cache:
            return cls._cache[key]
        body = {"ndim_supp": ndim_supp, "ndims_params": ndims_params, "dtype": dtype,
                "float_params": False}
        if logp is not None:
            body["logp"] = staticmethod(logp)
        if logcdf is not None:
            body["logcdf"] = staticmethod(logcdf)
        if random is not None:
            body["rng_fn"] = classmethod(lambda c, rng, *p,
                                         size=None: random(*p, rng=rng, size=size))
        if support_point is not None:
            body["support_point"] = staticmethod(
                lambda rv, *p: support_point(rv, rv.owner.inputs[0], *p))
        else:
            body["support_point"] = staticmethod(lambda rv, *p: pt.zeros_like(rv))
        fam = type(class_name, (_CustomFamily,), body)
        cls._cache[key] = fam
        return fam


class _CustomFamily(Continuous):
    @staticmethod
    def logp(value, *params):
        raise NotImplementedError("this CustomDist has no logp; pass logp= to CustomDist")

    @classmethod
    def rng_fn(cls, rng, *params, size=None):
        raise NotImplementedError(f"{cls.__name__} has no random function; pass random= to "
                                  "CustomDist")

    @classmethod
    def dist(cls, *dist_params, **kwargs):
        return super().dist(list(dist_params), **kwargs)


class DiracDelta(Discrete):
    """All mass at ``c`` (PyMC's ``DiracDelta``): logp 0 at ``c``, -inf elsewhere."""

    float_params = False

    @classmethod
    def dist(cls, c, **kwargs):
        return super().dist([c], **kwargs)

    @classmethod
    def rv_dtype(cls, params):
        return params[0].dtype if params[0].dtype.startswith("float") else "int64"

    @classmethod
    def rng_fn(cls, rng, c, size=None):
        return np.full(size, c) if size is not None else np.array(c)

    @staticmethod
    def logp(value, c):
        from probgraph.distributions.dist_math import in_support
        return in_support(pt.zeros_like(value, dtype="float64"), pt.eq(value, c))

    @staticmethod
    def logcdf(value, c):
        return pt.switch(pt.lt(value, c), -np.inf, 0.0)

    @staticmethod
    def support_point(rv, c):
        return c
