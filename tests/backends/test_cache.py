"""The numba compile cache: a fresh process reuses the machine code; version or source changes miss;
concurrent compiles of one graph agree."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from probgraph.backends.numba import cache

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np, probgraph as pg, probgraph.tensor as pt
    x = pt.dvector("x")
    t0 = time.perf_counter()
    f = pg.function([x], [(pt.{fn}(x) * {c} + pt.log1p(x * x)).sum(), pt.sigmoid(x)])
    dt = time.perf_counter() - t0
    kernel = f.thunk.kernel
    hits = sum(kernel.stats.cache_hits.values())
    misses = sum(kernel.stats.cache_misses.values())
    print(dt, hits, misses, float(f(np.linspace(0, 1, 5))[0]))
""")


def _run(tmp_path, c=2.5, procs=1, fn="exp"):
    env = dict(os.environ, PROBGRAPH_COMPILEDIR=str(tmp_path), PYTHONPATH=str(ROOT))
    code = SCRIPT.format(c=c, fn=fn)
    ps = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
          for _ in range(procs)]
    outs = []
    for p in ps:
        out, _ = p.communicate(timeout=600)
        assert p.returncode == 0
        dt, hits, misses, val = out.split()
        outs.append((float(dt), int(hits), int(misses), float(val)))
    return outs


def test_fresh_process_hits_disk_cache(tmp_path):
    (first,) = _run(tmp_path)
    (second,) = _run(tmp_path)
    assert first[2] >= 1 and second[1] >= 1 and second[2] == 0  # the second process loaded, never
                                                                # compiled
    assert second[3] == first[3]
    assert second[0] < first[0]
    assert len(list((tmp_path / "numba").glob("pg_*.py"))) == 1
    (data,) = _run(tmp_path, c=3.5)  # only a constant's value changed: same kernel, no compile
    assert data[2] == 0 and data[3] != first[3]
    (other,) = _run(tmp_path, fn="sin")  # a changed graph: a new source file, a compile
    assert other[2] >= 1
    assert len(list((tmp_path / "numba").glob("pg_*.py"))) == 2


def test_concurrent_compiles_agree(tmp_path):
    a, b = _run(tmp_path, c=4.5, procs=2)
    assert a[3] == b[3]
    assert len(list((tmp_path / "numba").glob("pg_*.py"))) == 1
    assert not list((tmp_path / "numba").glob(".tmp-*"))
    (again,) = _run(tmp_path, c=4.5)
    assert again[2] == 0


def test_key_depends_on_source_and_versions(monkeypatch):
    k1 = cache.cache_key("def kernel(): pass\n")
    assert k1 != cache.cache_key("def kernel(): return 1\n")
    monkeypatch.setattr(cache, "_TAG", ["numba=0.0"])
    assert cache.cache_key("def kernel(): pass\n") != k1
