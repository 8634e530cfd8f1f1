"""Products (dot, matmul, tensordot, ...) and linear algebra: values vs numpy/scipy, gradients vs
finite differences."""

import numpy as np
import pytest
import scipy.linalg

import probgraph as pg
import probgraph.tensor as pt
from probgraph.tensor import linalg

_rng = np.random.default_rng(7)


def _r(*shape, dtype="float64"):
    return _rng.normal(size=shape).astype(dtype)


def _spd(n, dtype="float64"):
    a = _rng.normal(size=(n, n))
    return (a @ a.T + n * np.eye(n)).astype(dtype)


def _lower(n):
    return np.tril(_rng.normal(size=(n, n))) + 3 * np.eye(n)


@pytest.fixture
def mode():
    """Per-case checks run on the reference backend; numba runs these tables batched, one compile
    per table, in tests/backends/test_numba_op_tables.py."""
    return "python"


def run_case(fn, inputs, mode):
    """Build ``fn`` over symbolic inputs of the arrays' shapes and evaluate it with ``mode``."""
    xs = [pt.tensor(f"x{i}", dtype=a.dtype, shape=a.shape) for i, a in enumerate(inputs)]
    out = fn(*xs)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return pg.function(xs, list(outs), mode=mode)(*inputs), outs



# (id, probgraph function, reference function, input arrays) — reused by the numba backend's tests
DOT_CASES = [
    ("dot-0d-0d", pt.dot, np.dot, [_r(), _r()]),
    ("dot-0d-mat", pt.dot, np.dot, [_r(), _r(2, 3)]),
    ("dot-vec-vec", pt.dot, np.dot, [_r(4), _r(4)]),
    ("dot-mat-vec", pt.dot, np.dot, [_r(3, 4), _r(4)]),
    ("dot-vec-mat", pt.dot, np.dot, [_r(3), _r(3, 5)]),
    ("dot-mat-mat", pt.dot, np.dot, [_r(3, 4), _r(4, 2)]),
    ("dot-3d-mat", pt.dot, np.dot, [_r(2, 3, 4), _r(4, 5)]),
    ("dot-3d-vec", pt.dot, np.dot, [_r(2, 3, 4), _r(4)]),
    ("dot-mat-3d", pt.dot, np.dot, [_r(3, 4), _r(2, 4, 5)]),
    ("dot-int", pt.dot, np.dot, [np.arange(6).reshape(2, 3), np.arange(3)]),
    ("matmul-mat-mat", pt.matmul, np.matmul, [_r(3, 4), _r(4, 2)]),
    ("matmul-batched", pt.matmul, np.matmul, [_r(5, 3, 4), _r(5, 4, 2)]),
    ("matmul-bcast-batch", pt.matmul, np.matmul, [_r(2, 1, 3, 4), _r(6, 4, 2)]),
    ("matmul-3d-mat", pt.matmul, np.matmul, [_r(5, 3, 4), _r(4, 2)]),
    ("matmul-vec-3d", pt.matmul, np.matmul, [_r(4), _r(5, 4, 2)]),
    ("matmul-3d-vec", pt.matmul, np.matmul, [_r(5, 3, 4), _r(4)]),
    ("matmul-operator", lambda a, b: a @ b, np.matmul, [_r(2, 3), _r(3)]),
    ("outer", pt.outer, np.outer, [_r(3), _r(4)]),
    ("outer-flattens", pt.outer, np.outer, [_r(2, 2), _r(3)]),
    ("inner-vec", pt.inner, np.inner, [_r(3), _r(3)]),
    ("inner-mat", pt.inner, np.inner, [_r(2, 3), _r(4, 3)]),
    ("vdot", pt.vdot, np.vdot, [_r(2, 3), _r(2, 3)]),
    ("tensordot-2", pt.tensordot, np.tensordot, [_r(2, 3, 4), _r(3, 4, 5)]),
    ("tensordot-0", lambda a, b: pt.tensordot(a, b, 0), lambda a, b: np.tensordot(a, b, 0),
     [_r(2, 3), _r(4)]),
    ("tensordot-pairs", lambda a, b: pt.tensordot(a, b, [[1, 2], [1, 0]]),
     lambda a, b: np.tensordot(a, b, [[1, 2], [1, 0]]), [_r(2, 3, 4), _r(4, 3, 5)]),
    ("tensordot-all", lambda a, b: pt.tensordot(a, b, 2), lambda a, b: np.tensordot(a, b, 2),
     [_r(2, 3), _r(2, 3)]),
    ("tensordot-neg", lambda a, b: pt.tensordot(a, b, [[-1], [0]]),
     lambda a, b: np.tensordot(a, b, [[-1], [0]]), [_r(2, 2, 3), _r(3, 2, 2)]),
]

LINALG_CASES = [
    ("cholesky", linalg.cholesky, np.linalg.cholesky, [_spd(4)]),
    ("cholesky-upper", lambda A: linalg.cholesky(A, lower=False),
     lambda A: np.linalg.cholesky(A).T, [_spd(3)]),
    ("solve-vec", linalg.solve, np.linalg.solve, [_r(4, 4) + 4 * np.eye(4), _r(4)]),
    ("solve-mat", linalg.solve, np.linalg.solve, [_r(3, 3) + 3 * np.eye(3), _r(3, 2)]),
    ("solve-pos", lambda A, b: linalg.solve(A, b, assume_a="pos"),
     lambda A, b: scipy.linalg.solve(A, b, assume_a="pos"), [_spd(3), _r(3)]),
    ("solve-sym", lambda A, b: linalg.solve(A, b, assume_a="sym"),
     lambda A, b: scipy.linalg.solve(A, b, assume_a="sym"), [_spd(3), _r(3, 2)]),
    ("solve-triangular", linalg.solve_triangular,
     lambda A, b: scipy.linalg.solve_triangular(A, b, lower=True), [_lower(4), _r(4)]),
    ("solve-triangular-upper-T",
     lambda A, b: linalg.solve_triangular(A, b, lower=False, trans="T"),
     lambda A, b: scipy.linalg.solve_triangular(A, b, lower=False, trans="T"),
     [_lower(3).T, _r(3, 2)]),
    ("solve-triangular-unit",
     lambda A, b: linalg.solve_triangular(A, b, unit_diagonal=True),
     lambda A, b: scipy.linalg.solve_triangular(A, b, lower=True, unit_diagonal=True),
     [_lower(3), _r(3)]),
    ("cho-solve", lambda L, b: linalg.cho_solve((L, True), b),
     lambda L, b: scipy.linalg.cho_solve((L, True), b), [np.linalg.cholesky(_spd(3)), _r(3)]),
    ("inv", linalg.inv, np.linalg.inv, [_r(3, 3) + 3 * np.eye(3)]),
    ("det", linalg.det, np.linalg.det, [_r(3, 3)]),
    ("slogdet", linalg.slogdet, lambda A: list(np.linalg.slogdet(A)), [_r(3, 3)]),
    ("logdet", linalg.logdet, lambda A: np.log(np.linalg.det(A)), [_spd(3)]),
    ("eigh", linalg.eigh, lambda A: list(np.linalg.eigh(A)), [_spd(3)]),
    ("matrix-dot", lambda a, b, c: linalg.matrix_dot(a, b, c),
     lambda a, b, c: a @ b @ c, [_r(2, 3), _r(3, 4), _r(4)]),
    ("norm-vec", linalg.norm, np.linalg.norm, [_r(5)]),
    ("norm-fro", linalg.norm, np.linalg.norm, [_r(2, 3)]),
    ("norm-vec-1", lambda x: linalg.norm(x, 1), lambda x: np.linalg.norm(x, 1), [_r(5)]),
    ("norm-vec-inf", lambda x: linalg.norm(x, np.inf), lambda x: np.linalg.norm(x, np.inf),
     [_r(5)]),
    ("norm-vec-3", lambda x: linalg.norm(x, 3), lambda x: np.linalg.norm(x, 3), [_r(5)]),
    ("norm-mat-1", lambda x: linalg.norm(x, 1), lambda x: np.linalg.norm(x, 1), [_r(3, 4)]),
    ("norm-mat-inf", lambda x: linalg.norm(x, np.inf), lambda x: np.linalg.norm(x, np.inf),
     [_r(3, 4)]),
    ("norm-axis", lambda x: linalg.norm(x, axis=1), lambda x: np.linalg.norm(x, axis=1),
     [_r(3, 4)]),
]


@pytest.mark.parametrize("name, fn, ref, inputs", DOT_CASES + LINALG_CASES,
                         ids=[c[0] for c in DOT_CASES + LINALG_CASES])
def test_values_match_numpy(name, fn, ref, inputs, mode):
    got, outs = run_case(fn, inputs, mode)
    expected = ref(*inputs)
    expected = expected if isinstance(expected, list) else [expected]
    for g, e, o in zip(got, expected, outs):
        assert np.shape(g) == np.shape(e)
        assert g.dtype == o.dtype
        assert all(s is None or s == n for s, n in zip(o.type.shape, np.shape(e))), o.type
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def _sym(A):
    """A symmetric positive-definite matrix built from an arbitrary square point."""
    return A @ A.T + 3 * np.eye(A.type.shape[0])


# (id, function of symbolic inputs, points) — gradients checked by central finite differences
GRAD_CASES = [
    ("dot-vec-vec", pt.dot, [_r(3), _r(3)]),
    ("dot-mat-vec", pt.dot, [_r(2, 3), _r(3)]),
    ("dot-vec-mat", pt.dot, [_r(3), _r(3, 2)]),
    ("dot-mat-mat", pt.dot, [_r(2, 3), _r(3, 4)]),
    ("dot-0d", pt.dot, [_r(), _r(3)]),
    ("dot-3d", pt.dot, [_r(2, 2, 3), _r(3, 2)]),
    ("matmul-batched", pt.matmul, [_r(2, 2, 3), _r(2, 3, 2)]),
    ("matmul-bcast", pt.matmul, [_r(2, 1, 2, 3), _r(3, 3, 2)]),
    ("matmul-vec-3d", pt.matmul, [_r(3), _r(2, 3, 2)]),
    ("tensordot", lambda a, b: pt.tensordot(a, b, [[1, 2], [1, 0]]), [_r(2, 3, 2), _r(2, 3, 2)]),
    ("outer", pt.outer, [_r(2), _r(3)]),
    ("cholesky", lambda A: linalg.cholesky(_sym(A)), [_r(3, 3)]),
    ("cholesky-upper", lambda A: linalg.cholesky(_sym(A), lower=False), [_r(3, 3)]),
    ("solve-gen", linalg.solve, [_r(3, 3) + 3 * np.eye(3), _r(3, 2)]),
    ("solve-vec", linalg.solve, [_r(3, 3) + 3 * np.eye(3), _r(3)]),
    ("solve-pos", lambda A, b: linalg.solve(_sym(A), b, assume_a="pos"), [_r(3, 3), _r(3)]),
    ("solve-triangular", lambda A, b: linalg.solve_triangular(A, b), [_lower(3), _r(3, 2)]),
    ("solve-triangular-T", lambda A, b: linalg.solve_triangular(A, b, trans=1), [_lower(3), _r(3)]),
    ("solve-triangular-upper", lambda A, b: linalg.solve_triangular(A, b, lower=False),
     [_lower(3).T, _r(3)]),
    ("solve-triangular-unit", lambda A, b: linalg.solve_triangular(A, b, unit_diagonal=True),
     [_lower(3), _r(3)]),
    ("inv", linalg.inv, [_r(3, 3) + 3 * np.eye(3)]),
    ("det", linalg.det, [_r(3, 3)]),
    ("slogdet", lambda A: linalg.slogdet(A)[1], [_r(3, 3)]),
    ("slogdet-spd", lambda A: linalg.slogdet(_sym(A))[1], [_r(3, 3)]),
    ("logdet", lambda A: linalg.logdet(_sym(A)), [_r(3, 3)]),
    ("eigh-values", lambda A: linalg.eigh(_sym(A))[0], [_r(3, 3)]),
    ("eigh-vectors", lambda A: linalg.eigh(_sym(A))[1] ** 2, [_r(3, 3)]),
    ("norm", linalg.norm, [_r(4)]),
    ("norm-mat-1", lambda x: linalg.norm(x, 1), [_r(3, 3)]),
]


@pytest.mark.parametrize("name, fn, points", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(name, fn, points):
    pg.verify_grad(fn, points)


def test_cholesky_of_indefinite_matrix_is_nan():
    A = pt.dmatrix("A")
    out = linalg.cholesky(A).eval({A: np.array([[1.0, 2.0], [2.0, 1.0]])})
    assert out.shape == (2, 2) and np.all(np.isnan(out))


@pytest.mark.parametrize("build, match", [
    (lambda: pt.dot(pt.matrix("A", shape=(3, 4)), pt.matrix("B", shape=(5, 2))),
     r"Dot: shapes A \(3, 4\) and B \(5, 2\) are not aligned"),
    (lambda: pt.dot(pt.vector(shape=(3,)), pt.vector(shape=(4,))),
     r"Dot: shapes \(3,\) and \(4,\)"),
    (lambda: pt.matmul(pt.tensor3(shape=(2, 3, 4)), pt.matrix(shape=(5, 2))),
     r"MatMul: shapes \(2, 3, 4\) and \(5, 2\) are not aligned"),
    (lambda: pt.matmul(pt.tensor3(shape=(2, 3, 4)), pt.tensor3(shape=(3, 4, 2))),
     r"MatMul: shapes cannot be broadcast together at axis 0"),
    (lambda: pt.matmul(pt.scalar(), pt.vector()), r"matmul: operands must have at least one"),
    (lambda: pt.tensordot(pt.matrix(shape=(2, 3)), pt.matrix(shape=(2, 3)), [[1], [0]]),
     r"tensordot: shapes \(2, 3\) and \(2, 3\) are not aligned"),
    (lambda: pt.tensordot(pt.matrix(), pt.matrix(), [[0, 1], [0]]), r"tensordot: axes"),
    (lambda: linalg.cholesky(pt.matrix("S", shape=(2, 3))),
     r"cholesky: expects a square matrix, got S of shape \(2, 3\)"),
    (lambda: linalg.cholesky(pt.vector()), r"cholesky: expects a matrix"),
    (lambda: linalg.solve(pt.matrix(shape=(3, 3)), pt.vector(shape=(4,))),
     r"solve: shapes \(3, 3\) and \(4,\) are not aligned"),
    (lambda: linalg.solve_triangular(pt.matrix(shape=(3, 3)), pt.matrix(shape=(2, 1))),
     r"solve_triangular: shapes \(3, 3\) and \(2, 1\)"),
    (lambda: linalg.solve(pt.matrix(), pt.vector(), assume_a="banded"), r"assume_a must be"),
    (lambda: linalg.solve_triangular(pt.matrix(), pt.vector(), trans="X"), r"trans must be"),
])
def test_shape_errors_name_op_and_shapes(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_symbolic_sizes_infer_static_shapes():
    a, b = pt.matrix("a", shape=(None, 4)), pt.matrix("b", shape=(4, None))
    assert pt.dot(a, b).type.shape == (None, None)
    assert pt.matmul(pt.tensor3(shape=(1, 2, 3)), pt.tensor3(shape=(5, 3, 4))).type.shape == (5, 2,
                                                                                              4)
    # fully unknown sizes fall back to a broadcast multiply-and-sum and still match numpy
    x, y = pt.tensor3("x"), pt.tensor3("y")
    out = pt.tensordot(x, y, [[1, 2], [0, 1]])
    xv, yv = _r(2, 3, 4), _r(3, 4, 5)
    np.testing.assert_allclose(out.eval({x: xv, y: yv}), np.tensordot(xv, yv, [[1, 2], [0, 1]]))
    assert not any(isinstance(n.op, pt.Dot) for n in pg.graph.basic.toposort([out]))
    # one unknown size per side still collapses to a single BLAS Dot
    x, y = pt.tensor3("x", shape=(None, 3, 4)), pt.tensor3("y", shape=(3, 4, None))
    out = pt.tensordot(x, y, 2)
    assert out.type.shape == (None, None)
    assert any(isinstance(n.op, pt.Dot) for n in pg.graph.basic.toposort([out]))
    np.testing.assert_allclose(out.eval({x: xv, y: yv}), np.tensordot(xv, yv, 2))
    g = pg.grad(out.sum(), x).eval({x: xv, y: yv})
    np.testing.assert_allclose(g, np.broadcast_to(yv.sum(axis=2), xv.shape))


@pytest.mark.parametrize("fn, shapes", [
    (pt.dot, [(3, 4), (4,)]),
    (pt.matmul, [(2, 3, 4), (2, 4, 2)]),
    (pt.tensordot, [(2, 3, 4), (3, 4, 2)]),
    (linalg.cholesky, [(3, 3)]),
    (linalg.solve, [(3, 3), (3,)]),
    (linalg.solve_triangular, [(3, 3), (3,)]),
    (linalg.inv, [(3, 3)]),
    (linalg.det, [(3, 3)]),
    (lambda A: linalg.slogdet(A)[1], [(3, 3)]),
])
def test_float32_stays_float32(fn, shapes):
    xs = [pt.tensor(dtype="float32", shape=s) for s in shapes]
    out = fn(*xs)
    assert out.dtype == "float32"
    vals = [(_spd(s[0]) if len(s) == 2 and s[0] == s[1] else _r(*s)).astype("float32")
            for s in shapes]
    assert pg.function(xs, out, mode="python")(*vals).dtype == np.float32
    grads = pg.grad(out.sum(), xs)
    assert all(g.dtype == "float32" for g in grads)


def test_mixed_precision_upcasts_like_numpy():
    a, b = pt.fmatrix("a"), pt.dvector("b")
    assert pt.dot(a, b).dtype == "float64"
    assert pt.dot(pt.imatrix(), pt.ivector()).dtype == "int32"
    assert linalg.inv(pt.imatrix()).dtype == "float64"


def test_integer_operands_get_no_gradient():
    x = pt.dvector("x")
    n = pt.constant(np.arange(3))
    g = pg.grad(pt.dot(n, x), x)
    np.testing.assert_allclose(g.eval({x: np.ones(3)}), np.arange(3.0))
