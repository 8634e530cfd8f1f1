"""Every op table of tests/tensor run through the numba backend against the python reference.

Each table compiles to ONE numba function whose outputs are all the table's cases (one compile per
table instead of one per case), so the whole op suite runs on both backends in CI time.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import probgraph as pg
import probgraph.tensor as pt
from probgraph.backends.numba import generate_source
from probgraph.graph.fg import Graph

TENSOR_TESTS = Path(__file__).resolve().parents[1] / "tensor"

# (test file, table name)
TABLES = [
    ("test_subtensor.py", "CASES"),
    ("test_join_builders.py", "CASES"),
    ("test_dot_linalg.py", "DOT_CASES"),
    ("test_dot_linalg.py", "LINALG_CASES"),
    ("test_nnet.py", "NNET_CASES"),
    ("test_extra_ops.py", "EXTRA_CASES"),
    ("test_numpy_extras.py", "CASES"),
]

# Cases the numba backend does not emit yet; each must fail with a NotImplementedError that names
# the op (checked below), so a gap is explicit and disappears from this list when it is closed.
KNOWN_GAPS: dict[str, str] = {}


def _load(fname):
    path = TENSOR_TESTS / fname
    if not path.exists():
        return None
    name = f"_optable_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules[name] = mod
    return sys.modules[name]


def _build_case(fn, inputs, tag):
    xs = [pt.tensor(f"{tag}_in{i}", dtype=np.asarray(a).dtype, shape=np.shape(a))
          for i, a in enumerate(inputs)]
    out = fn(*xs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return xs, [pt.as_tensor(o) for o in outs]


def _emittable(xs, outs) -> str | None:
    try:
        generate_source(Graph(xs, outs))
    except NotImplementedError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("fname, table", TABLES, ids=[f"{f}:{t}" for f, t in TABLES])
def test_op_table_numba_matches_python(fname, table):
    mod = _load(fname)
    if mod is None or not hasattr(mod, table):
        pytest.fail(f"{fname} has no table {table}")
    all_in, all_out, all_vals, labels, gaps = [], [], [], [], []
    for k, case in enumerate(getattr(mod, table)):
        name, fn, _ref, inputs = case[0], case[1], case[2], case[3]
        inputs = [np.asarray(a) for a in inputs]
        xs, outs = _build_case(fn, inputs, f"c{k}")
        problem = _emittable(xs, outs)
        if problem is not None:
            gaps.append((name, problem))
            continue
        all_in += xs
        all_vals += inputs
        all_out += outs
        labels += [f"{name}[{j}]" for j in range(len(outs))]
    unexpected = [(n, p) for n, p in gaps if n not in KNOWN_GAPS]
    assert not unexpected, f"ops without a numba emitter: {unexpected}"
    for _, problem in gaps:
        assert "numba backend" in problem
    ref = pg.function(all_in, all_out, mode="python", on_unused_input="ignore")(*all_vals)
    got = pg.function(all_in, all_out, mode="numba", on_unused_input="ignore")(*all_vals)
    for label, r, g in zip(labels, ref, got):
        r, g = np.asarray(r), np.asarray(g)
        assert r.shape == g.shape, label
        assert r.dtype == g.dtype, label
        tol = 1e-5 if r.dtype in (np.float32,) else 1e-9
        np.testing.assert_allclose(g, r, rtol=tol, atol=tol, err_msg=label, equal_nan=True)
