"""The reference backend: evaluate a graph node by node with each op's numpy ``perform``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from probgraph.graph.basic import Constant, Variable
from probgraph.graph.fg import Graph


class EvaluationError(RuntimeError):
    """An op failed while evaluating; the message names the node and its input shapes."""


def _run(graph: Graph, values: dict[int, object]) -> list:
    for node in graph.apply_nodes:
        args = [values[id(i)] if id(i) in values else _leaf_value(i) for i in node.inputs]
        try:
            outs = node.op.perform(node, args)
        except Exception as exc:  # name the node in the error, keep the original as the cause
            shapes = ", ".join(str(np.shape(a)) for a in args)
            names = ", ".join(repr(i) for i in node.inputs)
            raise EvaluationError(f"{node.op} failed on inputs ({names}) with shapes ({shapes}): "
                                  f"{exc}") from exc
        for var, val in zip(node.outputs, outs):
            values[id(var)] = val
    return [values[id(o)] if id(o) in values else _leaf_value(o) for o in graph.outputs]


def _leaf_value(v: Variable):
    if isinstance(v, Constant):
        return v.data
    container = getattr(v, "container", None)
    if container is not None:
        return container[0]
    raise EvaluationError(f"no value was given for the input {v!r} of type {v.type}")


def compile_graph(graph: Graph, eager: bool = True):
    """A callable ``f(*input_values) -> list of output values`` evaluating ``graph`` with numpy
    (``eager`` is accepted for the backends' common signature; there is nothing to compile)."""

    def thunk(*inputs):
        values = {id(v): val for v, val in zip(graph.inputs, inputs)}
        return _run(graph, values)

    thunk.graph = graph
    return thunk


def evaluate(outputs, givens: Mapping[Variable, object] | None = None) -> list:
    """Values of ``outputs`` given ``{variable: value}`` for the inputs (shared variables read their
    value)."""
    givens = dict(givens or {})
    inputs = list(givens)
    vals = []
    for v in inputs:
        val = givens[v]
        t = getattr(v, "type", None)
        vals.append(t.filter(val, name=repr(v)) if hasattr(t, "filter") else val)
    graph = Graph(inputs, list(outputs))
    return [np.asarray(o) if not isinstance(o, np.ndarray) else o
            for o in compile_graph(graph)(*vals)]
