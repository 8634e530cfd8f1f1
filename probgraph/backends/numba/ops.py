"""Emitters for the array ops beyond elementwise/shape: products, linear algebra, indexing, joins,
scans of values.

BLAS/LAPACK calls go through numba's ``np.dot``/``np.linalg``; what numba lacks (triangular solves,
scatter-add, cumulative ops along an axis) comes from ``kernels.py``.
"""

from __future__ import annotations

from probgraph.backends.numba.emitters import _tuple, transposed
from probgraph.backends.numba.loops import np_dtype
from probgraph.backends.numba.registry import register_emitter
from probgraph.tensor import builders, extra_ops, join, linalg, subtensor
from probgraph.tensor.dot import Dot, MatMul
from probgraph.tensor.subtensor import ARRAY, FULL, MASK, SCALAR

_FRESH_OPS = ("Elemwise", "Reduce", "BroadcastTo", "Cast", "Identity", "IncSubtensor",
              "AdvancedIncSubtensor", "Dot", "Join")


def _as(var, dtype, ctx) -> str:
    """``var``'s value as ``dtype`` (arrays converted with ``astype`` only when needed)."""
    name = ctx.ref(var)
    if var.dtype == dtype:
        return name
    return f"np.{dtype}({name})" if var.ndim == 0 else f"{name}.astype({np_dtype(dtype)})"


def _copy_unless_fresh(var, ctx) -> str:
    """A writable array with ``var``'s value: ``var`` itself if this graph just made it for this
    use."""
    name = ctx.ref(var)
    owner = var.owner
    clients = ctx.graph.clients.get(id(var), [])
    if (owner is not None and type(owner.op).__name__ in _FRESH_OPS and len(clients) == 1
            and clients[0][0] != "output"):
        return name
    return f"{name}.copy()"


# ----------------------------------------------------------------- products
@register_emitter(Dot)
def _dot(node, ctx):
    (a, b), out = node.inputs, node.outputs[0]
    dt = out.dtype if out.dtype.startswith(("float", "complex")) else "float64"
    expr = f"kr.dot({_as(a, dt, ctx)}, {_as(b, dt, ctx)})"
    if dt != out.dtype:
        expr = (f"np.{out.dtype}({expr})" if out.ndim == 0
                else f"{expr}.astype({np_dtype(out.dtype)})")
    return [f"{ctx.ref(out)} = {expr}"]


@register_emitter(MatMul)
def _matmul(node, ctx):
    out = node.outputs[0]
    if out.ndim != 2:
        raise NotImplementedError(f"numba backend: batched {node.op} ({out.ndim}-d) has no "
                                  "emitter yet; use mode='python'")
    return _dot(node, ctx)


# ----------------------------------------------------------------- linear algebra
@register_emitter(linalg.Triangle)
def _triangle(node, ctx):
    f = "np.tril" if node.op.lower else "np.triu"
    return [f"{ctx.ref(node.outputs[0])} = {f}({ctx.ref(node.inputs[0])}, {node.op.k})"]


@register_emitter(linalg.Cholesky)
def _cholesky(node, ctx):
    o = ctx.ref(node.outputs[0])
    L = f"kr.cholesky(np.ascontiguousarray({_as(node.inputs[0], node.outputs[0].dtype, ctx)}))"
    return [f"{o} = {L}" if node.op.lower else f"{o} = np.ascontiguousarray({L}.T)"]


def _rhs2(b, ctx) -> str:
    name = ctx.ref(b)
    return f"{name}.reshape(({name}.shape[0], 1))" if b.ndim == 1 else name


@register_emitter(linalg.SolveTriangular)
def _solve_triangular(node, ctx):
    (a, b), out, op = node.inputs, node.outputs[0], node.op
    x = ctx.tmp("x")
    lines = [(f"{x} = kr.solve_triangular({ctx.ref(a)}, np.ascontiguousarray({_rhs2(b, ctx)}), "
              f"{op.lower}, {bool(op.trans)}, {op.unit_diagonal})")]
    return lines + [f"{ctx.ref(out)} = {x}[:, 0].copy()" if b.ndim == 1
                    else f"{ctx.ref(out)} = {x}"]


@register_emitter(linalg.Solve)
def _solve(node, ctx):
    (a, b), out = node.inputs, node.outputs[0]
    dt = out.dtype
    return [(f"{ctx.ref(out)} = kr.solve(np.ascontiguousarray({_as(a, dt, ctx)}), "
             f"np.ascontiguousarray({_as(b, dt, ctx)}))")]


@register_emitter(linalg.MatrixInverse)
def _inv(node, ctx):
    return [f"{ctx.ref(node.outputs[0])} = kr.inv(np.ascontiguousarray({ctx.ref(node.inputs[0])}))"]


@register_emitter(linalg.Det)
def _det(node, ctx):
    return [f"{ctx.ref(node.outputs[0])} = kr.det(np.ascontiguousarray({ctx.ref(node.inputs[0])}))"]


@register_emitter(linalg.SlogDet)
def _slogdet(node, ctx):
    s, ld = (ctx.ref(o) for o in node.outputs)
    return [f"{s}, {ld} = kr.slogdet(np.ascontiguousarray({ctx.ref(node.inputs[0])}))"]


@register_emitter(linalg.Eigh)
def _eigh(node, ctx):
    w, v = (ctx.ref(o) for o in node.outputs)
    a = f"kr.symmetrize({ctx.ref(node.inputs[0])}, {node.op.lower})"
    return [f"{w}, {v} = kr.eigh({a})"]


# ----------------------------------------------------------------- indexing
def _basic_index(idx, scalars, ctx) -> str:
    it = iter(scalars)
    parts = []
    for e in idx:
        if isinstance(e, tuple):
            parts.append(":".join("" if p is None
                                  else (ctx.ref(next(it)) if p == SCALAR else str(p))
                                  for p in e))
        elif e == SCALAR:
            parts.append(ctx.ref(next(it)))
        else:
            parts.append(str(e))
    return ", ".join(parts) + ("," if len(parts) == 1 else "")


def _label(var) -> str:
    return var.name or str(var)


def _index_check(x, xs, axis, i, ctx) -> list[str]:
    """Lines raising ``IndexError`` unless the integer index ``i`` (an expression) is in range for
    ``axis`` of ``x`` (named ``xs``); negative indices count from the end, as in numpy."""
    n = x.type.shape[axis]
    if i.lstrip("-").isdigit() and n is not None:
        return []  # a constant index into a static size: checked by make_node
    size = f"{xs}.shape[{axis}]"
    cond = f"{i} >= {size}" if i.isdigit() else f"not -{size} <= {i} < {size}"
    return [f"if {cond}:",
            f"    raise kr.IndexOutOfBounds({_label(x)!r}, {axis}, {i}, {size})"]


def _basic_checks(node, x, xs, scalars, ctx) -> list[str]:
    """Bounds checks of the integer entries of a basic index (numba does not check them)."""
    it = iter(scalars)
    lines = []
    for axis, e in enumerate(node.op.idx):
        if isinstance(e, tuple):
            for p in e:
                if p == SCALAR:
                    next(it)
        else:
            i = ctx.ref(next(it)) if e == SCALAR else str(e)
            lines += _index_check(x, xs, axis, i, ctx)
    return lines


@register_emitter(subtensor.Subtensor)
def _subtensor(node, ctx):
    x, *scalars = node.inputs
    xs = ctx.ref(x)
    return (_basic_checks(node, x, xs, scalars, ctx)
            + [f"{ctx.ref(node.outputs[0])} = {xs}[{_basic_index(node.op.idx, scalars, ctx)}]"])


def _broadcast_checks(y, ys, region, region_ndim, what) -> list[str]:
    """Lines raising ``ShapeError`` unless each dimension of ``y`` of unknown static size is 1 or
    the length of the matching (right-aligned) dimension of ``region`` (an array expression)."""
    lines = []
    for j, s in enumerate(y.type.shape):
        if s is not None:
            continue
        a = region_ndim - y.ndim + j
        n, m = f"{ys}.shape[{j}]", f"{region}.shape[{a}]"
        lines += [f"if {n} != 1 and {n} != {m}:",
                  f"    raise kr.ShapeError({what!r}, {a}, {n}, {m})"]
    return lines


@register_emitter(subtensor.IncSubtensor)
def _inc_subtensor(node, ctx):
    x, y, *scalars = node.inputs
    o, xs, ys = ctx.ref(node.outputs[0]), ctx.ref(x), ctx.ref(y)
    where = _basic_index(node.op.idx, scalars, ctx)
    sign = "=" if node.op.set_instead_of_inc else "+="
    lines = _basic_checks(node, x, xs, scalars, ctx) + [f"{o} = {_copy_unless_fresh(x, ctx)}"]
    region_ndim = node.outputs[0].ndim - sum(not isinstance(e, tuple) for e in node.op.idx)
    if region_ndim == 0 or y.ndim == 0:
        return lines + [f"{o}[{where}] {sign} {ys}"]
    # an array region is updated through its view: numba's ``a[slice] = array`` types ~40 helper
    # functions (shape-error formatting) in every process, ``view += y`` and a cached helper do not
    r = ctx.tmp("reg")
    lines.append(f"{r} = {o}[{where}]")
    if None in y.type.shape:
        what = f"{'set' if node.op.set_instead_of_inc else 'inc'}_subtensor: y ({_label(y)})"
        lines += _broadcast_checks(y, ys, r, region_ndim, what)
    return lines + [f"kr.assign({r}, {ys})" if node.op.set_instead_of_inc else f"{r} += {ys}"]


def _single_array_axis(op, node):
    """The axis of the one index array in ``op.idx`` if every other entry is a full slice, else
    None."""
    arrays = [k for k, e in enumerate(op.idx) if e == ARRAY]
    if len(arrays) != 1 or any(e != FULL for k, e in enumerate(op.idx) if k != arrays[0]):
        return None
    return arrays[0]


def _unsupported(node):
    return NotImplementedError(f"numba backend: {node.op} is only emitted for one index array with "
                               "full slices elsewhere, or one 1-d mask on a 1-d tensor; use "
                               "mode='python' for this index")


def _mask_message(x) -> str:
    return (f"boolean index did not match axis 0 of {_label(x)}: the mask and the indexed array "
            "must have the same length")


def _three(xs, x, k) -> str:
    pre = "*".join([f"{xs}.shape[{i}]" for i in range(k)]) or "1"
    post = "*".join([f"{xs}.shape[{i}]" for i in range(k + 1, x.ndim)]) or "1"
    return f"np.ascontiguousarray({xs}).reshape(({pre}, {xs}.shape[{k}], {post}))"


@register_emitter(subtensor.AdvancedSubtensor)
def _advanced_subtensor(node, ctx):
    x, *index = node.inputs
    out, op = node.outputs[0], node.op
    xs, o = ctx.ref(x), ctx.ref(out)
    if op.idx == (MASK,) and x.ndim == 1 and index[0].ndim == 1:
        m = ctx.ref(index[0])
        return [f"if {m}.shape[0] != {xs}.shape[0]:",
                f"    raise IndexError({_mask_message(x)!r})",
                f"{o} = {xs}[{m}]"]
    k = _single_array_axis(op, node)
    if k is None:
        raise _unsupported(node)
    i = index[0]
    if i.ndim == 0:
        return (_index_check(x, xs, k, ctx.ref(i), ctx)
                + [f"{o} = {xs}[{', '.join([':'] * k + [ctx.ref(i)])},]"])
    r = ctx.tmp("g")
    shape = [f"{xs}.shape[{d}]" for d in range(k)] + [f"{ctx.ref(i)}.shape[{d}]"
                                                      for d in range(i.ndim)]
    shape += [f"{xs}.shape[{d}]" for d in range(k + 1, x.ndim)]
    return [f"{r} = kr.take({_three(xs, x, k)}, {ctx.ref(i)}, {xs}.shape[{k}])",
            f"{o} = {r}.reshape({_tuple(shape)})"]


@register_emitter(subtensor.AdvancedIncSubtensor)
def _advanced_inc_subtensor(node, ctx):
    x, y, *index = node.inputs
    out, op = node.outputs[0], node.op
    k = _single_array_axis(op, node)
    if k is None or index[0].ndim == 0:
        raise _unsupported(node)
    xs, o, i = ctx.ref(x), ctx.ref(out), index[0]
    ii = ctx.ref(i)
    m = f"{ii}.size"
    region = [f"{xs}.shape[{d}]" for d in range(k)] + [f"{ii}.shape[{d}]" for d in range(i.ndim)]
    region += [f"{xs}.shape[{d}]" for d in range(k + 1, x.ndim)]
    pre = "*".join([f"{xs}.shape[{d}]" for d in range(k)]) or "1"
    post = "*".join([f"{xs}.shape[{d}]" for d in range(k + 1, x.ndim)]) or "1"
    ys = ctx.ref(y)
    yfull = (f"np.full({_tuple(region)}, {ys}, dtype={np_dtype(x.dtype)})" if y.ndim == 0 else
             f"np.broadcast_to({ys}, {_tuple(region)})")
    y3 = f"np.ascontiguousarray({yfull}).reshape(({pre}, {m}, {post}))"
    buf = ctx.tmp("buf")
    return [f"{buf} = {_copy_unless_fresh(x, ctx)}",
            f"kr.scatter({_three(buf, x, k)}, {ii}, {y3}, {op.set_instead_of_inc})",
            f"{o} = {buf}"]


# ----------------------------------------------------------- joins, ranges, cumulative ops, sorting
@register_emitter(join.Join)
def _join(node, ctx):
    parts = [ctx.ref(v) for v in node.inputs]
    return [f"{ctx.ref(node.outputs[0])} = np.concatenate({_tuple(parts)}, axis={node.op.axis})"]


@register_emitter(builders.ARange)
def _arange(node, ctx):
    a, b, c = (ctx.ref(v) for v in node.inputs)
    return [f"{ctx.ref(node.outputs[0])} = np.arange({a}, {b}, {c})"
            f".astype({np_dtype(node.op.dtype)})"]


def _rows(x, xs, axis) -> tuple[str, list[int]]:
    perm = [i for i in range(x.ndim) if i != axis] + [axis]
    return (f"np.ascontiguousarray({transposed(xs, perm)}).reshape((-1, {xs}.shape[{axis}]))",
            perm)


def _unrows(r, xs, x, perm) -> str:
    shape = _tuple(f"{xs}.shape[{p}]" for p in perm)
    inverse = [perm.index(i) for i in range(x.ndim)]
    return transposed(f"{r}.reshape({shape})", inverse)


@register_emitter(extra_ops.CumOp)
def _cumop(node, ctx):
    x, out, op = node.inputs[0], node.outputs[0], node.op
    xs = ctx.ref(x)
    rows, perm = _rows(x, xs, op.axis)
    r = ctx.tmp("cum")
    return [f"{r} = kr.cum_rows({rows}.astype({np_dtype(out.dtype)}), "
            f"{op.mode == 'sum'}, {op.reverse})",
            f"{ctx.ref(out)} = np.ascontiguousarray({_unrows(r, xs, x, perm)})"]


@register_emitter(extra_ops.Sort)
def _sort(node, ctx):
    x, out, op = node.inputs[0], node.outputs[0], node.op
    xs = ctx.ref(x)
    if op.axis is None or x.ndim == 0:
        raise NotImplementedError(f"numba backend: {op} needs an axis")
    rows, perm = _rows(x, xs, op.axis)
    f = "kr.sort_rows" if op.output == "values" else "kr.argsort_rows"
    r = ctx.tmp("srt")
    return [f"{r} = {f}({rows})",
            f"{ctx.ref(out)} = np.ascontiguousarray({_unrows(r, xs, x, perm)})"]


@register_emitter(extra_ops.SearchSorted)
def _searchsorted(node, ctx):
    a, v = node.inputs
    out = ctx.ref(node.outputs[0])
    expr = f"np.searchsorted({ctx.ref(a)}, {ctx.ref(v)}, side={node.op.side!r})"
    return [f"{out} = np.int64({expr})" if node.outputs[0].ndim == 0
            else f"{out} = {expr}.astype(np.int64)"]
