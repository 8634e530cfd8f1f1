"""The numba Scan emitter against the python backend: forward loops of every kind, and gradients
through them."""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt

# tests/tensor/test_scan.py runs its `mode`-parametrised cases for numba too; these add cases it
# lacks


def _ar1(phi, sigma, z):
    x, _ = pg.scan(lambda z_t, prev, phi_, s_: phi_ * prev + s_ * z_t, sequences=[z],
                   outputs_info=[pt.constant(0.0)], non_sequences=[phi, sigma])
    return x


def _both(inputs, outputs, values, updates=None):
    """Outputs of the numba and python backends for the same graph and inputs."""
    res = []
    for mode in ("numba", "python"):
        f = pg.function(inputs, outputs, updates=updates, mode=mode)
        res.append(f(*values))
    return res


def _sitsot():
    x, w = pt.dvector("x"), pt.dscalar("w")
    h, _ = pg.scan(lambda x_t, h, w_: w_ * h + x_t, sequences=[x], outputs_info=[pt.constant(1.0)],
                   non_sequences=[w])
    return [x, w], [h], [np.array([0.5, 1.0, -1.0, 2.0]), 0.3]


def _seq_taps():
    x = pt.dvector("x")
    out, _ = pg.scan(lambda a, b, c: a - 2 * b + c, sequences=[{"input": x, "taps": [-1, 0, 1]}],
                     outputs_info=[None])
    return [x], [out], [np.arange(7.0) ** 2]


def _output_taps():
    x0 = pt.dvector("x0", shape=(2,))
    fib, _ = pg.scan(lambda a, b: a + b, outputs_info=[{"initial": x0, "taps": [-2, -1]}],
                     n_steps=6)
    return [x0], [fib], [np.array([1.0, 1.0])]


def _nitsot_nonseq_matrix():
    xs, W = pt.dmatrix("xs"), pt.dmatrix("W")
    ys, _ = pg.scan(lambda x_t, W_: pt.dot(W_, x_t), sequences=[xs], non_sequences=[W],
                    outputs_info=[None])
    rng = np.random.default_rng(1)
    return [xs, W], [ys], [rng.normal(size=(5, 3)), rng.normal(size=(2, 3))]


def _two_carries_and_y():
    x = pt.dvector("x")
    (s, p, d), _ = pg.scan(lambda x_t, s, p: (s + x_t, p * x_t, s - p), sequences=[x],
                           outputs_info=[pt.constant(0.0), pt.constant(1.0), None])
    return [x], [s, p, d], [np.array([1.0, 2.0, 0.5, -1.0])]


def _until():
    a = pt.dscalar("a")
    out, _ = pg.scan(lambda prev: (prev * a, pg.until(prev * a > 50)),
                     outputs_info=[pt.constant(1.0)],
                     n_steps=100)
    return [a], [out], [2.0]


def _go_backwards():
    x = pt.dvector("x")
    out, _ = pg.scan(lambda x_t, acc: acc + x_t, sequences=[x], outputs_info=[pt.constant(0.0)],
                     go_backwards=True)
    return [x], [out], [np.array([1.0, 2.0, 3.0, 4.0])]


def _nested():
    x = pt.dmatrix("x")

    def row(r, acc):
        inner, _ = pg.scan(lambda v, c: c + v, sequences=[r], outputs_info=[pt.constant(0.0)])
        return acc + inner[-1]

    out, _ = pg.scan(row, sequences=[x], outputs_info=[pt.constant(0.0)])
    return [x], [out], [np.arange(12.0).reshape(4, 3)]


def _integer_counter():
    n = pt.lscalar("n")
    out, _ = pg.scan(lambda k: k + 2, outputs_info=[pt.constant(np.int64(1))], n_steps=n)
    return [n], [out], [np.int64(5)]


FORWARD = {"sitsot_nonseq": _sitsot, "seq_taps_nitsot": _seq_taps, "output_taps": _output_taps,
           "nitsot_matrix": _nitsot_nonseq_matrix, "two_carries_and_y": _two_carries_and_y,
           "until": _until, "go_backwards": _go_backwards, "nested": _nested,
           "integer_n_steps": _integer_counter}


@pytest.mark.parametrize("case", list(FORWARD))
def test_forward_scan_matches_python(case):
    inputs, outputs, values = FORWARD[case]()
    got, want = _both(inputs, outputs, values)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_shared_counter_update():
    count = pg.shared(np.array(0.0), name="count")
    x = pt.dvector("x")
    out, updates = pg.scan(lambda x_t: (x_t * 2, {count: count + 1}), sequences=[x],
                           outputs_info=[None])
    f = pg.function([x], out, updates=updates, mode="numba")
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0])), [2, 4, 6])
    f(np.array([1.0, 2.0]))
    assert float(count.get_value()) == 5.0


def test_sequence_shorter_than_n_steps_raises():
    x, n = pt.dvector("x"), pt.lscalar("n")
    out, _ = pg.scan(lambda x_t, acc: acc + x_t, sequences=[x], outputs_info=[pt.constant(0.0)],
                     n_steps=n)
    f = pg.function([x, n], out, mode="numba")
    with pytest.raises(ValueError, match="fewer entries than n_steps"):
        f(np.ones(2), np.int64(3))


# ------------------------------------------------------------------ gradients (reverse scans)
def _ar1_loglik():
    phi, sigma, z = pt.dscalar("phi"), pt.dscalar("sigma"), pt.dvector("z")
    x = _ar1(phi, sigma, z)
    ll = (-0.5 * (x - 0.3) ** 2).sum() - pt.log(sigma) * 5
    return [phi, sigma, z], pg.grad(ll, [phi, sigma, z]) + [ll], \
        [0.6, 0.8, np.random.default_rng(2).normal(size=6)]


def _tanh_rnn():
    h0, W, xs = pt.dvector("h0"), pt.dmatrix("W"), pt.dmatrix("xs")
    hs, _ = pg.scan(lambda x_t, h, W_: pt.tanh(pt.dot(W_, h) + x_t), sequences=[xs],
                    outputs_info=[h0],
                    non_sequences=[W])
    cost = (hs ** 2).sum()
    rng = np.random.default_rng(3)
    return [h0, W, xs], pg.grad(cost, [h0, W, xs]) + [cost], \
        [rng.normal(size=3), 0.5 * rng.normal(size=(3, 3)), rng.normal(size=(5, 3))]


def _taps_grad():
    x0, w = pt.dvector("x0", shape=(2,)), pt.dscalar("w")
    out, _ = pg.scan(lambda a, b, w_: w_ * a + pt.tanh(b),
                     outputs_info=[{"initial": x0, "taps": [-2, -1]}],
                     non_sequences=[w], n_steps=4)
    cost = (out ** 2).sum()
    return [x0, w], pg.grad(cost, [x0, w]), [np.array([0.3, -0.4]), 0.7]


GRADIENTS = {"ar1": _ar1_loglik, "tanh_rnn": _tanh_rnn, "output_taps": _taps_grad}


@pytest.mark.parametrize("case", list(GRADIENTS))
def test_gradient_through_scan_matches_python(case):
    inputs, outputs, values = GRADIENTS[case]()
    got, want = _both(inputs, outputs, values)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_step_is_its_own_function_and_loop_has_no_python_call():
    inputs, outputs, _ = _tanh_rnn()
    f = pg.function(inputs, outputs, mode="numba")
    src = f.thunk.source
    # the forward step and the gradient step, each a jitted function of the same module
    assert src.count("@numba.njit") >= 3
    assert "def kernel_v" in src
    assert "objmode" not in src and "perform" not in src
