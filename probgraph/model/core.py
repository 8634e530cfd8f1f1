"""The Model context: registering random variables, value variables, transforms, coords/dims, Data,
Deterministic."""

from __future__ import annotations

import threading
from typing import Self

import numpy as np

import probgraph.tensor as pt
from probgraph.distributions.distribution import UNSET, RandomVariable
from probgraph.graph.basic import Variable
from probgraph.model.compiled import ModelFunctions
from probgraph.tensor.type import format_shape, normalize_dtype
from probgraph.tensor.variable import SharedVariable

__all__ = ["ConstantData", "Data", "Deterministic", "Model", "MutableData", "Potential",
           "modelcontext",
           "register_distribution", "set_data"]


class _Contexts(threading.local):
    def __init__(self):
        self.stack: list[Model] = []


_CONTEXTS = _Contexts()


def modelcontext(model: Model | None = None) -> Model:
    """``model`` if given, else the innermost ``with Model():`` block (TypeError if there is
    none)."""
    if model is not None:
        return model
    if _CONTEXTS.stack:
        return _CONTEXTS.stack[-1]
    raise TypeError("No model on context stack, which is needed to create model variables. Create "
                    "them inside a 'with pg.Model():' block, or use the '.dist' syntax for a "
                    "standalone distribution (e.g. pg.Normal.dist(0, 1)).")


def _fmt(shape) -> str:
    if shape is None:
        return "?"
    if np.ndim(shape) == 0 and not isinstance(shape, Variable):
        shape = (shape,)
    return format_shape(tuple(s if isinstance(s, (int, np.integer, type(None))) else None
                              for s in shape))


class Model(ModelFunctions):
    """A probabilistic model: a context in which distributions register their random variables.

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model(coords={"school": ["a", "b"]}) as model:
    ...     mu = pg.Normal("mu", 0.0, 5.0)
    ...     theta = pg.Normal("theta", mu, 1.0, dims="school")
    >>> [v.name for v in model.value_vars]
    ['mu', 'theta']
    """

    def __init__(self, coords: dict | None = None, name: str = "", check_bounds: bool = True,
                 model: Model | None = None):
        self.name = name
        self.check_bounds = check_bounds
        self.named_vars: dict[str, Variable] = {}
        self.free_RVs: list[Variable] = []
        self.observed_RVs: list[Variable] = []
        self.deterministics: list[Variable] = []
        self.potentials: list[Variable] = []
        self.data_vars: list[Variable] = []
        self.rvs_to_values: dict[Variable, Variable] = {}
        self.rvs_to_transforms: dict[Variable, object] = {}
        self.rvs_to_initial_values: dict[Variable, object] = {}
        self.named_vars_to_dims: dict[str, tuple] = {}
        self.coords: dict[str, tuple | None] = {}
        self._dim_lengths: dict[str, object] = {}
        self.add_coords(coords or {})

    # ------------------------------------------------------------------ context
    def __enter__(self) -> Self:
        _CONTEXTS.stack.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _CONTEXTS.stack.pop()

    @classmethod
    def get_context(cls, error_if_none: bool = True) -> Model | None:
        if not _CONTEXTS.stack and not error_if_none:
            return None
        return modelcontext(None)

    # ------------------------------------------------------------------ coords and dims
    def add_coord(self, name: str, values=None, *, length=None, mutable=None) -> None:
        """Add a named dimension with coordinate ``values`` (or only a ``length``)."""
        if name in self.named_vars:
            raise ValueError(f"the coord name {name!r} is already the name of a model variable")
        if values is None and length is None:
            raise ValueError(f"coord {name!r}: give its values or its length")
        if values is not None:
            values = tuple(np.asarray(values).tolist()) if not isinstance(values,
                                                                          (list, tuple, range)) \
                else tuple(values)
            if length is not None and int(length) != len(values):
                raise ValueError(f"coord {name!r}: length {length} does not match {len(values)} "
                                 "values")
        if name in self.coords and self.coords[name] is not None and values is not None \
                and tuple(self.coords[name]) != values:
            raise ValueError(f"coord {name!r} already exists with different values")
        self.coords[name] = values
        self._dim_lengths[name] = len(values) if values is not None else length

    def add_coords(self, coords: dict) -> None:
        """Add several coords at once: ``model.add_coords({"school": names})``."""
        for name, values in coords.items():
            self.add_coord(name, values)

    @property
    def dim_lengths(self) -> dict:
        return dict(self._dim_lengths)

    # ------------------------------------------------------------------ variable groups
    @property
    def value_vars(self) -> list[Variable]:
        """Value variables of the free random variables, on the unconstrained space (in order)."""
        return [self.rvs_to_values[rv] for rv in self.free_RVs]

    @property
    def basic_RVs(self) -> list[Variable]:
        return self.free_RVs + self.observed_RVs

    @property
    def unobserved_RVs(self) -> list[Variable]:
        return self.free_RVs + self.deterministics

    @property
    def values_to_rvs(self) -> dict:
        return {v: rv for rv, v in self.rvs_to_values.items()}

    @property
    def continuous_value_vars(self) -> list[Variable]:
        return [v for v in self.value_vars if v.dtype.startswith("float")]

    @property
    def discrete_value_vars(self) -> list[Variable]:
        return [v for v in self.value_vars if not v.dtype.startswith("float")]

    def __getitem__(self, key: str) -> Variable:
        if key in self.named_vars:
            return self.named_vars[key]
        for v in self.value_vars:
            if v.name == key:
                return v
        raise KeyError(f"the model has no variable named {key!r}; it has {sorted(self.named_vars)}")

    def __contains__(self, key) -> bool:
        return key in self.named_vars or any(v.name == key for v in self.value_vars)

    # ------------------------------------------------------------------ registration
    def _check_name(self, name) -> str:
        if not isinstance(name, str) or not name:
            raise TypeError(f"a model variable needs a non-empty string name, got {name!r}")
        name = f"{self.name}::{name}" if self.name else name
        if name in self.named_vars or any(v.name == name for v in self.value_vars):
            raise ValueError(f"the model already has a variable named {name!r}; names must be "
                             "unique")
        if name in self.coords:
            raise ValueError(f"the variable name {name!r} clashes with a coord of the same name")
        return name

    def _add_named(self, name: str, var: Variable, dims) -> None:
        dims = _as_dims(dims)
        if dims is not None:
            self._check_dims(name, var, dims)
            self.named_vars_to_dims[name] = dims
        self.named_vars[name] = var

    def _check_dims(self, name, var, dims) -> None:
        if len(dims) != var.ndim:
            raise ValueError(f"{name!r} has {var.ndim} dimensions {_fmt(var.type.shape)} but "
                             f"dims={dims} names {len(dims)}")
        for d, s in zip(dims, var.type.shape):
            if d is None:
                continue
            if d not in self._dim_lengths:
                raise ValueError(f"{name!r}: dims {d!r} has no coordinate values; pass coords="
                                 f"{{{d!r}: [...]}} to pg.Model or call "
                                 f"model.add_coord({d!r}, values)")
            n = self._dim_lengths[d]
            if isinstance(n, (int, np.integer)) and s is not None and s != n:
                raise ValueError(f"{name!r}: dims {d!r} has length {n} but the variable's axis has "
                                 f"length {s}")

    def _dims_shape(self, name, cls, dims, shape, observed):
        """Lengths of ``dims`` (ints or symbolic scalars), registering dims first seen here."""
        out = []
        for i, d in enumerate(dims):
            if d is not None and d in self._dim_lengths:
                out.append(self._dim_lengths[d])
                continue
            n = None
            if shape is not None and i < len(shape):
                n = shape[i]
            elif observed is not None and i < observed.ndim and observed.type.shape[i] is not None:
                n = observed.type.shape[i]
            if n is None or isinstance(n, Variable):
                raise ValueError(f"{cls.__name__} {name!r}: dims {d!r} has no coordinate values or "
                                 f"length; pass coords={{{d!r}: [...]}} to pg.Model, call "
                                 f"model.add_coord, or give shape=")
            if d is not None:
                self.add_coord(d, length=int(n))
            out.append(int(n))
        return tuple(out)

    def _resolve_shape(self, name, cls, shape, dims, observed):
        """The variable's shape from ``shape``, ``dims`` and ``observed``; a clash names all
        three."""
        if shape is not None and np.ndim(shape) == 0 and not isinstance(shape, Variable):
            shape = (shape,)
        if isinstance(shape, Variable):
            shape = tuple(shape[i] for i in range(shape.type.shape[0]))
        dims_shape = self._dims_shape(name, cls, dims, shape,
                                      observed) if dims is not None else None
        obs_shape = observed.type.shape if observed is not None else None
        chosen = shape if shape is not None else dims_shape
        if chosen is None and observed is not None:
            chosen = obs_shape if None not in obs_shape else pt.shape(observed)
        problems = []
        if shape is not None and dims_shape is not None and not _same(shape, dims_shape):
            problems.append("shape and dims")
        if obs_shape is not None and chosen is not None and not isinstance(chosen, Variable) \
                and not _same(chosen, obs_shape):
            problems.append("observed data")
        if problems:
            raise ValueError(self._shape_message(name, cls, shape, dims, dims_shape, obs_shape,
                                                 f"{' and '.join(problems)} disagree"))
        return chosen, dims_shape, obs_shape

    def _shape_message(self, name, cls, shape, dims, dims_shape, obs_shape, why):
        parts = [f"shape={_fmt(shape)}" if shape is not None else "no shape=",
                 f"dims={dims} -> {_fmt(dims_shape)}" if dims is not None else "no dims=",
                 f"observed data with shape {_fmt(obs_shape)}" if obs_shape is not None
                 else "no observed"]
        return f"{cls.__name__} {name!r}: {why}: {', '.join(parts)}"

    def register_rv(self, rv, name, observed=None, dims=None, transform=UNSET,
                    default_transform=UNSET, initval=None) -> Variable:
        """Record ``rv`` as a free (with a value variable) or observed random variable."""
        rv.name = name
        self.named_vars[name] = rv
        if dims is not None:
            self.named_vars_to_dims[name] = dims
        if observed is not None:
            self.observed_RVs.append(rv)
            self.rvs_to_values[rv] = observed
            self.rvs_to_transforms[rv] = None
            return rv
        dist, params = rv.owner.op.dist, rv.owner.inputs[1:]
        tr = _pick_transform(dist, params, transform, default_transform)
        if tr is None:
            value = rv.type(name)
        else:
            value = tr.forward(rv, *params).type(f"{name}_{tr.name}__")
        self.free_RVs.append(rv)
        self.rvs_to_values[rv] = value
        self.rvs_to_transforms[rv] = tr
        if initval is not None:
            self.rvs_to_initial_values[rv] = initval
        return rv

    def set_initval(self, rv, initval) -> None:
        self.rvs_to_initial_values[rv] = initval

    def _observed(self, name, cls, observed):
        """Observed data as a tensor of the family's dtype; NaN and masked values are errors."""
        if observed is None:
            return None
        dtype = normalize_dtype(cls.dtype)
        if isinstance(observed, Variable):
            if isinstance(observed, SharedVariable):
                _check_finite(name, observed.get_value(borrow=True))
            return observed if observed.dtype == dtype else pt.cast(observed, dtype)
        if np.ma.isMaskedArray(observed) and np.ma.getmaskarray(observed).any():
            raise ValueError(f"observed data of {name!r} has masked (missing) values; missing-data "
                             "imputation is not supported: drop them or model them as parameters")
        arr = np.asarray(observed)
        if arr.dtype == object:
            arr = arr.astype("float64")
        _check_finite(name, arr)
        if dtype.startswith("int") and arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise ValueError(f"observed data of {name!r} must be integers for {cls.__name__}")
        return pt.constant(arr.astype(dtype), name=f"{name}_observed")


def _check_finite(name, arr):
    arr = np.asarray(arr)
    if arr.dtype.kind in "fc" and np.isnan(arr).any():
        raise ValueError(f"observed data of {name!r} contains {int(np.isnan(arr).sum())} NaN "
                         "value(s); missing-data imputation is not supported: drop them or model "
                         "them as parameters")


def _same(a, b) -> bool:
    if len(a) != len(b):
        return False
    return all(not isinstance(x, (int, np.integer)) or not isinstance(y, (int, np.integer))
               or x == y
               for x, y in zip(a, b))


def _as_dims(dims):
    if dims is None:
        return None
    if isinstance(dims, str):
        return (dims,)
    return tuple(dims)


def _pick_transform(dist, params, transform, default_transform):
    """PyMC's rule: ``default_transform`` (the family's unless given), chained with ``transform``;
    ``transform=None`` turns transforming off."""
    from probgraph.distributions.transforms import Chain
    if transform is None and default_transform is UNSET:
        return None
    default = (dist.get_default_transform(params) if default_transform is UNSET
               else default_transform)
    default = default or None
    if transform is UNSET or transform is None:
        return default
    return transform if default is None else Chain([default, transform])


def register_distribution(cls, name, args, kwargs):
    """``cls(name, *args, **kwargs)`` inside a model: build the variable and register it."""
    model = modelcontext(None)
    kwargs = dict(kwargs)
    observed = kwargs.pop("observed", None)
    dims = _as_dims(kwargs.pop("dims", None))
    initval = kwargs.pop("initval", None)
    transform = kwargs.pop("transform", UNSET)
    default_transform = kwargs.pop("default_transform", UNSET)
    shape = kwargs.pop("shape", None)
    size = kwargs.pop("size", None)
    if kwargs.pop("total_size", None) is not None:
        raise NotImplementedError("total_size (minibatch scaling) is not supported")
    name = model._check_name(name)
    data = model._observed(name, cls, observed)
    if size is not None and shape is None and dims is None and data is None:
        shape_arg, dims_shape, obs_shape = None, None, None
    else:
        shape_arg, dims_shape, obs_shape = model._resolve_shape(name, cls, shape, dims, data)
        size = None
    try:
        rv = cls.dist(*args, shape=shape_arg, size=size, **kwargs)
    except ValueError as exc:
        from probgraph.distributions.dist_math import ParameterValueError
        if isinstance(exc, ParameterValueError):
            raise ParameterValueError(f"{cls.__name__} {name!r}: {exc}") from None
        raise ValueError(model._shape_message(name, cls, shape, dims, dims_shape, obs_shape,
                                              f"the parameters do not fit ({exc})")) from None
    if not isinstance(rv.owner.op, RandomVariable):
        raise TypeError(f"{cls.__name__}.dist did not return a random variable")
    return model.register_rv(rv, name, observed=data, dims=dims, transform=transform,
                             default_transform=default_transform, initval=initval)


# ---------------------------------------------------------------------- named expressions and data
def Deterministic(name: str, var, dims=None, model: Model | None = None):
    """A named expression recorded in the trace (not part of the log-density).

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model() as m:
    ...     x = pg.Normal("x", 0.0, 1.0)
    ...     y = pg.Deterministic("y", 2 * x)
    >>> [d.name for d in m.deterministics]
    ['y']
    """
    model = modelcontext(model)
    name = model._check_name(name)
    out = pt.identity(pt.as_tensor(var), name=name)
    model._add_named(name, out, dims)
    model.deterministics.append(out)
    return out


def Potential(name: str, var, dims=None, model: Model | None = None):
    """A term added to the model's log-density as it is (e.g. a soft constraint).

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model() as m:
    ...     x = pg.Normal("x", 0.0, 1.0)
    ...     _ = pg.Potential("x_positive", pg.math.switch(x > 0, 0.0, -1e3))
    """
    model = modelcontext(model)
    name = model._check_name(name)
    out = pt.identity(pt.as_tensor(var), name=name)
    model._add_named(name, out, dims)
    model.potentials.append(out)
    return out


def Data(name: str, value, *, dims=None, coords=None, mutable=None, model: Model | None = None,
         **kwargs):
    """A shared variable holding data that ``set_data`` can change without rebuilding the model.

    Floating-point data get ``floatX``; integer data stay integers. Dims without coords take their
    length from the data (and follow it when the data change).

    Examples
    --------
    >>> import numpy as np, probgraph as pg
    >>> with pg.Model() as m:
    ...     x = pg.Data("x", np.arange(3.0), dims="obs")
    >>> m.dim_lengths["obs"] is not None
    True
    """
    model = modelcontext(model)
    name = model._check_name(name)
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        arr = arr.astype(normalize_dtype("floatX"))
    elif arr.dtype == object:
        arr = arr.astype("float64")
    var = pt.shared(arr, name=name)
    dims = _as_dims(dims)
    if coords:
        model.add_coords(coords)
    if dims is not None:
        if len(dims) != arr.ndim:
            raise ValueError(f"Data {name!r} has {arr.ndim} dimensions {arr.shape} but dims={dims}")
        for i, d in enumerate(dims):
            if d is None:
                continue
            known = model.coords.get(d)
            if known is not None and len(known) != arr.shape[i]:
                raise ValueError(f"Data {name!r}: dims {d!r} has {len(known)} coordinate values "
                                 f"but the data's axis {i} has length {arr.shape[i]}")
            if d not in model.coords:
                model.coords[d] = None
            model._dim_lengths[d] = pt.shape(var)[i]
        model.named_vars_to_dims[name] = dims
    model.named_vars[name] = var
    model.data_vars.append(var)
    return var


MutableData = ConstantData = Data   # PyMC 5.0-5.8 names, still common in user code


def set_data(new_data: dict, model: Model | None = None, *, coords: dict | None = None) -> None:
    """Replace the values of ``Data`` variables (and optionally coords) in place.

    Examples
    --------
    >>> import numpy as np, probgraph as pg
    >>> with pg.Model() as m:
    ...     x = pg.Data("x", np.zeros(3))
    ...     pg.set_data({"x": np.ones(5)})
    >>> x.get_value().shape
    (5,)
    """
    model = modelcontext(model)
    coords = dict(coords or {})
    for name, value in new_data.items():
        var = model.named_vars.get(name)
        if not isinstance(var, SharedVariable):
            raise KeyError(f"set_data: {name!r} is not a pg.Data variable of the model")
        arr = np.asarray(value)
        if arr.dtype.kind != np.dtype(var.dtype).kind and var.dtype.startswith("float"):
            arr = arr.astype(var.dtype)
        if arr.ndim != var.ndim:
            raise ValueError(f"set_data: {name!r} has {var.ndim} dimensions, the new value has "
                             f"shape {arr.shape}")
        for i, d in enumerate(model.named_vars_to_dims.get(name, ())):
            if d is None:
                continue
            if d in coords:
                if len(coords[d]) != arr.shape[i]:
                    raise ValueError(f"set_data: coords {d!r} has {len(coords[d])} values but "
                                     f"{name!r} has length {arr.shape[i]} on that axis")
            elif model.coords.get(d) is not None and len(model.coords[d]) != arr.shape[i]:
                raise ValueError(f"set_data: {name!r} now has length {arr.shape[i]} along dims "
                                 f"{d!r}, whose coords have {len(model.coords[d])} values; pass "
                                 f"the new coords with set_data(..., coords={{{d!r}: [...]}})")
        var.set_value(arr)
    for d, values in coords.items():
        model.coords[d] = tuple(values)
