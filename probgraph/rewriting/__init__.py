"""The one fixed rewrite pipeline: fold/useless → canonicalize → stabilize → specialize → fuse."""

from __future__ import annotations

from probgraph.graph.fg import Graph


def rewrite_graph(graph: Graph, mode: str = "numba", fuse: bool | None = None) -> Graph:
    """Return the rewritten graph (the pipeline is filled in by the rewriting modules)."""
    return graph
