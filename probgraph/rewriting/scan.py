"""Scan rewrites that need every client of a loop's output (so they run once, after the rule phases,
which see one node at a time): per-step outputs nobody reads are dropped from the step, and an
output read only as ``out[-1]`` keeps its last step, not every step.

A forward pass that wants only a loop's final state (``h_T = scan(...)[0][-1]``, a shared-variable
update, the accumulated gradient of a non-sequence in a backward scan) would otherwise store
``n_steps`` copies of that state.
"""

from __future__ import annotations

from probgraph.graph.basic import clone_replace
from probgraph.graph.fg import Graph
from probgraph.tensor.scan import Scan
from probgraph.tensor.subtensor import Subtensor


def _reads_last_only(clients) -> bool:
    """True if every client (there may be none) indexes the leading axis with the constant
    ``-1``."""
    return all(
        node != "output" and isinstance(node.op, Subtensor) and i == 0
        and node.op.idx and isinstance(node.op.idx[0], int) and node.op.idx[0] == -1
        for node, i in clients)


def _one_at_a_time(graph: Graph, change) -> Graph:
    """Apply ``change(node, clients) -> {old output: new output} | None`` to one Scan node at a
    time, rebuilding the graph after each, so a changed loop that feeds another is never kept
    twice."""
    done: dict = {}  # id -> node: holding the node keeps its id from being reused by a new one
    while True:
        for node in graph.apply_nodes:
            if not isinstance(node.op, Scan) or id(node) in done:
                continue
            replace = change(node, graph.clients)
            if replace:
                graph = Graph(graph.inputs, clone_replace(list(graph.outputs), replace))
                break
            done[id(node)] = node
        else:
            return graph


def _save_last(node, clients):
    op = node.op
    flags = [last or _reads_last_only(clients.get(id(out), []))
             for last, out in zip(op.save_last, node.outputs)]
    if tuple(flags) == op.save_last:
        return None
    return dict(zip(node.outputs, op.with_save_last(flags).make_node(*node.inputs).outputs))


def _prune_outputs(node, clients):
    op = node.op
    C, Y = op.n_carry, op.n_ys
    unused = [k for k in range(Y) if not clients.get(id(node.outputs[C + k]))]
    if not unused:
        return None
    keep = [k for k in range(Y) if k not in unused]
    inner_outs = list(op.inner.outputs)
    outs = inner_outs[:C] + [inner_outs[C + k] for k in keep] + inner_outs[C + Y:]
    inner = Graph(op.inner.inputs, outs)
    flags = list(op.save_last[:C]) + [op.save_last[C + k] for k in keep]
    new_op = Scan(inner, op.n_seqs, C, len(keep), op.n_nonseq, op.as_while, op.name, tuple(flags))
    new = new_op.make_node(*node.inputs)
    old = list(node.outputs[:C]) + [node.outputs[C + k] for k in keep]
    return dict(zip(old, new.outputs))


def scan_prune_outputs(graph: Graph) -> Graph:
    """``graph`` without the per-step outputs of Scans that nothing reads (e.g. the gradient of a
    sequence that was not asked for), so their step no longer computes them."""
    return _one_at_a_time(graph, _prune_outputs)


def scan_save_last(graph: Graph) -> Graph:
    """``graph`` with every Scan output that is read only as ``out[-1]`` keeping one step."""
    return _one_at_a_time(graph, _save_last)
