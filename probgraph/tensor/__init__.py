"""The numpy-like tensor namespace: ``import probgraph.tensor as pt``."""

from probgraph.tensor import linalg, nnet
from probgraph.tensor.basic import (as_tensor, as_tensor_variable, bscalar, bvector, constant,
                                    dmatrix,
                                    dscalar, dtensor3, dvector, fmatrix, fscalar, ftensor3, fvector,
                                    imatrix, iscalar, ivector, lmatrix, lscalar, lvector, matrix,
                                    scalar, tensor, tensor3, tensor4, vector)
from probgraph.tensor.builders import *  # noqa: F403
from probgraph.tensor.dot import *  # noqa: F403
from probgraph.tensor.elemwise import Elemwise
from probgraph.tensor.extra_ops import *  # noqa: F403
from probgraph.tensor.grad import grad, hessian, jacobian, verify_grad
from probgraph.tensor.join import *  # noqa: F403
from probgraph.tensor.math import *  # noqa: F403
from probgraph.tensor.math import abs, round  # noqa: A004
from probgraph.tensor.reduce import (all, any, argmax, argmin, logsumexp, max, mean, min, prod,
                                     std,  # noqa: A004
                                     sum, var)
from probgraph.tensor.shape import (broadcast_to, dimshuffle, expand_dims, flatten, reshape, shape,
                                    squeeze, transpose)
from probgraph.tensor.subtensor import *  # noqa: F403
from probgraph.tensor.type import TensorType
from probgraph.tensor.variable import SharedVariable, TensorConstant, TensorVariable, shared
from probgraph.tensor.numpy_extras import *  # noqa: F403
