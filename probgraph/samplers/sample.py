"""Run chains: initial points, per-chain seeds, compiled chunks in threads, progress and Ctrl-C."""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from probgraph.samplers import constants as C
from probgraph.samplers.chain import (
    ChainState,
    compiled_chunk,
    hmc_chunk,
    init_chain_state,
    nuts_chunk,
)
from probgraph.samplers.progress import ProgressBar

# init name -> (jitter the start?, metric kind)
INIT_METHODS = {
    "jitter+adapt_diag": (True, C.METRIC_DIAG),
    "adapt_diag": (False, C.METRIC_DIAG),
    "jitter+adapt_full": (True, C.METRIC_DENSE),
    "adapt_full": (False, C.METRIC_DENSE),
    "jitter+adapt_diag_grad": (True, C.METRIC_DIAG_GRAD),
    "adapt_diag_grad": (False, C.METRIC_DIAG_GRAD),
}


class InitialPointError(ValueError):
    """The log density or its gradient is not finite at a chain's starting point.

    Attributes ``chain``, ``point`` (the last point tried), ``logp`` and ``grad`` let the caller
    name the offending variables.
    """

    def __init__(self, message: str, chain: int, point: np.ndarray, logp: float,
                 grad: np.ndarray) -> None:
        super().__init__(message)
        self.chain = chain
        self.point = point
        self.logp = logp
        self.grad = grad


@dataclass
class SamplerResult:
    """Everything :func:`run_chains` produced. Iteration axis: ``tune`` warmup, then ``draws``.

    ``n_done[c]`` counts the iterations (warmup included) chain ``c`` completed; rows beyond it
    are unfilled (zeros) when sampling was interrupted. ``inv_mass_matrix`` is the adapted
    inverse metric ``M^{-1}`` (Stan's ``inv_metric``): ``(chains, ndim)`` for diagonal metrics,
    ``(chains, ndim, ndim)`` for dense ones.
    """

    draws: np.ndarray  # (chains, tune + draws, ndim)
    stats: dict[str, np.ndarray]  # ArviZ names -> (chains, tune + draws)
    n_done: np.ndarray  # (chains,)
    tune: int
    n_draws: int
    inv_mass_matrix: np.ndarray
    step_size: np.ndarray  # (chains,) final step size
    interrupted: bool
    method: str
    init: str
    wall_time: float  # seconds spent sampling (compilation excluded)
    compile_time: float
    chain_time: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (chains,) seconds

    @property
    def posterior(self) -> np.ndarray:
        """Draws after warmup, ``(chains, draws, ndim)``."""
        return self.draws[:, self.tune:]


def jitter(q0: np.ndarray, rng: np.random.Generator, scale: float = C.JITTER_SCALE) -> np.ndarray:
    """Return ``q0 + uniform(-scale, scale)`` elementwise (PyMC's ``jitter+adapt_diag`` start).

    Examples
    --------
    >>> q = jitter(np.zeros(3), np.random.default_rng(0))
    >>> bool(np.all(np.abs(q) <= 1))
    True
    """
    q0 = np.asarray(q0, dtype=np.float64)
    return q0 + rng.uniform(-scale, scale, size=q0.shape)


def _finite_start(logp_fn, args, q):
    logp, grad = logp_fn(q, args)
    grad = np.asarray(grad, dtype=np.float64)
    return logp, grad, bool(np.isfinite(logp) and np.all(np.isfinite(grad)))


def find_initial_point(
    logp_fn: Callable,
    args: tuple,
    q0: np.ndarray,
    rng: np.random.Generator,
    use_jitter: bool,
    chain: int = 0,
    max_tries: int = C.JITTER_MAX_TRIES,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Return ``(q, logp, grad)`` at a start with finite log density and gradient.

    With ``use_jitter``, up to ``max_tries`` jittered copies of ``q0`` are tried; without, ``q0``
    itself must be finite.

    Raises
    ------
    InitialPointError
        Carrying the chain index and the last point tried.
    """
    q = np.ascontiguousarray(q0, dtype=np.float64)
    tries = max_tries if use_jitter else 1
    for _ in range(tries):
        q = np.ascontiguousarray(jitter(q0, rng) if use_jitter else q, dtype=np.float64)
        logp, grad, ok = _finite_start(logp_fn, args, q)
        if ok:
            return q, float(logp), np.ascontiguousarray(grad)
    how = f"after {tries} jittered tries" if use_jitter else "at the given start"
    raise InitialPointError(
        f"chain {chain}: the log density or its gradient is not finite {how} "
        f"(logp={logp}); check the initial values and the model's support",
        chain, q, float(logp), grad,
    )


def single_threaded_blas():
    """A context limiting BLAS to one thread while chains run: the chains are the parallelism, and a
    multithreaded BLAS per chain oversubscribes the cores (a 5-20x slowdown of matrix-vector
    products measured on 2 cores). Restores the previous limits on exit."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _chain_worker(c, run, states, static, total, tune, draws, stats, perf, n_done, stop):
    """Advance chain ``c`` chunk by chunk until done or ``stop`` is set."""
    st: ChainState = states[c]
    logp_fn, args, tuning, method_param, max_err = static
    it, chunk, target = 0, 10, 0.1  # aim for ~0.1 s chunks so Ctrl-C and progress stay responsive
    t_chain = time.perf_counter()
    while it < total and not stop.is_set():
        it1 = min(total, it + chunk)
        t0 = time.perf_counter()
        run(logp_fn, args, st.rng, st.metric, st.q, st.g, st.sc, st.welford, st.flags, tuning,
            method_param, max_err, it, it1, tune, draws[c], stats[c], st.ws)
        dt = time.perf_counter() - t0
        steps = stats[c, it:it1, C.ST_N_STEPS]
        perf[c, it:it1] = dt * steps / max(steps.sum(), 1.0)
        n_done[c] = it1
        chunk = int(np.clip(chunk * target / max(dt, 1e-6), 1, 1000))
        it = it1
    return time.perf_counter() - t_chain


def _stats_dict(stats: np.ndarray, perf: np.ndarray) -> dict[str, np.ndarray]:
    cols = {
        "lp": C.ST_LP, "diverging": C.ST_DIVERGING, "energy": C.ST_ENERGY,
        "energy_error": C.ST_ENERGY_ERROR, "max_energy_error": C.ST_MAX_ENERGY_ERROR,
        "tree_depth": C.ST_TREE_DEPTH, "n_steps": C.ST_N_STEPS, "step_size": C.ST_STEP_SIZE,
        "step_size_bar": C.ST_STEP_SIZE_BAR, "acceptance_rate": C.ST_ACCEPTANCE_RATE,
        "reached_max_treedepth": C.ST_REACHED_MAX_TREEDEPTH,
    }
    out = {name: stats[:, :, col].astype(C.STAT_DTYPES[name]) for name, col in cols.items()}
    out["perf_counter_diff"] = perf
    return out


def _check_options(method, init, chains, draws, tune):
    if method not in ("nuts", "hmc"):
        raise ValueError(f"method must be 'nuts' or 'hmc', not {method!r}")
    if init not in INIT_METHODS:
        raise ValueError(f"init must be one of {sorted(INIT_METHODS)}, not {init!r}")
    if chains < 1 or draws < 0 or tune < 0:
        raise ValueError(f"need chains >= 1, draws >= 0, tune >= 0; got {chains}, {draws}, {tune}")


def run_chains(
    logp_fn: Callable,
    args: tuple,
    q0s: np.ndarray,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    cores: int | None = None,
    seed: int | np.random.SeedSequence | None = None,
    method: str = "nuts",
    init: str = "jitter+adapt_diag",
    target_accept: float | None = None,
    max_treedepth: int = C.MAX_TREEDEPTH,
    path_length: float = C.PATH_LENGTH,
    step_size: float = C.STEP_SIZE,
    max_energy_error: float = C.MAX_ENERGY_ERROR,
    progressbar: bool = True,
    callback: Callable[[dict], None] | None = None,
) -> SamplerResult:
    """Sample ``chains`` chains of NUTS (or static HMC) from a compiled log density.

    Parameters
    ----------
    logp_fn : numba dispatcher
        ``logp_fn(q, args) -> (logp, grad)`` on the unconstrained space; NaN/inf count as
        divergences.
    args : tuple of numpy.ndarray
        Passed through to ``logp_fn`` unchanged.
    q0s : numpy.ndarray
        Starting points, ``(chains, ndim)`` or one ``(ndim,)`` point for all chains.
    draws, tune, chains : int
        Iterations kept per chain, warmup iterations per chain, number of chains.
    cores : int, optional
        Threads running chains at once (default ``min(chains, os.cpu_count())``). Results do
        not depend on it.
    seed : int or SeedSequence, optional
        Chain ``c`` uses ``np.random.default_rng(SeedSequence(seed).spawn(chains)[c])``, for
        jitter and sampling alike.
    method : {"nuts", "hmc"}
    init : str
        ``"jitter+adapt_diag"`` (default), ``"adapt_diag"``, ``"jitter+adapt_full"``,
        ``"adapt_full"``, ``"adapt_diag_grad"`` or ``"jitter+adapt_diag_grad"``: uniform(-1, 1)
        jitter of the start or not; diagonal, dense, or gradient-based diagonal metric.
    target_accept : float, optional
        Dual-averaging target; 0.8 for NUTS, 0.65 for HMC by default.
    max_treedepth, path_length, step_size, max_energy_error
        NUTS tree-depth limit, HMC integration time, initial step size, divergence threshold.
    progressbar : bool
        Text progress bar on stderr.
    callback : callable, optional
        Called from the main thread about ten times a second with ``{"n_done", "divergences",
        "step_size", "elapsed"}``; raising ``KeyboardInterrupt`` in it stops sampling.

    Returns
    -------
    SamplerResult
        On Ctrl-C (or a callback's ``KeyboardInterrupt``) all chains stop at the end of their
        current chunk, a warning is issued, and the partial result has ``interrupted=True``.

    Raises
    ------
    InitialPointError
        If a chain finds no start with finite log density and gradient.

    Examples
    --------
    >>> import numba
    >>> @numba.njit
    ... def logp(q, args):
    ...     return -0.5 * (q @ q), -q
    >>> res = run_chains(logp, (np.zeros(1),), np.zeros(2), draws=100, tune=100, chains=2,
    ...                  seed=1, progressbar=False)  # doctest: +SKIP
    >>> res.draws.shape  # doctest: +SKIP
    (2, 200, 2)
    """
    _check_options(method, init, chains, draws, tune)
    use_jitter, kind = INIT_METHODS[init]
    if target_accept is None:
        target_accept = C.TARGET_ACCEPT if method == "nuts" else C.HMC_TARGET_ACCEPT
    q0s = np.atleast_2d(np.asarray(q0s, dtype=np.float64))
    if q0s.shape[0] == 1:
        q0s = np.repeat(q0s, chains, axis=0)
    ndim, total = q0s.shape[1], tune + draws
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rngs = [np.random.default_rng(s) for s in ss.spawn(chains)]
    states = []
    for c in range(chains):
        q, logp, grad = find_initial_point(logp_fn, args, q0s[c], rngs[c], use_jitter, chain=c)
        states.append(init_chain_state(q, logp, grad, tune, kind, rngs[c], max_treedepth,
                                       step_size))
    out_draws = np.zeros((chains, total, ndim))
    out_stats = np.zeros((chains, total, C.N_STATS))
    perf = np.zeros((chains, total))
    n_done = np.zeros(chains, dtype=np.int64)
    kernel = nuts_chunk if method == "nuts" else hmc_chunk
    method_param = int(max_treedepth) if method == "nuts" else float(path_length)
    tuning = (float(target_accept), C.DA_GAMMA, C.DA_T0, C.DA_KAPPA)
    static = (logp_fn, args, tuning, method_param, float(max_energy_error))
    t0 = time.perf_counter()
    st = states[0]
    run = compiled_chunk(kernel, logp_fn, (logp_fn, args, st.rng, st.metric, st.q, st.g, st.sc,
                                           st.welford, st.flags, tuning, method_param,
                                           float(max_energy_error), 0, 0, tune, out_draws[0],
                                           out_stats[0], st.ws))
    compile_time = time.perf_counter() - t0
    cores = min(chains, os.cpu_count() or 1) if cores is None else max(1, int(cores))
    stop = threading.Event()
    bar = ProgressBar(chains * total, tune, enabled=progressbar)
    t_start = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=cores, thread_name_prefix="probgraph-chain")
    with single_threaded_blas():
        futures = [pool.submit(_chain_worker, c, run, states, static, total, tune, out_draws,
                               out_stats, perf, n_done, stop) for c in range(chains)]
        interrupted = _supervise(futures, stop, bar, callback, states, out_stats, n_done, tune)
        pool.shutdown(wait=True)
    chain_time = np.array([f.result() if not f.cancelled() else 0.0 for f in futures])
    wall = time.perf_counter() - t_start
    return SamplerResult(
        draws=out_draws,
        stats=_stats_dict(out_stats, perf),
        n_done=n_done,
        tune=tune,
        n_draws=draws,
        inv_mass_matrix=np.stack([s.inv_mass_matrix for s in states]),
        step_size=np.array([s.step_size for s in states]),
        interrupted=interrupted,
        method=method,
        init=init,
        wall_time=wall,
        compile_time=compile_time,
        chain_time=chain_time,
    )


def _supervise(futures, stop, bar, callback, states, stats, n_done, tune) -> bool:
    """Poll the chains from the main thread; on KeyboardInterrupt stop them and return True."""
    t0 = time.perf_counter()

    def report():
        div = int(stats[:, tune:, C.ST_DIVERGING].sum())
        eps = float(np.mean([s.step_size for s in states]))
        return div, eps

    try:
        while True:
            _, pending = wait(futures, timeout=0.1)
            div, eps = report()
            bar.update(n_done, div, eps)
            if callback is not None:
                callback({"n_done": n_done.copy(), "divergences": div, "step_size": eps,
                          "elapsed": time.perf_counter() - t0})
            if not pending:
                break
    except KeyboardInterrupt:
        stop.set()
        for f in futures:
            f.cancel()
        wait(futures)
        bar.close(n_done, *report())
        warnings.warn(
            f"sampling interrupted: returning {n_done.tolist()} completed iterations per chain "
            f"(warmup included)",
            RuntimeWarning,
            stacklevel=3,
        )
        return True
    bar.close(n_done, *report())
    return False
