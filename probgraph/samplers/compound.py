"""The compound step: NUTS on the continuous block given the rest, then Metropolis-type updates, per
draw.

Each iteration runs one compiled NUTS (or HMC) transition of the gradient-based block with every
other value variable held at its current value (Stan's adaptation runs on that block during
warmup), then each Metropolis-type step in turn given the new values (PyMC's ``CompoundStep``).
The loop over draws is Python; chains run one after another.
"""

from __future__ import annotations

import time

import numpy as np

import probgraph.tensor as pt
from probgraph.graph.basic import Variable, clone_replace
from probgraph.samplers import constants as C
from probgraph.samplers.metropolis import (
    BinaryGibbsMetropolis,
    CategoricalGibbsMetropolis,
    Metropolis,
)

__all__ = ["CompoundStep", "assign_step_methods", "sample_compound"]


class CompoundStep:
    """Several steps applied one after another in each iteration (PyMC's name).

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model():
    ...     z = pg.Bernoulli("z", 0.3)
    ...     x = pg.Normal("x", z, 1.0)
    ...     step = pg.CompoundStep([pg.NUTS([x]), pg.BinaryGibbsMetropolis([z])])  # doctest: +SKIP
    """

    def __init__(self, methods):
        self.methods = list(methods)

    def __repr__(self) -> str:
        return f"CompoundStep({self.methods})"


def _value_vars_of(model, vars) -> list:
    """Value variables named by ``vars`` (random variables, value variables or names)."""
    values_to_rvs = model.values_to_rvs
    out = []
    for v in vars:
        v = model[v] if isinstance(v, str) else v
        if not isinstance(v, Variable):
            raise TypeError(f"a step's vars must be model variables or names, got {v!r}")
        if v not in values_to_rvs:
            if v not in model.rvs_to_values or v not in model.free_RVs:
                raise ValueError(f"{v.name!r} is not a free random variable of the model; "
                                 "steps sample free (unobserved) variables only")
            v = model.rvs_to_values[v]
        out.append(v)
    return out


def _is_gradient_step(step) -> bool:
    from probgraph.samplers.model_sampling import NUTS
    return isinstance(step, NUTS)


def _default_step(model, value_var):
    family = model.values_to_rvs[value_var].owner.op.dist.__name__
    if family == "Bernoulli":
        return BinaryGibbsMetropolis()
    if family == "Categorical":
        return CategoricalGibbsMetropolis()
    return Metropolis()


def assign_step_methods(model, step, layout) -> list:
    """Bind the user's steps and add defaults so every free variable has exactly one step.

    Steps with explicit ``vars`` claim them first; a step without ``vars`` takes every variable
    not yet claimed that it can sample (gradient steps: the continuous ones). Then unclaimed
    continuous variables get one NUTS step, Bernoulli ones BinaryGibbsMetropolis, Categorical
    ones CategoricalGibbsMetropolis, other discrete ones Metropolis (one step per variable).
    """
    from probgraph.samplers.model_sampling import NUTS
    steps = step.methods if isinstance(step, CompoundStep) else (
        list(step) if isinstance(step, (list, tuple)) else ([] if step is None else [step]))
    claimed: dict = {}
    explicit = [s for s in steps if s.vars is not None]
    implicit = [s for s in steps if s.vars is None]
    bound = []
    for s in explicit + implicit:
        if s.vars is not None:
            vvs = _value_vars_of(model, s.vars)
        else:
            vvs = [v for v in model.value_vars if v not in claimed
                   and (v.dtype.startswith("float") or not _is_gradient_step(s))]
        for v in vvs:
            if v in claimed:
                raise ValueError(f"{v.name!r} is given to two steps: {claimed[v]!r} and {s!r}")
            claimed[v] = s
        if _is_gradient_step(s):
            bad = [v.name for v in vvs if not v.dtype.startswith("float")]
            if bad:
                raise ValueError(f"{type(s).__name__} needs gradients and cannot sample the "
                                 f"discrete variables {bad}; use a Metropolis-type step for them")
        if vvs:
            bound.append((s, vvs))
    rest = [v for v in model.value_vars if v not in claimed]
    continuous = [v for v in rest if v.dtype.startswith("float")]
    if continuous:
        bound.append((NUTS(), continuous))
    bound += [(_default_step(model, v), [v]) for v in rest if not v.dtype.startswith("float")]
    if sum(_is_gradient_step(s) for s, _ in bound) > 1:
        raise NotImplementedError("a compound step can hold one NUTS/HMC block; give all the "
                                  "continuous variables to one NUTS step")
    for s, vvs in bound:
        if not _is_gradient_step(s):
            s.bind(model, vvs, layout)
        else:
            s.value_vars = vvs
    return [s for s, _ in bound]


def _flat_index(layout, value_vars) -> np.ndarray:
    """Positions of ``value_vars``' entries in the model's flat vector."""
    parts = [np.arange(layout.slices[v.name].start, layout.slices[v.name].stop) for v in value_vars]
    return np.concatenate(parts or [np.zeros(0)]).astype(np.int64)


class _GradientBlock:
    """The log density over the gradient step's variables, the others held in one shared vector."""

    def __init__(self, model, value_vars, layout):
        from probgraph.compile import function
        from probgraph.tensor.variable import shared
        inside = {v.name for v in value_vars}
        others = [v for v in model.value_vars if v.name not in inside]
        self.idx, self.other_idx = _flat_index(layout, value_vars), _flat_index(layout, others)
        self.q = pt.tensor("q", dtype="float64", shape=(self.idx.size,))
        self.fixed = shared(np.zeros(self.other_idx.size), name="fixed_values")
        pieces, pos = {}, {"q": 0, "fixed": 0}
        for v in model.value_vars:
            src = "q" if v.name in inside else "fixed"
            vec = self.q if src == "q" else self.fixed
            shape = layout.shapes[v.name]
            size = int(np.prod(shape, dtype=int))
            start = pos[src]
            pos[src] += size
            piece = vec[start] if shape == () else pt.reshape(vec[start:start + size], shape)
            pieces[v] = piece if piece.dtype == v.dtype else pt.cast(piece, v.dtype)
        logp = clone_replace([model.logp()], pieces)[0]
        grad = pt.grad(logp, self.q, disconnected_inputs="ignore")
        self.function = function([self.q], [logp, grad], mode=layout.mode, name="block_logp_dlogp")
        kernel = getattr(self.function.thunk, "kernel", None)
        if kernel is None:
            raise RuntimeError("NUTS in a compound step needs the numba backend "
                               f"(pg.config.mode = 'numba'); the mode is {layout.mode!r}")
        from probgraph.model.packed_args import layout_of, make_adapter
        self.logp_fn = make_adapter(kernel, layout_of(self._raw_args()))

    def _raw_args(self) -> tuple:
        shared = tuple(s.container[0][()] if np.ndim(s.container[0]) == 0 else s.container[0]
                       for s in self.function.shared)
        return shared + tuple(getattr(self.function.thunk, "consts", ()))

    def set_fixed(self, q_full: np.ndarray) -> None:
        """Hold the other variables at their values in ``q_full``; refresh ``args`` (packed
        data)."""
        from probgraph.model.packed_args import pack
        self.fixed.container[0][:] = q_full[self.other_idx]
        self.args = pack(self._raw_args())

    def configure(self, step, target_accept, max_treedepth, init, tune) -> str:
        """Fix the NUTS/HMC settings of ``step`` (with ``pg.sample``'s overrides); return its
        method."""
        from probgraph.samplers.chain import hmc_chunk, nuts_chunk
        from probgraph.samplers.sample import INIT_METHODS
        kw = step.run_kwargs()
        if target_accept is not None:
            kw["target_accept"] = target_accept
        if max_treedepth is not None:
            kw["max_treedepth"] = max_treedepth
        self.use_jitter, self.kind = INIT_METHODS[init]
        self.kernel = nuts_chunk if kw["method"] == "nuts" else hmc_chunk
        self.param = (int(kw["max_treedepth"]) if kw["method"] == "nuts"
                      else float(kw["path_length"]))
        self.tuning = (float(kw["target_accept"]), C.DA_GAMMA, C.DA_T0, C.DA_KAPPA)
        self.treedepth, self.step_size0 = int(kw["max_treedepth"]), float(kw["step_size"])
        self.tune, self.run = tune, None
        return kw["method"]

    def start_chain(self, q, rng, chain, total, stats) -> None:
        """Jitter the block's start (if ``init`` says so) and build the chain's NUTS state."""
        from probgraph.samplers.chain import compiled_chunk, init_chain_state
        from probgraph.samplers.sample import find_initial_point
        self.set_fixed(q)
        qb, lp, g = find_initial_point(self.logp_fn, self.args, q[self.idx], rng,
                                       self.use_jitter, chain=chain)
        q[self.idx] = qb
        self.state = init_chain_state(qb, lp, g, self.tune, self.kind, rng, self.treedepth,
                                           self.step_size0)
        self.draws = np.zeros((total, self.idx.size))
        if self.run is None:
            self.run = compiled_chunk(self.kernel, self.logp_fn, self._call_args(0, stats))

    def _call_args(self, it, stats) -> tuple:
        st = self.state
        return (self.logp_fn, self.args, st.rng, st.metric, st.q, st.g, st.sc, st.welford,
                st.flags, self.tuning, self.param, float(C.MAX_ENERGY_ERROR), it, it + 1,
                self.tune, self.draws, stats, st.ws)

    def transition(self, q, it, stats) -> float:
        """One NUTS transition of the block given the rest of ``q`` (updated in place); the new
        logp."""
        st = self.state
        self.set_fixed(q)  # the other variables moved: refresh the density and gradient at q
        st.sc[C.SC_LOGP], g = self.logp_fn(st.q, self.args)
        st.g[:] = g
        self.run(*self._call_args(it, stats))
        q[self.idx] = st.q
        return float(st.sc[C.SC_LOGP])


def _joint_logp(layout):
    fn = layout.function

    def logp(q):
        return float(fn(q)[0])
    return logp


def sample_compound(model, steps, layout, q0, draws, tune, chains, seed, init="jitter+adapt_diag",
                    target_accept=None, max_treedepth=None, progressbar=True):
    """Run ``chains`` chains of the compound step (one after another); return a ``SamplerResult``.

    ``steps`` come from :func:`assign_step_methods`; ``layout`` is the model's full
    ``LogpDlogpFunction`` (its flat vector holds every value variable, discrete ones as floats).
    Chain ``c`` uses ``default_rng(SeedSequence(seed).spawn(chains)[c])`` for everything.
    """
    from probgraph.samplers.progress import ProgressBar
    from probgraph.samplers.sample import INIT_METHODS, SamplerResult, _stats_dict
    if init not in INIT_METHODS:
        raise ValueError(f"init must be one of {sorted(INIT_METHODS)}, not {init!r}")
    t_setup = time.perf_counter()
    grad_steps = [s for s in steps if _is_gradient_step(s)]
    others = [s for s in steps if not _is_gradient_step(s)]
    joint, total, block = _joint_logp(layout), tune + draws, None
    names = [s.name for s in others]
    if grad_steps:
        block = _GradientBlock(model, grad_steps[0].value_vars, layout)
        names.insert(0, block.configure(grad_steps[0], target_accept, max_treedepth, init, tune))
    out = {"draws": np.zeros((chains, total, layout.ndim)), "lp": np.zeros((chains, total)),
           "stats": np.zeros((chains, total, C.N_STATS)), "perf": np.zeros((chains, total)),
           "steps": [{} for _ in others], "n_done": np.zeros(chains, dtype=np.int64),
           "metric": [], "step_size": []}
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rngs = [np.random.default_rng(s) for s in ss.spawn(chains)]
    bar = ProgressBar(chains * total, tune, enabled=progressbar)
    t_start = time.perf_counter()
    interrupted = False
    try:
        for c in range(chains):
            _run_chain(c, rngs[c], np.array(q0, dtype=np.float64), block, others, joint, tune,
                       out, bar)
    except KeyboardInterrupt:
        interrupted = True
    wall = time.perf_counter() - t_start
    bar.close(out["n_done"], int(out["stats"][:, tune:, C.ST_DIVERGING].sum()),
              float(np.mean(out["step_size"])) if out["step_size"] else 0.0)
    stats = (_stats_dict(out["stats"], out["perf"]) if block is not None
             else {"perf_counter_diff": out["perf"]})
    stats["lp"] = out["lp"]
    for s, rec in zip(others, out["steps"]):
        stats.update({f"{s.stat_prefix}_{name}": val for name, val in rec.items()})
    return SamplerResult(
        draws=out["draws"], stats=stats, n_done=out["n_done"], tune=tune, n_draws=draws,
        inv_mass_matrix=np.stack(out["metric"]) if out["metric"] else np.zeros((chains, 0)),
        step_size=np.array(out["step_size"]) if out["step_size"] else np.zeros(chains),
        interrupted=interrupted, method="+".join(names), init=init, wall_time=wall,
        compile_time=time.perf_counter() - t_setup - wall,
    )


def _run_chain(c, rng, q, block, others, joint, tune, out, bar) -> None:
    """Chain ``c``: per iteration, the NUTS block then each Metropolis-type step; fills ``out``."""
    chains, total = out["lp"].shape
    for s in others:
        s.reset()
    if block is not None:
        block.start_chain(q, rng, c, total, out["stats"][c])
    lp = joint(q)
    for it in range(total):
        t0 = time.perf_counter()
        if block is not None:
            lp = block.transition(q, it, out["stats"][c])
        for s, rec in zip(others, out["steps"]):
            lp, stats = s.step(q, lp, joint, rng, it < tune)
            for name, val in stats.items():
                rec.setdefault(name, np.zeros((chains, total), dtype=type(val)))[c, it] = val
        out["draws"][c, it] = q
        out["lp"][c, it] = lp
        out["perf"][c, it] = time.perf_counter() - t0
        out["n_done"][c] = it + 1
        if it % 50 == 0:
            bar.update(out["n_done"], int(out["stats"][:, tune:, C.ST_DIVERGING].sum()),
                       block.state.step_size if block is not None else 0.0)
    if block is not None:
        out["metric"].append(block.state.inv_mass_matrix)
        out["step_size"].append(block.state.step_size)
