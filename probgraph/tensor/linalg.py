"""Linear algebra on matrices (``pt.linalg``): cholesky, solves, inverse, determinants, eigh, norms
— each with a pullback.

Every op works on one 2-d matrix (no batching); the numba backend maps them to ``np.linalg``
(LAPACK).
"""

from __future__ import annotations

import numpy as np

from probgraph.graph.basic import Apply, Variable
from probgraph.graph.op import Op
from probgraph.tensor.dot import dot
from probgraph.tensor.type import TensorType, float_of, format_shape, is_float, upcast

__all__ = [
    "Cholesky",
    "Det",
    "Eigh",
    "MatrixInverse",
    "SlogDet",
    "Solve",
    "SolveTriangular",
    "Triangle",
    "cho_solve",
    "cholesky",
    "det",
    "eigh",
    "inv",
    "logdet",
    "matrix_dot",
    "norm",
    "slogdet",
    "solve",
    "solve_triangular",
]


# --------------------------------------------------------------------- helpers
def _as_matrix(A, opname: str) -> Variable:
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.math import cast
    A = as_tensor(A)
    if A.ndim != 2:
        raise ValueError(f"{opname}: expects a matrix, got {A.name or A} with {A.ndim} dimensions "
                         f"{format_shape(A.type.shape)}")
    n, m = A.type.shape
    if n is not None and m is not None and n != m:
        raise ValueError(f"{opname}: expects a square matrix, got {A.name or 'a matrix'} of shape "
                         f"{format_shape(A.type.shape)}")
    return cast(A, float_of(A.dtype))


def _as_rhs(A: Variable, b, opname: str) -> tuple[Variable, Variable]:
    """Check ``b`` (1-d or 2-d) against ``A`` and bring both to a common float dtype."""
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.math import cast
    b = as_tensor(b)
    if b.ndim not in (1, 2):
        raise ValueError(f"{opname}: the right-hand side must be a vector or a matrix, got "
                         f"{b.name or b} with {b.ndim} dimensions")
    n, k = A.type.shape[0], b.type.shape[0]
    if n is not None and k is not None and n != k:
        raise ValueError(f"{opname}: shapes {format_shape(A.type.shape)} and "
                         f"{format_shape(b.type.shape)} are not aligned: the matrix has {n} rows, "
                         f"the right-hand side {k}")
    dtype = upcast(A.dtype, float_of(b.dtype))
    return cast(A, dtype), cast(b, dtype)


def _times_transpose(u: Variable, v: Variable) -> Variable:
    """``u @ v.T`` for two matrices, or the outer product ``u v^T`` for two vectors."""
    from probgraph.tensor.dot import outer
    return outer(u, v) if u.ndim == 1 else dot(u, v.T)


def _phi(X: Variable) -> Variable:
    """The lower triangle of ``X`` with its diagonal halved (Murray 2016's Φ)."""
    return 0.5 * (Triangle(True, 0)(X) + Triangle(True, -1)(X))


def _eye_like(X: Variable) -> Variable:
    """The identity with the shape of the square matrix ``X`` (as the difference of two
    triangles)."""
    from probgraph.tensor.math import ones_like
    ones = ones_like(X)
    return Triangle(True, 0)(ones) - Triangle(True, -1)(ones)


class Triangle(Op):
    """``numpy.tril(x, k)`` (``lower=True``) or ``numpy.triu(x, k)``: the other entries set to
    zero."""

    __props__ = ("lower", "k")

    def __init__(self, lower: bool = True, k: int = 0):
        self.lower = bool(lower)
        self.k = int(k)

    def make_node(self, x) -> Apply:
        from probgraph.tensor.basic import as_tensor
        x = as_tensor(x)
        if x.ndim != 2:
            raise ValueError(f"{self}: expects a matrix, got {x.ndim} dimensions")
        return Apply(self, [x], [x.type])

    def perform(self, node, inputs):
        f = np.tril if self.lower else np.triu
        return [f(inputs[0], self.k)]

    def pullback(self, inputs, outputs, output_grads):
        return [self(output_grads[0]) if is_float(inputs[0].dtype) else None]


# --------------------------------------------------------------------- cholesky
class Cholesky(Op):
    """The Cholesky factor of a symmetric positive-definite matrix (lower, or upper if
    ``lower=False``).

    Only the lower triangle of the input is read. A matrix that is not positive definite gives a
    matrix of NaN instead of an exception, so a log-density built on it becomes NaN (which samplers
    treat as a divergence / rejection) rather than crashing the sampler.
    """

    __props__ = ("lower",)

    def __init__(self, lower: bool = True):
        self.lower = bool(lower)

    def make_node(self, A) -> Apply:
        A = _as_matrix(A, "cholesky")
        return Apply(self, [A], [A.type])

    def perform(self, node, inputs):
        (A,) = inputs
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            L = np.full(A.shape, np.nan)
        return [np.asarray(L if self.lower else L.T, dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        """Murray (2016), "Differentiation of the Cholesky decomposition", arXiv:1602.07527:
        ``Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹``, symmetrised (the input is taken to be symmetric)."""
        L, Lbar = outputs[0], output_grads[0]
        if not self.lower:
            L, Lbar = L.T, Lbar.T
        P = _phi(dot(L.T, Lbar))
        Y = solve_triangular(L, P, lower=True, trans=1)            # L⁻ᵀ P
        Abar = solve_triangular(L, Y.T, lower=True, trans=1).T     # Y L⁻¹
        return [0.5 * (Abar + Abar.T)]


def cholesky(A, lower: bool = True) -> Variable:
    """Cholesky factor ``L`` with ``A = L @ L.T`` (or upper ``U`` with ``A = U.T @ U``).

    A non-positive-definite ``A`` evaluates to a matrix of NaN (not an error), see ``Cholesky``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> A = pt.dmatrix("A")
    >>> pt.linalg.cholesky(A).eval({A: [[4.0, 2.0], [2.0, 2.0]]})
    array([[2., 0.],
           [1., 1.]])
    """
    return Cholesky(lower)(A)


# --------------------------------------------------------------------- solves
class SolveTriangular(Op):
    """Solve ``op(A) x = b`` for triangular ``A`` (``op`` is the identity, or the transpose if
    ``trans=1``).

    Only the ``lower`` (or upper) triangle of ``A`` is read; with ``unit_diagonal`` its diagonal too
    is taken to be ones.
    """

    __props__ = ("lower", "trans", "unit_diagonal")

    def __init__(self, lower: bool = True, trans: int = 0, unit_diagonal: bool = False):
        self.lower = bool(lower)
        modes = {0: 0, "N": 0, 1: 1, "T": 1, 2: 1, "C": 1}
        if trans not in modes:
            raise ValueError(f"solve_triangular: trans must be 0/'N', 1/'T' or 2/'C', got "
                             f"{trans!r}")
        self.trans = modes[trans]
        self.unit_diagonal = bool(unit_diagonal)

    def make_node(self, A, b) -> Apply:
        A = _as_matrix(A, "solve_triangular")
        A, b = _as_rhs(A, b, "solve_triangular")
        return Apply(self, [A, b], [TensorType(A.dtype, A.type.shape[1:] + b.type.shape[1:])])

    def perform(self, node, inputs):
        A, b = inputs
        import scipy.linalg
        x = scipy.linalg.solve_triangular(A, b, lower=self.lower, trans=self.trans,
                                          unit_diagonal=self.unit_diagonal, check_finite=False)
        return [np.asarray(x, dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        (A, _), (x,), (g,) = inputs, outputs, output_grads
        bbar = SolveTriangular(self.lower, 1 - self.trans, self.unit_diagonal)(A, g)
        Abar = -_times_transpose(bbar, x) if self.trans == 0 else -_times_transpose(x, bbar)
        Abar = Triangle(self.lower, (-1 if self.lower else 1) if self.unit_diagonal else 0)(Abar)
        return [Abar, bbar]


def solve_triangular(A, b, lower: bool = True, trans=0, unit_diagonal: bool = False) -> Variable:
    """Solve ``A x = b`` (``trans=0``) or ``A.T x = b`` (``trans=1`` / ``"T"``) for triangular
    ``A``.

    As ``scipy.linalg.solve_triangular``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> L = pt.constant([[2.0, 0.0], [1.0, 1.0]])
    >>> pt.linalg.solve_triangular(L, pt.constant([2.0, 3.0])).eval()
    array([1., 2.])
    """
    return SolveTriangular(lower, trans, unit_diagonal)(A, b)


class Solve(Op):
    """Solve ``A x = b`` for a general (``assume_a="gen"``), symmetric (``"sym"``) or
    positive-definite (``"pos"``) matrix ``A``, as ``scipy.linalg.solve``; a singular ``A`` raises
    as in scipy."""

    __props__ = ("assume_a", "lower")

    def __init__(self, assume_a: str = "gen", lower: bool = False):
        if assume_a not in ("gen", "sym", "pos"):
            raise ValueError(f"solve: assume_a must be 'gen', 'sym' or 'pos', got {assume_a!r}")
        self.assume_a = assume_a
        self.lower = bool(lower)

    def make_node(self, A, b) -> Apply:
        A = _as_matrix(A, "solve")
        A, b = _as_rhs(A, b, "solve")
        return Apply(self, [A, b], [TensorType(A.dtype, A.type.shape[1:] + b.type.shape[1:])])

    def perform(self, node, inputs):
        A, b = inputs
        import scipy.linalg
        x = scipy.linalg.solve(A, b, assume_a=self.assume_a, lower=self.lower, check_finite=False)
        return [np.asarray(x, dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        (A, _), (x,), (g,) = inputs, outputs, output_grads
        symmetric = self.assume_a != "gen"
        bbar = self(A, g) if symmetric else Solve("gen")(A.T, g)
        Abar = -_times_transpose(bbar, x)
        if symmetric:  # only one triangle is read; spread the gradient over both
            Abar = 0.5 * (Abar + Abar.T)
        return [Abar, bbar]


def solve(A, b, assume_a: str = "gen", lower: bool = False) -> Variable:
    """Solve the linear system ``A x = b`` (``b`` a vector or a matrix of right-hand sides).

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> A = pt.constant([[2.0, 0.0], [0.0, 4.0]])
    >>> pt.linalg.solve(A, pt.constant([2.0, 2.0])).eval()
    array([1. , 0.5])
    """
    return Solve(assume_a, lower)(A, b)


def cho_solve(c_and_lower, b) -> Variable:
    """Solve ``A x = b`` given the Cholesky factor ``(c, lower)`` of ``A``, as
    ``scipy.linalg.cho_solve``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> L = pt.linalg.cholesky(pt.constant([[4.0, 2.0], [2.0, 2.0]]))
    >>> pt.linalg.cho_solve((L, True), pt.constant([6.0, 4.0])).eval()
    array([1., 1.])
    """
    c, lower = c_and_lower
    y = solve_triangular(c, b, lower=lower, trans=0 if lower else 1)
    return solve_triangular(c, y, lower=lower, trans=1 if lower else 0)


# --------------------------------------------------------------------- inverse and determinants
class MatrixInverse(Op):
    """The inverse of a square matrix, as ``numpy.linalg.inv``."""

    def make_node(self, A) -> Apply:
        A = _as_matrix(A, "inv")
        return Apply(self, [A], [A.type])

    def perform(self, node, inputs):
        return [np.asarray(np.linalg.inv(inputs[0]), dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        X, g = outputs[0], output_grads[0]
        return [-dot(dot(X.T, g), X.T)]


def inv(A) -> Variable:
    """Matrix inverse.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> pt.linalg.inv(pt.constant([[2.0, 0.0], [0.0, 4.0]])).eval()
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    return MatrixInverse()(A)


class Det(Op):
    """The determinant of a square matrix, as ``numpy.linalg.det``."""

    def make_node(self, A) -> Apply:
        A = _as_matrix(A, "det")
        return Apply(self, [A], [TensorType(A.dtype, ())])

    def perform(self, node, inputs):
        return [np.asarray(np.linalg.det(inputs[0]), dtype=node.outputs[0].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        (A,), (d,), (g,) = inputs, outputs, output_grads
        return [(g * d) * inv(A).T]


def det(A) -> Variable:
    """Determinant; its gradient is ``det(A) * inv(A).T``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> round(float(pt.linalg.det(pt.constant([[2.0, 1.0], [1.0, 3.0]])).eval()), 6)
    5.0
    """
    return Det()(A)


class SlogDet(Op):
    """Sign and log of the absolute value of the determinant, as ``numpy.linalg.slogdet``."""

    def make_node(self, A) -> Apply:
        A = _as_matrix(A, "slogdet")
        return Apply(self, [A], [TensorType(A.dtype, ()), TensorType(A.dtype, ())])

    def perform(self, node, inputs):
        sign, logabsdet = np.linalg.slogdet(inputs[0])
        dtype = node.outputs[0].dtype
        return [np.asarray(sign, dtype=dtype), np.asarray(logabsdet, dtype=dtype)]

    def pullback(self, inputs, outputs, output_grads):
        g_log = output_grads[1]  # the sign is piecewise constant: no gradient
        return [None if g_log is None else g_log * inv(inputs[0]).T]


def slogdet(A) -> tuple[Variable, Variable]:
    """``(sign, logabsdet)`` of a square matrix: ``det(A) = sign * exp(logabsdet)``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> sign, logabs = pt.linalg.slogdet(pt.constant([[-2.0, 0.0], [0.0, 3.0]]))
    >>> float(sign.eval()), round(float(logabs.eval()), 4)
    (-1.0, 1.7918)
    """
    sign, logabsdet = SlogDet()(A)
    return sign, logabsdet


def logdet(A) -> Variable:
    """``log(det(A))``, computed from ``slogdet``: NaN where the determinant is negative.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> round(float(pt.linalg.logdet(pt.constant([[2.0, 0.0], [0.0, 3.0]])).eval()), 4)
    1.7918
    """
    from probgraph.tensor.math import switch
    sign, logabsdet = slogdet(A)
    return switch(sign >= 0, logabsdet, np.nan)


# --------------------------------------------------------------------- eigendecomposition
class Eigh(Op):
    """Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, as
    ``numpy.linalg.eigh``."""

    __props__ = ("lower",)

    def __init__(self, lower: bool = True):
        self.lower = bool(lower)

    def make_node(self, A) -> Apply:
        A = _as_matrix(A, "eigh")
        return Apply(self, [A], [TensorType(A.dtype, A.type.shape[:1]), A.type])

    def perform(self, node, inputs):
        w, v = np.linalg.eigh(inputs[0], UPLO="L" if self.lower else "U")
        return [np.asarray(w, dtype=node.outputs[0].dtype),
                np.asarray(v, dtype=node.outputs[1].dtype)]

    def pullback(self, inputs, outputs, output_grads):
        """``Ā = V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ`` with ``F_ij = 1 / (w_j - w_i)`` off the
        diagonal (Giles 2008, "An extended collection of matrix derivative results"), symmetrised.
        Undefined for repeated eigenvalues."""
        from probgraph.tensor.shape import dimshuffle
        (w, V), (gw, gV) = outputs, output_grads
        inner = None
        if gw is not None:
            inner = _eye_like(V) * dimshuffle(gw, ("x", 0))
        if gV is not None:
            gaps = dimshuffle(w, ("x", 0)) - dimshuffle(w, (0, "x"))
            eye = _eye_like(gaps)
            F = (1 - eye) / (gaps + eye)
            term = F * dot(V.T, gV)
            inner = term if inner is None else inner + term
        Abar = dot(dot(V, inner), V.T)
        return [0.5 * (Abar + Abar.T)]


def eigh(A, lower: bool = True) -> tuple[Variable, Variable]:
    """Eigenvalues ``w`` (ascending) and eigenvectors ``v`` (columns) of a symmetric matrix.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> w, v = pt.linalg.eigh(pt.constant([[2.0, 0.0], [0.0, 1.0]]))
    >>> w.eval()
    array([1., 2.])
    """
    w, v = Eigh(lower)(A)
    return w, v


# --------------------------------------------------------------------- composites
def matrix_dot(*args) -> Variable:
    """The product of several matrices, left to right: ``matrix_dot(A, B, C) = A @ B @ C``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> I = pt.constant(np.eye(2))
    >>> pt.linalg.matrix_dot(I, I, I).eval()
    array([[1., 0.],
           [0., 1.]])
    """
    if not args:
        raise ValueError("matrix_dot: needs at least one matrix")
    out = args[0]
    for a in args[1:]:
        out = dot(out, a)
    return out


def norm(x, ord=None, axis=None, keepdims: bool = False) -> Variable:
    """Vector and matrix norms, as ``numpy.linalg.norm``.

    Vector orders: None/2, 1, any other positive p, ``inf``, ``-inf``; matrix orders (a 2-d ``x``
    with ``axis=None``, or a pair of axes): None/``"fro"``, 1, -1, ``inf``, ``-inf``.

    Examples
    --------
    >>> import numpy as np, probgraph.tensor as pt
    >>> float(pt.linalg.norm(pt.constant([3.0, 4.0])).eval())
    5.0
    """
    from probgraph.tensor import math as tm
    from probgraph.tensor import reduce as red
    from probgraph.tensor.basic import as_tensor
    from probgraph.tensor.shape import squeeze
    x = as_tensor(x)
    if not is_float(x.dtype):
        x = tm.cast(x, float_of(x.dtype))
    if axis is None:
        if ord is None:
            return tm.sqrt(red.sum(x * x, axis=None, keepdims=keepdims))
        if x.ndim not in (1, 2):
            raise ValueError(f"norm: ord={ord!r} needs a vector or a matrix, or axis=; got "
                             f"{x.ndim} dimensions")
        axis = tuple(range(x.ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    a = tm.abs(x)
    if len(axes) == 1:
        if ord is None or ord == 2:
            return tm.sqrt(red.sum(x * x, axis=axes, keepdims=keepdims))
        if ord == np.inf:
            return red.max(a, axis=axes, keepdims=keepdims)
        if ord == -np.inf:
            return red.min(a, axis=axes, keepdims=keepdims)
        if ord == 1:
            return red.sum(a, axis=axes, keepdims=keepdims)
        if isinstance(ord, (int, float)) and ord > 0:
            return red.sum(a ** ord, axis=axes, keepdims=keepdims) ** (1.0 / ord)
        raise ValueError(f"norm: unsupported vector order {ord!r}")
    if len(axes) != 2:
        raise ValueError(f"norm: axis must be an int or a pair of ints, got {axis!r}")
    row, col = (ax % x.ndim for ax in axes)
    if ord is None or ord == "fro":
        return tm.sqrt(red.sum(x * x, axis=axes, keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        s = red.sum(a, axis=summed, keepdims=True)
        pick = red.max if ord in (1, np.inf) else red.min
        out = pick(s, axis=other, keepdims=True)
        return out if keepdims else squeeze(out, (row, col))
    raise ValueError(f"norm: unsupported matrix order {ord!r} (use None, 'fro', 1, -1, inf, -inf)")

