"""One chain's state as arrays, and the compiled loops advancing it by a chunk of iterations.

Everything a chain carries between chunks — position, gradient, log density, step-size and
dual-averaging scalars, Welford moments, the metric, the scratch buffers and its random
generator — lives in the arrays of a :class:`ChainState`, so Python can run a chain in compiled
chunks of any length, look at the draws in between, and resume with bit-identical results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, types

from probgraph.samplers import constants as C
from probgraph.samplers.adaptation import (
    adapt_after_draw,
    dual_averaging_restart,
    init_stepsize,
    window_flags,
)
from probgraph.samplers.hmc import hmc_draw
from probgraph.samplers.metrics import copy_vec, make_metric
from probgraph.samplers.nuts import make_workspace, nuts_draw


@dataclass
class ChainState:
    """Arrays holding a chain between compiled chunks (all updated in place by the kernels)."""

    q: np.ndarray  # (ndim,) current position
    g: np.ndarray  # (ndim,) gradient of the log density at q
    sc: np.ndarray  # (N_SCALARS,) logp, step size, dual-averaging scalars, Welford count
    metric: tuple  # (kind, inv_mass_diag, inv_mass_dense, chol), see metrics.py
    welford: tuple  # (mean, m2, m2_dense, grad_mean, grad_m2)
    flags: np.ndarray  # (tune,) int8 window flags
    ws: tuple  # scratch buffers, nuts.make_workspace
    rng: np.random.Generator

    @property
    def step_size(self) -> float:
        return float(self.sc[C.SC_STEP_SIZE])

    @property
    def inv_mass_matrix(self) -> np.ndarray:
        kind, diag, dense, _ = self.metric
        return dense.copy() if kind == C.METRIC_DENSE else diag.copy()


def init_chain_state(
    q: np.ndarray,
    logp: float,
    grad: np.ndarray,
    tune: int,
    kind: int,
    rng: np.random.Generator,
    max_treedepth: int = C.MAX_TREEDEPTH,
    step_size: float = C.STEP_SIZE,
) -> ChainState:
    """Build the state of a chain starting at ``q`` (log density ``logp``, gradient ``grad``).

    Parameters
    ----------
    q, grad : numpy.ndarray
        Starting point on the unconstrained space and the gradient there.
    logp : float
        Log density at ``q``.
    tune : int
        Number of warmup iterations (sets the adaptation windows).
    kind : int
        ``METRIC_DIAG``, ``METRIC_DENSE`` or ``METRIC_DIAG_GRAD``.
    rng : numpy.random.Generator
        The chain's own generator; the kernels advance it in place.
    max_treedepth, step_size : int, float
        Size of the tree buffers; the initial nominal step size (dual averaging's
        ``mu = log(10 * step_size)``, as Stan's services set it).

    Examples
    --------
    >>> st = init_chain_state(np.zeros(2), 0.0, np.zeros(2), 100, 0, np.random.default_rng(0))
    >>> st.step_size
    1.0
    """
    ndim = q.shape[0]
    sc = np.zeros(C.N_SCALARS)
    sc[C.SC_LOGP] = logp
    sc[C.SC_STEP_SIZE] = step_size
    dual_averaging_restart(sc, step_size)
    dense = ndim if kind == C.METRIC_DENSE else 1
    welford = (np.zeros(ndim), np.zeros(ndim), np.zeros((dense, dense)), np.zeros(ndim),
               np.zeros(ndim))
    return ChainState(
        q=np.array(q, dtype=np.float64, order="C"),
        g=np.array(grad, dtype=np.float64, order="C"),
        sc=sc,
        metric=make_metric(ndim, kind),
        welford=welford,
        flags=window_flags(tune),
        ws=make_workspace(ndim, max_treedepth),
        rng=rng,
    )


@njit(nogil=True, cache=True)
def _after_draw(q, g, sc, welford, metric, flags, tuning, it, tune, row, draw, scratch):
    """Adapt during warmup (returns True when a window closed), freeze the step size at the end
    of warmup (Stan's ``complete_adaptation``: ``eps = exp(x_bar)``), record the draw."""
    window_closed = False
    if it < tune:
        window_closed = adapt_after_draw(q, g, sc, welford, metric, flags[it],
                                         row[C.ST_ACCEPTANCE_RATE], tuning, scratch)
        if it == tune - 1 and sc[C.SC_COUNTER] > 0:
            sc[C.SC_STEP_SIZE] = np.exp(sc[C.SC_X_BAR])
        bar = np.exp(sc[C.SC_X_BAR]) if sc[C.SC_COUNTER] > 0 else sc[C.SC_STEP_SIZE]
        row[C.ST_STEP_SIZE_BAR] = bar
    else:
        row[C.ST_STEP_SIZE_BAR] = sc[C.SC_STEP_SIZE]
    copy_vec(draw, q)
    return window_closed


@njit(nogil=True, cache=True)
def nuts_chunk(logp_fn, args, rng, metric, q, g, sc, welford, flags, tuning, max_treedepth,
               max_energy_error, it0, it1, tune, draws, stats, ws):
    """Run NUTS iterations ``it0 .. it1 - 1`` of a chain, writing ``draws[it]`` and ``stats[it]``.

    ``tuning = (target_accept, gamma, t0, kappa)``. As in Stan, ``init_stepsize`` runs before the
    first transition and after each metric update, which also restarts dual averaging at
    ``mu = log(10 * eps)`` (``adapt_diag_e_nuts.hpp``). The GIL is released throughout.
    """
    for it in range(it0, it1):
        if it == 0:  # Stan's services run init_stepsize before the first transition
            sc[C.SC_STEP_SIZE] = init_stepsize(logp_fn, args, rng, metric, sc[C.SC_STEP_SIZE],
                                               q, g, sc[C.SC_LOGP], ws)
        sc[C.SC_LOGP] = nuts_draw(logp_fn, args, rng, metric, sc[C.SC_STEP_SIZE], q, g,
                                  sc[C.SC_LOGP], max_treedepth, max_energy_error, ws, stats[it])
        if _after_draw(q, g, sc, welford, metric, flags, tuning, it, tune, stats[it], draws[it],
                       ws[9][6]):  # a window closed: the metric changed
            sc[C.SC_STEP_SIZE] = init_stepsize(logp_fn, args, rng, metric, sc[C.SC_STEP_SIZE],
                                               q, g, sc[C.SC_LOGP], ws)
            dual_averaging_restart(sc, sc[C.SC_STEP_SIZE])


@njit(nogil=True, cache=True)
def hmc_chunk(logp_fn, args, rng, metric, q, g, sc, welford, flags, tuning, path_length,
              max_energy_error, it0, it1, tune, draws, stats, ws):
    """Run static-HMC iterations ``it0 .. it1 - 1`` of a chain (see :func:`nuts_chunk`)."""
    for it in range(it0, it1):
        if it == 0:  # Stan's services run init_stepsize before the first transition
            sc[C.SC_STEP_SIZE] = init_stepsize(logp_fn, args, rng, metric, sc[C.SC_STEP_SIZE],
                                               q, g, sc[C.SC_LOGP], ws)
        sc[C.SC_LOGP] = hmc_draw(logp_fn, args, rng, metric, sc[C.SC_STEP_SIZE], q, g,
                                 sc[C.SC_LOGP], path_length, C.HMC_MAX_STEPS, max_energy_error,
                                 ws, stats[it])
        if _after_draw(q, g, sc, welford, metric, flags, tuning, it, tune, stats[it], draws[it],
                       ws[9][6]):  # a window closed: the metric changed
            sc[C.SC_STEP_SIZE] = init_stepsize(logp_fn, args, rng, metric, sc[C.SC_STEP_SIZE],
                                               q, g, sc[C.SC_LOGP], ws)
            dual_averaging_restart(sc, sc[C.SC_STEP_SIZE])


def compiled_chunk(kernel, logp_fn, call_args: tuple):
    """Return a callable running ``kernel`` on ``call_args`` (whose first item is ``logp_fn``).

    A numba dispatcher ``logp_fn`` is passed as a first-class function (``types.FunctionType``
    of its compiled signature) rather than as a dispatcher type: the kernel is then specialised
    on the *signature* of the log density, not on its identity, so numba's on-disk cache
    (``cache=True``) serves every model whose ``args`` have the same types. With a dispatcher
    type the kernel would be recompiled in every process. Anything else is passed as it is.
    """
    if not isinstance(logp_fn, numba.core.dispatcher.Dispatcher):
        return kernel
    vec = types.Array(types.float64, 1, "C")
    args_ty = numba.typeof(call_args[1])
    logp_fn.compile((vec, args_ty))
    ret = logp_fn.overloads[(vec, args_ty)].signature.return_type
    fn_ty = types.FunctionType(ret(vec, args_ty))
    sig = (fn_ty,) + tuple(numba.typeof(a) for a in call_args[1:])
    kernel.compile(sig)
    return kernel.overloads[sig].entry_point
