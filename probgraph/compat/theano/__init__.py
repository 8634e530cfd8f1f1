"""Theano's namespace over probgraph: ``import probgraph.compat.theano as theano``.

``theano.function``, ``theano.shared``, ``theano.config``, ``theano.scan``, ``theano.grad``,
``theano.printing`` and ``theano.tensor`` (``T``) behave as in Theano. ``install()`` (or running a
script with ``python -m probgraph.compat.theano script.py``) makes ``import theano`` itself give
this namespace.
"""

from __future__ import annotations

import importlib
import sys

from probgraph.compat.theano import gradient, ifelse, printing, tensor
from probgraph.compat.theano.compile import TheanoFunction, config, function, shared
from probgraph.tensor.grad import grad

__version__ = "1.0.5+probgraph"

# ``import theano.X`` -> the module registered here (``probgraph.compat.theano.X`` unless said
# otherwise)
MODULES = {
    "theano": "probgraph.compat.theano",
    "theano.tensor": "probgraph.compat.theano.tensor",
    "theano.tensor.nnet": "probgraph.compat.theano.tensor.nnet",
    "theano.printing": "probgraph.compat.theano.printing",
    "theano.gradient": "probgraph.compat.theano.gradient",
    "theano.ifelse": "probgraph.compat.theano.ifelse",
    "theano.compile": "probgraph.compat.theano.compile",
    "theano.scan_module": "probgraph.tensor.scan",
}


def install() -> None:
    """Make ``import theano`` (and ``theano.tensor``, ``theano.tensor.nnet``, ...) import
    probgraph's compatibility modules in this process.

    Examples
    --------
    >>> import probgraph.compat.theano
    >>> probgraph.compat.theano.install()
    >>> import theano.tensor as T  # doctest: +SKIP
    """
    for alias, target in MODULES.items():
        sys.modules[alias] = importlib.import_module(target)


def __getattr__(name):
    # scan lives in probgraph.tensor.scan, imported on first use
    if name in ("scan", "scan_module"):
        module = importlib.import_module("probgraph.tensor.scan")
        return module if name == "scan_module" else module.scan
    raise AttributeError(f"module 'theano' (probgraph.compat.theano) has no attribute {name!r}")


__all__ = ["TheanoFunction", "config", "function", "gradient", "grad", "ifelse", "install",
           "printing",
           "scan", "shared", "tensor"]
