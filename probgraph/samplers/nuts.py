"""Multinomial NUTS exactly as Stan's ``base_nuts.hpp``, built iteratively in preallocated buffers.

Stan builds each new subtree recursively; here the same tree is built leaf by leaf with a
binary counter: after leaf ``i`` the completed subtrees at every level ``j`` where bit ``j`` of
``i`` is set are merged with their stored left siblings, in the order Stan's recursion merges
them, so the random draws, the multinomial choices and the U-turn checks are the same. Nothing
is allocated per leaf: proposals live in rows of a pool (``pool_q``, ``pool_g``) and tree nodes
swap row ownership.

The whole transition is one compiled function working on 2-d indices into the workspace: no
array views, tuples or array-passing calls per leaf (each costs atomic reference counts and a
long argument list). For a diagonal metric the leapfrog is written out, and its second momentum
half step also does the level-0 work: the left leaf's momentum and velocity are stored there,
and a level-0 merge needs only two dot products, since for two single leaves Stan's three
U-turn checks are one and the same (``rho = p_left + p`` bit for bit in all three). Every
floating-point operation is the one Stan's recursion does, in the same order.

References: Hoffman & Gelman (2014), "The No-U-Turn Sampler", JMLR 15; Betancourt (2017),
"A Conceptual Introduction to Hamiltonian Monte Carlo", arXiv:1701.02434 (multinomial sampling,
generalised U-turn criterion); Stan ``src/stan/mcmc/hmc/nuts/base_nuts.hpp``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from probgraph.samplers.constants import (
    METRIC_DENSE,
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
from probgraph.samplers.metrics import draw_momentum, kinetic, velocity

# rows of `left`: BEG_P/BEG_V[t] hold the momentum and velocity of the leaf that begins a
# subtree of 2**t leaves (t = trailing zeros of its index, t = depth for the first leaf),
# END_P/END_V[j] those of the leaf that ends a left sibling of 2**j leaves (j = trailing ones),
# RHO rows the momentum sums, owned through `own[1]`; rows of `vec` are working vectors (V_P is the
# momentum after the first half step); `ends` holds momentum and velocity at the trajectory ends
BEG_P, BEG_V, END_P, END_V, RHO = 0, 1, 2, 3, 4
V_P, V_V, V_RHO, V_RHO_TRAJ, V_NEAR_P, V_NEAR_V, V_Z = 0, 1, 2, 3, 4, 5, 6
E_P, E_V = 0, 1
# slots of `acc`: per-transition accumulators (kept for the workspace layout)
A_N, A_METRO, A_MAX_ERR, A_DIV = 0, 1, 2, 3
# what the second momentum half step of a leaf also does (see _leaf_diag)
KICK_BEG, KICK_END, KICK_END_MERGE0 = 0, 1, 2


@njit(nogil=True, cache=True)
def make_workspace(ndim, max_treedepth):
    """Allocate the scratch buffers of one chain: reused by every transition, never reallocated.

    Returns the tuple ``(pool_q, pool_g, pool_lp, pool_h, own, left, left_lsw, ends, ends_lp, vec,
    acc)``; ``own[0, j]`` is the pool row holding the proposal of the stored subtree at level
    ``j``, ``own[0, D]`` that of the subtree being built and ``own[0, D + 1]`` the current sample;
    pool rows ``D + 2`` and ``D + 3`` hold the position and gradient at the backward and forward
    ends. ``own[1, j]`` is the ``RHO`` row of the stored subtree at level ``j >= 1``,
    ``own[1, 0]`` that of the subtree being built.
    """
    d = max(max_treedepth, 1) + 1
    own = np.zeros((2, d + 2), dtype=np.int64)
    return (
        np.zeros((d + 4, ndim)),
        np.zeros((d + 4, ndim)),
        np.zeros(d + 4),
        np.zeros(d + 4),
        own,
        np.zeros((5, d, ndim)),
        np.zeros(d),
        np.zeros((2, 2, ndim)),
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
def _trailing_zeros(i, depth):
    """Level of the largest aligned subtree leaf ``i`` begins (``depth`` for leaf 0)."""
    if i == 0:
        return depth
    t = 0
    while not (i >> t) & 1:
        t += 1
    return t


@njit(nogil=True, cache=True)
def _trailing_ones(i):
    t = 0
    while (i >> t) & 1:
        t += 1
    return t


@njit(nogil=True, cache=True)
def _leaf_diag(logp_fn, args, minv, eps, pool_q, pool_g, src, dst, p_row, vec, left, mode, slot,
               slot0, rho_row):
    """One leapfrog (``integrators.leapfrog`` with a diagonal metric) from pool row ``src`` to
    ``dst``, starting from the momentum ``left[BEG_P or END_P, p_row]``, plus the leaf's share of
    the tree bookkeeping, fused into the second momentum half step.

    ``KICK_BEG`` stores the new momentum and velocity in ``BEG_*[slot]``; ``KICK_END`` in
    ``END_*[slot]``; ``KICK_END_MERGE0`` also merges with the left leaf ``BEG_*[slot0]``:
    ``RHO[rho_row] = p_left + p`` and the two dot products of the merged sum with the
    velocities, which for two single leaves are all of Stan's three U-turn checks. Returns
    ``(logp, kinetic, v_left . rho, v . rho)``.
    """
    n = vec.shape[1]
    half = 0.5 * eps
    for k in range(n):
        pk = left[p_row[0], p_row[1], k] + half * pool_g[src, k]
        vec[V_P, k] = pk
        pool_q[dst, k] = pool_q[src, k] + eps * minv[k] * pk
    logp, grad = logp_fn(pool_q[dst], args)
    if np.isnan(logp):
        logp = -np.inf
    ke = 0.0
    sa = sb = 0.0
    if mode == KICK_END_MERGE0:
        for k in range(n):
            gk = grad[k]
            pool_g[dst, k] = gk
            pk = vec[V_P, k] + half * gk
            vk = minv[k] * pk
            ke += pk * vk
            left[END_P, slot, k] = pk
            left[END_V, slot, k] = vk
            rk = left[BEG_P, slot0, k] + pk
            left[RHO, rho_row, k] = rk
            sa += left[BEG_V, slot0, k] * rk
            sb += vk * rk
    elif mode == KICK_END:
        for k in range(n):
            gk = grad[k]
            pool_g[dst, k] = gk
            pk = vec[V_P, k] + half * gk
            vk = minv[k] * pk
            ke += pk * vk
            left[END_P, slot, k] = pk
            left[END_V, slot, k] = vk
    else:
        for k in range(n):
            gk = grad[k]
            pool_g[dst, k] = gk
            pk = vec[V_P, k] + half * gk
            vk = minv[k] * pk
            ke += pk * vk
            left[BEG_P, slot, k] = pk
            left[BEG_V, slot, k] = vk
    return logp, 0.5 * ke, sa, sb


@njit(nogil=True, cache=True)
def _leaf_dense(logp_fn, args, metric, eps, pool_q, pool_g, src, dst, p_row, vec, left, mode, slot,
                slot0, rho_row):
    """:func:`_leaf_diag` for a dense metric, through ``integrators.leapfrog``."""
    n = vec.shape[1]
    for k in range(n):
        vec[V_P, k] = left[p_row[0], p_row[1], k]
    logp, ke = leapfrog(logp_fn, args, metric, eps, pool_q[src], pool_g[src], pool_q[dst],
                        pool_g[dst], vec[V_P], vec[V_V])
    sa = sb = 0.0
    row_p, row_v = (BEG_P, BEG_V) if mode == KICK_BEG else (END_P, END_V)
    for k in range(n):
        pk = vec[V_P, k]
        vk = vec[V_V, k]
        left[row_p, slot, k] = pk
        left[row_v, slot, k] = vk
        if mode == KICK_END_MERGE0:
            rk = left[BEG_P, slot0, k] + pk
            left[RHO, rho_row, k] = rk
            sa += left[BEG_V, slot0, k] * rk
            sb += vk * rk
    return logp, ke, sa, sb


@njit(nogil=True, cache=True)
def _merge_criterion(left, j, left_beg, rho_left, rho_cur, jv):
    """U-turn checks when the current subtree merges with its stored left sibling at level
    ``j >= 1``: on the merged tree and across the halves (Stan's "demand satisfaction between
    subtrees"). ``BEG_*[j]`` begins the right half, ``BEG_*[left_beg]`` the left one,
    ``END_*[j]`` ends the left half and ``END_*[jv]`` is the current leaf. Leaves the merged
    momentum sum in ``RHO[rho_cur]``; returns whether to go on."""
    s1a = s1b = s2a = s2b = s3a = s3b = 0.0
    for k in range(left.shape[2]):
        lr = left[RHO, rho_left, k]
        cr = left[RHO, rho_cur, k]
        r1 = lr + cr
        r2 = lr + left[BEG_P, j, k]
        r3 = cr + left[END_P, j, k]
        lbv = left[BEG_V, left_beg, k]
        vk = left[END_V, jv, k]
        s1a += lbv * r1
        s1b += vk * r1
        s2a += lbv * r2
        s2b += left[BEG_V, j, k] * r2
        s3a += left[END_V, j, k] * r3
        s3b += vk * r3
        left[RHO, rho_cur, k] = r1
    return s1a > 0 and s1b > 0 and s2a > 0 and s2b > 0 and s3a > 0 and s3b > 0


@njit(nogil=True, cache=True)
def _top_criterion(left, ends, vec, pool_q, pool_g, side, depth, rho_row, last):
    """U-turn checks after adding a subtree of ``depth`` on ``side`` (1 forward, 0 backward).

    Updates the trajectory's momentum sum and moves the end on ``side`` to the subtree's last
    leaf (pool row ``last``, ``END_*[depth]``); returns whether to keep doubling.
    """
    if depth == 0:  # a single leaf: it begins the subtree and its momentum is the sum
        bp, bv, b, rp, rr = END_P, END_V, 0, END_P, 0
    else:
        bp, bv, b, rp, rr = BEG_P, BEG_V, depth, RHO, rho_row
    far = 1 - side
    end = pool_q.shape[0] - 2 + side
    s1a = s1b = s2a = s2b = s3a = s3b = 0.0
    for k in range(vec.shape[1]):
        rt = vec[V_RHO_TRAJ, k]
        rk = left[rp, rr, k]
        pk = left[END_P, depth, k]
        vk = left[END_V, depth, k]
        fv = ends[E_V, far, k]
        r1 = rt + rk
        r2 = rt + left[bp, b, k]
        r3 = rk + ends[E_P, side, k]
        s1a += fv * r1
        s1b += vk * r1
        s2a += fv * r2
        s2b += left[bv, b, k] * r2
        s3a += ends[E_V, side, k] * r3
        s3b += vk * r3
        vec[V_RHO_TRAJ, k] = r1
        ends[E_P, side, k] = pk
        ends[E_V, side, k] = vk
        pool_q[end, k] = pool_q[last, k]
        pool_g[end, k] = pool_g[last, k]
    return s1a > 0 and s1b > 0 and s2a > 0 and s2b > 0 and s3a > 0 and s3b > 0


@njit(nogil=True, cache=True)
def _start(rng, metric, q, g, logp, pool_q, pool_g, pool_lp, pool_h, own, ends, vec):
    """Draw the momentum, put the current point in the sample row and at both trajectory ends.

    For a diagonal metric the draw, ``M^{-1} p`` and the kinetic energy are one loop with the
    same operations as ``draw_momentum``, ``velocity`` and ``kinetic``.
    """
    kind, minv, _, _ = metric
    for k in range(own.shape[1]):
        own[0, k] = k
        own[1, k] = k
    n = q.shape[0]
    if kind == METRIC_DENSE:
        p, v = vec[V_P], vec[V_V]
        draw_momentum(rng, metric, p, vec[V_Z])
        velocity(metric, p, v)
        h0 = kinetic(p, v) - logp
    else:
        ke = 0.0
        for k in range(n):
            pk = rng.standard_normal() / np.sqrt(minv[k])
            vk = minv[k] * pk
            ke += pk * vk
            vec[V_P, k] = pk
            vec[V_V, k] = vk
        h0 = 0.5 * ke - logp
    s = own.shape[1] - 1
    pool_lp[s], pool_h[s] = logp, h0
    for row in range(s, s + 3):
        for k in range(n):
            pool_q[row, k] = q[k]
        for k in range(n):
            pool_g[row, k] = g[k]
    for k in range(n):
        vec[V_RHO_TRAJ, k] = vec[V_P, k]
    for side in range(2):
        for k in range(n):
            ends[E_P, side, k] = vec[V_P, k]
        for k in range(n):
            ends[E_V, side, k] = vec[V_V, k]
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
    (Stan ``base_nuts.hpp``; Betancourt 2017, appendix A). A subtree of ``2**depth`` leaves
    (Stan's ``build_tree``) is built leaf by leaf; ``own[cur]`` holds its proposal and
    ``vec[V_RHO]`` its momentum sum.
    """
    pool_q, pool_g, pool_lp, pool_h, own, left, left_lsw, ends, _, vec, _ = ws
    kind, minv, _, _ = metric
    dense = kind == METRIC_DENSE
    top = left_lsw.shape[0] - 1  # a BEG/END slot no subtree uses: the momentum at the start
    cur, sample = left_lsw.shape[0], left_lsw.shape[0] + 1
    n = q.shape[0]
    h0 = _start(rng, metric, q, g, logp, pool_q, pool_g, pool_lp, pool_h, own, ends, vec)
    n_steps = metro = max_err = 0.0
    diverged = False
    lsw = 0.0
    depth = np.int64(0)
    while depth < max_treedepth:
        side = 1 if rng.random() > 0.5 else 0
        step = eps if side == 1 else -eps
        for k in range(n):
            left[END_P, top, k] = ends[E_P, side, k]
        # build the subtree leaf by leaf (Stan's build_tree)
        src = cur + 2 + side
        p_row = (END_P, top)
        valid = True
        cur_lsw = -np.inf
        for i in range(1 << depth):
            r = own[0, cur]
            slot0 = 0
            if i & 1:
                mode, slot = KICK_END_MERGE0, _trailing_ones(i)
                slot0 = _trailing_zeros(i - 1, depth)
            elif depth == 0:
                mode, slot = KICK_END, 0
            else:
                mode, slot = KICK_BEG, _trailing_zeros(i, depth)
            if dense:
                lp_new, ke, sa, sb = _leaf_dense(logp_fn, args, metric, step, pool_q, pool_g, src,
                                                 r, p_row, vec, left, mode, slot, slot0,
                                                 own[1, 0])
            else:
                lp_new, ke, sa, sb = _leaf_diag(logp_fn, args, minv, step, pool_q, pool_g, src,
                                                r, p_row, vec, left, mode, slot, slot0, own[1, 0])
            p_row = (BEG_P, slot) if mode == KICK_BEG else (END_P, slot)
            h = ke - lp_new
            if not np.isfinite(h):
                h = np.inf
            err = h - h0
            n_steps += 1.0
            metro += 1.0 if err < 0.0 else np.exp(-err)
            if abs(err) > abs(max_err):
                max_err = err
            pool_lp[r] = lp_new
            pool_h[r] = h
            src = r
            if err > max_energy_error:
                diverged = True
                valid = False
                break
            cur_lsw = -err
            j = np.int64(0)
            while j < depth and (i >> j) & 1:
                # uniform multinomial choice between the halves, then the U-turn checks
                lsw_sub = _logaddexp(left_lsw[j], cur_lsw)
                if not (cur_lsw > lsw_sub) and not (rng.random() < np.exp(cur_lsw - lsw_sub)):
                    own[0, cur], own[0, j] = own[0, j], own[0, cur]
                cur_lsw = lsw_sub
                if j == 0:
                    persist = sa > 0 and sb > 0
                else:
                    left_beg = _trailing_zeros(i + 1 - (2 << j), depth)
                    persist = _merge_criterion(left, j, left_beg, own[1, j], own[1, 0], slot)
                if not persist:
                    valid = False
                    break
                j += 1
            if not valid:
                break
            if j < depth:  # keep the completed subtree as the left sibling of the next one
                own[0, cur], own[0, j] = own[0, j], own[0, cur]
                left_lsw[j] = cur_lsw
                if j > 0:
                    own[1, 0], own[1, j] = own[1, j], own[1, 0]
        if not valid:
            break
        # biased progressive sampling between the old trajectory and the new subtree
        if cur_lsw > lsw or rng.random() < np.exp(cur_lsw - lsw):
            own[0, sample], own[0, cur] = own[0, cur], own[0, sample]
        lsw = _logaddexp(lsw, cur_lsw)
        persist = _top_criterion(left, ends, vec, pool_q, pool_g, side, depth, own[1, 0], src)
        depth += 1
        if not persist:
            break
    s = own[0, sample]
    for k in range(n):
        q[k] = pool_q[s, k]
        g[k] = pool_g[s, k]
    out[ST_LP] = pool_lp[s]
    out[ST_DIVERGING] = 1.0 if diverged else 0.0
    out[ST_ENERGY] = pool_h[s]
    out[ST_ENERGY_ERROR] = pool_h[s] - h0
    out[ST_MAX_ENERGY_ERROR] = max_err
    out[ST_TREE_DEPTH] = depth
    out[ST_N_STEPS] = n_steps
    out[ST_STEP_SIZE] = eps
    out[ST_ACCEPTANCE_RATE] = metro / n_steps if n_steps > 0 else 0.0
    out[ST_REACHED_MAX_TREEDEPTH] = 1.0 if depth >= max_treedepth else 0.0
    return pool_lp[s]
