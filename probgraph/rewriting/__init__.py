"""The one fixed rewrite pipeline: fold/useless → canonicalize → stabilize → specialize
(fusion is the backend's).

Each phase is a plain list of rules (see :mod:`probgraph.graph.rewrite`) run to a fixpoint together
with constant folding, the useless-op rules and merging; the order of the phases and of the rules in
each list is the only ordering there is.
"""

from __future__ import annotations

from collections.abc import Sequence

from probgraph.graph.basic import Variable, graph_inputs
from probgraph.graph.fg import Graph
from probgraph.graph.rewrite import rewrite, rewrite_outputs
from probgraph.rewriting.basic import AFTER_GRAD, FOLD, USELESS, fit_type
from probgraph.rewriting.canonicalize import CANONICALIZE
from probgraph.rewriting.scan import scan_prune_outputs, scan_save_last
from probgraph.rewriting.specialize import SPECIALIZE
from probgraph.rewriting.stabilize import STABILIZE

__all__ = [
    "AFTER_GRAD",
    "CANONICALIZE",
    "FOLD",
    "PHASES",
    "SPECIALIZE",
    "STABILIZE",
    "USELESS",
    "rewrite_graph",
    "rewrite_pregrad",
    "scan_save_last",
]

BASE = FOLD + USELESS
#: (name, rules) in the order the pipeline runs them; every phase also folds, removes useless
#: ops and merges
PHASES = [
    ("useless", BASE + AFTER_GRAD),
    ("canonicalize", BASE + AFTER_GRAD + CANONICALIZE),
    ("stabilize", BASE + AFTER_GRAD + STABILIZE),
    ("specialize", BASE + AFTER_GRAD + SPECIALIZE),
]


def rewrite_graph(graph: Graph, mode: str = "numba", fuse: bool | None = None,
                  include_stabilize: bool = True, counts: dict | None = None) -> Graph:
    """Run the fixed pipeline on a graph about to be compiled (after differentiation).

    Parameters
    ----------
    graph : Graph
    mode : str
        The backend the graph is for (the pipeline is the same for all of them today).
    fuse : bool, optional
        Accepted for compatibility; elementwise fusion happens in the numba backend's code
        generation.
    include_stabilize : bool
        Run the stabilising phase (``log(1 + x)`` → ``log1p(x)``, ...).
    counts : dict, optional
        Filled with ``rule name -> number of times it fired``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> g = rewrite_graph(Graph([x], [pt.log(1 + pt.exp(x))]))
    >>> print(g.outputs[0].owner.op)
    softplus
    """
    for name, rules in PHASES:
        if name == "stabilize" and not include_stabilize:
            continue
        graph = rewrite(graph, rules, fit=fit_type, counts=counts)
    return scan_save_last(scan_prune_outputs(graph))


PREGRAD = BASE + CANONICALIZE + STABILIZE


def rewrite_pregrad(cost: Variable, wrt: Sequence[Variable],
                    blockers: Sequence[Variable] = ()) -> Variable:
    """Stabilise ``cost`` before it is differentiated, keeping ``wrt`` (and ``blockers``) untouched.

    Runs folding, useless-op removal, canonicalisation and stabilisation (not
    ``Identity``/``StopGradient`` removal or ``x - x`` → 0, which matter to ``grad``). If the
    rewritten cost no longer depends on one of ``wrt`` that the original depended on, the original
    cost is returned, so ``grad`` reports the same connectivity.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> x = pt.dscalar("x")
    >>> print(rewrite_pregrad(pt.log(1 + pt.exp(x)), [x]).owner.op)
    softplus
    """
    wrt = list(wrt)
    keep = [*wrt, *blockers]
    (new,) = rewrite_outputs([cost], PREGRAD, keep, fit=fit_type)
    if new is cost:
        return cost
    before = {id(v) for v in graph_inputs([cost], wrt)}
    after = {id(v) for v in graph_inputs([new], wrt)}
    if any(id(w) in before and id(w) not in after for w in wrt):
        return cost
    return new
