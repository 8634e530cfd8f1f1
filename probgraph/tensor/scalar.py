"""Scalar operations: the per-element functions that Elemwise maps over tensors.

Each ScalarOp knows its numpy implementation (the reference), the scalar expression the numba
backend inlines in its loops, and its derivative written with tensor operations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from probgraph.tensor.type import float_of


class ScalarOp:
    """A scalar function of ``nin`` arguments.

    Parameters
    ----------
    name : str
        numpy-style name (``"exp"``); also the op's identity.
    nin : int
        Number of arguments.
    impl : callable
        numpy implementation applied to whole (broadcast) arrays.
    numba : str
        A Python expression template over ``{0}, {1}, ...`` valid inside numba for scalars; names
        from ``math``, ``np`` and ``rt`` (probgraph's numba runtime helpers) are available.
    grad : callable or None
        ``grad(inputs, output, gout) -> list`` of tensor expressions, one per input (``None`` for no
        gradient). ``None`` as a whole means the op is not differentiable (comparisons, rounding).
    """

    def __init__(self, name: str, nin: int, impl: Callable, numba: str,
                 grad: Callable | None = None, out_dtype: str | None = None,
                 commutative: bool = False, associative: bool = False):
        self.name = name
        self.nin = nin
        self.impl = impl
        self.numba = numba
        self.grad = grad
        self.fixed_out_dtype = out_dtype
        self.commutative = commutative
        self.associative = associative

    def output_dtype(self, *dtypes: str) -> str:
        """The numpy result dtype of this op on arrays of ``dtypes``."""
        if self.fixed_out_dtype is not None:
            return self.fixed_out_dtype
        cache = self.__dict__.setdefault("_dtype_cache", {})
        if dtypes not in cache:
            cache[dtypes] = self._infer_output_dtype(*dtypes)
        return cache[dtypes]

    def _infer_output_dtype(self, *dtypes: str) -> str:
        with np.errstate(all="ignore"):
            dummies = [np.ones(1, dtype=d) for d in dtypes]
            try:
                out = np.asarray(self.impl(*dummies)).dtype.name
            except TypeError as exc:
                raise TypeError(f"{self.name} is not defined for inputs of dtype "
                                f"{', '.join(dtypes)}") from exc
        joint = np.result_type(*dtypes).name
        if out == "float16" and joint != "float16":
            return float_of(joint)  # numpy's float16 for bool/int8 inputs; we never create float16
        if out == "float64" and joint == "float32":
            return "float32"  # scipy functions with only a double loop: float32 stays float32
        return out

    def numba_expr(self, *args: str) -> str:
        return self.numba.format(*args)

    def __eq__(self, other) -> bool:
        return isinstance(other, ScalarOp) and type(self) is type(other) and self.name == other.name

    def __hash__(self) -> int:
        return hash((type(self), self.name))

    def __repr__(self) -> str:
        return self.name


REGISTRY: dict[str, ScalarOp] = {}


def register(op: ScalarOp) -> ScalarOp:
    """Add a scalar op to the table (each name once)."""
    if op.name in REGISTRY:
        raise ValueError(f"scalar op {op.name!r} registered twice")
    REGISTRY[op.name] = op
    return op
