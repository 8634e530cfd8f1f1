"""Structure of the generated code behind the benchmark figures: loop counts, no folded transposes
of big constants, sibling loops merged only when safe. Checks the source, never timings."""

import re

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.backends.numba import generate_source
from probgraph.graph.basic import Constant
from probgraph.graph.fg import Graph
from probgraph.rewriting import rewrite_graph


def _source(inputs, outputs):
    graph = rewrite_graph(Graph(inputs, outputs))
    return graph, generate_source(graph)[0]


def _loops_over(src: str, n: int) -> int:
    return len(re.findall(rf"for i\d+ in range\({n}\):", src))


def _hier_logistic(N=300, G=7, K=3):
    """The benchmark's hier_logistic model at a small size (logp and gradient on a flat vector)."""
    rng = np.random.default_rng(0)
    q = pt.dvector("q", shape=(2 + G + K,))
    mu_a, log_sigma_a, a_raw, beta = q[0], q[1], q[2:2 + G], q[2 + G:]
    X, g = pt.constant(rng.normal(size=(N, K))), pt.constant(rng.integers(0, G, N))
    y = pt.constant((rng.random(N) > 0.5).astype("float64"))
    eta = (mu_a + pt.exp(log_sigma_a) * a_raw)[g] + pt.dot(X, beta)
    logp = (y * eta - pt.softplus(eta)).sum() - 0.5 * (a_raw ** 2).sum() - 0.5 * (beta ** 2).sum()
    return q, [logp, pg.grad(logp, q)], rng.normal(size=2 + G + K) * 0.3


def _linreg(N=2000, K=4):
    rng = np.random.default_rng(1)
    q = pt.dvector("q", shape=(K + 2,))
    beta, a, log_sigma = q[:K], q[K], q[K + 1]
    X, y = pt.constant(rng.normal(size=(N, K))), pt.constant(rng.normal(size=N))
    loglik = -0.5 * (((y - pt.dot(X, beta) - a) / pt.exp(log_sigma)) ** 2).sum() - N * log_sigma
    return q, [loglik, pg.grad(loglik, q)], rng.normal(size=K + 2) * 0.3


def test_hier_logistic_runs_one_loop_over_the_data():
    q, outs, _ = _hier_logistic()
    _, src = _source([q], outs)
    # softplus (logp) and sigmoid (gradient) over the same eta share one loop
    assert _loops_over(src, 300) == 1
    assert src.count("rt.softplus") == 1 and src.count("rt.sigmoid") == 1
    # the gather and its scatter-add gradient: one helper call each
    assert src.count("kr.take(") == 1 and src.count("kr.scatter(") == 1


def test_linreg_keeps_transpose_of_big_constant_symbolic():
    q, outs, _ = _linreg()
    graph, src = _source([q], outs)
    consts = [v for node in graph.apply_nodes for v in node.inputs if isinstance(v, Constant)]
    assert not any(c.type.ndim == 2 and c.data.shape == (4, 2000) for c in consts), \
        "X.T was folded into a constant"
    assert re.search(r"kr\.dot\(v\d+, v\d+\)", src) and re.search(r"= c\d+\.T$", src, re.MULTILINE)
    assert _loops_over(src, 2000) == 1


def test_small_constant_views_are_still_folded():
    x = pt.dvector("x", shape=(3,))
    W = pt.constant(np.arange(12.0).reshape(3, 4))
    graph = rewrite_graph(Graph([x], [pt.dot(W.T, x)]))
    (dot,) = graph.apply_nodes
    assert isinstance(dot.inputs[0], Constant) and dot.inputs[0].data.shape == (4, 3)


@pytest.mark.parametrize("model", [_hier_logistic, _linreg])
def test_fused_models_match_python(model):
    q, outs, x0 = model()
    got = pg.function([q], outs, mode="numba")(x0)
    want = pg.function([q], outs, mode="python")(x0)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_sibling_fusion_respects_dependencies():
    x = pt.dvector("x", shape=(50,))
    s = pt.exp(x).sum()                       # a reduction ...
    centred = pt.exp(x) - s                   # ... read by a sibling over the same shape: not
                                              # merged
    both = pt.tanh(x) * 2                     # independent sibling: merged with the reduction's
                                              # loop
    out = [centred, both, pt.sin(both) + x]   # reads a sibling's elementwise output at the same
                                              # index
    _, src = _source([x], out)
    assert _loops_over(src, 50) == 2
    v = np.linspace(-1, 1, 50)
    got = pg.function([x], out, mode="numba")(v)
    want = [np.exp(v) - np.exp(v).sum(), np.tanh(v) * 2, np.sin(np.tanh(v) * 2) + v]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_sibling_fusion_over_run_time_sizes():
    """Data of unknown static length (``pg.Data``, shared variables): the logp's reduction loop and
    the gradient's loop are still one loop, because both check their sizes against the same data."""
    rng = np.random.default_rng(2)
    y = pg.shared(rng.normal(size=40), name="y")
    w = pg.shared(rng.normal(size=40), name="w")
    q = pt.dvector("q", shape=(1,))
    r = y - q[0] * w
    logp = -0.5 * (r ** 2).sum() - pt.softplus(r).sum()
    graph, src = _source([q, y, w], [logp, pg.grad(logp, q)])
    loops = re.findall(r"for i\d+ in range\((\w+)\):", src)
    assert len(loops) == 1, src
    f = pg.function([q], [logp, pg.grad(logp, q)], mode="numba")
    g = pg.function([q], [logp, pg.grad(logp, q)], mode="python")
    for a, b in zip(f(np.array([0.3])), g(np.array([0.3]))):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    y.set_value(rng.normal(size=41))  # now y and w disagree: the fused loop's checks catch it
    with pytest.raises(ValueError):
        f(np.array([0.3]))
