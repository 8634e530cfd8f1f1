"""numpy functions composed from existing ops: values vs numpy, gradients vs finite differences."""

import warnings

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.graph.op import NotDifferentiableError

_rng = np.random.default_rng(11)


def _r(*shape, dtype="float64"):
    return _rng.normal(size=shape).astype(dtype)


def _i(*shape):
    return _rng.integers(-5, 6, size=shape)


def _quiet(ref):
    """``ref`` with numpy's all-NaN-slice warnings silenced."""
    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return ref(*args)
    return run


_NANS = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [-2.0, 0.5, np.nan]])
_SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0])


# (id, probgraph function, reference function, input arrays) — reused by the numba backend's tests
CASES = [
    ("flip-all", pt.flip, np.flip, [_r(2, 3)]),
    ("flip-axis", lambda x: pt.flip(x, 1), lambda x: np.flip(x, 1), [_r(2, 3, 2)]),
    ("flip-axes", lambda x: pt.flip(x, (0, -1)), lambda x: np.flip(x, (0, -1)), [_r(2, 3, 2)]),
    ("flip-0d", pt.flip, np.flip, [_r()]),
    ("fliplr", pt.fliplr, np.fliplr, [_r(2, 3)]),
    ("flipud", pt.flipud, np.flipud, [_i(3, 2)]),
    ("moveaxis", lambda x: pt.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), [_r(2, 3, 4)]),
    ("moveaxis-multi", lambda x: pt.moveaxis(x, (0, 1), (2, 0)),
     lambda x: np.moveaxis(x, (0, 1), (2, 0)), [_r(2, 3, 4)]),
    ("swapaxes", lambda x: pt.swapaxes(x, 0, 2), lambda x: np.swapaxes(x, 0, 2), [_r(2, 3, 4)]),
    ("atleast_1d", pt.atleast_1d, np.atleast_1d, [_r()]),
    ("atleast_2d", pt.atleast_2d, np.atleast_2d, [_r(3)]),
    ("atleast_3d-0d", pt.atleast_3d, np.atleast_3d, [_r()]),
    ("atleast_3d-1d", pt.atleast_3d, np.atleast_3d, [_r(3)]),
    ("atleast_3d-2d", pt.atleast_3d, np.atleast_3d, [_r(2, 3)]),
    ("atleast_2d-many", pt.atleast_2d, lambda *a: list(np.atleast_2d(*a)), [_r(), _r(2, 2)]),
    ("ravel", pt.ravel, np.ravel, [_r(2, 3)]),
    ("diagonal", pt.diagonal, np.diagonal, [_r(3, 4)]),
    ("diagonal-offset", lambda x: pt.diagonal(x, 1), lambda x: np.diagonal(x, 1), [_r(3, 4)]),
    ("diagonal-neg-offset", lambda x: pt.diagonal(x, -2), lambda x: np.diagonal(x, -2), [_r(3, 4)]),
    ("diagonal-axes", lambda x: pt.diagonal(x, 0, 1, 2), lambda x: np.diagonal(x, 0, 1, 2),
     [_r(2, 3, 3)]),
    ("trace", pt.trace, np.trace, [_r(3, 3)]),
    ("trace-3d", lambda x: pt.trace(x, 1, 0, 2), lambda x: np.trace(x, 1, 0, 2), [_r(3, 2, 4)]),
    ("trace-int", pt.trace, np.trace, [_i(3, 3)]),
    ("hypot", pt.hypot, np.hypot, [_r(2, 3), _r(3)]),
    ("hypot-int", pt.hypot, np.hypot, [_i(4), _i(4)]),
    ("cbrt", pt.cbrt, np.cbrt, [_r(5)]),
    ("fabs", pt.fabs, np.fabs, [_i(4)]),
    ("remainder", pt.remainder, np.remainder, [_r(5) * 5, _r(5)]),
    ("fmod", pt.fmod, np.fmod, [_r(6) * 5, _r(6)]),
    ("fmod-int", pt.fmod, np.fmod, [_i(8), np.array([3, -3, 2, -2, 3, 4, -4, 1])]),
    ("copysign", pt.copysign, np.copysign, [_r(2, 3), _r(2, 3)]),
    ("around", pt.around, np.around, [np.array([0.5, 1.5, 2.5, -0.5, 1.2345])]),
    ("around-2", lambda x: pt.around(x, 2), lambda x: np.around(x, 2), [_r(5) * 10]),
    ("around-int-neg", lambda x: pt.around(x, -1), lambda x: np.around(x, -1),
     [np.array([14, 15, 25, -15, 3])]),
    ("nan_to_num", pt.nan_to_num, np.nan_to_num, [_SPECIAL]),
    ("nan_to_num-args", lambda x: pt.nan_to_num(x, nan=1.0, posinf=9.0, neginf=-9.0),
     lambda x: np.nan_to_num(x, nan=1.0, posinf=9.0, neginf=-9.0), [_SPECIAL.astype("float32")]),
    ("nansum", pt.nansum, np.nansum, [_NANS]),
    ("nansum-axis", lambda x: pt.nansum(x, 1), lambda x: np.nansum(x, 1), [_NANS]),
    ("nanmean-axis", lambda x: pt.nanmean(x, 0), lambda x: np.nanmean(x, 0), [_NANS]),
    ("nanmax-axis", lambda x: pt.nanmax(x, 1), _quiet(lambda x: np.nanmax(x, 1)), [_NANS]),
    ("nanmin-keepdims", lambda x: pt.nanmin(x, 0, keepdims=True),
     lambda x: np.nanmin(x, 0, keepdims=True), [_NANS]),
    ("count_nonzero", pt.count_nonzero, np.count_nonzero, [_i(3, 4)]),
    ("count_nonzero-axis", lambda x: pt.count_nonzero(x, 1),
     lambda x: np.count_nonzero(x, 1).astype("int64"), [_i(3, 4)]),
    ("ptp", lambda x: pt.ptp(x, 0), lambda x: np.ptp(x, 0), [_r(3, 4)]),
    ("kron-vec", pt.kron, np.kron, [_r(2), _r(3)]),
    ("kron-mat", pt.kron, np.kron, [_r(2, 3), _r(2, 2)]),
    ("kron-mixed", pt.kron, np.kron, [_r(3), _r(2, 2)]),
    ("cross", pt.cross, np.cross, [_r(3), _r(3)]),
    ("cross-bcast", pt.cross, np.cross, [_r(4, 3), _r(3)]),
    ("cross-axis0", lambda a, b: pt.cross(a, b, axis=0), lambda a, b: np.cross(a, b, axis=0),
     [_r(3, 2), _r(3, 2)]),
    ("column_stack", lambda a, b: pt.column_stack([a, b]), lambda a, b: np.column_stack([a, b]),
     [_r(3), _r(3, 2)]),
    ("dstack", lambda a, b: pt.dstack([a, b]), lambda a, b: np.dstack([a, b]),
     [_r(2, 3), _r(2, 3)]),
    ("roll", lambda x: pt.roll(x, 2), lambda x: np.roll(x, 2), [_r(2, 3)]),
    ("roll-axis", lambda x: pt.roll(x, -1, axis=1), lambda x: np.roll(x, -1, axis=1), [_r(2, 3)]),
    ("roll-multi", lambda x: pt.roll(x, (1, 5), axis=(0, 1)),
     lambda x: np.roll(x, (1, 5), axis=(0, 1)), [_i(3, 4)]),
    ("pad-int", lambda x: pt.pad(x, 1), lambda x: np.pad(x, 1), [_r(2, 3)]),
    ("pad-pairs", lambda x: pt.pad(x, ((0, 2), (1, 0)), constant_values=7),
     lambda x: np.pad(x, ((0, 2), (1, 0)), constant_values=7), [_i(2, 3)]),
    ("pad-vec", lambda x: pt.pad(x, (2, 1)), lambda x: np.pad(x, (2, 1)), [_r(3)]),
    ("take_along_axis", lambda x, i: pt.take_along_axis(x, i, 1),
     lambda x, i: np.take_along_axis(x, i, 1), [_r(3, 4), np.array([[0, 3], [1, 1], [2, 0]])]),
    ("take_along_axis-0", lambda x, i: pt.take_along_axis(x, i, 0),
     lambda x, i: np.take_along_axis(x, i, 0), [_r(3, 4), np.array([[2, 0, 1, 1]])]),
    ("take_along_axis-none", lambda x, i: pt.take_along_axis(x, i, None),
     lambda x, i: np.take_along_axis(x, i, None), [_r(2, 3), np.array([5, 0, 2])]),
    ("isclose", pt.isclose, np.isclose,
     [np.array([1.0, np.inf, np.nan, 1e-9, 1.0, -np.inf]),
      np.array([1.0 + 1e-7, np.inf, np.nan, 0.0, 1.1, np.inf])]),
    ("isclose-nan", lambda a, b: pt.isclose(a, b, equal_nan=True),
     lambda a, b: np.isclose(a, b, equal_nan=True),
     [np.array([np.nan, 1.0]), np.array([np.nan, 2.0])]),
    ("allclose", pt.allclose, lambda a, b: np.array(np.allclose(a, b)), [_r(3), _r(3)]),
    ("allclose-true", lambda a: pt.allclose(a, a + 1e-9), lambda a: np.array(True), [_r(3)]),
    ("heaviside", pt.heaviside, np.heaviside,
     [np.array([-1.0, 0.0, 2.0, np.nan, 0.0]), np.array([0.5, 0.5, 0.5, 0.5, 3.0])]),
    ("logaddexp2", pt.logaddexp2, np.logaddexp2, [_r(2, 3) * 50, _r(3)]),
    ("cov", pt.cov, np.cov, [_r(3, 5)]),
    ("cov-vec", pt.cov, np.cov, [_r(6)]),
    ("cov-cols-bias", lambda x: pt.cov(x, rowvar=False, bias=True),
     lambda x: np.cov(x, rowvar=False, bias=True), [_r(5, 2)]),
    ("cov-y", pt.cov, np.cov, [_r(2, 4), _r(4)]),
    ("cov-int", pt.cov, np.cov, [_i(2, 4)]),
    ("broadcast_arrays", pt.broadcast_arrays, lambda *a: list(np.broadcast_arrays(*a)),
     [_r(3, 1), _r(4), _r()]),
    ("meshgrid-xy", pt.meshgrid, lambda *a: list(np.meshgrid(*a)), [_r(3), _r(2)]),
    ("meshgrid-ij-3", lambda *a: pt.meshgrid(*a, indexing="ij"),
     lambda *a: list(np.meshgrid(*a, indexing="ij")), [_r(3), _r(2), _r(4)]),
    ("meshgrid-xy-3", pt.meshgrid, lambda *a: list(np.meshgrid(*a)), [_r(3), _r(2), _r(4)]),
    ("append", pt.append, np.append, [_r(2, 2), _r(3)]),
    ("append-axis", lambda a, b: pt.append(a, b, axis=0), lambda a, b: np.append(a, b, axis=0),
     [_r(2, 3), _r(1, 3)]),
    ("conj", pt.conj, np.conj, [_r(3)]),
    ("conjugate", pt.conjugate, np.conjugate, [_i(3)]),
    ("median-odd", pt.median, np.median, [_r(5)]),
    ("median-even-axis", lambda x: pt.median(x, axis=1), lambda x: np.median(x, axis=1),
     [_r(3, 4)]),
    ("median-int", pt.median, np.median, [_i(3, 4)]),
    ("median-f32-keepdims", lambda x: pt.median(x, axis=0, keepdims=True),
     lambda x: np.median(x, axis=0, keepdims=True), [_r(4, 2, dtype="float32")]),
    ("quantile", lambda x: pt.quantile(x, 0.3), lambda x: np.quantile(x, 0.3), [_r(7)]),
    ("quantile-vec-q", lambda x: pt.quantile(x, [0.0, 0.25, 0.9, 1.0], axis=0),
     lambda x: np.quantile(x, [0.0, 0.25, 0.9, 1.0], axis=0), [_r(6, 3)]),
    ("quantile-keepdims-none", lambda x: pt.quantile(x, 0.7, keepdims=True),
     lambda x: np.quantile(x, 0.7, keepdims=True), [_r(2, 3)]),
    ("percentile", lambda x: pt.percentile(x, [10, 50], axis=-1),
     lambda x: np.percentile(x, [10, 50], axis=-1), [_r(2, 5)]),
]


def run_case(fn, inputs, mode):
    """Build ``fn`` over symbolic inputs of the arrays' shapes and evaluate it with ``mode``."""
    xs = [pt.tensor(f"x{i}", dtype=a.dtype, shape=a.shape) for i, a in enumerate(inputs)]
    out = fn(*xs)
    outs = [pt.as_tensor(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
    return pg.function(xs, outs, mode=mode)(*inputs), outs


@pytest.mark.parametrize("name, fn, ref, inputs", CASES, ids=[c[0] for c in CASES])
def test_values_match_numpy(name, fn, ref, inputs):
    got, outs = run_case(fn, inputs, "python")
    expected = ref(*inputs)
    expected = expected if isinstance(expected, list) else [expected]
    assert len(got) == len(expected)
    for g, e, o in zip(got, expected, outs):
        e = np.asarray(e)
        assert g.shape == e.shape
        assert g.dtype == e.dtype, (g.dtype, e.dtype)
        assert all(s is None or s == n for s, n in zip(o.type.shape, e.shape)), o.type
        np.testing.assert_allclose(g, e, rtol=1e-6 if e.dtype == np.float32 else 1e-10, atol=1e-12)


def test_symbolic_sizes_match_numpy():
    """Shapes unknown at build time take the symbolic path (arange/shape) instead of constants."""
    x, m = pt.dvector("x"), pt.dmatrix("m")
    xv, mv = _r(7), _r(3, 4)
    outs = [pt.roll(x, 3), pt.median(x), pt.quantile(m, 0.3, axis=1), pt.diagonal(m, 1),
            pt.pad(m, ((1, 0), (0, 2))), pt.take_along_axis(m, pt.argsort(m, axis=0), 0),
            pt.kron(x, m), pt.broadcast_arrays(x[:, None], m[0])[0]]
    refs = [np.roll(xv, 3), np.median(xv), np.quantile(mv, 0.3, axis=1), np.diagonal(mv, 1),
            np.pad(mv, ((1, 0), (0, 2))), np.sort(mv, axis=0), np.kron(xv, mv),
            np.broadcast_arrays(xv[:, None], mv[0])[0]]
    got = pg.function([x, m], outs, mode="python")(xv, mv)
    for g, r in zip(got, refs):
        np.testing.assert_allclose(g, r, rtol=1e-12)


# (id, function of symbolic inputs, points) — gradients checked by central finite differences
GRAD_CASES = [
    ("flip", lambda x: pt.flip(x, 0) * x, [_r(3, 2)]),
    ("moveaxis", lambda x: pt.moveaxis(x, 0, -1), [_r(2, 3, 2)]),
    ("trace", pt.trace, [_r(3, 3)]),
    ("diagonal-offset", lambda x: pt.diagonal(x, -1), [_r(3, 4)]),
    ("hypot", pt.hypot, [_r(3), _r(3)]),
    ("cbrt", pt.cbrt, [_r(4) + 3]),
    ("fmod", pt.fmod, [np.array([2.3, -2.3, 5.1]), np.array([1.5, 1.5, -2.0])]),
    ("copysign", pt.copysign, [_r(4), np.array([1.0, -1.0, 2.0, -3.0])]),
    ("nansum", lambda x: pt.nansum(x, 0), [_r(3, 2)]),
    ("nanmean", lambda x: pt.nanmean(x, 1), [_r(3, 2)]),
    ("nanmax", lambda x: pt.nanmax(x, 1), [_r(3, 2)]),
    ("ptp", pt.ptp, [_r(5)]),
    ("kron", pt.kron, [_r(2, 2), _r(2, 3)]),
    ("cross", pt.cross, [_r(2, 3), _r(3)]),
    ("column_stack", lambda a, b: pt.column_stack([a, b]), [_r(3), _r(3, 2)]),
    ("roll", lambda x: pt.roll(x, 1, axis=1) * x, [_r(2, 3)]),
    ("pad", lambda x: pt.pad(x, 1) ** 2, [_r(2, 2)]),
    ("take_along_axis", lambda x: pt.take_along_axis(x, pt.constant([[1, 1], [0, 2]]), 1),
     [_r(2, 3)]),
    ("logaddexp2", pt.logaddexp2, [_r(3), _r(3)]),
    ("cov", pt.cov, [_r(2, 5)]),
    ("meshgrid", lambda a, b: pt.meshgrid(a, b)[0] * pt.meshgrid(a, b)[1], [_r(3), _r(2)]),
    ("append", pt.append, [_r(2), _r(2, 2)]),
    ("heaviside-x2", lambda x2: pt.heaviside(pt.constant([0.0, 1.0, -1.0]), x2), [_r(3)]),
]


@pytest.mark.parametrize("name, fn, points", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(name, fn, points):
    pg.verify_grad(fn, points)


def test_median_has_no_gradient():
    x = pt.dvector("x")
    with pytest.raises(NotDifferentiableError, match=r"Sort.* has no gradient"):
        pg.grad(pt.median(x), x)


@pytest.mark.parametrize("build, err, match", [
    (lambda: pt.pad(pt.dvector(), 1, mode="reflect"), NotImplementedError, "only mode='constant'"),
    (lambda: pt.cross(pt.dvector(shape=(2,)), pt.dvector(shape=(3,))), ValueError,
     "must have size 3 along axis -1"),
    (lambda: pt.quantile(pt.dvector(), 1.5), ValueError, r"q must be in \[0, 1\]"),
    (lambda: pt.diagonal(pt.dvector()), ValueError, "needs at least 2 dimensions"),
    (lambda: pt.meshgrid(pt.dvector(), indexing="xyz"), ValueError, "indexing must be"),
    (lambda: pt.swapaxes(pt.dmatrix(), 0, 2), ValueError, "swapaxes: axis 2 is out of bounds"),
    (lambda: pt.take_along_axis(pt.dmatrix(), pt.lvector(), 1), ValueError, "must match"),
])
def test_errors_name_the_problem(build, err, match):
    with pytest.raises(err, match=match):
        build()
