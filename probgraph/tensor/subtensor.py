"""Indexing: basic and advanced ``x[idx]``, set/inc_subtensor and take, with scatter-add gradients.

Index descriptions (the ``idx`` prop of every op here) are tuples with one entry per indexed axis:

* an ``int`` — a constant index (negative counts from the end); the axis is dropped;
* ``"i"`` — an index read from the next symbolic integer scalar input; the axis is dropped;
* ``(start, stop, step)`` — a slice; each part is ``None``, an ``int`` or ``"i"``
  (a scalar input);
* ``"a"`` — an integer index array from the next input (advanced indexing only; any ndim, even 0);
* ``"b"`` — a boolean mask from the next input, covering ``mask.ndim`` axes (advanced only).

Axes after the last entry are taken whole. Symbolic inputs follow ``x`` (and ``y`` for the inc ops)
in the order their placeholders appear, a slice's parts in start, stop, step order.
"""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Constant, Variable
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, format_shape, is_float, is_int

SCALAR, ARRAY, MASK = "i", "a", "b"
FULL = (None, None, None)

__all__ = ["getitem", "set_subtensor", "inc_subtensor", "take", "Subtensor", "AdvancedSubtensor",
           "IncSubtensor", "AdvancedIncSubtensor"]


# --------------------------------------------------------------------- index descriptions
def format_idx(idx) -> str:
    """``(0, (1, None, None), "a")`` → ``"[0, 1:, a]"`` (for printing ops)."""
    def one(e):
        if isinstance(e, tuple):
            start, stop, step = ("" if p is None else str(p) for p in e)
            return f"{start}:{stop}" + (f":{step}" if e[2] is not None else "")
        return str(e)
    return "[" + ", ".join(one(e) for e in idx) + "]"


def numpy_index(idx, values) -> tuple:
    """The numpy index tuple for description ``idx`` given the values of its symbolic inputs."""
    it = iter(values)
    out = []
    for e in idx:
        if isinstance(e, tuple):
            out.append(slice(*[int(next(it)) if p == SCALAR else p for p in e]))
        elif e == SCALAR:
            out.append(int(next(it)))
        elif e in (ARRAY, MASK):
            out.append(np.asarray(next(it)))
        else:
            out.append(e)
    return tuple(out)


def _n_inputs(idx) -> int:
    n = 0
    for e in idx:
        if isinstance(e, tuple):
            n += sum(p == SCALAR for p in e)
        elif e in (SCALAR, ARRAY, MASK):
            n += 1
    return n


def _slice_len(entry, n):
    """Static length of slicing a dimension of static size ``n`` (None if unknown)."""
    if entry in (FULL, (None, None, -1)):
        return n
    if n is None or SCALAR in entry:
        return None
    return len(range(*slice(*entry).indices(n)))


def _check_scalar_index(v: Variable, what: str) -> None:
    if v.ndim != 0 or not is_int(v.dtype) or v.dtype == "bool":
        raise IndexError(f"{what} must be an integer scalar, got {v} of type {v.type}")


def _check_inputs(op, x, index_inputs, advanced: bool) -> None:
    if len(index_inputs) != _n_inputs(op.idx):
        raise TypeError(f"{op}: expected {_n_inputs(op.idx)} index inputs, got {len(index_inputs)}")
    if advanced != any(e in (ARRAY, MASK) for e in op.idx):
        raise TypeError(f"{op}: index arrays belong to the Advanced* ops, ints and slices alone to "
                        "the basic ones")
    if x.ndim < _n_axes(op.idx, index_inputs):
        raise IndexError(f"{op}: too many indices for {x} with shape {format_shape(x.type.shape)}")


def _n_axes(idx, index_inputs) -> int:
    """Number of axes of ``x`` the description covers."""
    it = iter(index_inputs)
    n = 0
    for e in idx:
        if isinstance(e, tuple):
            for p in e:
                if p == SCALAR:
                    next(it, None)
            n += 1
        elif e == MASK:
            n += next(it).ndim
        else:
            if e in (SCALAR, ARRAY):
                next(it, None)
            n += 1
    return n


def _out_of_bounds(x, axis, index) -> IndexError:
    return IndexError(f"index {index} is out of bounds for axis {axis} of {x} with shape "
                      f"{format_shape(x.type.shape)}")


def _basic_shape(x, idx) -> tuple:
    """Static shape of ``x[idx]`` for a basic index description; checks constant indices."""
    out = []
    for axis, e in enumerate(idx):
        n = x.type.shape[axis]
        if isinstance(e, tuple):
            out.append(_slice_len(e, n))
        elif e != SCALAR and n is not None and not -n <= e < n:
            raise _out_of_bounds(x, axis, e)
    return tuple(out) + x.type.shape[len(idx):]


def _advanced_shape(x, idx, inputs) -> tuple:
    """Static shape of ``x[idx]`` with numpy's advanced-indexing rules; checks constant indices."""
    from probgraph.tensor.elemwise import broadcast_shapes
    it = iter(inputs)
    axis, parts, adv_shapes, adv_pos = 0, [], [], []
    for pos, e in enumerate(idx):
        if isinstance(e, tuple):
            for p in e:
                if p == SCALAR:
                    _check_scalar_index(next(it), "a slice bound")
            parts.append(_slice_len(e, x.type.shape[axis]))
            axis += 1
            continue
        v = next(it)
        if e == ARRAY:
            _check_index_array(x, axis, v)
            adv_shapes.append(v.type.shape)
            axis += 1
        else:
            adv_shapes.append(_mask_shape(x, axis, v))
            axis += v.ndim
        adv_pos.append(pos)
        parts.append(ARRAY)
    ndim = max(len(s) for s in adv_shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in adv_shapes]
    try:
        bshape = broadcast_shapes(padded, "index arrays")
    except ValueError:
        raise IndexError("shape mismatch: index arrays could not be broadcast together with shapes "
                         + " ".join(format_shape(s) for s in adv_shapes)) from None
    rest = [p for p in parts if p != ARRAY]
    if adv_pos == list(range(adv_pos[0], adv_pos[-1] + 1)):
        first = parts.index(ARRAY)
        shape = rest[:first] + list(bshape) + rest[first:]
    else:  # advanced indices separated by a slice: their dimensions go first (numpy's rule)
        shape = list(bshape) + rest
    return tuple(shape) + x.type.shape[axis:]


def _check_index_array(x, axis, v) -> None:
    if not is_int(v.dtype) or v.dtype == "bool":
        raise IndexError(f"index arrays must have an integer dtype, got {v} of type {v.type}")
    n = x.type.shape[axis]
    if isinstance(v, Constant) and n is not None and np.size(v.data):
        data = np.asarray(v.data)
        bad = data[(data < -n) | (data >= n)]
        if bad.size:
            raise _out_of_bounds(x, axis, int(bad.flat[0]))


def _mask_shape(x, axis, v) -> tuple:
    if v.dtype != "bool":
        raise IndexError(f"a mask index must be boolean, got {v} of type {v.type}")
    covered = x.type.shape[axis:axis + v.ndim]
    if len(covered) < v.ndim or any(a is not None and b is not None and a != b
                                    for a, b in zip(covered, v.type.shape)):
        raise IndexError(f"boolean mask {v} of shape {format_shape(v.type.shape)} does not match "
                         f"axes {axis}.. of {x} with shape {format_shape(x.type.shape)}")
    return (int(np.count_nonzero(v.data)) if isinstance(v, Constant) else None,)


def _check_value_shape(op, x, y, indexed_shape) -> None:
    """``y`` must broadcast (statically) to the shape of the indexed region ``x[idx]``."""
    ok = y.ndim <= len(indexed_shape) and all(
        b in (1, None) or a is None or a == b
        for a, b in zip(indexed_shape[len(indexed_shape) - y.ndim:], y.type.shape))
    if not ok:
        raise ValueError(f"{op}: cannot broadcast the value {y} of shape "
                         f"{format_shape(y.type.shape)} into the indexed region of {x}, of shape "
                         f"{format_shape(indexed_shape)}")


def _as_value(x, y, op):
    from probgraph.tensor.basic import as_tensor, constant
    from probgraph.tensor.math import cast
    value = None if isinstance(y, Variable) else np.asarray(y)
    y = as_tensor(y)
    if y.dtype != x.dtype:
        if not np.can_cast(y.dtype, x.dtype, "same_kind"):
            raise TypeError(f"{op}: cannot write values of dtype {y.dtype} ({y}) into {x} of dtype "
                            f"{x.dtype}; cast them first with .astype({x.dtype!r})")
        # plain numbers and arrays become constants of x's dtype; variables get a Cast
        y = cast(y, x.dtype) if value is None else constant(value.astype(x.dtype))
    return y


# --------------------------------------------------------------------- ops
class Subtensor(Op):
    """Basic indexing ``x[idx]`` (ints and slices) — a view in numpy.

    ``__props__ = ("idx",)``: the index description (see the module docstring; only ints, ``"i"``
    and slice tuples). Inputs: ``x``, then one integer scalar per ``"i"`` placeholder.
    """

    __props__ = ("idx",)

    def __init__(self, idx):
        self.idx = tuple(idx)

    def __str__(self):
        return f"Subtensor{{{format_idx(self.idx)}}}"

    def make_node(self, x, *scalars) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        scalars = [as_tensor(s) for s in scalars]
        _check_inputs(self, x, scalars, False)
        for s in scalars:
            _check_scalar_index(s, "a symbolic index")
        return Apply(self, [x, *scalars], [TensorType(x.dtype, _basic_shape(x, self.idx))])

    def perform(self, node, inputs):
        x, *scalars = inputs
        return [np.asarray(x[numpy_index(self.idx, scalars)])]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor.math import zeros_like
        x, *scalars = inputs
        nones = [None] * len(scalars)
        if not is_float(x.dtype):
            return [None, *nones]
        return [IncSubtensor(self.idx, False)(zeros_like(x), output_grads[0], *scalars), *nones]


class AdvancedSubtensor(Op):
    """Advanced (numpy "fancy") indexing: a gather ``x[idx]`` with integer arrays and/or masks.

    ``__props__ = ("idx",)``: the index description (see the module docstring): ``"a"`` index
    arrays, ``"b"`` masks and slice tuples (whose symbolic bounds are ``"i"``). Inputs: ``x``, then
    the index arrays, masks and slice bounds in the order they appear. numpy's rules apply: the
    index arrays broadcast together, and their dimensions replace the indexed axes in place when
    they are adjacent, or go first when a slice separates them.
    """

    __props__ = ("idx",)

    def __init__(self, idx):
        self.idx = tuple(idx)

    def __str__(self):
        return f"AdvancedSubtensor{{{format_idx(self.idx)}}}"

    def make_node(self, x, *index_inputs) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        index_inputs = [as_tensor(i) for i in index_inputs]
        _check_inputs(self, x, index_inputs, True)
        shape = _advanced_shape(x, self.idx, index_inputs)
        return Apply(self, [x, *index_inputs], [TensorType(x.dtype, shape)])

    def perform(self, node, inputs):
        x, *index = inputs
        return [np.asarray(x[numpy_index(self.idx, index)])]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor.math import zeros_like
        x, *index = inputs
        nones = [None] * len(index)
        if not is_float(x.dtype):
            return [None, *nones]
        # a scatter-add of the output gradient into zeros (never a dense one-hot matrix)
        scatter = AdvancedIncSubtensor(self.idx, False)
        return [scatter(zeros_like(x), output_grads[0], *index), *nones]


class IncSubtensor(Op):
    """``x`` with ``x[idx]`` set to ``y`` (``set_instead_of_inc=True``) or incremented by ``y``.

    ``__props__ = ("idx", "set_instead_of_inc")``: ``idx`` is a basic index description as for
    :class:`Subtensor`. Inputs: ``x``, ``y`` (cast to ``x``'s dtype, broadcasting to ``x[idx]``),
    then one integer scalar per ``"i"`` placeholder. ``x`` is copied, never modified.
    """

    __props__ = ("idx", "set_instead_of_inc")

    def __init__(self, idx, set_instead_of_inc: bool = False):
        self.idx = tuple(idx)
        self.set_instead_of_inc = bool(set_instead_of_inc)

    def __str__(self):
        return f"{type(self).__name__}{{{'set' if self.set_instead_of_inc else 'inc'}, " \
               f"{format_idx(self.idx)}}}"

    def _indexed_shape(self, x, index_inputs):
        return _basic_shape(x, self.idx)

    def _gather(self):
        return Subtensor(self.idx)

    def make_node(self, x, y, *index_inputs) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        index_inputs = [as_tensor(i) for i in index_inputs]
        _check_inputs(self, x, index_inputs, isinstance(self, AdvancedIncSubtensor))
        y = _as_value(x, y, self)
        _check_value_shape(self, x, y, self._indexed_shape(x, index_inputs))
        return Apply(self, [x, y, *index_inputs], [x.type])

    def perform(self, node, inputs):
        x, y, *index = inputs
        out = np.array(x, copy=True)
        where = numpy_index(self.idx, index)
        if self.set_instead_of_inc:
            out[where] = y
        else:
            np.add.at(out, where, y)  # repeated indices accumulate
        return [out]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor.basic import constant
        from probgraph.tensor.elemwise import unbroadcast
        x, y, *index = inputs
        g = output_grads[0]
        nones = [None] * len(index)
        if not is_float(x.dtype):
            return [None, None, *nones]
        gx = type(self)(self.idx, True)(g, constant(0, dtype=g.dtype), *index) \
            if self.set_instead_of_inc else g
        gy = unbroadcast(self._gather()(g, *index), y)
        return [gx, gy, *nones]


class AdvancedIncSubtensor(IncSubtensor):
    """``x`` with ``x[idx]`` set to / incremented by ``y`` under advanced indexing (a scatter).

    ``__props__ = ("idx", "set_instead_of_inc")``: ``idx`` is an advanced index description as for
    :class:`AdvancedSubtensor`. Inputs: ``x``, ``y``, then the index inputs. Increments at repeated
    indices accumulate (``numpy.add.at``); a set at repeated indices keeps the last value.
    """

    def _indexed_shape(self, x, index_inputs):
        return _advanced_shape(x, self.idx, index_inputs)

    def _gather(self):
        return AdvancedSubtensor(self.idx)


# --------------------------------------------------------------------- user functions
def _classify(i):
    """One user index → ``(kind, value)``; kind is newaxis, ellipsis, slice, int, array
    or mask."""
    from probgraph.tensor.basic import as_tensor, constant
    if i is None:
        return "newaxis", None
    if i is Ellipsis:
        return "ellipsis", None
    if isinstance(i, slice):
        return "slice", i
    if isinstance(i, (bool, np.bool_)):
        raise IndexError("a boolean scalar is not a supported index; use None to add an axis")
    if isinstance(i, (int, np.integer)):
        return "int", int(i)
    if isinstance(i, (list, tuple)) and len(i) == 0:
        return "array", constant(np.array([], dtype="int64"))
    v = i if isinstance(i, Variable) else as_tensor(i)
    if v.dtype == "bool":
        if v.ndim == 0:
            raise IndexError(f"a boolean scalar ({v}) is not a supported index")
        return "mask", v
    if not is_int(v.dtype):
        raise IndexError(f"only integers, slices, None, Ellipsis and integer or boolean arrays are "
                         f"valid indices; got {v} of dtype {v.dtype}")
    if v.ndim == 0:
        return "int", int(v.data) if isinstance(v, Constant) else v
    return "array", v


def _slice_parts(s: slice, inputs: list) -> tuple:
    from probgraph.tensor.basic import as_tensor
    parts = []
    for p in (s.start, s.stop, s.step):
        if p is None or isinstance(p, (int, np.integer)) and not isinstance(p, bool):
            parts.append(None if p is None else int(p))
            continue
        v = as_tensor(p)
        _check_scalar_index(v, "a slice bound")
        if isinstance(v, Constant):
            parts.append(int(v.data))
        else:
            inputs.append(v)
            parts.append(SCALAR)
    if parts[2] == 0:
        raise ValueError("slice step cannot be zero")
    if parts[2] == 1:
        parts[2] = None
    return tuple(parts)


def _expand(x, entries):
    """Resolve Ellipsis and None (new axes, inserted into ``x``) → ``(x, entries)``."""
    from probgraph.tensor.shape import DimShuffle
    consumed = sum(v.ndim if k == "mask" else 1 for k, v in entries
                   if k not in ("newaxis", "ellipsis"))
    n_ell = sum(k == "ellipsis" for k, _ in entries)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if consumed > x.ndim:
        raise IndexError(f"too many indices for {x} with shape {format_shape(x.type.shape)}: "
                         f"{consumed} axes were indexed but it has {x.ndim}")
    full = ("slice", slice(None))
    out = []
    for k, v in entries:
        out.extend([full] * (x.ndim - consumed) if k == "ellipsis" else [(k, v)])
    if not any(k == "newaxis" for k, _ in out):
        return x, out
    pattern, axis = [], 0
    for k, v in out:
        n = 0 if k == "newaxis" else (v.ndim if k == "mask" else 1)
        pattern.extend(["x"] if k == "newaxis" else range(axis, axis + n))
        axis += n
    pattern.extend(range(axis, x.ndim))
    x = DimShuffle(x.ndim, pattern)(x)
    return x, [full if k == "newaxis" else (k, v) for k, v in out]


def _strip_full(idx: list) -> list:
    while idx and idx[-1] == FULL:
        idx.pop()
    return idx


def _basic_shortcut(x, idx, inputs):
    """``x.shape[k]`` and friends: known values without a node, or None."""
    from probgraph.tensor.basic import constant
    from probgraph.tensor.shape import MakeVector, Shape
    if len(idx) != 1 or not isinstance(idx[0], int) or x.ndim != 1:
        return None
    k = idx[0]
    _basic_shape(x, idx)  # bounds check
    if x.owner is not None and isinstance(x.owner.op, Shape):
        n = x.owner.inputs[0].type.shape[k]
        return None if n is None else constant(np.int64(n))
    if x.owner is not None and isinstance(x.owner.op, MakeVector):
        return x.owner.inputs[k]
    if isinstance(x, Constant) and is_int(x.dtype):
        return constant(np.asarray(x.data)[k])
    return None


def getitem(x, idx):
    """``x[idx]`` with numpy semantics (what ``TensorVariable.__getitem__`` calls).

    Supports ints, slices (constant or symbolic bounds, negative steps), ``...``, ``None``, integer
    arrays (broadcast together, mixed with slices) and boolean masks.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dmatrix("x")
    >>> x[1:, [0, 0]].eval({x: np.arange(6.0).reshape(2, 3)})
    array([[3., 3.]])
    """
    from probgraph.tensor.basic import as_tensor, constant
    x = as_tensor(x)
    entries = [_classify(i) for i in (idx if isinstance(idx, tuple) else (idx,))]
    x, entries = _expand(x, entries)
    advanced = any(k in ("array", "mask") for k, _ in entries)
    desc, inputs = [], []
    for k, v in entries:
        if k == "slice":
            desc.append(_slice_parts(v, inputs))
        elif k in ("array", "mask"):
            desc.append(ARRAY if k == "array" else MASK)
            inputs.append(v)
        elif advanced:  # numpy treats integers as 0-d index arrays next to arrays
            desc.append(ARRAY)
            inputs.append(constant(np.int64(v)) if isinstance(v, int) else v)
        elif isinstance(v, int):
            desc.append(v)
        else:
            desc.append(SCALAR)
            inputs.append(v)
    desc = _strip_full(desc)
    if advanced:
        return AdvancedSubtensor(desc)(x, *inputs)
    if not desc:
        return x
    known = _basic_shortcut(x, desc, inputs)
    return known if known is not None else Subtensor(desc)(x, *inputs)


def _inc(x, y, set_instead_of_inc: bool, fname: str):
    node = getattr(x, "owner", None)
    if node is None or not isinstance(node.op, (Subtensor, AdvancedSubtensor)):
        raise TypeError(f"{fname}: the first argument must be an indexed tensor such as x[idx], "
                        f"got {x}; index the tensor to update inside the call: "
                        f"{fname}(x[idx], y)")
    base, *index = node.inputs
    cls = IncSubtensor if isinstance(node.op, Subtensor) else AdvancedIncSubtensor
    return cls(node.op.idx, set_instead_of_inc)(base, y, *index)


def set_subtensor(x, y):
    """A copy of the tensor indexed by ``x`` with that region set to ``y`` (Theano's spelling).

    ``x`` must be the result of indexing, ``set_subtensor(a[idx], y)``; ``y`` broadcasts to it.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.dvector("a")
    >>> pt.set_subtensor(a[1:], 0.0).eval({a: np.ones(3)})
    array([1., 0., 0.])
    """
    return _inc(x, y, True, "set_subtensor")


def inc_subtensor(x, y):
    """A copy of the tensor indexed by ``x`` with ``y`` added to that region (repeats accumulate).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.dvector("a")
    >>> pt.inc_subtensor(a[[0, 0, 2]], 1.0).eval({a: np.zeros(3)})
    array([2., 0., 1.])
    """
    return _inc(x, y, False, "inc_subtensor")


def take(x, indices, axis=None):
    """Elements of ``x`` at ``indices`` along ``axis`` (flattened ``x`` when None): ``numpy.take``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dmatrix("x")
    >>> pt.take(x, [2, 0], axis=1).eval({x: np.arange(6.0).reshape(2, 3)})
    array([[2., 0.],
           [5., 3.]])
    """
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import flatten
    x = as_tensor(x)
    if axis is None:
        return getitem(flatten(x) if x.ndim != 1 else x, indices)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"take: axis {axis} is out of bounds for {x} with {x.ndim} dimensions")
    return getitem(x, (slice(None),) * (axis % x.ndim) + (indices,))
