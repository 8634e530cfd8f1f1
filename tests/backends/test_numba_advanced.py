"""numba's general advanced indexing, batched matmul and unique vs numpy and the python backend.

Each test compiles ONE function with many outputs (numba compilation is the expensive part).
"""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.backends.numba import generate_source
from probgraph.graph.fg import Graph

RNG = np.random.default_rng(7)
A = RNG.normal(size=(3, 4))
T = RNG.normal(size=(3, 4, 5))
Q = RNG.normal(size=(2, 3, 4, 5))
V = RNG.normal(size=6)


def _dyn(name, value):
    """A graph input with unknown sizes (the run-time paths), of ``value``'s dtype and ndim."""
    value = np.asarray(value)
    return pt.tensor(name, dtype=value.dtype, shape=(None,) * value.ndim)


def _add_at(x, where, y):
    out = x.copy()
    np.add.at(out, where, y)
    return out


def _set(x, where, y):
    out = x.copy()
    out[where] = y
    return out


# (name, probgraph expression of the inputs, numpy expression of the values)
I0, I1, I2 = np.array([0, -1, 2, 0]), np.array([[1], [2]]), np.array(-2)
M2 = T[..., 0] > 0  # a 2-d mask over T's first two axes
INDEX_CASES = [
    ("two arrays", lambda a, t, q, i0, i1, i2, m, s: a[i0[:2], i1[:, 0]],
     lambda a, t, q, i0, i1, i2, m, s: a[i0[:2], i1[:, 0]]),
    ("broadcast arrays", lambda a, t, q, i0, i1, i2, m, s: a[i1, i0],
     lambda a, t, q, i0, i1, i2, m, s: a[i1, i0]),
    ("three arrays, one 0-d", lambda a, t, q, i0, i1, i2, m, s: t[i1, i2, i0],
     lambda a, t, q, i0, i1, i2, m, s: t[i1, i2, i0]),
    ("symbolic int scalar next to arrays", lambda a, t, q, i0, i1, i2, m, s: t[s, i0[:2], 1:],
     lambda a, t, q, i0, i1, i2, m, s: t[s, i0[:2], 1:]),
    ("slice before adjacent arrays", lambda a, t, q, i0, i1, i2, m, s: q[:, i0[:3], i1, ::-2],
     lambda a, t, q, i0, i1, i2, m, s: q[:, i0[:3], i1, ::-2]),
    ("arrays split by a slice go first", lambda a, t, q, i0, i1, i2, m, s: q[i2, 1:, i1, :2],
     lambda a, t, q, i0, i1, i2, m, s: q[i2, 1:, i1, :2]),
    ("arrays split by symbolic slice", lambda a, t, q, i0, i1, i2, m, s: q[:, i1, s:-1, i0],
     lambda a, t, q, i0, i1, i2, m, s: q[:, i1, s:-1, i0]),
    ("2-d mask", lambda a, t, q, i0, i1, i2, m, s: t[m],
     lambda a, t, q, i0, i1, i2, m, s: t[m]),
    ("2-d mask after a slice", lambda a, t, q, i0, i1, i2, m, s: q[1:, m],
     lambda a, t, q, i0, i1, i2, m, s: q[1:, m]),
    ("mask and array split by a slice", lambda a, t, q, i0, i1, i2, m, s: t[m[:, 0], :, i0[:1]],
     lambda a, t, q, i0, i1, i2, m, s: t[m[:, 0], :, i0[:1]]),
    ("1-d mask of a vector", lambda a, t, q, i0, i1, i2, m, s: a[0][m[0]],
     lambda a, t, q, i0, i1, i2, m, s: a[0][m[0]]),
    ("empty index array", lambda a, t, q, i0, i1, i2, m, s: t[:, i0[:0], i1[0]],
     lambda a, t, q, i0, i1, i2, m, s: t[:, i0[:0], i1[0]]),
    ("one array, whole axes (fast path)", lambda a, t, q, i0, i1, i2, m, s: t[:, i1],
     lambda a, t, q, i0, i1, i2, m, s: t[:, i1]),
    # scatters: repeated indices accumulate (np.add.at), values broadcast to the indexed region
    ("inc two arrays, repeats", lambda a, t, q, i0, i1, i2, m, s: pt.inc_subtensor(a[i0, i0], 1.5),
     lambda a, t, q, i0, i1, i2, m, s: _add_at(a, (i0, i0), 1.5)),
    ("inc broadcast arrays, row value", lambda a, t, q, i0, i1, i2, m, s:
        pt.inc_subtensor(a[i1, i0], i0.astype("float64")),
     lambda a, t, q, i0, i1, i2, m, s: _add_at(a, (i1, i0), i0.astype("float64"))),
    ("set split arrays, last wins", lambda a, t, q, i0, i1, i2, m, s:
        pt.set_subtensor(t[i0, 1:3, i0], pt.arange(4.0)[:, None] + s),
     lambda a, t, q, i0, i1, i2, m, s: _set(t, (i0, slice(1, 3), i0), np.arange(4.0)[:, None] + s)),
    ("inc 2-d mask", lambda a, t, q, i0, i1, i2, m, s:
        pt.inc_subtensor(t[m], a[0, 0] + pt.arange(5.0)),
     lambda a, t, q, i0, i1, i2, m, s: _add_at(t, m, a[0, 0] + np.arange(5.0))),
    ("set through symbolic slice", lambda a, t, q, i0, i1, i2, m, s:
        pt.set_subtensor(q[s:, i1, 0, i0], -1.0),
     lambda a, t, q, i0, i1, i2, m, s: _set(q, (slice(s, None), i1, 0, i0), -1.0)),
    ("inc one array, whole axes (fast path)", lambda a, t, q, i0, i1, i2, m, s:
        pt.inc_subtensor(t[:, i0], 1.0),
     lambda a, t, q, i0, i1, i2, m, s: _add_at(t, (slice(None), i0), 1.0)),
]
INDEX_INPUTS = (A, T, Q, I0, I1, I2, M2, np.array(1))


def test_advanced_indexing_matches_numpy_and_python():
    xs = [_dyn(f"in{k}", v) for k, v in enumerate(INDEX_INPUTS)]
    xs[5] = pt.lscalar("i2")
    xs[7] = pt.lscalar("s")
    outs = [build(*xs) for _, build, _ in INDEX_CASES]
    ref = pg.function(xs, outs, mode="python")(*INDEX_INPUTS)
    got = pg.function(xs, outs, mode="numba")(*INDEX_INPUTS)
    for (name, _, expect), r, g in zip(INDEX_CASES, ref, got):
        e = np.asarray(expect(*INDEX_INPUTS))
        assert g.shape == e.shape and g.dtype == e.dtype, name
        np.testing.assert_array_equal(g, e, err_msg=name)
        np.testing.assert_array_equal(g, r, err_msg=name)


def test_single_index_array_keeps_the_fast_take_and_scatter():
    x, g = pt.dvector("alpha"), pt.lvector("g")
    src, _ = generate_source(Graph([x, g], [x[g], pg.grad(x[g].sum(), x)]))
    assert "kr.take(" in src and "kr.scatter(" in src and "ak." not in src


def test_nll_gather_and_gradient_and_matmul_and_unique():
    """The Theano MLP tutorial's ``-mean(log(p)[arange(n), y])``, its gradient, matmul, unique."""
    X, W, b, y = pt.dmatrix("X"), pt.dmatrix("W"), pt.dvector("b"), pt.lvector("y")
    p = pt.nnet.softmax(pt.dot(X, W) + b)
    nll = -pt.mean(pt.log(p)[pt.arange(y.shape[0]), y])
    gW, gb = pg.grad(nll, [W, b])
    a3, b3, v = pt.dtensor3("a3"), pt.dtensor3("b3"), pt.dvector("v")
    b4 = pt.tensor("b4", shape=(2, 1, None, None))
    i3 = pt.tensor("i3", dtype="int32", shape=(None, None, None))
    f3 = pt.tensor("f3", dtype="float32", shape=(None, None, None))
    u, ub = pt.dmatrix("u"), pt.bvector("ub")
    ga3 = pg.grad((a3 @ b3).sum() + (pt.matmul(v, b3) ** 2).sum(), a3)
    outs = [nll, gW, gb,
            a3 @ b3, b4 @ b3, pt.matmul(v, b3), pt.matmul(a3, v[:2]), i3 @ i3, f3 @ f3, ga3,
            *pt.unique(u, True, True, True), pt.unique(ub), pt.unique(v[0]),
            *pt.unique(i3, return_counts=True)]
    n, k, c = 7, 3, 4
    vals = dict(X=RNG.normal(size=(n, k)), W=RNG.normal(size=(k, c)), b=RNG.normal(size=c),
                y=RNG.integers(0, c, size=n), a3=RNG.normal(size=(5, 3, 2)),
                b3=RNG.normal(size=(5, 2, 4)),
                b4=RNG.normal(size=(2, 1, 3, 2)), v=RNG.normal(size=2),
                i3=RNG.integers(-3, 3, size=(2, 3, 3)).astype("int32"),
                f3=RNG.normal(size=(4, 2, 2)).astype("float32"),
                u=np.array([[1.0, np.nan, 3.0], [1.0, np.nan, -2.0]]),
                ub=np.array([True, False, True]))
    ins = [X, W, b, y, a3, b3, b4, v, i3, f3, u, ub]
    args = [vals[x.name] for x in ins]
    ref = pg.function(ins, outs, mode="python")(*args)
    got = pg.function(ins, outs, mode="numba")(*args)
    Xv, Wv, bv, yv = args[:4]
    z = Xv @ Wv + bv
    P = np.exp(z - z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    D = (P - np.eye(c)[yv]) / n
    np.testing.assert_allclose(got[0], -np.mean(np.log(P[np.arange(n), yv])), rtol=1e-12)
    np.testing.assert_allclose(got[1], Xv.T @ D, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(got[2], D.sum(0), rtol=1e-10, atol=1e-14)
    a3v, b3v, b4v, vv, i3v, f3v, uv = (vals[k] for k in ("a3", "b3", "b4", "v", "i3", "f3", "u"))
    expected = [np.matmul(a3v, b3v), np.matmul(b4v, b3v), np.matmul(vv, b3v), np.matmul(a3v, vv),
                np.matmul(i3v, i3v), np.matmul(f3v, f3v),
                np.ones((5, 3, 4)) @ np.swapaxes(b3v, 1, 2) + 0.0]
    for k, (g, e) in enumerate(zip(got[3:10], expected)):
        assert g.shape == e.shape and g.dtype == e.dtype, k
        tol = 1e-5 if e.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(g, e, rtol=tol, err_msg=str(k))
    for k, e in enumerate([*np.unique(uv.ravel(), True, True, True), np.unique(vals["ub"]),
                           np.unique(vv[0]), *np.unique(i3v, return_counts=True)]):
        g = got[10 + k]
        assert g.shape == e.shape[:1] or k == 2, k
        np.testing.assert_array_equal(np.ravel(g), np.ravel(e), err_msg=str(k))
    assert got[12].shape == (2, 3)  # the inverse has the input's shape
    for k, (r, g) in enumerate(zip(ref, got)):
        assert np.asarray(r).dtype == np.asarray(g).dtype, k
        np.testing.assert_allclose(g, r, rtol=1e-5, atol=1e-6, err_msg=str(k))


def test_bad_indices_raise_instead_of_crashing():
    """Out-of-bounds indices, unbroadcastable index arrays or batches and mismatched masks raise."""
    x, i, j = pt.dmatrix("x"), pt.lvector("i"), pt.lvector("j")
    m = pt.tensor("m", dtype="int8", shape=(None, None)).astype("bool")
    a3, b3 = pt.dtensor3("a3"), pt.dtensor3("b3")
    outs = [x[i, j], pt.inc_subtensor(x[i, j], 1.0), x[m], x[1:, j], a3 @ b3]
    f = pg.function([x, i, j, m.owner.inputs[0], a3, b3], outs, mode="numba")
    xv, ok, mv = np.arange(12.0).reshape(3, 4), np.array([0, -1]), np.ones((3, 4), "int8")
    good = [xv, ok, ok, mv, np.ones((2, 1, 2)), np.ones((2, 2, 3))]
    got = f(*good)
    np.testing.assert_array_equal(got[0], xv[ok, ok])
    np.testing.assert_array_equal(got[1], _add_at(xv, (ok, ok), 1.0))
    bad = {1: (IndexError, np.array([0, 3])), 2: (IndexError, np.array([0, -5])),
           3: (IndexError, np.ones((2, 4), "int8")), 5: (ValueError, np.ones((3, 2, 3)))}
    for k, (exc, value) in bad.items():
        args = list(good)
        args[k] = value
        with pytest.raises(exc):
            f(*args)
    args = list(good)
    args[2] = np.array([0, 1, 2])  # i and j do not broadcast
    with pytest.raises(IndexError, match="broadcast"):
        f(*args)
