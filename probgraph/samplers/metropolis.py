"""Metropolis-type steps for :func:`probgraph.sample`: random walk, binary flips and categorical
Gibbs.

Each step updates its own entries of the model's flat vector ``q`` (all value variables, raveled
in ``LogpDlogpFunction`` order; discrete values are stored as whole floats) given the others, using
the joint log density ``logp(q)``. The steps follow PyMC's ``pymc/step_methods/metropolis.py``:
the random-walk step's scaling is tuned every ``tune_interval`` draws during warmup with PyMC's
``tune()`` schedule; a step keeps its tuning state per chain (:meth:`Metropolis.reset`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["BinaryGibbsMetropolis", "CategoricalGibbsMetropolis", "Metropolis", "tune_scaling"]


def tune_scaling(scale, acc_rate):
    """PyMC's schedule: grow or shrink the proposal scale from the last interval's acceptance rate.

    Examples
    --------
    >>> float(tune_scaling(1.0, 0.01)), float(tune_scaling(1.0, 0.3)), float(tune_scaling(1.0, 0.8))
    (0.5, 1.0, 2.0)
    """
    acc_rate = np.asarray(acc_rate, dtype=float)
    factor = np.select(
        [acc_rate < 0.001, acc_rate < 0.05, acc_rate < 0.2, acc_rate > 0.95, acc_rate > 0.75,
         acc_rate > 0.5],
        [0.1, 0.5, 0.9, 10.0, 2.0, 1.1], default=1.0)
    return scale * factor


def _accept(rng: np.random.Generator, log_ratio: float) -> bool:
    """Metropolis acceptance: ``log(u) < log_ratio`` (a NaN or ``-inf`` ratio rejects)."""
    return bool(np.log(rng.uniform()) < log_ratio)


class _ArrayStep:
    """Shared part of the steps: the variables, and their positions in the flat vector."""

    name = "step"
    generates_stats = False

    def __init__(self, vars=None, model=None):
        self.vars = vars if vars is None or isinstance(vars, (list, tuple)) else [vars]
        self.model = model
        self.value_vars: list = []
        self.idx = np.zeros(0, dtype=np.int64)

    def bind(self, model, value_vars, layout) -> None:
        """Attach the step to ``value_vars`` of ``model``; ``layout`` is the full
        ``LogpDlogpFunction``."""
        self.value_vars = list(value_vars)
        self.idx = np.concatenate([np.arange(layout.slices[v.name].start,
                                             layout.slices[v.name].stop)
                                   for v in self.value_vars]).astype(np.int64)

    def reset(self) -> None:
        """Forget per-chain tuning state (called at the start of each chain)."""

    @property
    def stat_prefix(self) -> str:
        return "_".join(v.name for v in self.value_vars)

    def __repr__(self) -> str:
        names = [v.name for v in self.value_vars] or self.vars
        return f"{type(self).__name__}({names})"


class Metropolis(_ArrayStep):
    """Random-walk Metropolis with a normal proposal (rounded for discrete variables).

    Parameters
    ----------
    vars : list, optional
        Random variables, value variables or names (default: every variable no other step takes).
    S : array_like, optional
        Proposal standard deviations, one per flat entry (default ones).
    scaling : float
        Initial multiplier of ``S``; tuned during warmup when ``tune``.
    tune : bool
        Tune ``scaling`` every ``tune_interval`` warmup draws (PyMC's ``tune()`` schedule).

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model():
    ...     x = pg.Normal("x", 0.0, 1.0)
    ...     idata = pg.sample(500, tune=500, step=pg.Metropolis(), chains=1)  # doctest: +SKIP
    """

    name = "metropolis"
    generates_stats = True

    def __init__(self, vars=None, S=None, scaling: float = 1.0, tune: bool = True,
                 tune_interval: int = 100, model=None):
        super().__init__(vars, model)
        self.S_given = None if S is None else np.asarray(S, dtype=float).ravel()
        self.initial_scaling = float(scaling)
        self.tune = tune
        self.tune_interval = int(tune_interval)
        self.reset()

    def bind(self, model, value_vars, layout) -> None:
        super().bind(model, value_vars, layout)
        self.discrete = np.concatenate([np.full(layout.slices[v.name].stop
                                                - layout.slices[v.name].start,
                                                not v.dtype.startswith("float"))
                                        for v in self.value_vars])
        n = self.idx.size
        self.S = np.ones(n) if self.S_given is None else self.S_given
        if self.S.size != n:
            raise ValueError(f"Metropolis on {self.stat_prefix}: S has {self.S.size} entries, "
                             f"the variables have {n}")

    def reset(self) -> None:
        self.scaling = self.initial_scaling
        self.steps_until_tune = self.tune_interval
        self.accepted_sum = 0

    def step(self, q: np.ndarray, logp: float, logp_fn, rng: np.random.Generator,
             tuning: bool) -> tuple[float, dict]:
        """Update ``q[idx]`` in place; return the new log density and the step's stats."""
        if tuning and self.tune and self.steps_until_tune == 0:
            self.scaling = float(tune_scaling(self.scaling, self.accepted_sum / self.tune_interval))
            self.steps_until_tune = self.tune_interval
            self.accepted_sum = 0
        delta = rng.normal(size=self.idx.size) * self.S * self.scaling
        delta[self.discrete] = np.round(delta[self.discrete])
        prop = q.copy()
        prop[self.idx] += delta
        lp_prop = logp_fn(prop)
        log_ratio = lp_prop - logp
        accepted = _accept(rng, log_ratio)
        if accepted:
            q[self.idx] = prop[self.idx]
            logp = lp_prop
        self.accepted_sum += accepted
        self.steps_until_tune -= 1
        accept = float(np.exp(min(log_ratio, 0.0))) if np.isfinite(log_ratio) else float(
            log_ratio > 0)
        return logp, {"accept": accept, "accepted": accepted, "scaling": self.scaling}


def _check_family(model, value_vars, family: str, step: str) -> list:
    """The random variables of ``value_vars``; ValueError unless each is a ``family``."""
    values_to_rvs = model.values_to_rvs
    rvs = [values_to_rvs[v] for v in value_vars]
    bad = [rv.name for rv in rvs if rv.owner.op.dist.__name__ != family]
    if bad:
        raise ValueError(f"{step} samples {family} variables only; {bad} are not {family}. "
                         "Use pg.Metropolis for them.")
    return rvs


class BinaryGibbsMetropolis(_ArrayStep):
    """Metropolised Gibbs for Bernoulli variables: propose flipping each entry in turn.

    Each entry (in random order, or ``order``) is proposed as ``1 - value`` and accepted with the
    Metropolis probability, i.e. Liu's (1996) Metropolised Gibbs sampler for binary variables.

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model():
    ...     z = pg.Bernoulli("z", 0.3, shape=3)
    ...     step = pg.BinaryGibbsMetropolis([z])  # doctest: +SKIP
    """

    name = "binary_gibbs_metropolis"

    def __init__(self, vars=None, order="random", model=None):
        super().__init__(vars, model)
        self.order = order

    def bind(self, model, value_vars, layout) -> None:
        _check_family(model, value_vars, "Bernoulli", "BinaryGibbsMetropolis")
        super().bind(model, value_vars, layout)

    def _order(self, rng):
        if isinstance(self.order, str) and self.order == "random":
            return self.idx[rng.permutation(self.idx.size)]
        return self.idx[np.asarray(self.order, dtype=np.int64)]

    def step(self, q, logp, logp_fn, rng, tuning):
        for i in self._order(rng):
            old = q[i]
            q[i] = 1.0 - old
            lp_prop = logp_fn(q)
            if _accept(rng, lp_prop - logp):
                logp = lp_prop
            else:
                q[i] = old
        return logp, {}


class CategoricalGibbsMetropolis(_ArrayStep):
    """Gibbs-type updates for Categorical variables, one entry at a time (in random order).

    ``proposal="uniform"`` (PyMC's default) proposes one of the other ``K - 1`` categories uniformly
    and accepts it with the Metropolis probability; ``proposal="proportional"`` evaluates the log
    density at every category and draws the entry from its full conditional (a Gibbs step).

    Examples
    --------
    >>> import probgraph as pg
    >>> with pg.Model():
    ...     k = pg.Categorical("k", [0.2, 0.5, 0.3])
    ...     step = pg.CategoricalGibbsMetropolis([k], proposal="proportional")  # doctest: +SKIP
    """

    name = "categorical_gibbs_metropolis"

    def __init__(self, vars=None, proposal: str = "uniform", order="random", model=None):
        super().__init__(vars, model)
        if proposal not in ("uniform", "proportional"):
            raise ValueError(f"proposal must be 'uniform' or 'proportional', not {proposal!r}")
        self.proposal = proposal
        self.order = order

    def bind(self, model, value_vars, layout) -> None:
        rvs = _check_family(model, value_vars, "Categorical", "CategoricalGibbsMetropolis")
        super().bind(model, value_vars, layout)
        ks = []
        for v, rv in zip(self.value_vars, rvs):
            size = layout.slices[v.name].stop - layout.slices[v.name].start
            ks.append(np.full(size, _n_categories(model, rv), dtype=np.int64))
        self.k = np.concatenate(ks)

    def _order(self, rng):
        if isinstance(self.order, str) and self.order == "random":
            return rng.permutation(self.idx.size)
        return np.asarray(self.order, dtype=np.int64)

    def step(self, q, logp, logp_fn, rng, tuning):
        for j in self._order(rng):
            i, k = self.idx[j], self.k[j]
            old = q[i]
            if self.proposal == "uniform":
                new = (old + rng.integers(1, k)) % k if k > 1 else old
                q[i] = new
                lp_prop = logp_fn(q)
                if _accept(rng, lp_prop - logp):
                    logp = lp_prop
                else:
                    q[i] = old
                continue
            lps = np.empty(k)
            for c in range(k):
                q[i] = c
                lps[c] = logp if c == old else logp_fn(q)
            w = np.exp(lps - np.max(lps))
            c = int(rng.choice(k, p=w / w.sum()))
            q[i], logp = c, lps[c]
        return logp, {}


def _n_categories(model, rv) -> int:
    """``K``, the length of the Categorical's probability vector (static, else at the initial
    point)."""
    p = rv.owner.inputs[1]
    k = p.type.shape[-1]
    if k is not None:
        return int(k)
    fn = model.compile_fn(p, mode="python")
    return int(np.shape(fn(model.initial_point()))[-1])
