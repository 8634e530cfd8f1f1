"""Forward (ancestral) sampling: ``draw``, ``sample_prior_predictive`` and
``sample_posterior_predictive``."""

from __future__ import annotations

import numpy as np

from probgraph.distributions.distribution import RandomVariable
from probgraph.graph.basic import Constant, Variable, toposort

__all__ = ["draw", "forward_values", "sample_posterior_predictive", "sample_prior_predictive"]


def _leaf(v: Variable):
    if isinstance(v, Constant):
        return v.data
    container = getattr(v, "container", None)
    if container is not None:
        return container[0]
    raise ValueError(f"cannot draw: the graph depends on the input {v!r}, which has no value "
                     "(random variables can be drawn only from their parameters and data)")


def forward_values(outputs, givens: dict, rng: np.random.Generator) -> list:
    """Values of ``outputs`` with random variables drawn from ``rng`` in topological order.

    ``givens`` (``{variable: value}``) fixes variables, e.g. free random variables to posterior
    draws.
    """
    values = {id(k): np.asarray(v) for k, v in givens.items()}
    for node in toposort(outputs, list(givens)):
        args = [values[id(i)] if id(i) in values else _leaf(i) for i in node.inputs]
        if isinstance(node.op, RandomVariable):
            outs = [node.op.draw_values(rng, args)]
        else:
            with np.errstate(all="ignore"):
                outs = node.op.perform(node, args)
        for var, val in zip(node.outputs, outs):
            values[id(var)] = val
    return [np.asarray(values[id(o)]) if id(o) in values else np.asarray(_leaf(o)) for o in outputs]


def draw(vars, draws: int = 1, random_seed=None, givens: dict | None = None):
    """Draw values of random variables (or expressions of them), as PyMC's ``pm.draw``.

    Returns one array per variable (a list if ``vars`` is a list); ``draws > 1`` adds a leading
    axis.

    Examples
    --------
    >>> import probgraph as pg
    >>> x = pg.Normal.dist(0.0, 1.0, shape=3)
    >>> pg.draw(x, draws=10, random_seed=1).shape
    (10, 3)
    """
    rng = np.random.default_rng(random_seed)
    single = isinstance(vars, Variable)
    outs = [vars] if single else list(vars)
    results = [forward_values(outs, givens or {}, rng) for _ in range(draws)]
    if draws == 1:
        per_var = results[0]
    else:
        per_var = [np.stack([r[i] for r in results]) for i in range(len(outs))]
    return per_var[0] if single else per_var


def _idata_helpers():
    try:
        from probgraph.arviz import extend_inferencedata, to_inference_data
    except ImportError:  # pragma: no cover - the exporter is optional
        return None, None
    return to_inference_data, extend_inferencedata


def _coords_dims(model):
    coords = {}
    for d, vals in model.coords.items():
        if vals is not None:
            coords[d] = list(vals)
        elif isinstance(model._dim_lengths.get(d), (int, np.integer)):
            coords[d] = list(range(model._dim_lengths[d]))
    dims = {k: list(v) for k, v in model.named_vars_to_dims.items()}
    return coords, dims


def _observed_data(model) -> dict:
    from probgraph.backends.python import evaluate
    return {rv.name: evaluate([model.rvs_to_values[rv]])[0] for rv in model.observed_RVs}


def sample_prior_predictive(draws: int = 500, model=None, var_names=None, random_seed=None,
                            return_inferencedata: bool = True, samples: int | None = None):
    """Draws from the prior and prior predictive, by ancestral sampling.

    Returns an InferenceData with groups ``prior`` (free variables and Deterministics),
    ``prior_predictive`` (observed variables) and ``observed_data``; with
    ``return_inferencedata=False`` a dict ``{name: array of shape (1, draws, ...)}``.

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model() as m:
    ...     mu = pg.Normal("mu", 0.0, 1.0)
    ...     y = pg.Normal("y", mu, 1.0, observed=[0.1, -0.3])
    ...     prior = pg.sample_prior_predictive(100, random_seed=1, return_inferencedata=False)
    >>> prior["y"].shape
    (1, 100, 2)
    """
    from probgraph.model import modelcontext
    model = modelcontext(model)
    draws = samples if samples is not None else draws
    if var_names is None:
        var_names = [v.name for v in model.free_RVs + model.observed_RVs + model.deterministics]
    outs = [model[n] for n in var_names]
    rng = np.random.default_rng(random_seed)
    results = [forward_values(outs, {}, rng) for _ in range(draws)]
    samples_ = {n: np.stack([r[i] for r in results])[None] for i, n in enumerate(var_names)}
    to_idata, _ = _idata_helpers()
    if not return_inferencedata or to_idata is None:
        return samples_
    observed = {rv.name for rv in model.observed_RVs}
    coords, dims = _coords_dims(model)
    return to_idata(None,
                    prior={k: v for k, v in samples_.items() if k not in observed} or None,
                    prior_predictive={k: v for k, v in samples_.items() if k in observed} or None,
                    observed_data=_observed_data(model) or None, coords=coords, dims=dims)


def _posterior_dict(trace) -> dict:
    if hasattr(trace, "posterior"):
        post = trace.posterior
        return {str(k): np.asarray(post[k].values) for k in post.data_vars}
    if isinstance(trace, dict):
        return {k: np.asarray(v) for k, v in trace.items()}
    raise TypeError("trace must be an InferenceData (with a posterior group) or a dict "
                    "{name: array of shape (chain, draw, ...)}")


def sample_posterior_predictive(trace, model=None, var_names=None, random_seed=None,
                                return_inferencedata: bool = True,
                                extend_inferencedata: bool = False,
                                predictions: bool = False, progressbar: bool = False):
    """Draws of the observed variables (or ``var_names``) given each posterior draw in ``trace``.

    ``trace`` is an InferenceData or a dict ``{name: array (chain, draw, ...)}``. Free variables
    found in the trace are fixed to their draws; the others (and observed variables) are drawn. Data
    changed with ``set_data`` is used as it is now.

    Examples
    --------
    >>> import numpy as np, probgraph as pg
    >>> with pg.Model() as m:
    ...     mu = pg.Normal("mu", 0.0, 1.0)
    ...     y = pg.Normal("y", mu, 1.0, observed=[0.1, -0.3])
    ...     pp = pg.sample_posterior_predictive({"mu": np.zeros((2, 5))}, random_seed=1,
    ...                                         return_inferencedata=False)
    >>> pp["y"].shape
    (2, 5, 2)
    """
    from probgraph.model import modelcontext
    model = modelcontext(model)
    post = _posterior_dict(trace)
    if var_names is None:
        var_names = [rv.name for rv in model.observed_RVs]
    outs = [model[n] for n in var_names]
    fixed = [rv for rv in model.free_RVs if rv.name in post]
    if not post:
        raise ValueError("the trace has no posterior draws")
    first = next(iter(post.values()))
    n_chains, n_draws = first.shape[:2]
    rng = np.random.default_rng(random_seed)
    results = {n: [] for n in var_names}
    for c in range(n_chains):
        for d in range(n_draws):
            vals = forward_values(outs, {rv: post[rv.name][c, d] for rv in fixed}, rng)
            for n, v in zip(var_names, vals):
                results[n].append(v)
    samples_ = {n: np.stack(v).reshape(n_chains, n_draws, *np.shape(v[0]))
                for n, v in results.items()}
    to_idata, extend = _idata_helpers()
    group = "predictions" if predictions else "posterior_predictive"
    if extend_inferencedata and hasattr(trace,
                                        "posterior") and extend is not None and not predictions:
        coords, dims = _coords_dims(model)
        return extend(trace, posterior_predictive=samples_, coords=coords,
                      dims={k: v for k, v in dims.items() if k in samples_})
    if not return_inferencedata or to_idata is None:
        return samples_
    coords, dims = _coords_dims(model)
    if predictions:
        return to_idata(None, posterior_predictive=samples_, coords=coords, dims=dims)
    return to_idata(None, **{group: samples_}, observed_data=_observed_data(model) or None,
                    coords=coords, dims=dims)
