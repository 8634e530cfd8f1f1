"""The numba backend against the python reference: fused loops, shape ops, indexing, products,
linalg, errors."""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.backends.numba import generate_source
from probgraph.graph.fg import Graph
from probgraph.graph.op import Op


def compare(inputs, outputs, values, rtol=1e-10, atol=1e-12):
    """Compile once per backend (many outputs in one function) and compare every output."""
    ref = pg.function(inputs, outputs, mode="python")(*values)
    got = pg.function(inputs, outputs, mode="numba")(*values)
    for i, (r, g) in enumerate(zip(ref, got)):
        assert np.shape(r) == np.shape(g), f"output {i}: {outputs[i]}"
        assert np.asarray(g).dtype == np.asarray(r).dtype, f"output {i}: {outputs[i]}"
        np.testing.assert_allclose(g, r, rtol=rtol, atol=atol, err_msg=f"output {i}: {outputs[i]}")
    return got


def test_fused_elementwise_and_reductions(rng):
    x, y, s = pt.dvector("x"), pt.dmatrix("y"), pt.dscalar("s")
    row = pt.dmatrix("row", shape=(1, None))
    outs = [(pt.exp(x) * 2).sum(), pt.log1p(y * s + x) - row, (y - x).max(axis=0),
            pt.sigmoid(y.T).sum(axis=1),
            (y * y).prod(axis=(0, 1)), (y > 0).all(axis=1), (y > 1).any(),
            pt.switch(y > 0, y, 0.5 * y),
            pt.argmax(y, axis=1), pt.argmin(y), y.min(axis=1), s * 3.0, pt.mean(y, axis=0),
            pt.logsumexp(y, axis=1), pt.cast(y * 10, "int32"), pt.zeros_like(y) + s]
    got = compare([x, y, s, row], outs, [rng.normal(size=3), rng.normal(size=(4, 3)), np.array(0.5),
                                         rng.normal(size=(1, 3))])
    assert np.ndim(got[0]) == 0


def test_fused_loop_nan_and_float32(rng):
    x = pt.fvector("x")
    outs = [(x * 2.0 + 1).sum(), pt.exp(x).max(), x.max(), (x / 3).astype("float64")]
    xv = rng.normal(size=7).astype("float32")
    got = compare([x], outs, [xv], rtol=1e-6, atol=1e-6)
    assert np.asarray(got[0]).dtype == np.float32
    xv[2] = np.nan
    got = pg.function([x], [x.max(), x.min()])(xv)
    assert np.isnan(got[0]) and np.isnan(got[1])


def test_source_is_deterministic_and_fuses():
    def build():
        x = pt.dvector("x")
        return Graph([x], [(pt.exp(x) * 2 + 1).sum()])
    src1, consts = generate_source(build())
    src2, _ = generate_source(build())
    assert src1 == src2 and not consts
    assert src1.count("for i0") == 1  # exp, mul, add and the sum share one loop
    assert "np.empty" not in src1  # no intermediate array


def test_shape_ops(rng):
    x = pt.dtensor3("x")
    v = pt.dvector("v")
    outs = [x.dimshuffle(2, 0, 1) * 1.0, x.reshape((-1, 4)), x.flatten(), x.shape,
            pt.transpose(x).sum(axis=0),
            pt.broadcast_to(v, (2, 3, 4)) * 1.0, v.dimshuffle("x", 0), x.T]
    compare([x, v], outs, [rng.normal(size=(2, 3, 4)), rng.normal(size=4)])


def test_indexing_products_and_joins(rng):
    x, A, b = pt.dvector("x"), pt.dmatrix("A"), pt.dvector("b")
    idx = pt.lvector("i")
    outs = [pt.dot(A, x), pt.dot(x, x), pt.dot(A, A), x[idx], x[1:], A[:, 1], A[1],
            pt.grad((x[idx] ** 2).sum(), x),
            pt.set_subtensor(x[1:], 0.0), pt.inc_subtensor(A[0], x), pt.concatenate([x, b]),
            pt.stack([x, b]), A[idx], pt.grad((A[idx] * 2).sum(), A)]
    compare([x, A, idx, b], outs,
            [rng.normal(size=3), rng.normal(size=(3, 3)), np.array([0, 2, 2, -1]),
                                   rng.normal(size=3)])


def test_linalg_and_extra_ops(rng):
    A, b, x = pt.dmatrix("A"), pt.dvector("b"), pt.dmatrix("x")
    L = pt.linalg.cholesky(A)
    outs = [L, pt.linalg.solve_triangular(L, b, lower=True),
            pt.linalg.solve_triangular(L, x, lower=True, trans=1),
            pt.linalg.solve(A, b), pt.linalg.det(A), pt.linalg.inv(A), pt.cumsum(x, axis=1),
            pt.cumprod(b),
            pt.sort(x, axis=0)]
    M = rng.normal(size=(3, 3))
    compare([A, b, x], outs, [M @ M.T + 3 * np.eye(3), rng.normal(size=3), rng.normal(size=(3, 3))])
    assert np.isnan(pg.function([A], L)(-np.eye(2))).all()  # not positive definite: NaN, as in
                                                            # perform


def test_shared_updates_givens(rng):
    w = pg.shared(np.zeros(3), name="w")
    x = pt.dvector("x")
    y = pt.dvector("y")
    f = pg.function([x], (w * x).sum(), updates=[(w, w + x)], givens={y: x})
    f(np.ones(3))
    assert float(f(np.ones(3))) == 3.0
    np.testing.assert_allclose(w.get_value(), 2 * np.ones(3))
    f.trust_input = True
    assert float(f(np.ones(3))) == 6.0


def test_kernel_and_consts_are_exposed(rng):
    x = pt.dvector("x")
    c = np.arange(3.0)
    f = pg.function([x], [(x * pt.constant(c)).sum(), x * 2])
    kernel, consts = f.thunk.kernel, f.thunk.consts
    out = kernel(np.ones(3), *consts)
    assert isinstance(out, tuple) and float(out[0]) == 3.0


class _Opaque(Op):
    def make_node(self, x):
        from probgraph.graph.basic import Apply
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        return [inputs[0]]


def test_unsupported_op_is_named():
    x = pt.dvector("x")
    with pytest.raises(NotImplementedError, match="_Opaque"):
        pg.function([x], _Opaque()(x) * 2, mode="numba")
