"""Scan figures: loops written with ``pg.scan`` against the same model vectorised, and PyTensor.

(a) AR(1) log-density + gradient (T=200: the ``ar1_scan`` likelihood plus the z prior) three ways:
    ``scan``; ``cumsum`` (x_t = phi^t cumsum(phi^-s sigma z_s): O(T), unstable for small |phi|);
    ``toeplitz`` (x = L @ (sigma z), L[t, s] = phi^(t-s): O(T^2)). Goal: scan < 2x vectorised.
(b) A 1-layer tanh RNN (hidden 64, T=100, batch 32, 16 inputs): forward, and forward + backward
    (gradient wrt W, U, b).
Each figure is one call of a compiled ``function`` (``trust_input=True``). The same builders run on
PyTensor (modes NUMBA, FAST_RUN) in a subprocess if ``pytensor`` imports here or in the interpreter
named by ``PROBGRAPH_PEER_PYTHON``.

Run: ``python -m benchmarks.scan [--quick] [--mode numba|python] [--no-peers]``; writes
``benchmarks/results/scan.json`` and ``scan.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:
    from benchmarks.measure import time_call
except ImportError:  # run as a plain script by a peer interpreter
    sys.path.insert(0, str(HERE))
    from measure import time_call


def _scan(lib, *args, **kwargs):
    """The stacked outputs of ``lib.scan`` (with or without the ``updates`` PyTensor may return)."""
    res = lib.scan(*args, **kwargs)
    return res[0] if isinstance(res, tuple) else res


def ar1(lib, pt, variant: str, T: int, obs_sigma: float = 0.5):
    """Inputs ``[z, phi, sigma, y]`` and outputs ``[logp, dz, dphi, dsigma]`` of the AR(1) model."""
    z, y = pt.dvector("z"), pt.dvector("y")
    phi, sigma = pt.dscalar("phi"), pt.dscalar("sigma")
    if variant == "scan":
        x = _scan(lib, lambda z_t, x_prev, phi, sigma: phi * x_prev + sigma * z_t,
                  sequences=[z], outputs_info=[pt.as_tensor(np.float64(0.0))],
                  non_sequences=[phi, sigma])
    elif variant == "cumsum":
        t = np.arange(T, dtype=np.float64)
        x = phi ** t * pt.cumsum(phi ** -t * (sigma * z))
    else:
        lag = np.subtract.outer(np.arange(T), np.arange(T)).astype(np.float64)
        x = pt.dot(phi ** np.maximum(lag, 0.0) * (lag >= 0).astype(np.float64), sigma * z)
    lp = -0.5 * pt.sum(((y - x) / obs_sigma) ** 2) - 0.5 * pt.sum(z ** 2)
    return [z, phi, sigma, y], [lp, *lib.grad(lp, [z, phi, sigma])]


def rnn(lib, pt, backward: bool):
    """Inputs ``[x, h0, W, U, b]``; outputs ``sum(h**2)`` and, if ``backward``, its gradient."""
    x, h0, b = pt.dtensor3("x"), pt.dmatrix("h0"), pt.dvector("b")
    W, U = pt.dmatrix("W"), pt.dmatrix("U")

    def step(x_t, h_prev, W, U, b):
        return pt.tanh(pt.dot(x_t, W) + pt.dot(h_prev, U) + b)

    h = _scan(lib, step, sequences=[x], outputs_info=[h0], non_sequences=[W, U, b])
    loss = pt.sum(h ** 2)
    return [x, h0, W, U, b], [loss, *lib.grad(loss, [W, U, b])] if backward else [loss]


def cases(T: int, steps: int, batch: int = 32, hidden: int = 64, n_in: int = 16):
    """(name, builder, input values): the same values for every framework."""
    rng = np.random.default_rng(0)
    ar = [0.5 * rng.normal(size=T), np.array(0.5), np.array(0.7), rng.normal(size=T)]
    rn = [rng.normal(size=(steps, batch, n_in)), np.zeros((batch, hidden)),
          rng.normal(size=(n_in, hidden)) / 4, rng.normal(size=(hidden, hidden)) / 8,
          np.zeros(hidden)]
    return ([(f"ar1_{v}", lambda lib, pt, v=v: ar1(lib, pt, v, T), ar)
             for v in ("scan", "cumsum", "toeplitz")]
            + [(f"rnn_{k}", lambda lib, pt, k=k: rnn(lib, pt, k == "fwd_bwd"), rn)
               for k in ("fwd", "fwd_bwd")])


def measure(lib, pt, framework: str, mode: str, T: int, steps: int) -> list[dict]:
    rows = []
    for name, build, values in cases(T, steps):
        inputs, outputs = build(lib, pt)
        f = lib.function(inputs, outputs, mode=mode)
        f.trust_input = True
        value = float(np.asarray(f(*values)[0]))  # the same in every variant and framework
        rows.append({"framework": framework, "mode": mode, "case": name,
                     "us": time_call(f, *values) * 1e6, "value": value})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def measure_pytensor(T: int, steps: int) -> list[dict]:
    """Run in the peer interpreter: every case on PyTensor, once per mode that compiles."""
    import pytensor
    import pytensor.tensor as ptt
    rows = []
    for mode in ("NUMBA", "FAST_RUN"):
        try:
            rows += measure(pytensor, ptt, f"pytensor {pytensor.__version__}", mode, T, steps)
        except Exception as e:  # a mode missing from this PyTensor: report and go on
            print(f"pytensor mode {mode} failed: {type(e).__name__}: {e}", file=sys.stderr)
    return rows


def peer_rows(T: int, steps: int) -> list[dict]:
    peer = os.environ.get("PROBGRAPH_PEER_PYTHON")
    try:
        import pytensor  # noqa: F401
        peer = sys.executable
    except ImportError:
        pass
    if not peer:
        print("PyTensor not importable and PROBGRAPH_PEER_PYTHON unset: no PyTensor figures")
        return []
    r = subprocess.run([peer, str(HERE / "scan.py"), "--peer", "--T", str(T), "--steps",
                        str(steps)], capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        print(f"PyTensor run failed: {r.stderr.strip().splitlines()[-1:]}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def summarise(rows: list[dict]) -> dict:
    """Print and return, per framework and mode, AR(1) scan / vectorised and RNN backward cost."""
    summary, ours = {}, {r["case"]: r["us"] for r in rows if r["framework"] == "probgraph"}
    for fw, mode in dict.fromkeys((r["framework"], r["mode"]) for r in rows):
        t = {r["case"]: r["us"] for r in rows if (r["framework"], r["mode"]) == (fw, mode)}
        vec = min(t["ar1_cumsum"], t["ar1_toeplitz"])
        summary[f"{fw} {mode}"] = {"ar1_scan_over_vectorised": t["ar1_scan"] / vec,
                                   "rnn_bwd_over_fwd": t["rnn_fwd_bwd"] / t["rnn_fwd"]}
        print(f"{fw} {mode}: AR(1) scan {t['ar1_scan']:.1f} us, cumsum {t['ar1_cumsum']:.1f} us, "
              f"toeplitz {t['ar1_toeplitz']:.1f} us -> scan/vectorised x{t['ar1_scan'] / vec:.2f} "
              f"(goal < 2); RNN fwd {t['rnn_fwd']:.0f} us, fwd+bwd {t['rnn_fwd_bwd']:.0f} us")
        if fw != "probgraph":
            print("  probgraph / this: "
                  + ", ".join(f"{c} x{ours[c] / t[c]:.2f}" for c in t if c in ours))
    return summary


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    us = {(r["case"], f"{r['framework']} {r['mode']}"): r["us"] for r in rows}
    case_names = list(dict.fromkeys(c for c, _ in us))
    labels = list(dict.fromkeys(lab for _, lab in us))
    fig, ax = plt.subplots(figsize=(8, 4))
    w = 0.8 / len(labels)
    for i, lab in enumerate(labels):
        vals = [us.get((c, lab), 0) for c in case_names]
        ax.bar(np.arange(len(case_names)) + i * w, vals, w, label=lab)
    ax.set_xticks(np.arange(len(case_names)) + 0.4 - w / 2, case_names, rotation=15)
    ax.set_yscale("log")
    ax.set_ylabel("microseconds per call")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="T=20 and 10 RNN steps: a smoke check")
    p.add_argument("--mode", default="numba", choices=["numba", "python"])
    p.add_argument("--no-peers", action="store_true")
    p.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--T", type=int, default=200)
    p.add_argument("--steps", type=int, default=100)
    args = p.parse_args(argv)
    T, steps = (20, 10) if args.quick else (args.T, args.steps)
    if args.peer:
        return {"rows": measure_pytensor(T, steps)}
    import probgraph as pg
    import probgraph.tensor as pt
    rows = measure(pg, pt, "probgraph", args.mode, T, steps)
    if not args.no_peers:
        rows += peer_rows(T, steps)
    result = {"T": T, "rnn_steps": steps, "rows": rows, "summary": summarise(rows)}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scan.json").write_text(json.dumps(result, indent=1))
    plot(rows, HERE / "results" / "scan.png")
    return result


if __name__ == "__main__":
    main()
