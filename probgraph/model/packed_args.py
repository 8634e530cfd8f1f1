"""Pack a model's data arrays into one fixed-type tuple, so every model's ``logp_fn`` has the same
signature.

The compiled NUTS loop is specialised on the type of ``logp_fn(q, args)``. If ``args`` were the
model's own tuple of arrays, every model would compile its own copy of the sampler (10-20 s).
Instead the data go into five flat buffers (one per dtype) plus an int64 layout of offsets and
shapes; a small generated adapter slices typed views back out and calls the model's kernel. The
sampler then compiles once per machine and is loaded from numba's disk cache by every later model.
"""

from __future__ import annotations

import numpy as np

#: buffer order in the packed tuple; other dtypes are widened to the closest of these
BUFFERS = ("float64", "float32", "int64", "int32", "bool")
_WIDEN = {"float16": "float32", "int8": "int64", "int16": "int64", "uint8": "int64",
          "uint16": "int64", "uint32": "int64", "uint64": "int64"}


def layout_of(values) -> tuple[tuple[int, int], ...]:
    """The static structure of ``values``: ``(buffer index, ndim)`` per value (ndim -1 for
    scalars)."""
    out = []
    for v in values:
        a = np.asarray(v)
        dtype = _WIDEN.get(a.dtype.name, a.dtype.name)
        if dtype not in BUFFERS:
            raise TypeError(f"cannot pass data of dtype {a.dtype} to a compiled log-density")
        out.append((BUFFERS.index(dtype), -1 if np.ndim(v) == 0 else a.ndim))
    return tuple(out)


def pack(values) -> tuple:
    """``(f64, f32, i64, i32, bool, layout)``: each value's data in its buffer; ``layout`` holds,
    per
    value, its start offset followed by its shape."""
    parts = {b: [] for b in BUFFERS}
    sizes = dict.fromkeys(BUFFERS, 0)
    layout = []
    for v in values:
        a = np.asarray(v)
        dtype = _WIDEN.get(a.dtype.name, a.dtype.name)
        flat = np.ascontiguousarray(a, dtype=dtype).reshape(-1)
        layout.append(sizes[dtype])
        layout.extend(a.shape)
        parts[dtype].append(flat)
        sizes[dtype] += flat.size
    bufs = tuple(np.concatenate(parts[b]) if parts[b] else np.zeros(0, dtype=b) for b in BUFFERS)
    return (*bufs, np.array(layout, dtype=np.int64))


def adapter_source(structure) -> str:
    """Source of ``logp_fn(q, packed)`` unpacking views per ``structure`` and calling ``kernel``."""
    lines = ["def logp_fn(q, packed):", "    lay = packed[5]"]
    names, pos = [], 0
    for k, (buf, ndim) in enumerate(structure):
        start = f"lay[{pos}]"
        if ndim == -1:
            lines.append(f"    a{k} = packed[{buf}][{start}]")
            pos += 1
        else:
            dims = [f"lay[{pos + 1 + d}]" for d in range(ndim)]
            size = " * ".join(dims) if dims else "1"
            view = f"packed[{buf}][{start}:{start} + {size}]"
            lines.append(f"    a{k} = {view}.reshape(({', '.join(dims)}{',' if ndim == 1 else ''}))"
                         if ndim != 0 else f"    a{k} = {view}.reshape(())")
            pos += 1 + ndim
        names.append(f"a{k}")
    call = ", ".join(["q", *names])
    lines += [f"    out = kernel({call})", "    return float(out[0]), np.ascontiguousarray(out[1])"]
    return "\n".join(lines) + "\n"


def make_adapter(kernel, structure):
    """A jitted ``logp_fn(q, packed) -> (logp, grad)`` around the model's whole-graph ``kernel``."""
    import numba
    namespace = {"kernel": kernel, "np": np}
    exec(compile(adapter_source(structure), "<probgraph logp adapter>", "exec"),
         namespace)  # noqa: S102
    return numba.njit(namespace["logp_fn"], nogil=True)
