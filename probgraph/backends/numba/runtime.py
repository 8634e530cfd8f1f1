"""Scalar helpers that generated numba code calls as ``rt.<name>(...)``, with numpy/scipy semantics.

Every public function here is an ``@njit(cache=True)`` function of scalars (float64, float32, ints
or bools; numba compiles one specialisation per argument type). They reproduce numpy's and
scipy.special's results, including at the edges: the log of a negative number is nan, ``log(0)`` is
``-inf``, integer division and modulo by zero give 0, and ``maximum``/``minimum`` propagate nan.
The special functions (error function, gamma, Bessel and incomplete gamma/beta families) live in
``special.py`` and are re-exported here, so generated code needs only ``rt``.

Example (from jitted code)::

    from probgraph.backends.numba import runtime as rt

    @numba.njit
    def f(x):
        return rt.log1mexp(x) + rt.gammaln(x * x)
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from probgraph.backends.numba.special import (  # noqa: F401 - re-exported for generated code
    betainc,
    betaln,
    digamma,
    erfcinv,
    erfcx,
    erfinv,
    gammainc,
    gammaincc,
    gammaln,
    i0,
    i0e,
    i1,
    i1e,
    log_ndtr,
    ndtr,
    ndtri,
    tetragamma,
    trigamma,
)

# error_model="numpy": float division by zero gives inf/nan instead of raising ZeroDivisionError.
_jit = numba.njit(cache=True, error_model="numpy")

_LN2 = 0.6931471805599453
_INF = math.inf
_NAN = math.nan


# --------------------------------------------------------------------- integer/float dispatch
def _by_kind(int_impl, float_impl):
    """A function for jitted code that runs ``int_impl`` when every argument is an integer or a bool
    and ``float_impl`` otherwise, chosen from the argument types at compile time (numpy gives
    integers their own semantics, e.g. ``7 // 0 == 0``)."""
    int_impl = numba.njit(int_impl, error_model="numpy")
    float_impl = numba.njit(float_impl, error_model="numpy")

    def stub(*args):
        raise NotImplementedError("only callable from jitted code")

    @overload(stub)
    def _choose(*args):
        ints = all(isinstance(t, (types.Integer, types.Boolean)) for t in args)
        impl = int_impl if ints else float_impl
        return lambda *args: impl(*args)

    return stub


def _mod_int(a, b):
    return a - a if b == 0 else a % b  # numba follows Python: the remainder has the divisor's sign


def _mod_float(a, b):
    # numpy's divmod: C fmod, then move a nonzero remainder to the sign of the divisor
    m = np.fmod(a, b)
    if m == 0:
        return math.copysign(0.0, b)
    return m + b if (b < 0) != (m < 0) else m


def _floor_divide_int(a, b):
    return a - a if b == 0 else a // b


def _floor_divide_float(a, b):
    # numpy's divmod: exact quotient of a - fmod(a, b), rounded to the nearest integer
    if b == 0:
        return a / b
    m = np.fmod(a, b)
    d = (a - m) / b
    if m != 0 and (b < 0) != (m < 0):
        d = d - 1.0
    if d == 0:
        return math.copysign(0.0, a / b)
    f = np.floor(d)
    return f + 1.0 if d - f > 0.5 else f


def _power_int(a, b):
    # numpy refuses negative integer exponents; we return the truncated C result instead
    if b < 0:
        if a == 1 or a == -1:
            return 1 if a == 1 or b % 2 == 0 else -1
        return 0
    result, base, e = 1, a, b
    while e > 0:
        if e & 1:
            result = result * base
        base = base * base
        e = e >> 1
    return result


def _power_float(a, b):
    return a ** b  # C pow: nan for a negative base and a non-integer exponent


def _sign_int(a):
    return (a > 0) - (a < 0)


def _sign_float(a):
    if a > 0:
        return 1.0
    if a < 0:
        return -1.0
    return 0.0 if a == 0 else a  # nan stays nan


def _round_int(a):
    return a


def _round_float(a):
    f = np.floor(a)
    d = a - f
    r = f + 1.0 if d > 0.5 or (d == 0.5 and np.fmod(f, 2.0) != 0) else f
    return math.copysign(0.0, a) if r == 0 else r  # numpy keeps the sign: round(-0.3) == -0.0


def _invert_int(a):
    return ~a


def _invert_bool(a):
    return not a


_mod = _by_kind(_mod_int, _mod_float)
_floor_divide = _by_kind(_floor_divide_int, _floor_divide_float)
_power = _by_kind(_power_int, _power_float)
_sign = _by_kind(_sign_int, _sign_float)
_round = _by_kind(_round_int, _round_float)


def _invert_stub(a):
    raise NotImplementedError("only callable from jitted code")


@overload(_invert_stub, jit_options={"error_model": "numpy"})
def _invert_choose(a):
    return _invert_bool if isinstance(a, types.Boolean) else _invert_int


@_jit
def mod(a, b):
    """``numpy.mod``: the remainder has the sign of the divisor; ``x % 0`` is 0 for integers, nan
    for floats."""
    return _mod(a, b)


@_jit
def floor_divide(a, b):
    """``numpy.floor_divide``: ``x // 0`` is 0 for integers, ``±inf``/nan for floats."""
    return _floor_divide(a, b)


@_jit
def true_divide(a, b):
    """``numpy.true_divide``: ``1.0 / 0.0`` is inf, ``0 / 0`` is nan (never raises)."""
    return a / b


@_jit
def power(a, b):
    """``numpy.power``; integers use exact repeated squaring."""
    return _power(a, b)


@_jit
def sign(a):
    """``numpy.sign`` (nan for nan)."""
    return _sign(a)


@_jit
def invert(a):
    """``numpy.invert``: logical not for bools, bitwise not for integers."""
    return _invert_stub(a)


@_jit
def round_half_even(a):
    """``numpy.round``: halves go to the even neighbour (``round(2.5) == 2``)."""
    return _round(a)


@_jit
def maximum(a, b):
    """``numpy.maximum``: nan if either argument is nan."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@_jit
def minimum(a, b):
    """``numpy.minimum``: nan if either argument is nan."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


# --------------------------------------------------------------------- logs, exps and friends
@_jit
def log(x):
    """Natural log: ``-inf`` at 0, nan below 0."""
    if x > 0:
        return math.log(x)
    if x == 0:
        return -_INF
    return _NAN


@_jit
def log2(x):
    """Base-2 log: ``-inf`` at 0, nan below 0."""
    if x > 0:
        return math.log2(x)
    if x == 0:
        return -_INF
    return _NAN


@_jit
def log10(x):
    """Base-10 log: ``-inf`` at 0, nan below 0."""
    if x > 0:
        return math.log10(x)
    if x == 0:
        return -_INF
    return _NAN


@_jit
def log1p(x):
    """``log(1 + x)``: ``-inf`` at -1, nan below -1."""
    if x > -1:
        return math.log1p(x)
    if x == -1:
        return -_INF
    return _NAN


# sigmoid and softplus are written without branches around ``exp(-|x|)``: a fused loop that calls
# both on the same value then computes that exponential once (LLVM merges the two after inlining),
# and random signs cost no branch mispredictions.
@_jit
def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))`` without overflow."""
    e = math.exp(-abs(x))
    return (1.0 if x >= 0 else e) / (1.0 + e)


@_jit
def softplus(x):
    """``log(1 + exp(x))`` (= ``numpy.logaddexp(0, x)``) without overflow."""
    return (x if x > 0 else 0.0) + math.log1p(math.exp(-abs(x)))


@_jit
def logit(p):
    """``log(p / (1 - p))``, using ``log1p`` near 1/2 as scipy does."""
    if 0.3 < p < 0.65:
        s = 2.0 * p - 1.0
        return math.log1p(s) - math.log1p(-s)
    return log(p / (1.0 - p))


@_jit
def log1mexp(x):
    """``log(1 - exp(x))`` for ``x <= 0`` (Mächler 2012, "Accurately computing log(1 -
    exp(-|a|))")."""
    if x > 0:
        return _NAN
    if x < -_LN2:
        return math.log1p(-math.exp(x))
    return log(-math.expm1(x))


@_jit
def logaddexp(a, b):
    """``log(exp(a) + exp(b))`` as numpy computes it (exact for equal infinities)."""
    if a == b:
        return a + _LN2
    d = a - b
    if d > 0:
        return a + math.log1p(math.exp(-d))
    if d <= 0:
        return b + math.log1p(math.exp(d))
    return d  # nan


@_jit
def xlogy(x, y):
    """``x * log(y)``, 0 where ``x == 0`` (unless y is nan), as ``scipy.special.xlogy``."""
    if x == 0 and not math.isnan(y):
        return 0.0
    return x * log(y)


@_jit
def xlog1py(x, y):
    """``x * log1p(y)``, 0 where ``x == 0`` (unless y is nan), as ``scipy.special.xlog1py``."""
    if x == 0 and not math.isnan(y):
        return 0.0
    return x * log1p(y)


# --------------------------------------------------------------------- inverse trigonometry
@_jit
def arcsin(x):
    """``numpy.arcsin``: nan outside [-1, 1]."""
    if -1 <= x <= 1:
        return math.asin(x)
    return _NAN


@_jit
def arccos(x):
    """``numpy.arccos``: nan outside [-1, 1]."""
    if -1 <= x <= 1:
        return math.acos(x)
    return _NAN


@_jit
def arccosh(x):
    """``numpy.arccosh``: nan below 1."""
    if x >= 1:
        return math.acosh(x)
    return _NAN


@_jit
def arctanh(x):
    """``numpy.arctanh``: ``±inf`` at ``±1``, nan outside."""
    if -1 < x < 1:
        return math.atanh(x)
    if x == 1:
        return _INF
    if x == -1:
        return -_INF
    return _NAN
