"""The numba runtime helpers (``rt.*``) and the numba templates of every scalar op, against
numpy/scipy.

Each helper is called through a small ``@njit`` loop over a grid of values (extremes, zeros, signed
zeros, negatives, infinities, nan), so one compilation covers the whole grid.
"""

import functools
import math

import numba
import numpy as np
import pytest
import scipy.special as sp

from probgraph.backends.numba import runtime as rt
from probgraph.tensor.scalar import REGISTRY

inf, nan = np.inf, np.nan
EDGES = [0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, inf, -inf, nan]


@functools.cache
def _loop(fn, nin):
    """An njit loop applying the scalar function ``fn`` elementwise to 1-d arrays."""
    if nin == 1:
        @numba.njit
        def loop(x, out):
            for i in range(out.shape[0]):
                out[i] = fn(x[i])
    elif nin == 2:
        @numba.njit
        def loop(x, y, out):
            for i in range(out.shape[0]):
                out[i] = fn(x[i], y[i])
    else:
        @numba.njit
        def loop(x, y, z, out):
            for i in range(out.shape[0]):
                out[i] = fn(x[i], y[i], z[i])
    return loop


def apply(fn, *args, out_dtype="float64"):
    """Evaluate the jitted scalar ``fn`` on broadcast arrays ``args``."""
    args = [np.ascontiguousarray(a).ravel() for a in np.broadcast_arrays(*args)]
    out = np.empty(args[0].shape, dtype=out_dtype)
    _loop(fn, len(args))(*args, out)
    return out


def grid(*axes):
    """Every combination of the values in ``axes`` (as flat arrays)."""
    return [m.ravel()
            for m in np.meshgrid(*[np.asarray(a, dtype=float) for a in axes], indexing="ij")]


def lin(lo, hi, n=101):
    return list(np.linspace(lo, hi, n))


REAL = lin(-40, 40, 161) + lin(-3, 3, 121) + EDGES
UNIT = lin(0, 1, 201) + [1e-300, 1e-20, 1 - 1e-16, -0.1, 1.1, nan, inf, -inf]
TWO = lin(0, 2, 201) + list(10.0 ** -np.arange(1.0, 320.0, 11)) + [2 - 1e-16, -0.1, 2.1, nan, inf]
GAMMA_ARGS = lin(-12.25, 12.25, 99) + lin(0.05, 60, 120) + [1e-10, 1e-300, 1e5, 1e10] + EDGES
POS = [1e-3, 0.1, 0.5, 1, 1.5, 2, 3.5, 9.99, 10, 10.5, 20, 50, 100, 250, 1e3]
INC_X = [0, 1e-10, 1e-3, 0.1, 0.5, 1, 2, 5, 9, 10, 11, 20, 50, 99, 100, 101, 150, 500, 1e3, 1e4]
BETA_AB = [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 100]
BETA_X = [1e-10, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-10]
BESSEL = lin(-700, 700, 141) + lin(-30, 30, 121) + [0.0, -0.0, inf, -inf, nan]


def polygamma(n):
    return lambda x: sp.polygamma(n, x)


# name, reference, argument grids, rtol, atol
CASES = [
    ("log", np.log, [REAL], 1e-15, 0),
    ("log2", np.log2, [REAL], 1e-15, 0),
    ("log10", np.log10, [REAL], 1e-15, 0),
    ("log1p", np.log1p, [REAL + [-1.0, -1 + 1e-12]], 1e-15, 0),
    ("sigmoid", sp.expit, [REAL + [800, -800]], 1e-15, 0),
    ("softplus", lambda x: np.logaddexp(0, x), [REAL + [800, -800]], 1e-15, 0),
    ("logit", sp.logit, [UNIT], 1e-14, 0),
    ("log1mexp", lambda x: np.where(x < -np.log(2), np.log1p(-np.exp(x)), np.log(-np.expm1(x))),
     [REAL + [-1e-20, -0.6931, -0.6932, -800]], 1e-15, 0),
    ("logaddexp", np.logaddexp, grid(REAL[::4] + EDGES, REAL[::4] + EDGES), 1e-15, 0),
    ("xlogy", sp.xlogy, grid([0, -0.0, 1, -2.5, 3, inf, nan], REAL[::3]), 1e-15, 0),
    ("xlog1py", sp.xlog1py, grid([0, -0.0, 1, -2.5, 3, inf, nan], REAL[::3] + [-1]), 1e-15, 0),
    ("arcsin", np.arcsin, [lin(-1.2, 1.2) + EDGES], 1e-15, 0),
    ("arccos", np.arccos, [lin(-1.2, 1.2) + EDGES], 1e-15, 0),
    ("arccosh", np.arccosh, [lin(0, 20) + [1 + 1e-12] + EDGES], 1e-15, 0),
    ("arctanh", np.arctanh, [lin(-1.2, 1.2) + [1.0, -1.0] + EDGES], 1e-15, 0),
    ("erfcx", sp.erfcx, [REAL + [-26.6, -26.7, 11.99, 12.01, 1e7, 1e9]], 2e-14, 0),
    ("erfinv", sp.erfinv,
     [lin(-1, 1, 401) + [0.4999999, 0.5000001, 1 - 1e-15, -1 + 1e-15, 1.1, nan]],
     1e-14, 0),
    ("erfcinv", sp.erfcinv, [TWO], 1e-14, 0),
    ("ndtr", sp.ndtr, [REAL], 1e-13, 1e-300),
    ("log_ndtr", sp.log_ndtr, [REAL + [-1e5, 8, 30]], 1e-13, 1e-300),
    ("ndtri", sp.ndtri, [UNIT + list(10.0 ** -np.arange(1.0, 300.0, 11))], 1e-14, 0),
    ("gammaln", sp.gammaln, [GAMMA_ARGS], 1e-14, 1e-15),
    # near digamma's roots on the negative axis the reference itself has ~1e-13 relative error
    ("digamma", sp.digamma, [GAMMA_ARGS + lin(1.3, 1.6, 61) + lin(-0.6, -0.4, 41)], 1e-13, 1e-14),
    ("trigamma", polygamma(1), [GAMMA_ARGS], 1e-13, 0),
    ("tetragamma", polygamma(2), [GAMMA_ARGS], 1e-12, 1e-14),
    # scipy loses digits for max(a, b) > 100 (see MPMATH below); poles and infinities as scipy
    ("betaln", sp.betaln, grid(POS[:-2] + [-2, -1, -0.5, 0, inf, -inf, nan],
                               POS[:-2] + [-2, -1, -0.5, 0, inf, -inf, nan]), 1e-13, 0),
    ("i0", sp.i0, [BESSEL], 1e-14, 0),
    ("i1", sp.i1, [BESSEL], 1e-14, 0),
    ("i0e", sp.i0e, [BESSEL], 1e-14, 0),
    ("i1e", sp.i1e, [BESSEL], 1e-14, 0),
    ("gammainc", sp.gammainc, grid(POS + [0, inf, nan, -1], INC_X + [inf, nan, -1]), 1e-12, 1e-300),
    ("gammaincc", sp.gammaincc, grid(POS + [0, inf, nan, -1], INC_X + [inf, nan, -1]), 1e-12, 0),
    ("betainc", sp.betainc,
     grid(BETA_AB + [0, inf, nan], BETA_AB + [0, inf, nan], BETA_X + [0, 1, -0.1, 1.1, nan]), 1e-12,
     0),
]


@pytest.mark.parametrize("name, ref, args, rtol, atol", CASES, ids=[c[0] for c in CASES])
def test_helper_matches_scipy(name, ref, args, rtol, atol):
    args = [np.asarray(a, dtype=float) for a in args]
    got = apply(getattr(rt, name), *args)
    with np.errstate(all="ignore"):
        expected = np.asarray(ref(*args), dtype=float)
    np.testing.assert_allclose(got, np.broadcast_to(expected, got.shape), rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=name)


# Points where scipy itself is off by more than our tolerance; reference values from mpmath (50
# digits).
MPMATH = [
    ("erfcinv", (1e-316,), 26.902632039946056),
    ("digamma", (-2.9998,), -4998.743281124667),
    ("digamma", (1.4616321449683622,), -9.241265521729427e-17),
    ("digamma", (-0.5040830082644554,), 7.289763902976895e-17),
    ("tetragamma", (-25.5,), -0.0014787433374562856),
    ("betaln", (0.01, 1e5), 4.4843506728924005),
    ("betaln", (0.1, 1e5), 1.101420555237783),
    ("betaln", (1.0, 1e5), -11.512925464970229),
    ("betaln", (100.0, 1e5), -792.20782471811),
    ("betaln", (1e3, 0.5), -2.8813876965715766),
    ("gammainc", (20.0, 0.001), 4.106404902830125e-79),
    ("gammainc", (100.0, 0.1), 9.705034877125629e-259),  # exp(-590): limited by exp's argument
]


@pytest.mark.parametrize("name, args, expected", MPMATH)
def test_helper_against_high_precision(name, args, expected):
    got = apply(getattr(rt, name), *[np.array([a]) for a in args])[0]
    assert got == pytest.approx(expected, rel=1e-12 if name == "gammainc" else 1e-14, abs=0)


INTS = np.array([-7, -3, -1, 0, 1, 2, 5, 9], dtype=np.int64)
FLOATS = np.array([-7.5, -3.0, -2.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.5, 3.0, 7.25, inf,
                   -inf, nan])


@pytest.mark.parametrize("name, ref", [("mod", np.mod), ("floor_divide", np.floor_divide),
                                       ("true_divide", np.true_divide), ("power", np.power),
                                       ("maximum", np.maximum), ("minimum", np.minimum)])
def test_arithmetic_matches_numpy(name, ref):
    x, y = grid(FLOATS, FLOATS)
    with np.errstate(all="ignore"):
        expected = ref(x, y)
    got = apply(getattr(rt, name), x, y)
    np.testing.assert_allclose(got, expected, rtol=4e-16, atol=0)  # numpy's pow may differ by 1 ulp
    if name == "mod":  # the sign of a zero remainder follows the divisor, as numpy's
        assert np.array_equal(np.signbit(got[got == 0]), np.signbit(expected[expected == 0]))
    xi, yi = [a.astype(np.int64) for a in grid(INTS, INTS)]
    if name == "power":
        yi = np.abs(yi)  # numpy refuses negative integer powers
    with np.errstate(all="ignore"):
        expected = ref(xi, yi)
    got = apply(getattr(rt, name), xi, yi, out_dtype=expected.dtype)
    np.testing.assert_array_equal(got, expected)  # integer division and modulo by 0 give 0


def test_integer_power_with_negative_exponent():
    x = np.array([1, -1, -1, 2, -3, 0], dtype=np.int64)
    y = np.array([-3, -3, -2, -1, -2, 3], dtype=np.int64)
    assert apply(rt.power, x, y, out_dtype="int64").tolist() == [1, -1, 1, 0, 0, 0]
    assert apply(rt.power, np.array([-2.0, -2.0, 0.0]),
                 np.array([3.0, 0.5, -1.0])).tolist()[::2] == [-8.0, inf]


@pytest.mark.parametrize("name, ref", [("sign", np.sign), ("round_half_even", np.round)])
def test_unary_int_and_float(name, ref):
    x = np.concatenate([FLOATS, np.arange(-4.5, 5, 0.5), [-0.3, 0.49999999999999994, 2.0**53 + 2]])
    np.testing.assert_array_equal(apply(getattr(rt, name), x), ref(x))
    if name == "round_half_even":  # numpy keeps the sign of zero: round(-0.3) == -0.0
        assert np.array_equal(np.signbit(apply(rt.round_half_even, x)), np.signbit(ref(x)))
    np.testing.assert_array_equal(apply(getattr(rt, name), INTS, out_dtype="int64"), ref(INTS))


def test_invert_bool_and_int():
    b = np.array([True, False])
    assert apply(rt.invert, b, out_dtype="bool").tolist() == [False, True]
    np.testing.assert_array_equal(apply(rt.invert, INTS, out_dtype="int64"), np.invert(INTS))


def test_float32_and_int_arguments():
    x32 = np.array([0.25, 1.5, 3.0, 0.0, -1.0], dtype=np.float32)
    for name, ref in [("log", np.log), ("digamma", sp.digamma), ("erfinv", sp.erfinv),
                      ("softplus", lambda v: np.logaddexp(0, v)), ("gammaln", sp.gammaln)]:
        with np.errstate(all="ignore"):
            expected = ref(x32.astype(np.float64))
        np.testing.assert_allclose(apply(getattr(rt, name), x32), expected, rtol=1e-6,
                                   equal_nan=True)
    xi = np.array([1, 2, 3, 10], dtype=np.int64)
    np.testing.assert_allclose(apply(rt.digamma, xi), sp.digamma(xi), rtol=1e-14)
    np.testing.assert_allclose(apply(rt.log, xi), np.log(xi), rtol=1e-15)
    np.testing.assert_allclose(apply(rt.gammainc, xi, xi), sp.gammainc(xi, xi), rtol=1e-13)


# ----------------------------------------------------------------- the numba template of every
# scalar op
TEMPLATE_INPUTS = {
    "float": [-3.5, -2.0, -1.0, -0.5, -0.0, 0.0, 0.3, 0.5, 1.0, 1.5, 2.5, 10.0, 800.0, inf, -inf,
              nan],
    "int": [-7, -2, -1, 0, 1, 3, 8],
    "bool": [True, False],
}
DTYPES = {"float": np.float64, "int": np.int64, "bool": np.bool_}


def _kinds(op):
    if op.name == "switch":
        return ["cond"]
    if op.name in ("and_", "or_", "xor", "invert"):
        return ["bool", "int"]
    return ["float", "int"]


def _group_inputs(nin, kind):
    if kind == "cond":
        axes = [np.array([True, False])] + [np.array(TEMPLATE_INPUTS["float"])] * (nin - 1)
    else:
        axes = [np.array(TEMPLATE_INPUTS[kind], dtype=DTYPES[kind])] * nin
    mesh = np.meshgrid(*axes, indexing="ij")
    return [m.ravel() for m in mesh]


def _template_groups():
    """Scalar ops grouped by (arity, input kind): each group is compiled as one numba function."""
    groups = {}
    for name in sorted(REGISTRY):
        op = REGISTRY[name]
        for kind in _kinds(op):
            groups.setdefault((op.nin, kind), []).append(op)
    return groups


def _template_function(ops, nin):
    """One njit function writing ``op``'s inlined numba expression of row k into ``out[k, i]``."""
    names = [f"a{i}" for i in range(nin)]
    lines = [f"def loop({', '.join(names)}, out):", "    for i in range(out.shape[1]):"]
    lines += [f"        out[{k}, i] = {op.numba_expr(*[f'{n}[i]' for n in names])}"
              for k, op in enumerate(ops)]
    namespace = {"math": math, "np": np, "rt": rt}
    exec("\n".join(lines), namespace)  # noqa: S102 - the expressions the code generator inlines
    return numba.njit(error_model="python")(namespace["loop"])


@pytest.mark.parametrize("nin, kind", sorted(_template_groups()))
def test_numba_templates_match_impl(nin, kind):
    args = _group_inputs(nin, kind)
    expected = {}
    for op in _template_groups()[nin, kind]:
        with np.errstate(all="ignore"):
            try:
                expected[op.name] = np.asarray(op.impl(*args))
            except (TypeError, ValueError):  # numpy refuses these dtypes (neg of bool, int ** -1)
                continue
    ops = [REGISTRY[name] for name in expected]
    out = np.empty((len(ops), args[0].size))
    _template_function(ops, nin)(*args, out)
    for k, op in enumerate(ops):
        want = expected[op.name].astype(op.output_dtype(*[a.dtype.name for a in args]))
        np.testing.assert_allclose(out[k], want.astype(float), rtol=1e-12, atol=1e-300,
                                   equal_nan=True,
                                   err_msg=f"numba template of {op.name} on {kind}s")
