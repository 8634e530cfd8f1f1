"""Dispatch tables of the numba backend: op class → source emitter, and op class → inlined
scalar expression.

Ops never import the backend; the backend registers one emitter per op class here. Lookup follows
the class's MRO, so a subclass inherits its parent's emitter unless it registers its own.
"""

from __future__ import annotations

from collections.abc import Callable

#: op class -> ``emit(node, ctx) -> list[str]`` (source lines computing the node's outputs)
EMITTERS: dict[type, Callable] = {}
#: op class -> ``expr(node, arg_exprs) -> str`` for ops that can be fused into elementwise loops
SCALAR_EXPRS: dict[type, Callable] = {}


def _lookup(table: dict[type, Callable], op) -> Callable | None:
    for cls in type(op).__mro__:
        fn = table.get(cls)
        if fn is not None:
            return fn
    return None


def register_emitter(*op_classes: type):
    """Decorator: ``@register_emitter(Dot)`` makes the function the source emitter of ``Dot``
    nodes."""
    def deco(fn):
        for cls in op_classes:
            EMITTERS[cls] = fn
        return fn
    return deco


def register_scalar(*op_classes: type):
    """Decorator: mark an elementwise op class as fusable, giving its scalar expression over
    arguments."""
    def deco(fn):
        for cls in op_classes:
            SCALAR_EXPRS[cls] = fn
        return fn
    return deco


def emitter_for(op) -> Callable | None:
    return _lookup(EMITTERS, op)


def scalar_expr_for(op) -> Callable | None:
    return _lookup(SCALAR_EXPRS, op)
