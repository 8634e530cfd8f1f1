"""Elementwise math (``probgraph.tensor.math``): values against numpy/scipy, static shapes and
broadcasting, numpy's dtype rules, operators, edge values and the gradient of every
differentiable op."""

import numpy as np
import pytest
import scipy.special as sp

import probgraph as pg
import probgraph.tensor as pt
from probgraph.tensor import math as tm
from probgraph.tensor.elemwise import Elemwise
from probgraph.tensor.grad import DisconnectedInputError
from probgraph.tensor.scalar import REGISTRY

inf, nan = np.inf, np.nan


def uniform(lo, hi):
    return lambda rng, shape: rng.uniform(lo, hi, size=shape)


def _nonzero(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 3.0, size=shape)


def _specials(rng, shape):
    return rng.choice([1.5, -2.0, 0.0, nan, inf, -inf], size=shape)


DOMAINS = {
    "real": lambda rng, shape: rng.normal(scale=2.0, size=shape),
    "pos": uniform(0.2, 4.0),
    "unit": uniform(0.05, 0.95),
    "pm1": uniform(-0.9, 0.9),
    "ge1": uniform(1.2, 4.0),
    "gt-1": uniform(-0.9, 3.0),
    "neg": uniform(-4.0, -0.05),
    "two": uniform(0.1, 1.9),
    "nonzero": _nonzero,
    "special": _specials,
    "int": lambda rng, shape: rng.integers(-4, 5, size=shape),
    "bool": lambda rng, shape: rng.random(size=shape) < 0.5,
}
ALL = (0, 1, 2)

# name: (argument domains, numpy/scipy reference, indices of the arguments to check gradients of)
TABLE = {
    "add": (("real", "real"), np.add, ALL),
    "sub": (("real", "real"), np.subtract, ALL),
    "mul": (("real", "real"), np.multiply, ALL),
    "true_divide": (("real", "nonzero"), np.true_divide, ALL),
    "floor_divide": (("real", "nonzero"), np.floor_divide, ALL),
    "mod": (("real", "nonzero"), np.mod, ALL),
    "power": (("pos", "real"), np.power, ALL),
    "neg": (("real",), np.negative, ALL),
    "maximum": (("real", "real"), np.maximum, ALL),
    "minimum": (("real", "real"), np.minimum, ALL),
    "abs": (("nonzero",), np.abs, ALL),
    "sign": (("nonzero",), np.sign, ALL),
    "square": (("real",), np.square, ALL),
    "sqrt": (("pos",), np.sqrt, ALL),
    "reciprocal": (("nonzero",), np.reciprocal, ALL),
    "lt": (("int", "int"), np.less, None),
    "le": (("int", "int"), np.less_equal, None),
    "gt": (("int", "int"), np.greater, None),
    "ge": (("int", "int"), np.greater_equal, None),
    "eq": (("int", "int"), np.equal, None),
    "neq": (("int", "int"), np.not_equal, None),
    "and_": (("bool", "bool"), np.logical_and, None),
    "or_": (("bool", "bool"), np.logical_or, None),
    "xor": (("bool", "bool"), np.logical_xor, None),
    "invert": (("bool",), np.logical_not, None),
    "isnan": (("special",), np.isnan, None),
    "isinf": (("special",), np.isinf, None),
    "isfinite": (("special",), np.isfinite, None),
    "switch": (("bool", "real", "real"), np.where, (1, 2)),
    "floor": (("real",), np.floor, ALL),
    "ceil": (("real",), np.ceil, ALL),
    "trunc": (("real",), np.trunc, ALL),
    "round": (("real",), np.round, ALL),
    "exp": (("real",), np.exp, ALL),
    "exp2": (("real",), np.exp2, ALL),
    "expm1": (("real",), np.expm1, ALL),
    "log": (("pos",), np.log, ALL),
    "log2": (("pos",), np.log2, ALL),
    "log10": (("pos",), np.log10, ALL),
    "log1p": (("gt-1",), np.log1p, ALL),
    "sigmoid": (("real",), sp.expit, ALL),
    "softplus": (("real",), lambda x: np.log1p(np.exp(x)), ALL),
    "logit": (("unit",), sp.logit, ALL),
    "log1mexp": (("neg",), lambda x: np.log(1 - np.exp(x)), ALL),
    "logaddexp": (("real", "real"), np.logaddexp, ALL),
    "xlogy": (("real", "pos"), sp.xlogy, ALL),
    "xlog1py": (("real", "pos"), sp.xlog1py, ALL),
    "sin": (("real",), np.sin, ALL),
    "cos": (("real",), np.cos, ALL),
    "tan": (("pm1",), np.tan, ALL),
    "arcsin": (("pm1",), np.arcsin, ALL),
    "arccos": (("pm1",), np.arccos, ALL),
    "arctan": (("real",), np.arctan, ALL),
    "arctan2": (("real", "real"), np.arctan2, ALL),
    "sinh": (("real",), np.sinh, ALL),
    "cosh": (("real",), np.cosh, ALL),
    "tanh": (("real",), np.tanh, ALL),
    "arcsinh": (("real",), np.arcsinh, ALL),
    "arccosh": (("ge1",), np.arccosh, ALL),
    "arctanh": (("pm1",), np.arctanh, ALL),
    "erf": (("real",), sp.erf, ALL),
    "erfc": (("real",), sp.erfc, ALL),
    "erfcx": (("real",), sp.erfcx, ALL),
    "erfinv": (("pm1",), sp.erfinv, ALL),
    "erfcinv": (("two",), sp.erfcinv, ALL),
    "gammaln": (("pos",), sp.gammaln, ALL),
    "gamma": (("pos",), sp.gamma, ALL),
    "digamma": (("pos",), sp.digamma, ALL),
    "trigamma": (("pos",), lambda x: sp.polygamma(1, x), ALL),
    "tetragamma": (("pos",), lambda x: sp.polygamma(2, x), None),
    "betaln": (("pos", "pos"), sp.betaln, ALL),
    "ndtr": (("real",), sp.ndtr, ALL),
    "log_ndtr": (("real",), sp.log_ndtr, ALL),
    "ndtri": (("unit",), sp.ndtri, ALL),
    "i0": (("real",), sp.i0, ALL),
    "i1": (("real",), sp.i1, ALL),
    "i0e": (("real",), sp.i0e, ALL),
    "i1e": (("real",), sp.i1e, ALL),
    "gammainc": (("pos", "pos"), sp.gammainc, (1,)),
    "gammaincc": (("pos", "pos"), sp.gammaincc, (1,)),
    "betainc": (("pos", "pos", "unit"), sp.betainc, (2,)),
}

SHAPES = {1: [[()], [(3,)], [(2, 3)]],
          2: [[(), ()], [(), (3,)], [(3,), (2, 3)], [(2, 1), (1, 3)], [(2, 3), (2, 3)]],
          3: [[(), (), ()], [(2, 1), (1, 3), (3,)], [(2, 3), (), (2, 3)]]}
BROADCAST = {1: [(2, 3)], 2: [(2, 1), (1, 3)], 3: [(2, 1), (1, 3), (3,)]}


def fn_of(name):
    return getattr(tm, name)


def make_inputs(name, shapes, seed=0):
    rng = np.random.default_rng(seed)
    values = []
    for dom, shape in zip(TABLE[name][0], shapes):
        v = np.asarray(DOMAINS[dom](rng, shape))
        values.append(v if v.dtype.kind in "bi" else v.astype("float64"))
    return values


def symbolic(values):
    return [pt.tensor(f"x{i}", dtype=v.dtype.name, shape=v.shape) for i, v in enumerate(values)]


def reference(name, values):
    with np.errstate(all="ignore"):
        return np.asarray(TABLE[name][1](*values))


def check_close(got, want, name):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=name)
    else:
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_table_covers_every_elementwise_op_of_math():
    defined = {v.op.scalar_op.name for v in vars(tm).values()
               if isinstance(getattr(v, "op", None), Elemwise)}
    assert defined <= set(TABLE), f"untested ops: {sorted(defined - set(TABLE))}"
    assert set(TABLE) <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_and_static_shapes(name):
    for shapes in SHAPES[len(TABLE[name][0])]:
        values = make_inputs(name, shapes)
        xs = symbolic(values)
        out = fn_of(name)(*xs)
        want = reference(name, values)
        assert out.type.shape == want.shape, f"{name}{shapes}: static shape {out.type.shape}"
        got = pg.function(xs, out, mode="python")(*values)
        check_close(got, want, f"{name}{shapes}")
        assert got.dtype == out.dtype, f"{name}: computed {got.dtype}, declared {out.dtype}"


def test_all_ops_in_one_compiled_function(mode):
    """Every op with broadcasting inputs, compiled as one function (one numba compile)."""
    inputs, values, outputs, names = [], [], [], []
    for name in sorted(TABLE):
        vals = make_inputs(name, BROADCAST[len(TABLE[name][0])], seed=len(names))
        xs = symbolic(vals)
        inputs += xs
        values += vals
        outputs.append(fn_of(name)(*xs))
        names.append(name)
    got = pg.function(inputs, outputs, mode=mode)(*values)
    start = 0
    for name, out in zip(names, got):
        n = len(TABLE[name][0])
        check_close(out, reference(name, values[start:start + n]), f"{name} ({mode})")
        start += n


@pytest.mark.parametrize("name", sorted(n for n, row in TABLE.items() if row[2] is not None))
def test_gradient(name):
    domains, _, wrt = TABLE[name]
    values = make_inputs(name, BROADCAST[len(domains)], seed=1)
    wrt = [i for i in wrt if i < len(domains)]
    fixed = {i: pt.constant(v) for i, v in enumerate(values) if i not in wrt}

    def f(*diff):
        it = iter(diff)
        return fn_of(name)(*[fixed[i] if i in fixed else next(it) for i in range(len(values))])

    pg.verify_grad(f, [values[i] for i in wrt])


def test_non_differentiable_ops_give_no_gradient():
    x = pt.dvector("x")
    with pytest.raises(DisconnectedInputError):
        pg.grad(pt.switch(x > 0, 1.0, 2.0).sum(), x)


# ----------------------------------------------------------------- dtypes
f32, f64 = pt.fvector("f32"), pt.dvector("f64")
i32, i64, b = pt.ivector("i32"), pt.lvector("i64"), pt.bvector("b")

DTYPE_CASES = [
    (lambda: i64 + f64, "float64"),
    (lambda: i32 + i64, "int64"),
    (lambda: f32 + f64, "float64"),
    (lambda: f32 + i64, "float64"),
    (lambda: f32 + 1.5, "float32"),
    (lambda: 2 * f32 - 1, "float32"),
    (lambda: 2.0 ** f32, "float32"),
    (lambda: f32 / 3, "float32"),
    (lambda: i64 + 1.5, "float64"),
    (lambda: i32 * 1.5, "float64"),
    (lambda: i64 / i64, "float64"),
    (lambda: i64 // 2, "int64"),
    (lambda: i64 % 2, "int64"),
    (lambda: i32 + 1, "int32"),
    (lambda: b + 1, "int64"),
    (lambda: f32 < 1, "bool"),
    (lambda: pt.eq(i64, f64), "bool"),
    (lambda: b & b, "bool"),
    (lambda: ~b, "bool"),
    (lambda: i64 & 3, "int64"),
    (lambda: pt.exp(f32), "float32"),
    (lambda: pt.exp(i64), "float64"),
    (lambda: pt.sqrt(b), "float64"),  # numpy gives float16 here; probgraph never creates float16
    (lambda: pt.digamma(f32), "float32"),
    (lambda: pt.trigamma(f32), "float32"),  # scipy computes polygamma in double only
    (lambda: pt.gammaln(i64), "float64"),
    (lambda: pt.betainc(f32, f32, f32), "float32"),
    (lambda: pt.abs(i64), "int64"),
    (lambda: pt.switch(b, f32, 0.0), "float32"),
    (lambda: pt.switch(b, i64, f32), "float64"),
    (lambda: pt.maximum(f32, 0), "float32"),
    (lambda: pt.cast(f64, "int32"), "int32"),
    (lambda: f64.astype("float32"), "float32"),
]


@pytest.mark.parametrize("case", range(len(DTYPE_CASES)))
def test_dtype_promotion_follows_numpy(case):
    build, expected = DTYPE_CASES[case]
    out = build()
    assert out.dtype == expected
    from probgraph.graph.basic import graph_inputs
    ins = [v for v in graph_inputs([out]) if v.owner is None and not hasattr(v, "data")]
    vals = [np.array([1, 0, 1], dtype=v.dtype) for v in ins]
    assert pg.function(ins, out, mode="python")(*vals).dtype == expected


def test_floor_of_integers_keeps_numpy_dtype():
    assert pt.floor(i64).dtype == np.floor(np.ones(1, dtype="int64")).dtype.name


def test_dtype_errors_name_the_op():
    with pytest.raises(TypeError, match="and_ is not defined for inputs of dtype float64"):
        f64 & f64


def test_shape_clash_raises_at_build_time():
    x = pt.tensor("x", dtype="float64", shape=(2, 3))
    y = pt.tensor("y", dtype="float64", shape=(3, 2))
    with pytest.raises(ValueError, match=r"add: .*x \(2, 3\).*y \(3, 2\)"):
        x + y


# ----------------------------------------------------------------- operators and methods
def test_operators_match_numpy():
    rng = np.random.default_rng(3)
    xv, yv = rng.normal(size=(2, 3)), rng.uniform(0.5, 2.0, size=(3,))
    x, y = pt.dmatrix("x"), pt.dvector("y")
    cases = {
        "x + y": (x + y, xv + yv), "x - y": (x - y, xv - yv), "x * y": (x * y, xv * yv),
        "x / y": (x / y, xv / yv), "x // y": (x // y, xv // yv), "x % y": (x % y, xv % yv),
        "y ** x": (y ** x, yv ** xv), "2 - x": (2 - x, 2 - xv), "2 / y": (2 / y, 2 / yv),
        "2 ** x": (2 ** x, 2 ** xv), "3 % y": (3 % y, 3 % yv), "1 // y": (1 // y, 1 // yv),
        "-x": (-x, -xv), "+x": (+x, xv), "abs(x)": (abs(x), np.abs(xv)),
        "x < y": (x < y, xv < yv), "x <= y": (x <= y, xv <= yv), "x > y": (x > y, xv > yv),
        "x >= y": (x >= y, xv >= yv), "x.T": (x.T, xv.T),
        "x.astype": (x.astype("int64"), xv.astype("int64")),
        "x @ x.T": (x @ x.T, xv @ xv.T), "y @ y": (y @ y, yv @ yv),
        "(x > 0) & (y > 1)": ((x > 0) & (y > 1), (xv > 0) & (yv > 1)),
        "(x > 0) | (y > 1)": ((x > 0) | (y > 1), (xv > 0) | (yv > 1)),
        "(x > 0) ^ (y > 1)": ((x > 0) ^ (y > 1), (xv > 0) ^ (yv > 1)),
        "~(x > 0)": (~(x > 0), ~(xv > 0)),
        "x.round()": ((x * 2).round(), np.round(xv * 2)),
        "x.clip": (x.clip(-0.5, 0.5), np.clip(xv, -0.5, 0.5)),
    }
    f = pg.function([x, y], [c[0] for c in cases.values()], mode="python")
    for (label, (out, want)), got in zip(cases.items(), f(xv, yv)):
        assert got.dtype == np.asarray(want).dtype, label
        np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=label)


def test_symbolic_variables_have_no_truth_value():
    with pytest.raises(TypeError, match="switch"):
        bool(f64 > 0)


# ----------------------------------------------------------------- semantics at the edges
def _eval(mode, build, inputs):
    syms = [pt.tensor(k, dtype=np.asarray(v).dtype.name, shape=np.shape(v))
            for k, v in inputs.items()]
    return pg.function(syms, build(*syms), mode=mode)(*inputs.values())


EDGE_CASES = [  # (label, build, inputs, expected)
    ("mod follows the divisor's sign", lambda a, b: pt.mod(a, b),
     {"a": np.array([5.0, -5.0, 5.0, -5.0, 0.0]), "b": np.array([3.0, 3.0, -3.0, -3.0, -2.0])},
     np.array([2.0, 1.0, -1.0, -2.0, -0.0])),
    ("integer mod and floor division by zero give 0", lambda a, b: pt.stack([a % b, a // b]),
     {"a": np.array([7, -7, 0]), "b": np.array([0, 0, 0])}, np.zeros((2, 3), dtype="int64")),
    ("float floor division as numpy", lambda a, b: a // b,
     {"a": np.array([7.0, -7.0, 1.0, -1.0, 0.0]), "b": np.array([2.0, 2.0, 0.0, 0.0, 0.0])},
     np.array([3.0, -4.0, inf, -inf, nan])),
    ("round half to even", lambda x: pt.round(x),
     {"x": np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994])},
     np.array([0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 0.0])),
    ("maximum and minimum propagate nan", lambda a,
     b: pt.stack([pt.maximum(a, b), pt.minimum(a, b)]),
     {"a": np.array([nan, 1.0]), "b": np.array([1.0, nan])}, np.full((2, 2), nan)),
    ("clip", lambda x: pt.clip(x, -1.0, 2.0), {"x": np.array([-5.0, 0.5, 5.0, nan])},
     np.array([-1.0, 0.5, 2.0, nan])),
    ("switch broadcasts", lambda c, x: pt.switch(c, x, -x),
     {"c": np.array([[True], [False]]), "x": np.array([1.0, 2.0, 3.0])},
     np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, -3.0]])),
    ("where is switch", lambda c: pt.where(c, 1.0, 0.0), {"c": np.array([True, False])},
     np.array([1.0, 0.0])),
    ("isnan and isinf", lambda x: pt.stack([pt.isnan(x), pt.isinf(x)]),
     {"x": np.array([nan, inf, -inf, 1.0])},
     np.array([[True, False, False, False], [False, True, True, False]])),
    ("logaddexp of infinities and large values", lambda a, b: pt.logaddexp(a, b),
     {"a": np.array([-inf, inf, 1000.0, -1000.0, 0.0]),
      "b": np.array([-inf, 1.0, 1000.0, -1001.0, -inf])},
     np.logaddexp([-inf, inf, 1000.0, -1000.0, 0.0], [-inf, 1.0, 1000.0, -1001.0, -inf])),
    ("log1mexp on both branches", lambda x: pt.log1mexp(x),
     {"x": np.array([-1e-20, -1e-10, -0.5, -0.6931, -0.6932, -2.0, -50.0, -800.0, 0.0, 1.0])},
     np.array([np.log(1e-20), np.log(-np.expm1(-1e-10)), np.log(-np.expm1(-0.5)),
               np.log(-np.expm1(-0.6931)), np.log1p(-np.exp(-0.6932)), np.log1p(-np.exp(-2.0)),
               -np.exp(-50.0), -0.0, -inf, nan])),
    ("xlogy and xlog1py at x = 0", lambda x, y: pt.stack([pt.xlogy(x, y), pt.xlog1py(x, y)]),
     {"x": np.array([0.0, 0.0, 2.0]), "y": np.array([0.0, 3.0, 3.0])},
     np.array([[0.0, 0.0, 2 * np.log(3.0)], [0.0, 0.0, 2 * np.log(4.0)]])),
    ("softplus is finite at ±800", lambda x: pt.softplus(x), {"x": np.array([-800.0, 800.0, 0.0])},
     np.array([0.0, 800.0, np.log(2.0)])),
    ("sigmoid saturates without nan", lambda x: pt.sigmoid(x),
     {"x": np.array([-800.0, 800.0, 0.0])},
     np.array([0.0, 1.0, 0.5])),
    ("gammaln, digamma and betaln",
     lambda x: pt.stack([pt.gammaln(x), pt.digamma(x), pt.betaln(x, 2.5)]),
     {"x": np.array([0.1, 1.0, 4.5, 150.0])},
     np.array([sp.gammaln([0.1, 1.0, 4.5, 150.0]), sp.digamma([0.1, 1.0, 4.5, 150.0]),
               sp.betaln([0.1, 1.0, 4.5, 150.0], 2.5)])),
    ("erfinv inverts erf", lambda x: pt.erfinv(pt.erf(x)),
     {"x": np.array([-2.0, -0.3, 0.0, 1e-8, 1.7])},
     np.array([-2.0, -0.3, 0.0, 1e-8, 1.7])),
    ("erfinv at ±1 and outside", lambda x: pt.erfinv(x), {"x": np.array([1.0, -1.0, 1.5])},
     np.array([inf, -inf, nan])),
    ("log of 0 and negatives", lambda x: pt.stack([pt.log(x), pt.log1p(x - 1), pt.sqrt(x)]),
     {"x": np.array([0.0, -1.0])}, np.array([[-inf, nan], [-inf, nan], [0.0, nan]])),
]


@pytest.mark.parametrize("label, build, inputs, expected", EDGE_CASES,
                         ids=[c[0] for c in EDGE_CASES])
def test_edge_values(label, build, inputs, expected, mode):
    got = _eval(mode, build, inputs)
    assert got.dtype == expected.dtype or expected.dtype.kind == "f", label
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, equal_nan=True, err_msg=label)
    zeros = np.asarray(expected == 0)
    assert np.array_equal(np.signbit(got[zeros]),
                          np.signbit(expected[zeros])), f"{label}: sign of 0"


GRAD_EDGE_CASES = [  # (label, function of x, point, expected gradient)
    ("softplus at ±800", pt.softplus, [-800.0, 800.0], [0.0, 1.0]),
    ("sigmoid at ±800", pt.sigmoid, [-800.0, 800.0], [0.0, 0.0]),
    ("xlogy wrt y at x = 0", lambda y: pt.xlogy(0.0, y), [0.0, 2.0], [0.0, 0.0]),
    ("xlog1py wrt y at x = 0", lambda y: pt.xlog1py(0.0, y), [-1.0, 2.0], [0.0, 0.0]),
    ("clip passes the gradient inside only", lambda x: pt.clip(x, -1.0, 1.0), [-2.0, 0.5, 2.0],
     [0.0, 1.0, 0.0]),
    ("floor division has a zero gradient", lambda x: x // 2.0, [3.3, -1.1], [0.0, 0.0]),
    ("i1 at 0", pt.i1, [0.0], [0.5]),
    ("logaddexp with -inf", lambda x: pt.logaddexp(x, -inf), [1.0], [1.0]),
]


@pytest.mark.parametrize("label, fn, point, expected", GRAD_EDGE_CASES,
                         ids=[c[0] for c in GRAD_EDGE_CASES])
def test_gradient_edge_values(label, fn, point, expected):
    x = pt.dvector("x")
    g = pg.grad(fn(x).sum(), x)
    np.testing.assert_allclose(pg.function([x], g, mode="python")(point), expected, atol=1e-300,
                               err_msg=label)


# ----------------------------------------------------------------- casts and composites
def test_cast_truncates_like_numpy_and_passes_float_gradients():
    x = pt.dvector("x")
    v = np.array([-1.7, 0.2, 2.9])
    f = pg.function([x], [pt.cast(x, "int64"), x.astype("float32"), pt.cast(x, "bool")],
                    mode="python")
    got = f(v)
    for g, dt in zip(got, ["int64", "float32", "bool"]):
        np.testing.assert_array_equal(g, v.astype(dt))
    assert pt.cast(x, "float64") is x
    assert pg.function([x], pg.grad(pt.cast(x, "float32").sum(), x),
                       mode="python")(v).tolist() == [1, 1, 1]
    with pytest.raises(DisconnectedInputError):
        pg.grad(pt.cast(x, "int64").sum().astype("float64"), x)


def test_zeros_like_ones_like_and_composites():
    x = pt.dmatrix("x")
    v = np.arange(6.0).reshape(2, 3) - 2
    z, o = pt.zeros_like(x), pt.ones_like(x, dtype="int32")
    got = pg.function([x], [z, o, pt.log_sigmoid(x), pt.logdiffexp(x + 1, x)], mode="python")(v)
    np.testing.assert_array_equal(got[0], np.zeros((2, 3)))
    assert got[1].dtype == np.int32 and got[1].shape == (2, 3)
    np.testing.assert_allclose(got[2], np.log(sp.expit(v)), rtol=1e-12)
    np.testing.assert_allclose(got[3], np.log(np.exp(v + 1) - np.exp(v)), rtol=1e-12)


def test_identity_and_stop_gradient():
    x = pt.dvector("x")
    y = pt.identity(x * 2, name="y")
    assert y.name == "y"
    g = pg.grad((pt.stop_gradient(x) * x).sum() + y.sum(), x)
    np.testing.assert_allclose(pg.function([x], g, mode="python")([1.0, 3.0]), [3.0, 5.0])


def test_numpy_and_theano_aliases():
    x = pt.dvector("x")
    v = np.array([0.0, -1.5, 2.5])
    outs = [pt.negative(x), pt.subtract(x, 1), pt.multiply(x, 2), pt.absolute(x), pt.rint(x),
            pt.less(x, 0), pt.equal(x, 0), pt.logical_not(x), pt.logical_and(x, x > 0),
            pt.logical_or(x, x), pt.logical_xor(x, 1.0), pt.sqr(x), pt.pow(x, 2), pt.sgn(x),
            pt.deg2rad(x), pt.rad2deg(x), pt.polygamma(0, x + 3), pt.polygamma(2, x + 3)]
    want = [-v, v - 1, v * 2, np.abs(v), np.rint(v), v < 0, v == 0, np.logical_not(v),
            np.logical_and(v, v > 0), np.logical_or(v, v), np.logical_xor(v, 1.0), v ** 2, v ** 2,
            np.sign(v), np.deg2rad(v), np.rad2deg(v), sp.digamma(v + 3), sp.polygamma(2, v + 3)]
    for got, w in zip(pg.function([x], outs, mode="python")(v), want):
        assert got.dtype == np.asarray(w).dtype
        np.testing.assert_allclose(got, w, rtol=1e-12)
    with pytest.raises(ValueError, match="order 3"):
        pt.polygamma(3, x)
