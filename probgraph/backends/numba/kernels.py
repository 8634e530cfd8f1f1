"""Array-level numba helpers of generated kernels (``kr.*``): argmax rows, gathers, triangular
solves, and the exceptions of the run-time shape and index checks.

They are ``@njit(cache=True)``: compiled once per install, not once per graph.
"""

import numpy as np
from numba import njit


class ShapeError(ValueError):
    """A dimension of unknown static size had the wrong run-time length.

    Generated code raises ``kr.ShapeError(what, axis, length, expected)``: the op and input named in
    ``what`` (fixed when the source is generated), the run-time numbers as arguments. The message is
    formatted here, in Python, so no string formatting is compiled into the kernel (and a helper
    taking the text would be compiled once per distinct literal string).
    """

    def __str__(self) -> str:
        if len(self.args) != 4:
            return super().__str__()
        what, axis, n, expected = self.args
        return (f"{what} has length {n} on axis {axis} where {expected} was expected (shapes must "
                "match; only static size-1 dimensions broadcast)")


class IndexOutOfBounds(IndexError):
    """An index out of range: generated code raises ``kr.IndexOutOfBounds(of, axis, i, n)``."""

    def __str__(self) -> str:
        if len(self.args) != 4:
            return super().__str__()
        of, axis, i, n = self.args
        return f"index {i} is out of bounds for axis {axis} of {of} with size {n}"


# numpy's BLAS/LAPACK entry points behind cached calls: typing numba's own versions costs
# 0.1-0.5 s per layout combination in every process; through these, once per install
@njit(cache=True)
def dot(a, b):
    return np.dot(a, b)


@njit(cache=True)
def solve(a, b):
    return np.linalg.solve(a, b)


@njit(cache=True)
def inv(a):
    return np.linalg.inv(a)


@njit(cache=True)
def det(a):
    return np.linalg.det(a)


@njit(cache=True)
def slogdet(a):
    return np.linalg.slogdet(a)


@njit(cache=True)
def eigh(a):
    return np.linalg.eigh(a)


@njit(cache=True)
def permute(x, axes):
    """``np.transpose(x, axes)`` behind a cached call: numba's own ``transpose`` with axes compiles
    ~50 helper functions (3-4 s) in every process that types it."""
    return np.transpose(x, axes)


@njit(cache=True)
def assign(view, y):
    """``view[...] = y`` (broadcasting ``y``) behind a cached call, for the same reason."""
    view[...] = y


@njit(cache=True)
def argmax_rows(x, is_max):
    """Index of the largest (``is_max``) or smallest entry of each row of a 2-d array (first one
    wins)."""
    n, m = x.shape
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        best = 0
        for j in range(1, m):
            if x[i, best] != x[i, best]:
                break
            v = x[i, j]
            if v != v or (is_max and v > x[i, best]) or (not is_max and v < x[i, best]):
                best = j
        out[i] = best
    return out


@njit(cache=True)
def _wrap(j, n, what):
    """Index ``j`` of ``n`` entries with negative values counted from the end (``IndexError`` if
    outside)."""
    if j < 0:
        j += n
    if j < 0 or j >= n:
        raise IndexError(what)
    return j


@njit(cache=True)
def take(x3, idx, n):
    """Gather ``x3[:, idx, :]`` (negative indices count from the end of the ``n`` entries)."""
    pre, _, post = x3.shape
    m = idx.size
    flat = idx.ravel()
    if pre == 1 and post == 1:  # a gather from a vector: one flat loop (several times faster)
        x1 = x3[0, :, 0]
        out1 = np.empty(m, dtype=x3.dtype)
        for k in range(m):
            out1[k] = x1[_wrap(flat[k], n, "index out of bounds in a gather")]
        return out1.reshape((1, m, 1))
    out = np.empty((pre, m, post), dtype=x3.dtype)
    for k in range(m):
        j = _wrap(flat[k], n, "index out of bounds in a gather")
        for a in range(pre):
            for c in range(post):
                out[a, k, c] = x3[a, j, c]
    return out


@njit(cache=True)
def scatter(out3, idx, y3, set_instead_of_inc):
    """``out3[:, idx, :] (+)= y3`` in place, accumulating at repeated indices (``numpy.add.at``)."""
    pre, n, post = out3.shape
    flat = idx.ravel()
    if pre == 1 and post == 1:  # into a vector: one flat loop
        out1, y1 = out3[0, :, 0], y3[0, :, 0]
        for k in range(flat.size):
            j = _wrap(flat[k], n, "index out of bounds in a scatter")
            if set_instead_of_inc:
                out1[j] = y1[k]
            else:
                out1[j] += y1[k]
        return out3
    for k in range(flat.size):
        j = _wrap(flat[k], n, "index out of bounds in a scatter")
        for a in range(pre):
            for c in range(post):
                if set_instead_of_inc:
                    out3[a, j, c] = y3[a, k, c]
                else:
                    out3[a, j, c] += y3[a, k, c]
    return out3


@njit(cache=True)
def cum_rows(x, is_sum, reverse):
    """Cumulative sum (or product) along each row of a 2-d array, from the end if ``reverse``."""
    n, m = x.shape
    out = np.empty_like(x)
    for i in range(n if m else 0):
        acc = x[i, 0]
        for jj in range(m):
            j = m - 1 - jj if reverse else jj
            if jj == 0:
                acc = x[i, j]
            elif is_sum:
                acc = acc + x[i, j]
            else:
                acc = acc * x[i, j]
            out[i, j] = acc
    return out


@njit(cache=True)
def sort_rows(x):
    """Each row of a 2-d array sorted."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = np.sort(x[i])
    return out


@njit(cache=True)
def argsort_rows(x):
    n, m = x.shape
    out = np.empty((n, m), dtype=np.int64)
    for i in range(n):
        out[i] = np.argsort(x[i], kind="mergesort")
    return out


@njit(cache=True)
def cholesky(a):
    """Lower Cholesky factor, or a matrix of NaN when ``a`` is not positive definite."""
    try:
        return np.linalg.cholesky(a)
    except Exception:  # noqa: BLE001 - numba cannot bind the exception
        return np.full(a.shape, np.nan)


@njit(cache=True)
def _row_dot(a, i, x, lo, hi):
    """``sum(a[i, lo:hi] * x[lo:hi])`` with four partial sums (a short dependency chain)."""
    s0 = s1 = s2 = s3 = 0.0
    j = lo
    while j + 4 <= hi:
        s0 += a[i, j] * x[j]
        s1 += a[i, j + 1] * x[j + 1]
        s2 += a[i, j + 2] * x[j + 2]
        s3 += a[i, j + 3] * x[j + 3]
        j += 4
    while j < hi:
        s0 += a[i, j] * x[j]
        j += 1
    return (s0 + s1) + (s2 + s3)


@njit(cache=True)
def solve_triangular(a, b, lower, trans, unit_diagonal):
    """Solve ``op(a) x = b`` (``op`` = transpose if ``trans``) by substitution; ``b`` is 2-d.

    ``a`` is read by rows only: without ``trans`` each unknown is a dot product with a row; with
    ``trans`` each solved unknown updates the remaining right-hand side along a row of ``a`` (an
    axpy the compiler vectorises).
    """
    n = a.shape[0]
    if a.shape[1] != n:
        raise ValueError("solve_triangular: the matrix a must be square")
    if b.shape[0] != n:
        raise ValueError("solve_triangular: b must have as many rows as a")
    a = np.ascontiguousarray(a)
    x = np.empty((n, b.shape[1]), dtype=b.dtype)
    w = np.empty(n, dtype=np.float64)
    for c in range(b.shape[1]):
        for i in range(n):
            w[i] = b[i, c]
        for step in range(n):
            # lower without trans runs first to last; op(a) = a.T of a lower a is upper: last first
            i = step if lower != trans else n - 1 - step
            lo, hi = (0, i) if lower else (i + 1, n)  # the off-diagonal part of row i of a
            if not trans:
                s = w[i] - _row_dot(a, i, w, lo, hi)
                w[i] = s if unit_diagonal else s / a[i, i]
            else:  # unknown i is final: take it out of the remaining right-hand side
                xi = w[i] if unit_diagonal else w[i] / a[i, i]
                w[i] = xi
                for j in range(lo, hi):
                    w[j] -= a[i, j] * xi
        for i in range(n):
            x[i, c] = w[i]
    return x


@njit(cache=True)
def symmetrize(a, lower):
    """The symmetric matrix whose ``lower`` (or upper) triangle is that of ``a``."""
    n = a.shape[0]
    if a.shape[1] != n:
        raise ValueError("eigh: the matrix must be square")
    out = np.empty((n, n), dtype=a.dtype)
    for i in range(n):
        for j in range(n):
            if (i >= j) == lower or i == j:
                out[i, j] = a[i, j]
                out[j, i] = a[i, j]
    return out
