"""Per-op source emitters of the numba backend: ``emit(node, ctx) -> list[str]`` for each op class.

Elementwise ops register a scalar expression instead (they are fused into loops by ``loops.py``).
"""

from __future__ import annotations

from probgraph.backends.numba.loops import np_dtype
from probgraph.backends.numba.registry import register_emitter, register_scalar
from probgraph.tensor.elemwise import Elemwise
from probgraph.tensor.math import Cast, Identity, StopGradient
from probgraph.tensor.reduce import Argmax
from probgraph.tensor.shape import DimShuffle, MakeVector, Reshape, Shape, static_values


# ----------------------------------------------------------------- fusable elementwise ops
@register_scalar(Elemwise)
def _elemwise_expr(node, args):
    return node.op.scalar_op.numba_expr(*args)


@register_scalar(Cast)
def _cast_expr(node, args):
    return f"({args[0]} != 0)" if node.op.dtype == "bool" else args[0]


@register_scalar(Identity, StopGradient)
def _identity_expr(node, args):
    return args[0]


# ----------------------------------------------------------------- shape ops
def _tuple(items) -> str:
    return "(" + "".join(f"{i}, " for i in items) + ")"


def transposed(xs: str, perm) -> str:
    """Source of ``xs`` with its axes permuted by ``perm`` (nothing for the identity, ``.T`` for a
    matrix, else the cached ``kr.permute``)."""
    perm = list(perm)
    if perm == sorted(perm):
        return xs
    if perm == [1, 0]:
        return f"{xs}.T"
    return f"kr.permute({xs}, {_tuple(perm)})"


@register_emitter(DimShuffle)
def _dimshuffle(node, ctx):
    (x,), out, op = node.inputs, node.outputs[0], node.op
    xs, o = ctx.ref(x), ctx.ref(out)
    if out.ndim == 0:
        return [f"{o} = {xs}" if x.ndim == 0 else f"{o} = {xs}[{', '.join(['0'] * x.ndim)}]"]
    if x.ndim == 0:
        return [f"{o} = np.full({_tuple(['1'] * out.ndim)}, {xs}, dtype={np_dtype(out.dtype)})"]
    kept = [k for k in op.new_order if k != "x"]
    v = transposed(xs, kept + list(op.dropped))
    if "x" in op.new_order or op.dropped:
        shape = ["1" if k == "x" else f"{xs}.shape[{k}]" for k in op.new_order]
        v = f"np.ascontiguousarray({v}).reshape({_tuple(shape)})"
    return [f"{o} = {v}"]


def _shape_items(shp, n, ctx) -> list[str]:
    vals = static_values(shp)
    if vals is not None and None not in vals:
        return [str(v) for v in vals]
    s = ctx.ref(shp)
    return [f"{s}[{j}]" for j in range(n)]


@register_emitter(Reshape)
def _reshape(node, ctx):
    (x, shp), out = node.inputs, node.outputs[0]
    xs, o = ctx.ref(x), ctx.ref(out)
    if out.ndim == 0:
        return [f"{o} = {xs}" if x.ndim == 0
                else f"{o} = np.ascontiguousarray({xs}).reshape(-1)[0]"]
    items = _shape_items(shp, out.ndim, ctx)
    if x.ndim == 0:
        return [f"{o} = np.full({_tuple(['1'] * out.ndim)}, {xs}, dtype={np_dtype(out.dtype)})"]
    return [f"{o} = np.ascontiguousarray({xs}).reshape({_tuple(items)})"]


@register_emitter(Shape)
def _shape(node, ctx):
    x = node.inputs[0]
    xs, o = ctx.ref(x), ctx.ref(node.outputs[0])
    lines = [f"{o} = np.empty({x.ndim}, dtype=np.int64)"]
    lines += [f"{o}[{k}] = {xs}.shape[{k}]" for k in range(x.ndim)]
    return lines


@register_emitter(MakeVector)
def _make_vector(node, ctx):
    o = ctx.ref(node.outputs[0])
    lines = [f"{o} = np.empty({len(node.inputs)}, dtype={np_dtype(node.op.dtype)})"]
    lines += [f"{o}[{k}] = {ctx.ref(v)}" for k, v in enumerate(node.inputs)]
    return lines


# ----------------------------------------------------------------- reductions that are not loops
@register_emitter(Argmax)
def _argmax(node, ctx):
    x, out, op = node.inputs[0], node.outputs[0], node.op
    xs, o = ctx.ref(x), ctx.ref(out)
    fn = "np.argmax" if op.kind == "max" else "np.argmin"
    if x.ndim == 0:
        return [f"{o} = 0"]
    if op.axis is None:
        return [f"{o} = np.int64({fn}({xs}))"]
    k = op.axis
    others = [i for i in range(x.ndim) if i != k]
    rows = (f"np.ascontiguousarray({transposed(xs, others + [k])})"
            f".reshape((-1, {xs}.shape[{k}]))")
    r = ctx.tmp("am")
    lines = [f"{r} = kr.argmax_rows({rows}, {op.kind == 'max'})"]
    if out.ndim == 0:
        return lines + [f"{o} = {r}[0]"]
    return lines + [f"{o} = {r}.reshape({_tuple(f'{xs}.shape[{i}]' for i in others)})"]
