"""cumsum, cumprod, diff, sort, argsort, searchsorted and unique vs numpy; gradients vs finite
differences."""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt

_rng = np.random.default_rng(5)


def _r(*shape):
    return _rng.normal(size=shape)


@pytest.fixture
def mode():
    """Per-case checks run on the reference backend; numba runs these tables batched, one compile
    per table, in tests/backends/test_numba_op_tables.py."""
    return "python"


def run_case(fn, inputs, mode):
    xs = [pt.tensor(f"x{i}", dtype=a.dtype, shape=a.shape) for i, a in enumerate(inputs)]
    out = fn(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return pg.function(xs, list(outs), mode=mode)(*inputs), outs



def _unique_all(x):
    values, index, inverse, counts = np.unique(x.ravel(), True, True, True)
    return [values, index, inverse.reshape(x.shape), counts]


# (id, probgraph function, numpy reference, input arrays) — reused by the numba backend's tests
EXTRA_CASES = [
    ("cumsum-flat", pt.cumsum, np.cumsum, [_r(2, 3)]),
    ("cumsum-0d", pt.cumsum, np.cumsum, [_r()]),
    ("cumsum-axis0", lambda x: pt.cumsum(x, axis=0), lambda x: np.cumsum(x, axis=0), [_r(3, 4)]),
    ("cumsum-axis-neg", lambda x: pt.cumsum(x, axis=-1), lambda x: np.cumsum(x, axis=-1),
     [_r(2, 3, 4)]),
    ("cumsum-int", lambda x: pt.cumsum(x, axis=0), lambda x: np.cumsum(x, axis=0),
     [np.arange(6, dtype="int32").reshape(3, 2)]),
    ("cumsum-method", lambda x: x.cumsum(axis=1), lambda x: x.cumsum(axis=1), [_r(2, 3)]),
    ("cumprod-flat", pt.cumprod, np.cumprod, [_r(2, 3)]),
    ("cumprod-axis1", lambda x: pt.cumprod(x, axis=1), lambda x: np.cumprod(x, axis=1), [_r(3, 4)]),
    ("diff", pt.diff, np.diff, [_r(6)]),
    ("diff-n2", lambda x: pt.diff(x, n=2), lambda x: np.diff(x, n=2), [_r(6)]),
    ("diff-axis0", lambda x: pt.diff(x, axis=0), lambda x: np.diff(x, axis=0), [_r(4, 3)]),
    ("diff-3d", lambda x: pt.diff(x, 2, axis=1), lambda x: np.diff(x, 2, axis=1), [_r(2, 5, 3)]),
    ("diff-n0", lambda x: pt.diff(x, 0), lambda x: np.diff(x, 0), [_r(3)]),
    ("diff-bool", pt.diff, np.diff, [np.array([True, True, False, True])]),
    ("sort", pt.sort, np.sort, [_r(6)]),
    ("sort-axis0", lambda x: pt.sort(x, axis=0), lambda x: np.sort(x, axis=0), [_r(3, 4)]),
    ("sort-flat", lambda x: pt.sort(x, axis=None), lambda x: np.sort(x, axis=None), [_r(3, 4)]),
    ("argsort", pt.argsort, lambda x: np.argsort(x, kind="stable"), [_r(3, 4)]),
    ("argsort-ties", pt.argsort, lambda x: np.argsort(x, kind="stable"),
     [np.array([2.0, 1.0, 2.0, 1.0])]),
    ("searchsorted", pt.searchsorted, np.searchsorted, [np.sort(_r(5)), _r(2, 3)]),
    ("searchsorted-right", lambda a, v: pt.searchsorted(a, v, side="right"),
     lambda a, v: np.searchsorted(a, v, side="right"), [np.array([1.0, 2.0, 2.0, 3.0]),
                                                        np.array([2.0, 0.0, 5.0])]),
    ("unique", pt.unique, np.unique, [np.array([[3, 1], [3, 2]])]),
    ("unique-all", lambda x: pt.unique(x, True, True, True), _unique_all,
     [np.array([[3.0, 1.0], [3.0, 2.0]])]),
]


@pytest.mark.parametrize("name, fn, ref, inputs", EXTRA_CASES, ids=[c[0] for c in EXTRA_CASES])
def test_values_match_numpy(name, fn, ref, inputs, mode):
    got, outs = run_case(fn, inputs, mode)
    expected = ref(*inputs)
    expected = expected if isinstance(expected, list) else [expected]
    assert len(got) == len(expected)
    for g, e, o in zip(got, expected, outs):
        assert g.shape == np.shape(e)
        assert g.dtype == o.dtype == np.asarray(e).dtype, (g.dtype, o.dtype, np.asarray(e).dtype)
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)


GRAD_CASES = [
    ("cumsum-flat", pt.cumsum, [_r(2, 3)]),
    ("cumsum-axis0", lambda x: pt.cumsum(x, axis=0), [_r(3, 2)]),
    ("cumsum-axis1", lambda x: pt.cumsum(x, axis=1), [_r(2, 3, 2)]),
    ("cumprod-flat", pt.cumprod, [_r(5)]),
    ("cumprod-axis0", lambda x: pt.cumprod(x, axis=0), [_r(3, 2)]),
    ("cumsum-twice", lambda x: pt.cumsum(pt.cumsum(x)), [_r(4)]),
    ("diff", pt.diff, [_r(5)]),
    ("diff-n2-axis0", lambda x: pt.diff(x, 2, axis=0), [_r(4, 2)]),
]


@pytest.mark.parametrize("name, fn, points", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(name, fn, points):
    pg.verify_grad(fn, points)


def test_cumsum_pullback_is_reversed_cumsum():
    x = pt.dvector("x")
    g = pg.grad((pt.cumsum(x) * pt.constant([1.0, 2.0, 3.0])).sum(), x)
    np.testing.assert_allclose(g.eval({x: np.zeros(3)}), [6.0, 5.0, 3.0])


def test_static_shapes_and_float32():
    x = pt.ftensor3("x", shape=(2, None, 4))
    assert pt.cumsum(x, axis=1).type == x.type
    assert pt.cumsum(x).type.shape == (None,)
    assert pt.cumprod(x, axis=2).dtype == "float32"
    assert pt.diff(pt.fvector(shape=(5,))).type.shape == (4,)
    assert pt.sort(x).type == x.type and pt.argsort(x).dtype == "int64"
    assert pg.grad(pt.cumsum(x, axis=0).sum(), x).dtype == "float32"


@pytest.mark.parametrize("build, exc, match", [
    (lambda: pt.cumsum(pt.dmatrix("m"), axis=2), ValueError,
     r"cumsum: axis 2 is out of bounds for m"),
    (lambda: pt.diff(pt.dvector(), n=-1), ValueError, r"diff: the order n must be non-negative"),
    (lambda: pt.diff(pt.dscalar()), ValueError, r"diff: axis -1 is out of bounds"),
    (lambda: pt.searchsorted(pt.dmatrix(), pt.dvector()), ValueError,
     r"searchsorted: the sorted array must be 1-d"),
])
def test_errors(build, exc, match):
    with pytest.raises(exc, match=match):
        build()


def test_sort_and_indices_have_no_gradient():
    from probgraph.graph.op import NotDifferentiableError
    x = pt.dvector("x")
    with pytest.raises(NotDifferentiableError):
        pg.grad(pt.sort(x).sum(), x)
    assert pg.grad((x * pt.argsort(x)).sum(), x) is not None
