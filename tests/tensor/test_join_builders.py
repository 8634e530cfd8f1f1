"""Joining (concatenate, stack, split, tile, repeat) and building (zeros … diag, tril) vs numpy.

``CASES`` entries are ``(name, build, ref, inputs)`` as in ``test_subtensor.py``: ``build`` maps
symbolic inputs to the output (or a list of outputs), ``ref`` maps numpy inputs to the expected
value(s) and ``inputs`` are numpy values (integer 0-d inputs become symbolic sizes).
"""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.tensor.join import Join

A = np.arange(6.0).reshape(2, 3)
B = np.arange(6.0, 10.0).reshape(2, 2)
V = np.array([1.0, 2.0, 3.0])
T = np.arange(24.0).reshape(2, 3, 4)


def i64(v):
    return np.asarray(v, dtype="int64")


def run_case(build, inputs, mode="python", static=True):
    """Build on inputs of static (or unknown) shapes and evaluate; returns (outputs, values)."""
    syms = [pt.tensor(f"in{i}", dtype=a.dtype, shape=a.shape if static else (None,) * a.ndim)
            for i, a in enumerate(inputs)]
    out = build(*syms)
    return out, pg.function(syms, out, mode=mode)(*inputs)


CASES = [
    # ---- join
    ("concatenate axis 0", lambda a, b: pt.concatenate([a, b.T]),
     lambda a, b: np.concatenate([a, b.T]),
     (A, np.arange(6.0).reshape(3, 2) / 2)),
    ("concatenate axis 1", lambda a, b: pt.concatenate([a, b, a], axis=1),
     lambda a, b: np.concatenate([a, b, a], axis=1), (A, B)),
    ("concatenate axis -1", lambda a, b: pt.concatenate([a, b], axis=-1),
     lambda a, b: np.concatenate([a, b], axis=-1), (A, B)),
    ("concatenate mixed dtypes", lambda a, b: pt.concatenate([a, b]),
     lambda a, b: np.concatenate([a, b]),
     (np.arange(3), V)),
    ("concatenate one", lambda a: pt.concatenate([a]), lambda a: np.concatenate([a]), (V,)),
    ("concatenate empty piece", lambda a, b: pt.concatenate([a, b]),
     lambda a, b: np.concatenate([a, b]),
     (V, np.zeros(0))),
    ("stack vectors", lambda a: pt.stack([a, 2 * a]), lambda a: np.stack([a, 2 * a]), (V,)),
    ("stack axis 1", lambda a: pt.stack([a, a], axis=1), lambda a: np.stack([a, a], axis=1), (A,)),
    ("stack axis -1", lambda a: pt.stack([a, a], axis=-1), lambda a: np.stack([a, a], axis=-1),
     (A,)),
    ("stack scalars and python numbers", lambda s: pt.stack([s, 1.0, 2 * s]),
     lambda s: np.stack([s, 1.0, 2 * s]), (np.array(1.5),)),
    ("stack float32 with python float", lambda s: pt.stack([s, 0.5]),
     lambda s: np.array([s, 0.5], dtype="float32"), (np.array(1.5, "float32"),)),
    ("hstack vectors", lambda a: pt.hstack([a, a]), lambda a: np.hstack([a, a]), (V,)),
    ("hstack matrices", lambda a, b: pt.hstack([a, b]), lambda a, b: np.hstack([a, b]), (A, B)),
    ("vstack vectors", lambda a: pt.vstack([a, a]), lambda a: np.vstack([a, a]), (V,)),
    ("vstack matrices", lambda a: pt.vstack([a, a]), lambda a: np.vstack([a, a]), (A,)),
    ("split points axis 1", lambda a: pt.split(a, [1, 2], axis=1), lambda a: np.split(a, 3, axis=1),
     (A,)),
    ("split points", lambda a: pt.split(a, [1, 5]), lambda a: np.split(a, [1, 5]),
     (np.arange(6.0),)),
    ("tile vector", lambda a: pt.tile(a, 2), lambda a: np.tile(a, 2), (V,)),
    ("tile vector to matrix", lambda a: pt.tile(a, (2, 3)), lambda a: np.tile(a, (2, 3)), (V,)),
    ("tile matrix, fewer reps", lambda a: pt.tile(a, 2), lambda a: np.tile(a, 2), (A,)),
    ("tile matrix, more reps", lambda a: pt.tile(a, (2, 1, 2)), lambda a: np.tile(a, (2, 1, 2)),
     (A,)),
    ("tile zero reps", lambda a: pt.tile(a, (0, 1)), lambda a: np.tile(a, (0, 1)), (A,)),
    ("tile ones", lambda a: pt.tile(a, 1), lambda a: np.tile(a, 1), (A,)),
    ("repeat flat", lambda a: pt.repeat(a, 2), lambda a: np.repeat(a, 2), (A,)),
    ("repeat axis 0", lambda a: pt.repeat(a, 3, axis=0), lambda a: np.repeat(a, 3, axis=0), (A,)),
    ("repeat axis -1", lambda a: pt.repeat(a, 2, axis=-1), lambda a: np.repeat(a, 2, axis=-1),
     (T,)),
    ("repeat counts", lambda a: pt.repeat(a, [2, 0, 1], axis=1),
     lambda a: np.repeat(a, [2, 0, 1], axis=1), (A,)),
    ("repeat int tensor", lambda a: pt.repeat(a, 2), lambda a: np.repeat(a, 2), (np.arange(3),)),
    # ---- builders
    ("zeros", lambda: pt.zeros((2, 3)), lambda: np.zeros((2, 3)), ()),
    ("zeros 0-d", lambda: pt.zeros(()), lambda: np.zeros(()), ()),
    ("zeros like a shape", lambda a: pt.zeros(a.shape), lambda a: np.zeros(a.shape), (T,)),
    ("ones int", lambda: pt.ones(3, dtype="int64"), lambda: np.ones(3, dtype="int64"), ()),
    ("ones symbolic size", lambda n: pt.ones((n, 2)), lambda n: np.ones((int(n), 2)), (i64(3),)),
    ("empty has the shape", lambda: pt.empty((2, 0)), lambda: np.zeros((2, 0)), ()),
    ("full", lambda: pt.full((2, 2), 7.0), lambda: np.full((2, 2), 7.0), ()),
    ("full int", lambda: pt.full(3, 7), lambda: np.full(3, 7), ()),
    ("full symbolic value", lambda v: pt.full((2, 3), v), lambda v: np.full((2, 3), v), (V,)),
    ("full_like", lambda a: pt.full_like(a, 2.5), lambda a: np.full_like(a, 2.5), (A,)),
    ("full_like float32", lambda a: pt.full_like(a, 2), lambda a: np.full_like(a, 2),
     (np.ones(2, "float32"),)),
    ("zeros_like", lambda a: pt.zeros_like(a), lambda a: np.zeros_like(a), (A,)),
    ("ones_like dtype", lambda a: pt.ones_like(a, dtype="int64"),
     lambda a: np.ones_like(a, dtype="int64"), (A,)),
    ("alloc", lambda v, n: pt.alloc(v, n, 3), lambda v, n: np.broadcast_to(v, (int(n), 3)),
     (V, i64(2))),
    ("arange", lambda: pt.arange(5), lambda: np.arange(5), ()),
    ("arange float step", lambda: pt.arange(0.0, 1.0, 0.25), lambda: np.arange(0.0, 1.0, 0.25), ()),
    ("arange negative step", lambda: pt.arange(5, 0, -2), lambda: np.arange(5, 0, -2), ()),
    ("arange empty", lambda: pt.arange(3, 1), lambda: np.arange(3, 1), ()),
    ("arange dtype", lambda: pt.arange(3, dtype="float32"), lambda: np.arange(3, dtype="float32"),
     ()),
    ("arange symbolic", lambda n: pt.arange(n), lambda n: np.arange(n), (i64(4),)),
    ("arange symbolic bounds", lambda a, b: pt.arange(a, 2 * b, 3),
     lambda a, b: np.arange(a, 2 * b, 3),
     (i64(1), i64(6))),
    ("arange symbolic float", lambda s: pt.arange(0, s, 0.5), lambda s: np.arange(0, s, 0.5),
     (np.array(2.0),)),
    ("linspace", lambda: pt.linspace(0, 1, 5), lambda: np.linspace(0, 1, 5), ()),
    ("linspace no endpoint", lambda: pt.linspace(2.0, 3.0, 4, endpoint=False),
     lambda: np.linspace(2.0, 3.0, 4, endpoint=False), ()),
    ("linspace symbolic", lambda a, b: pt.linspace(a, b, 4), lambda a, b: np.linspace(a, b, 4),
     (np.array(-1.0), np.array(3.0))),
    ("eye", lambda: pt.eye(3), lambda: np.eye(3), ()),
    ("eye rectangular offset", lambda: pt.eye(2, 4, k=1), lambda: np.eye(2, 4, k=1), ()),
    ("eye negative offset int", lambda: pt.eye(3, k=-1, dtype="int64"),
     lambda: np.eye(3, k=-1, dtype="int64"), ()),
    ("eye symbolic", lambda n: pt.eye(n, 3, k=-1), lambda n: np.eye(int(n), 3, k=-1), (i64(4),)),
    ("diag of vector", lambda v: pt.diag(v), lambda v: np.diag(v), (V,)),
    ("diag of vector k=2", lambda v: pt.diag(v, 2), lambda v: np.diag(v, 2), (V,)),
    ("diag of vector k=-1", lambda v: pt.diag(v, -1), lambda v: np.diag(v, -1), (V,)),
    ("diag of matrix", lambda a: pt.diag(a), lambda a: np.diag(a), (A,)),
    ("diag of matrix k=1", lambda a: pt.diag(a, 1), lambda a: np.diag(a, 1), (A,)),
    ("diag of matrix k=-1", lambda a: pt.diag(a, -1), lambda a: np.diag(a, -1), (A,)),
    ("diag of matrix k out of range", lambda a: pt.diag(a, 5), lambda a: np.diag(a, 5), (A,)),
    ("diag of tall matrix", lambda a: pt.diag(a, -1), lambda a: np.diag(a, -1), (A.T.copy(),)),
    ("tril", lambda a: pt.tril(a), lambda a: np.tril(a), (A,)),
    ("tril k=-1", lambda a: pt.tril(a, -1), lambda a: np.tril(a, -1), (A,)),
    ("triu k=1", lambda a: pt.triu(a, 1), lambda a: np.triu(a, 1), (A,)),
    ("triu batched", lambda t: pt.triu(t), lambda t: np.triu(t), (T,)),
    ("tril keeps inf", lambda a: pt.tril(a), lambda a: np.tril(a), (np.full((2, 2), np.inf),)),
    ("fill_diagonal", lambda a: pt.fill_diagonal(a, 5.0),
     lambda a: _fill_diagonal(a, 5.0), (A,)),
    ("fill_diagonal tall", lambda a: pt.fill_diagonal(a, -1.0),
     lambda a: _fill_diagonal(a, -1.0), (A.T.copy(),)),
]


def _fill_diagonal(a, v):
    out = a.copy()
    np.fill_diagonal(out, v)
    return out


@pytest.mark.parametrize("static", [True, False], ids=["static", "dynamic"])
@pytest.mark.parametrize("name, build, ref, inputs", CASES, ids=[c[0] for c in CASES])
def test_values(name, build, ref, inputs, static):
    out, val = run_case(build, inputs, "python", static)
    expected = ref(*inputs)
    if isinstance(out, list):
        outs, vals, exps = out, val, expected
    else:
        outs, vals, exps = [out], [val], [expected]
    assert len(vals) == len(exps)
    for o, v, e in zip(outs, vals, exps):
        e = np.asarray(e)
        np.testing.assert_array_equal(v, e)
        assert v.dtype == e.dtype, f"dtype {v.dtype} vs numpy's {e.dtype}"
        assert o.ndim == e.ndim
        assert all(s is None or s == n for s, n in zip(o.type.shape, e.shape)), \
            f"static shape {o.type.shape} vs value shape {e.shape}"


def test_static_shapes():
    a, b = pt.tensor("a", shape=(2, 3)), pt.tensor("b", shape=(None, 3))
    assert pt.concatenate([a, a]).type.shape == (4, 3)
    assert pt.concatenate([a, b]).type.shape == (None, 3)
    assert pt.stack([b, a]).type.shape == (2, 2, 3)
    assert pt.tile(a, (2, 1)).type.shape == (4, 3)
    assert pt.repeat(a, 2, axis=1).type.shape == (2, 6)
    assert pt.zeros((2, 5)).type.shape == (2, 5)
    assert pt.diag(pt.tensor("v", shape=(3,))).type.shape == (3, 3)
    assert pt.diag(a).type.shape == (2,)
    assert [p.type.shape for p in pt.split(a, 3, axis=1)] == [(2, 1)] * 3


W = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
X = np.array([0.3, -0.2, 0.9])

GRAD_CASES = [
    ("concatenate", lambda a, b: pt.concatenate([a, b * 2, a], axis=1), (W, W[:, :2])),
    ("stack", lambda a, b: pt.stack([a, b], axis=1), (X, X[::-1].copy())),
    ("hstack", lambda a: pt.hstack([a, a ** 2]), (X,)),
    ("vstack", lambda a: pt.vstack([a, a ** 2]), (X,)),
    ("split", lambda a: pt.split(a, [1])[1] * 3, (W,)),
    ("tile", lambda a: pt.tile(a, (2, 1, 3)), (W,)),
    ("repeat", lambda a: pt.repeat(a, 2, axis=1), (W,)),
    ("repeat flat", lambda a: pt.repeat(a, 3), (W,)),
    ("repeat counts", lambda a: pt.repeat(a, [0, 3, 1]), (X,)),
    ("full with a symbolic value", lambda v: pt.full((4, 3), v), (X,)),
    ("linspace endpoints", lambda a, b: pt.linspace(a, b, 5), (np.array(0.5), np.array(2.0))),
    ("diag of vector", lambda v: pt.diag(v, 1), (X,)),
    ("diag of matrix", lambda a: pt.diag(a, -1), (W.T.copy(),)),
    ("tril", lambda a: pt.tril(a), (W,)),
    ("triu", lambda a: pt.triu(a, 1), (W,)),
    ("fill_diagonal", lambda a, v: pt.fill_diagonal(a, v), (W, np.array(0.4))),
]


@pytest.mark.parametrize("name, fn, points", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grad(name, fn, points):
    pg.verify_grad(fn, list(points))


def test_join_gradient_with_unknown_lengths():
    a, b = pt.dvector("a"), pt.dvector("b")
    w = pt.dvector("w")
    ga, gb = pg.grad((pt.concatenate([a, b]) * w).sum(), [a, b])
    vals = {a: [1.0, 2.0], b: [3.0], w: [10.0, 20.0, 30.0]}
    np.testing.assert_allclose(ga.eval(vals), [10.0, 20.0])
    np.testing.assert_allclose(gb.eval(vals), [30.0])


def test_join_of_mixed_dtypes_differentiates_the_float_input():
    a, b = pt.fvector("a"), pt.lvector("b")
    out = pt.concatenate([a, b])
    assert isinstance(out.owner.op, Join) and out.dtype == "float64"
    ga = pg.grad(out.sum(), a)
    assert ga.dtype == "float32"
    np.testing.assert_array_equal(ga.eval({a: np.zeros(2, "float32"), b: [1, 2]}), [1.0, 1.0])


def test_diag_of_unknown_matrix_gradient():
    x = pt.dmatrix("x")
    g = pg.grad(pt.diag(x, 1).sum() * 2, x)
    np.testing.assert_allclose(g.eval({x: np.zeros((3, 3))}), 2 * np.eye(3, k=1))


ERROR_CASES = [
    ("concatenate shape clash", lambda a, b: pt.concatenate([a, b]), ValueError,
     r"concatenate: a has shape \(2, 3\) but b has shape \(2, 4\); they differ at axis 1"),
    ("concatenate ndim clash", lambda a, b: pt.concatenate([a, b[0]]), ValueError,
     r"same number of dimensions"),
    ("concatenate axis out of range", lambda a, b: pt.concatenate([a, a], axis=2), ValueError,
     r"axis 2 is out of bounds"),
    ("concatenate 0-d", lambda a, b: pt.concatenate([a[0, 0], b[0, 0]]), ValueError, r"use stack"),
    ("stack shape clash", lambda a, b: pt.stack([a, b]), ValueError,
     r"stack: a has shape \(2, 3\) but b has shape \(2, 4\)"),
    ("split uneven", lambda a, b: pt.split(a, 2, axis=1), ValueError, r"does not divide into 2"),
    ("repeat counts length", lambda a, b: pt.repeat(a, [1, 2, 3], axis=0), ValueError,
     r"3 counts given for axis 0 of a, which has length 2"),
    ("repeat negative", lambda a, b: pt.repeat(a, -1), ValueError, r"non-negative"),
    ("repeat symbolic", lambda a, b: pt.repeat(a, a.shape[0]), TypeError, r"constant"),
    ("tile symbolic", lambda a, b: pt.tile(a, b.shape), TypeError, r"constant"),
    ("diag of 3-d", lambda a, b: pt.diag(a[None]), ValueError, r"vector or a matrix"),
    ("tril of vector", lambda a, b: pt.tril(a[0]), ValueError, r"at least 2 dimensions"),
]


@pytest.mark.parametrize("name, build, exc, match", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_build_time_errors(name, build, exc, match):
    a, b = pt.tensor("a", shape=(2, 3)), pt.tensor("b", shape=(2, 4))
    with pytest.raises(exc, match=match):
        build(a, b)
