"""Joining and repeating tensors: concatenate (Join op), stack, h/vstack, split, tile, repeat."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Variable
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, format_shape, is_float, upcast

__all__ = ["Join", "concatenate", "stack", "hstack", "vstack", "split", "tile", "repeat"]


def _merge_dims(xs, skip_axis: int | None, opname: str) -> list:
    """Static sizes shared by ``xs`` on every axis but ``skip_axis``; a clash names both shapes."""
    out = []
    for d in range(xs[0].ndim):
        size = None
        for x in xs:
            s = x.type.shape[d]
            if d == skip_axis or s is None:
                continue
            if size is not None and s != size:
                first = next(j for j, y in enumerate(xs) if y.type.shape[d] == size)
                raise ValueError(
                    f"{opname}: {xs[first]} has shape {format_shape(xs[first].type.shape)} but "
                    f"{x} has shape {format_shape(x.type.shape)}; they differ at axis {d}"
                    + ("" if skip_axis is None else f" (only axis {skip_axis} may differ)"))
            size = s
        out.append(size)
    return out


def _axis(axis: int, ndim: int, opname: str) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"{opname}: axis {axis} is out of bounds for {ndim}-d tensors")
    return axis % ndim


class Join(Op):
    """Concatenate tensors of equal dtype and ndim along ``axis`` (``numpy.concatenate``).

    ``__props__ = ("axis",)``: a non-negative axis. Inputs: the tensors (already cast to one dtype).
    """

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, *tensors) -> Apply:
        from probgraph.tensor.basic import as_tensor
        from probgraph.tensor.math import cast
        xs = [as_tensor(t) for t in tensors]
        if not xs:
            raise ValueError("concatenate: need at least one tensor")
        if any(x.ndim != xs[0].ndim for x in xs):
            raise ValueError("concatenate: all tensors must have the same number of dimensions, "
                             "got "
                             + ", ".join(f"{x} {format_shape(x.type.shape)}" for x in xs))
        if xs[0].ndim == 0:
            raise ValueError("concatenate: 0-d tensors cannot be concatenated; use stack")
        _axis(self.axis, xs[0].ndim, "concatenate")
        dtype = upcast(*[x.dtype for x in xs])
        xs = [cast(x, dtype) for x in xs]
        shape = _merge_dims(xs, self.axis, "concatenate")
        sizes = [x.type.shape[self.axis] for x in xs]
        shape[self.axis] = None if None in sizes else sum(sizes)
        return Apply(self, xs, [TensorType(dtype, tuple(shape))])

    def perform(self, node, inputs):
        return [np.concatenate(inputs, axis=self.axis)]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor.shape import shape
        g = output_grads[0]
        grads, start = [], 0
        for x in inputs:
            n = x.type.shape[self.axis]
            stop = start + (n if n is not None else shape(x)[self.axis])
            if is_float(x.dtype):
                grads.append(g[(slice(None),) * self.axis + (slice(start, stop),)])
            else:
                grads.append(None)
            start = stop
        return grads


def concatenate(tensors, axis: int = 0) -> Variable:
    """Join tensors along an existing axis, as ``numpy.concatenate``.

    All dimensions but ``axis`` must agree; a static clash raises a ``ValueError`` naming both
    shapes.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a, b = pt.dvector("a"), pt.dvector("b")
    >>> pt.concatenate([a, b]).eval({a: [1.0], b: [2.0, 3.0]})
    array([1., 2., 3.])
    """
    from probgraph.tensor.basic import as_tensor
    xs = [as_tensor(t) for t in tensors]
    if not xs:
        raise ValueError("concatenate: need at least one tensor")
    if len(xs) == 1:
        return xs[0]
    return Join(_axis(axis, max(xs[0].ndim, 1), "concatenate"))(*xs)


def stack(tensors, axis: int = 0) -> Variable:
    """Join equally shaped tensors along a new axis, as ``numpy.stack``.

    Python numbers among them adopt the dtype of the tensors.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.dscalar("a")
    >>> pt.stack([a, 2 * a, 0.0]).eval({a: 1.5})
    array([1.5, 3. , 0. ])
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    from probgraph.tensor.shape import expand_dims
    xs = as_tensor_inputs(list(tensors))
    if not xs:
        raise ValueError("stack: need at least one tensor")
    if any(x.ndim != xs[0].ndim for x in xs):
        raise ValueError("stack: all tensors must have the same shape, got "
                         + ", ".join(f"{x} {format_shape(x.type.shape)}" for x in xs))
    _merge_dims(xs, None, "stack")
    axis = _axis(axis, xs[0].ndim + 1, "stack")
    return Join(axis)(*[expand_dims(x, axis) for x in xs])


def _atleast(x, ndim: int):
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import dimshuffle
    x = as_tensor(x)
    if x.ndim >= ndim:
        return x
    if x.ndim == 0:
        return dimshuffle(x, ["x"] * ndim)
    return dimshuffle(x, ["x"] * (ndim - x.ndim) + list(range(x.ndim)))


def hstack(tensors) -> Variable:
    """Concatenate column-wise (along axis 0 for vectors, 1 otherwise), as ``numpy.hstack``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.dmatrix("a")
    >>> pt.hstack([a, a]).eval({a: [[1.0], [2.0]]})
    array([[1., 1.],
           [2., 2.]])
    """
    xs = [_atleast(t, 1) for t in tensors]
    return concatenate(xs, axis=0 if xs and xs[0].ndim == 1 else 1)


def vstack(tensors) -> Variable:
    """Concatenate row-wise (vectors become rows), as ``numpy.vstack``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.dvector("a")
    >>> pt.vstack([a, a]).eval({a: [1.0, 2.0]})
    array([[1., 2.],
           [1., 2.]])
    """
    return concatenate([_atleast(t, 2) for t in tensors], axis=0)


def split(x, indices_or_sections, axis: int = 0) -> list[Variable]:
    """Split ``x`` into a list of slices along ``axis``, as ``numpy.split`` (constant split points).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dvector("x", shape=(4,))
    >>> [p.eval({x: np.arange(4.0)}) for p in pt.split(x, [1])]
    [array([0.]), array([1., 2., 3.])]
    """
    from probgraph.tensor.basic import as_tensor
    x = as_tensor(x)
    axis = _axis(axis, x.ndim, "split")
    if np.ndim(indices_or_sections) == 0:
        k, n = int(indices_or_sections), x.type.shape[axis]
        if n is None:
            raise ValueError(f"split: splitting {x} into {k} sections needs a static length on "
                             f"axis {axis}; give explicit split points instead")
        if k <= 0 or n % k:
            raise ValueError(f"split: axis {axis} of {x} (length {n}) does not divide into {k} "
                             "equal sections")
        points = [i * (n // k) for i in range(1, k)]
    else:
        points = [int(p) for p in indices_or_sections]
    bounds = [None, *points, None]
    lead = (slice(None),) * axis
    return [x[(*lead, slice(a, b))] for a, b in zip(bounds[:-1], bounds[1:])]


def _dim(x, i):
    """Static size of axis ``i`` of ``x``, or its symbolic size."""
    from probgraph.tensor.shape import shape
    n = x.type.shape[i]
    return n if n is not None else shape(x)[i]


def tile(x, reps) -> Variable:
    """Repeat the whole of ``x`` ``reps`` (constant) times along each axis, as ``numpy.tile``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> pt.tile(x, (2, 2)).eval({x: [1.0, 2.0]})
    array([[1., 2., 1., 2.],
           [1., 2., 1., 2.]])
    """
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import broadcast_to, dimshuffle, pad_left, reshape
    x = as_tensor(x)
    if isinstance(reps, Variable):
        raise TypeError("tile: reps must be constant integers")
    reps = [int(r) for r in np.atleast_1d(reps)]
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative, got {reps}")
    ndim = max(x.ndim, len(reps))
    x = pad_left(x, ndim)
    reps = [1] * (ndim - len(reps)) + reps
    if all(r == 1 for r in reps):
        return x
    pattern, target, final = [], [], []
    for i, r in enumerate(reps):
        n = _dim(x, i)
        pattern += ["x", i] if r != 1 else [i]
        target += [r, n] if r != 1 else [n]
        final.append(r * n)
    return reshape(broadcast_to(dimshuffle(x, pattern), target), final)


def repeat(x, repeats, axis: int | None = None) -> Variable:
    """Repeat each element of ``x`` along ``axis`` (flattened ``x`` when None), as ``numpy.repeat``.

    ``repeats`` is a constant: one count for every element, or a count per element along ``axis``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x = pt.dvector("x")
    >>> pt.repeat(x, 2).eval({x: [1.0, 2.0]})
    array([1., 1., 2., 2.])
    >>> pt.repeat(x, [1, 3]).eval({x: [1.0, 2.0]})
    array([1., 2., 2., 2.])
    """
    from probgraph.tensor.basic import as_tensor, constant
    from probgraph.tensor.shape import broadcast_to, dimshuffle, flatten, reshape
    from probgraph.tensor.subtensor import take
    x = as_tensor(x)
    if isinstance(repeats, Variable):
        raise TypeError("repeat: repeats must be constant integers")
    if axis is None:
        x, axis = flatten(x) if x.ndim != 1 else x, 0
    axis = _axis(axis, x.ndim, "repeat")
    counts = np.asarray(repeats)
    if counts.dtype.kind not in "iu" or np.any(counts < 0):
        raise ValueError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    if counts.ndim == 1:
        n = x.type.shape[axis]
        if n is not None and counts.size != n:
            raise ValueError(f"repeat: {counts.size} counts given for axis {axis} of {x}, which "
                             f"has length {n}")
        return take(x, constant(np.repeat(np.arange(counts.size), counts)), axis=axis)
    r = int(counts)
    if r == 1:
        return x
    dims = [_dim(x, i) for i in range(x.ndim)]
    pattern = [*range(axis + 1), "x", *range(axis + 1, x.ndim)]
    wide = broadcast_to(dimshuffle(x, pattern), [*dims[:axis + 1], r, *dims[axis + 1:]])
    return reshape(wide, [*dims[:axis], dims[axis] * r, *dims[axis + 1:]])
