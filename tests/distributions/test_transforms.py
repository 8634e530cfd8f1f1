"""Transforms: round trips, and log|det J| against a numerical Jacobian of ``backward``."""

import numpy as np
import pytest

import probgraph.tensor as pt
from probgraph.compile import function
from probgraph.distributions import transforms as tr


def _fn(f, shape):
    y = pt.tensor("y", dtype="float64", shape=shape)
    return function([y], f(y), mode="python")


def _num_log_jac(backward, y, drop_last: bool, eps=1e-6):
    """log|det| of the Jacobian of ``backward`` (restricted to the first n outputs if
    ``drop_last``)."""
    n = y.size
    cols = []
    for i in range(n):
        d = np.zeros(n)
        d[i] = eps
        hi, lo = backward(y + d), backward(y - d)
        cols.append(((hi - lo) / (2 * eps)).ravel()[:n] if drop_last
                    else ((hi - lo) / (2 * eps)).ravel())
    return np.linalg.slogdet(np.array(cols).T)[1]


ELEMENTWISE = [
    ("log", tr.log, lambda rng: rng.normal(size=4)),
    ("log_exp_m1", tr.log_exp_m1, lambda rng: rng.normal(size=4)),
    ("logodds", tr.logodds, lambda rng: rng.normal(size=4)),
    ("interval", tr.Interval(-1.0, 3.0), lambda rng: rng.normal(size=4)),
    ("lower", tr.Interval(2.0, None), lambda rng: rng.normal(size=4)),
    ("upper", tr.Interval(None, 2.0), lambda rng: rng.normal(size=4)),
    ("infinite", tr.Interval(-np.inf, np.inf), lambda rng: rng.normal(size=4)),
    ("circular", tr.circular, lambda rng: rng.uniform(-3, 3, size=4)),
]


@pytest.mark.parametrize("name, t, gen", ELEMENTWISE, ids=[e[0] for e in ELEMENTWISE])
def test_elementwise_transforms(name, t, gen, rng):
    y = gen(rng)
    back = _fn(t.backward, (4,))
    fwd = _fn(t.forward, (4,))
    jac = _fn(t.log_jac_det, (4,))
    x = back(y)
    np.testing.assert_allclose(fwd(x), y, rtol=1e-8, atol=1e-10)
    eps = 1e-6
    num = np.log(np.abs((back(y + eps) - back(y - eps)) / (2 * eps)))
    np.testing.assert_allclose(jac(y), num, rtol=1e-5, atol=1e-6)


def test_interval_bounds_and_names():
    x = _fn(tr.Interval(-1.0, 3.0).backward, (3,))(np.array([-50.0, 0.0, 50.0]))
    assert np.all((x >= -1.0) & (x <= 3.0)) and x[1] == 1.0
    assert tr.log.name == "log" and tr.logodds.name == "logodds" and tr.simplex.name == "simplex"
    assert tr.Interval(0, 1).name == "interval" and tr.ordered.name == "ordered"
    assert tr.Chain([tr.log, tr.ordered]).name == "log_ordered"


VECTOR = [
    ("simplex", tr.simplex, 4, True),
    ("ordered", tr.ordered, 5, False),
    ("sum_to_1", tr.sum_to_1, 4, True),
    ("log_ordered", tr.Chain([tr.log, tr.ordered]), 4, False),
]


@pytest.mark.parametrize("name, t, k, drop_last", VECTOR, ids=[v[0] for v in VECTOR])
@pytest.mark.parametrize("batch", [(), (2,)], ids=["single", "batched"])
def test_vector_transforms(name, t, k, drop_last, batch, rng):
    n = k - 1 if drop_last else k
    y = rng.normal(size=(*batch, n))
    back = _fn(t.backward, (*batch, n))
    x = back(y)
    assert x.shape == (*batch, k)
    np.testing.assert_allclose(_fn(t.forward, (*batch, k))(x), y, rtol=1e-7, atol=1e-9)
    jac = _fn(t.log_jac_det, (*batch, n))(y)
    assert jac.shape == batch
    for idx in np.ndindex(*batch):
        single = _fn(t.backward, (n,))
        np.testing.assert_allclose(jac[idx], _num_log_jac(single, y[idx], drop_last), rtol=1e-5,
                                   atol=1e-6)


def test_vector_transform_values():
    x = _fn(tr.simplex.backward, (3,))(np.zeros(3))
    np.testing.assert_allclose(x, np.full(4, 0.25))
    x = _fn(tr.ordered.backward, (3,))(np.array([1.0, 0.0, np.log(2.0)]))
    np.testing.assert_allclose(x, [1.0, 2.0, 4.0])
    extreme = _fn(tr.simplex.backward, (3,))(np.array([800.0, -800.0, 0.0]))
    assert np.all(np.isfinite(extreme)) and abs(extreme.sum() - 1) < 1e-12


def test_vector_transform_needs_static_length():
    y = pt.dvector("y")
    with pytest.raises(ValueError, match="known"):
        tr.simplex.backward(y)
