"""Tests for the rewrite pipeline: every rule fires, keeps values and types, and stabilising rules
stay finite."""

import numpy as np
import pytest
import scipy.special as sp

import probgraph as pg
import probgraph.tensor as pt
from probgraph.backends.python import compile_graph
from probgraph.graph.fg import Graph
from probgraph.graph.rewrite import rewrite
from probgraph.rewriting import FOLD, USELESS, rewrite_graph, rewrite_pregrad
from probgraph.tensor.math import Cast
from probgraph.tensor.shape import DimShuffle, Reshape, Shape

pytestmark = pytest.mark.filterwarnings("error::probgraph.graph.rewrite.RewriteWarning")


def ops(graph):
    """Op names: the scalar op of elementwise nodes, ``Sum``/``Max`` for reductions, else the
    class."""
    return [str(n.op).split("{")[0] for n in graph.apply_nodes]


def dv(name="x"):
    return pt.dvector(name)


def run(graph, *values):
    return compile_graph(graph)(*values)


def check_case(build, inputs, present, absent, values):
    """Rewrite ``build(*inputs)`` with the pipeline; check op names and equality with the
    original."""
    out = build(*inputs)
    before = Graph(inputs, [out])
    after = rewrite_graph(before, mode="python")
    names = ops(after)
    for p in present:
        assert p in names, f"{p} missing from {names}"
    for a in absent:
        assert a not in names, f"{a} still in {names}"
    assert after.outputs[0].type == out.type
    (expect,), (got,) = run(before, *values), run(after, *values)
    np.testing.assert_allclose(got, expect, rtol=1e-12, atol=1e-14)
    return after


# ----------------------------------------------------------------------------- useless + folding
# (id, build, n_inputs, present, absent)
USELESS_CASES = [
    ("add_zero", lambda x: x + 0, ["add"]),
    ("zero_add", lambda x: 0.0 + x, ["add"]),
    ("sub_zero", lambda x: x - 0, ["sub"]),
    ("mul_one", lambda x: x * 1, ["mul"]),
    ("one_mul", lambda x: 1 * x, ["mul"]),
    ("div_one", lambda x: x / 1, ["true_divide"]),
    ("pow_one", lambda x: x ** 1, ["power"]),
    ("sub_self", lambda x: pt.exp(x) - pt.exp(x), ["sub", "exp"]),
    ("neg_neg", lambda x: pt.neg(pt.neg(x)), ["neg"]),
    ("dimshuffle_identity", lambda x: DimShuffle(1, (0,))(x), ["DimShuffle"]),
    ("cast_same", lambda x: Cast("float64")(x), ["Cast"]),
    ("broadcast_same", lambda x: pt.broadcast_to(x, x.shape), ["BroadcastTo"]),
    ("reshape_same", lambda x: Reshape(1)(x, Shape()(x)), ["Reshape"]),
    ("switch_const", lambda x: pt.switch(True, x, -x), ["switch", "neg"]),
    ("switch_same", lambda x: pt.switch(x > 0, x, x), ["switch", "gt"]),
    ("identity", lambda x: pt.identity(x) * 2, ["Identity"]),
    ("stop_gradient", lambda x: pt.stop_gradient(x) * 2, ["StopGradient"]),
    ("fold", lambda x: x * pt.exp(pt.constant(2.0)), ["exp"]),
]


@pytest.mark.parametrize("build, absent", [c[1:] for c in USELESS_CASES],
                         ids=[c[0] for c in USELESS_CASES])
def test_useless(build, absent, rng):
    x = dv()
    check_case(build, [x], [], absent, [rng.normal(size=4)])


def test_sub_self_gives_zeros_of_the_right_dtype_and_shape():
    x = pt.lmatrix("x", shape=(None, 3))
    g = rewrite_graph(Graph([x], [x - x]))
    out = run(g, np.ones((2, 3), dtype="int64"))[0]
    assert out.dtype == np.int64 and out.shape == (2, 3) and not out.any()
    assert "sub" not in ops(g)


def test_dimshuffle_of_dimshuffle_is_one_dimshuffle(rng):
    x = pt.dmatrix("x")
    y = x.dimshuffle(1, "x", 0).dimshuffle(2, 0, 1)
    g = check_case(lambda x: y, [x], [], [], [rng.normal(size=(2, 3))])
    assert ops(g).count("DimShuffle") == 1
    g = check_case(lambda x: x.T.T * 2, [x], [], ["DimShuffle"], [rng.normal(size=(2, 3))])


def test_shape_of_static_tensor_is_a_constant():
    x = pt.dvector("x", shape=(3,))
    g = rewrite_graph(Graph([x], [Shape()(x)]))
    assert g.apply_nodes == () and list(g.outputs[0].data) == [3]


def test_useless_op_keeps_static_shape_by_broadcasting():
    x = pt.dscalar("x")
    out = x * pt.ones(3)
    g = check_case(lambda x: out, [x], ["BroadcastTo"], ["mul"], [np.array(2.0)])
    assert g.outputs[0].type.shape == (3,)


def test_useless_op_is_kept_when_the_shape_would_change():
    x = pt.dvector("x", shape=(1,))
    y = dv("y")
    out = x * pt.ones_like(y)
    g = check_case(lambda x, y: out, [x, y], ["mul"], [], [np.array([2.0]), np.zeros(4)])
    assert run(g, np.array([2.0]), np.zeros(4))[0].shape == (4,)


def test_constant_folding():
    x = dv()
    c = pt.constant(2.0)
    g = rewrite(Graph([x], [x + pt.exp(c) * pt.log(c)]), FOLD)
    assert ops(g) == ["add"]
    folded = g.outputs[0].owner.inputs[1]
    assert isinstance(folded, pt.TensorConstant)
    np.testing.assert_allclose(folded.data, np.exp(2.0) * np.log(2.0))


def test_constant_folding_skips_huge_results():
    x = dv()
    big = pt.broadcast_to(pt.constant(0.0), (10_000,))
    g = rewrite(Graph([x], [x + big]), FOLD + USELESS)
    assert "BroadcastTo" in ops(g)


def test_merge_in_the_pipeline_makes_graphs_smaller(rng):
    x = dv()
    out = pt.exp(x) * 2.0 + pt.exp(x) * 2.0
    g = check_case(lambda x: out, [x], [], [], [rng.normal(size=3)])
    assert ops(g).count("exp") == 1 and ops(g).count("mul") == 1


# ----------------------------------------------------------------------------- canonicalize
CANON_CASES = [
    ("add_neg", lambda x, y: x + (-y), ["sub"], ["neg", "add"]),
    ("neg_add", lambda x, y: (-y) + x, ["sub"], ["neg", "add"]),
    ("sub_neg", lambda x, y: x - (-y), ["add"], ["neg", "sub"]),
    ("neg_sub", lambda x, y: -(x - y), ["sub"], ["neg"]),
    ("mul_minus_one", lambda x, y: x * -1, ["neg"], ["mul"]),
    ("mul_minus_one_add", lambda x, y: x * -1 + y, ["sub"], ["mul", "neg", "add"]),
    ("gather_add", lambda x, y: (x + 1.0) + 2.0, ["add"], []),
    ("gather_mul", lambda x, y: (x * 2.0) * 3.0, ["mul"], []),
]


@pytest.mark.parametrize("build, present, absent", [c[1:] for c in CANON_CASES],
                         ids=[c[0] for c in CANON_CASES])
def test_canonicalize(build, present, absent, rng):
    g = check_case(build, [dv("x"), dv("y")], present, absent,
                   [rng.normal(size=3), rng.normal(size=3)])
    assert len(g.apply_nodes) <= 2


# ----------------------------------------------------------------------------- stabilize
# (id, build, present, absent, sample(rng) -> inputs, extreme inputs, reference(*inputs))
def _mat(rng):
    return [rng.normal(size=(3, 4))]


STABILIZE_CASES = [
    ("log1p", lambda x: pt.log(1 + x), ["log1p"], ["log"],
     lambda r: [r.uniform(-0.5, 2, 4)], [np.array([1e-20, -1e-18])], np.log1p),
    ("log1p_commuted", lambda x: pt.log(x + 1), ["log1p"], ["log"],
     lambda r: [r.uniform(-0.5, 2, 4)], [np.array([1e-20])], np.log1p),
    ("log_1m", lambda x: pt.log(1 - x), ["log1p"], ["log"],
     lambda r: [r.uniform(-2, 0.5, 4)], [np.array([1e-20])], lambda x: np.log1p(-x)),
    ("log_1m_exp", lambda x: pt.log(1 - pt.exp(x)), ["log1mexp"], ["log", "exp"],
     lambda r: [r.uniform(-3, -0.1, 4)], [np.array([-1e-20, -1e-300])],
     lambda x: np.log(-np.expm1(x))),
    ("log1p_neg_exp", lambda x: pt.log1p(-pt.exp(x)), ["log1mexp"], ["log1p", "exp"],
     lambda r: [r.uniform(-3, -0.1, 4)], [np.array([-1e-20])], lambda x: np.log(-np.expm1(x))),
    ("log_neg_expm1", lambda x: pt.log(-pt.expm1(x)), ["log1mexp"], ["log", "expm1"],
     lambda r: [r.uniform(-3, -0.1, 4)], None, lambda x: np.log(-np.expm1(x))),
    ("log1p_exp", lambda x: pt.log1p(pt.exp(x)), ["softplus"], ["log1p", "exp"],
     lambda r: [r.normal(size=4)], [np.array([800.0, -800.0])], lambda x: np.logaddexp(0, x)),
    ("log_1p_exp", lambda x: pt.log(1 + pt.exp(x)), ["softplus"], ["log", "exp"],
     lambda r: [r.normal(size=4)], [np.array([800.0])], lambda x: np.logaddexp(0, x)),
    ("log_sigmoid", lambda x: pt.log(pt.sigmoid(x)), ["softplus"], ["log", "sigmoid"],
     lambda r: [r.normal(size=4)], [np.array([-800.0, 800.0])], lambda x: -np.logaddexp(0, -x)),
    ("log_1m_sigmoid", lambda x: pt.log(1 - pt.sigmoid(x)), ["softplus"], ["log", "sigmoid"],
     lambda r: [r.normal(size=4)], [np.array([800.0, -800.0])], lambda x: -np.logaddexp(0, x)),
    ("log1p_neg_sigmoid", lambda x: pt.log1p(-pt.sigmoid(x)), ["softplus"], ["log1p", "sigmoid"],
     lambda r: [r.normal(size=4)], [np.array([800.0])], lambda x: -np.logaddexp(0, x)),
    ("log_exp", lambda x: pt.log(pt.exp(x)), [], ["log", "exp"],
     lambda r: [r.normal(size=4)], [np.array([800.0, -800.0])], lambda x: x),
    ("log1p_expm1", lambda x: pt.log1p(pt.expm1(x)), [], ["log1p", "expm1"],
     lambda r: [r.normal(size=4)], [np.array([800.0])], lambda x: x),
    ("exp_log", lambda x: pt.exp(pt.log(x)), ["switch"], ["log", "exp"],
     lambda r: [np.abs(r.normal(size=4)) * np.array([1, 1, -1, 0])], None,
     lambda x: np.where(x >= 0, x, np.nan)),
    ("expm1", lambda x: pt.exp(x) - 1, ["expm1"], ["exp", "sub"],
     lambda r: [r.normal(size=4)], [np.array([1e-20, -1e-25])], np.expm1),
    ("expm1_add", lambda x: -1 + pt.exp(x), ["expm1"], ["exp", "add"],
     lambda r: [r.normal(size=4)], [np.array([1e-20])], np.expm1),
    ("log_sum_exp", lambda x: pt.log(pt.sum(pt.exp(x))), ["Max"], [],
     lambda r: [r.normal(size=4)], [np.array([1000.0, 1000.0])], sp.logsumexp),
    ("log_sum_exp_axis", lambda x: pt.log(pt.sum(pt.exp(x), axis=1)), ["Max"], [], _mat,
     [np.array([[1000.0, 999.0], [-1000.0, -1001.0]])], lambda x: sp.logsumexp(x, axis=1)),
    ("log_sum_exp_keepdims", lambda x: pt.log(pt.sum(pt.exp(x), axis=0, keepdims=True)), ["Max"],
     [],
     _mat, [np.array([[1000.0, -1000.0], [1000.0, -1001.0]])],
     lambda x: sp.logsumexp(x, axis=0, keepdims=True)),
    ("log_softmax", lambda x: pt.log(pt.nnet.softmax(x)), [], ["true_divide"],
     lambda r: [r.normal(size=4)], [np.array([1000.0, 0.0])], lambda x: x - sp.logsumexp(x)),
    ("log_exp_div", lambda x: pt.log(pt.exp(x) / 3.0), [], ["exp", "true_divide"],
     lambda r: [r.normal(size=4)], [np.array([800.0])], lambda x: x - np.log(3.0)),
    ("log_diff_exp", lambda x: pt.log(pt.exp(x) - pt.exp(x - 1)), ["log1mexp"], ["exp"],
     lambda r: [r.normal(size=4)], [np.array([800.0])], lambda x: x + np.log(-np.expm1(-1.0))),
    ("log_add_exp", lambda x: pt.log(pt.exp(x) + pt.exp(2 * x)), ["logaddexp"], ["exp"],
     lambda r: [r.normal(size=4)], [np.array([800.0])], lambda x: np.logaddexp(x, 2 * x)),
    ("log_erfc", lambda x: pt.log(pt.erfc(x)), ["log_ndtr"], ["erfc"],
     lambda r: [r.normal(size=4) * 3], [np.array([30.0, -30.0])],
     lambda x: np.log(2) + sp.log_ndtr(-x * np.sqrt(2))),
    ("log_ndtr", lambda x: pt.log(pt.ndtr(x)), ["log_ndtr"], ["ndtr"],
     lambda r: [r.normal(size=4) * 3], [np.array([-40.0, 40.0])], sp.log_ndtr),
]


def _symbolic(values):
    return [pt.tensor(f"x{i}", dtype=v.dtype, shape=(None,) * v.ndim) for i, v in enumerate(values)]


@pytest.mark.parametrize("case", STABILIZE_CASES, ids=[c[0] for c in STABILIZE_CASES])
def test_stabilize_fires_and_keeps_values(case, rng):
    _, build, present, absent, sample, _, ref = case
    values = sample(rng)
    inputs = _symbolic(values)
    g = check_case(build, inputs, present, absent, values)
    np.testing.assert_allclose(run(g, *values)[0], ref(*values), rtol=1e-10)


EXTREME = [c for c in STABILIZE_CASES if c[5] is not None]


@pytest.mark.parametrize("case", EXTREME, ids=[c[0] for c in EXTREME])
def test_stabilize_extreme_values(case, mode):
    """The naive graph is wrong (inf/nan/cancelled) at these inputs, the rewritten one is right."""
    if mode == "numba":
        pytest.importorskip("probgraph.backends.numba.codegen")
    _, build, _, _, _, values, ref = case
    inputs = _symbolic(values)
    out = build(*inputs)
    naive = pg.function(inputs, out, mode="python", rewrite=False)(*values)
    good = pg.function(inputs, out, mode=mode)(*values)
    expect = ref(*values)
    assert np.all(np.isfinite(good)), good
    np.testing.assert_allclose(good, expect, rtol=1e-9, atol=0)
    assert not np.allclose(naive, expect, rtol=1e-9, atol=0)


def test_log_sum_exp_is_not_applied_to_its_own_output():
    x = dv()
    counts = {}
    g = rewrite_graph(Graph([x], [pt.logsumexp(x), pt.nnet.log_softmax(x)]), counts=counts)
    assert "log_sum_exp" not in counts
    assert ops(g).count("Max") == 1  # merged


def test_float32_stays_float32(rng):
    x = pt.fvector("x")
    values = [rng.normal(size=4).astype("float32")]
    for build in (lambda x: pt.log(1 + pt.exp(x)), lambda x: pt.log(pt.sigmoid(x)),
                  lambda x: x ** 2,
                  lambda x: pt.log(pt.erfc(x)), lambda x: pt.log(pt.sum(pt.exp(x)))):
        out = build(x)
        g = rewrite_graph(Graph([x], [out]))
        assert g.outputs[0].type == out.type
        assert run(g, *values)[0].dtype == np.float32


def test_integer_input_gets_a_cast_back():
    x = pt.lvector("x")
    out = pt.log(pt.exp(x))
    g = check_case(lambda x: out, [x], ["Cast"], ["log", "exp"], [np.array([1, 2, 3])])
    assert g.outputs[0].dtype == "float64"


def test_include_stabilize_false():
    x = dv()
    g = rewrite_graph(Graph([x], [pt.log(1 + x)]), include_stabilize=False)
    assert "log" in ops(g) and "log1p" not in ops(g)


# ----------------------------------------------------------------------------- specialize
SPECIALIZE_CASES = [
    ("pow_two", lambda x, y: x ** 2, ["square"], ["power"]),
    ("pow_half", lambda x, y: pt.abs(x) ** 0.5, ["sqrt"], ["power"]),
    ("pow_minus_one", lambda x, y: x ** -1, ["reciprocal"], ["power"]),
    ("pow_minus_half", lambda x, y: pt.abs(x) ** -0.5, ["reciprocal", "sqrt"], ["power"]),
    ("sum_mul_dot", lambda x, y: pt.sum(x * y), ["Dot"], ["mul", "Sum"]),
]


@pytest.mark.parametrize("build, present, absent", [c[1:] for c in SPECIALIZE_CASES],
                         ids=[c[0] for c in SPECIALIZE_CASES])
def test_specialize(build, present, absent, rng):
    check_case(build, [dv("x"), dv("y")], present, absent, [rng.normal(size=5), rng.normal(size=5)])


def test_sum_mul_with_broadcasting_is_not_a_dot(rng):
    x, y = dv("x"), pt.dvector("y", shape=(1,))
    check_case(lambda x, y: pt.sum(x * y), [x, y], ["mul", "Sum"], ["Dot"],
               [rng.normal(size=5), rng.normal(size=1)])


def test_integer_power_minus_one_is_left_alone():
    x = pt.lvector("x")
    g = rewrite_graph(Graph([x], [x ** -1]))
    assert "power" in ops(g)


# ----------------------------------------------------------------------------- before and after
# grad

def test_grad_rewrites_the_cost_first():
    x = pt.dscalar("x")
    cost = pt.log(1 + pt.exp(x))
    g = pg.grad(cost, x)
    naive = pg.grad(cost, x, rewrite=False)
    f = pg.function([x], [g, naive], mode="python", rewrite=False)
    good, bad = f(800.0)
    assert good == pytest.approx(1.0) and not np.isfinite(bad)
    x2 = dv()
    g2 = pg.grad(pt.log(pt.sigmoid(x2)).sum(), x2)
    np.testing.assert_allclose(pg.function([x2], g2, mode="python")(np.array([-800.0, 0.0])),
                               [1.0, 0.5])


def test_rewrite_pregrad_keeps_wrt_consider_constant_and_stop_gradient():
    x = dv()
    y = x * 2
    cost = pt.log(1 + pt.exp(y)).sum()
    new = rewrite_pregrad(cost, [y])
    assert new.owner.inputs[0].owner.inputs[0] is y
    gy = pg.grad(cost, y)
    np.testing.assert_allclose(pg.function([x], gy, mode="python")(np.array([0.0, 1.0])),
                               sp.expit([0.0, 2.0]))
    # stop_gradient survives before grad
    gs = pg.grad((pt.stop_gradient(x) * x).sum(), x)
    np.testing.assert_allclose(pg.function([x], gs, mode="python")(np.array([3.0])), [3.0])
    # consider_constant variables are kept
    z = pt.exp(x) * 1
    gc = pg.grad((z * x).sum(), x, consider_constant=[z])
    np.testing.assert_allclose(pg.function([x], gc, mode="python")(np.array([0.5])), np.exp([0.5]))


def test_rewrite_pregrad_keeps_connectivity():
    x = dv()
    g = pg.grad((x - x).sum(), x)
    np.testing.assert_array_equal(pg.function([x], g, mode="python")(np.ones(2)), [0.0, 0.0])


def test_jacobian_and_verify_grad_still_work():
    x = pt.dvector("x", shape=(2,))
    J = pg.jacobian(pt.log(1 + pt.exp(x)), x)
    np.testing.assert_allclose(pg.function([x], J, mode="python")(np.array([0.0, 800.0])),
                               np.diag([0.5, 1.0]))
    pg.verify_grad(lambda x: pt.log(1 - pt.sigmoid(x)) + pt.log(pt.sum(pt.exp(x))),
                   [np.array([0.3, -1.2])])


def test_pipeline_on_a_gradient_graph(rng):
    w, X, yv = dv("w"), pt.dmatrix("X"), dv("y")
    eta = pt.dot(X, w) if hasattr(pt, "dot") else (X * w).sum(axis=1)
    logp = (yv * pt.log(pt.sigmoid(eta)) + (1 - yv)
            * pt.log(1 - pt.sigmoid(eta))).sum() - (w ** 2).sum() / 2
    gw = pg.grad(logp, w, rewrite=False)
    before = Graph([w, X, yv], [logp, gw])
    after = rewrite_graph(before)
    assert len(after.apply_nodes) < len(before.apply_nodes)
    assert "softplus" in ops(after) and "sigmoid" in ops(after)
    vals = [rng.normal(size=3), rng.normal(size=(6, 3)), (rng.random(6) < 0.5).astype(float)]
    for a, b in zip(run(after, *vals), run(before, *vals)):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    # far in the tails the rewritten log-density stays finite
    vals[0] = np.array([300.0, -300.0, 300.0])
    assert np.all(np.isfinite(run(after, *vals)[0]))


def test_unsigned_negation_is_not_rewritten():
    x, y = pt.tensor("x", dtype="uint8", shape=(None,)), pt.tensor("y", dtype="uint8",
                                                                   shape=(None,))
    vals = [np.array([1, 200], dtype="uint8"), np.array([3, 100], dtype="uint8")]
    for out in (pt.log(1 - x), pt.cast(x, "float64") + (-y)):
        before = Graph([x, y], [out])
        after = rewrite_graph(before)
        np.testing.assert_array_equal(run(after, *vals)[0], run(before, *vals)[0])
