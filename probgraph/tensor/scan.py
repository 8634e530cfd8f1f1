"""scan: symbolic loops. One small core op (sequences, one-tap carries, per-step outputs,
non-sequences) and Theano's full surface (taps, ``None`` outputs, updates, ``until``,
``go_backwards``) built on it."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Constant, Variable, ancestors, clone_replace
from probgraph.graph.fg import Graph
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, format_shape, is_float


class Scan(Op):
    """The core loop: ``for t in range(n_steps): carry, ys_t = inner(seqs[t], carry, *non_seqs)``.

    ``inner`` is a Graph with inputs ``(*seq_slices, *carries, *non_seqs)`` and outputs
    ``(*new_carries, *ys)`` (and, when ``as_while``, a final boolean "stop" output).
    Outer inputs: ``n_steps, *seqs, *carry_inits, *non_seqs``. Outer outputs: one trace
    ``(n_steps, *shape)`` per carry (the initial value excluded) then one stack per y.
    With ``as_while`` the loop ends after the first step whose stop flag is true and the outputs are
    cut to the steps run.

    ``save_last`` (one flag per outer output, set by the rewrite :func:`scan_save_last`) marks
    outputs of which only the last step is used: they hold ``min(n_steps, 1)`` entries, the last
    step's value, instead of every step's.
    """

    __props__ = ("inner", "n_seqs", "n_carry", "n_ys", "n_nonseq", "as_while", "name", "save_last")

    def __init__(self, inner: Graph, n_seqs: int, n_carry: int, n_ys: int, n_nonseq: int,
                 as_while: bool = False, name: str | None = None,
                 save_last: tuple[bool, ...] | None = None):
        self.inner = inner
        self.n_seqs, self.n_carry, self.n_ys, self.n_nonseq = n_seqs, n_carry, n_ys, n_nonseq
        self.as_while = as_while
        self.name = name
        self.save_last = tuple(bool(f) for f in save_last) if save_last else (False,) * (
            n_carry + n_ys)
        self._thunk = None

    def with_save_last(self, flags) -> Scan:
        """The same loop keeping only the last step of the outputs flagged in ``flags``."""
        return Scan(self.inner, self.n_seqs, self.n_carry, self.n_ys, self.n_nonseq,
                    self.as_while, self.name, tuple(flags))

    def __str__(self):
        return f"Scan{{{self.name or 'scan'}}}"

    def make_node(self, n_steps, *outer) -> Apply:
        from probgraph.tensor.basic import as_tensor
        n_steps = as_tensor(n_steps)
        outer = [as_tensor(v) for v in outer]
        seqs = outer[:self.n_seqs]
        inits = outer[self.n_seqs:self.n_seqs + self.n_carry]
        label = self.name or "scan"
        for i, (s, inner_in) in enumerate(zip(seqs, self.inner.inputs)):
            if s.ndim != inner_in.ndim + 1:
                raise ValueError(f"{label}: sequence {i} has {s.ndim} dimensions, expected "
                                 f"{inner_in.ndim + 1}")
        carry_outs = self.inner.outputs[:self.n_carry]
        for i, (x0, out) in enumerate(zip(inits, carry_outs)):
            if x0.ndim != out.ndim or any(a is not None and b is not None and a != b
                                          for a, b in zip(x0.type.shape, out.type.shape)):
                raise ValueError(f"{label}: output {i} has shape {format_shape(out.type.shape)} "
                                 f"but its initial value has shape {format_shape(x0.type.shape)}")
            if x0.dtype != out.dtype:
                raise TypeError(f"{label}: output {i} has dtype {out.dtype} but its initial value "
                                f"has dtype {x0.dtype}; cast one of them")
        static_n = int(n_steps.data) if isinstance(n_steps,
                                                   Constant) and not self.as_while else None
        last_n = None if static_n is None else min(static_n, 1)
        out_types = [TensorType(o.dtype, (last_n if last else static_n, *o.type.shape))
                     for o, last in zip(self.inner.outputs[:self.n_carry + self.n_ys],
                                        self.save_last)]
        return Apply(self, [n_steps, *outer], out_types)

    def inner_function(self):
        if self._thunk is None:
            from probgraph.backends.python import compile_graph
            self._thunk = compile_graph(self.inner)
        return self._thunk

    def perform(self, node, inputs):
        n = int(inputs[0])
        outer = inputs[1:]
        seqs = outer[:self.n_seqs]
        carry = list(outer[self.n_seqs:self.n_seqs + self.n_carry])
        non_seqs = outer[self.n_seqs + self.n_carry:]
        for i, s in enumerate(seqs):
            if len(s) < n:
                raise ValueError(f"{self.name or 'scan'}: sequence {i} has {len(s)} entries, "
                                 f"fewer than n_steps={n}")
        f = self.inner_function()
        C = self.n_carry
        rows = [min(n, 1) if last else n for last in self.save_last]   # entries kept per output
        outs = [np.empty((rows[k], *np.shape(o)), dtype=node.outputs[k].dtype)
                for k, o in enumerate(carry)]
        ys: list = [None] * self.n_ys
        steps = n
        for t in range(n):
            res = f(*[s[t] for s in seqs], *carry, *non_seqs)
            carry = list(res[:C])
            for k, c in enumerate(carry):
                outs[k][0 if self.save_last[k] else t] = c
            for k, y in enumerate(res[C:C + self.n_ys]):
                if ys[k] is None:
                    ys[k] = np.empty((rows[C + k], *np.shape(y)), dtype=node.outputs[C + k].dtype)
                ys[k][0 if self.save_last[C + k] else t] = y
            if self.as_while and bool(res[-1]):
                steps = t + 1
                break
        for k in range(self.n_ys):
            if ys[k] is None:
                shape = [0 if s is None else s for s in self.inner.outputs[C + k].type.shape]
                ys[k] = np.empty((rows[C + k], *shape), dtype=node.outputs[C + k].dtype)
        result = outs + ys
        return [r if last else r[:steps] for r, last in zip(result, self.save_last)]

    def pullback(self, inputs, outputs, output_grads):
        if any(self.save_last):
            raise NotImplementedError("scan: a loop that keeps only its last step (a compile-time "
                                      "rewrite) cannot be differentiated; take grad before "
                                      "compiling")
        if self.as_while:
            from probgraph.graph.op import NotDifferentiableError
            raise NotDifferentiableError("scan: gradients through a loop with `until` are not "
                                         "supported")
        return _scan_pullback(self, inputs, outputs, output_grads)


def _scan_pullback(op: Scan, inputs, outputs, output_grads):
    """Gradient of a Scan as a reverse Scan whose step is ``grad`` of the inner graph."""
    from probgraph.tensor import math as tm
    from probgraph.tensor.grad import grad
    from probgraph.tensor.join import concatenate
    from probgraph.tensor.shape import expand_dims
    n_steps, outer = inputs[0], inputs[1:]
    S, C, Y, N = op.n_seqs, op.n_carry, op.n_ys, op.n_nonseq
    seqs, inits, non_seqs = outer[:S], outer[S:S + C], outer[S + C:]
    traces = outputs[:C]
    inner_in = op.inner.inputs
    inner_carry_out, inner_ys = op.inner.outputs[:C], op.inner.outputs[C:C + Y]
    fc = [k for k in range(C) if is_float(inits[k].dtype)]          # differentiable carries
    fy = [k for k in range(Y) if is_float(inner_ys[k].dtype) and output_grads[C + k] is not None]
    # --- the backward step's own placeholders
    b_seq = [v.clone() for v in inner_in[:S]]
    b_cprev = [inner_in[S + k].clone() for k in range(C)]
    b_gtrace = [inner_carry_out[k].type(f"g_trace{k}") for k in fc]
    b_gys = [inner_ys[k].type(f"g_y{k}") for k in fy]
    b_gc = [inner_carry_out[k].type(f"g_carry{k}") for k in fc]
    b_nonseq = [v.clone() for v in inner_in[S + C:]]
    fnz = [j for j in range(N) if is_float(inner_in[S + C + j].dtype)]
    b_acc = [inner_in[S + C + j].type(f"g_acc{j}") for j in fnz]
    # inner forward graph re-expressed on the backward placeholders
    repl = dict(zip(inner_in, [*b_seq, *b_cprev, *b_nonseq]))
    step_outs = clone_replace(list(op.inner.outputs[:C + Y]), repl)
    known = {}
    for k, gt, gc in zip(fc, b_gtrace, b_gc):
        known[step_outs[k]] = gt + gc
    for k, gy in zip(fy, b_gys):
        known[step_outs[C + k]] = gy
    wrt = [*b_seq, *[b_cprev[k] for k in fc], *[b_nonseq[j] for j in fnz]]
    if known:
        gs = grad(None, wrt, known_grads=known, disconnected_inputs="ignore")
    else:
        gs = [tm.zeros_like(w) for w in wrt]
    # the forward loop stored each step's new carries: where the gradient reads one (tanh's
    # pullback reads its output), read the stored value instead of recomputing the step
    b_out, out_k = [], []
    for k in range(C):
        if step_outs[k].owner is not None and is_float(step_outs[k].dtype):
            b_out.append(step_outs[k].type(f"out{k}"))
            out_k.append(k)
    if b_out:
        gs = clone_replace(gs, {step_outs[k]: ph for k, ph in zip(out_k, b_out)})
        used = {id(v) for v in ancestors(gs)}
        out_k = [k for k, ph in zip(out_k, b_out) if id(ph) in used]
        b_out = [ph for ph in b_out if id(ph) in used]
    g_seq_t = gs[:S]
    g_cprev = gs[S:S + len(fc)]
    g_ns_t = gs[S + len(fc):]
    new_acc = [a + g for a, g in zip(b_acc, g_ns_t)]
    float_seq = [i for i in range(S) if is_float(seqs[i].dtype)]
    b_inner = Graph([*b_seq, *b_cprev, *b_gtrace, *b_gys, *b_out, *b_gc, *b_acc, *b_nonseq],
                    [*g_cprev, *new_acc, *[g_seq_t[i] for i in float_seq]])
    # lift free variables of the backward step (e.g. outer graph values) into non-sequences
    b_inner, extra_outer = _lift_free(b_inner)
    bop = Scan(b_inner, n_seqs=len(b_seq) + C + len(fc) + len(fy) + len(b_out),
               n_carry=len(fc) + len(fnz),
               n_ys=len(float_seq), n_nonseq=N + len(extra_outer),
               name=f"grad_of_{op.name or 'scan'}")
    # outer sequences, reversed in time
    n = n_steps
    # the carry entering step t: the initial value, then the trace shifted by one
    c_prev_outer = [concatenate([expand_dims(inits[k], 0), traces[k][:-1]], axis=0)
                    for k in range(C)]
    g_trace_outer = [output_grads[k] if output_grads[k] is not None else tm.zeros_like(traces[k])
                     for k in fc]
    g_ys_outer = [output_grads[C + k] for k in fy]
    seq_outer = [v[::-1] for v in [*[s[:n] for s in seqs], *c_prev_outer, *g_trace_outer,
                                   *g_ys_outer, *[traces[k] for k in out_k]]]
    init_outer = [tm.zeros_like(inits[k]) for k in fc] + [tm.zeros_like(non_seqs[j]) for j in fnz]
    res = bop(n, *seq_outer, *init_outer, *non_seqs, *extra_outer)
    res = res if isinstance(res, list) else [res]
    traces_b = res[:len(fc) + len(fnz)]
    g_seq_stacks = res[len(fc) + len(fnz):]
    # results: final carries are the last entries of the backward traces
    result: list = [None]  # n_steps
    g_seq_full = [None] * S
    for i, st in zip(float_seq, g_seq_stacks):
        g = st[::-1]
        s = seqs[i]
        if s.type.shape[0] is None or s.type.shape[0] != g.type.shape[0]:
            from probgraph.tensor.subtensor import inc_subtensor
            g = inc_subtensor(tm.zeros_like(s)[:n], g)
        g_seq_full[i] = g
    result += g_seq_full
    g_init = [None] * C
    for idx, k in enumerate(fc):
        g_init[k] = traces_b[idx][-1]
    result += g_init
    g_ns = [None] * N
    for idx, j in enumerate(fnz):
        g_ns[j] = traces_b[len(fc) + idx][-1]
    result += g_ns
    return result


def _lift_free(inner: Graph):
    """Replace owner-less non-constant variables that are not inputs of ``inner`` by new inputs."""
    free = [v for v in inner.free_inputs if not isinstance(v, Constant)]
    if not free:
        return inner, []
    placeholders = [v.type(v.name) for v in free]
    outs = clone_replace(list(inner.outputs), dict(zip(free, placeholders)))
    return Graph([*inner.inputs, *placeholders], outs), free


class until:  # noqa: N801 - Theano's name
    """Stop condition returned by a scan step: ``return new_x, until(new_x > 10)``."""

    def __init__(self, condition):
        from probgraph.tensor.basic import as_tensor
        self.condition = as_tensor(condition)
        if self.condition.ndim != 0:
            raise ValueError("scan: until() needs a scalar condition")


def _seq_spec(s):
    if isinstance(s, dict):
        return s["input"], tuple(s.get("taps", [0]) or [0])
    return s, (0,)


def _out_spec(o):
    """(kind, initial, taps) for one outputs_info entry."""
    if o is None:
        return "nitsot", None, ()
    if isinstance(o, dict):
        init = o.get("initial")
        if init is None:
            return "nitsot", None, ()
        taps = tuple(sorted(o.get("taps", [-1]) or [-1]))
        if any(t >= 0 for t in taps):
            raise ValueError(f"scan: output taps must be negative, got {taps}")
        return ("sitsot" if taps == (-1,) else "mitsot"), init, taps
    return "sitsot", o, (-1,)


def _parse_return(ret):
    """Split what the step function returned into (outputs, updates, until-condition)."""
    updates, stop = {}, None
    items = list(ret) if isinstance(ret, (list, tuple)) else [ret]
    outs = []
    for item in items:
        if isinstance(item, until):
            stop = item.condition
        elif isinstance(item, dict):
            updates.update(item)
        elif isinstance(item, (list, tuple)) and item and all(
                isinstance(p, tuple) and len(p) == 2 for p in item):
            updates.update(dict(item))
        elif isinstance(item, (list, tuple)):
            outs.extend(item)
        else:
            outs.append(item)
    return outs, updates, stop


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None,
         go_backwards: bool = False, name: str | None = None, strict: bool = False,
         return_list: bool = False, return_updates: bool = True):
    """Theano's symbolic loop.

    ``fn`` receives the current slices of each sequence (one per tap), the previous values of each
    fed-back output (one per tap), then the non-sequences, and returns the new outputs, optionally
    with a dict of shared-variable updates and/or an ``until(condition)``.

    Returns ``(outputs, updates)``: outputs stacked over steps (``(n_steps, ...)``), a single
    variable when there is one output (unless ``return_list``); ``updates`` can be passed to
    ``pg.function``.

    Examples
    --------
    >>> import probgraph as pg, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> zero = pt.constant(0.0)
    >>> csum, _ = pg.scan(lambda x_t, acc: acc + x_t, sequences=[x], outputs_info=[zero])
    >>> csum.eval({x: [1.0, 2.0, 3.0]})
    array([1., 3., 6.])
    """
    from probgraph.tensor import math as tm
    from probgraph.tensor.basic import as_tensor, constant
    from probgraph.tensor.join import concatenate
    from probgraph.tensor.shape import expand_dims
    label = name or "scan"
    seqs = [sequences] if isinstance(sequences, (Variable, dict)) else list(sequences or [])
    outs_info = [outputs_info] if isinstance(outputs_info, (Variable, dict)) else \
        list(outputs_info or [])
    if not isinstance(outputs_info, (list, tuple)) and outputs_info is not None and \
            not isinstance(outputs_info, (Variable, dict)):
        outs_info = [outputs_info]
    nonseqs = [non_sequences] if isinstance(non_sequences, Variable) else list(non_sequences or [])
    nonseqs = [as_tensor(v) for v in nonseqs]

    # --- sequences: one shifted slice per tap, all of length n
    seq_slices, lengths = [], []
    for s in seqs:
        x, taps = _seq_spec(s)
        x = as_tensor(x)
        if x.ndim == 0:
            raise ValueError(f"{label}: a sequence must have at least one dimension, got scalar "
                             f"{x}")
        if go_backwards:
            x = x[::-1]
        lo, hi = min(min(taps), 0), max(max(taps), 0)
        static = x.type.shape[0]
        lengths.append(static - (hi - lo) if static is not None else x.shape[0] - (hi - lo))
        for k in taps:
            seq_slices.append((x, k - lo, hi - k))
    if n_steps is None:
        if not lengths:
            raise ValueError(f"{label}: give n_steps or at least one sequence")
        if all(isinstance(ln, int) for ln in lengths):
            n = constant(min(lengths))
        else:
            n = lengths[0]
            for ln in lengths[1:]:
                n = tm.minimum(n, ln)
    else:
        n = as_tensor(n_steps)
    n = n if n.dtype == "int64" else n.astype("int64")
    outer_seqs = []
    for x, start, end_cut in seq_slices:
        stop = x.shape[0] - end_cut if end_cut else None
        v = x[start:stop] if (start or stop is not None) else x
        outer_seqs.append(v[:n])
    seq_ph = [TensorType(v.dtype, v.type.shape[1:])(f"{label}_seq{i}")
              for i, v in enumerate(outer_seqs)]

    # --- outputs fed back: placeholders for every tap
    specs = [_out_spec(o) for o in outs_info]
    fn_out_args, carry_ph, carry_init = [], [], []
    for k, (kind, init, taps) in enumerate(specs):
        if kind == "nitsot":
            continue
        init = as_tensor(init)
        if kind == "sitsot":
            ph = init.type(f"{label}_out{k}")
            fn_out_args.append(ph)
            carry_ph.append(ph)
            carry_init.append(init)
        else:
            lag = -taps[0]
            if init.ndim == 0:
                raise ValueError(f"{label}: output {k} has taps {taps}; its initial value needs a "
                                 f"leading axis of length {lag}")
            if init.type.shape[0] is not None and init.type.shape[0] < lag:
                raise ValueError(f"{label}: output {k} has taps {taps} reaching {lag} steps back, "
                                 f"but its initial value has only {init.type.shape[0]} entries")
            buf0 = init[init.shape[0] - lag:] if init.type.shape[0] != lag else init
            buf = TensorType(init.dtype, (lag, *init.type.shape[1:]))(f"{label}_buf{k}")
            fn_out_args.extend(buf[lag + t] for t in taps)
            carry_ph.append(buf)
            carry_init.append(buf0)
    nonseqs_sym = [v for v in nonseqs if not isinstance(v, Constant)]
    sym_ph = iter([v.type(v.name) for v in nonseqs_sym])
    fn_nonseq = [v if isinstance(v, Constant) else next(sym_ph) for v in nonseqs]
    nonseq_ph = [p for p in fn_nonseq if not isinstance(p, Constant)]

    ret = fn(*seq_ph, *fn_out_args, *fn_nonseq)
    outs, updates, stop = _parse_return(ret)
    if not specs:
        specs = [("nitsot", None, ())] * len(outs)
    if len(outs) != len(specs):
        raise ValueError(f"{label}: the step function returned {len(outs)} outputs but "
                         f"outputs_info has {len(specs)} entries")
    outs = [as_tensor(o) for o in outs]

    # --- new carries and per-step outputs
    new_carries, ys, result_map = [], [], []
    ci = 0
    for k, ((kind, init, taps), o) in enumerate(zip(specs, outs)):
        if kind == "nitsot":
            result_map.append(("y", len(ys)))
            ys.append(o)
            continue
        ph, x0 = carry_ph[ci], carry_init[ci]
        want = x0.type.shape if kind == "sitsot" else x0.type.shape[1:]
        if o.ndim != len(want) or any(a is not None and b is not None and a != b
                                      for a, b in zip(o.type.shape, want)):
            raise ValueError(f"{label} output {k} has shape {format_shape(o.type.shape)} but its "
                             f"initial value has shape {format_shape(want)}")
        if o.dtype != x0.dtype:
            if isinstance(x0, Constant):
                x0 = constant(np.asarray(x0.data).astype(o.dtype))
                carry_init[ci] = x0
                ph2 = x0.type(ph.name) if kind == "sitsot" else TensorType(o.dtype,
                                                                           ph.type.shape)(ph.name)
                outs_r = clone_replace([o], {ph: ph2})
                o = outs_r[0]
                carry_ph[ci] = ph2
                ph = ph2
            elif np.can_cast(o.dtype, x0.dtype, "same_kind"):
                o = o.astype(x0.dtype)
            else:
                raise TypeError(f"{label} output {k} has dtype {o.dtype} but its initial value has "
                                f"dtype {x0.dtype}")
        if kind == "sitsot":
            new_carries.append(o)
            result_map.append(("carry", ci))
        else:
            new_carries.append(concatenate([ph[1:], expand_dims(o, 0)], axis=0))
            result_map.append(("y", len(ys)))
            ys.append(o)
        ci += 1
    # shared-variable updates become extra carries
    upd_targets = list(updates)
    for sv in upd_targets:
        ph = sv.type(f"{label}_{sv.name or 'shared'}")
        carry_ph.append(ph)
        carry_init.append(sv)
        new_carries.append(as_tensor(updates[sv]).astype(sv.dtype))
    if upd_targets:
        repl = {sv: carry_ph[len(carry_ph) - len(upd_targets) + i]
                for i, sv in enumerate(upd_targets)}
        replaced = clone_replace([*new_carries, *ys, *([stop] if stop is not None else [])], repl)
        new_carries = replaced[:len(new_carries)]
        ys = replaced[len(new_carries):len(new_carries) + len(ys)]
        stop = replaced[-1] if stop is not None else None
    inner_outs = [*new_carries, *ys] + ([stop] if stop is not None else [])
    inner = Graph([*seq_ph, *carry_ph, *nonseq_ph], inner_outs)
    inner, lifted = _lift_free(inner)
    outer_nonseqs = nonseqs_sym + lifted
    op = Scan(inner, len(seq_ph), len(carry_ph), len(ys), len(outer_nonseqs),
              as_while=stop is not None, name=name)
    res = op(n, *outer_seqs, *carry_init, *outer_nonseqs)
    res = res if isinstance(res, list) else [res]
    traces, stacks = res[:len(carry_ph)], res[len(carry_ph):]
    results = [traces[i] if kind == "carry" else stacks[i] for kind, i in result_map]
    new_updates = {sv: traces[len(carry_ph) - len(upd_targets) + i][-1]
                   for i, sv in enumerate(upd_targets)}
    if len(results) == 1 and not return_list:
        results = results[0]
    return (results, new_updates) if return_updates else results
