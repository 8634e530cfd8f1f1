"""Draws, sampler statistics and data → ArviZ InferenceData (arviz 0.x) or DataTree (1.x)."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["to_inference_data", "extend_inferencedata", "group_names", "STAT_DTYPES"]

# Groups whose arrays carry leading (chain, draw) axes, in ArviZ's schema order.
SAMPLE_GROUPS = (
    "posterior",
    "posterior_predictive",
    "log_likelihood",
    "sample_stats",
    "prior",
    "prior_predictive",
    "warmup_posterior",
    "warmup_sample_stats",
)
# Groups without chain/draw axes.
DATA_GROUPS = ("observed_data", "constant_data")
# Groups `extend_inferencedata` may add to (or replace in) an existing result.
EXTENDABLE_GROUPS = (
    "prior",
    "prior_predictive",
    "posterior_predictive",
    "log_likelihood",
    "observed_data",
    "constant_data",
)
STATS_GROUPS = ("sample_stats", "warmup_sample_stats")
SAMPLE_DIMS = ("chain", "draw")

# ArviZ's names for sampler statistics and the dtype each is stored with.
STAT_DTYPES: dict[str, type] = {
    "lp": np.float64,
    "diverging": np.bool_,
    "energy": np.float64,
    "tree_depth": np.int64,
    "n_steps": np.int64,
    "step_size": np.float64,
    "acceptance_rate": np.float64,
    "max_energy_error": np.float64,
    "energy_error": np.float64,
    "reached_max_treedepth": np.bool_,
    "step_size_bar": np.float64,
    "perf_counter_diff": np.float64,
}

Coords = Mapping[str, Sequence[Any]]
Dims = Mapping[str, Sequence[str | None] | str]


def to_inference_data(
    posterior: Mapping[str, Any] | None,
    *,
    sample_stats: Mapping[str, Any] | None = None,
    warmup_posterior: Mapping[str, Any] | None = None,
    warmup_sample_stats: Mapping[str, Any] | None = None,
    observed_data: Mapping[str, Any] | None = None,
    constant_data: Mapping[str, Any] | None = None,
    log_likelihood: Mapping[str, Any] | None = None,
    prior: Mapping[str, Any] | None = None,
    prior_predictive: Mapping[str, Any] | None = None,
    posterior_predictive: Mapping[str, Any] | None = None,
    coords: Coords | None = None,
    dims: Dims | None = None,
    attrs: Mapping[str, Any] | None = None,
):
    """Convert draws, sampler statistics and data into an ArviZ object.

    Parameters
    ----------
    posterior : dict of {str : array_like}, optional
        Posterior draws; every array has leading ``(chain, draw)`` axes.
    sample_stats, warmup_posterior, warmup_sample_stats, log_likelihood, prior, \
prior_predictive, posterior_predictive : dict of {str : array_like}, optional
        Further groups with leading ``(chain, draw)`` axes. Sampler statistics use ArviZ's
        names (``lp``, ``diverging``, ``tree_depth``, ``n_steps``, ...) and are stored with the
        dtypes of :data:`STAT_DTYPES` (``diverging`` and ``reached_max_treedepth`` bool,
        ``tree_depth`` and ``n_steps`` int64); other statistics pass through unchanged.
    observed_data, constant_data : dict of {str : array_like}, optional
        Data, without chain/draw axes.
    coords : dict of {str : sequence}, optional
        Coordinate labels of each named dimension, as in ``Model(coords=...)``.
    dims : dict of {str : list of str}, optional
        Dimension names of each variable's axes after ``(chain, draw)``. Axes without a
        declared name get ArviZ's automatic ``<var>_dim_<axis>`` names; ``None`` in a list
        asks for the automatic name of that axis.
    attrs : dict, optional
        Extra attributes for every group (``sampling_time``, ``tuning_steps``, ...). ``None``
        values are dropped, nested dicts are flattened to ``outer_inner`` keys and bools become
        ints, so that the result can be written to netCDF.

    Returns
    -------
    arviz.InferenceData or xarray.DataTree
        ``InferenceData`` under arviz < 1, ``DataTree`` (built by ``arviz_base.from_dict``)
        under arviz >= 1. Every group carries ``created_at`` (ISO 8601, UTC),
        ``inference_library="probgraph"`` and ``inference_library_version``.

    Raises
    ------
    ValueError
        If an array lacks its chain/draw axes, declares more dims than it has axes, or a
        declared dim's length disagrees with its coords or with another variable's axis.

    Examples
    --------
    >>> import numpy as np
    >>> from probgraph.arviz import to_inference_data
    >>> rng = np.random.default_rng(0)
    >>> idata = to_inference_data(
    ...     {"mu": rng.normal(size=(4, 100)), "theta": rng.normal(size=(4, 100, 3))},
    ...     sample_stats={"diverging": np.zeros((4, 100), dtype=bool)},
    ...     coords={"school": ["a", "b", "c"]},
    ...     dims={"theta": ["school"]},
    ... )
    >>> idata.posterior["theta"].dims
    ('chain', 'draw', 'school')
    """
    given = {
        "posterior": posterior,
        "sample_stats": sample_stats,
        "warmup_posterior": warmup_posterior,
        "warmup_sample_stats": warmup_sample_stats,
        "log_likelihood": log_likelihood,
        "prior": prior,
        "prior_predictive": prior_predictive,
        "posterior_predictive": posterior_predictive,
        "observed_data": observed_data,
        "constant_data": constant_data,
    }
    groups = {name: data for name, data in given.items() if data is not None and len(data)}
    if not groups:
        raise ValueError("to_inference_data needs at least one group of draws or data.")
    if _arviz_major() >= 1:
        return _build_datatree(groups, dict(coords or {}), dict(dims or {}), attrs)
    return _build_inferencedata(groups, dict(coords or {}), dict(dims or {}), attrs)


def extend_inferencedata(
    idata,
    *,
    coords: Coords | None = None,
    dims: Dims | None = None,
    attrs: Mapping[str, Any] | None = None,
    **groups: Mapping[str, Any],
):
    """Add groups (prior, prior_predictive, posterior_predictive, log_likelihood, ...) in place.

    A group already present is replaced. Dims of a variable that are not given are taken from
    the same variable elsewhere in ``idata`` when its shape fits (so ``posterior_predictive``
    draws of ``y`` inherit the dims of ``observed_data["y"]``), and coords of declared dims
    not in ``coords`` are taken from ``idata``.

    Parameters
    ----------
    idata : arviz.InferenceData or xarray.DataTree
        A result of :func:`to_inference_data`; it is modified in place.
    coords, dims, attrs
        As in :func:`to_inference_data`.
    **groups : dict of {str : array_like}
        One keyword per group, named as in ArviZ (one of ``EXTENDABLE_GROUPS``).

    Returns
    -------
    arviz.InferenceData or xarray.DataTree
        ``idata`` itself, for chaining.

    Examples
    --------
    >>> import numpy as np
    >>> from probgraph.arviz import extend_inferencedata, to_inference_data
    >>> idata = to_inference_data({"mu": np.zeros((2, 50))}, observed_data={"y": np.ones(5)},
    ...                           coords={"obs": range(5)}, dims={"y": ["obs"]})
    >>> idata = extend_inferencedata(idata, posterior_predictive={"y": np.ones((2, 50, 5))})
    >>> idata.posterior_predictive["y"].dims
    ('chain', 'draw', 'obs')
    """
    unknown = sorted(set(groups) - set(EXTENDABLE_GROUPS))
    if unknown:
        raise ValueError(
            f"extend_inferencedata cannot add group(s) {unknown}; "
            f"it adds one of {list(EXTENDABLE_GROUPS)}."
        )
    groups = {name: data for name, data in groups.items() if data is not None and len(data)}
    if not groups:
        return idata
    known_dims, known_coords = _dims_and_coords_of(idata)
    dims = dict(dims or {})
    for group, data in groups.items():
        for name, value in data.items():
            if name not in dims and name in known_dims:
                event_shape = np.shape(value)[0 if group in DATA_GROUPS else 2 :]
                var_dims, var_shape = known_dims[name]
                if tuple(event_shape) == var_shape:
                    dims[name] = var_dims
    declared = {dim for names in dims.values() for dim in _as_dim_list(names)}
    all_coords = {dim: known_coords[dim] for dim in declared if dim in known_coords}
    all_coords.update(coords or {})
    if _is_datatree(idata):
        new = _build_datatree(groups, all_coords, dims, attrs)
        for group in new.children:
            idata[group] = new[group]
    else:
        new = _build_inferencedata(groups, all_coords, dims, attrs)
        idata.extend(new, join="right")
    return idata


def group_names(idata) -> list[str]:
    """The group names of an ``InferenceData`` (arviz 0.x) or ``DataTree`` (arviz 1.x), e.g.
    ``["posterior", "sample_stats", ...]``."""
    if _is_datatree(idata):
        return [str(name) for name in idata.children]
    return list(idata.groups())


def _arviz_major() -> int:
    """Major version of the installed arviz (0 for the InferenceData era)."""
    try:
        version = importlib.metadata.version("arviz")
    except importlib.metadata.PackageNotFoundError:
        import arviz

        version = arviz.__version__
    return int(version.split(".")[0])


def _library_version() -> str:
    try:
        from probgraph import __version__
    except Exception:  # the package may be half-built while others work on it
        return "0.1.0"
    return str(__version__)


def _is_datatree(obj) -> bool:
    import xarray as xr

    return isinstance(obj, getattr(xr, "DataTree", ()))


def _group_attrs(attrs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The attrs every group gets: ours, then the caller's, all netCDF-serialisable."""
    merged = {
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "inference_library": "probgraph",
        "inference_library_version": _library_version(),
    }
    merged.update(attrs or {})
    clean: dict[str, Any] = {}
    for key, value in merged.items():
        _add_netcdf_attr(clean, str(key), value)
    return clean


def _add_netcdf_attr(out: dict[str, Any], key: str, value: Any) -> None:
    """Store `value` under `key` in a form netCDF accepts (str, number or 1-d array)."""
    if value is None:
        return
    if isinstance(value, Mapping):
        for inner, inner_value in value.items():
            _add_netcdf_attr(out, f"{key}_{inner}", inner_value)
        return
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        out[key] = int(value)
    elif isinstance(value, (str, int, float)):
        out[key] = value
    elif isinstance(value, (datetime.datetime, datetime.date)):
        out[key] = value.isoformat()
    elif isinstance(value, datetime.timedelta):
        out[key] = value.total_seconds()
    elif isinstance(value, os.PathLike):
        out[key] = os.fspath(value)
    elif isinstance(value, (list, tuple, np.ndarray)):
        array = np.asarray(value)
        if array.ndim > 1 or array.dtype.kind not in "biufU":
            raise TypeError(
                f"attribute {key!r} ({array.dtype}, shape {array.shape}) cannot be stored in "
                "netCDF; pass a flat list of numbers or strings."
            )
        if array.dtype.kind == "U":
            out[key] = [str(item) for item in array]
        else:
            out[key] = array.astype(np.int64) if array.dtype.kind == "b" else array
    else:
        raise TypeError(
            f"attribute {key!r} has type {type(value).__name__}, which netCDF cannot store; "
            "pass a str, a number or a list of them."
        )


def _as_dim_list(names: Sequence[str | None] | str) -> list[str | None]:
    return [names] if isinstance(names, str) else list(names)


def _cast_stat(name: str, values: np.ndarray) -> np.ndarray:
    """Give a sampler statistic ArviZ's dtype, refusing values that would change."""
    dtype = STAT_DTYPES.get(name)
    if dtype is None or values.dtype == dtype:
        return values
    if dtype is np.bool_ and not np.isin(values, (0, 1)).all():
        raise ValueError(f"sample stat {name!r} must be boolean; got values other than 0 and 1.")
    if dtype is np.int64 and values.dtype.kind == "f" and not np.all(values == np.round(values)):
        raise ValueError(f"sample stat {name!r} must hold integers; got {values.dtype} fractions.")
    return values.astype(dtype)


def _prepare_groups(
    groups: Mapping[str, Mapping[str, Any]], coords: Mapping[str, Any], dims: Dims
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, dict[str, list[str]]]]:
    """Arrays with checked shapes and stat dtypes, and each group's complete dims."""
    arrays: dict[str, dict[str, np.ndarray]] = {}
    group_dims: dict[str, dict[str, list[str]]] = {}
    for group, data in groups.items():
        if group not in SAMPLE_GROUPS and group not in DATA_GROUPS:
            raise ValueError(f"unknown group {group!r}; use ArviZ's group names.")
        if not isinstance(data, Mapping):
            raise TypeError(f"group {group!r} must be a dict of name -> array, got {type(data)}.")
        arrays[group], group_dims[group] = {}, {}
        sizes: dict[str, tuple[int, str]] = {}  # dim -> (length, first variable using it)
        for name, value in data.items():
            array = np.asarray(value)
            if group in STATS_GROUPS:
                array = _cast_stat(name, array)
            n_lead = 0 if group in DATA_GROUPS else 2
            if array.ndim < n_lead:
                raise ValueError(
                    f"{group} variable {name!r} has shape {array.shape}; arrays in {group} need "
                    "leading (chain, draw) axes, e.g. shape (4, 1000) for a scalar."
                )
            var_dims = _complete_dims(group, name, array.shape[n_lead:], dims, coords, sizes)
            arrays[group][name] = array
            group_dims[group][name] = var_dims
    return arrays, group_dims


def _complete_dims(group, name, event_shape, dims, coords, sizes) -> list[str]:
    """Declared dims checked against the array, padded with automatic `<name>_dim_<axis>`."""
    declared = _as_dim_list(dims.get(name, []))
    if len(declared) > len(event_shape):
        if group != "log_likelihood":  # a log-likelihood may drop a variable's event dims
            after = "" if group in DATA_GROUPS else " after (chain, draw)"
            raise ValueError(
                f"{group} variable {name!r} declares dims {declared} but has only "
                f"{len(event_shape)} axes{after} (event shape {tuple(event_shape)})."
            )
        declared = declared[: len(event_shape)]
    complete = []
    for axis, length in enumerate(event_shape):
        dim = declared[axis] if axis < len(declared) else None
        if dim is None:
            complete.append(f"{name}_dim_{axis}")
            continue
        if dim in SAMPLE_DIMS:
            raise ValueError(f"variable {name!r} uses the reserved dim name {dim!r} in its dims.")
        if dim in coords and len(coords[dim]) != length:
            raise ValueError(
                f"{group} variable {name!r}: dim {dim!r} has {len(coords[dim])} coordinate "
                f"values but axis {axis} of the array has length {length}."
            )
        if dim in sizes and sizes[dim][0] != length:
            other_length, other = sizes[dim]
            raise ValueError(
                f"{group} variable {name!r}: dim {dim!r} has length {length} here but length "
                f"{other_length} in variable {other!r}; give the axes different dim names."
            )
        sizes.setdefault(dim, (length, name))
        complete.append(dim)
    return complete


def _build_inferencedata(groups, coords, dims, attrs):
    """arviz 0.x: one `az.from_dict` call per group (dims may differ between groups)."""
    import arviz as az

    arrays, group_dims = _prepare_groups(groups, coords, dims)
    group_attrs = _group_attrs(attrs)
    datasets = {}
    for group, data in arrays.items():
        part = az.from_dict(
            **{group: data}, coords=coords, dims=group_dims[group], save_warmup=True
        )
        dataset = part[group]
        dataset.attrs.update(group_attrs)
        datasets[group] = dataset
    return az.InferenceData(**datasets)


def _build_datatree(groups, coords, dims, attrs):
    """arviz 1.x: one `arviz_base.from_dict` call per group, gathered into one DataTree."""
    import xarray as xr
    from arviz_base import from_dict

    arrays, group_dims = _prepare_groups(groups, coords, dims)
    group_attrs = _group_attrs(attrs)
    children = {}
    for group, data in arrays.items():
        part = from_dict(
            {group: data},
            coords=coords,
            dims=group_dims[group],
            attrs={group: group_attrs},
            save_warmup=True,
        )
        children[group] = part[group].to_dataset()
    tree = xr.DataTree.from_dict(children)
    tree.attrs = dict(group_attrs)
    return tree


def _dims_and_coords_of(idata) -> tuple[dict[str, tuple[list[str], tuple[int, ...]]], dict]:
    """Each variable's non-sample dims and event shape, and every 1-d coordinate, in `idata`."""
    if _is_datatree(idata):
        datasets = [node.to_dataset() for node in idata.subtree if node is not idata]
    else:
        datasets = [idata[group] for group in group_names(idata)]
    known_dims: dict[str, tuple[list[str], tuple[int, ...]]] = {}
    known_coords: dict[str, np.ndarray] = {}
    for dataset in datasets:
        for name, variable in dataset.data_vars.items():
            event = [dim for dim in variable.dims if dim not in SAMPLE_DIMS]
            shape = tuple(variable.sizes[dim] for dim in event)
            known_dims.setdefault(str(name), (event, shape))
        for dim, coord in dataset.coords.items():
            if coord.ndim == 1 and dim not in SAMPLE_DIMS:
                known_coords.setdefault(str(dim), coord.values)
    return known_dims, known_coords
