"""Convergence checks after sampling (divergences, tree depth, R-hat, ESS) as PyMC warnings."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special, stats

__all__ = [
    "SamplingWarning",
    "convergence_warnings",
    "warn_convergence",
    "rhat",
    "ess_bulk",
    "RHAT_MAX",
    "ESS_PER_CHAIN_MIN",
]

RHAT_MAX = 1.01  # Vehtari et al. (2021) recommend R-hat < 1.01
ESS_PER_CHAIN_MIN = 100  # ... and a bulk ESS of at least 100 per chain
N_WORST = 5  # how many offending parameters a message names
_PAPER = "See https://arxiv.org/abs/1903.08008 for details."


class SamplingWarning(UserWarning):
    """A sign that the draws may not represent the posterior."""


def convergence_warnings(
    idata, *, n_divergent: int | None = None, max_treedepth: int = 10
) -> list[str]:
    """Messages about divergences, saturated trees, large R-hat and small ESS.

    Parameters
    ----------
    idata : arviz.InferenceData or xarray.DataTree
        A sampling result with a ``posterior`` group and, optionally, ``sample_stats``.
    n_divergent : int, optional
        Divergences after tuning; counted from ``sample_stats["diverging"]`` when not given.
    max_treedepth : int, default 10
        The sampler's maximum tree depth; draws flagged by ``reached_max_treedepth`` (or,
        without that statistic, with ``tree_depth >= max_treedepth``) are reported.

    Returns
    -------
    list of str
        One message per problem, empty when none is found. R-hat (rank-normalised split
        R-hat, :func:`rhat`) is checked only with two chains or more; bulk ESS
        (:func:`ess_bulk`) is compared with ``100 * chains``.

    Examples
    --------
    >>> import numpy as np
    >>> from probgraph.arviz import to_inference_data
    >>> rng = np.random.default_rng(0)
    >>> draws = rng.normal(size=(4, 500)) + np.arange(4)[:, None]  # chains disagree
    >>> idata = to_inference_data({"mu": draws},
    ...                           sample_stats={"diverging": np.zeros((4, 500), bool)})
    >>> convergence_warnings(idata)[0][:40]
    'The rhat statistic is larger than 1.01 f'
    """
    messages = []
    sample_stats = _group(idata, "sample_stats")
    if n_divergent is None and sample_stats is not None and "diverging" in sample_stats:
        n_divergent = int(sample_stats["diverging"].values.sum())
    if n_divergent:
        messages.append(
            "There was 1 divergence after tuning. "
            if n_divergent == 1
            else f"There were {n_divergent} divergences after tuning. "
        )
        messages[-1] += "Increase `target_accept` or reparameterize."
    if sample_stats is not None:
        saturated = _treedepth_hits(sample_stats, max_treedepth)
        if saturated is not None and saturated.sum():
            messages.append(
                f"{int(saturated.sum())} of {saturated.size} draws reached the maximum tree "
                f"depth of {max_treedepth}. Increase `max_treedepth`, increase `target_accept` "
                "or reparameterize."
            )
    posterior = _group(idata, "posterior")
    if posterior is None or not posterior.data_vars:
        return messages
    labels, draws = _flat_parameters(posterior)
    n_chains, n_draws = draws.shape[:2]
    if n_draws < 4 or not labels:
        return messages
    if n_chains > 1:
        values = rhat(draws)
        bad = np.flatnonzero(values > RHAT_MAX)
        if bad.size:
            worst = bad[np.argsort(-values[bad])][:N_WORST]
            named = ", ".join(f"{labels[i]} ({values[i]:.3g})" for i in worst)
            messages.append(
                f"The rhat statistic is larger than {RHAT_MAX} for some parameters. This "
                f"indicates problems during sampling. {_PAPER} Worst: {named}."
            )
    per_chain = ess_bulk(draws) / n_chains
    bad = np.flatnonzero(per_chain < ESS_PER_CHAIN_MIN)
    if bad.size:
        worst = bad[np.argsort(per_chain[bad])][:N_WORST]
        named = ", ".join(f"{labels[i]} ({per_chain[i]:.0f} per chain)" for i in worst)
        messages.append(
            f"The effective sample size per chain is smaller than {ESS_PER_CHAIN_MIN} for some "
            "parameters. A higher number is needed for reliable rhat and ess computation. "
            f"{_PAPER} Worst: {named}."
        )
    return messages


def warn_convergence(
    idata, *, n_divergent: int | None = None, max_treedepth: int = 10
) -> list[str]:
    """Issue :func:`convergence_warnings` as :class:`SamplingWarning` warnings and return them.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from probgraph.arviz import to_inference_data
    >>> idata = to_inference_data({"mu": np.random.default_rng(0).normal(size=(4, 500))})
    >>> with warnings.catch_warnings(record=True):
    ...     warn_convergence(idata, n_divergent=2)
    ['There were 2 divergences after tuning. Increase `target_accept` or reparameterize.']
    """
    messages = convergence_warnings(idata, n_divergent=n_divergent, max_treedepth=max_treedepth)
    for message in messages:
        warnings.warn(message, SamplingWarning, stacklevel=2)
    return messages


def rhat(draws: np.ndarray) -> np.ndarray:
    """Rank-normalised split R-hat of draws shaped ``(chain, draw, ...)``.

    The larger of the bulk (rank-normalised) and tail (folded, rank-normalised) split R-hat,
    from Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), "Rank-normalization, folding,
    and localization: an improved R-hat", Bayesian Analysis 16(2). Constant or non-finite
    parameters give NaN.

    Examples
    --------
    >>> import numpy as np
    >>> float(rhat(np.random.default_rng(0).normal(size=(4, 1000)))) < 1.01
    True
    """
    x = _split_chains(_as_parameters(draws))
    folded = np.abs(x - np.median(x, axis=(0, 1)))
    bulk = _split_rhat(_z_scale(x))
    tail = _split_rhat(_z_scale(folded))
    out = np.maximum(bulk, tail)
    out[_degenerate(x)] = np.nan
    return out.reshape(np.shape(draws)[2:])


def ess_bulk(draws: np.ndarray) -> np.ndarray:
    """Bulk effective sample size of draws shaped ``(chain, draw, ...)``.

    The ESS of the rank-normalised split chains, with autocorrelations summed by Geyer's
    initial monotone sequence, as in Stan's ``compute_effective_sample_size``
    (stan/analyze/mcmc) and Vehtari et al. (2021). Constant or non-finite parameters give NaN.

    Examples
    --------
    >>> import numpy as np
    >>> ess = float(ess_bulk(np.random.default_rng(0).normal(size=(4, 1000))))
    >>> 3000 < ess < 5000
    True
    """
    x = _split_chains(_as_parameters(draws))
    z = _z_scale(x)
    degenerate = _degenerate(x)
    out = np.full(z.shape[2], np.nan)
    for i in np.flatnonzero(~degenerate):
        out[i] = _ess(z[:, :, i])
    return out.reshape(np.shape(draws)[2:])


def _as_parameters(draws: np.ndarray) -> np.ndarray:
    x = np.asarray(draws, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"draws need (chain, draw) leading axes; got shape {x.shape}.")
    return x.reshape(x.shape[0], x.shape[1], -1)


def _split_chains(x: np.ndarray) -> np.ndarray:
    """Each chain's first and last halves as two chains (the middle draw of an odd count goes)."""
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half :]], axis=0)


def _degenerate(x: np.ndarray) -> np.ndarray:
    finite = np.isfinite(x).all(axis=(0, 1))
    constant = np.ptp(np.where(np.isfinite(x), x, 0.0), axis=(0, 1)) == 0
    return ~finite | constant


def _z_scale(x: np.ndarray) -> np.ndarray:
    """Pooled ranks mapped to normal scores (Blom's offset 3/8)."""
    n = x.shape[0] * x.shape[1]
    ranks = stats.rankdata(x.reshape(n, -1), axis=0)
    return special.ndtri((ranks - 0.375) / (n + 0.25)).reshape(x.shape)


def _split_rhat(x: np.ndarray) -> np.ndarray:
    n = x.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        between = n * np.var(x.mean(axis=1), axis=0, ddof=1)
        within = np.mean(np.var(x, axis=1, ddof=1), axis=0)
        return np.sqrt((between / within + n - 1) / n)


def _autocovariance(x: np.ndarray) -> np.ndarray:
    """Biased autocovariance of each row of `x`, by FFT with zero padding."""
    n = x.shape[1]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(x - x.mean(axis=1, keepdims=True), n=size, axis=1)
    return np.fft.irfft(np.abs(spectrum) ** 2, n=size, axis=1)[:, :n] / n


def _ess(x: np.ndarray) -> float:
    """ESS of one parameter's (chain, draw) array."""
    n_chains, n = x.shape
    acov = _autocovariance(x)
    mean_var = acov[:, 0].mean() * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if n_chains > 1:
        var_plus += np.var(x.mean(axis=1), ddof=1)
    rho = np.zeros(n)
    rho[0] = 1.0
    rho_even, rho_odd = 1.0, 1.0 - (mean_var - acov[:, 1].mean()) / var_plus
    rho[1] = rho_odd
    # Geyer's initial positive sequence: sum pairs while their sum stays positive.
    t = 1
    while t < n - 3 and rho_even + rho_odd > 0.0:
        rho_even = 1.0 - (mean_var - acov[:, t + 1].mean()) / var_plus
        rho_odd = 1.0 - (mean_var - acov[:, t + 2].mean()) / var_plus
        if rho_even + rho_odd >= 0.0:
            rho[t + 1], rho[t + 2] = rho_even, rho_odd
        t += 2
    last = t - 2
    if rho_even > 0.0:  # Stan's improved estimate keeps a positive trailing even term
        rho[last + 1] = rho_even
    # Geyer's initial monotone sequence: pair sums must not increase.
    t = 1
    while t <= last - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2.0
        t += 2
    total = n_chains * n
    tau = -1.0 + 2.0 * rho[: last + 1].sum() + rho[last + 1 : last + 2].sum()
    return total / max(tau, 1.0 / np.log10(total))


def _group(idata, name: str):
    """Group `name` of an InferenceData or DataTree as an xarray Dataset, or None."""
    if name not in idata:
        return None
    group = idata[name]
    return group.to_dataset() if hasattr(group, "children") else group


def _treedepth_hits(sample_stats, max_treedepth: int) -> np.ndarray | None:
    if "reached_max_treedepth" in sample_stats:
        return sample_stats["reached_max_treedepth"].values.astype(bool)
    if "tree_depth" in sample_stats:
        return sample_stats["tree_depth"].values >= max_treedepth
    return None


def _flat_parameters(posterior) -> tuple[list[str], np.ndarray]:
    """Every scalar of every posterior variable as one column of a (chain, draw, p) array."""
    labels: list[str] = []
    columns = []
    for name, variable in posterior.data_vars.items():
        if variable.dtype.kind not in "biuf" or not {"chain", "draw"} <= set(variable.dims):
            continue
        event = [dim for dim in variable.dims if dim not in ("chain", "draw")]
        values = variable.transpose("chain", "draw", *event).values
        columns.append(values.reshape(values.shape[0], values.shape[1], -1).astype(float))
        if not event:
            labels.append(str(name))
            continue
        axes = [variable[dim].values if dim in variable.coords else range(variable.sizes[dim])
                for dim in event]
        for index in np.ndindex(*(len(axis) for axis in axes)):
            inner = ", ".join(str(axis[i]) for axis, i in zip(axes, index))
            labels.append(f"{name}[{inner}]")
    if not columns:
        return [], np.empty((0, 0, 0))
    return labels, np.concatenate(columns, axis=2)
