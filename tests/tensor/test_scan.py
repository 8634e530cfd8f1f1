"""scan: Theano's loop contract, taps, updates, until, errors, and gradients against finite
differences."""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt


def run(outputs, inputs, values, mode):
    return pg.function(inputs, outputs, mode=mode)(*values)


def test_cumulative_sum_matches_numpy(mode):
    x = pt.dvector("x")
    out, updates = pg.scan(lambda x_t, acc: acc + x_t, sequences=[x],
                           outputs_info=[pt.constant(0.0)])
    assert updates == {}
    v = np.array([1.0, -2.0, 3.5, 4.0])
    np.testing.assert_allclose(run(out, [x], [v], mode), np.cumsum(v))


def test_argument_order_sequences_outputs_nonsequences(mode):
    x = pt.dvector("x")
    w = pt.dscalar("w")
    seen = []

    def step(x_t, h_prev, w_):
        seen.append((x_t.ndim, h_prev.ndim, w_.ndim))
        return w_ * h_prev + x_t

    h, _ = pg.scan(step, sequences=x, outputs_info=pt.constant(1.0), non_sequences=w)
    assert seen == [(0, 0, 0)]
    xv = np.array([0.5, 1.0, -1.0])
    expected, prev = [], 1.0
    for xt in xv:
        prev = 0.3 * prev + xt
        expected.append(prev)
    np.testing.assert_allclose(run(h, [x, w], [xv, 0.3], mode), expected)


def test_sequence_taps_and_nitsot_output(mode):
    x = pt.dvector("x")
    out, _ = pg.scan(lambda a, b, c: a - 2 * b + c, sequences=[dict(input=x, taps=[-1, 0, 1])],
                     outputs_info=[None])
    v = np.arange(6.0) ** 2
    np.testing.assert_allclose(run(out, [x], [v], mode), v[:-2] - 2 * v[1:-1] + v[2:])


def test_multiple_output_taps_fibonacci(mode):
    x0 = pt.dvector("x0", shape=(2,))
    fib, _ = pg.scan(lambda a, b: a + b, outputs_info=[dict(initial=x0, taps=[-2, -1])], n_steps=6)
    np.testing.assert_allclose(run(fib, [x0], [np.array([1.0, 1.0])], mode),
                               [2, 3, 5, 8, 13, 21])


def test_n_steps_without_sequences_and_free_variable_lifting(mode):
    a = pt.dscalar("a")  # used inside fn without being passed: lifted automatically
    out, _ = pg.scan(lambda prev: prev * a, outputs_info=[pt.constant(1.0)], n_steps=4)
    np.testing.assert_allclose(run(out, [a], [2.0], mode), [2, 4, 8, 16])


def test_go_backwards(mode):
    x = pt.dvector("x")
    out, _ = pg.scan(lambda x_t, acc: acc + x_t, sequences=[x], outputs_info=[pt.constant(0.0)],
                     go_backwards=True)
    v = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(run(out, [x], [v], mode), np.cumsum(v[::-1]))


def test_until_stops_early():
    out, _ = pg.scan(lambda prev: (prev * 2, pg.until(prev * 2 > 50)),
                     outputs_info=[pt.constant(1.0)], n_steps=100)
    np.testing.assert_allclose(out.eval(), [2, 4, 8, 16, 32, 64])


def test_updates_of_a_shared_counter(mode):
    count = pg.shared(np.array(0.0), name="count")
    x = pt.dvector("x")

    def step(x_t):
        return x_t * 2, {count: count + 1}

    out, updates = pg.scan(step, sequences=[x], outputs_info=[None])
    f = pg.function([x], out, updates=updates, mode=mode)
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0])), [2, 4, 6])
    assert float(count.get_value()) == 3.0


def test_shape_mismatch_error_names_output():
    x0 = pt.dvector("x0", shape=(4,))
    w = pt.dmatrix("w", shape=(3, 4))
    with pytest.raises(ValueError,
                       match=r"output 0 has shape \(3,\) but its initial value has shape \(4,\)"):
        pg.scan(lambda h: pt.dot(w, h), outputs_info=[x0], n_steps=3)


def test_taps_reaching_before_start_error():
    x0 = pt.dvector("x0", shape=(1,))
    with pytest.raises(ValueError, match="reaching 2 steps back"):
        pg.scan(lambda a, b: a + b, outputs_info=[dict(initial=x0, taps=[-2, -1])], n_steps=3)


# ------------------------------------------------------------------ memory: last step only
def _scans(f):
    return [n for n in f.graph.apply_nodes if isinstance(n.op, pg.tensor.scan.Scan)]


def test_output_read_only_at_last_step_keeps_one_entry(mode):
    x = pt.dvector("x")
    h, _ = pg.scan(lambda x_t, prev: 0.5 * prev + x_t, sequences=[x],
                   outputs_info=[pt.constant(1.0)])
    f_last = pg.function([x], h[-1], mode=mode)
    (node,) = _scans(f_last)
    assert node.op.save_last == (True,)
    v = np.array([0.5, -1.0, 2.0, 3.0])
    expected = np.empty(4)
    prev = 1.0
    for t, xt in enumerate(v):
        prev = 0.5 * prev + xt
        expected[t] = prev
    np.testing.assert_allclose(f_last(v), expected[-1])
    # the same output also used whole keeps every step
    f_both = pg.function([x], [h[-1], h], mode=mode)
    assert _scans(f_both)[0].op.save_last == (False,)
    last, whole = f_both(v)
    np.testing.assert_allclose(whole, expected)
    np.testing.assert_allclose(last, expected[-1])


def test_last_step_only_with_zero_steps_still_raises_on_indexing(mode):
    x = pt.dvector("x")
    h, _ = pg.scan(lambda x_t, prev: prev + x_t, sequences=[x], outputs_info=[pt.constant(0.0)])
    f = pg.function([x], h[-1], mode=mode)
    assert _scans(f)[0].op.save_last == (True,)
    with pytest.raises((IndexError, pg.backends.python.EvaluationError)):
        f(np.zeros(0))


def test_last_step_only_for_per_step_outputs_and_until():
    start = pt.dscalar("start")
    out, _ = pg.scan(lambda prev: (prev * 2, pg.until(prev * 2 > 50)),
                     outputs_info=[start], n_steps=100)
    for mode in ("python", "numba"):
        f = pg.function([start], out[-1], mode=mode)
        assert _scans(f)[0].op.save_last == (True,)
        assert float(f(1.0)) == 64.0
        assert float(f(100.0)) == 200.0
    x = pt.dmatrix("x")
    ys, _ = pg.scan(lambda x_t: pt.exp(x_t), sequences=[x], outputs_info=[None])
    for mode in ("python", "numba"):
        f = pg.function([x], ys[-1], mode=mode)
        assert _scans(f)[0].op.save_last == (True,)
        v = np.arange(6.0).reshape(3, 2)
        np.testing.assert_allclose(f(v), np.exp(v[-1]))


def test_backward_scan_keeps_only_the_final_non_sequence_gradient(mode, rng):
    W, X = pt.dmatrix("W"), pt.dmatrix("X")
    hs, _ = pg.scan(lambda x_t, h, W_: pt.tanh(W_ @ h + x_t), sequences=[X],
                    outputs_info=[pt.zeros(3)], non_sequences=[W])
    f = pg.function([X, W], pg.grad(hs.sum(), W), mode=mode)
    backward = [n for n in _scans(f) if n.op.name and n.op.name.startswith("grad_of")]
    assert backward and all(backward[0].op.save_last[:backward[0].op.n_carry])
    Xv, Wv = rng.normal(size=(6, 3)), 0.5 * rng.normal(size=(3, 3))
    cost = pg.function([X, W], hs.sum(), mode="python")
    eps, num = 1e-6, np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            d = np.zeros((3, 3))
            d[i, j] = eps
            num[i, j] = (cost(Xv, Wv + d) - cost(Xv, Wv - d)) / (2 * eps)
    np.testing.assert_allclose(f(Xv, Wv), num, rtol=1e-6, atol=1e-8)


def test_backward_scan_reads_stored_states_and_skips_unrequested_outputs(mode):
    """The gradient step reuses the forward trace (no tanh recomputed) and, with only W's gradient
    asked for, no longer computes the gradient of the sequence X."""
    W, X = pt.dmatrix("W"), pt.dmatrix("X")
    hs, _ = pg.scan(lambda x_t, h, W_: pt.tanh(W_ @ h + x_t), sequences=[X],
                    outputs_info=[pt.zeros(3)], non_sequences=[W])
    f = pg.function([X, W], pg.grad((hs ** 2).sum(), W), mode=mode)
    (backward,) = [n for n in _scans(f) if n.op.name and n.op.name.startswith("grad_of")]
    from probgraph.rewriting import rewrite_graph
    inner = rewrite_graph(backward.op.inner)
    assert not any("tanh" in str(n.op) for n in inner.apply_nodes)
    assert backward.op.n_ys == 0
    rng = np.random.default_rng(3)
    Xv, Wv = rng.normal(size=(5, 3)), 0.5 * rng.normal(size=(3, 3))
    want = pg.function([X, W], pg.grad((hs ** 2).sum(), W), mode="python", rewrite=False)
    np.testing.assert_allclose(f(Xv, Wv), want(Xv, Wv), rtol=1e-10)


# ------------------------------------------------------------------ gradients
def _ar1(phi, sigma, z):
    x, _ = pg.scan(lambda z_t, prev, phi_, s_: phi_ * prev + s_ * z_t, sequences=[z],
                   outputs_info=[pt.constant(0.0)], non_sequences=[phi, sigma])
    return x


@pytest.mark.parametrize("case", ["ar1", "taps", "nitsot_nonseq", "vector_carry"])
def test_gradients_through_scan_match_finite_differences(case, rng):
    if case == "ar1":
        pg.verify_grad(lambda phi, s, z: (_ar1(phi, s, z) ** 2).sum(),
                       [np.array(0.6), np.array(0.8), rng.normal(size=5)])
    elif case == "taps":
        pg.verify_grad(lambda x0, w: pg.scan(lambda a, b, w_: w_ * a + pt.tanh(b),
                                             outputs_info=[dict(initial=x0, taps=[-2, -1])],
                                             non_sequences=[w], n_steps=4)[0],
                       [rng.normal(size=2), np.array(0.7)])
    elif case == "nitsot_nonseq":
        pg.verify_grad(lambda x, w: pg.scan(lambda x_t, w_: pt.sin(x_t * w_),
                                            sequences=[x], non_sequences=[w],
                                            outputs_info=[None])[0],
                       [rng.normal(size=4), np.array(1.3)])
    else:
        pg.verify_grad(lambda h0, W, xs: pg.scan(lambda x_t, h, W_: pt.tanh(pt.dot(W_, h) + x_t),
                                                 sequences=[xs], outputs_info=[h0],
                                                 non_sequences=[W])[0],
                       [rng.normal(size=3), 0.5 * rng.normal(size=(3, 3)), rng.normal(size=(4, 3))])


def test_jacobian_of_small_scan():
    x = pt.dvector("x", shape=(3,))
    out, _ = pg.scan(lambda x_t, acc: acc * x_t, sequences=[x], outputs_info=[pt.constant(1.0)])
    J = pg.jacobian(out, x).eval({x: np.array([2.0, 3.0, 4.0])})
    expected = np.array([[1, 0, 0], [3, 2, 0], [12, 8, 6]], dtype=float)
    np.testing.assert_allclose(J, expected)
