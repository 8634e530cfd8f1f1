"""Canonical forms (kept light): subtraction instead of adding a negation, and constants gathered in
chains.

Writing ``x + (-y)`` as ``x - y`` puts expressions in the form the stabilising patterns look for
(``1 - exp(x)``); gathering ``(x + 1) + 2`` into ``x + 3`` folds the constants of a chain into one.
"""

from __future__ import annotations

import numpy as np

from probgraph.graph.rewrite import PatternRewriter, named
from probgraph.rewriting.basic import is_constant
from probgraph.tensor import math as tm

_c1 = named("c1", constraint=is_constant)
_c2 = named("c2", constraint=is_constant)


def _signed(b) -> bool:
    """Negation wraps around for unsigned integers: only rewrite signed and float operands."""
    return all(np.dtype(v.dtype).kind in "fic" for v in b.values())


add_neg_to_sub = PatternRewriter((tm.add, "x", (tm.neg, "y")), (tm.sub, "x", "y"),
                                 constraint=_signed,
                                 name="add_neg_to_sub")
sub_neg_to_add = PatternRewriter((tm.sub, "x", (tm.neg, "y")), (tm.add, "x", "y"),
                                 constraint=_signed,
                                 name="sub_neg_to_add")
neg_sub = PatternRewriter((tm.neg, (tm.sub, "x", "y")), (tm.sub, "y", "x"), constraint=_signed,
                          name="neg_sub")
mul_minus_one = PatternRewriter((tm.mul, "x", -1), (tm.neg, "x"), name="mul_minus_one")


def _not_constant(b) -> bool:
    return not is_constant(b["x"])


gather_add_constants = PatternRewriter((tm.add, (tm.add, "x", _c1), _c2),
                                       (tm.add, "x", (tm.add, "c1", "c2")),
                                       constraint=_not_constant,
                                       name="gather_add_constants")
gather_mul_constants = PatternRewriter((tm.mul, (tm.mul, "x", _c1), _c2),
                                       (tm.mul, "x", (tm.mul, "c1", "c2")),
                                       constraint=_not_constant,
                                       name="gather_mul_constants")


CANONICALIZE = [add_neg_to_sub, sub_neg_to_add, neg_sub, mul_minus_one, gather_add_constants,
                gather_mul_constants]
