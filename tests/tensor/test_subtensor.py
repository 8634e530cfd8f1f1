"""Indexing vs numpy: basic, advanced and mask x[idx], set/inc_subtensor and take.

The tables are reusable by backend tests: each ``CASES`` entry is ``(name, build, ref, inputs)``
where ``build`` maps symbolic inputs to the output, ``ref`` maps numpy inputs to the expected value
(``None``: ``build`` itself works on numpy arrays) and ``inputs`` are the numpy input values.
``run_case`` builds and evaluates one entry for a given mode.
"""

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.graph.basic import toposort
from probgraph.tensor.subtensor import (
    AdvancedIncSubtensor,
    AdvancedSubtensor,
    IncSubtensor,
    Subtensor,
)

A = np.arange(12.0).reshape(3, 4)
T = np.arange(24.0).reshape(2, 3, 4)
V = np.arange(6.0)


def i64(v):
    return np.asarray(v, dtype="int64")


def run_case(build, inputs, mode="python", static=True):
    """Build on inputs of static (or unknown) shapes and evaluate; returns (outputs, values)."""
    syms = [pt.tensor(f"in{i}", dtype=a.dtype, shape=a.shape if static else (None,) * a.ndim)
            for i, a in enumerate(inputs)]
    out = build(*syms)
    return out, pg.function(syms, out, mode=mode)(*inputs)


def _set(idx):
    def ref(x, y):
        out = x.copy()
        out[idx] = y
        return out
    return ref


def _inc(idx):
    def ref(x, y):
        out = x.copy()
        np.add.at(out, idx, y)
        return out
    return ref


CASES = [
    # ---- basic indexing
    ("int", lambda x: x[1], None, (A,)),
    ("negative int", lambda x: x[-1], None, (A,)),
    ("two ints (0-d result)", lambda x: x[1, -2], None, (A,)),
    ("slice", lambda x: x[1:], None, (A,)),
    ("slice on axis 1", lambda x: x[:, 1:3], None, (A,)),
    ("negative step", lambda x: x[::-1], None, (V,)),
    ("negative step with bounds", lambda x: x[4:0:-2], None, (V,)),
    ("negative bounds", lambda x: x[-3:-1], None, (V,)),
    ("step 2 on axis 1", lambda x: x[:, ::2], None, (A,)),
    ("empty slice", lambda x: x[2:1], None, (A,)),
    ("out-of-range slice clips", lambda x: x[1:100], None, (V,)),
    ("ellipsis", lambda x: x[..., 1], None, (T,)),
    ("ellipsis in the middle", lambda x: x[1, ..., ::2], None, (T,)),
    ("newaxis", lambda x: x[None, :, None], None, (A,)),
    ("newaxis and int", lambda x: x[1, None], None, (A,)),
    ("0-d with newaxis", lambda x: x[None], None, (np.array(2.5),)),
    ("0-d with empty tuple", lambda x: x[()], None, (np.array(2.5),)),
    ("0-d with ellipsis", lambda x: x[...], None, (np.array(2.5),)),
    ("symbolic int", lambda x, i: x[i], None, (A, i64(-1))),
    ("symbolic slice bounds", lambda x, i, j: x[i:j], None, (V, i64(1), i64(4))),
    ("symbolic step", lambda x, s: x[::s], None, (V, i64(-2))),
    ("symbolic int and slice", lambda x, i: x[i, i:], None, (A, i64(1))),
    ("int dtype", lambda x: x[1:, 0], None, (np.arange(6).reshape(3, 2),)),
    # ---- advanced indexing
    ("index list", lambda x: x[[0, 2, 0]], None, (A,)),
    ("index array, then slice", lambda x: x[[2, 0], :], None, (A,)),
    ("index array on axis 1", lambda x: x[:, [1, 3]], None, (A,)),
    ("negative index array", lambda x: x[:, [-1, 0]], None, (A,)),
    ("two index arrays", lambda x: x[[0, 1], [2, 3]], None, (A,)),
    ("broadcast index arrays", lambda x: x[[[0], [2]], [1, 3]], None, (A,)),
    ("2-d index array", lambda x: x[[[0, 1], [1, 2]]], None, (A,)),
    ("slice and index array", lambda x: x[1:, [0, 0]], None, (A,)),
    ("symbolic index array", lambda x, i: x[i], None, (A, i64([2, 2, 0]))),
    ("symbolic index arrays pair", lambda x, i, j: x[i, j], None, (A, i64([0, 2]), i64([3, 1]))),
    ("int next to array", lambda x: x[:, [0, 2], 1], None, (T,)),
    ("arrays split by a slice go first", lambda x: x[[0, 1], :, [0, 3]], None, (T,)),
    ("int and array split by a slice", lambda x: x[0, :, [1, 2]], None, (T,)),
    ("array with newaxis", lambda x: x[None, [1, 0]], None, (V,)),
    ("array with ellipsis", lambda x: x[..., [0, 0]], None, (T,)),
    ("empty index list", lambda x: x[[]], None, (A,)),
    ("0-d index array", lambda x, i: x[i, [0, 1]], None, (A, i64(2))),
    ("mask from comparison", lambda x: x[x > 4], None, (A,)),
    ("row mask", lambda x: x[np.array([True, False, True])], None, (A,)),
    ("mask on axis 1", lambda x: x[:, np.array([False, True, True, False])], None, (A,)),
    ("mask with empty result", lambda x: x[x > 100], None, (A,)),
    ("symbolic mask", lambda x, m: x[m], None, (V, V > 2)),
    ("mask and index array", lambda x: x[np.array([True, False, True]), [1, 2]], None, (A,)),
    # ---- shape vectors
    ("shape[0]", lambda x: x.shape[0], None, (A,)),
    ("shape[-1]", lambda x: x.shape[-1], None, (T,)),
    ("shape[1:]", lambda x: x.shape[1:], lambda x: np.array(x.shape[1:]), (T,)),
    # ---- take
    ("take flat", lambda x: pt.take(x, [5, 0]), lambda x: np.take(x, [5, 0]), (A,)),
    ("take axis 1", lambda x: pt.take(x, [2, 0], axis=1), lambda x: np.take(x, [2, 0], axis=1),
     (A,)),
    ("take axis -1, 2-d indices", lambda x: pt.take(x, [[0, 1], [3, 3]], axis=-1),
     lambda x: np.take(x, [[0, 1], [3, 3]], axis=-1), (T,)),
    ("take scalar", lambda x: pt.take(x, 1, axis=0), lambda x: np.take(x, 1, axis=0), (A,)),
    # ---- set / inc
    ("set row to scalar", lambda x: pt.set_subtensor(x[1], 0.0), lambda x: _set(1)(x, 0.0), (A,)),
    ("set block, value broadcast over rows", lambda x, y: pt.set_subtensor(x[:, 1:3], y),
     _set((slice(None), slice(1, 3))), (A, np.array([-1.0, -2.0]))),
    ("set 0-d element", lambda x: pt.set_subtensor(x[1, 2], 5), lambda x: _set((1, 2))(x, 5), (A,)),
    ("inc reversed slice", lambda x, y: pt.inc_subtensor(x[::-2], y), _inc(slice(None, None, -2)),
     (V, np.array([1.0, 2.0, 3.0]))),
    ("inc symbolic slice", lambda x, y, i: pt.inc_subtensor(x[i:], y),
     lambda x, y, i: _inc(slice(int(i), None))(x, y), (V, np.array([10.0]), i64(3))),
    ("inc repeated indices accumulate", lambda x, y: pt.inc_subtensor(x[[0, 0, 2, 0]], y),
     _inc(([0, 0, 2, 0],)), (V, np.array([1.0, 2.0, 3.0, 4.0]))),
    ("inc repeated rows, row broadcast", lambda x, y: pt.inc_subtensor(x[[0, 0]], y),
     _inc(([0, 0],)), (A, np.array([1.0, 2.0, 3.0, 4.0]))),
    ("set with index array pair", lambda x, y: pt.set_subtensor(x[[0, 1], [2, 3]], y),
     _set(([0, 1], [2, 3])), (A, np.array([10.0, 20.0]))),
    ("inc mixed slice and array", lambda x, y: pt.inc_subtensor(x[1:, [0, 0]], y),
     _inc((slice(1, None), [0, 0])), (A, np.array([[1.0], [2.0]]))),
    ("set mask", lambda x: pt.set_subtensor(x[x > 4], 0.0), lambda x: _set(x > 4)(x, 0.0), (A,)),
    ("inc symbolic index array", lambda x, y, i: pt.inc_subtensor(x[i], y),
     lambda x, y, i: _inc((i,))(x, y), (V, np.array([1.0, 1.0, 1.0]), i64([5, 5, 1]))),
    ("set int tensor", lambda x: pt.set_subtensor(x[0], 7), lambda x: _set(0)(x, 7),
     (np.arange(3),)),
    ("set float32 keeps dtype", lambda x: pt.set_subtensor(x[1:], 0.5),
     lambda x: _set(slice(1, None))(x, 0.5), (np.ones(3, "float32"),)),
]


@pytest.mark.parametrize("static", [True, False], ids=["static", "dynamic"])
@pytest.mark.parametrize("name, build, ref, inputs", CASES, ids=[c[0] for c in CASES])
def test_values(name, build, ref, inputs, static):
    out, val = run_case(build, inputs, "python", static)
    expected = (ref or build)(*inputs)
    expected = np.asarray(expected)
    np.testing.assert_array_equal(val, expected)
    assert val.dtype == expected.dtype
    assert out.ndim == expected.ndim
    assert all(s is None or s == e for s, e in zip(out.type.shape, expected.shape)), \
        f"static shape {out.type.shape} vs value shape {expected.shape}"
    for node in toposort([out]):
        hash(node.op)  # props must stay hashable (backends key caches on them)


def test_static_shapes():
    x = pt.tensor("x", shape=(5, 4))
    assert x[1:3].type.shape == (2, 4)
    assert x[::-2, 1].type.shape == (3,)
    assert x[[0, 1, 1]].type.shape == (3, 4)
    assert x[:, [[0], [1]]].type.shape == (5, 2, 1)
    assert x[x > 0].type.shape == (None,)
    assert x[np.array([True, False, True, False, False])].type.shape == (2, 4)
    assert x[None, 0, ..., None].type.shape == (1, 4, 1)
    y = pt.tensor("y", shape=(None, 3))
    assert y[1:].type.shape == (None, 3)
    assert y[:, :2].type.shape == (None, 2)
    assert y[::-1].type.shape == (None, 3)


def test_shape_indexing_folds_known_sizes():
    y = pt.tensor("y", shape=(None, 3))
    n1 = y.shape[1]
    assert isinstance(n1, pt.TensorConstant) and int(n1.data) == 3
    n0 = y.shape[0]
    assert isinstance(n0.owner.op, Subtensor)
    assert int(n0.eval({y: np.zeros((7, 3))})) == 7


def test_ops_have_simple_hashable_props():
    x, i = pt.dmatrix("x"), pt.lscalar("i")
    for out, cls in [(x[i, 1:i:2], Subtensor), (x[[0, 1], i:], AdvancedSubtensor),
                     (pt.set_subtensor(x[i], 1.0), IncSubtensor),
                     (pt.inc_subtensor(x[[0, 0]], 1.0), AdvancedIncSubtensor)]:
        op = out.owner.op
        assert type(op) is cls
        assert hash(op) == hash(type(op)(*op._props())) and op == type(op)(*op._props())
    assert x[i, 1:i:2].owner.op.idx == ("i", (1, "i", 2))
    assert x[[0, 1], i:].owner.op.idx == ("a", ("i", None, None))
    assert str(x[i, 1:i:2].owner.op) == "Subtensor{[i, 1:i:2]}"


def test_inc_repeated_indices_match_add_at(rng):
    x, y, idx = pt.dvector("x"), pt.dvector("y"), pt.lvector("idx")
    f = pg.function([x, y, idx], pt.inc_subtensor(x[idx], y), mode="python")
    idx_val = rng.integers(0, 5, size=50)
    y_val = rng.normal(size=50)
    expected = np.zeros(5)
    np.add.at(expected, idx_val, y_val)
    np.testing.assert_allclose(f(np.zeros(5), y_val, idx_val), expected)


def test_gather_gradient_is_a_scatter_add():
    """``alpha[g]``'s gradient is a scatter-add (AdvancedIncSubtensor), never a one-hot matrix."""
    alpha, g = pt.dvector("alpha"), pt.lvector("g")
    cost = (alpha[g] ** 2).sum()
    ga = pg.grad(cost, alpha)
    graph = pg.function([alpha, g], ga, mode="python").graph
    assert AdvancedIncSubtensor in {type(n.op) for n in graph.apply_nodes}
    assert not any(v.type.ndim > 1 for v in graph.variables)
    g_val = np.array([0, 0, 2, 1, 0])
    a_val = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(ga.eval({alpha: a_val, g: g_val}), 2 * a_val * np.bincount(g_val))


def test_gradient_with_unknown_shapes_and_symbolic_indices():
    x, i = pt.dmatrix("x"), pt.lscalar("i")
    cost = (x[i:, [0, 0]] ** 2).sum() + x[i - 1, -1]
    gx = pg.grad(cost, x)
    xv = np.arange(12.0).reshape(3, 4)
    expected = np.zeros_like(xv)
    expected[1:, 0] = 2 * 2 * xv[1:, 0]
    expected[0, -1] = 1.0
    np.testing.assert_allclose(gx.eval({x: xv, i: 1}), expected)


MASK = np.array([[True, False, True, False]] * 3)
W = np.linspace(-1.0, 1.0, 12).reshape(3, 4)

GRAD_CASES = [
    ("int", lambda x: x[1], (W,)),
    ("slice with negative step", lambda x: x[2:0:-1, ::-2], (W,)),
    ("newaxis and ellipsis", lambda x: x[None, ..., 1], (W,)),
    ("0-d result", lambda x: x[1, 2], (W,)),
    ("repeated index array", lambda x: x[[0, 0, 2]], (W,)),
    ("index arrays split by a slice", lambda x: x[[0, 1], :, [0, 0]], (W.reshape(2, 3, 2),)),
    ("mixed slice and array", lambda x: x[1:, [3, 0, 3]], (W,)),
    ("mask", lambda x: x[MASK], (W,)),
    ("take", lambda x: pt.take(x, [1, 1, 0], axis=1), (W,)),
    ("set_subtensor basic", lambda x, y: pt.set_subtensor(x[1:, 1], y), (W, np.array([0.3, 0.7]))),
    ("set_subtensor broadcast value", lambda x, y: pt.set_subtensor(x[:, 1:3], y),
     (W, np.array([0.3, 0.7]))),
    ("inc_subtensor basic", lambda x, y: pt.inc_subtensor(x[0], y), (W, np.array([0.5]))),
    ("set_subtensor advanced", lambda x, y: pt.set_subtensor(x[[0, 2], [1, 3]], y),
     (W, np.array([0.3, 0.7]))),
    ("inc_subtensor repeated", lambda x, y: pt.inc_subtensor(x[[0, 0, 2]], y),
     (W, np.array([0.1, 0.2, 0.3, 0.4]))),
    ("inc_subtensor scalar value", lambda x, y: pt.inc_subtensor(x[x > 0], y), (W, np.array(0.5))),
]


@pytest.mark.parametrize("name, fn, points", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grad(name, fn, points):
    pg.verify_grad(fn, list(points))


def test_integer_indices_get_no_gradient():
    x, i = pt.dvector("x"), pt.lvector("i")
    node = x[i].owner
    grads = node.op.pullback(list(node.inputs), list(node.outputs), [pt.dvector("g")])
    assert grads[1] is None
    xi = pt.lvector("xi")
    node = xi[1:].owner
    assert node.op.pullback(list(node.inputs), list(node.outputs), [pt.dvector("g")]) == [None]


ERROR_CASES = [
    ("int out of range", lambda x: x[3], IndexError, r"index 3 is out of bounds for axis 0 of x "
                                                       r"with shape \(3, 4\)"),
    ("negative int out of range", lambda x: x[:, -5], IndexError, r"index -5 .* axis 1 of x"),
    ("index array out of range", lambda x: x[:, [0, 4]], IndexError, r"index 4 .* axis 1 of x"),
    ("too many indices", lambda x: x[0, 0, 0], IndexError, r"too many indices for x"),
    ("float index", lambda x: x[1.5], IndexError, r"only integers"),
    ("float index array", lambda x: x[np.array([0.0])], IndexError, r"only integers"),
    ("two ellipses", lambda x: x[..., ...], IndexError, r"single ellipsis"),
    ("index arrays do not broadcast", lambda x: x[[0, 1], [0, 1, 2]], IndexError,
     r"could not be broadcast .*\(2,\) \(3,\)"),
    ("mask of the wrong shape", lambda x: x[np.ones(4, bool)], IndexError, r"does not match"),
    ("zero step", lambda x: x[::0], ValueError, r"step cannot be zero"),
    ("set into a non-indexed tensor", lambda x: pt.set_subtensor(x, 1.0), TypeError,
     r"set_subtensor: the first argument must be an indexed tensor"),
    ("value does not fit", lambda x: pt.set_subtensor(x[0], np.ones(3)), ValueError,
     r"IncSubtensor.*shape \(3,\).*shape \(4,\)"),
    ("advanced value does not fit", lambda x: pt.inc_subtensor(x[[0, 1]], np.ones((3, 4))),
     ValueError, r"AdvancedIncSubtensor.*shape \(3, 4\).*shape \(2, 4\)"),
    ("take axis out of range", lambda x: pt.take(x, [0], axis=2), ValueError, r"axis 2"),
]


@pytest.mark.parametrize("name, build, exc, match", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_build_time_errors(name, build, exc, match):
    x = pt.tensor("x", shape=(3, 4))
    with pytest.raises(exc, match=match):
        build(x)


def test_set_float_into_int_tensor_raises():
    x = pt.lvector("x")
    with pytest.raises(TypeError, match=r"cannot write values of dtype float64.*astype"):
        pt.set_subtensor(x[0], 1.5)


def test_runtime_index_error_names_the_op():
    x, i = pt.dvector("x"), pt.lscalar("i")
    f = pg.function([x, i], x[i], mode="python")
    with pytest.raises(Exception, match=r"Subtensor.*out of bounds"):
        f(np.zeros(3), 5)
