"""Reverse-mode differentiation (``probgraph.tensor.grad``): grad's options and errors, jacobian,
hessian, stop_gradient and second derivatives against finite differences."""

import warnings

import numpy as np
import pytest
import scipy.special as sp

import probgraph as pg
import probgraph.tensor as pt
from probgraph.tensor.grad import DisconnectedInputError, GradientCheckError


def run(inputs, outputs, *values):
    return pg.function(inputs, outputs, mode="python")(*values)


def test_grad_of_a_list_of_inputs():
    x, y = pt.dvector("x"), pt.dscalar("y")
    gx, gy = pg.grad((x ** 2 * y).sum(), [x, y])
    xv = np.array([1.0, -2.0, 3.0])
    got_x, got_y = run([x, y], [gx, gy], xv, 0.5)
    np.testing.assert_allclose(got_x, 2 * xv * 0.5)
    np.testing.assert_allclose(got_y, (xv ** 2).sum())
    assert isinstance(pg.grad((x * y).sum(), (x,)), list)


def test_repeated_uses_of_a_variable_are_summed():
    x = pt.dvector("x")
    cost = (x * x + 3 * x + pt.exp(x) * x).sum()
    xv = np.array([0.5, -1.0])
    np.testing.assert_allclose(run([x], pg.grad(cost, x), xv), 2 * xv + 3 + np.exp(xv) * (1 + xv))


def test_broadcast_inputs_get_summed_gradients():
    x = pt.tensor("x", dtype="float64", shape=(2, 1))
    y = pt.dvector("y")
    s = pt.dscalar("s")
    gx, gy, gs = pg.grad((x * y * s).sum(), [x, y, s])
    xv, yv = np.array([[1.0], [2.0]]), np.array([1.0, 2.0, 3.0])
    got = run([x, y, s], [gx, gy, gs], xv, yv, 2.0)
    np.testing.assert_allclose(got[0], np.full((2, 1), 6.0 * 2.0))
    np.testing.assert_allclose(got[1], np.full(3, 3.0 * 2.0))
    np.testing.assert_allclose(got[2], 3.0 * 6.0)


def test_disconnected_inputs():
    x, y = pt.dvector("x"), pt.dvector("y")
    cost = (x ** 2).sum()
    with pytest.raises(DisconnectedInputError,
                       match="does not depend on y.*disconnected_inputs='ignore'"):
        pg.grad(cost, [x, y])
    _, gy = pg.grad(cost, [x, y], disconnected_inputs="ignore")
    np.testing.assert_array_equal(run([x, y], gy, [1.0, 2.0], [3.0, 4.0, 5.0]), np.zeros(3))
    with pytest.warns(UserWarning, match="does not depend on y"):
        pg.grad(cost, [x, y], disconnected_inputs="warn")
    assert pg.grad(cost, [x, y], disconnected_inputs="ignore",
                   return_disconnected="none")[1] is None


def test_non_scalar_cost_asks_to_reduce_or_use_jacobian():
    x = pt.dvector("x")
    with pytest.raises(TypeError, match=r"scalar.*\.sum\(\).*jacobian"):
        pg.grad(x ** 2, x)


def test_integer_cost_is_not_differentiable():
    i = pt.lvector("i")
    with pytest.raises(TypeError, match="integer dtype int64"):
        pg.grad(i.sum(), i)


def test_integer_inputs_get_a_zero_float_gradient():
    x, i = pt.dvector("x"), pt.lvector("i")
    gx, gi = pg.grad((x * i).sum(), [x, i])
    assert gi.dtype == "float64"
    got = run([x, i], [gx, gi], [1.0, 2.0], [3, 4])
    np.testing.assert_array_equal(got[0], [3.0, 4.0])
    np.testing.assert_array_equal(got[1], [0.0, 0.0])
    with pytest.raises(DisconnectedInputError):  # an integer input the cost does not use at all
        pg.grad(x.sum(), [x, pt.lvector("j")])


def test_float32_inputs_get_float32_gradients():
    x = pt.fvector("x")
    g = pg.grad((x * 2.5).sum(), x)
    assert g.dtype == "float32"
    assert run([x], g, np.ones(2, dtype="float32")).dtype == np.float32


def test_consider_constant_blocks_the_gradient():
    x = pt.dvector("x")
    z = x ** 2
    cost = (z * x).sum()
    xv = np.array([1.0, 2.0])
    np.testing.assert_allclose(run([x], pg.grad(cost, x), xv), 3 * xv ** 2)
    np.testing.assert_allclose(run([x], pg.grad(cost, x, consider_constant=[z]), xv), xv ** 2)


def test_known_grads_seed_the_backward_pass():
    x = pt.dvector("x")
    y = pt.exp(x)
    seed = pt.dvector("seed")
    xv, sv = np.array([0.0, 1.0]), np.array([2.0, 3.0])
    g = pg.grad(None, x, known_grads={y: seed})
    np.testing.assert_allclose(run([x, seed], g, xv, sv), sv * np.exp(xv))
    g2 = pg.grad(x.sum(), x, known_grads={y: seed})  # a cost and a seed add up
    np.testing.assert_allclose(run([x, seed], g2, xv, sv), 1 + sv * np.exp(xv))


def test_stop_gradient():
    x = pt.dvector("x")
    xv = np.array([1.0, 2.0])
    g = pg.grad((pt.stop_gradient(x ** 2) * x).sum(), x)
    np.testing.assert_allclose(run([x], g, xv), xv ** 2)
    with pytest.raises(DisconnectedInputError):
        pg.grad(pt.stop_gradient(x).sum(), x)
    assert pt.disconnected_grad is pt.stop_gradient


def test_jacobian_against_analytic_values():
    x = pt.tensor("x", dtype="float64", shape=(3,))
    xv = np.array([0.5, -1.0, 2.0])
    J = pg.jacobian(pt.exp(x) * x.sum(), x)
    expected = np.diag(np.exp(xv) * xv.sum()) + np.exp(xv)[:, None]
    np.testing.assert_allclose(run([x], J, xv), expected, rtol=1e-12)
    a = pt.dscalar("a")
    Jx, Ja = pg.jacobian(a * x ** 2, [x, a])
    got = run([x, a], [Jx, Ja], xv, 3.0)
    np.testing.assert_allclose(got[0], np.diag(6.0 * xv))
    np.testing.assert_allclose(got[1], xv ** 2)


def test_jacobian_of_a_matrix_expression_has_the_joint_shape():
    x = pt.tensor("x", dtype="float64", shape=(2,))
    W = pt.constant(np.arange(6.0).reshape(3, 2))
    J = pg.jacobian((W * x) ** 2, x)
    xv = np.array([1.0, 2.0])
    got = run([x], J, xv)
    assert got.shape == (3, 2, 2)
    expected = np.zeros((3, 2, 2))
    for i in range(3):
        for j in range(2):
            expected[i, j, j] = 2 * W.data[i, j] ** 2 * xv[j]
    np.testing.assert_allclose(got, expected)


def test_jacobian_needs_a_static_length():
    x = pt.dvector("x")
    with pytest.raises(ValueError, match="known statically"):
        pg.jacobian(x ** 2, x)


def test_hessian_against_analytic_values():
    x = pt.tensor("x", dtype="float64", shape=(3,))
    xv = np.array([0.5, -1.0, 2.0])
    cost = (x ** 3).sum() + x[0] * x[1] + pt.log(x[2]) * x[0]
    H = run([x], pg.hessian(cost, x), xv)
    expected = np.diag(6 * xv)
    expected[0, 1] = expected[1, 0] = 1.0
    expected[0, 2] = expected[2, 0] = 1 / xv[2]
    expected[2, 2] += -xv[0] / xv[2] ** 2
    np.testing.assert_allclose(H, expected, rtol=1e-12)
    y = pt.tensor("y", dtype="float64", shape=(2,))
    Hx, Hy = pg.hessian((x ** 2).sum() * (y ** 2).sum(), [x, y])
    got = run([x, y], [Hx, Hy], xv, np.array([1.0, 2.0]))
    np.testing.assert_allclose(got[0], 2 * 5.0 * np.eye(3))
    np.testing.assert_allclose(got[1], 2 * (xv ** 2).sum() * np.eye(2))


SECOND_DERIVATIVES = [  # function, domain, analytic second derivative
    (pt.exp, (-2, 2), np.exp),
    (pt.log, (0.2, 3), lambda v: -1 / v ** 2),
    (pt.sigmoid, (-4, 4), lambda v: sp.expit(v) * (1 - sp.expit(v)) * (1 - 2 * sp.expit(v))),
    (pt.softplus, (-4, 4), lambda v: sp.expit(v) * (1 - sp.expit(v))),
    (pt.tanh, (-2, 2), lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
    (pt.gammaln, (0.3, 5), lambda v: sp.polygamma(1, v)),
    (pt.digamma, (0.3, 5), lambda v: sp.polygamma(2, v)),
    (pt.log1mexp, (-3, -0.1), lambda v: -np.exp(v) / (1 - np.exp(v)) ** 2),
    (pt.erf, (-2, 2), lambda v: -4 * v / np.sqrt(np.pi) * np.exp(-v ** 2)),
    (pt.log_ndtr, (-3, 3), None),
    (lambda v: v ** 3, (-2, 2), lambda v: 6 * v),
    (lambda v: pt.sqrt(v) * pt.sin(v), (0.2, 3), None),
]


@pytest.mark.parametrize("case", range(len(SECOND_DERIVATIVES)))
def test_second_derivatives(case):
    f, (lo, hi), analytic = SECOND_DERIVATIVES[case]
    xv = np.random.default_rng(case).uniform(lo, hi, size=(2, 3))

    def first(x):
        return pg.grad(f(x).sum(), x)

    pg.verify_grad(first, [xv])  # grad of grad against finite differences of grad
    if analytic is not None:
        x = pt.dmatrix("x")
        second = pg.grad(first(x).sum(), x)
        np.testing.assert_allclose(run([x], second, xv), analytic(xv), rtol=1e-9)


def test_verify_grad_detects_a_wrong_gradient():
    from probgraph.graph.basic import Apply
    from probgraph.graph.op import Op

    class BadSquare(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type])

        def perform(self, node, inputs):
            return [inputs[0] ** 2]

        def pullback(self, inputs, outputs, output_grads):
            return [output_grads[0] * 3 * inputs[0]]

    with pytest.raises(GradientCheckError, match="input 0"):
        pg.verify_grad(lambda x: BadSquare()(x), [np.array([1.0, 2.0])])


def test_grad_wrt_must_be_symbolic():
    x = pt.dvector("x")
    with pytest.raises(TypeError, match="wrt must be symbolic"):
        pg.grad(x.sum(), 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pg.grad(x.sum(), x)  # no warning on the plain path
