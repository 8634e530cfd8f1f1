"""Static HMC with a jittered step size: the baseline transition, with the same stats as NUTS."""

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
    STEP_JITTER_HIGH,
    STEP_JITTER_LOW,
)
from probgraph.samplers.integrators import leapfrog
from probgraph.samplers.metrics import copy_vec, draw_momentum, kinetic, velocity
from probgraph.samplers.nuts import V_P, V_V, V_Z


@njit(nogil=True, cache=True)
def hmc_draw(logp_fn, args, rng, metric, eps, q, g, logp, path_length, max_steps,
             max_energy_error, ws, out):
    """One static-HMC transition (Neal 2011, "MCMC using Hamiltonian dynamics"; PyMC's HMC).

    The step size is jittered, ``eps * uniform(0.85, 1.15)``, and the trajectory runs
    ``n_steps = max(1, int(path_length / eps))`` leapfrog steps (capped at ``max_steps``) before a
    Metropolis accept/reject. A non-finite or larger-than-``max_energy_error`` energy error counts
    as a divergence and is rejected. ``q``/``g`` are overwritten; the new log density is returned.
    ``tree_depth`` is reported as 0 and ``reached_max_treedepth`` as false.
    """
    pool_q, pool_g, _, _, _, _, _, _, _, vec, _ = ws
    p, v = vec[V_P], vec[V_V]
    eps_j = eps * rng.uniform(STEP_JITTER_LOW, STEP_JITTER_HIGH)
    n_steps = min(max(1, int(path_length / eps_j)), max_steps)
    draw_momentum(rng, metric, p, vec[V_Z])
    velocity(metric, p, v)
    h0 = kinetic(p, v) - logp
    qn, gn = pool_q[0], pool_g[0]
    copy_vec(qn, q)
    copy_vec(gn, g)
    new_logp, ke = logp, 0.0
    for _ in range(n_steps):
        new_logp, ke = leapfrog(logp_fn, args, metric, eps_j, qn, gn, qn, gn, p, v)
    h = ke - new_logp
    if not np.isfinite(h):
        h = np.inf
    err = h - h0
    diverging = err > max_energy_error
    accept = 1.0 if err <= 0.0 else np.exp(-err)
    energy = h0
    if not diverging and rng.random() < accept:
        copy_vec(q, qn)
        copy_vec(g, gn)
        logp, energy = new_logp, h
    out[ST_LP] = logp
    out[ST_DIVERGING] = 1.0 if diverging else 0.0
    out[ST_ENERGY] = energy
    out[ST_ENERGY_ERROR] = err
    out[ST_MAX_ENERGY_ERROR] = err
    out[ST_TREE_DEPTH] = 0.0
    out[ST_N_STEPS] = n_steps
    out[ST_STEP_SIZE] = eps_j
    out[ST_ACCEPTANCE_RATE] = accept
    out[ST_REACHED_MAX_TREEDEPTH] = 0.0
    return logp
