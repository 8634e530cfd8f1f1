"""The numba backend: the whole graph becomes one generated, jitted and disk-cached function.

``compile_graph(graph)`` returns ``thunk(*input_values) -> list of outputs`` with ``thunk.kernel``
(the jitted function ``kernel(*inputs, *thunk.consts) -> tuple``; 0-d inputs and outputs are scalars
inside it) for callers that want to call it from their own jitted code.
"""

from __future__ import annotations

import numba
import numpy as np

from probgraph.backends.numba.cache import load_kernel
from probgraph.backends.numba.codegen import generate_source
from probgraph.backends.numba import advanced  # noqa: F401 - indexing, batched matmul, unique
from probgraph.graph.fg import Graph

__all__ = ["compile_graph", "generate_source"]


def _numba_type(var):
    dtype = numba.from_dtype(np.dtype(var.type.dtype))
    return dtype if var.type.ndim == 0 else numba.types.Array(dtype, var.type.ndim, "C")


def compile_graph(graph: Graph, eager: bool = True):
    """Compile ``graph`` to a callable ``thunk(*input_values) -> list of output values``.

    Parameters
    ----------
    graph : Graph
        Inputs (user inputs, then shared variables) and outputs; other leaves must be constants.
    eager : bool
        Compile now for C-contiguous inputs (other layouts compile on first use).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> from probgraph.graph.fg import Graph
    >>> x = pt.dvector("x")
    >>> f = compile_graph(Graph([x], [(pt.exp(x) * 2).sum()]))
    >>> float(f(np.zeros(3))[0])
    6.0
    >>> float(f.kernel(np.zeros(3), *f.consts)[0])
    6.0
    """
    source, const_vars = generate_source(graph)
    key, kernel = load_kernel(source)
    # private writable copies of read-only constants: the kernel is then typed the same whether
    # called here or from a model's packed-data adapter (whose views are writable), so it compiles
    # once, not once per caller
    consts = tuple(c.data if c.data.flags.writeable else np.array(c.data) for c in const_vars)
    if eager:
        sig = tuple(_numba_type(v) for v in graph.inputs) + tuple(numba.typeof(c) for c in consts)
        try:
            kernel.compile(sig)
        except Exception as exc:  # name the graph's source file so the failing line can be read
            raise type(exc)(f"{exc}\n(generated source: "
                            f"{kernel.py_func.__code__.co_filename})") from exc
    thunk = _wrapper(graph, kernel, consts)
    thunk.kernel = kernel
    thunk.consts = consts
    thunk.graph = graph
    thunk.source = source
    thunk.key = key
    return thunk


def _wrapper(graph: Graph, kernel, consts):
    """A Python function converting 0-d inputs to scalars and scalar outputs to numpy scalars."""
    ns = {"kernel": kernel, "np": np}
    params = [f"a{i}" for i in range(len(graph.inputs))]
    args = [f"{p}[()]" if v.type.ndim == 0 else p for p, v in zip(params, graph.inputs)]
    for i, c in enumerate(consts):
        ns[f"c{i}"] = c
        args.append(f"c{i}")
    outs = []
    for i, o in enumerate(graph.outputs):
        if o.type.ndim == 0:
            ns[f"t{i}"] = np.dtype(o.type.dtype).type
            outs.append(f"t{i}(r[{i}])")
        else:
            outs.append(f"r[{i}]")
    src = (f"def thunk({', '.join(params)}):\n"
           f"    r = kernel({', '.join(args)})\n"
           f"    return [{', '.join(outs)}]\n")
    exec(compile(src, "<probgraph numba wrapper>", "exec"), ns)
    return ns["thunk"]
