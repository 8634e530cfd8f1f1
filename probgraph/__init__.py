"""probgraph: a symbolic tensor graph, a numba whole-graph compiler, a PyMC-style model layer and a compiled NUTS sampler."""

__version__ = "0.1.0"

from probgraph.config import config
from probgraph.graph.printing import debugprint
from probgraph.compile import function, Function
from probgraph.tensor.grad import grad, hessian, jacobian, verify_grad
from probgraph.tensor.variable import shared

dprint = debugprint
from probgraph.tensor.scan import scan, until
