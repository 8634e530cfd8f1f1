"""Tests for the pattern matcher, the fixpoint rewrite driver and merging (CSE)."""

import warnings

import numpy as np
import pytest

import probgraph.rewriting  # noqa: F401  (registers the value views used by scalar_constant)
import probgraph.tensor as pt
from probgraph.backends.python import compile_graph
from probgraph.graph.basic import Apply
from probgraph.graph.fg import Graph
from probgraph.graph.op import Op
from probgraph.graph.rewrite import (
    PatternRewriter,
    RewriteWarning,
    match,
    merge,
    named,
    node_rewriter,
    op_name,
    rewrite,
    scalar_constant,
)
from probgraph.tensor.math import Cast
from probgraph.tensor.reduce import Reduce

pytestmark = pytest.mark.filterwarnings("error::probgraph.graph.rewrite.RewriteWarning")

def ops(graph):
    return [op_name(n.op) for n in graph.apply_nodes]


LOG1P = PatternRewriter((pt.log, (pt.add, 1, "x")), (pt.log1p, "x"), name="log1p")


# ----------------------------------------------------------------------------- matching

def test_match_binds_variables_and_requires_same_variable_for_same_name():
    x, y = pt.dvector("x"), pt.dvector("y")
    (b,) = list(match((pt.mul, "a", "a"), x * x))
    assert b["a"] is x
    assert list(match((pt.mul, "a", "a"), x * y)) == []


@pytest.mark.parametrize("const", [
    pt.constant(1.0), pt.constant(np.float32(1.0)), pt.constant(1), pt.constant(np.ones(3)),
    pt.broadcast_to(pt.constant(1.0), (2, 3)),
], ids=["f64", "f32", "int", "array", "broadcast"])
def test_number_matches_uniform_constant_of_any_dtype_and_shape(const):
    x = pt.dvector("x")
    out = pt.log(const + x) if const.ndim <= 1 else pt.log(const + pt.dmatrix("m"))
    assert list(match((pt.log, (pt.add, 1, "x")), out))
    assert not list(match((pt.log, (pt.add, 2, "x")), out))


def test_non_uniform_constant_does_not_match():
    x = pt.dvector("x")
    assert scalar_constant(pt.constant([1.0, 2.0])) is None
    assert not list(match((pt.add, 1, "x"), pt.constant([1.0, 2.0]) + x))


def test_commutative_ops_match_both_orders_but_others_do_not():
    x = pt.dvector("x")
    assert list(match((pt.add, 1, "x"), x + 1))
    assert list(match((pt.add, 1, "x"), 1 + x))
    assert list(match((pt.sub, 1, "x"), 1 - x))
    assert not list(match((pt.sub, 1, "x"), x - 1))


@pytest.mark.parametrize("head", ["log", pt.log, pt.log.op, pt.Elemwise],
                         ids=["name", "fn", "op", "class"])
def test_heads(head):
    x = pt.dvector("x")
    assert list(match((head, "x"), pt.log(x)))
    if head is not pt.Elemwise:
        assert not list(match((head, "x"), pt.exp(x)))


def test_head_with_props_and_named_constraint():
    x = pt.dmatrix("x")
    s = pt.sum(x, axis=1)
    assert list(match(((Reduce, {"kind": "sum"}), "x"), s))
    assert not list(match(((Reduce, {"kind": "max"}), "x"), s))
    big = named("x", constraint=lambda v: v.ndim == 2)
    assert list(match((pt.exp, big), pt.exp(x)))
    assert not list(match((pt.exp, big), pt.exp(pt.dvector())))
    (b,) = list(match((pt.log, named("e", (pt.exp, "y"))), pt.log(pt.exp(x))))
    assert b["y"] is x and b["e"].owner.op == pt.exp.op


def test_pattern_rewriter_constraint_and_callable_output():
    x = pt.dvector("x")
    rule = PatternRewriter((pt.mul, "x", 2), lambda x: x + x, constraint=lambda b: b["x"].ndim == 1)
    (out,) = rule((x * 2).owner)
    assert op_name(out.owner.op) == "add"
    assert rule((pt.dmatrix() * 2).owner) is None


# ----------------------------------------------------------------------------- the driver

def test_rewrite_returns_a_new_graph_and_leaves_the_old_one_alone():
    x = pt.dvector("x")
    g = Graph([x], [pt.log(1 + x) * 2])
    key = g.structural_key
    g2 = rewrite(g, [LOG1P])
    assert "log1p" in ops(g2) and "log" not in ops(g2)
    assert g.structural_key == key and "log" in ops(g)
    assert g2.inputs == g.inputs


def test_replacements_are_rewritten_in_turn():
    x = pt.dvector("x")
    neg_to_mul = PatternRewriter((pt.neg, "x"), (pt.mul, "x", -1), name="neg")
    mul_m1 = PatternRewriter((pt.mul, "x", -1), (pt.sub, 0, "x"), name="mulm1")
    counts = {}
    g = rewrite(Graph([x], [pt.exp(-x)]), [neg_to_mul, mul_m1], counts=counts)
    assert ops(g)[-1] == "exp" and "sub" in ops(g) and "neg" not in ops(g) and "mul" not in ops(g)
    assert counts == {"neg": 1, "mulm1": 1}


def test_tracks_dispatch_only_to_matching_nodes():
    seen = []

    @node_rewriter(Cast)
    def spy(node):
        seen.append(node.op)

    x = pt.dvector("x")
    rewrite(Graph([x], [pt.exp(x).astype("float32") + 1]), [spy])
    assert all(isinstance(o, Cast) for o in seen) and len(seen) == 1


def test_blockers_are_kept():
    x = pt.dvector("x")
    y = pt.log(1 + x)
    g = rewrite(Graph([y], [pt.exp(y)]), [LOG1P])
    assert g.outputs[0].owner.inputs[0] is y


def test_type_changing_replacement_is_refused_by_default():
    x = pt.dvector("x")
    to_f32 = PatternRewriter((pt.exp, "x"), lambda x: pt.exp(x.astype("float32")))
    g = rewrite(Graph([x], [pt.exp(x)]), [to_f32])
    assert ops(g) == ["exp"]


def test_a_cycling_pair_of_rules_stops_with_a_warning():
    x = pt.dvector("x")
    a = PatternRewriter((pt.exp, "x"), (pt.exp2, "x"), name="a")
    b = PatternRewriter((pt.exp2, "x"), (pt.exp, "x"), name="b")
    with pytest.warns(RewriteWarning, match="budget"):
        g = rewrite(Graph([x], [pt.exp(x)]), [a, b])
    assert len(g.apply_nodes) == 1


def test_a_rule_returning_its_own_node_is_ignored():
    x = pt.dvector("x")

    @node_rewriter(pt.exp)
    def wrap(node):
        return [pt.identity(node.outputs[0])]

    assert ops(rewrite(Graph([x], [pt.exp(x)]), [wrap])) == ["exp"]


def test_a_failing_rule_warns_and_is_skipped():
    @node_rewriter(pt.exp)
    def broken(node):
        raise RuntimeError("boom")

    x = pt.dvector("x")
    with pytest.warns(RewriteWarning, match="boom"):
        g = rewrite(Graph([x], [pt.exp(x)]), [broken])
    assert ops(g) == ["exp"]
    with pytest.raises(RuntimeError, match="boom"):
        rewrite(Graph([x], [pt.exp(x)]), [broken], on_error="raise")


class TwoOut(Op):
    """A test op with two outputs: (x, -x)."""

    def make_node(self, x):
        return Apply(self, [x], [x.type, x.type])

    def perform(self, node, inputs):
        return [inputs[0], -inputs[0]]


def test_multi_output_node_partially_replaced():
    x = pt.dvector("x")
    a, b = TwoOut()(x)

    @node_rewriter(TwoOut)
    def second(node):
        return [None, pt.neg(node.inputs[0])]

    g = rewrite(Graph([x], [a * 2, b * 2]), [second])
    assert "TwoOut" in ops(g) and "neg" in ops(g)
    got = compile_graph(g)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(got[0], [2.0, 4.0])
    np.testing.assert_allclose(got[1], [-2.0, -4.0])


def test_deep_graph_does_not_recurse():
    x = pt.dscalar("x")
    y = x
    for _ in range(3000):
        y = pt.log(1 + y)
    g = rewrite(Graph([x], [y]), [LOG1P])
    assert set(ops(g)) == {"log1p"}


# ----------------------------------------------------------------------------- merge (CSE)

def test_merge_equal_nodes_and_constants():
    x = pt.dvector("x")
    out = pt.exp(x + 2.0) * pt.exp(x + 2.0)
    g = merge(Graph([x], [out]))
    assert ops(g).count("exp") == 1 and ops(g).count("add") == 1
    mul = g.outputs[0].owner
    assert mul.inputs[0] is mul.inputs[1]


def test_merge_keeps_different_constants_and_dtypes_apart():
    x = pt.dvector("x")
    f = pt.fvector("f")
    out1 = (x + pt.constant(2.0)) * (x + pt.constant(3.0))
    out2 = f + pt.constant(np.float32(2.0))
    g = merge(Graph([x, f], [out1, out2]))
    consts = {id(i) for n in g.apply_nodes for i in n.inputs if isinstance(i, pt.TensorConstant)}
    assert ops(g).count("add") == 3 and len(consts) == 3


def test_merge_never_merges_into_an_input():
    x = pt.dvector("x")
    y = pt.exp(x)
    g = merge(Graph([x, y], [pt.exp(x) + y]))
    add = g.outputs[0].owner
    assert add.inputs[1] is y and add.inputs[0] is not y


def test_no_warnings_on_plain_graphs():
    x = pt.dvector("x")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rewrite(Graph([x], [pt.exp(x).sum()]), [LOG1P])
