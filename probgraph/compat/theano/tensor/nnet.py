"""``theano.tensor.nnet``: activations, softmax family and cross-entropies
(``probgraph.tensor.nnet`` already follows Theano's names and argument order)."""

from probgraph.tensor.nnet import *  # noqa: F403
from probgraph.tensor.nnet import __all__ as _pt_all
from probgraph.tensor.nnet import sigmoid

ultra_fast_sigmoid = sigmoid  # Theano's fast approximation; exact here

__all__ = [*_pt_all, "ultra_fast_sigmoid"]
