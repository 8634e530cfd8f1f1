"""Graph rewriting: local rules (functions or tuple patterns) and one bottom-up driver run to a
fixpoint.

A *rule* is a callable ``rule(node) -> list[Variable] | None`` returning replacements for
``node.outputs`` (or ``None`` when it does not apply). ``rule.tracks`` says which nodes it looks at
(op classes, op instances, elementwise scalar-op names; ``None`` for every node).
:func:`node_rewriter` makes a rule of a function, :class:`PatternRewriter` makes one of a tuple
pattern such as ``(log, (add, 1, "x"))``.

:func:`rewrite` rebuilds a graph bottom-up, applying the rules to every node (and to the nodes the
rules create) and merging structurally equal nodes and equal constants on the way (CSE). Graphs are
values: nothing is mutated, a new :class:`~probgraph.graph.fg.Graph` is returned.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from probgraph.graph.basic import Apply, Constant, Variable
from probgraph.graph.fg import Graph
from probgraph.graph.op import Op


class RewriteWarning(UserWarning):
    """A rule raised an error (it is skipped) or the rewrite budget ran out."""


# ----------------------------------------------------------------------------- constants

#: Op classes whose output elements all come from their first input (broadcasts, dimshuffles,
#: reshapes), so a uniform constant stays uniform through them. Filled in by the tensor rewriting
#: package.
VALUE_VIEWS: set[type] = set()


def register_value_view(*op_classes: type) -> None:
    """Declare ops that only move, copy or repeat the elements of their first input."""
    VALUE_VIEWS.update(op_classes)


_UNIFORM: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_NOT_UNIFORM = object()


def scalar_constant(v: Variable, max_depth: int = 8) -> Any | None:
    """The single value of every element of ``v`` if it is a uniform constant, else ``None``.

    Sees through the ops in :data:`VALUE_VIEWS` (``broadcast_to(1.0, shape)`` is the constant 1.0).

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> from probgraph.graph.rewrite import scalar_constant
    >>> scalar_constant(pt.constant([2.0, 2.0]))
    np.float64(2.0)
    """
    for _ in range(max_depth):
        if isinstance(v, Constant):
            return _uniform_value(v)
        if v.owner is None or type(v.owner.op) not in VALUE_VIEWS or not v.owner.inputs:
            return None
        v = v.owner.inputs[0]
    return None


def _uniform_value(c: Constant):
    try:
        cached = _UNIFORM.get(c)
    except TypeError:
        cached = None
    if cached is None:
        data = np.asarray(c.data)
        if data.dtype == object or data.size == 0:
            cached = _NOT_UNIFORM
        else:
            first = data.reshape(-1)[0]
            same = data.size == 1 or (data.reshape(-1)[-1] == first and bool(np.all(data == first)))
            cached = first if same else _NOT_UNIFORM
        try:
            _UNIFORM[c] = cached
        except TypeError:
            pass
    return None if cached is _NOT_UNIFORM else cached


# ----------------------------------------------------------------------------- rules

def node_rewriter(*tracks):
    """Decorate ``fn(node) -> list[Variable] | None`` as a rule looking at nodes of ``tracks``.

    ``tracks`` entries are op classes, op instances, elementwise functions/ops or scalar-op names
    (``"log"``); no entry means every node.

    Examples
    --------
    >>> from probgraph.tensor.math import Cast
    >>> @node_rewriter(Cast)
    ... def useless_cast(node):
    ...     x = node.inputs[0]
    ...     return [x] if x.type == node.outputs[0].type else None
    """
    def deco(fn):
        fn.tracks = tuple(tracks) if tracks else None
        return fn
    return deco


def op_name(op) -> str:
    """The name patterns use for ``op``: its scalar op's name for elementwise ops, else its class
    name."""
    scalar = getattr(op, "scalar_op", None)
    return scalar.name if scalar is not None else type(op).__name__


def _is_commutative(op) -> bool:
    scalar = getattr(op, "scalar_op", None)
    return bool(getattr(scalar if scalar is not None else op, "commutative", False))


class Named:
    """A pattern leaf binding the matched variable to ``name``, optionally matching ``pattern`` and
    satisfying ``constraint(variable) -> bool``."""

    def __init__(self, name: str, pattern: Any = None, constraint: Callable | None = None):
        self.name = name
        self.pattern = pattern
        self.constraint = constraint

    def __repr__(self):
        return f"named({self.name!r})"


def named(name: str, pattern: Any = None, constraint: Callable | None = None) -> Named:
    """Bind a sub-pattern (or any variable) to ``name``: ``named("e", (exp, "x"))``."""
    return Named(name, pattern, constraint)


def _head_matches(head, op) -> bool:
    if isinstance(head, str):
        return op_name(op) == head
    if isinstance(head, type):
        return isinstance(op, head)
    if isinstance(head, tuple):  # (OpClass, {prop: value})
        cls, props = head
        return isinstance(op,
                          cls) and all(getattr(op, k, _NOT_UNIFORM) == v for k, v in props.items())
    if isinstance(head, Op):
        return op == head
    inner = getattr(head, "op", None)
    return inner is not None and op == inner


def _track_key(head):
    """The dispatch key of a pattern head or track: ``("name", str)`` or ``("type", cls)``."""
    if isinstance(head, str):
        return ("name", head)
    if isinstance(head, type):
        return ("type", head)
    if isinstance(head, tuple):
        return ("type", head[0])
    op = head if isinstance(head, Op) else getattr(head, "op", None)
    if op is None:
        raise TypeError(f"cannot use {head!r} as a pattern head or a track")
    if getattr(op, "scalar_op", None) is not None:
        return ("name", op_name(op))
    return ("type", type(op))


def match(pattern, var: Variable, bindings: dict | None = None) -> Iterator[dict]:
    """Yield every binding dict under which ``var`` matches ``pattern`` (commutative ops in both
    orders).

    Pattern syntax: a string is a variable (the same name must bind the same variable); a number
    matches a uniform constant of that value (any dtype, any broadcast shape); ``named(...)`` binds
    a sub-pattern; a tuple ``(head, *args)`` matches a node whose op matches ``head`` (op instance,
    op class, ``(OpClass, {props})``, elementwise function or scalar-op name) and whose inputs match
    ``args``.
    """
    b = {} if bindings is None else bindings
    if isinstance(pattern, str):
        if pattern in b:
            if b[pattern] is var:
                yield b
            return
        yield {**b, pattern: var}
        return
    if isinstance(pattern, Named):
        if pattern.name in b and b[pattern.name] is not var:
            return
        if pattern.constraint is not None and not pattern.constraint(var):
            return
        inner = [b] if pattern.pattern is None else match(pattern.pattern, var, b)
        for nb in inner:
            yield {**nb, pattern.name: var}
        return
    if isinstance(pattern, (bool, int, float, np.number)):
        value = scalar_constant(var)
        if value is not None and value == pattern:
            yield b
        return
    if isinstance(pattern, tuple):
        head, args = pattern[0], pattern[1:]
        node = var.owner
        if node is None or len(node.inputs) != len(args) or not _head_matches(head, node.op):
            return
        orders = [node.inputs]
        if len(args) == 2 and node.inputs[0] is not node.inputs[1] and _is_commutative(node.op):
            orders.append(node.inputs[::-1])
        for inputs in orders:
            yield from _match_args(args, inputs, b)
        return
    raise TypeError(f"unsupported pattern element {pattern!r}")


def _match_args(args, inputs, b) -> Iterator[dict]:
    if not args:
        yield b
        return
    for nb in match(args[0], inputs[0], b):
        yield from _match_args(args[1:], inputs[1:], nb)


def build(pattern, bindings: dict):
    """Build the replacement described by an output pattern: strings are bound variables, tuple
    heads are callables (``pt.log1p``, an op instance) applied to the built arguments, numbers stay
    Python numbers."""
    if isinstance(pattern, str):
        return bindings[pattern]
    if isinstance(pattern, tuple):
        return pattern[0](*[build(a, bindings) for a in pattern[1:]])
    return pattern


class PatternRewriter:
    """A rule from a tuple pattern to a replacement (an output pattern or ``fn(**bindings)``).

    Parameters
    ----------
    in_pattern : tuple
        What to match (see :func:`match`).
    out_pattern : tuple, str or callable
        The replacement; a callable gets the bindings as keyword arguments and may return ``None``
        to decline.
    constraint : callable, optional
        ``constraint(bindings) -> bool`` checked after a match.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> rule = PatternRewriter((pt.log, (pt.add, 1, "x")), (pt.log1p, "x"), name="log1p")
    >>> x = pt.dvector("x")
    >>> print(rule(pt.log(1 + x).owner)[0].owner.op)
    log1p
    """

    def __init__(self, in_pattern: tuple, out_pattern, constraint: Callable | None = None,
                 name: str | None = None):
        if not isinstance(in_pattern, tuple):
            raise TypeError("a pattern rule must match a node: give a tuple (head, *args)")
        self.in_pattern = in_pattern
        self.out_pattern = out_pattern
        self.constraint = constraint
        self.tracks = (in_pattern[0],)
        self.__name__ = name or f"pattern {in_pattern!r}"

    def __call__(self, node: Apply) -> list[Variable] | None:
        if len(node.outputs) != 1:
            return None
        for b in match(self.in_pattern, node.outputs[0]):
            if self.constraint is not None and not self.constraint(b):
                continue
            if callable(self.out_pattern) and not isinstance(self.out_pattern, tuple):
                out = self.out_pattern(**b)
            else:
                out = build(self.out_pattern, b)
            if out is not None:
                return [out]
        return None

    def __repr__(self):
        return f"PatternRewriter({self.__name__})"


def rule_name(rule) -> str:
    return getattr(rule, "__name__", None) or repr(rule)


# ----------------------------------------------------------------------------- the driver

def _compatible(new: Variable, old: Variable) -> Variable | None:
    """Default type check: same dtype/ndim; a static size may only become known (and not as 1)."""
    if new.type == old.type:
        return new
    a_t, b_t = new.type, old.type
    if type(a_t) is not type(b_t) or not hasattr(a_t, "shape"):
        return None
    if a_t.dtype != b_t.dtype or len(a_t.shape) != len(b_t.shape):
        return None
    ok = all(a == b or (b is None and a not in (None, 1)) for a, b in zip(a_t.shape, b_t.shape))
    return new if ok else None


class _Rewriter:
    """One bottom-up pass: rebuild, merge and rewrite every node reachable from the outputs."""

    def __init__(self, rules, blockers, merge, fit, on_error, budget, counts):
        self.by_key: dict = {}
        self.any_rules: list = []
        for pos, rule in enumerate(rules):
            tracks = getattr(rule, "tracks", None)
            if tracks is None:
                self.any_rules.append((pos, rule))
            else:
                for t in tracks:
                    self.by_key.setdefault(_track_key(t), []).append((pos, rule))
        self.dispatch_cache: dict = {}
        self.final: dict[int, Variable] = {id(b): b for b in blockers}
        self.alias: dict[int, Variable] = {}
        self.alive: list = [*blockers]
        self.nodes: dict = {}
        self.consts: dict = {}
        self.merge = merge
        self.fit = fit or _compatible
        self.on_error = on_error
        self.budget = budget
        self.fired = 0
        self.counts = counts

    def rules_for(self, op) -> list:
        key = (type(op), op_name(op))
        found = self.dispatch_cache.get(key)
        if found is None:
            found = list(self.any_rules) + self.by_key.get(("name", op_name(op)), [])
            for cls in type(op).__mro__:
                found += self.by_key.get(("type", cls), [])
            found = [r for _, r in sorted(set(found), key=lambda pr: pr[0])]
            self.dispatch_cache[key] = found
        return found

    def leaf(self, v: Variable) -> Variable:
        if self.merge and isinstance(v, Constant):
            try:
                return self.consts.setdefault(v.signature(), v)
            except TypeError:
                return v
        return v

    def run(self, outputs: Sequence[Variable]) -> list[Variable]:
        final, alias = self.final, self.alias
        stack = list(reversed(outputs))
        while stack:
            v = stack[-1]
            k = id(v)
            if k in final:
                stack.pop()
                continue
            if k in alias:
                r = alias[k]
                if id(r) in final:
                    final[k] = final[id(r)]
                    stack.pop()
                else:
                    stack.append(r)
                continue
            node = v.owner
            if node is None:
                final[k] = self.leaf(v)
                stack.pop()
                continue
            missing = [i for i in node.inputs if id(i) not in final]
            if missing:
                stack.extend(reversed(missing))
                continue
            self.visit(node)
        return [final[id(o)] for o in outputs]

    def visit(self, node: Apply) -> None:
        final = self.final
        inputs = [final[id(i)] for i in node.inputs]
        new = node
        if any(a is not b for a, b in zip(inputs, node.inputs)):
            new = node.op.make_node(*inputs)
            self.alive.append(new)  # the maps are keyed by id(): keep every keyed object alive
        key = None
        if self.merge:
            try:
                key = (node.op, tuple(id(i) for i in inputs))
                hash(key)
            except TypeError:
                key = None
            same = self.nodes.get(key) if key is not None else None
            if same is not None:
                self._finish(node, new, same.outputs)
                return
        replacement = self.apply_rules(new, node)
        if replacement is None:
            if key is not None:
                self.nodes[key] = new
            self._finish(node, new, new.outputs)
            return
        kept = {id(o) for o in new.outputs}
        for outs in (node.outputs, new.outputs):
            for o, r in zip(outs, replacement):
                if id(r) in kept:  # an output the rule left alone: ``new`` stays in the graph for
                                   # it
                    self.final[id(o)] = self.final[id(r)] = r
                else:
                    self.alias[id(o)] = r

    def _finish(self, node, new, outputs):
        for outs in (node.outputs, new.outputs):
            for o, f in zip(outs, outputs):
                self.final[id(o)] = f
        for f in outputs:
            self.final[id(f)] = f

    def apply_rules(self, node: Apply, original: Apply) -> list[Variable] | None:
        if self.budget <= 0:
            return None
        for rule in self.rules_for(node.op):
            try:
                out = rule(node)
                if out is None:
                    continue
                out = self.check(node, original, out)
            except Exception as exc:  # a broken rule must not break compilation
                if self.on_error == "raise":
                    raise
                warnings.warn(f"rewrite rule {rule_name(rule)} failed on {node}: "
                              f"{type(exc).__name__}: {exc}", RewriteWarning, stacklevel=2)
                continue
            if out is None:
                continue
            self.fired += 1
            self.budget -= 1
            if self.budget == 0:
                warnings.warn("rewrite: the rule budget ran out (a rule may be cycling); the "
                              "remaining nodes are left as they are", RewriteWarning, stacklevel=2)
            if self.counts is not None:
                name = rule_name(rule)
                self.counts[name] = self.counts.get(name, 0) + 1
            return out
        return None

    def check(self, node, original, out) -> list[Variable] | None:
        out = list(out)
        if len(out) != len(node.outputs):
            raise ValueError(f"returned {len(out)} replacements for {len(node.outputs)} outputs")
        fitted = []
        for old, new in zip(node.outputs, out):
            if new is None or new is old:
                new = old
            elif new.type != old.type:
                new = self.fit(new, old)
                if new is None:
                    return None
            fitted.append(new)
        if all(a is b for a, b in zip(fitted, node.outputs)):
            return None
        if self._refers_to(fitted, (*node.outputs, *original.outputs)):
            return None  # a replacement built on the node itself would loop forever
        return fitted

    def _refers_to(self, variables, outputs) -> bool:
        targets = {id(o) for o in outputs}
        stack, seen = [v for v in variables if id(v) not in targets], set()
        while stack:
            v = stack.pop()
            if id(v) in targets:
                return True
            if id(v) in seen or id(v) in self.final or v.owner is None:
                continue
            seen.add(id(v))
            stack.extend(v.owner.inputs)
        return False


def rewrite_outputs(outputs: Sequence[Variable], rules: Sequence[Callable],
                    blockers: Sequence[Variable] = (),
                    max_passes: int = 10, merge: bool = True, fit: Callable | None = None,
                    on_error: str = "warn", counts: dict | None = None) -> list[Variable]:
    """:func:`rewrite` on a list of variables; ``blockers`` are kept as they are (treated as
    inputs)."""
    from probgraph.graph.basic import toposort
    outputs = list(outputs)
    budget = 50 * len(toposort(outputs, blockers)) + 1000
    for _ in range(max(1, max_passes)):
        worker = _Rewriter(rules, blockers, merge, fit, on_error, budget, counts)
        outputs = worker.run(outputs)
        budget = worker.budget
        if worker.fired == 0 or budget <= 0:
            break
    return outputs


def rewrite(graph: Graph, rules: Sequence[Callable], max_passes: int = 10, merge: bool = True,
            fit: Callable | None = None, on_error: str = "warn",
            counts: dict | None = None) -> Graph:
    """Rebuild ``graph`` bottom-up applying ``rules`` until no rule fires (at most ``max_passes``
    passes).

    Every node is rebuilt on its rewritten inputs; the first rule (in list order) that applies
    replaces it, and the replacement is rewritten in turn. With ``merge=True`` structurally equal
    nodes (same op, same inputs) and equal constants become one (common-subexpression elimination).
    Graph inputs are kept.

    Parameters
    ----------
    graph : Graph
    rules : list of rules (see :func:`node_rewriter`, :class:`PatternRewriter`)
    max_passes : int
        Upper bound on the number of bottom-up passes.
    merge : bool
        Merge equal nodes and constants.
    fit : callable, optional
        ``fit(new, old) -> Variable | None`` makes a replacement's type match the replaced
        variable's (casting/broadcasting) or refuses it. The default accepts equal types only (or a
        more precise static shape).
    on_error : "warn" or "raise"
        What to do when a rule raises.
    counts : dict, optional
        Filled with ``rule name -> number of times it fired``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> from probgraph.graph.fg import Graph
    >>> x = pt.dvector("x")
    >>> g = rewrite(Graph([x], [pt.log(1 + x)]),
    ...             [PatternRewriter((pt.log, (pt.add, 1, "x")), (pt.log1p, "x"))])
    >>> print(g.outputs[0].owner.op)
    log1p
    """
    outs = rewrite_outputs(graph.outputs, rules, graph.inputs, max_passes, merge, fit, on_error,
                           counts)
    return Graph(graph.inputs, outs)


def merge(graph: Graph) -> Graph:
    """Common-subexpression elimination: equal constants and nodes with the same op and inputs
    become one.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> from probgraph.graph.fg import Graph
    >>> x = pt.dvector("x")
    >>> len(merge(Graph([x], [pt.exp(x) + pt.exp(x)])).apply_nodes)
    2
    """
    return rewrite(graph, [], max_passes=1, merge=True)
