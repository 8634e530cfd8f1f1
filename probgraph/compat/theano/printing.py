"""``theano.printing``: ``debugprint`` (also of a compiled function) and ``pprint`` over probgraph's
printer."""

from __future__ import annotations

import io

from probgraph.graph.printing import debugprint as _debugprint


def debugprint(obj, file=None, print_type: bool = False, **_ignored) -> str | None:
    """Print the graph of a variable, a list of variables or a compiled function, as Theano's
    ``debugprint``; ``file="str"`` returns the text instead of printing it.

    Examples
    --------
    >>> import probgraph.compat.theano.tensor as T
    >>> x = T.dvector("x")
    >>> text = debugprint(T.exp(x).sum(), file="str")
    """
    graph = getattr(obj, "graph", None)
    outputs = list(graph.outputs) if graph is not None else obj
    if file == "str":
        buf = io.StringIO()
        return _debugprint(outputs, file=buf, print_type=print_type)
    _debugprint(outputs, file=file, print_type=print_type)
    return None


def pprint(obj) -> str:
    """The graph of ``obj`` as text (the ``debugprint`` form)."""
    return debugprint(obj, file="str")


pp = pprint
