"""Reverse-mode differentiation: grad, jacobian, hessian and the finite-difference check
verify_grad."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from probgraph.graph.basic import Variable, toposort
from probgraph.tensor.type import format_shape, is_float


class DisconnectedInputError(ValueError):
    """The cost does not depend on an input whose gradient was requested."""


def _descendants_on_path(cost_nodes, wrt, blockers) -> set[int]:
    """ids of variables that depend on any of ``wrt`` (not passing through ``blockers``)."""
    on = {id(w) for w in wrt}
    blocked = {id(b) for b in blockers}
    for node in cost_nodes:
        if any(id(i) in on and id(i) not in blocked for i in node.inputs):
            on.update(id(o) for o in node.outputs)
    return on


def grad(cost: Variable, wrt, consider_constant: Sequence[Variable] = (),
         disconnected_inputs: str = "raise", known_grads: dict | None = None,
         return_disconnected: str = "zero", rewrite: bool = True):
    """Symbolic gradient of a scalar ``cost`` with respect to ``wrt`` (a variable or a list).

    Parameters
    ----------
    cost : scalar Variable (may be None when ``known_grads`` seeds the backward pass)
    wrt : Variable or list of Variables
    consider_constant : variables through which no gradient flows
    disconnected_inputs : "raise" (default), "warn" or "ignore" for inputs the cost does not depend
    on known_grads : ``{variable: gradient}`` seeds added to the backward pass (used by scan)
    return_disconnected : "zero" (default) or "none" for the gradient of a disconnected input
    rewrite : bool
        Stabilise the cost first (``probgraph.rewriting.rewrite_pregrad``: ``log(1 + exp(x))``
        becomes ``softplus(x)``, ...), keeping ``wrt`` intact; ``False`` differentiates the graph as
        written.

    Examples
    --------
    >>> import probgraph as pg, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> g = pg.grad((x ** 2).sum(), x)
    >>> g.eval({x: [1.0, 2.0]})
    array([2., 4.])
    """
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    for w in wrt_list:
        if not isinstance(w, Variable):
            raise TypeError(f"grad: wrt must be symbolic variables, got {w!r}")
    seeds: dict[int, list] = {}
    roots = []
    if cost is not None:
        cost = as_tensor(cost)
        if cost.ndim != 0:
            raise TypeError(f"grad: the cost must be a scalar (0-d), but {cost} has shape "
                            f"{format_shape(cost.type.shape)}; reduce it first (e.g. .sum()) or "
                            "use pg.jacobian for a non-scalar expression")
        if not is_float(cost.dtype):
            raise TypeError(f"grad: the cost {cost} has integer dtype {cost.dtype}; it is not "
                            "differentiable")
        if rewrite:  # stabilising rewrites on the cost before differentiating
                     # (rewriting/__init__.py)
            from probgraph.rewriting import rewrite_pregrad
            cost = rewrite_pregrad(cost, wrt_list, [*consider_constant, *(known_grads or {})])
        seeds[id(cost)] = [tm.ones_like(cost)]
        roots.append(cost)
    for v, g in (known_grads or {}).items():
        seeds.setdefault(id(v), []).append(as_tensor(g))
        roots.append(v)
    nodes = toposort(roots, consider_constant)
    on_path = _descendants_on_path(nodes, wrt_list, consider_constant)
    contributions = seeds
    for node in reversed(nodes):
        if not any(id(o) in on_path for o in node.outputs):
            continue
        out_grads = [_total(contributions.get(id(o))) for o in node.outputs]
        if all(g is None for g in out_grads):
            continue
        needed = [id(i) in on_path and id(i) not in {id(c) for c in consider_constant}
                  for i in node.inputs]
        if not any(needed):
            continue
        in_grads = node.op.pullback(list(node.inputs), list(node.outputs), out_grads)
        if len(in_grads) != len(node.inputs):
            raise RuntimeError(f"{node.op}.pullback returned {len(in_grads)} gradients for "
                               f"{len(node.inputs)} inputs")
        for inp, g, need in zip(node.inputs, in_grads, needed):
            if g is None or not need or not is_float(inp.dtype):
                continue
            g = as_tensor(g)
            _check_grad_type(node, inp, g)
            contributions.setdefault(id(inp), []).append(g)
    results = []
    for w in wrt_list:
        g = _total(contributions.get(id(w)))
        if g is None and not is_float(w.dtype) and _feeds(w, nodes, roots):
            # an integer input the cost uses: zero gradient
            g = tm.zeros_like(w, dtype=_grad_dtype(w))
        if g is None:
            if disconnected_inputs == "raise":
                raise DisconnectedInputError(
                    f"grad: the cost does not depend on {w} (of type {w.type}); pass "
                    "disconnected_inputs='ignore' to get a zero gradient instead")
            if disconnected_inputs == "warn":
                import warnings
                warnings.warn(f"grad: the cost does not depend on {w}", stacklevel=2)
            g = None if return_disconnected == "none" else tm.zeros_like(w, dtype=_grad_dtype(w))
        elif g.dtype != _grad_dtype(w):
            g = tm.cast(g, _grad_dtype(w))
        results.append(g)
    return results[0] if single else results


def _feeds(w, nodes, roots) -> bool:
    """True if ``w`` is one of ``roots`` or an input of one of ``nodes``."""
    return any(w is r for r in roots) or any(w is i for node in nodes for i in node.inputs)


def _grad_dtype(w):
    return w.dtype if is_float(w.dtype) else "float64"


def _total(gs):
    if not gs:
        return None
    total = gs[0]
    for g in gs[1:]:
        total = total + g
    return total


def _check_grad_type(node, inp, g):
    if g.ndim != inp.ndim or any(a is not None and b is not None and a != b and b != 1
                                 for a, b in zip(inp.type.shape, g.type.shape)):
        raise RuntimeError(f"{node.op}.pullback gave a gradient of shape "
                           f"{format_shape(g.type.shape)} for input {inp} of shape "
                           f"{format_shape(inp.type.shape)}")


def jacobian(expression: Variable, wrt, disconnected_inputs: str = "raise"):
    """Jacobian of a vector (or scalar) ``expression`` with respect to ``wrt``.

    The result for each ``wrt`` has shape ``expression.shape + wrt.shape``. The expression's length
    must be known statically.
    """
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.join import stack
    expression = as_tensor(expression)
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    if expression.ndim == 0:
        out = grad(expression, wrt_list, disconnected_inputs=disconnected_inputs)
        return out[0] if single else out
    flat = expression.flatten() if expression.ndim > 1 else expression
    n = flat.type.shape[0]
    if n is None:
        raise ValueError(f"jacobian: the length of {expression} must be known statically; "
                         "give its input a static shape (pt.tensor(shape=...))")
    from probgraph.rewriting import rewrite_pregrad
    flat = rewrite_pregrad(flat, wrt_list)  # once for all rows, instead of once per row in grad
    rows = [grad(flat[i], wrt_list, disconnected_inputs="ignore", rewrite=False) for i in range(n)]
    out = []
    for j, w in enumerate(wrt_list):
        J = stack([r[j] for r in rows])
        if expression.ndim > 1:
            J = J.reshape((*expression.type.shape, *w.type.shape)) if None not in w.type.shape \
                else J
        out.append(J)
    return out[0] if single else out


def hessian(cost: Variable, wrt, disconnected_inputs: str = "raise"):
    """Hessian of a scalar ``cost`` with respect to vector ``wrt`` (or each of a list)."""
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    out = [jacobian(grad(cost, w, disconnected_inputs=disconnected_inputs), w,
                    disconnected_inputs="ignore") for w in wrt_list]
    return out[0] if single else out


class GradientCheckError(AssertionError):
    """Symbolic and finite-difference gradients disagree."""


def verify_grad(fn, points, n_tests: int = 1, rng=None, eps: float | None = None,
                abs_tol: float | None = None, rel_tol: float | None = None, mode: str = "python"):
    """Check ``grad`` of ``fn`` at ``points`` against central finite differences.

    ``fn`` takes symbolic tensors (one per point) and returns a tensor; the check projects it onto a
    random direction to get a scalar cost. Raises ``GradientCheckError`` with the worst element.

    Examples
    --------
    >>> import numpy as np, probgraph as pg, probgraph.tensor as pt
    >>> pg.verify_grad(lambda x: pt.exp(x) * 2, [np.array([0.1, 0.2])])
    """
    from probgraph.compile import function
    from probgraph.tensor.basic import constant, tensor
    rng = np.random.default_rng(42) if rng is None else rng
    points = [np.asarray(p, dtype="float64") if np.asarray(p).dtype.kind != "f" else np.asarray(p)
              for p in points]
    float32 = any(p.dtype == np.float32 for p in points)
    eps = eps or (1e-3 if float32 else 1e-6)
    abs_tol = abs_tol or (1e-2 if float32 else 1e-5)
    rel_tol = rel_tol or (1e-2 if float32 else 1e-5)
    inputs = [tensor(f"input{i}", dtype=p.dtype, shape=p.shape) for i, p in enumerate(points)]
    out = fn(*inputs)
    out_val = function(inputs, out, mode=mode)(*points)
    for _ in range(n_tests):
        proj = constant(rng.normal(size=np.shape(out_val)).astype(
            np.asarray(out_val).dtype if np.asarray(out_val).dtype.kind == "f" else "float64"))
        cost = (out * proj).sum()
        grads = grad(cost, inputs, disconnected_inputs="ignore")
        f = function(inputs, [cost, *grads], mode=mode)
        _, *analytic = f(*points)
        cost_f = function(inputs, cost, mode=mode)
        for k, p in enumerate(points):
            numeric = np.zeros(p.shape, dtype="float64")
            for idx in np.ndindex(p.shape):
                hi = [q.copy() for q in points]
                lo = [q.copy() for q in points]
                hi[k][idx] += eps
                lo[k][idx] -= eps
                numeric[idx] = (float(cost_f(*hi)) - float(cost_f(*lo))) / (2 * eps)
            a = np.asarray(analytic[k], dtype="float64")
            err = np.abs(a - numeric)
            tol = abs_tol + rel_tol * np.abs(numeric)
            if not np.all(err <= tol):
                worst = np.unravel_index(np.argmax(err - tol), err.shape) if err.ndim else ()
                raise GradientCheckError(
                    f"verify_grad: gradient of input {k} (shape {p.shape}) disagrees with finite "
                    f"differences at {worst}: symbolic {a[worst]!r}, numeric {numeric[worst]!r} "
                    f"(abs err {err[worst]:.3g}, eps={eps})")
