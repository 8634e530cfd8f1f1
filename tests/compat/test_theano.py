"""Theano compatibility: a legacy logistic-regression snippet against numpy, the namespace, and the
runner."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import probgraph as pg
import probgraph.compat.theano as theano
import probgraph.compat.theano.tensor as T

ROOT = Path(__file__).resolve().parents[2]
THEANO_MODES = {"python": "FAST_COMPILE", "numba": "FAST_RUN"}


@pytest.fixture
def float64():
    old = pg.config.floatX
    theano.config.floatX = "float64"
    yield
    theano.config.floatX = old


def numpy_logreg(X, Y, steps, batch, lr, l2):
    """The reference: the same SGD on the same minibatches, in numpy."""
    W, b = np.zeros((X.shape[1], 3)), np.zeros(3)
    costs = []
    for i in range(steps):
        x, y = X[i * batch:(i + 1) * batch], Y[i * batch:(i + 1) * batch]
        z = x @ W + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        costs.append(-np.mean(np.log(p[np.arange(len(y)), y])) + l2 * (W ** 2).sum())
        d = p.copy()
        d[np.arange(len(y)), y] -= 1
        d /= len(y)
        W, b = W - lr * (x.T @ d + 2 * l2 * W), b - lr * d.sum(0)
    return np.array(costs), W, b


@pytest.mark.parametrize("mode", ["python", "numba"])
def test_logistic_regression_matches_numpy(mode, rng, float64):
    X, Y = rng.normal(size=(60, 4)), rng.integers(0, 3, 60).astype("int32")
    train_x, train_y = theano.shared(X, name="train_x"), theano.shared(Y, name="train_y")
    W = theano.shared(np.zeros((4, 3)), name="W")
    b = theano.shared(np.zeros(3), name="b")
    index, x, y = T.lscalar("index"), T.matrix("x"), T.ivector("y")
    lr = T.scalar("lr")
    p_y_given_x = T.nnet.softmax(T.dot(x, W) + b)
    cost = T.mean(T.nnet.categorical_crossentropy(p_y_given_x, y)) + 0.01 * T.sum(W ** 2)
    g_W, g_b = T.grad(cost=cost, wrt=[W, b])
    train = theano.function(inputs=[index, lr], outputs=cost, mode=THEANO_MODES[mode],
                            updates=[(W, W - lr * g_W), (b, b - lr * g_b)],
                            givens={x: train_x[index * 10:(index + 1) * 10],
                                    y: train_y[index * 10:(index + 1) * 10]})
    costs = [float(train(i, 0.5)) for i in range(6)]
    ref_costs, ref_W, ref_b = numpy_logreg(X, Y, 6, 10, 0.5, 0.01)
    np.testing.assert_allclose(costs, ref_costs, rtol=1e-10)
    np.testing.assert_allclose(W.get_value(), ref_W, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.get_value(), ref_b, rtol=1e-10, atol=1e-12)
    errors = theano.function([], T.mean(T.neq(T.argmax(p_y_given_x, axis=1), y)),
                             givens={x: train_x, y: train_y}, mode=THEANO_MODES[mode])
    z = X @ ref_W + ref_b
    assert float(errors()) == pytest.approx(np.mean(z.argmax(1) != Y))


def test_float32_inputs_take_python_floats_and_downcasts():
    x = T.fvector("x")
    lr = T.fscalar("lr")
    f = theano.function([x, lr], x * lr, mode="FAST_COMPILE")
    out = f(np.ones(2, dtype="float32"), 0.1)  # a Python float goes to a float32 input
    assert out.dtype == np.float32 and out[0] == np.float32(0.1)
    with pytest.raises(TypeError, match="lose precision"):
        f(np.array([0.1, 0.2]), 1.0)  # float64 data is not silently rounded ...
    g = theano.function([x, lr], x * lr, mode="FAST_COMPILE", allow_input_downcast=True)
    assert g(np.array([0.1, 0.2]), 1.0).dtype == np.float32  # ... unless asked for


def test_config_forwards_to_probgraph():
    old_float, old_mode = pg.config.floatX, pg.config.mode
    try:
        theano.config.floatX = "float32"
        assert pg.config.floatX == "float32" and T.matrix("x").dtype == "float32"
        theano.config.mode = "FAST_COMPILE"
        assert pg.config.mode == "python" and theano.config.mode == "FAST_COMPILE"
        assert theano.config.device == "cpu"
        theano.config.device = "cuda"  # legacy flags are kept, not acted on
        assert theano.config.device == "cuda"
        with pytest.raises(AttributeError, match="no flag 'nonsense'"):
            theano.config.nonsense  # noqa: B018
        with pytest.raises(ValueError, match="unknown mode 'FAST'"):
            theano.function([], T.constant(1.0), mode="FAST")
    finally:
        pg.config.floatX, pg.config.mode = old_float, old_mode
        theano.config.device = "cpu"


def test_namespace(float64):
    assert T.row("r").type.shape == (1, None) and T.dcol("c").type.shape == (None, 1)
    assert T.TensorType("float32", (False, True))("v").type.shape == (None, 1)
    assert T.shape_padleft(T.dvector("v"), 2).type.shape == (1, 1, None)
    assert T.shape_padright(T.dvector("v")).type.shape == (None, 1)
    assert T.nnet.ultra_fast_sigmoid is T.nnet.sigmoid
    s = theano.shared(np.zeros((1, 3)), broadcastable=(True, False))
    assert s.type.shape == (1, None)
    x = T.dvector("x")
    f = theano.function([x], [T.sqr(x), T.abs_(x), T.switch(T.eq(x, 1), x, 0 * x)],
                        mode="FAST_COMPILE")
    xs = np.array([-2.0, 1.0])
    for out, ref in zip(f(xs), [xs ** 2, np.abs(xs), np.where(xs == 1, xs, 0)]):
        np.testing.assert_allclose(out, ref)
    z = theano.shared(np.zeros(4))
    h = theano.function([x], T.inc_subtensor(T.set_subtensor(z[1:3], x)[2:], 1.0),
                        mode="FAST_COMPILE")
    np.testing.assert_allclose(h(xs), [0.0, -2.0, 2.0, 1.0])


def test_debugprint_and_ifelse(float64):
    x = T.dvector("x")
    f = theano.function([x], T.exp(x).sum(), mode="FAST_COMPILE")
    text = theano.printing.debugprint(f, file="str")
    assert "exp" in text and "x" in text
    assert theano.printing.pprint(T.log(x)).startswith("log")
    c = theano.function([x], theano.ifelse.ifelse(T.gt(x.sum(), 0), x, -x), mode="FAST_COMPILE")
    np.testing.assert_allclose(c(np.array([-1.0, -2.0])), [1.0, 2.0])


def test_scan_is_theanos(float64):
    x = T.dvector("x")
    outputs, updates = theano.scan(lambda v, acc: acc + v, sequences=x,
                                   outputs_info=T.constant(0.0))
    f = theano.function([x], outputs, updates=updates, mode="FAST_COMPILE")
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0])), [1.0, 3.0, 6.0])


LEGACY_SCRIPT = '''
import sys
import numpy
import theano
import theano.tensor as T
from theano.tensor.nnet import sigmoid

x = T.dmatrix("x")
w = theano.shared(numpy.array([1.0, -1.0]), name="w")
out = sigmoid(T.dot(x, w))
step = theano.function([x], out, updates=[(w, w + 1)], mode="FAST_COMPILE")
print("first", step(numpy.array([[1.0, 2.0]])).round(6).tolist())
print("second", step(numpy.array([[1.0, 2.0]])).round(6).tolist())
print("argv", sys.argv[1:], __name__, theano.config.floatX)
'''


def test_runner_executes_legacy_script(tmp_path):
    script = tmp_path / "legacy.py"
    script.write_text(LEGACY_SCRIPT)
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-m", "probgraph.compat.theano", str(script), "--flag",
                             "3"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    sig = lambda z: round(1 / (1 + np.exp(-z)), 6)  # noqa: E731
    assert f"first [{sig(-1.0)}]" in result.stdout  # w = (1, -1): 1 - 2
    assert f"second [{sig(2.0)}]" in result.stdout  # w = (2, 0) after the update
    assert "argv ['--flag', '3'] __main__ float64" in result.stdout


def test_runner_without_script_prints_usage():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "probgraph.compat.theano"], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 2 and "usage: python -m probgraph.compat.theano" in result.stderr
