"""``theano.gradient``: ``grad``, ``jacobian``, ``hessian``, ``verify_grad`` and the
gradient-stopping ops."""

from probgraph.tensor.grad import grad, hessian, jacobian, verify_grad
from probgraph.tensor.math import disconnected_grad, stop_gradient

zero_grad = stop_gradient

__all__ = ["disconnected_grad", "grad", "hessian", "jacobian", "verify_grad", "zero_grad"]
