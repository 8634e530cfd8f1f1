"""Scan memory rewrite: a loop output read only as ``out[-1]`` keeps its last step, not every step.

A forward pass that wants only a loop's final state (``h_T = scan(...)[0][-1]``, a shared-variable
update, the accumulated gradient of a non-sequence in a backward scan) would otherwise store
``n_steps`` copies of that state. This pass runs once, after the rule phases, because it needs to
see every client of a loop's output, which node-local rules do not.
"""

from __future__ import annotations

from probgraph.graph.basic import clone_replace
from probgraph.graph.fg import Graph
from probgraph.tensor.scan import Scan
from probgraph.tensor.subtensor import Subtensor


def _reads_last_only(clients) -> bool:
    """True if every client (there may be none) indexes the leading axis with the constant ``-1``."""
    return all(
        node != "output" and isinstance(node.op, Subtensor) and i == 0
        and node.op.idx and isinstance(node.op.idx[0], int) and node.op.idx[0] == -1
        for node, i in clients)


def scan_save_last(graph: Graph) -> Graph:
    """``graph`` with every Scan output that is read only as ``out[-1]`` keeping one step."""
    replace = {}
    for node in graph.apply_nodes:
        if not isinstance(node.op, Scan):
            continue
        op = node.op
        flags = [last or _reads_last_only(graph.clients.get(id(out), []))
                 for last, out in zip(op.save_last, node.outputs)]
        if tuple(flags) == op.save_last:
            continue
        new = op.with_save_last(flags).make_node(*node.inputs)
        replace.update(zip(node.outputs, new.outputs))
    if not replace:
        return graph
    return Graph(graph.inputs, clone_replace(list(graph.outputs), replace))
