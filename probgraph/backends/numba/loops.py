"""Fused elementwise loops: chains of elementwise ops (and a trailing reduction) as one explicit
loop nest.

A ``FusedLoop`` computes ``body_var`` element by element over its static-broadcast shape.
Intermediate results of fused ops are numba scalars inside the loop body; inputs are read through
``DimShuffle`` and ``BroadcastTo`` views by index arithmetic (a size-1 dimension is read at index
0), so neither is ever materialised. A ``Reduce`` over ``body_var`` becomes an accumulator in the
same loop.

Shapes are trusted only where they are static: before the loop nest, every input dimension of
unknown static size is checked once against the loop's extent, so a wrong run-time length raises
``kr.ShapeError`` (a ``ValueError``) instead of reading out of bounds.
"""

from __future__ import annotations

import numpy as np

from probgraph.backends.numba.registry import scalar_expr_for
from probgraph.graph.basic import Constant
from probgraph.tensor.shape import BroadcastTo, DimShuffle, MakeVector, Shape, static_values


def np_dtype(dtype: str) -> str:
    """The numba-visible numpy dtype object for a dtype name."""
    return "np.bool_" if dtype == "bool" else f"np.{dtype}"


def convert(dtype: str, expr: str) -> str:
    """``expr`` converted to a scalar of ``dtype`` (a no-op in LLVM when the type already
    matches)."""
    if dtype == "bool":
        return f"bool({expr})"
    return f"np.{dtype}({expr})"


def literal(value, dtype: str) -> str:
    """A numba source literal of ``value`` with exactly the dtype ``dtype``."""
    v = np.asarray(value).item()
    if dtype == "bool":
        return "True" if v else "False"
    if dtype.startswith("complex"):
        return f"np.{dtype}(complex({v.real!r}, {v.imag!r}))"
    if dtype.startswith("float"):
        v = float(v)
        s = "np.nan" if v != v else ("np.inf" if v == np.inf
                                     else ("-np.inf" if v == -np.inf else repr(v)))
        return s if dtype == "float64" else f"np.{dtype}({s})"
    s = repr(int(v))
    return s if dtype == "int64" else f"np.{dtype}({s})"


def _source_expr(src, ctx) -> str:
    """The run-time expression of a size source ``(var_or_None, how, arg)`` of ``Leaf.sizes``."""
    var, how, arg = src
    if how == "lit":
        return str(arg)
    name = ctx.ref(var)
    if how == "scalar":
        return f"np.int64({name})"
    if how == "shape":
        return f"{name}.shape[{arg}]"
    return f"{name}[{arg}]"


def _source_static(src):
    """The static value of a size source, or None."""
    var, how, arg = src
    if how == "lit":
        return arg
    if how == "shape":
        return var.type.shape[arg]
    return None


def _extreme(dtype: str, kind: str) -> str:
    """Initial accumulator of a max (``kind="max"``) or min reduction."""
    if dtype == "bool":
        return "False" if kind == "max" else "True"
    if dtype.startswith("float"):
        return literal(-np.inf if kind == "max" else np.inf, dtype)
    info = np.iinfo(dtype)
    return literal(info.min if kind == "max" else info.max, dtype)


def _shape_entry(shp, j):
    """How to read entry ``j`` of a shape vector ``shp``: ``(var_or_None, how, arg)``."""
    vals = static_values(shp)
    if vals is not None and j < len(vals) and vals[j] is not None:
        return (None, "lit", vals[j])
    if shp.owner is not None and isinstance(shp.owner.op, MakeVector):
        return (shp.owner.inputs[j], "scalar", None)
    if shp.owner is not None and isinstance(shp.owner.op, Shape):
        return (shp.owner.inputs[0], "shape", j)
    return (shp, "elem", j)


class Leaf:
    """An input of a fused loop, read through views: ``base`` indexed by loop dims (``None`` →
    index 0)."""

    def __init__(self, var, loop_dims):
        self.var = var
        sizes = []
        while var.owner is not None:
            op = var.owner.op
            if isinstance(op, DimShuffle):
                x = var.owner.inputs[0]
                new = [None] * x.ndim
                for j, o in enumerate(op.new_order):
                    if o != "x":
                        new[o] = loop_dims[j]
                var, loop_dims = x, new
            elif isinstance(op, BroadcastTo):
                x, shp = var.owner.inputs
                extra = var.ndim - x.ndim
                sizes += [(d, _shape_entry(shp, j)) for j, d in enumerate(loop_dims)
                          if d is not None]
                var, loop_dims = x, [None if x.type.shape[k] == 1 else loop_dims[k + extra]
                                     for k in range(x.ndim)]
            else:
                break
        loop_dims = [None if s == 1 else d for s, d in zip(var.type.shape, loop_dims)]
        sizes += [(d, (var, "shape", k)) for k, d in enumerate(loop_dims) if d is not None]
        self.base = var
        self.idx = loop_dims
        self.sizes = sizes

    def reads(self):
        out = [self.base]
        out += [src[0] for _, src in self.sizes if src[0] is not None]
        return out


class FusedLoop:
    """One loop nest: ``members`` (fusable nodes in topological order) computing ``body_var``, then
    optionally ``reduce`` (a Reduce node over ``body_var``)."""

    def __init__(self, members, body_var, reduce=None):
        self.members = members
        self.body_var = body_var
        self.reduce = reduce
        self.out = reduce.outputs[0] if reduce is not None else body_var
        produced = {id(m.outputs[0]) for m in members}
        nd = body_var.ndim
        self.leaves: dict[int, Leaf] = {}
        wanted = [i for m in members for i in m.inputs] if members else [body_var]
        for v in wanted:
            if id(v) not in produced and id(v) not in self.leaves:
                self.leaves[id(v)] = Leaf(v, list(range(nd)))

    @property
    def outputs(self):
        return [self.out]

    def reads(self):
        return [v for leaf in self.leaves.values() for v in leaf.reads()]

    def _size_source(self, d):
        """Where the extent of loop axis ``d`` is read from: a size source ``(var, how, arg)``."""
        static = self.body_var.type.shape[d]
        if static is not None:
            return (None, "lit", static)
        for leaf in self.leaves.values():
            for dim, src in leaf.sizes:
                if dim == d:
                    return src
        raise NotImplementedError(f"numba backend: cannot find the run-time size of axis {d} of "
                                  f"{self.body_var}")

    def _size(self, d, ctx) -> str:
        return _source_expr(self._size_source(d), ctx)

    def extent_keys(self) -> list:
        """One size key per loop axis (see :class:`SizeClasses`)."""
        return [size_key(self._size_source(d)) for d in range(self.body_var.ndim)]

    def size_facts(self) -> list[list]:
        """Per loop axis, the size keys that equal its extent once the loop's checks have run (its
        inputs' sizes and, for an elementwise output, the output's own)."""
        nd = self.body_var.ndim
        facts = [[k] for k in self.extent_keys()]
        for leaf in self.leaves.values():
            for d, src in leaf.sizes:
                facts[d].append(size_key(src))
        if self.reduce is None:
            for d in range(nd):
                facts[d].append((id(self.out), "shape", d))
        return facts

    def _describe(self, leaf) -> str:
        """Which op reads ``leaf`` and as which input, for error messages."""
        name = leaf.var.name or leaf.base.name
        label = f" ({name})" if name else ""
        for m in self.members:
            for j, v in enumerate(m.inputs):
                if v is leaf.var:
                    return f"elementwise {m.op}: input {j}{label}"
        owner = leaf.var.owner
        through = owner is not None and isinstance(owner.op, BroadcastTo)
        op = "broadcast_to" if through else "reduction"
        return f"{op}: input{label}"

    def _checks(self, extents: list[str], sizes: list[str], ctx) -> list[str]:
        """Lines raising ``ShapeError`` where an input dimension of unknown static size differs from
        the loop's extent (``extents``: the expressions they were read from; ``sizes``: names)."""
        lines = []
        for leaf in self.leaves.values():
            for d, src in leaf.sizes:
                expr = _source_expr(src, ctx)
                if expr == extents[d]:
                    continue
                if _source_static(src) is not None and self.body_var.type.shape[d] is not None:
                    continue  # both static: make_node already checked them
                n = ctx.tmp("m")
                what = self._describe(leaf)
                lines += [f"{n} = {expr}", f"if {n} != {sizes[d]}:",
                          f"    raise kr.ShapeError({what!r}, {d}, {n}, {sizes[d]})"]
        return lines

    def _read(self, var, scal, ctx) -> str:
        if id(var) in scal:
            return scal[id(var)]
        leaf = self.leaves[id(var)]
        name = ctx.ref(leaf.base)
        if leaf.base.ndim == 0:
            return name
        return f"{name}[{', '.join('0' if d is None else f'i{d}' for d in leaf.idx)}]"

    def parts(self, ctx):
        """``(sizes, pre, body, post)``: loop bounds, lines before, inside and after the loop
        nest."""
        nd = self.body_var.ndim
        pre, body, post = [], [], []
        sizes, extents = [], []
        for d in range(nd):
            s = self._size(d, ctx)
            extents.append(s)
            if not s.isdigit():
                name = ctx.tmp("n")
                pre.append(f"{name} = {s}")
                s = name
            sizes.append(s)
        pre += self._checks(extents, sizes, ctx)
        scal: dict[int, str] = {}
        for m in self.members:
            args = [self._read(i, scal, ctx) for i in m.inputs]
            expr = scalar_expr_for(m.op)(m, args)
            t = ctx.tmp("s")
            body.append(f"{t} = {convert(m.outputs[0].dtype, expr)}")
            scal[id(m.outputs[0])] = t
        val = self._read(self.body_var, scal, ctx)
        out = ctx.ref(self.out)
        out_dtype = self.out.dtype
        if self.reduce is None:
            if nd == 0:
                body.append(f"{out} = {convert(out_dtype, val)}")
            else:
                pre.append(f"{out} = np.empty(({', '.join(sizes)},), dtype={np_dtype(out_dtype)})")
                body.append(f"{out}[{', '.join(f'i{d}' for d in range(nd))}] = {val}")
        else:
            self._emit_reduce(val, sizes, out, pre, body, post, ctx)
        return sizes, pre, body, post

    def emit(self, ctx) -> list[str]:
        return _nest(*self.parts(ctx))

    def _emit_reduce(self, val, sizes, out, pre, body, post, ctx):
        kind, axes = self.reduce.op.kind, self.reduce.op.axis
        dtype = self.out.dtype
        kept = [d for d in range(self.body_var.ndim) if d not in axes]
        if kind in ("sum", "prod"):
            acc_dtype = "float64" if dtype in ("float32", "float16") and not kept else dtype
            init = literal(0 if kind == "sum" else 1, acc_dtype)
        elif kind in ("max", "min"):
            init = _extreme(dtype, kind)
        else:
            init = "True" if kind == "all" else "False"
        v = ctx.tmp("r")
        body.append(f"{v} = {val}")
        if not kept:
            acc = ctx.tmp("acc")
            pre.append(f"{acc} = {init}")
            target = acc
        else:
            shape = ", ".join(sizes[d] for d in kept)
            pre.append(f"{out} = np.full(({shape},), {init}, dtype={np_dtype(dtype)})")
            target = f"{out}[{', '.join(f'i{d}' for d in kept)}]"
        body.append(f"{target} = {_combine(kind, target, v)}")
        if not kept:
            post.append(f"{out} = {convert(dtype, acc)}")


def _combine(kind: str, acc: str, v: str) -> str:
    if kind == "sum":
        return f"{acc} + {v}"
    if kind == "prod":
        return f"{acc} * {v}"
    if kind == "max":  # NaN propagates as in numpy
        return f"{v} if ({v} > {acc} or {v} != {v}) else {acc}"
    if kind == "min":
        return f"{v} if ({v} < {acc} or {v} != {v}) else {acc}"
    if kind == "all":
        return f"{acc} and ({v} != 0)"
    return f"{acc} or ({v} != 0)"


def is_fusable(node) -> bool:
    return scalar_expr_for(node.op) is not None and len(node.outputs) == 1


def _pattern(var):
    return tuple(s == 1 for s in var.type.shape)


def grow(members: dict, pattern, clients, outputs: set, taken: set):
    """Absorb producers whose every client is already in ``members`` (fixpoint), same broadcast
    pattern."""
    changed = True
    while changed:
        changed = False
        for m in list(members.values()):
            for u in m.inputs:
                p = u.owner
                if p is None or id(p) in members or id(p) in taken or not is_fusable(p):
                    continue
                if isinstance(u, Constant) or id(u) in outputs or _pattern(u) != pattern:
                    continue
                if all(c != "output" and id(c) in members for c, _ in clients.get(id(u), [])):
                    members[id(p)] = p
                    changed = True
    return members


def _nest(sizes, pre, body, post) -> list[str]:
    lines = list(pre)
    indent = ""
    for d, size in enumerate(sizes):
        lines.append(f"{indent}for i{d} in range({size}):")
        indent += "    "
    return lines + [indent + b for b in body] + post


class LoopGroup:
    """Sibling fused loops over the same extents run as one loop nest, each keeping its own outputs
    and accumulators; a later loop may read an earlier one's elementwise output at the same
    index."""

    def __init__(self, loops):
        self.loops = loops

    @property
    def outputs(self):
        return [o for lp in self.loops for o in lp.outputs]

    def reads(self):
        return [v for lp in self.loops for v in lp.reads()]

    def emit(self, ctx) -> list[str]:
        parts = [lp.parts(ctx) for lp in self.loops]
        return _nest(parts[0][0], *([line for p in parts for line in p[k]] for k in (1, 2, 3)))


def size_key(src) -> tuple:
    """A hashable key of a size source: equal keys are the same run-time integer."""
    var, how, arg = src
    return ("lit", arg) if how == "lit" else (id(var), how, arg)


class SizeClasses:
    """Union-find over size keys: sizes known to be equal at run time (because a loop checked
    them against its extent, or a loop wrote an output of that extent)."""

    def __init__(self, parent: dict | None = None):
        self.parent = dict(parent or {})

    def find(self, key):
        root = key
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while key != root:  # path compression
            self.parent[key], key = root, self.parent.get(key, key)
        return root

    def add(self, facts: list[list]):
        for keys in facts:
            first = self.find(keys[0])
            for k in keys[1:]:
                root = self.find(k)
                if root != first:
                    self.parent[root] = first

    def copy(self) -> SizeClasses:
        return SizeClasses(self.parent)


def _same_extent(facts: list[list], group_keys: list, classes: SizeClasses) -> bool:
    """Does a loop with size ``facts`` (:meth:`FusedLoop.size_facts`) provably run over the extents
    ``group_keys``, given ``classes``?"""
    return len(facts) == len(group_keys) and all(
        any(classes.find(k) == classes.find(g) for k in keys) for keys, g in zip(facts, group_keys))


def _joinable(loop, group, pos: int, producer: dict, group_ids: set) -> bool:
    """Can ``loop`` run inside ``group`` (placed at unit position ``pos``)?"""
    nd = loop.body_var.ndim
    shared = False
    bases = {id(leaf.base) for lp in group for leaf in lp.leaves.values()}
    direct = {id(leaf.base) for leaf in loop.leaves.values() if leaf.idx == list(range(nd))}
    for v in loop.reads():
        q = producer.get(id(v))
        if q is None or q < pos:
            shared = shared or id(v) in bases
            continue
        if q not in group_ids:
            return False
        src = next(lp for lp in group if any(o is v for o in lp.outputs))
        if src.reduce is not None or id(v) not in direct:
            return False
        shared = True
    return shared


def fuse_siblings(units: list, graph) -> list:
    """Merge fused loops over the same extents that read common inputs into ``LoopGroup`` units.

    Extents are the same when static and equal, or when run-time sizes are provably equal: every
    loop checks its inputs' sizes against its extent, so after the loops before a group (and the
    group's own checks, which run before its loop nest) those sizes are one class.
    A loop joins an earlier group when everything it reads is computed before the group's position
    or is an elementwise output of a group member read at the same index (written earlier in the
    same iteration).
    """
    producer = {id(o): k for k, u in enumerate(units) for o in u.outputs}
    before = SizeClasses()                             # facts of the units seen so far
    groups: list[tuple[int, list, list, set, SizeClasses]] = []
    # (position, extent keys, loops, unit indices, the size classes valid inside the group)
    merged: dict[int, int] = {}                        # unit index -> its group's position
    for k, unit in enumerate(units):
        if not isinstance(unit, FusedLoop) or unit.body_var.ndim == 0:
            continue
        facts = unit.size_facts()
        for pos, keys, loops, ids, classes in groups:
            if _same_extent(facts, keys, classes) and _joinable(unit, loops, pos, producer, ids):
                loops.append(unit)
                ids.add(k)
                merged[k] = pos
                classes.add(facts)
                break
        else:
            classes = before.copy()
            classes.add(facts)
            groups.append((k, unit.extent_keys(), [unit], {k}, classes))
        before.add(facts)
    heads = {pos: loops for pos, _, loops, _, _ in groups if len(loops) > 1}
    out = []
    for k, unit in enumerate(units):
        if k in merged:
            continue
        out.append(LoopGroup(heads[k]) if k in heads else unit)
    return out
