"""Warmup adaptation as in Stan: step-size heuristic, dual averaging, windowed (co)variances.

References: Hoffman & Gelman (2014), section 3.2 (dual averaging, after Nesterov 2009); Stan
``src/stan/mcmc/stepsize_adaptation.hpp``, ``windowed_adaptation.hpp``, ``var_adaptation.hpp``,
``covar_adaptation.hpp``, ``hmc/base_hmc.hpp`` (``init_stepsize``). The ``adapt_diag_grad``
variant follows nutpie/nuts-rs (``src/math/cpu_math.rs``):
``M^{-1} = sqrt(var(draws) / var(grads))``,
which equals the posterior variance for a Gaussian target and needs fewer draws to settle.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from probgraph.samplers.constants import (
    BASE_WINDOW,
    DA_MU_FACTOR,
    GRAD_METRIC_MAX,
    GRAD_METRIC_MIN,
    INIT_BUFFER,
    INIT_STEPSIZE_ACCEPT,
    INIT_STEPSIZE_MAX,
    METRIC_DENSE,
    METRIC_DIAG_GRAD,
    MIN_ADAPT_WARMUP,
    REG_JITTER,
    REG_SHRINK_N,
    SC_COUNTER,
    SC_MU,
    SC_S_BAR,
    SC_STEP_SIZE,
    SC_WELFORD_N,
    SC_X_BAR,
    SMALL_INIT_FRACTION,
    SMALL_TERM_FRACTION,
    TERM_BUFFER,
    WIN_ADD,
    WIN_END,
)
from probgraph.samplers.integrators import leapfrog
from probgraph.samplers.metrics import draw_momentum, kinetic, velocity


def window_flags(
    tune: int,
    init_buffer: int = INIT_BUFFER,
    term_buffer: int = TERM_BUFFER,
    base_window: int = BASE_WINDOW,
) -> np.ndarray:
    """Per-iteration metric-adaptation flags for ``tune`` warmup draws, as Stan schedules them.

    A port of Stan's ``windowed_adaptation.hpp``: no adaptation below 20 warmup draws; buffers of
    15% / 75% / 10% when ``init_buffer + base_window + term_buffer > tune``; slow windows that
    double in size, the last one stretched to reach the terminal buffer.

    Returns
    -------
    numpy.ndarray of int8, shape (tune,)
        ``WIN_NONE`` (0), ``WIN_ADD`` (1: add the draw) or ``WIN_END`` (2: add it, then update
        the metric).

    Examples
    --------
    >>> f = window_flags(100)
    >>> int(np.argmax(f > 0)), np.flatnonzero(f == 2).tolist()
    (15, [89])
    """
    flags = np.zeros(max(tune, 0), dtype=np.int8)
    if tune < MIN_ADAPT_WARMUP:
        return flags
    if init_buffer + base_window + term_buffer > tune:
        init_buffer = int(SMALL_INIT_FRACTION * tune)
        term_buffer = int(SMALL_TERM_FRACTION * tune)
        base_window = tune - (init_buffer + term_buffer)
    last = tune - term_buffer - 1  # the last slow-window iteration
    size = base_window
    next_end = init_buffer + size - 1
    for counter in range(tune):
        if init_buffer <= counter < tune - term_buffer:
            flags[counter] = WIN_ADD
        if counter == next_end:
            flags[counter] = WIN_END
            if next_end != last:  # Stan's compute_next_window
                size *= 2
                next_end = counter + size
                if next_end != last and next_end + 2 * size >= tune - term_buffer:
                    next_end = last
    return flags


def window_schedule(tune: int, **kwargs) -> list[tuple[int, int]]:
    """Warmup phases as inclusive ``(start, end)`` pairs: init buffer, slow windows, term buffer.

    Examples
    --------
    >>> window_schedule(280)
    [(0, 74), (75, 99), (100, 229), (230, 279)]
    """
    if tune <= 0:
        return []
    flags = window_flags(tune, **kwargs)
    if not flags.any():
        return [(0, tune - 1)]
    ends = np.flatnonzero(flags == WIN_END).tolist()
    first = int(np.argmax(flags > 0))
    bounds = ([(0, first - 1)] if first > 0 else [])
    start = first
    for end in ends:
        bounds.append((start, end))
        start = end + 1
    if start < tune:
        bounds.append((start, tune - 1))
    return bounds


@njit(nogil=True, cache=True)
def dual_averaging_restart(sc, step_size):
    """Stan's ``set_mu(log(10 * eps))`` and ``restart()``."""
    sc[SC_MU] = np.log(DA_MU_FACTOR * step_size)
    sc[SC_S_BAR] = 0.0
    sc[SC_X_BAR] = 0.0
    sc[SC_COUNTER] = 0.0


@njit(nogil=True, cache=True)
def dual_averaging_update(sc, accept_stat, target_accept, gamma, t0, kappa):
    """One dual-averaging step on ``log(eps)`` (Stan's ``learn_stepsize``).

    Sets ``sc[SC_STEP_SIZE] = exp(x)`` and updates ``s_bar``, ``x_bar`` and the counter.
    """
    counter = sc[SC_COUNTER] + 1.0
    sc[SC_COUNTER] = counter
    accept_stat = min(accept_stat, 1.0)
    eta = 1.0 / (counter + t0)
    s_bar = (1.0 - eta) * sc[SC_S_BAR] + eta * (target_accept - accept_stat)
    x = sc[SC_MU] - s_bar * np.sqrt(counter) / gamma
    x_eta = counter ** (-kappa)
    sc[SC_S_BAR] = s_bar
    sc[SC_X_BAR] = (1.0 - x_eta) * sc[SC_X_BAR] + x_eta * x
    sc[SC_STEP_SIZE] = np.exp(x)


@njit(nogil=True, cache=True)
def init_stepsize(logp_fn, args, rng, metric, eps, q, g, logp, ws):
    """Stan's step-size heuristic (``base_hmc.hpp::init_stepsize``).

    A first one-step trial with a fresh momentum fixes the direction; then ``eps`` is doubled
    (or halved) until the one-step acceptance ``exp(-dH)`` of a fresh momentum crosses 0.8.
    Returns the new step size; values above ``1e7`` (Stan: "posterior is improper") or 0 are
    returned as they are for the caller to report.
    """
    if eps == 0.0 or eps > INIT_STEPSIZE_MAX or np.isnan(eps):
        return eps
    pool_q, pool_g, _, _, _, _, _, _, _, vec, _ = ws
    p, v = vec[0], vec[1]
    log_target = np.log(INIT_STEPSIZE_ACCEPT)
    direction = 0
    while True:
        draw_momentum(rng, metric, p, vec[6])
        velocity(metric, p, v)
        h0 = kinetic(p, v) - logp
        new_logp, ke = leapfrog(logp_fn, args, metric, eps, q, g, pool_q[0], pool_g[0], p, v)
        h = ke - new_logp
        dh = h0 - h if np.isfinite(h) else -np.inf
        if direction == 0:
            direction = 1 if dh > log_target else -1
            continue
        if direction == 1 and not (dh > log_target):
            break
        if direction == -1 and not (dh < log_target):
            break
        eps = 2.0 * eps if direction == 1 else 0.5 * eps
        if eps > INIT_STEPSIZE_MAX or eps == 0.0:
            break
    return eps


@njit(nogil=True, cache=True)
def welford_add(sc, welford, kind, q, g, scratch):
    """Add a draw (and, for ``adapt_diag_grad``, its gradient) to the running moments.

    ``welford = (mean, m2, m2_dense, grad_mean, grad_m2)``; the count is ``sc[SC_WELFORD_N]``.
    Stan's ``welford_var_estimator.hpp`` / ``welford_covar_estimator.hpp``.
    """
    mean, m2, m2_dense, g_mean, g_m2 = welford
    n = sc[SC_WELFORD_N] + 1.0
    sc[SC_WELFORD_N] = n
    dim = q.shape[0]
    for i in range(dim):
        delta = q[i] - mean[i]
        mean[i] += delta / n
        m2[i] += delta * (q[i] - mean[i])
        scratch[i] = delta
    if kind == METRIC_DENSE:
        for i in range(dim):
            di = q[i] - mean[i]
            for j in range(dim):
                m2_dense[i, j] += di * scratch[j]
    elif kind == METRIC_DIAG_GRAD:
        for i in range(dim):
            delta = g[i] - g_mean[i]
            g_mean[i] += delta / n
            g_m2[i] += delta * (g[i] - g_mean[i])


@njit(nogil=True, cache=True)
def welford_end_window(sc, welford, metric):
    """Close a slow window: set the metric from the window's moments, then restart the estimator.

    Diagonal/dense: ``var * n/(n+5) + 1e-3 * 5/(n+5)`` (Stan's regularisation towards a small
    multiple of the identity). ``adapt_diag_grad``: ``sqrt(var(q) / var(grad))`` clamped to
    ``[1e-10, 1e10]``. A non-finite estimate leaves the metric unchanged. Returns whether the
    metric changed.
    """
    kind, minv, minv_dense, chol = metric
    mean, m2, m2_dense, g_mean, g_m2 = welford
    n = sc[SC_WELFORD_N]
    changed = False
    if n > 1.0:
        shrink = n / (n + REG_SHRINK_N)
        jitter = REG_JITTER * REG_SHRINK_N / (n + REG_SHRINK_N)
        if kind == METRIC_DENSE:
            cov = m2_dense * (shrink / (n - 1.0))
            for i in range(cov.shape[0]):
                cov[i, i] += jitter
            if np.all(np.isfinite(cov)):
                minv_dense[:] = cov
                chol[:] = np.linalg.cholesky(cov)
                changed = True
        elif kind == METRIC_DIAG_GRAD:
            new = np.sqrt((m2 / (n - 1.0)) / (g_m2 / (n - 1.0)))
            if np.all(np.isfinite(new)):
                minv[:] = np.minimum(np.maximum(new, GRAD_METRIC_MIN), GRAD_METRIC_MAX)
                changed = True
        else:
            new = m2 * (shrink / (n - 1.0)) + jitter
            if np.all(np.isfinite(new)):
                minv[:] = new
                changed = True
    sc[SC_WELFORD_N] = 0.0
    mean[:] = 0.0
    m2[:] = 0.0
    m2_dense[:] = 0.0
    g_mean[:] = 0.0
    g_m2[:] = 0.0
    return changed


@njit(nogil=True, cache=True)
def adapt_after_draw(q, g, sc, welford, metric, flag, accept_stat, tuning_params, scratch):
    """Everything warmup does after one transition except ``init_stepsize``.

    Learns the step size from ``accept_stat``; adds ``q`` to the window estimator when ``flag``
    says so; at a window's end updates the metric. Returns whether a window ended, in which case
    the caller reruns ``init_stepsize`` and then :func:`dual_averaging_restart` (Stan's
    ``adapt_diag_e_nuts::transition``). ``tuning_params = (target_accept, gamma, t0, kappa)``.
    """
    target_accept, gamma, t0, kappa = tuning_params
    dual_averaging_update(sc, accept_stat, target_accept, gamma, t0, kappa)
    if flag >= WIN_ADD:
        welford_add(sc, welford, metric[0], q, g, scratch)
    if flag == WIN_END:
        welford_end_window(sc, welford, metric)
        return True
    return False
