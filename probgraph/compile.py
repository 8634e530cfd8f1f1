"""``function()``: turn input and output variables (plus updates and givens) into one compiled
callable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from probgraph.config import config
from probgraph.graph.basic import Constant, Variable, clone_replace, graph_inputs
from probgraph.graph.fg import Graph
from probgraph.tensor.variable import SharedVariable


class Function:
    """A compiled function: call it with the input values, in the order given to ``function``.

    ``f.trust_input = True`` skips the input checks (for hot loops); ``f.graph`` is the rewritten
    graph and ``f.dprint()`` prints it.
    """

    def __init__(self, inputs, outputs_spec, graph, thunk, shared, update_targets, name=None):
        self.inputs = list(inputs)
        self._single = outputs_spec
        self.graph = graph
        self.thunk = thunk
        self.shared = list(shared)
        self.update_targets = list(update_targets)
        self.name = name
        self.trust_input = False
        self._n_out = len(graph.outputs) - len(update_targets)
        self._fast = self._fast_path()

    def _fast_path(self):
        """The call without checks (``trust_input``): a closure over everything fixed at compile
        time."""
        thunk, n_out, single = self.thunk, self._n_out, self._single
        if not self.shared and not self.update_targets:
            if single:
                return lambda *args: thunk(*args)[0]
            return thunk
        containers = [s.container for s in self.shared]
        targets = [t.container for t in self.update_targets]

        def fast(*args):
            values = thunk(*args, *[c[0] for c in containers])
            for c, val in zip(targets, values[n_out:]):
                c[0] = val
            return values[0] if single else values[:n_out]
        return fast

    def __call__(self, *args, **kwargs):
        if self.trust_input and not kwargs:
            return self._fast(*args)
        if kwargs:
            args = self._merge_kwargs(args, kwargs)
        if not self.trust_input:
            if len(args) != len(self.inputs):
                raise TypeError(f"{self._label()} takes {len(self.inputs)} inputs "
                                f"({', '.join(repr(i) for i in self.inputs)}), got {len(args)}")
            args = [inp.type.filter(a, name=f"input {inp.name or i!r}")
                    for i, (inp, a) in enumerate(zip(self.inputs, args))]
        values = self.thunk(*args, *[s.container[0] for s in self.shared])
        outs, new = values[:self._n_out], values[self._n_out:]
        for target, val in zip(self.update_targets, new):
            target.container[0] = val
        if self._single:
            return outs[0]
        return list(outs)

    def _merge_kwargs(self, args, kwargs):
        args = list(args)
        for inp in self.inputs[len(args):]:
            if inp.name not in kwargs:
                raise TypeError(f"{self._label()}: missing input {inp.name!r}")
            args.append(kwargs.pop(inp.name))
        if kwargs:
            raise TypeError(f"{self._label()}: unexpected inputs {sorted(kwargs)}")
        return args

    def _label(self):
        return f"function {self.name!r}" if self.name else "the compiled function"

    def dprint(self, file=None):
        from probgraph.graph.printing import debugprint
        return debugprint(list(self.graph.outputs), file=file)


def _pairs(x) -> list[tuple]:
    if x is None:
        return []
    if isinstance(x, Mapping):
        return list(x.items())
    return [tuple(p) for p in x]


def function(inputs: Sequence[Variable], outputs=None, updates=None, givens=None,
             mode: str | None = None,
             name: str | None = None, rewrite: bool = True,
             on_unused_input: str = "ignore", eager: bool = True) -> Function:
    """Compile ``outputs`` as a function of ``inputs`` (Theano's contract).

    Parameters
    ----------
    inputs : list of variables (not shared variables, not constants)
    outputs : a variable or a list of variables (the result mirrors it)
    updates : ``[(shared_var, new_expression), ...]`` or a dict, applied after outputs are computed
    givens : ``{variable: replacement}`` substituted before compiling
    mode : ``"numba"`` (default, ``config.mode``) or ``"python"`` (the reference evaluator)
    eager : bool
        Compile the machine code now (default) rather than at the first call (numba mode).

    Examples
    --------
    >>> import probgraph as pg, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> f = pg.function([x], (x ** 2).sum(), mode="python")
    >>> float(f([1.0, 2.0]))
    5.0
    """
    from probgraph.tensor.basic import as_tensor
    inputs = list(inputs)
    for i in inputs:
        if isinstance(i, SharedVariable):
            raise TypeError(f"function: the shared variable {i} cannot be an input; its value is "
                            "read automatically (use givens= to substitute it)")
        if isinstance(i, Constant) or not isinstance(i, Variable) or i.owner is not None:
            raise TypeError(f"function: inputs must be symbolic input variables, got {i!r}")
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    outs = [] if outputs is None else [as_tensor(o) for o in ([outputs] if single else outputs)]
    upd = _pairs(updates)
    targets, upd_exprs = [], []
    for target, expr in upd:
        if not isinstance(target, SharedVariable):
            raise TypeError(f"updates: {target!r} is not a shared variable")
        expr = as_tensor(expr)
        if expr.dtype != target.dtype:
            expr = expr.astype(target.dtype)
        if expr.ndim != target.ndim:
            raise ValueError(f"updates: the new value of {target.name or target} has {expr.ndim} "
                             f"dimensions, the shared variable has {target.ndim}")
        targets.append(target)
        upd_exprs.append(expr)
    all_outs = outs + upd_exprs
    givens_pairs = _pairs(givens)
    if givens_pairs:
        all_outs = clone_replace(all_outs, {k: as_tensor(v) for k, v in givens_pairs})
    free = graph_inputs(all_outs, inputs)
    in_ids = {id(i) for i in inputs}
    shared = [v for v in free if isinstance(v, SharedVariable)]
    missing = [v for v in free if id(v) not in in_ids
               and not isinstance(v, (Constant, SharedVariable))]
    if missing:
        raise ValueError(f"function: the outputs depend on {', '.join(map(repr, missing))}, which "
                         "is not among the inputs; add it to inputs or substitute it with givens=")
    graph = Graph(inputs + shared, all_outs)
    mode = mode or config.mode
    if rewrite:
        from probgraph.rewriting import rewrite_graph
        graph = rewrite_graph(graph, mode=mode)
    thunk = _backend(mode).compile_graph(graph, eager=eager)
    return Function(inputs, single, graph, thunk, shared, targets, name)


def _backend(mode: str):
    if mode == "python":
        from probgraph.backends import python
        return python
    if mode == "numba":
        from probgraph.backends import numba as nb
        return nb
    raise ValueError(f"unknown mode {mode!r}; use 'numba' or 'python'")
