"""The elementwise math namespace: arithmetic, comparisons, exp/log family and special functions,
with derivatives."""

from __future__ import annotations

import numpy as np
import scipy.special as sp

from probgraph.graph.basic import Apply
from probgraph.graph.op import Op
from probgraph.tensor.elemwise import Elemwise
from probgraph.tensor.scalar import ScalarOp, register
from probgraph.tensor.type import TensorType, normalize_dtype


def _elemwise(name, nin, impl, numba, grad=None, **kw):
    op = Elemwise(register(ScalarOp(name, nin, impl, numba, grad, **kw)))

    def fn(*args):
        return op(*args)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` with numpy broadcasting."
    fn.op = op
    return fn


# Derivatives are written with the tensor functions defined below; ``o`` is the op's output.
# --------------------------------------------------------------------- arithmetic
add = _elemwise("add", 2, np.add, "({0} + {1})", lambda i, o, g: [g, g],
                commutative=True, associative=True)
sub = _elemwise("sub", 2, np.subtract, "({0} - {1})", lambda i, o, g: [g, -g])
mul = _elemwise("mul", 2, np.multiply, "({0} * {1})", lambda i, o, g: [g * i[1], g * i[0]],
                commutative=True, associative=True)
true_divide = _elemwise("true_divide", 2, np.true_divide, "rt.true_divide({0}, {1})",
                        lambda i, o, g: [g / i[1], -g * o / i[1]])
floor_divide = _elemwise("floor_divide", 2, np.floor_divide, "rt.floor_divide({0}, {1})",
                         lambda i, o, g: [zeros_like(g), zeros_like(g)])
mod = _elemwise("mod", 2, np.mod, "rt.mod({0}, {1})", lambda i, o,
                g: [g, -g * floor_divide(i[0], i[1])])
power = _elemwise("power", 2, np.power, "rt.power({0}, {1})",
                  lambda i, o, g: [g * i[1] * power(i[0], i[1] - 1),
                                   g * o * log(switch(eq(i[0], 0), ones_like(i[0]), i[0]))])
neg = _elemwise("neg", 1, np.negative, "(-{0})", lambda i, o, g: [-g])
maximum = _elemwise("maximum", 2, np.maximum, "rt.maximum({0}, {1})",
                    lambda i, o, g: [g * ge(i[0], i[1]), g * lt(i[0], i[1])],
                    commutative=True, associative=True)
minimum = _elemwise("minimum", 2, np.minimum, "rt.minimum({0}, {1})",
                    lambda i, o, g: [g * le(i[0], i[1]), g * gt(i[0], i[1])],
                    commutative=True, associative=True)
abs = _elemwise("abs", 1, np.abs, "abs({0})", lambda i, o, g: [g * sign(i[0])])  # noqa: A001
sign = _elemwise("sign", 1, np.sign, "rt.sign({0})", lambda i, o, g: [zeros_like(g)])
square = _elemwise("square", 1, np.square, "({0} * {0})", lambda i, o, g: [2 * g * i[0]])
sqrt = _elemwise("sqrt", 1, np.sqrt, "math.sqrt({0})", lambda i, o, g: [g / (2 * o)])
reciprocal = _elemwise("reciprocal", 1, lambda x: np.true_divide(1, x), "rt.true_divide(1.0, {0})",
                       lambda i, o, g: [-g * o * o])

# ---------------------------------------------------------------- comparisons / logic (no gradient)
lt = _elemwise("lt", 2, np.less, "({0} < {1})", out_dtype="bool")
le = _elemwise("le", 2, np.less_equal, "({0} <= {1})", out_dtype="bool")
gt = _elemwise("gt", 2, np.greater, "({0} > {1})", out_dtype="bool")
ge = _elemwise("ge", 2, np.greater_equal, "({0} >= {1})", out_dtype="bool")
eq = _elemwise("eq", 2, np.equal, "({0} == {1})", out_dtype="bool", commutative=True)
neq = _elemwise("neq", 2, np.not_equal, "({0} != {1})", out_dtype="bool", commutative=True)
and_ = _elemwise("and_", 2, np.bitwise_and, "({0} & {1})", commutative=True, associative=True)
or_ = _elemwise("or_", 2, np.bitwise_or, "({0} | {1})", commutative=True, associative=True)
xor = _elemwise("xor", 2, np.bitwise_xor, "({0} ^ {1})", commutative=True)
invert = _elemwise("invert", 1, np.invert, "rt.invert({0})")
isnan = _elemwise("isnan", 1, np.isnan, "math.isnan({0})", out_dtype="bool")
isinf = _elemwise("isinf", 1, np.isinf, "math.isinf({0})", out_dtype="bool")
isfinite = _elemwise("isfinite", 1, np.isfinite, "math.isfinite({0})", out_dtype="bool")
switch = _elemwise("switch", 3, np.where, "({1} if {0} else {2})",
                   lambda i, o,
                   g: [None, switch(i[0], g, zeros_like(g)), switch(i[0], zeros_like(g), g)])
where = switch
floor = _elemwise("floor", 1, np.floor, "np.floor({0})", lambda i, o, g: [zeros_like(g)])
ceil = _elemwise("ceil", 1, np.ceil, "np.ceil({0})", lambda i, o, g: [zeros_like(g)])
trunc = _elemwise("trunc", 1, np.trunc, "np.trunc({0})", lambda i, o, g: [zeros_like(g)])
round = _elemwise("round", 1, np.round, "rt.round_half_even({0})",  # noqa: A001
                  lambda i, o, g: [zeros_like(g)])

# --------------------------------------------------------------------- exp / log family
exp = _elemwise("exp", 1, np.exp, "math.exp({0})", lambda i, o, g: [g * o])
exp2 = _elemwise("exp2", 1, np.exp2, "math.pow(2.0, {0})", lambda i, o, g: [g * o * np.log(2.0)])
expm1 = _elemwise("expm1", 1, np.expm1, "math.expm1({0})", lambda i, o, g: [g * (o + 1)])
log = _elemwise("log", 1, np.log, "rt.log({0})", lambda i, o, g: [g / i[0]])
log2 = _elemwise("log2", 1, np.log2, "rt.log2({0})", lambda i, o, g: [g / (i[0] * np.log(2.0))])
log10 = _elemwise("log10", 1, np.log10, "rt.log10({0})", lambda i, o,
                  g: [g / (i[0] * np.log(10.0))])
log1p = _elemwise("log1p", 1, np.log1p, "rt.log1p({0})", lambda i, o, g: [g / (1 + i[0])])
sigmoid = _elemwise("sigmoid", 1, sp.expit, "rt.sigmoid({0})", lambda i, o, g: [g * o * (1 - o)])
expit = sigmoid
softplus = _elemwise("softplus", 1, lambda x: np.logaddexp(0, x), "rt.softplus({0})",
                     lambda i, o, g: [g * sigmoid(i[0])])
log1pexp = softplus
logit = _elemwise("logit", 1, sp.logit, "rt.logit({0})", lambda i, o, g: [g / (i[0] * (1 - i[0]))])
log1mexp = _elemwise("log1mexp", 1,
                     lambda x: np.where(x < -0.6931471805599453, np.log1p(-np.exp(x)),
                                        np.log(-np.expm1(x))),
                     "rt.log1mexp({0})", lambda i, o, g: [-g / expm1(-i[0])])
logaddexp = _elemwise("logaddexp", 2, np.logaddexp, "rt.logaddexp({0}, {1})",
                      lambda i, o, g: [g * exp(i[0] - o), g * exp(i[1] - o)], commutative=True)
xlogy = _elemwise("xlogy", 2, sp.xlogy, "rt.xlogy({0}, {1})",
                  lambda i, o, g: [g * log(i[1]), g * switch(eq(i[0], 0), 0.0, i[0] / i[1])])
xlog1py = _elemwise("xlog1py", 2, sp.xlog1py, "rt.xlog1py({0}, {1})",
                    lambda i, o,
                    g: [g * log1p(i[1]), g * switch(eq(i[0], 0), 0.0, i[0] / (1 + i[1]))])

# --------------------------------------------------------------------- trigonometry
sin = _elemwise("sin", 1, np.sin, "math.sin({0})", lambda i, o, g: [g * cos(i[0])])
cos = _elemwise("cos", 1, np.cos, "math.cos({0})", lambda i, o, g: [-g * sin(i[0])])
tan = _elemwise("tan", 1, np.tan, "math.tan({0})", lambda i, o, g: [g * (1 + o * o)])
arcsin = _elemwise("arcsin", 1, np.arcsin, "rt.arcsin({0})", lambda i, o,
                   g: [g / sqrt(1 - i[0] ** 2)])
arccos = _elemwise("arccos", 1, np.arccos, "rt.arccos({0})", lambda i, o,
                   g: [-g / sqrt(1 - i[0] ** 2)])
arctan = _elemwise("arctan", 1, np.arctan, "math.atan({0})", lambda i, o, g: [g / (1 + i[0] ** 2)])
arctan2 = _elemwise("arctan2", 2, np.arctan2, "math.atan2({0}, {1})",
                    lambda i, o, g: [g * i[1] / (i[0] ** 2 + i[1] ** 2),
                                     -g * i[0] / (i[0] ** 2 + i[1] ** 2)])
sinh = _elemwise("sinh", 1, np.sinh, "math.sinh({0})", lambda i, o, g: [g * cosh(i[0])])
cosh = _elemwise("cosh", 1, np.cosh, "math.cosh({0})", lambda i, o, g: [g * sinh(i[0])])
tanh = _elemwise("tanh", 1, np.tanh, "math.tanh({0})", lambda i, o, g: [g * (1 - o * o)])
arcsinh = _elemwise("arcsinh", 1, np.arcsinh, "math.asinh({0})", lambda i, o,
                    g: [g / sqrt(i[0] ** 2 + 1)])
arccosh = _elemwise("arccosh", 1, np.arccosh, "rt.arccosh({0})", lambda i, o,
                    g: [g / sqrt(i[0] ** 2 - 1)])
arctanh = _elemwise("arctanh", 1, np.arctanh, "rt.arctanh({0})", lambda i, o,
                    g: [g / (1 - i[0] ** 2)])

# --------------------------------------------------------------------- special functions
_SQRT_PI = float(np.sqrt(np.pi))
erf = _elemwise("erf", 1, sp.erf, "math.erf({0})", lambda i, o,
                g: [g * 2 / _SQRT_PI * exp(-i[0] ** 2)])
erfc = _elemwise("erfc", 1, sp.erfc, "math.erfc({0})", lambda i, o,
                 g: [-g * 2 / _SQRT_PI * exp(-i[0] ** 2)])
erfcx = _elemwise("erfcx", 1, sp.erfcx, "rt.erfcx({0})",
                  lambda i, o, g: [g * (2 * i[0] * o - 2 / _SQRT_PI)])
erfinv = _elemwise("erfinv", 1, sp.erfinv, "rt.erfinv({0})",
                   lambda i, o, g: [g * _SQRT_PI / 2 * exp(o * o)])
erfcinv = _elemwise("erfcinv", 1, sp.erfcinv, "rt.erfcinv({0})",
                    lambda i, o, g: [-g * _SQRT_PI / 2 * exp(o * o)])
gammaln = _elemwise("gammaln", 1, sp.gammaln, "rt.gammaln({0})", lambda i, o,
                    g: [g * digamma(i[0])])
gamma = _elemwise("gamma", 1, sp.gamma, "math.gamma({0})", lambda i, o, g: [g * o * digamma(i[0])])
digamma = _elemwise("digamma", 1, sp.digamma, "rt.digamma({0})", lambda i, o,
                    g: [g * polygamma1(i[0])])
psi = digamma
polygamma1 = _elemwise("trigamma", 1, lambda x: sp.polygamma(1, x), "rt.trigamma({0})",
                       lambda i, o, g: [g * tetragamma(i[0])])
trigamma = polygamma1
tetragamma = _elemwise("tetragamma", 1, lambda x: sp.polygamma(2, x), "rt.tetragamma({0})")
betaln = _elemwise("betaln", 2, sp.betaln, "rt.betaln({0}, {1})",
                   lambda i, o, g: [g * (digamma(i[0]) - digamma(i[0] + i[1])),
                                    g * (digamma(i[1]) - digamma(i[0] + i[1]))])
ndtr = _elemwise("ndtr", 1, sp.ndtr, "rt.ndtr({0})",
                 lambda i, o, g: [g * exp(-0.5 * i[0] ** 2) / np.sqrt(2 * np.pi)])
log_ndtr = _elemwise("log_ndtr", 1, sp.log_ndtr, "rt.log_ndtr({0})",
                     lambda i, o, g: [g * exp(-0.5 * i[0] ** 2 - o) / np.sqrt(2 * np.pi)])
ndtri = _elemwise("ndtri", 1, sp.ndtri, "rt.ndtri({0})",
                  lambda i, o, g: [g * np.sqrt(2 * np.pi) * exp(0.5 * o * o)])
i0 = _elemwise("i0", 1, sp.i0, "rt.i0({0})", lambda i, o, g: [g * i1(i[0])])
i1 = _elemwise("i1", 1, sp.i1, "rt.i1({0})",
               lambda i, o,
               g: [g * (i0(i[0]) - switch(eq(i[0], 0), 0.5 * ones_like(i[0]), o / i[0]))])
i0e = _elemwise("i0e", 1, sp.i0e, "rt.i0e({0})", lambda i, o, g: [g * (i1e(i[0]) - sign(i[0]) * o)])
i1e = _elemwise("i1e", 1, sp.i1e, "rt.i1e({0})",
                lambda i, o, g: [g * (i0e(i[0]) - sign(i[0]) * o
                                      - switch(eq(i[0], 0), 0.5 * ones_like(i[0]), o / i[0]))])
gammainc = _elemwise("gammainc", 2, sp.gammainc, "rt.gammainc({0}, {1})",
                     lambda i, o,
                     g: [None, g * exp(-i[1] + (i[0] - 1) * log(i[1]) - gammaln(i[0]))])
gammaincc = _elemwise("gammaincc", 2, sp.gammaincc, "rt.gammaincc({0}, {1})",
                      lambda i, o,
                      g: [None, -g * exp(-i[1] + (i[0] - 1) * log(i[1]) - gammaln(i[0]))])
betainc = _elemwise("betainc", 3, sp.betainc, "rt.betainc({0}, {1}, {2})",
                    lambda i, o,
                    g: [None, None, g * exp((i[0] - 1) * log(i[2]) + (i[1] - 1) * log1p(-i[2])
                                                         - betaln(i[0], i[1]))])


# --------------------------------------------------------------------- casts and identities
class Cast(Op):
    """Convert to ``dtype`` (gradients pass through between float dtypes; none for integer
    targets)."""

    __props__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        return Apply(self, [x], [TensorType(self.dtype, x.type.shape)])

    def perform(self, node, inputs):
        return [np.asarray(inputs[0]).astype(self.dtype)]

    def pullback(self, inputs, outputs, output_grads):
        x = inputs[0]
        if not (x.dtype.startswith("float") and self.dtype.startswith("float")):
            return [None]
        return [cast(output_grads[0], x.dtype)]


def cast(x, dtype):
    """``x.astype(dtype)``; a no-op when the dtype already matches."""
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    dtype = normalize_dtype(dtype)
    return x if x.dtype == dtype else Cast(dtype)(x)


class Identity(Op):
    """Pass a value through unchanged (gives a node a name of its own, e.g. a Deterministic)."""

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0]]

    def pullback(self, inputs, outputs, output_grads):
        return [output_grads[0]]


def identity(x, name=None):
    out = Identity()(x)
    out.name = name
    return out


class StopGradient(Op):
    """Identity in value, zero in gradient (Theano's ``disconnected_grad``)."""

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0]]

    def pullback(self, inputs, outputs, output_grads):
        return [None]


def stop_gradient(x):
    return StopGradient()(x)


disconnected_grad = stop_gradient


# --------------------------------------------------------------------- composites
def zeros_like(x, dtype=None):
    """Zeros with ``x``'s shape (and dtype unless given)."""
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import broadcast_to, shape
    x = as_tensor(x)
    from probgraph.tensor.basic import constant
    return broadcast_to(constant(0, dtype=dtype or x.dtype), shape(x))


def ones_like(x, dtype=None):
    """Ones with ``x``'s shape (and dtype unless given)."""
    from probgraph.tensor.basic import as_tensor, constant
    from probgraph.tensor.shape import broadcast_to, shape
    x = as_tensor(x)
    return broadcast_to(constant(1, dtype=dtype or x.dtype), shape(x))


def true_div(a, b):
    return true_divide(a, b)


divide = true_divide


def clip(x, lo, hi):
    """Limit values to ``[lo, hi]``, as ``numpy.clip`` (gradient 0 outside)."""
    return minimum(maximum(x, lo), hi)


def log_sigmoid(x):
    """``log(sigmoid(x))`` computed as ``-softplus(-x)``."""
    return -softplus(-x)


invlogit = sigmoid


def logdiffexp(a, b):
    """``log(exp(a) - exp(b))`` stably."""
    return a + log1mexp(b - a)


def polygamma(n: int, x):
    """``n``-th derivative of digamma for ``n`` in 0, 1, 2, as ``scipy.special.polygamma``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> round(float(pt.polygamma(1, 1.0).eval()), 12)  # pi**2 / 6
    1.644934066848
    """
    ops = {0: digamma, 1: trigamma, 2: tetragamma}
    if n not in ops:
        raise ValueError(f"polygamma: order {n!r} is not supported; use 0, 1 or 2")
    return ops[n](x)


def logical_not(x):
    """``numpy.logical_not``: a bool tensor, True where ``x`` is 0."""
    return eq(x, 0)


def logical_and(a, b):
    """``numpy.logical_and`` of any dtypes (bool result)."""
    return and_(neq(a, 0), neq(b, 0))


def logical_or(a, b):
    """``numpy.logical_or`` of any dtypes (bool result)."""
    return or_(neq(a, 0), neq(b, 0))


def logical_xor(a, b):
    """``numpy.logical_xor`` of any dtypes (bool result)."""
    return xor(neq(a, 0), neq(b, 0))


def deg2rad(x):
    """Degrees to radians."""
    return mul(x, np.pi / 180.0)


def rad2deg(x):
    """Radians to degrees."""
    return mul(x, 180.0 / np.pi)


# numpy's long names and Theano's short ones for the same ops
negative, subtract, multiply, absolute, rint = neg, sub, mul, abs, round
less, less_equal, greater, greater_equal, equal, not_equal = lt, le, gt, ge, eq, neq
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = and_, or_, xor, invert
sqr, inv, pow, int_div, abs_, sgn, tri_gamma = (square, reciprocal, power,  # noqa: A001
                                                floor_divide, abs, sign, trigamma)

__all__ = [n for n, v in list(globals().items())
           if not n.startswith("_") and (callable(v) and getattr(v, "__module__", None) == __name__)
           and n not in ("Apply", "Op", "ScalarOp", "TensorType")]
