"""Elemwise: a ScalarOp mapped over broadcast tensors, with static broadcasting checks and gradient
unbroadcasting."""

from __future__ import annotations

import numbers

import numpy as np

from probgraph.config import config
from probgraph.graph.basic import Apply, Variable
from probgraph.graph.op import Op
from probgraph.tensor.scalar import ScalarOp
from probgraph.tensor.type import TensorType, format_shape, is_float, upcast


def broadcast_shapes(shapes, opname: str = "broadcast", names=None) -> tuple:
    """Static broadcast of equal-length shapes; a dim broadcasts only where its static size is 1."""
    out = []
    for axis, sizes in enumerate(zip(*shapes)):
        known = {s for s in sizes if s is not None and s != 1}
        if len(known) > 1:
            described = ", ".join(
                f"{names[i] if names and names[i] else 'input ' + str(i)} {format_shape(s)}"
                for i, s in enumerate(shapes))
            raise ValueError(f"{opname}: shapes cannot be broadcast together at axis {axis}: "
                             f"{described}")
        if known:
            out.append(known.pop())
        elif any(s is None for s in sizes):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def check_runtime_shapes(opname: str, variables, values) -> None:
    """Raise ``ValueError`` where a dimension of unknown static size has a run-time length other
    than the broadcast one: numpy would broadcast a run-time 1, but only static size-1 dims do.

    Only dimensions whose static size is None are looked at (the others were checked by make_node).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> x, y = pt.dvector("x"), pt.dvector("y")
    >>> try:
    ...     check_runtime_shapes("elementwise add", [x, y], [np.ones(3), np.ones(1)])
    ... except ValueError as e:
    ...     print(str(e)[:72])
    elementwise add: input 1 (y) has length 1 on axis 0 where 3 was expected
    """
    for axis, sizes in enumerate(zip(*(v.type.shape for v in variables))):
        if None not in sizes:
            continue
        runtime = [np.shape(a)[axis] for a in values]
        known = [s for s in sizes if s is not None and s != 1]
        free = [n for s, n in zip(sizes, runtime) if s is None]
        expected = known[0] if known else max(free)
        for j, (s, n) in enumerate(zip(sizes, runtime)):
            if s is None and n != expected:
                name = variables[j].name
                label = f" ({name})" if name else ""
                raise ValueError(f"{opname}: input {j}{label} has length {n} on axis {axis} where "
                                 f"{expected} was expected (shapes must match; only static size-1 "
                                 "dimensions broadcast)")


def _weak_dtype(value, strong_dtype: str | None) -> str:
    """Dtype for a Python scalar combined with tensors of ``strong_dtype`` (numpy's NEP 50
    rules)."""
    if isinstance(value, bool):
        return strong_dtype or "bool"
    if isinstance(value, numbers.Integral):
        if strong_dtype is None or strong_dtype == "bool":
            return "int64"
        return strong_dtype
    if isinstance(value, numbers.Real):
        if strong_dtype is not None and is_float(strong_dtype):
            return strong_dtype
        return config.floatX if strong_dtype is None else "float64"
    raise TypeError(f"cannot use {type(value).__name__} {value!r} in a tensor expression")


def as_tensor_inputs(inputs) -> list[Variable]:
    """Convert operands to tensors; Python scalars take the dtype of the tensors they meet."""
    from probgraph.tensor.basic import as_tensor, constant
    is_weak = [isinstance(x, (bool, int, float)) and not isinstance(x, np.generic) for x in inputs]
    strong = [as_tensor(x) if not w else None for x, w in zip(inputs, is_weak)]
    dts = [s.dtype for s in strong if s is not None]
    sd = upcast(*dts) if dts else None
    return [s if s is not None else constant(x, dtype=_weak_dtype(x, sd))
            for x, s in zip(inputs, strong)]


class Elemwise(Op):
    """Applies ``scalar_op`` elementwise with numpy broadcasting decided from static shapes."""

    __props__ = ("scalar_op",)

    def __init__(self, scalar_op: ScalarOp):
        self.scalar_op = scalar_op

    def __str__(self) -> str:
        return self.scalar_op.name

    def make_node(self, *inputs) -> Apply:
        from probgraph.tensor.shape import pad_left
        if len(inputs) != self.scalar_op.nin:
            raise TypeError(f"{self.scalar_op.name} takes {self.scalar_op.nin} arguments, "
                            f"got {len(inputs)}")
        inputs = as_tensor_inputs(inputs)
        ndim = max(x.ndim for x in inputs)
        inputs = [pad_left(x, ndim) for x in inputs]
        shape = broadcast_shapes([x.type.shape for x in inputs], self.scalar_op.name,
                                 [x.name for x in inputs])
        dtype = self.scalar_op.output_dtype(*[x.dtype for x in inputs])
        return Apply(self, inputs, [TensorType(dtype, shape)])

    def perform(self, node, inputs):
        check_runtime_shapes(f"elementwise {self}", node.inputs, inputs)
        with np.errstate(all="ignore"):
            out = self.scalar_op.impl(*inputs)
        out_type = node.outputs[0].type
        return [np.asarray(out, dtype=out_type.dtype)]

    def pullback(self, inputs, outputs, output_grads):
        g = output_grads[0]
        if self.scalar_op.grad is None:
            return [None] * len(inputs)
        grads = self.scalar_op.grad(inputs, outputs[0], g)
        return [None if gi is None or not is_float(x.dtype) else unbroadcast(gi, x)
                for x, gi in zip(inputs, grads)]


def unbroadcast(g: Variable, like: Variable) -> Variable:
    """Sum ``g`` over the axes where ``like`` was broadcast, and cast it to ``like``'s dtype."""
    from probgraph.tensor import math as tm
    from probgraph.tensor import reduce as _red
    from probgraph.tensor.basic import as_tensor
    g = as_tensor(g)
    extra = g.ndim - like.ndim
    if extra > 0:
        g = _red.sum(g, axis=list(range(extra)))
    axes = [i for i, s in enumerate(like.type.shape) if s == 1 and g.type.shape[i] != 1]
    if axes:
        g = _red.sum(g, axis=axes, keepdims=True)
    if g.dtype != like.dtype:
        g = tm.cast(g, like.dtype)
    return g
