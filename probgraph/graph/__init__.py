"""The op-agnostic graph core: variables, applies, ops, graphs, rewriting and printing."""

from probgraph.graph.basic import (Apply, Constant, Variable, ancestors, clone_replace,
                                   graph_inputs,
                                   toposort)
from probgraph.graph.fg import Graph
from probgraph.graph.op import NotDifferentiableError, Op

__all__ = ["Apply", "Constant", "Variable", "Graph", "Op", "NotDifferentiableError", "ancestors",
           "clone_replace", "graph_inputs", "toposort"]
