"""The model's graphs and compiled functions: log-density terms, initial point, and the flat-vector
logp/dlogp."""

from __future__ import annotations

import numpy as np

import probgraph.tensor as pt
from probgraph.graph.basic import Variable, clone_replace

__all__ = ["LogpDlogpFunction", "ModelFunctions", "PointFunc", "SamplingError"]


class SamplingError(RuntimeError, ValueError):
    """The model cannot be sampled from the given point (e.g. its log-density is -inf there)."""


class PointFunc:
    """A compiled function called with a point ``{value-variable name: value}``."""

    def __init__(self, fn, inputs):
        self.fn = fn
        self.inputs = list(inputs)

    def __call__(self, point=None, **kwargs):
        point = dict(point or {}, **kwargs)
        missing = [v.name for v in self.inputs if v.name not in point]
        if missing:
            raise KeyError(f"the point has no value for {missing}; it has {sorted(point)}")
        return self.fn(*[np.asarray(point[v.name], dtype=v.dtype) for v in self.inputs])


def _broadcast_like_rv(expr, rv):
    """``expr`` broadcast to the random variable's shape, without evaluating the variable."""
    expr = pt.as_tensor(expr)
    shape_in = rv.owner.inputs[0]
    if shape_in.type.shape[0] != 0:
        target = shape_in
    elif None not in rv.type.shape:
        target = rv.type.shape
    else:
        for p in rv.owner.inputs[1:]:
            expr = expr + pt.zeros_like(p, dtype=expr.dtype)
        return expr if expr.dtype == rv.dtype else pt.cast(expr, rv.dtype)
    if expr.dtype != rv.dtype:
        expr = pt.cast(expr, rv.dtype)
    return pt.broadcast_to(expr, target)


class ModelFunctions:
    """The log-density side of ``Model`` (mixed into it): symbolic terms and compiled functions."""

    # ------------------------------------------------------------------ graphs
    def replacements(self) -> dict:
        """``{random variable: its value in terms of the value variables}`` (observed ones →
        data)."""
        repl = {rv: self.rvs_to_values[rv] for rv in self.observed_RVs}
        for rv in self.free_RVs:
            value, tr = self.rvs_to_values[rv], self.rvs_to_transforms[rv]
            if tr is None:
                repl[rv] = value
            else:
                repl[rv] = clone_replace([tr.backward(value, *rv.owner.inputs[1:])], repl)[0]
        return repl

    def replace_rvs_by_values(self, exprs) -> list:
        """``exprs`` rewritten over the value variables (and the data)."""
        return clone_replace([pt.as_tensor(e) for e in exprs], self.replacements())

    def _resolve_vars(self, vars):
        if vars is None:
            return self.basic_RVs, self.potentials
        vars = [vars] if isinstance(vars, (Variable, str)) else list(vars)
        values_to_rvs = self.values_to_rvs
        rvs, pots = [], []
        for v in vars:
            v = self[v] if isinstance(v, str) else v
            v = values_to_rvs.get(v, v)
            (pots if any(v is p for p in self.potentials) else rvs).append(v)
        return rvs, pots

    def logp_terms(self, vars=None, jacobian: bool = True) -> list[tuple[Variable, Variable]]:
        """``[(variable, log-density term)]`` for random variables (with log-Jacobians) and
        Potentials."""
        rvs, pots = self._resolve_vars(vars)
        repl = self.replacements()
        raw = [rv.owner.op.dist.logp(rv, *rv.owner.inputs[1:]) for rv in rvs]
        replaced = clone_replace([pt.as_tensor(r) for r in raw] + list(pots), repl)
        terms = []
        for rv, lp in zip(rvs, replaced):
            tr = self.rvs_to_transforms.get(rv)
            if tr is not None and jacobian:
                jac = clone_replace([tr.log_jac_det(self.rvs_to_values[rv], *rv.owner.inputs[1:])],
                                    repl)[0]
                lp = lp + jac if jac.ndim == lp.ndim else pt.sum(lp) + pt.sum(jac)
            terms.append((rv, lp))
        terms.extend(zip(pots, replaced[len(rvs):]))
        return terms

    def logp(self, vars=None, jacobian: bool = True, sum: bool = True):
        """The model's log-density over the value variables (a scalar, or a list of terms if not
        ``sum``).

        Examples
        --------
        >>> import probgraph as pg
        >>> with pg.Model() as m:
        ...     x = pg.Normal("x", 0.0, 1.0)
        >>> round(float(m.logp().eval({m.value_vars[0]: 0.0})), 4)
        -0.9189
        """
        terms = [t for _, t in self.logp_terms(vars, jacobian)]
        if not sum:
            return terms
        total = pt.constant(0.0, dtype="float64")
        for t in terms:
            total = total + pt.sum(t)
        return total

    def dlogp(self, vars=None, jacobian: bool = True):
        """Gradient of the log-density with respect to the value variables, raveled and
        concatenated."""
        grads = pt.grad(self.logp(vars, jacobian), self.value_vars, disconnected_inputs="ignore")
        return pt.concatenate([pt.flatten(g) for g in grads]) if grads else pt.zeros((0,))

    # ------------------------------------------------------------------ compiled functions
    def compile_fn(self, outputs, inputs=None, mode=None, point_fn: bool = True):
        """Compile ``outputs`` (random variables are replaced by their values) as a function of a
        point.

        Examples
        --------
        >>> import probgraph as pg
        >>> with pg.Model() as m:
        ...     s = pg.HalfNormal("s", 1.0)
        >>> f = m.compile_fn(s, mode="python")
        >>> float(f({"s_log__": 0.0}))
        1.0
        """
        from probgraph.compile import function
        single = not isinstance(outputs, (list, tuple))
        outs = self.replace_rvs_by_values([outputs] if single else outputs)
        inputs = self.value_vars if inputs is None else list(inputs)
        fn = function(inputs, outs[0] if single else outs, mode=mode)
        return PointFunc(fn, inputs) if point_fn else fn

    def compile_logp(self, vars=None, jacobian: bool = True, sum: bool = True, mode=None):
        """The log-density as a function of a point ``{value-variable name: value}``."""
        return self.compile_fn(self.logp(vars, jacobian, sum), mode=mode)

    def compile_dlogp(self, vars=None, jacobian: bool = True, mode=None):
        """The flat gradient of the log-density as a function of a point."""
        return self.compile_fn(self.dlogp(vars, jacobian), mode=mode)

    def initial_point(self, random_seed=None) -> dict:
        """Starting values of the value variables: ``initval=`` or each family's support point,
        transformed.

        Examples
        --------
        >>> import probgraph as pg
        >>> with pg.Model() as m:
        ...     s = pg.HalfNormal("s", 2.0)
        >>> {k: round(float(v), 4) for k, v in m.initial_point().items()}
        {'s_log__': 0.6931}
        """
        from probgraph.backends.python import evaluate
        from probgraph.predictive import forward_values
        rng = np.random.default_rng(random_seed)
        known = {rv: self.rvs_to_values[rv] for rv in self.observed_RVs}
        point = {}
        for rv in self.free_RVs:
            params = rv.owner.inputs[1:]
            init = self.rvs_to_initial_values.get(rv)
            if isinstance(init, str) and init == "prior":
                value = forward_values([clone_replace([rv], known)[0]], {}, rng)[0]
            else:
                if init is None or isinstance(init, str):
                    expr = rv.owner.op.dist.support_point(rv, *params)
                else:
                    expr = pt.constant(np.asarray(init))
                expr = clone_replace([_broadcast_like_rv(expr, rv)], known)[0]
                value = evaluate([expr])[0]
            const = pt.constant(np.asarray(value, dtype=rv.dtype))
            tr = self.rvs_to_transforms[rv]
            vv = self.rvs_to_values[rv]
            if tr is not None:
                fwd = clone_replace([tr.forward(const, *params)], known)[0]
                value = evaluate([fwd])[0]
            point[vv.name] = np.asarray(value, dtype=vv.dtype)
            known[rv] = const
        return point

    def point_logps(self, point=None, round_vals: int | None = 2) -> dict:
        """Each variable's total log-density (with log-Jacobian) at ``point`` (default: the initial
        point)."""
        from probgraph.compile import function
        point = self.initial_point() if point is None else point
        terms = self.logp_terms()
        fn = function(self.value_vars, [pt.sum(t) for _, t in terms], mode="python")
        vals = fn(*[np.asarray(point[v.name], dtype=v.dtype) for v in self.value_vars])
        out = {}
        for (var, _), val in zip(terms, vals):
            val = float(val)
            out[var.name] = (round(val, round_vals)
                             if round_vals is not None and np.isfinite(val) else val)
        return out

    def check_start_vals(self, start: dict) -> None:
        """Raise :class:`SamplingError` naming every variable if the log-density at ``start`` is not
        finite."""
        for v in self.value_vars:
            if v.name not in start:
                raise SamplingError(f"the starting point has no value for {v.name!r}")
            val = np.asarray(start[v.name])
            if not np.all(np.isfinite(val)):
                raise SamplingError(f"the starting value of {v.name!r} is not finite: {val}")
        logps = self.point_logps(start, round_vals=None)
        if all(np.isfinite(v) for v in logps.values()):
            return
        observed = {rv.name for rv in self.observed_RVs}
        labels = {rv.name: self.rvs_to_values[rv].name for rv in self.free_RVs}
        parts = [f"{labels.get(k, k)}: {v}" + (" (observed)" if k in observed else "")
                 for k, v in logps.items()]
        raise SamplingError("the model's logp is -inf at the starting point: " + ", ".join(parts)
                            + ". Check the data against the support of each distribution, and the "
                            "starting values: "
                            + ", ".join(f"{k}: {np.asarray(v).round(3).tolist()}"
                                                            for k, v in start.items()))

    def logp_dlogp_function(self, mode=None, point=None,
                            jacobian: bool = True) -> LogpDlogpFunction:
        """One compiled ``q -> (logp, grad)`` over a flat float64 vector of the value variables.

        Examples
        --------
        >>> import probgraph as pg
        >>> with pg.Model() as m:
        ...     x = pg.Normal("x", 0.0, 1.0, shape=2)
        >>> f = m.logp_dlogp_function(mode="python")
        >>> lp, g = f([1.0, -1.0])
        >>> g.tolist()
        [-1.0, 1.0]
        """
        from probgraph.config import config
        point = self.initial_point() if point is None else point
        shapes = tuple((v.name, np.shape(point[v.name])) for v in self.value_vars)
        # the compiled function depends only on the model's structure and the value shapes (Data
        # values are read at call time), so repeated samples of one model reuse it
        key = (mode or config.mode, jacobian, shapes, tuple(self.named_vars))
        cache = self.__dict__.setdefault("_logp_dlogp_cache", {})
        if key not in cache:
            cache[key] = LogpDlogpFunction(self, mode=mode, point=point, jacobian=jacobian)
        return cache[key]


class LogpDlogpFunction:
    """The model's log-density and gradient as one compiled function of a flat vector ``q``.

    ``q`` holds the value variables (``value_var_names``, in order), each raveled in C order at
    ``slices[name]``. ``logp_fn(q, args)`` (numba mode) is a jitted function for compiled samplers;
    read ``args`` right before sampling, as it holds the current values of ``Data`` variables.
    """

    def __init__(self, model, mode=None, point=None, jacobian: bool = True):
        from probgraph.compile import function
        from probgraph.config import config
        self.model = model
        self.mode = mode or config.mode
        point = model.initial_point() if point is None else point
        self.value_var_names = [v.name for v in model.value_vars]
        self.shapes = {n: tuple(np.shape(point[n])) for n in self.value_var_names}
        self.slices, start = {}, 0
        for n in self.value_var_names:
            size = int(np.prod(self.shapes[n], dtype=int))
            self.slices[n] = slice(start, start + size)
            start += size
        self.ndim = start
        self.q = pt.tensor("q", dtype="float64", shape=(self.ndim,))
        self._pieces = self._split(self.q)
        logp = clone_replace([model.logp(jacobian=jacobian)], self._pieces)[0]
        grad = pt.grad(logp, self.q, disconnected_inputs="ignore")
        # compiled lazily: samplers call the kernel through ``logp_fn``, which compiles it inlined
        self.function = function([self.q], [logp, grad], mode=self.mode, name="logp_dlogp",
                                 eager=False)
        self.function.trust_input = True
        self._expand_fn = None
        self._logp_fn = None

    def _split(self, q) -> dict:
        pieces = {}
        for v in self.model.value_vars:
            sl, shape = self.slices[v.name], self.shapes[v.name]
            piece = q[sl.start] if shape == () else pt.reshape(q[sl.start:sl.stop], shape)
            pieces[v] = piece if piece.dtype == v.dtype else pt.cast(piece, v.dtype)
        return pieces

    def __call__(self, q) -> tuple[float, np.ndarray]:
        logp, grad = self.function(np.asarray(q, dtype="float64"))
        return float(logp), np.asarray(grad)

    # ------------------------------------------------------------------ point <-> array
    def point_to_array(self, point: dict) -> np.ndarray:
        q = np.empty(self.ndim)
        for n in self.value_var_names:
            val = np.asarray(point[n], dtype="float64")
            if val.shape != self.shapes[n]:
                raise ValueError(f"{n!r} has shape {val.shape}, expected {self.shapes[n]}")
            q[self.slices[n]] = val.ravel()
        return q

    def array_to_point(self, q) -> dict:
        q = np.asarray(q)
        return {n: q[self.slices[n]].reshape(self.shapes[n]).copy() for n in self.value_var_names}

    # ----------------------------------------------------------- constrained values for the trace
    @property
    def expand_names(self) -> list[str]:
        return [rv.name for rv in self.model.free_RVs] + [d.name for d in self.model.deterministics]

    def expand_function(self):
        """The compiled ``q -> [constrained values..., deterministics...]`` (in ``expand_names``
        order)."""
        if self._expand_fn is None:
            from probgraph.compile import function
            model = self.model
            repl = model.replacements()
            outs = [repl[rv] for rv in model.free_RVs]
            outs += clone_replace(list(model.deterministics), repl)
            outs = clone_replace(outs, self._pieces)
            self._expand_fn = function([self.q], outs, mode=self.mode, name="expand")
            self._expand_fn.trust_input = True
        return self._expand_fn

    def expand(self, q) -> dict:
        """Constrained values of the free random variables and Deterministics, keyed by name."""
        vals = self.expand_function()(np.asarray(q, dtype="float64"))
        return {n: np.asarray(v) for n, v in zip(self.expand_names, vals)}

    # ------------------------------------------------------------------ for compiled samplers
    @property
    def raw_args(self) -> tuple:
        """The kernel's extra arguments: current Data values, then the graph's array constants."""
        shared = tuple(s.container[0][()] if np.ndim(s.container[0]) == 0 else s.container[0]
                       for s in self.function.shared)
        return shared + tuple(getattr(self.function.thunk, "consts", ()))

    @property
    def args(self) -> tuple:
        """Extra argument of ``logp_fn``: the current Data values and array constants, packed into
        one fixed-type tuple (see :mod:`probgraph.model.packed_args`).
        Read it right before sampling."""
        from probgraph.model.packed_args import pack
        return pack(self.raw_args)

    @property
    def logp_fn(self):
        """A jitted ``logp_fn(q, args) -> (logp, grad)`` (numba mode only; None otherwise).

        Its type is the same for every model, so compiled samplers are shared across models.
        """
        kernel = getattr(self.function.thunk, "kernel", None)
        if kernel is None:
            return None
        if self._logp_fn is None:
            from probgraph.model.packed_args import layout_of, make_adapter
            self._logp_fn = make_adapter(kernel, layout_of(self.raw_args))
        return self._logp_fn
