"""The compiled iterative NUTS against a plain-Python transcription of Stan's recursive NUTS.

numba's ``np.random.Generator`` produces the same stream as numpy's, so the reference, run from
the same seed with the random numbers consumed in Stan's order, must give the same draws, tree
depths, step counts and divergences.
"""

import numpy as np
import pytest

from probgraph.samplers import run_chains


def logaddexp(a, b):
    return np.logaddexp(a, b)


def criterion(p_sharp_minus, p_sharp_plus, rho):
    return p_sharp_plus @ rho > 0 and p_sharp_minus @ rho > 0


class StanNUTS:
    """Diagonal-metric NUTS following base_nuts.hpp line by line (recursive build_tree)."""

    def __init__(self, logp_fn, args, rng, eps, max_depth, max_delta_h=1000.0):
        self.logp_fn, self.args, self.rng = logp_fn, args, rng
        self.eps, self.max_depth, self.max_delta_h = eps, max_depth, max_delta_h

    def hamiltonian(self, z):
        _, p, lp, _ = z
        lp = -np.inf if np.isnan(lp) else lp
        h = 0.5 * p @ p - lp
        return np.inf if np.isnan(h) else h

    def sample_p(self, n):
        return np.array([self.rng.standard_normal() for _ in range(n)])

    def evolve(self, z, eps):
        q, p, lp, g = z
        p = p + 0.5 * eps * g
        q = q + eps * p
        lp, g = self.logp_fn(q, self.args)
        p = p + 0.5 * eps * g
        return [q, p, lp, g]

    def init_stepsize(self, z0):
        def delta_h():
            z = [z0[0], self.sample_p(len(z0[0])), z0[2], z0[3]]
            h0 = self.hamiltonian(z)
            h = self.hamiltonian(self.evolve(z, self.eps))
            return h0 - h

        direction = 1 if delta_h() > np.log(0.8) else -1
        while True:
            dh = delta_h()
            if (direction == 1 and not dh > np.log(0.8)) or (
                direction == -1 and not dh < np.log(0.8)
            ):
                break
            self.eps = 2 * self.eps if direction == 1 else 0.5 * self.eps

    def build_tree(self, depth, z, h0, sign, acc):
        """Returns (valid, z_end, z_propose, p_sharp_beg, p_sharp_end, rho, p_beg, p_end, lsw)."""
        if depth == 0:
            z = self.evolve(z, sign * self.eps)
            acc["n"] += 1
            h = self.hamiltonian(z)
            if h - h0 > self.max_delta_h:
                acc["divergent"] = True
            acc["metro"] += 1.0 if h0 - h > 0 else np.exp(h0 - h)
            p = z[1]
            return (not acc["divergent"], z, z, p, p, p.copy(), p, p, h0 - h)
        (valid, z, zp_init, ps_beg, ps_init_end, rho_init, p_beg, p_init_end,
         lsw_init) = self.build_tree(depth - 1, z, h0, sign, acc)
        if not valid:
            return (False, z) + (None,) * 7
        (valid, z, zp_final, ps_final_beg, ps_end, rho_final, p_final_beg, p_end,
         lsw_final) = self.build_tree(depth - 1, z, h0, sign, acc)
        if not valid:
            return (False, z) + (None,) * 7
        lsw_sub = logaddexp(lsw_init, lsw_final)
        if lsw_final > lsw_sub or self.rng.random() < np.exp(lsw_final - lsw_sub):
            zp = zp_final
        else:
            zp = zp_init
        rho_sub = rho_init + rho_final
        persist = criterion(ps_beg, ps_end, rho_sub)
        persist &= criterion(ps_beg, ps_final_beg, rho_init + p_final_beg)
        persist &= criterion(ps_init_end, ps_end, rho_final + p_init_end)
        return persist, z, zp, ps_beg, ps_end, rho_sub, p_beg, p_end, lsw_sub

    def transition(self, q, lp, g):
        p = self.sample_p(len(q))
        z0 = [q, p, lp, g]
        h0 = self.hamiltonian(z0)
        z_fwd = z_bck = z_sample = z0
        p_fwd_fwd = p_fwd_bck = p_bck_fwd = p_bck_bck = p
        ps_fwd_fwd = ps_fwd_bck = ps_bck_fwd = ps_bck_bck = p
        rho, lsw, depth = p.copy(), 0.0, 0
        acc = {"n": 0, "metro": 0.0, "divergent": False}
        while depth < self.max_depth:
            if self.rng.random() > 0.5:
                rho_bck, p_bck_fwd, ps_bck_fwd = rho, p_fwd_fwd, ps_fwd_fwd
                (valid, z_fwd, zp, ps_fwd_bck, ps_fwd_fwd, rho_fwd, p_fwd_bck, p_fwd_fwd,
                 lsw_sub) = self.build_tree(depth, z_fwd, h0, 1, acc)
            else:
                rho_fwd, p_fwd_bck, ps_fwd_bck = rho, p_bck_bck, ps_bck_bck
                (valid, z_bck, zp, ps_bck_fwd, ps_bck_bck, rho_bck, p_bck_fwd, p_bck_bck,
                 lsw_sub) = self.build_tree(depth, z_bck, h0, -1, acc)
            if not valid:
                break
            depth += 1
            if lsw_sub > lsw or self.rng.random() < np.exp(lsw_sub - lsw):
                z_sample = zp
            lsw = logaddexp(lsw, lsw_sub)
            rho = rho_bck + rho_fwd
            persist = criterion(ps_bck_bck, ps_fwd_fwd, rho)
            persist &= criterion(ps_bck_bck, ps_fwd_bck, rho_bck + p_fwd_bck)
            persist &= criterion(ps_bck_fwd, ps_fwd_fwd, rho_fwd + p_bck_fwd)
            if not persist:
                break
        stats = (depth, acc["n"], acc["divergent"], acc["metro"] / acc["n"])
        return z_sample[0], z_sample[2], z_sample[3], stats


@pytest.mark.parametrize(
    "name, args, max_depth",
    [
        ("normal", (np.zeros(5), np.array([0.05, 0.3, 1.0, 3.0, 20.0])), 10),
        ("normal", (np.zeros(5), np.array([0.05, 0.3, 1.0, 3.0, 20.0])), 4),
        ("truncated", (np.array([0.2]), np.zeros(1)), 10),
    ],
)
def test_matches_stan_recursion(targets, name, args, max_depth):
    logp_fn, n_draws, seed = targets[name], 40, 17
    q0 = np.full(len(args[1]) if name == "normal" else 3, -0.3)
    res = run_chains(logp_fn, args, q0, draws=n_draws, tune=0, chains=1, seed=seed,
                     init="adapt_diag", max_treedepth=max_depth, progressbar=False)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    ref = StanNUTS(logp_fn, args, rng, eps=1.0, max_depth=max_depth)
    lp, g = logp_fn(q0, args)
    q = q0
    ref.init_stepsize([q, None, lp, g])
    assert res.step_size[0] == ref.eps
    for i in range(n_draws):
        q, lp, g, (depth, n, divergent, accept) = ref.transition(q, lp, g)
        np.testing.assert_allclose(res.draws[0, i], q, rtol=1e-9, atol=1e-12)
        assert res.stats["tree_depth"][0, i] == depth
        assert res.stats["n_steps"][0, i] == n
        assert res.stats["diverging"][0, i] == divergent
        assert res.stats["acceptance_rate"][0, i] == pytest.approx(accept, rel=1e-9)
    if name == "truncated":
        assert res.stats["diverging"].any()
    if max_depth == 4:
        assert res.stats["reached_max_treedepth"].any()
