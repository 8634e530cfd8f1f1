"""TensorType: a dtype plus a static shape (``None`` for sizes unknown until run time), and dtype
rules."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from probgraph.config import config

FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
ALL_DTYPES = ("bool", *INT_DTYPES, *FLOAT_DTYPES, "complex64", "complex128")


def normalize_dtype(dtype) -> str:
    """A dtype name (``"float64"``); ``None`` and ``"floatX"`` mean ``config.floatX``."""
    if dtype is None or dtype == "floatX":
        return config.floatX
    name = np.dtype(dtype).name
    if name not in ALL_DTYPES:
        raise TypeError(f"unsupported dtype {dtype!r}")
    return name


def upcast(*dtypes: str) -> str:
    """The dtype numpy gives when combining arrays of these dtypes."""
    return np.result_type(*[np.dtype(d) for d in dtypes]).name


def is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES


def is_int(dtype: str) -> bool:
    return dtype in INT_DTYPES or dtype == "bool"


def float_of(dtype: str) -> str:
    """The float dtype an op that only makes sense on floats returns for an input of ``dtype``."""
    if dtype in FLOAT_DTYPES or dtype.startswith("complex"):
        return dtype
    if dtype in ("bool", "int8", "uint8", "int16", "uint16"):
        return "float32" if config.floatX == "float32" else "float64"
    return "float64"


def format_shape(shape) -> str:
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1
                                                                           else "") + ")"


@dataclass(frozen=True)
class TensorType:
    """The type of a tensor variable: ``dtype`` and static ``shape`` (a tuple of int or None)."""

    dtype: str
    shape: tuple

    def __post_init__(self):
        object.__setattr__(self, "dtype", normalize_dtype(self.dtype))
        object.__setattr__(self, "shape", tuple(None if s is None else int(s) for s in self.shape))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(s == 1 for s in self.shape)

    @property
    def variable_class(self):
        from probgraph.tensor.variable import TensorVariable
        return TensorVariable

    def __call__(self, name: str | None = None):
        return self.variable_class(self, None, None, name)

    def is_compatible(self, other: TensorType) -> bool:
        """True if values of ``other`` may be used where this type is expected."""
        return (self.dtype == other.dtype and self.ndim == other.ndim
                and all(a is None or b is None or a == b for a, b in zip(self.shape, other.shape)))

    def filter(self, value, name: str = "input", strict: bool = False) -> np.ndarray:
        """Convert ``value`` to an array of this type, or raise an error naming ``name``."""
        arr = np.asarray(value)
        if arr.dtype.name != self.dtype:
            if strict:
                raise TypeError(f"{name}: expected dtype {self.dtype}, got {arr.dtype.name}")
            if not (np.can_cast(arr.dtype, self.dtype, "same_kind") or arr.dtype == object):
                raise TypeError(f"{name}: expected dtype {self.dtype}, got {arr.dtype.name} "
                                "(which cannot be cast safely); convert it with "
                                f".astype({self.dtype!r})")
            if (np.issubdtype(arr.dtype, np.floating) and np.dtype(self.dtype).kind == "f"
                    and not np.can_cast(arr.dtype, self.dtype, "safe")):
                # float64 data fed to a float32 input: allowed only when no precision is
                # silently lost
                converted = arr.astype(self.dtype)
                if not np.array_equal(converted.astype(arr.dtype), arr, equal_nan=True):
                    raise TypeError(f"{name}: expected dtype {self.dtype}, got {arr.dtype.name} "
                                    "values that lose precision; convert with "
                                    f".astype({self.dtype!r})")
                arr = converted
            else:
                arr = arr.astype(self.dtype)
        if arr.ndim != self.ndim:
            raise ValueError(f"{name}: expected {self.ndim} dimensions {format_shape(self.shape)}, "
                             f"got an array of shape {arr.shape}")
        for s, a in zip(self.shape, arr.shape):
            if s is not None and s != a:
                raise ValueError(f"{name}: expected shape {format_shape(self.shape)}, got "
                                 f"{arr.shape}")
        return arr

    def __str__(self) -> str:
        return f"Tensor{{{self.dtype}, {format_shape(self.shape)}}}"
