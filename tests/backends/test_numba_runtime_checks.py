"""Run-time shape and index checks: wrong lengths and indices out of range raise, never read junk.

Static shapes are trusted only where they are known: a dimension of unknown static size that turns
out to have the wrong length (or to be 1 where probgraph's static rule does not broadcast) must
raise a ``ValueError`` naming the op and the axis, on both backends. Each test compiles one function
per group of checks (numba compilation is the expensive part) and calls it with good and bad values.
"""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.backends.python import EvaluationError
from probgraph.tensor import subtensor


def _raises(mode, exc_type, fn, *args):
    """Call ``fn`` expecting ``exc_type`` (the python backend wraps it in ``EvaluationError``)."""
    if mode == "python":
        with pytest.raises(EvaluationError) as info:
            fn(*args)
        assert isinstance(info.value.__cause__, exc_type)
        return str(info.value)
    with pytest.raises(exc_type) as info:
        fn(*args)
    return str(info.value)


# ------------------------------------------------------------------ fused elementwise loops
x, y = pt.dvector("x"), pt.dvector("y")
a4 = pt.tensor("a4", dtype="float64", shape=(4,))          # static length: the loop's extent is 4
M = pt.dmatrix("M")
row = pt.tensor("row", dtype="float64", shape=(1, None))   # broadcasts along axis 0 only

ELEMWISE_OUTPUTS = [x + y, (x * y).sum(), pt.exp(a4) * x, a4 - x, M * row]
ELEMWISE_REF = [lambda X, Y, A, m, r: X + Y, lambda X, Y, A, m, r: (X * Y).sum(),
                lambda X, Y, A, m, r: np.exp(A) * X, lambda X, Y, A, m, r: A - X,
                lambda X, Y, A, m, r: m * r]

# (x length, y length, M shape, row shape, message fragments) — all good when fragments is None
ELEMWISE_CASES = [
    (4, 4, (2, 3), (1, 3), None),
    (4, 4, (0, 3), (1, 3), None),
    (4, 3, (2, 3), (1, 3), ["elementwise add", "axis 0"]),         # two unknown lengths differ
    (4, 1, (2, 3), (1, 3), ["elementwise add", "axis 0"]),         # a run-time 1 does not broadcast
    (3, 3, (2, 3), (1, 3), ["elementwise", "axis 0", "where"]),    # x against the static 4 of a4
    (4, 4, (2, 3), (1, 2), ["elementwise mul", "axis 1"]),         # 2-d, the non-broadcast axis
    (4, 4, (2, 1), (1, 3), ["elementwise mul", "axis 1"]),
]


@pytest.fixture(scope="module", params=["python", "numba"])
def elemwise_fn(request):
    return request.param, pg.function([x, y, a4, M, row], ELEMWISE_OUTPUTS, mode=request.param)


@pytest.mark.parametrize("nx, ny, mshape, rshape, fragments", ELEMWISE_CASES)
def test_elementwise_lengths(elemwise_fn, nx, ny, mshape, rshape, fragments):
    mode, f = elemwise_fn
    rng = np.random.default_rng(0)
    args = [rng.normal(size=nx), rng.normal(size=ny), rng.normal(size=4), rng.normal(size=mshape),
            rng.normal(size=rshape)]
    if fragments is None:
        for got, ref in zip(f(*args), ELEMWISE_REF):
            np.testing.assert_allclose(got, ref(*args))
        return
    msg = _raises(mode, ValueError, f, *args)
    for frag in fragments + ["only static size-1 dimensions broadcast"]:
        assert frag in msg


def test_elementwise_message_names_lengths():
    """numba formats the run-time lengths into the message, as the python backend does."""
    f = pg.function([x, y], x + y, mode="numba")
    with pytest.raises(ValueError, match=r"elementwise add: input 1 \(y\) has length 4 on axis 0 "
                                         r"where 3 was expected"):
        f(np.ones(3), np.ones(4))


def test_broadcast_to_unknown_length():
    """A run-time 1 in a dimension of unknown static size is not broadcast by the numba loop."""
    f = pg.function([x], pt.broadcast_to(x, (3, 4)) * 2.0, mode="numba")
    np.testing.assert_allclose(f(np.arange(4.0)), np.broadcast_to(np.arange(4.0) * 2, (3, 4)))
    with pytest.raises(ValueError, match="axis 1"):
        f(np.arange(5.0))
    with pytest.raises(ValueError, match="axis 1"):
        f(np.arange(1.0))


# ------------------------------------------------------------------ basic indexing
i = pt.lscalar("i")
INDEX_OUTPUTS = [x[i], x[-2], M[1, i], pt.inc_subtensor(x[i], 1.0), pt.set_subtensor(M[i], y)]


@pytest.fixture(scope="module", params=["python", "numba"])
def index_fn(request):
    return request.param, pg.function([x, i, M, y], INDEX_OUTPUTS, mode=request.param)


# (x length, i, M shape, y length, expected exception or None, message fragment)
INDEX_CASES = [
    (3, 0, (2, 3), 3, None, None),
    (3, -3, (3, 3), 3, None, None),
    (3, 2, (3, 3), 1, None, None),        # set_subtensor broadcasts a length-1 y, as numpy does
    (3, 3, (4, 4), 4, IndexError, "axis 0"),
    (3, -4, (4, 4), 4, IndexError, "axis 0"),
    (1, 0, (2, 3), 3, IndexError, "axis 0"),     # the constant index -2 into a length-1 x
    (3, 2, (2, 3), 3, IndexError, "axis 0"),     # M[i] with i = 2, M has 2 rows
    (3, 1, (2, 3), 4, ValueError, None),         # y does not fit the row M[i]
]


@pytest.mark.parametrize("nx, iv, mshape, ny, exc, fragment", INDEX_CASES)
def test_basic_index_bounds(index_fn, nx, iv, mshape, ny, exc, fragment):
    mode, f = index_fn
    X, Y = np.arange(nx, dtype=float), np.arange(ny, dtype=float) + 10
    Mv = np.arange(np.prod(mshape), dtype=float).reshape(mshape)
    if exc is None:
        xi = X.copy()
        xi[iv] += 1.0
        Ms = Mv.copy()
        Ms[iv] = Y
        for got, ref in zip(f(X, iv, Mv, Y), [X[iv], X[-2], Mv[1, iv], xi, Ms]):
            np.testing.assert_array_equal(got, ref)
        return
    msg = _raises(mode, exc, f, X, iv, Mv, Y)
    if fragment is not None:
        assert "out of bounds" in msg and fragment in msg
    if mode == "numba" and exc is IndexError:
        assert " of x " in msg or " of M " in msg


def test_inc_subtensor_value_shape():
    """inc_subtensor of a slice with a value of the wrong run-time length raises in numba."""
    f = pg.function([x, y], pt.inc_subtensor(x[1:3], y), mode="numba")
    np.testing.assert_array_equal(f(np.zeros(4), np.ones(2)), [0, 1, 1, 0])
    with pytest.raises(ValueError, match=r"inc_subtensor: y \(y\) has length 4 on axis 0"):
        f(np.zeros(4), np.ones(4))


# ------------------------------------------------------------------ advanced indexing
m = pt.bvector("m")
idx = pt.lvector("idx")
ADV_OUTPUTS = [x[m], x[idx], subtensor.AdvancedSubtensor(("a",))(x, i)]


@pytest.fixture(scope="module", params=["python", "numba"])
def adv_fn(request):
    return request.param, pg.function([x, m, idx, i], ADV_OUTPUTS, mode=request.param)


# (mask length, idx, i, fragment of the failing op or None)
ADV_CASES = [
    (4, [0, -1, 3], 2, None),
    (5, [0], 0, "boolean index"),   # mask longer than x: numba used to read past the end
    (3, [0], 0, "boolean index"),
    (4, [4], 0, "out of bounds"),
    (4, [-5], 0, "out of bounds"),
    (4, [0], 4, "out of bounds"),   # a 0-d index array
]


@pytest.mark.parametrize("nm, iv, s, fragment", ADV_CASES)
def test_advanced_index_bounds(adv_fn, nm, iv, s, fragment):
    mode, f = adv_fn
    X = np.arange(4.0)
    mask = np.arange(nm) % 2 == 0
    if fragment is None:
        for got, ref in zip(f(X, mask, np.array(iv), s), [X[mask], X[np.array(iv)], X[s]]):
            np.testing.assert_array_equal(got, ref)
        return
    assert fragment in _raises(mode, IndexError, f, X, mask, np.array(iv), s)


# ------------------------------------------------------------- products, joins, reshapes, solves
A, B = pt.dmatrix("A"), pt.dmatrix("B")
OTHER_OUTPUTS = [pt.dot(A, B), pt.concatenate([A, B], axis=0), pt.reshape(x, (2, 2)),
                 pt.linalg.solve_triangular(A, y)]


@pytest.fixture(scope="module", params=["python", "numba"])
def other_fn(request):
    return request.param, pg.function([A, B, x, y], OTHER_OUTPUTS, mode=request.param)


def _lower(n):
    return np.tril(np.ones((n, n))) + n * np.eye(n)


# (A, B, x, y) — each bad case breaks exactly one output
OTHER_CASES = [
    ((_lower(3), np.ones((3, 3)), np.ones(4), np.ones(3)), None),
    ((_lower(3), np.ones((4, 3)), np.ones(4), np.ones(3)), "dot"),
    ((_lower(3), np.ones((3, 2)), np.ones(4), np.ones(3)), "concatenate"),
    ((_lower(3), np.ones((3, 3)), np.ones(5), np.ones(3)), "reshape"),
    ((_lower(3), np.ones((3, 3)), np.ones(4), np.ones(2)), "solve_triangular"),
]


@pytest.mark.parametrize("args, broken", OTHER_CASES)
def test_other_shape_checks(other_fn, args, broken):
    mode, f = other_fn
    if broken is None:
        Av, Bv, X, Y = args
        got = f(*args)
        np.testing.assert_allclose(got[0], Av @ Bv)
        np.testing.assert_allclose(got[1], np.concatenate([Av, Bv]))
        np.testing.assert_allclose(got[2], X.reshape(2, 2))
        np.testing.assert_allclose(Av @ got[3], Y)
        return
    _raises(mode, ValueError, f, *args)
