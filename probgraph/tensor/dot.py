"""Products of tensors: dot, matmul (batched), outer, inner, vdot and tensordot, built on the Dot
and MatMul ops."""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Variable
from probgraph.graph.op import Op
from probgraph.tensor.type import TensorType, format_shape, is_float, upcast

__all__ = ["Dot", "MatMul", "dot", "inner", "matmul", "outer", "tensordot", "vdot"]


def _describe(x: Variable) -> str:
    shape = format_shape(x.type.shape)
    return f"{x.name} {shape}" if x.name else shape


def _product_dtype(a: Variable, b: Variable) -> str:
    return upcast(a.dtype, b.dtype)


def _swap_last(x: Variable) -> Variable:
    """``x`` with its last two axes exchanged (a matrix transpose, batched)."""
    from probgraph.tensor.shape import dimshuffle
    order = list(range(x.ndim))
    order[-2], order[-1] = order[-1], order[-2]
    return dimshuffle(x, order)


def _outer_vectors(a: Variable, b: Variable) -> Variable:
    """``a[:, None] * b[None, :]`` for vectors (no BLAS needed)."""
    from probgraph.tensor.shape import dimshuffle
    return dimshuffle(a, (0, "x")) * dimshuffle(b, ("x", 0))


def _cast_like(g: Variable, x: Variable) -> Variable:
    from probgraph.tensor.math import cast
    return cast(g, x.dtype)


class Dot(Op):
    """The product of two tensors of at most 2 dimensions, as ``numpy.dot`` (vector·vector gives a
    0-d).

    The numba backend emits ``np.dot``, which calls BLAS (gemm/gemv/dot).
    """

    def make_node(self, a, b) -> Apply:
        from probgraph.tensor.elemwise import as_tensor_inputs
        a, b = as_tensor_inputs([a, b])
        if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2):
            raise ValueError(f"Dot: expects 1-d or 2-d operands, got {_describe(a)} and "
                             f"{_describe(b)}; use pt.dot, pt.matmul or pt.tensordot for other "
                             "ranks")
        ka, kb = a.type.shape[-1], b.type.shape[0]
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(f"Dot: shapes {_describe(a)} and {_describe(b)} are not aligned: the "
                             f"last axis of the first has length {ka}, the first axis of the "
                             f"second has length {kb}")
        shape = a.type.shape[:-1] + b.type.shape[1:]
        return Apply(self, [a, b], [TensorType(_product_dtype(a, b), shape)])

    def perform(self, node, inputs):
        a, b = inputs
        return [np.asarray(np.dot(a, b), dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        (a, b), (g,) = inputs, output_grads
        if a.ndim == 1 and b.ndim == 1:
            ga, gb = g * b, g * a
        elif a.ndim == 2 and b.ndim == 1:
            ga, gb = _outer_vectors(g, b), dot(a.T, g)
        elif a.ndim == 1:
            ga, gb = dot(b, g), _outer_vectors(a, g)
        else:
            ga, gb = dot(g, b.T), dot(a.T, g)
        return [_cast_like(ga, a) if is_float(a.dtype) else None,
                _cast_like(gb, b) if is_float(b.dtype) else None]


class MatMul(Op):
    """Batched matrix product of two tensors of 2 or more dimensions, as ``numpy.matmul``.

    Leading (batch) axes broadcast where their static size is 1; ``matmul`` maps 1-d and 2-d cases
    to ``Dot``.
    """

    def make_node(self, a, b) -> Apply:
        from probgraph.tensor.elemwise import as_tensor_inputs, broadcast_shapes
        from probgraph.tensor.shape import pad_left
        a, b = as_tensor_inputs([a, b])
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(f"MatMul: expects operands of 2 or more dimensions, got "
                             f"{_describe(a)} and {_describe(b)}; use pt.matmul for vectors")
        ka, kb = a.type.shape[-1], b.type.shape[-2]
        if ka is not None and kb is not None and ka != kb:
            raise ValueError(f"MatMul: shapes {_describe(a)} and {_describe(b)} are not aligned: "
                             f"the last axis of the first has length {ka}, the second-to-last of "
                             f"the second has length {kb}")
        names = [a.name, b.name]
        ndim = max(a.ndim, b.ndim)
        a, b = pad_left(a, ndim), pad_left(b, ndim)
        batch = broadcast_shapes([a.type.shape[:-2], b.type.shape[:-2]], "MatMul", names)
        shape = batch + (a.type.shape[-2], b.type.shape[-1])
        return Apply(self, [a, b], [TensorType(_product_dtype(a, b), shape)])

    def perform(self, node, inputs):
        a, b = inputs
        return [np.asarray(np.matmul(a, b), dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        from probgraph.tensor.elemwise import unbroadcast
        (a, b), (g,) = inputs, output_grads
        ga = unbroadcast(MatMul()(g, _swap_last(b)), a) if is_float(a.dtype) else None
        gb = unbroadcast(MatMul()(_swap_last(a), g), b) if is_float(b.dtype) else None
        return [ga, gb]


def dot(a, b) -> Variable:
    """Dot product with ``numpy.dot`` semantics.

    0-d operands multiply elementwise; 1-d and 2-d operands use one BLAS-backed ``Dot``; for N-d
    operands the last axis of ``a`` is summed against the second-to-last of ``b`` (the last if ``b``
    is 1-d).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> A = pt.dmatrix("A"); x = pt.dvector("x")
    >>> pt.dot(A, x).eval({A: np.eye(2), x: [1.0, 2.0]})
    array([1., 2.])
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    a, b = as_tensor_inputs([a, b])
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.ndim <= 2 and b.ndim <= 2:
        return Dot()(a, b)
    return tensordot(a, b, [[a.ndim - 1], [max(b.ndim - 2, 0)]])


def matmul(a, b) -> Variable:
    """Matrix product with ``numpy.matmul`` semantics (the ``@`` operator), batched over leading
    axes.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> A = pt.tensor3("A"); B = pt.dmatrix("B")
    >>> (A @ B).eval({A: np.ones((4, 2, 3)), B: np.ones((3, 5))}).shape
    (4, 2, 5)
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    from probgraph.tensor.shape import expand_dims, squeeze
    a, b = as_tensor_inputs([a, b])
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least one dimension, got {_describe(a)} "
                         f"and {_describe(b)}; use * to multiply by a scalar")
    if a.ndim <= 2 and b.ndim <= 2:
        return Dot()(a, b)
    if a.ndim == 1:
        return squeeze(MatMul()(expand_dims(a, 0), b), -2)
    if b.ndim == 1:
        return squeeze(MatMul()(a, expand_dims(b, 1)), -1)
    return MatMul()(a, b)


def outer(a, b) -> Variable:
    """Outer product of the flattened operands, as ``numpy.outer``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> pt.outer(pt.constant([1.0, 2.0]), pt.constant([3.0, 4.0])).eval()
    array([[3., 4.],
           [6., 8.]])
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    a, b = as_tensor_inputs([a, b])
    a = a if a.ndim == 1 else a.flatten()
    b = b if b.ndim == 1 else b.flatten()
    return _outer_vectors(a, b)


def inner(a, b) -> Variable:
    """Sum over the last axes of ``a`` and ``b``, as ``numpy.inner``.

    Examples
    --------
    >>> import probgraph.tensor as pt
    >>> float(pt.inner(pt.constant([1.0, 2.0]), pt.constant([3.0, 4.0])).eval())
    11.0
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    a, b = as_tensor_inputs([a, b])
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, [[a.ndim - 1], [b.ndim - 1]])


def vdot(a, b) -> Variable:
    """Dot product of the flattened operands (real tensors), as ``numpy.vdot``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> float(pt.vdot(pt.constant(np.eye(2)), pt.constant(np.ones((2, 2)))).eval())
    2.0
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    a, b = as_tensor_inputs([a, b])
    return Dot()(a.flatten(), b.flatten())


def _normalize_axes(a: Variable, b: Variable, axes) -> tuple[list[int], list[int]]:
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > a.ndim or n > b.ndim:
            raise ValueError(f"tensordot: cannot sum over {n} axes of {_describe(a)} and "
                             f"{_describe(b)}")
        return list(range(a.ndim - n, a.ndim)), list(range(n))
    axa, axb = axes
    axa = [axa] if isinstance(axa, (int, np.integer)) else list(axa)
    axb = [axb] if isinstance(axb, (int, np.integer)) else list(axb)
    if len(axa) != len(axb):
        raise ValueError(f"tensordot: axes {axes} pair {len(axa)} axes of the first operand with "
                         f"{len(axb)} of the second")
    out = []
    for x, ax in ((a, axa), (b, axb)):
        for i in ax:
            if not -x.ndim <= int(i) < x.ndim:
                raise ValueError(f"tensordot: axis {i} is out of bounds for {_describe(x)}")
        norm = [int(i) % x.ndim for i in ax]
        if len(set(norm)) != len(norm):
            raise ValueError(f"tensordot: repeated axis in {ax} for {_describe(x)}")
        out.append(norm)
    return out[0], out[1]


def _collapse(x: Variable, split: int):
    """``x`` reshaped to ``(prod(shape[:split]), prod(shape[split:]))``, a group of no axes dropped.

    Returns None when both groups have statically unknown sizes that need merging.
    """
    from probgraph.tensor.shape import reshape
    groups = [x.type.shape[:split], x.type.shape[split:]]
    if all(len(grp) <= 1 for grp in groups):
        return x
    sizes = [None if None in grp else int(np.prod(grp)) for grp in groups if grp]
    if sizes.count(None) > 1:
        return None
    return reshape(x, tuple(-1 if s is None else s for s in sizes))


def tensordot(a, b, axes=2) -> Variable:
    """Sum products over the given axes, as ``numpy.tensordot``.

    ``axes`` is an int ``n`` (the last ``n`` axes of ``a`` with the first ``n`` of ``b``) or a pair
    of axis lists. The operands are transposed and collapsed to matrices so one BLAS ``Dot`` does
    the work; when sizes are too unknown to collapse statically, a broadcast multiply-and-sum is
    used.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> a = pt.constant(np.ones((2, 3, 4))); b = pt.constant(np.ones((4, 3, 5)))
    >>> pt.tensordot(a, b, [[1, 2], [1, 0]]).eval().shape
    (2, 5)
    """
    from probgraph.tensor.elemwise import as_tensor_inputs
    from probgraph.tensor.reduce import sum as _sum
    from probgraph.tensor.shape import dimshuffle, reshape
    a, b = as_tensor_inputs([a, b])
    axa, axb = _normalize_axes(a, b, axes)
    for i, j in zip(axa, axb):
        sa, sb = a.type.shape[i], b.type.shape[j]
        if sa is not None and sb is not None and sa != sb:
            raise ValueError(f"tensordot: shapes {_describe(a)} and {_describe(b)} are not "
                             f"aligned: axis {i} of the first has length {sa}, axis {j} of the "
                             f"second {sb}")
    free_a = [i for i in range(a.ndim) if i not in axa]
    free_b = [j for j in range(b.ndim) if j not in axb]
    n_sum = len(axa)
    at = dimshuffle(a, free_a + axa)
    bt = dimshuffle(b, axb + free_b)
    if n_sum == 0 or a.ndim == 0 or b.ndim == 0:
        return (dimshuffle(at, list(range(at.ndim)) + ["x"] * bt.ndim)
                * dimshuffle(bt, ["x"] * at.ndim + list(range(bt.ndim))))
    out_shape = at.type.shape[:len(free_a)] + bt.type.shape[n_sum:]
    a2, b2 = _collapse(at, len(free_a)), _collapse(bt, n_sum)
    needs_final = len(free_a) > 1 or len(free_b) > 1
    if a2 is not None and b2 is not None and (not needs_final or out_shape.count(None) <= 1):
        out = Dot()(a2, b2)
        if needs_final:
            out = reshape(out, tuple(-1 if s is None else s for s in out_shape))
        return out
    # fallback: a[free_a, sum, 1...] * b[1..., sum, free_b] summed over the shared axes
    na, nb = len(free_a), len(free_b)
    ab = (dimshuffle(at, list(range(at.ndim)) + ["x"] * nb)
          * dimshuffle(bt, ["x"] * na + list(range(bt.ndim))))
    return _sum(ab, axis=list(range(na, na + n_sum)))
