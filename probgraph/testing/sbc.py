"""Simulation-based calibration: prior draw -> simulated data -> posterior draws -> rank statistics.

Talts, Betancourt, Simpson, Vehtari & Gelman (2018), "Validating Bayesian inference algorithms
with simulation-based calibration", arXiv:1804.06788. If the sampler and the model's density are
right, the rank of the true parameter among ``L`` posterior draws is uniform on ``0..L``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import stats


@dataclass
class SBCResult:
    """Ranks per parameter element, ``{"name" or "name[i]": (n_sims,) ints in 0..n_draws}``."""

    ranks: dict[str, np.ndarray]
    n_draws: int
    n_divergent: int
    seconds: float
    recompiled: bool  # did any replication after the first compile anything?

    def pvalues(self, bins: int = 10) -> dict[str, float]:
        """Chi-square p-value of rank uniformity for each parameter element."""
        return rank_uniformity_pvalues(self.ranks, self.n_draws, bins)


def rank_uniformity_pvalues(ranks: dict, n_draws: int, bins: int = 10) -> dict[str, float]:
    """Pearson chi-square test that ranks in ``0..n_draws`` are uniform, over ``bins`` equal bins.

    ``n_draws + 1`` must be divisible by ``bins`` so that each bin holds as many rank values.

    Examples
    --------
    >>> r = {"x": np.random.default_rng(0).integers(0, 100, size=200)}
    >>> rank_uniformity_pvalues(r, n_draws=99)["x"] > 0.001
    True
    """
    if (n_draws + 1) % bins:
        raise ValueError(f"n_draws + 1 = {n_draws + 1} ranks cannot be split into {bins} equal "
                         "bins")
    width = (n_draws + 1) // bins
    out = {}
    for name, r in ranks.items():
        counts = np.bincount(np.asarray(r) // width, minlength=bins)
        out[name] = float(stats.chisquare(counts).pvalue)
    return out


def _signature_count(*dispatchers) -> int:
    return sum(len(d.signatures) for d in dispatchers)


def simulation_based_calibration(
    model,
    simulate: Callable[[np.random.Generator], tuple[dict, dict]],
    n_sims: int = 100,
    draws: int = 99,
    tune: int = 200,
    thin: int = 1,
    seed: int = 0,
    **sampler_kwargs,
) -> SBCResult:
    """Run SBC on a model whose observations are ``pg.Data`` variables.

    The model's log density is compiled once; each replication only swaps the data with
    :func:`probgraph.set_data` and runs one NUTS chain on the same compiled function.

    Parameters
    ----------
    model : probgraph.Model
        Observed values must come from ``pg.Data`` so that they can change.
    simulate : callable
        ``simulate(rng) -> (truth, data)``: a prior draw ``{free variable name: value}`` and data
        simulated from it ``{Data name: array}``, written independently of the model's logp.
    n_sims : int
        Replications.
    draws, tune, thin : int
        One chain of ``draws * thin`` draws after ``tune`` warmup, thinned by ``thin``: ranks
        lie in ``0..draws``.
    seed : int
        Seeds the simulations and the chains.
    **sampler_kwargs
        Passed to :func:`probgraph.samplers.run_chains` (e.g. ``target_accept``).

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model() as m:
    ...     y = pg.Data("y", np.zeros(5))
    ...     mu = pg.Normal("mu", 0.0, 1.0)
    ...     obs = pg.Normal("obs", mu, 1.0, observed=y)
    >>> def simulate(rng):
    ...     mu = rng.normal()
    ...     return {"mu": mu}, {"y": rng.normal(mu, 1.0, size=5)}
    >>> res = simulation_based_calibration(m, simulate, n_sims=20)  # doctest: +SKIP
    >>> min(res.pvalues().values()) > 0.001  # doctest: +SKIP
    True
    """
    from probgraph.model.core import set_data
    from probgraph.samplers.chain import hmc_chunk, nuts_chunk
    from probgraph.samplers.sample import run_chains

    t0 = time.perf_counter()
    f = model.logp_dlogp_function()
    if f.logp_fn is None:
        raise RuntimeError("simulation_based_calibration needs the numba backend")
    expand = f.expand_function()
    names = f.expand_names
    seeds = np.random.SeedSequence(seed).spawn(n_sims)
    ranks: dict[str, list] = {}
    n_divergent, count_after_first = 0, None
    for i, ss in enumerate(seeds):
        sim_seed, chain_seed = ss.spawn(2)
        truth, data = simulate(np.random.default_rng(sim_seed))
        set_data(data, model=model)
        chain_int = int(chain_seed.generate_state(1)[0])
        q0 = f.point_to_array(model.initial_point(random_seed=chain_int))
        res = run_chains(f.logp_fn, f.args, q0, draws=draws * thin, tune=tune, chains=1,
                         seed=chain_int, progressbar=False, **sampler_kwargs)
        n_divergent += int(res.stats["diverging"][:, tune:].sum())
        post = res.posterior[0, thin - 1::thin]
        values = [expand(np.ascontiguousarray(q)) for q in post]
        by_name = {n: np.stack([np.asarray(v[k]) for v in values]) for k, n in enumerate(names)}
        for name, true in truth.items():
            below = (by_name[name] < np.asarray(true)).sum(axis=0)
            for idx in np.ndindex(np.shape(below)):
                key = name if idx == () else f"{name}[{', '.join(map(str, idx))}]"
                ranks.setdefault(key, []).append(int(below[idx]))
        if i == 0:
            count_after_first = _signature_count(f.logp_fn, nuts_chunk, hmc_chunk)
    recompiled = _signature_count(f.logp_fn, nuts_chunk, hmc_chunk) != count_after_first
    return SBCResult({k: np.array(v) for k, v in ranks.items()}, draws, n_divergent,
                     time.perf_counter() - t0, recompiled)
