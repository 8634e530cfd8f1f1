"""numba emitters for general advanced indexing (gathers and scatters), batched matmul and unique.

They replace the emitters of ``ops.py`` for these ops and delegate back to them where those are
already right and fast: one index array with whole axes elsewhere (the ``alpha[g]`` gather and its
scatter-add gradient) and 2-d matrix products. Everything else goes through the index *terms* of
``advanced_kernels.py``: one flat array of positions per indexed axis of ``x``, broadcast over the
output's dimensions with numpy's rules (index arrays side by side replace the axes they index;
separated by a slice, their dimensions go first). Out-of-bounds indices raise ``IndexError``.
"""

from __future__ import annotations

from probgraph.backends.numba import ops as base
from probgraph.backends.numba.emitters import _tuple
from probgraph.backends.numba.loops import np_dtype
from probgraph.backends.numba.registry import register_emitter
from probgraph.tensor.dot import MatMul
from probgraph.tensor.extra_ops import Unique
from probgraph.tensor.subtensor import ARRAY, MASK, SCALAR, AdvancedIncSubtensor, AdvancedSubtensor

IMPORT = "from probgraph.backends.numba import advanced_kernels as ak"


def _use_kernels(ctx) -> None:
    """Make ``ak`` (``advanced_kernels``) visible to the generated module."""
    if IMPORT not in ctx.module_lines:
        ctx.module_lines.insert(0, IMPORT)


# ----------------------------------------------------------------- index terms
def _slice_term(entry, scalars, xs, axis, ctx) -> str:
    """The positions an ``idx`` slice entry selects along ``axis`` of the array named ``xs``."""
    parts = []
    for p in entry:
        parts.append(ctx.ref(next(scalars)) if p == SCALAR else p)
    start, stop, step = parts
    args = [f"{xs}.shape[{axis}]", "0" if start is None else str(start),
            "0" if stop is None else str(stop), "1" if step is None else str(step),
            str(start is not None), str(stop is not None)]
    return f"ak.slice_range({', '.join(args)})"


def _index_terms(op, xs, x_ndim, index, ctx, lines):
    """``(terms, out_ndim)``; each term is ``(axis, positions' name, {output dim: size expr})``.

    Appends to ``lines`` the source computing each term's positions.
    """
    inputs = iter(index)
    slices, advs, adv_pos = [], [], []  # (axis, name, idx position); (axis, name, shape)
    axis = 0
    for pos, e in enumerate(op.idx):
        if isinstance(e, tuple):
            name = ctx.tmp("sl")
            lines.append(f"{name} = {_slice_term(e, inputs, xs, axis, ctx)}")
            slices.append((axis, name, pos))
            axis += 1
            continue
        if e not in (ARRAY, MASK):
            raise NotImplementedError(f"numba backend: {op} has an index entry {e!r} the advanced "
                                      "indexing emitter does not know")
        v = next(inputs)
        name = ctx.tmp("ix")
        adv_pos.append(pos)
        if e == ARRAY:
            if v.ndim == 0:
                lines.append(f"{name} = np.full(1, {ctx.ref(v)}, dtype=np.int64)")
            else:
                flat = f"np.ascontiguousarray({ctx.ref(v)}).reshape(-1)"
                lines.append(f"{name} = {flat}.astype(np.int64)")
            advs.append((axis, name, [f"{ctx.ref(v)}.shape[{d}]" for d in range(v.ndim)]))
            axis += 1
        else:  # a k-d mask: k index arrays, its nonzero coordinates
            m = ctx.ref(v)
            dims = _tuple(f"{xs}.shape[{axis + r}]" for r in range(v.ndim))
            flat = f"np.ascontiguousarray({m}).reshape(-1)"
            lines.append(f"{name} = ak.mask_coords({flat}, {m}.shape, {dims})")
            for r in range(v.ndim):
                advs.append((axis + r, f"{name}[{r}]", [f"{name}.shape[1]"]))
            axis += v.ndim
    for a in range(axis, x_ndim):  # axes after the description are taken whole
        name = ctx.tmp("sl")
        lines.append(f"{name} = np.arange({xs}.shape[{a}])")
        slices.append((a, name, len(op.idx)))
    B = max(len(shape) for _, _, shape in advs)
    adjacent = adv_pos == list(range(adv_pos[0], adv_pos[-1] + 1))
    first = sum(p < adv_pos[0] for _, _, p in slices) if adjacent else 0
    terms = []
    for k, (a, name, _) in enumerate(slices):
        terms.append((a, name, {k if k < first else k + B: f"{name}.size"}))
    for a, name, shape in advs:
        lead = first + B - len(shape)
        terms.append((a, name, {lead + j: s for j, s in enumerate(shape)}))
    terms.sort(key=lambda t: t[0])
    return terms, len(slices) + B


def _offsets(op, xs, x_ndim, index, ctx):
    """``(lines, offs, shape)``: source of the flat offsets into ``xs``, and the indexed shape."""
    _use_kernels(ctx)
    lines: list[str] = []
    terms, D = _index_terms(op, xs, x_ndim, index, ctx, lines)
    ts, ta, offs, osh = ctx.tmp("ts"), ctx.tmp("ta"), ctx.tmp("offs"), ctx.tmp("osh")
    lines += [f"{ts} = np.ones(({len(terms)}, {D}), dtype=np.int64)",
              f"{ta} = np.empty({len(terms)}, dtype=np.int64)"]
    for t, (a, _, shape) in enumerate(terms):
        lines.append(f"{ta}[{t}] = {a}")
        lines += [f"{ts}[{t}, {p}] = {s}" for p, s in sorted(shape.items())]
    values = f"np.concatenate({_tuple(name for _, name, _ in terms)})"
    lines.append(f"{offs}, {osh} = ak.index_offsets({values}, {ts}, {ta}, {xs}.shape)")
    return lines, offs, [f"{osh}[{p}]" for p in range(D)]


# ----------------------------------------------------------------- gathers and scatters
def _fast(node, index) -> bool:
    """One index array (ndim >= 1), whole axes elsewhere: ``ops.py``'s bounds-checked take."""
    return base._single_array_axis(node.op, node) is not None and index[0].ndim > 0


@register_emitter(AdvancedSubtensor)
def _advanced_subtensor(node, ctx):
    x, *index = node.inputs
    if _fast(node, index):
        return base._advanced_subtensor(node, ctx)
    out = node.outputs[0]
    xc, o = ctx.tmp("xc"), ctx.ref(out)
    lines = [f"{xc} = np.ascontiguousarray({ctx.ref(x)})"]
    more, offs, shape = _offsets(node.op, xc, x.ndim, index, ctx)
    lines += more
    gathered = f"ak.gather_flat({xc}.reshape(-1), {offs})"
    if out.ndim == 0:
        return lines + [f"{o} = {gathered}[0]"]
    return lines + [f"{o} = {gathered}.reshape({_tuple(shape)})"]


@register_emitter(AdvancedIncSubtensor)
def _advanced_inc_subtensor(node, ctx):
    x, y, *index = node.inputs
    if _fast(node, index):
        return base._advanced_inc_subtensor(node, ctx)
    op = node.op
    buf = ctx.tmp("buf")
    lines = [f"{buf} = np.ascontiguousarray({base._copy_unless_fresh(x, ctx)})"]
    more, offs, shape = _offsets(op, buf, x.ndim, index, ctx)
    lines += more
    ys, yb = ctx.ref(y), ctx.tmp("yb")
    if y.ndim == 0:
        lines.append(f"{yb} = np.full({offs}.size, {ys}, dtype={np_dtype(x.dtype)})")
    else:
        full = f"np.broadcast_to({ys}, {_tuple(shape)})"
        lines.append(f"{yb} = np.ascontiguousarray({full}).reshape(-1)")
    return lines + [f"ak.scatter_flat({buf}.reshape(-1), {offs}, {yb}, {op.set_instead_of_inc})",
                    f"{ctx.ref(node.outputs[0])} = {buf}"]


# ----------------------------------------------------------------- batched matmul
@register_emitter(MatMul)
def _matmul(node, ctx):
    (a, b), out = node.inputs, node.outputs[0]
    if out.ndim == 2:
        return base._dot(node, ctx)
    _use_kernels(ctx)
    dt = out.dtype if out.dtype.startswith(("float", "complex")) else "float64"
    A, B, r = ctx.tmp("ma"), ctx.tmp("mb"), ctx.tmp("mm")
    lines = [f"{A} = {base._as(a, dt, ctx)}", f"{B} = {base._as(b, dt, ctx)}"]
    nb = out.ndim - 2
    batch = [ctx.tmp("nb") for _ in range(nb)]
    lines += [f"{n} = ak.broadcast_dim({A}.shape[{j}], {B}.shape[{j}])"
              for j, n in enumerate(batch)]
    count = " * ".join(batch)
    stacks = []
    for M in (A, B):
        full = _tuple(batch + [f"{M}.shape[{nb}]", f"{M}.shape[{nb + 1}]"])
        stacks.append(f"np.ascontiguousarray(np.broadcast_to({M}, {full}))"
                      f".reshape(({count}, {M}.shape[{nb}], {M}.shape[{nb + 1}]))")
    lines.append(f"{r} = ak.matmul_batches({stacks[0]}, {stacks[1]})")
    res = f"{r}.reshape({_tuple(batch + [f'{A}.shape[{nb}]', f'{B}.shape[{nb + 1}]'])})"
    if dt != out.dtype:
        res = f"{res}.astype({np_dtype(out.dtype)})"
    return lines + [f"{ctx.ref(out)} = {res}"]


# ----------------------------------------------------------------- unique
@register_emitter(Unique)
def _unique(node, ctx):
    _use_kernels(ctx)
    x, op = node.inputs[0], node.op
    xs = ctx.ref(x)
    flat = (f"np.full(1, {xs}, dtype={np_dtype(x.dtype)})" if x.ndim == 0 else
            f"np.ascontiguousarray({xs}).reshape(-1)")
    if x.dtype == "bool":  # sorted as 0/1
        flat = f"{flat}.astype(np.uint8)"
    v, i, inv, c = (ctx.tmp(p) for p in ("uv", "ui", "uinv", "uc"))
    lines = [f"{v}, {i}, {inv}, {c} = ak.unique({flat})"]
    outs = iter(ctx.ref(o) for o in node.outputs)
    lines.append(f"{next(outs)} = {v}" + (".astype(np.bool_)" if x.dtype == "bool" else ""))
    if op.return_index:
        lines.append(f"{next(outs)} = {i}")
    if op.return_inverse:
        shaped = f"{inv}[0]" if x.ndim == 0 else f"{inv}.reshape({xs}.shape)"
        lines.append(f"{next(outs)} = {shaped}")
    if op.return_counts:
        lines.append(f"{next(outs)} = {c}")
    return lines
