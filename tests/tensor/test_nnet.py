"""pt.nnet: activations, softmax family and cross-entropies vs numpy/scipy, gradients and extreme
values."""

import numpy as np
import pytest
import scipy.special as sp

import probgraph as pg
import probgraph.tensor as pt
from probgraph.tensor import nnet

_rng = np.random.default_rng(11)


def _r(*shape):
    return _rng.normal(size=shape) * 2


def _probs(*shape):
    return sp.softmax(_r(*shape), axis=-1)


@pytest.fixture
def mode():
    """Per-case checks run on the reference backend; numba runs these tables batched, one compile
    per table, in tests/backends/test_numba_op_tables.py."""
    return "python"


def run_case(fn, inputs, mode):
    xs = [pt.tensor(f"x{i}", dtype=a.dtype, shape=a.shape) for i, a in enumerate(inputs)]
    out = fn(*xs)
    return pg.function(xs, out, mode=mode)(*inputs), out



def _xent_indices(p, y):
    return -np.log(p[np.arange(len(y)), y])


_SELU = (1.0507009873554805, 1.6732632423543772)

# (id, probgraph function, reference, input arrays) — reused by the numba backend's tests
NNET_CASES = [
    ("relu", nnet.relu, lambda x: np.maximum(x, 0), [_r(5)]),
    ("relu-leaky", lambda x: nnet.relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x), [_r(2, 3)]),
    ("sigmoid", nnet.sigmoid, sp.expit, [_r(4)]),
    ("softplus", nnet.softplus, lambda x: np.logaddexp(0, x), [_r(4)]),
    ("softmax", nnet.softmax, lambda x: sp.softmax(x, axis=-1), [_r(3, 4)]),
    ("softmax-axis0", lambda x: nnet.softmax(x, axis=0), lambda x: sp.softmax(x, axis=0),
     [_r(3, 4)]),
    ("softmax-vec", nnet.softmax, sp.softmax, [_r(5)]),
    ("log-softmax", nnet.log_softmax, lambda x: sp.log_softmax(x, axis=-1), [_r(3, 4)]),
    ("log-softmax-3d", lambda x: nnet.log_softmax(x, axis=1),
     lambda x: sp.log_softmax(x, axis=1), [_r(2, 3, 4)]),
    ("log-softmax-huge", nnet.log_softmax, lambda x: sp.log_softmax(x, axis=-1),
     [np.array([[1e4, 0.0, -1e4], [800.0, 801.0, 799.0]])]),
    ("softmax-huge", nnet.softmax, lambda x: sp.softmax(x, axis=-1), [np.array([[1e4, 0.0, 1e4]])]),
    ("xent-onehot", nnet.categorical_crossentropy,
     lambda p, t: -(t * np.log(p)).sum(-1), [_probs(3, 4), np.eye(4)[[0, 3, 1]]]),
    ("xent-indices", nnet.categorical_crossentropy, _xent_indices,
     [_probs(3, 4), np.array([0, 3, 1])]),
    ("binary-xent", nnet.binary_crossentropy,
     lambda o, t: -(t * np.log(o) + (1 - t) * np.log(1 - o)),
     [sp.expit(_r(5)), np.array([0.0, 1.0, 1.0, 0.0, 0.5])]),
    ("sigmoid-binary-xent", nnet.sigmoid_binary_crossentropy,
     lambda o, t: -(t * np.log(sp.expit(o)) + (1 - t) * np.log(1 - sp.expit(o))),
     [_r(5), np.array([0.0, 1.0, 1.0, 0.0, 0.5])]),
    ("hard-sigmoid", nnet.hard_sigmoid, lambda x: np.clip(0.2 * x + 0.5, 0, 1), [_r(6)]),
    ("elu", nnet.elu, lambda x: np.where(x > 0, x, np.expm1(x)), [_r(5)]),
    ("elu-alpha", lambda x: nnet.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)),
     [_r(5)]),
    ("selu", nnet.selu, lambda x: _SELU[0] * np.where(x > 0, x, _SELU[1] * np.expm1(x)), [_r(5)]),
    ("silu", nnet.silu, lambda x: x * sp.expit(x), [_r(5)]),
    ("softsign", nnet.softsign, lambda x: x / (1 + np.abs(x)), [_r(5)]),
]


@pytest.mark.parametrize("name, fn, ref, inputs", NNET_CASES, ids=[c[0] for c in NNET_CASES])
def test_values_match_reference(name, fn, ref, inputs, mode):
    got, out = run_case(fn, inputs, mode)
    expected = ref(*inputs)
    assert got.shape == np.shape(expected) and got.dtype == out.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    assert np.all(np.isfinite(got))


# (id, function, points): relu-like kinks are avoided by the random points (none is exactly 0)
GRAD_CASES = [
    ("relu", lambda x: nnet.relu(x, 0.2), [_r(5)]),
    ("softmax", nnet.softmax, [_r(2, 3)]),
    ("softmax-axis0", lambda x: nnet.softmax(x, axis=0), [_r(3, 2)]),
    ("log-softmax", nnet.log_softmax, [_r(2, 3)]),
    ("xent-onehot", lambda p: nnet.categorical_crossentropy(p, pt.constant(np.eye(3)[[2, 0]])),
     [_probs(2, 3)]),
    ("xent-indices", lambda p: nnet.categorical_crossentropy(p, pt.constant(np.array([2, 0]))),
     [_probs(2, 3)]),
    ("xent-of-softmax", lambda x: nnet.categorical_crossentropy(
        nnet.softmax(x), pt.constant(np.array([1, 0]))), [_r(2, 3)]),
    ("binary-xent", nnet.binary_crossentropy, [sp.expit(_r(4)), _rng.uniform(size=4)]),
    ("sigmoid-binary-xent", nnet.sigmoid_binary_crossentropy, [_r(4), _rng.uniform(size=4)]),
    ("elu", nnet.elu, [_r(5)]),
    ("selu", nnet.selu, [_r(5)]),
    ("silu", nnet.silu, [_r(5)]),
    ("softsign", nnet.softsign, [_r(5)]),
]


@pytest.mark.parametrize("name, fn, points", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_match_finite_differences(name, fn, points):
    pg.verify_grad(fn, points)


def test_log_softmax_gradient_stays_finite_for_huge_logits():
    x = pt.dmatrix("x")
    g = pg.grad(nnet.log_softmax(x)[:, 0].sum(), x).eval({x: np.array([[1e4, 0.0, -1e4]])})
    np.testing.assert_allclose(g, [[0.0, 0.0, 0.0]], atol=1e-12)
    g = pg.grad(nnet.softmax(x)[:, 1].sum(), x).eval({x: np.array([[800.0, 800.0, -5.0]])})
    assert np.all(np.isfinite(g))


def test_softmax_rows_with_minus_infinity():
    x = pt.dmatrix("x")
    out = nnet.log_softmax(x).eval({x: np.array([[0.0, -np.inf], [1.0, 1.0]])})
    np.testing.assert_allclose(out, [[0.0, -np.inf], [np.log(0.5), np.log(0.5)]])


@pytest.mark.parametrize("fn", [nnet.relu, nnet.softmax, nnet.log_softmax, nnet.elu, nnet.selu,
                                nnet.silu, nnet.hard_sigmoid, nnet.softsign])
def test_float32_stays_float32(fn):
    x = pt.fmatrix("x")
    out = fn(x)
    assert out.dtype == "float32"
    assert out.eval({x: np.ones((2, 3), "float32")}).dtype == np.float32
    assert pg.grad(out.sum(), x).dtype == "float32"


def test_crossentropy_rejects_float_targets_of_the_wrong_rank():
    with pytest.raises(TypeError, match="categorical_crossentropy: true_dist"):
        nnet.categorical_crossentropy(pt.dmatrix(), pt.dvector())


def test_theano_names_are_available():
    assert nnet.logsoftmax is nnet.log_softmax
    assert nnet.sigmoid is pt.sigmoid and nnet.softplus is pt.softplus
    assert pt.nnet.swish is nnet.silu
