"""Numerically stabilising rules: log1p, log1mexp, softplus, logsumexp, log-sigmoid, expm1,
log_ndtr.

Each replaces an expression that overflows, underflows or cancels at extreme inputs with an equal
one that does not (``log(1 + exp(800))`` is ``inf``, ``softplus(800)`` is 800). The rules follow
PyTensor's ``tensor/rewriting/math.py`` and ``special.py`` stabilisations.
"""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Variable
from probgraph.graph.rewrite import PatternRewriter, node_rewriter
from probgraph.tensor import math as tm
from probgraph.tensor.reduce import Reduce, logsumexp
from probgraph.tensor.shape import DimShuffle
from probgraph.tensor.type import is_float

_SQRT2 = float(np.sqrt(2.0))
_LOG2 = float(np.log(2.0))


def _rule(in_pattern, out, name):
    return PatternRewriter(in_pattern, out, name=name)


# ----------------------------------------------------------------------------- log(sum(exp(x)))

def _strip(v: Variable) -> Variable:
    """Look through ops that do not change values (stop_gradient, identity, dimshuffle)."""
    while v.owner is not None and isinstance(v.owner.op,
                                             (tm.StopGradient, tm.Identity, DimShuffle)):
        v = v.owner.inputs[0]
    return v


def _is_max_of(m: Variable, a: Variable, depth: int = 3) -> bool:
    """True if ``m`` is (a guarded, gradient-stopped, reshaped) ``max(a)``."""
    m = _strip(m)
    if m.owner is None or depth == 0:
        return False
    op = m.owner.op
    if isinstance(op, Reduce):
        return op.kind == "max" and m.owner.inputs[0] is a
    if op == tm.switch.op:
        return any(_is_max_of(b, a, depth - 1) for b in m.owner.inputs[1:])
    return False


def _is_max_shifted(x: Variable) -> bool:
    """``x`` is ``a - max(a)``: the already-stable form (stops the rule from rewriting its own
    output)."""
    return (x.owner is not None and x.owner.op == tm.sub.op
            and _is_max_of(x.owner.inputs[1], x.owner.inputs[0]))


def _expand_only(op) -> bool:
    kept = [o for o in op.new_order if o != "x"]
    return not op.dropped and kept == list(range(op.input_ndim))


@node_rewriter(tm.log)
def log_sum_exp(node):
    """``log(sum(exp(x), axis))`` → ``logsumexp(x, axis)`` (also with ``keepdims=True``)."""
    s = node.inputs[0]
    expand = None
    if s.owner is not None and isinstance(s.owner.op, DimShuffle) and _expand_only(s.owner.op):
        expand, s = s.owner.op, s.owner.inputs[0]
    if s.owner is None or not isinstance(s.owner.op, Reduce) or s.owner.op.kind != "sum":
        return None
    e = s.owner.inputs[0]
    if e.owner is None or e.owner.op != tm.exp.op:
        return None
    x = e.owner.inputs[0]
    if _is_max_shifted(x):
        return None
    out = logsumexp(x, axis=s.owner.op.axis)
    if expand is not None:
        out = DimShuffle(expand.input_ndim, expand.new_order)(out)
    return [out]


# ----------------------------------------------------------------------------- pattern rules

def _exp_log(x):
    return tm.switch(tm.ge(x, 0), x, np.nan)


def _log_erfc(x):
    return tm.log_ndtr(-_SQRT2 * x) + _LOG2


LOG_RULES = [
    log_sum_exp,
    _rule((tm.log, (tm.true_divide, (tm.exp, "z"), "s")), (tm.sub, "z", (tm.log, "s")),
          "log_exp_div"),
    _rule((tm.log, (tm.sub, (tm.exp, "a"), (tm.exp, "b"))),
          (tm.add, "a", (tm.log1mexp, (tm.sub, "b", "a"))), "log_diff_exp"),
    _rule((tm.log, (tm.add, (tm.exp, "a"), (tm.exp, "b"))), (tm.logaddexp, "a", "b"),
          "log_add_exp"),
    _rule((tm.log, (tm.sub, 1, (tm.exp, "x"))), (tm.log1mexp, "x"), "log_1m_exp"),
    _rule((tm.log, (tm.neg, (tm.expm1, "x"))), (tm.log1mexp, "x"), "log_neg_expm1"),
    _rule((tm.log, (tm.sigmoid, "x")), (tm.neg, (tm.softplus, (tm.neg, "x"))), "log_sigmoid"),
    _rule((tm.log, (tm.sub, 1, (tm.sigmoid, "x"))), (tm.neg, (tm.softplus, "x")), "log_1m_sigmoid"),
    _rule((tm.log, (tm.add, 1, "x")), (tm.log1p, "x"), "log1p"),
    PatternRewriter((tm.log, (tm.sub, 1, "x")), (tm.log1p, (tm.neg, "x")), name="log_1m",
                    constraint=lambda b: is_float(b["x"].dtype)),  # -x wraps for unsigned ints
    _rule((tm.log, (tm.exp, "x")), "x", "log_exp"),
    _rule((tm.log, (tm.erfc, "x")), _log_erfc, "log_erfc"),
    _rule((tm.log, (tm.ndtr, "x")), (tm.log_ndtr, "x"), "log_ndtr"),
]

LOG1P_RULES = [
    _rule((tm.log1p, (tm.neg, (tm.exp, "x"))), (tm.log1mexp, "x"), "log1p_neg_exp"),
    _rule((tm.log1p, (tm.neg, (tm.sigmoid, "x"))), (tm.neg, (tm.softplus, "x")),
          "log1p_neg_sigmoid"),
    _rule((tm.log1p, (tm.exp, "x")), (tm.softplus, "x"), "log1p_exp"),
    _rule((tm.log1p, (tm.expm1, "x")), "x", "log1p_expm1"),
]

OTHER_RULES = [
    _rule((tm.exp, (tm.log, "x")), _exp_log, "exp_log"),
    _rule((tm.sub, (tm.exp, "x"), 1), (tm.expm1, "x"), "exp_minus_one"),
    _rule((tm.add, (tm.exp, "x"), -1), (tm.expm1, "x"), "exp_plus_minus_one"),
    _rule((tm.sub, 1, (tm.sigmoid, "x")), (tm.sigmoid, (tm.neg, "x")), "one_minus_sigmoid"),
]

STABILIZE = LOG_RULES + LOG1P_RULES + OTHER_RULES
