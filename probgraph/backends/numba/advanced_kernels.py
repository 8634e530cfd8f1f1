"""numba helpers (``ak.*``) of generated kernels: general advanced indexing, batched matmul, unique.

General indexing is reduced to *terms*: one per indexed axis of ``x``, each a flat int64 array of
positions along that axis together with its shape over the output's dimensions (1 where it does not
vary). ``index_offsets`` broadcasts the terms against each other (numpy's rules), wraps negative
positions, raises ``IndexError`` for positions out of bounds, and returns the flat offset into the
C-contiguous ``x`` of every output element; gathers and scatters then walk those offsets.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def slice_range(n, start, stop, step, has_start, has_stop):
    """The int64 positions ``range(n)[start:stop:step]`` (``has_*`` False: the bound is missing)."""
    if step == 0:
        raise ValueError("slice step cannot be zero")
    lower, upper = (0, n) if step > 0 else (-1, n - 1)
    if has_start:
        s = start + n if start < 0 else start
        s = max(s, lower) if start < 0 else min(s, upper)
    else:
        s = lower if step > 0 else upper
    if has_stop:
        e = stop + n if stop < 0 else stop
        e = max(e, lower) if stop < 0 else min(e, upper)
    else:
        e = upper if step > 0 else lower
    if step > 0:
        length = max(0, (e - s + step - 1) // step)
    else:
        length = max(0, (s - e - step - 1) // (-step))
    out = np.empty(length, dtype=np.int64)
    for k in range(length):
        out[k] = s + k * step
    return out


@njit(cache=True)
def mask_coords(flat_mask, mask_shape, x_dims):
    """``np.nonzero`` of a mask as one ``(mask.ndim, count)`` array; checks it fits ``x_dims``."""
    k = len(mask_shape)
    for r in range(k):
        if mask_shape[r] != x_dims[r]:
            raise IndexError("boolean index did not match the indexed dimensions of the array")
    count = 0
    for i in range(flat_mask.size):
        if flat_mask[i]:
            count += 1
    out = np.empty((k, count), dtype=np.int64)
    c = 0
    for i in range(flat_mask.size):
        if flat_mask[i]:
            rem = i
            for r in range(k - 1, -1, -1):
                out[r, c] = rem % mask_shape[r]
                rem //= mask_shape[r]
            c += 1
    return out


@njit(cache=True)
def index_offsets(values, term_shape, term_axis, x_shape):
    """Flat offsets into C-contiguous ``x`` of every output element, and the output shape.

    ``values`` holds each term's positions back to back; term ``t`` indexes axis ``term_axis[t]`` of
    ``x`` and has shape ``term_shape[t]`` over the output's dimensions.
    """
    T, D = term_shape.shape
    out_shape = np.ones(D, dtype=np.int64)
    for p in range(D):
        n = 1
        for t in range(T):
            s = term_shape[t, p]
            if s != 1:
                if n != 1 and n != s:
                    raise IndexError("shape mismatch: index arrays could not be broadcast together")
                n = s
        out_shape[p] = n
    strides = np.zeros((T, D), dtype=np.int64)
    starts = np.zeros(T, dtype=np.int64)
    x_stride = np.ones(T, dtype=np.int64)
    pos = 0
    for t in range(T):
        starts[t] = pos
        run = 1
        for p in range(D - 1, -1, -1):
            if term_shape[t, p] != 1:
                strides[t, p] = run
            run *= term_shape[t, p]
        pos += run
        for a in range(term_axis[t] + 1, len(x_shape)):
            x_stride[t] *= x_shape[a]
    size = 1
    for p in range(D):
        size *= out_shape[p]
    offs = np.empty(size, dtype=np.int64)
    idx = np.zeros(D, dtype=np.int64)
    for i in range(size):
        off = 0
        for t in range(T):
            k = starts[t]
            for p in range(D):
                k += idx[p] * strides[t, p]
            j = values[k]
            n = x_shape[term_axis[t]]
            if j < 0:
                j += n
            if j < 0 or j >= n:
                raise IndexError("index out of bounds in advanced indexing")
            off += j * x_stride[t]
        offs[i] = off
        p = D - 1
        while p >= 0:
            idx[p] += 1
            if idx[p] < out_shape[p]:
                break
            idx[p] = 0
            p -= 1
    return offs, out_shape


@njit(cache=True)
def gather_flat(x_flat, offs):
    """``x_flat[offs]``."""
    out = np.empty(offs.size, dtype=x_flat.dtype)
    for i in range(offs.size):
        out[i] = x_flat[offs[i]]
    return out


@njit(cache=True)
def scatter_flat(buf_flat, offs, y_flat, set_instead_of_inc):
    """``buf_flat[offs] (+)= y_flat`` in place, in order: increments accumulate, last set wins."""
    for i in range(offs.size):
        if set_instead_of_inc:
            buf_flat[offs[i]] = y_flat[i]
        else:
            buf_flat[offs[i]] += y_flat[i]


@njit(cache=True)
def broadcast_dim(n, m):
    """The broadcast size of two batch dimensions of a matmul (``ValueError`` if they clash)."""
    if n == m or m == 1:
        return n
    if n == 1:
        return m
    raise ValueError("matmul: batch dimensions could not be broadcast together")


@njit(cache=True)
def matmul_batches(a3, b3):
    """``a3[i] @ b3[i]`` for every ``i`` of two stacks of matrices of one float or complex dtype."""
    n, m = a3.shape[0], a3.shape[1]
    p = b3.shape[2]
    out = np.empty((n, m, p), dtype=a3.dtype)
    for i in range(n):
        out[i] = np.dot(a3[i], b3[i])
    return out


@njit(cache=True)
def unique(flat):
    """``np.unique(flat, True, True, True)``; NaNs count as one value (numpy's ``equal_nan``)."""
    n = flat.size
    order = np.argsort(flat, kind="mergesort")  # stable: the first index of a value comes first
    group = np.empty(n, dtype=np.int64)
    k = -1
    for r in range(n):
        v = flat[order[r]]
        if r == 0:
            k = 0
        else:
            w = flat[order[r - 1]]
            if v != w and not (v != v and w != w):
                k += 1
        group[r] = k
    m = k + 1
    values = np.empty(m, dtype=flat.dtype)
    index = np.empty(m, dtype=np.int64)
    counts = np.zeros(m, dtype=np.int64)
    inverse = np.empty(n, dtype=np.int64)
    for r in range(n):
        g = group[r]
        if counts[g] == 0:
            values[g] = flat[order[r]]
            index[g] = order[r]
        counts[g] += 1
        inverse[order[r]] = g
    return values, index, inverse, counts
