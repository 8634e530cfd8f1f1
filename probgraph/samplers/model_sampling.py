"""``pg.sample``: PyMC's entry point — choose the step, start the chains, and export the draws to
ArviZ."""

from __future__ import annotations

import time
import warnings

import numpy as np

from probgraph.graph.basic import clone_replace
from probgraph.samplers import constants as C


class NUTS:
    """The No-U-Turn sampler (Stan's multinomial NUTS) as a step for :func:`sample`."""

    method = "nuts"

    def __init__(self, vars=None, target_accept: float = C.TARGET_ACCEPT,  # noqa: A002
                 max_treedepth: int = C.MAX_TREEDEPTH, step_scale: float | None = None,
                 model=None, **kwargs):
        self.vars = vars
        self.target_accept = target_accept
        self.max_treedepth = max_treedepth
        self.step_size = step_scale or C.STEP_SIZE
        self.extra = kwargs

    def run_kwargs(self) -> dict:
        return {"method": self.method, "target_accept": self.target_accept,
                "max_treedepth": self.max_treedepth, "step_size": self.step_size}


class HMC(NUTS):
    """Static Hamiltonian Monte Carlo with a fixed integration time ``path_length``."""

    method = "hmc"

    def __init__(self, vars=None, path_length: float = C.PATH_LENGTH,  # noqa: A002
                 target_accept: float = 0.65, model=None, **kwargs):
        super().__init__(vars, target_accept=target_accept, model=model, **kwargs)
        self.path_length = path_length

    def run_kwargs(self) -> dict:
        return {**super().run_kwargs(), "path_length": self.path_length}


def _start_point(model, f, initvals, random_seed):
    if initvals:
        for name, value in dict(initvals).items():
            model.set_initval(model[name], value)
    point = model.initial_point(random_seed=random_seed)
    model.check_start_vals(point)
    return point


def _explain_bad_start(model, f, q, exc):
    from probgraph.model.compiled import SamplingError
    point = f.array_to_point(q)
    logps = model.point_logps(point, round_vals=None)
    observed = {rv.name for rv in model.observed_RVs}
    labels = {rv.name: model.rvs_to_values[rv].name for rv in model.free_RVs}
    parts = ", ".join(f"{labels.get(k, k)}: {v}" + (" (observed)" if k in observed else "")
                      for k, v in logps.items())
    return SamplingError(f"{exc}. Each variable's logp at the last point tried: {parts}")


def _posterior_arrays(f, draws: np.ndarray) -> dict[str, np.ndarray]:
    """Constrained values and Deterministics for every draw, ``{name: (chains, n, ...)}``."""
    chains, n, _ = draws.shape
    expand = f.expand_function()
    per_draw = [expand(np.ascontiguousarray(draws[c, i])) for c in range(chains) for i in range(n)]
    out = {}
    for k, name in enumerate(f.expand_names):
        vals = [np.asarray(d[k]) for d in per_draw]
        shape = vals[0].shape if vals else ()
        out[name] = np.stack(vals).reshape((chains, n, *shape)) if vals else np.zeros((chains, 0))
    return out


def _pointwise_loglik(model, f, draws: np.ndarray) -> dict[str, np.ndarray]:
    """Elementwise log-likelihood of each observed variable at every draw (for ``az.loo``)."""
    from probgraph.compile import function
    obs = list(model.observed_RVs)
    if not obs:
        return {}
    terms = model.logp(vars=obs, sum=False)
    terms = clone_replace(terms, f._pieces)
    fn = function([f.q], terms, mode=f.mode, name="log_likelihood")
    fn.trust_input = True
    chains, n, _ = draws.shape
    vals = [fn(np.ascontiguousarray(draws[c, i])) for c in range(chains) for i in range(n)]
    return {rv.name: np.stack([np.asarray(v[k]) for v in vals]).reshape(
        (chains, n, *np.shape(vals[0][k]))) for k, rv in enumerate(obs)}


def _data_groups(model):
    from probgraph.predictive import _coords_dims, _observed_data
    constant = {}
    for d in getattr(model, "data_vars", []):
        constant[d.name] = np.asarray(d.get_value())
    observed = _observed_data(model)
    for name in list(constant):
        if name in observed:
            constant.pop(name)
    coords, dims = _coords_dims(model)
    return observed, constant, coords, dims


def _is_compound(model, step) -> bool:
    """Whether ``step`` (or the model's discrete variables) calls for the compound sampler."""
    from probgraph.samplers.compound import CompoundStep
    if isinstance(step, (list, tuple)) and len(step) == 1 and isinstance(step[0], NUTS):
        step = step[0]
    return bool(model.discrete_value_vars) or isinstance(step, (list, tuple, CompoundStep)) or (
        step is not None and not isinstance(step, NUTS))


def _sample_compound(model, step, draws, tune, chains, random_seed, init, target_accept,
                     max_treedepth, progressbar, initvals):
    """NUTS for the continuous block + Metropolis-type steps (chains run one after another)."""
    from probgraph.samplers.compound import assign_step_methods, sample_compound
    from probgraph.samplers.sample import InitialPointError
    point = _start_point(model, None, initvals, random_seed)
    f = model.logp_dlogp_function(point=point)
    steps = assign_step_methods(model, step, f)
    seed = random_seed if random_seed is not None else np.random.SeedSequence().entropy
    try:
        result = sample_compound(model, steps, f, f.point_to_array(point), draws, tune, chains,
                                 seed, init=init, target_accept=target_accept,
                                 max_treedepth=max_treedepth, progressbar=progressbar)
    except InitialPointError as exc:
        raise _explain_bad_start(model, f, _full_point(f, steps, point, exc.point), exc) from exc
    nuts = [s for s in steps if isinstance(s, NUTS)]
    max_td = max_treedepth or (nuts[0].max_treedepth if nuts else C.MAX_TREEDEPTH)
    return result, f, max_td


def _full_point(f, steps, point, q_block):
    """The full flat vector with the gradient block's entries set to ``q_block``."""
    from probgraph.samplers.compound import _flat_index
    q = f.point_to_array(point)
    for s in steps:
        if isinstance(s, NUTS):
            q[_flat_index(f, s.value_vars)] = q_block
    return q


def sample(draws: int = 1000, tune: int = 1000, chains: int = 4, cores: int | None = None,
           random_seed=None, step=None, init: str = "jitter+adapt_diag",
           target_accept: float | None = None, max_treedepth: int | None = None,
           progressbar: bool = True, initvals: dict | None = None,
           discard_tuned_samples: bool = True, compute_convergence_checks: bool = True,
           return_inferencedata: bool = True, idata_kwargs: dict | None = None, model=None):
    """Draw posterior samples with NUTS (default) or static HMC, PyMC's way.

    Parameters
    ----------
    draws, tune, chains : int
        Kept draws per chain, tuning (warmup) iterations per chain, number of chains.
    cores : int, optional
        Chains run at once, in threads (default: the machine's cores, at most ``chains``).
        The draws do not depend on it.
    random_seed : int, optional
        Same seed, bit-identical draws.
    step : step or list of steps, optional
        ``NUTS``/``HMC``, or Metropolis-type steps (``Metropolis``, ``BinaryGibbsMetropolis``,
        ``CategoricalGibbsMetropolis``), alone, in a list or a ``CompoundStep``. Variables no
        step claims get the defaults: one NUTS for the continuous ones, BinaryGibbsMetropolis
        for each Bernoulli, CategoricalGibbsMetropolis for each Categorical, Metropolis for
        other discrete ones. A compound step (any Metropolis-type step) runs a Python loop per
        draw and its chains one after another: ``cores`` is ignored. Its ``sample_stats`` hold
        the NUTS stats (``lp`` is the joint log density after the whole iteration) and each
        Metropolis step's ``<vars>_accept``, ``<vars>_accepted``, ``<vars>_scaling``.
    init : str
        ``"jitter+adapt_diag"`` (default: uniform(-1, 1) jitter of the initial point, diagonal
        mass matrix adapted with Stan's windows), ``"adapt_diag"`` (no jitter),
        ``"jitter+adapt_full"``/``"adapt_full"`` (dense mass matrix, for correlated posteriors),
        ``"adapt_diag_grad"`` (diagonal from draw and gradient variances, as nutpie).
    target_accept, max_treedepth : NUTS settings (Stan's defaults 0.8 and 10)
    idata_kwargs : dict, optional
        ``{"log_likelihood": True}`` adds the pointwise log-likelihood group for ``az.loo``.

    Returns
    -------
    arviz.InferenceData (arviz 0.x) or xarray.DataTree (arviz 1.x); with
    ``return_inferencedata=False`` a dict of arrays ``{"posterior": ..., "sample_stats": ...}``.

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model():
    ...     x = pg.Normal("x", 0.0, 1.0)
    ...     idata = pg.sample(draws=200, tune=200, chains=2, progressbar=False)  # doctest: +SKIP
    """
    from probgraph.model.core import modelcontext
    from probgraph.samplers.sample import InitialPointError, run_chains
    model = modelcontext(model)
    if _is_compound(model, step):
        t0 = time.perf_counter()
        result, f, max_td = _sample_compound(model, step, draws, tune, chains, random_seed,
                                             init, target_accept, max_treedepth, progressbar,
                                             initvals)
    else:
        step = step[0] if isinstance(step, (list, tuple)) else (step or NUTS())
        run_kw = step.run_kwargs()
        if target_accept is not None:
            run_kw["target_accept"] = target_accept
        if max_treedepth is not None:
            run_kw["max_treedepth"] = max_treedepth
        max_td = run_kw["max_treedepth"]
        t0 = time.perf_counter()
        point = _start_point(model, None, initvals, random_seed)
        f = model.logp_dlogp_function(point=point)
        logp_fn = f.logp_fn
        if logp_fn is None:
            raise RuntimeError("pg.sample needs the numba backend (pg.config.mode = 'numba'); "
                               f"the model was compiled with mode={f.mode!r}")
        q0 = f.point_to_array(point)
        seed = random_seed if random_seed is not None else np.random.SeedSequence().entropy
        try:
            result = run_chains(logp_fn, f.args, q0, draws=draws, tune=tune, chains=chains,
                                cores=cores, seed=seed, init=init, progressbar=progressbar,
                                **run_kw)
        except InitialPointError as exc:
            raise _explain_bad_start(model, f, exc.point, exc) from exc
    setup_time = time.perf_counter() - t0 - result.wall_time
    keep = int(min(result.n_done)) - tune
    if result.interrupted:
        warnings.warn(f"sampling was interrupted: returning {max(keep, 0)} draws per chain "
                      f"({int(min(result.n_done))} iterations incl. tuning)", stacklevel=2)
    post_rows = slice(tune, tune + max(keep, 0))
    warm_rows = slice(0, min(tune, int(min(result.n_done))))
    posterior = _posterior_arrays(f, result.draws[:, post_rows])
    stats = {k: v[:, post_rows] for k, v in result.stats.items()}
    out = {"posterior": posterior, "sample_stats": stats}
    if not discard_tuned_samples:
        out["warmup_posterior"] = _posterior_arrays(f, result.draws[:, warm_rows])
        out["warmup_sample_stats"] = {k: v[:, warm_rows] for k, v in result.stats.items()}
    if (idata_kwargs or {}).get("log_likelihood"):
        out["log_likelihood"] = _pointwise_loglik(model, f, result.draws[:, post_rows])
    if not return_inferencedata:
        out.update(inv_mass_matrix=result.inv_mass_matrix, step_size=result.step_size,
                   interrupted=result.interrupted)
        return out
    from probgraph.arviz import to_inference_data
    observed, constant, coords, dims = _data_groups(model)
    attrs = {"sampling_time": float(result.wall_time), "tuning_steps": int(tune),
             "compile_time": float(setup_time), "sampler": result.method, "init": init}
    idata = to_inference_data(out["posterior"], sample_stats=out["sample_stats"],
                              warmup_posterior=out.get("warmup_posterior"),
                              warmup_sample_stats=out.get("warmup_sample_stats"),
                              log_likelihood=out.get("log_likelihood"),
                              observed_data=observed or None, constant_data=constant or None,
                              coords=coords, dims=dims, attrs=attrs)
    if compute_convergence_checks and keep > 0:
        from probgraph.samplers.diagnostics import warn_convergence
        warn_convergence(idata, max_treedepth=max_td)
    return idata
