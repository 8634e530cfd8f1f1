"""``theano.ifelse``: ``ifelse(condition, then, else)`` on a scalar condition."""

from __future__ import annotations

from probgraph.tensor.math import switch


def ifelse(condition, then_branch, else_branch, name=None):
    """The value of ``then_branch`` if the scalar ``condition`` is true, else ``else_branch``.

    Unlike Theano both branches are computed (it is ``switch``); lists of branches give lists.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> float(ifelse(pt.constant(True), pt.constant(1.0), pt.constant(2.0)).eval())
    1.0
    """
    if isinstance(then_branch, (list, tuple)):
        return [ifelse(condition, a, b) for a, b in zip(then_branch, else_branch)]
    out = switch(condition, then_branch, else_branch)
    if name is not None:
        out.name = name
    return out


__all__ = ["ifelse"]
