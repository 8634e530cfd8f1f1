"""Multinomial NUTS exactly as Stan's ``base_nuts.hpp``, built iteratively in preallocated buffers.

Stan builds each new subtree recursively; here the same tree is built leaf by leaf with a
binary counter: after leaf ``i`` the completed subtrees at every level ``j`` where bit ``j`` of
``i`` is set are merged with their stored left siblings, in the order Stan's recursion merges
them, so the random draws, the multinomial choices and the U-turn checks are the same. Nothing
is allocated per leaf: proposals live in rows of a pool (``pool_q``, ``pool_g``) and tree nodes
swap row ownership.

References: Hoffman & Gelman (2014), "The No-U-Turn Sampler", JMLR 15; Betancourt (2017),
"A Conceptual Introduction to Hamiltonian Monte Carlo", arXiv:1701.02434 (multinomial sampling,
generalised U-turn criterion); Stan ``src/stan/mcmc/hmc/nuts/base_nuts.hpp``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from probgraph.samplers.constants import (
    ST_ACCEPTANCE_RATE,
    ST_DIVERGING,
    ST_ENERGY,
    ST_ENERGY_ERROR,
    ST_LP,
    ST_MAX_ENERGY_ERROR,
    ST_N_STEPS,
    ST_REACHED_MAX_TREEDEPTH,
    ST_STEP_SIZE,
    ST_TREE_DEPTH,
)
from probgraph.samplers.integrators import leapfrog
from probgraph.samplers.metrics import copy_vec, draw_momentum, kinetic, velocity

# rows of `left` (one stored left subtree per level) and of `vec` (working vectors)
BEG_P, BEG_V, END_P, END_V, RHO = 0, 1, 2, 3, 4
V_P, V_V, V_RHO, V_RHO_TRAJ, V_NEAR_P, V_NEAR_V, V_Z = 0, 1, 2, 3, 4, 5, 6
# slots of `acc`: per-transition accumulators
A_N, A_METRO, A_MAX_ERR, A_DIV = 0, 1, 2, 3


@njit(nogil=True, cache=True)
def make_workspace(ndim, max_treedepth):
    """Allocate the scratch buffers of one chain: reused by every transition, never reallocated.

    Returns the tuple ``(pool_q, pool_g, pool_lp, pool_h, own, left, left_lsw, ends, ends_lp, vec,
    acc)``; ``own[j]`` is the pool row holding the proposal of the stored subtree at level ``j``,
    ``own[D]`` that of the subtree being built and ``own[D + 1]`` the current sample.
    """
    d = max(max_treedepth, 1) + 1
    rows = d + 2
    return (
        np.zeros((rows, ndim)),
        np.zeros((rows, ndim)),
        np.zeros(rows),
        np.zeros(rows),
        np.arange(rows),
        np.zeros((5, d, ndim)),
        np.zeros(d),
        np.zeros((4, 2, ndim)),
        np.zeros(2),
        np.zeros((7, ndim)),
        np.zeros(4),
    )


@njit(nogil=True, cache=True)
def _logaddexp(a, b):
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    if a > b:
        return a + np.log1p(np.exp(b - a))
    return b + np.log1p(np.exp(a - b))


@njit(nogil=True, cache=True)
def _merge(ws, j, cur_lsw, rng):
    """Merge the subtree just completed at level ``j`` into its stored left sibling.

    Uniform multinomial choice between the halves, then the U-turn check on the merged tree and
    the two checks across the halves (Stan's "demand satisfaction between subtrees"). The merged
    momentum sum is left in ``vec[V_RHO]``. Returns ``(persist, log_sum_weight)``.
    """
    _, _, _, _, own, left, left_lsw, _, _, vec, _ = ws
    cur = left_lsw.shape[0]
    lsw_sub = _logaddexp(left_lsw[j], cur_lsw)
    if not (cur_lsw > lsw_sub) and not (rng.random() < np.exp(cur_lsw - lsw_sub)):
        own[cur], own[j] = own[j], own[cur]
    if j == 0:  # the right half is the single leaf just computed
        beg_p, beg_v = vec[V_P], vec[V_V]
    else:
        beg_p, beg_v = left[BEG_P, j - 1], left[BEG_V, j - 1]
    v, rho = vec[V_V], vec[V_RHO]
    s1a = s1b = s2a = s2b = s3a = s3b = 0.0
    for k in range(rho.shape[0]):
        lr = left[RHO, j, k]
        cr = rho[k]
        r1 = lr + cr
        r2 = lr + beg_p[k]
        r3 = cr + left[END_P, j, k]
        s1a += left[BEG_V, j, k] * r1
        s1b += v[k] * r1
        s2a += left[BEG_V, j, k] * r2
        s2b += beg_v[k] * r2
        s3a += left[END_V, j, k] * r3
        s3b += v[k] * r3
        rho[k] = r1
    persist = s1a > 0 and s1b > 0 and s2a > 0 and s2b > 0 and s3a > 0 and s3b > 0
    return persist, lsw_sub


@njit(nogil=True, cache=True)
def _store(ws, j, cur_lsw):
    """Keep the subtree just completed at level ``j`` as the left sibling of the next one."""
    _, _, _, _, own, left, left_lsw, _, _, vec, _ = ws
    cur = left_lsw.shape[0]
    own[cur], own[j] = own[j], own[cur]
    left_lsw[j] = cur_lsw
    p, v, rho = vec[V_P], vec[V_V], vec[V_RHO]
    for k in range(p.shape[0]):
        if j == 0:
            left[BEG_P, j, k] = p[k]
            left[BEG_V, j, k] = v[k]
        else:
            left[BEG_P, j, k] = left[BEG_P, j - 1, k]
            left[BEG_V, j, k] = left[BEG_V, j - 1, k]
        left[END_P, j, k] = p[k]
        left[END_V, j, k] = v[k]
        left[RHO, j, k] = rho[k]


@njit(nogil=True, cache=True)
def build_subtree(logp_fn, args, metric, eps, depth, h0, q0, g0, max_energy_error, rng, ws):
    """Build a subtree of ``2**depth`` leapfrogs from ``(q0, vec[V_P])`` (Stan's ``build_tree``).

    ``eps`` carries the direction's sign. Returns ``(valid, log_sum_weight, last_row)``: whether
    no divergence or U-turn occurred inside, the subtree's log sum of weights ``log sum exp(H0 -
    H)``, and the pool row of its last leaf. The proposal is in row ``own[D]``, the momentum sum in
    ``vec[V_RHO]``; counts go to ``acc``.
    """
    pool_q, pool_g, pool_lp, pool_h, own, _, left_lsw, _, _, vec, acc = ws
    cur = left_lsw.shape[0]
    p, v, rho = vec[V_P], vec[V_V], vec[V_RHO]
    src_q, src_g = q0, g0
    cur_lsw = -np.inf
    last = own[cur]
    for i in range(1 << depth):
        r = own[cur]
        logp, ke = leapfrog(logp_fn, args, metric, eps, src_q, src_g, pool_q[r], pool_g[r], p, v)
        h = ke - logp
        if not np.isfinite(h):
            h = np.inf
        err = h - h0
        acc[A_N] += 1.0
        acc[A_METRO] += 1.0 if err < 0.0 else np.exp(-err)
        if abs(err) > abs(acc[A_MAX_ERR]):
            acc[A_MAX_ERR] = err
        pool_lp[r] = logp
        pool_h[r] = h
        src_q, src_g, last = pool_q[r], pool_g[r], r
        if err > max_energy_error:
            acc[A_DIV] = 1.0
            return False, -np.inf, last
        cur_lsw = -err
        copy_vec(rho, p)
        j = np.int64(0)
        while j < depth and (i >> j) & 1:
            persist, cur_lsw = _merge(ws, j, cur_lsw, rng)
            if not persist:
                return False, cur_lsw, last
            j += 1
        if j < depth:
            _store(ws, j, cur_lsw)
    return True, cur_lsw, last


@njit(nogil=True, cache=True)
def _top_criterion(ws, side, depth):
    """U-turn checks after adding a subtree of ``depth`` on ``side`` (1 forward, 0 backward).

    Updates the trajectory's momentum sum and returns whether to keep doubling.
    """
    _, _, _, _, _, left, _, ends, _, vec, _ = ws
    v, rho, rho_traj = vec[V_V], vec[V_RHO], vec[V_RHO_TRAJ]
    near_p, near_v = vec[V_NEAR_P], vec[V_NEAR_V]
    far_v = ends[3, 1 - side]
    if depth == 0:
        beg_p, beg_v = vec[V_P], vec[V_V]
    else:
        beg_p, beg_v = left[BEG_P, depth - 1], left[BEG_V, depth - 1]
    s1a = s1b = s2a = s2b = s3a = s3b = 0.0
    for k in range(rho.shape[0]):
        r1 = rho_traj[k] + rho[k]
        r2 = rho_traj[k] + beg_p[k]
        r3 = rho[k] + near_p[k]
        s1a += far_v[k] * r1
        s1b += v[k] * r1
        s2a += far_v[k] * r2
        s2b += beg_v[k] * r2
        s3a += near_v[k] * r3
        s3b += v[k] * r3
        rho_traj[k] = r1
    return s1a > 0 and s1b > 0 and s2a > 0 and s2b > 0 and s3a > 0 and s3b > 0


@njit(nogil=True, cache=True)
def _start(rng, metric, q, g, logp, ws):
    """Draw the momentum, put the current point in the sample row and at both trajectory ends."""
    pool_q, pool_g, pool_lp, pool_h, own, _, left_lsw, ends, ends_lp, vec, acc = ws
    for k in range(own.shape[0]):
        own[k] = k
    acc[:] = 0.0
    p, v = vec[V_P], vec[V_V]
    draw_momentum(rng, metric, p, vec[V_Z])
    velocity(metric, p, v)
    h0 = kinetic(p, v) - logp
    s = own[left_lsw.shape[0] + 1]
    pool_q[s], pool_g[s] = q, g
    pool_lp[s], pool_h[s] = logp, h0
    for side in range(2):
        ends[0, side], ends[1, side], ends[2, side], ends[3, side] = q, g, p, v
        ends_lp[side] = logp
    vec[V_RHO_TRAJ] = p
    return h0


@njit(nogil=True, cache=True)
def nuts_draw(logp_fn, args, rng, metric, eps, q, g, logp, max_treedepth, max_energy_error, ws,
              out):
    """One NUTS transition from ``(q, g, logp)`` with step size ``eps``; Stan's ``transition``.

    ``q`` and ``g`` are overwritten with the new point; its log density is returned. The stats
    row ``out`` receives lp, diverging, energy, energy_error, max_energy_error, tree_depth,
    n_steps, step_size, acceptance_rate and reached_max_treedepth.

    Notes
    -----
    Biased progressive sampling between the old trajectory and each new subtree, uniform
    multinomial sampling inside subtrees; the generalised criterion ``p_sharp . rho > 0`` at both
    ends plus the two checks across the halves; a leapfrog whose energy error exceeds
    ``max_energy_error`` (NaN counts as infinite) ends the trajectory as divergent
    (Stan ``base_nuts.hpp``; Betancourt 2017, appendix A).
    """
    pool_q, pool_g, pool_lp, pool_h, own, _, left_lsw, ends, _, vec, acc = ws
    cur, sample = left_lsw.shape[0], left_lsw.shape[0] + 1
    h0 = _start(rng, metric, q, g, logp, ws)
    lsw = 0.0
    depth = np.int64(0)  # not a literal: numba would compile build_subtree twice
    while depth < max_treedepth:
        side = 1 if rng.random() > 0.5 else 0
        step = eps if side == 1 else -eps
        copy_vec(vec[V_NEAR_P], ends[2, side])
        copy_vec(vec[V_NEAR_V], ends[3, side])
        copy_vec(vec[V_P], ends[2, side])
        valid, lsw_sub, last = build_subtree(
            logp_fn, args, metric, step, depth, h0, ends[0, side], ends[1, side],
            max_energy_error, rng, ws,
        )
        if not valid:
            break
        if lsw_sub > lsw or rng.random() < np.exp(lsw_sub - lsw):
            own[sample], own[cur] = own[cur], own[sample]
        lsw = _logaddexp(lsw, lsw_sub)
        persist = _top_criterion(ws, side, depth)
        depth += 1
        copy_vec(ends[0, side], pool_q[last])
        copy_vec(ends[1, side], pool_g[last])
        copy_vec(ends[2, side], vec[V_P])
        copy_vec(ends[3, side], vec[V_V])
        if not persist:
            break
    s = own[sample]
    copy_vec(q, pool_q[s])
    copy_vec(g, pool_g[s])
    n_steps = acc[A_N]
    out[ST_LP] = pool_lp[s]
    out[ST_DIVERGING] = acc[A_DIV]
    out[ST_ENERGY] = pool_h[s]
    out[ST_ENERGY_ERROR] = pool_h[s] - h0
    out[ST_MAX_ENERGY_ERROR] = acc[A_MAX_ERR]
    out[ST_TREE_DEPTH] = depth
    out[ST_N_STEPS] = n_steps
    out[ST_STEP_SIZE] = eps
    out[ST_ACCEPTANCE_RATE] = acc[A_METRO] / n_steps if n_steps > 0 else 0.0
    out[ST_REACHED_MAX_TREEDEPTH] = 1.0 if depth >= max_treedepth else 0.0
    return pool_lp[s]
