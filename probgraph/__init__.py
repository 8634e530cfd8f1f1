"""probgraph: a symbolic tensor graph, a numba whole-graph compiler, a PyMC-style model layer and a
compiled NUTS sampler."""

__version__ = "0.1.0"

from probgraph.config import config
from probgraph.graph.printing import debugprint
from probgraph.compile import Function, function
from probgraph.tensor.grad import grad, hessian, jacobian, verify_grad
from probgraph.tensor.variable import shared
from probgraph.tensor.scan import scan, until
from probgraph import math
from probgraph import distributions
from probgraph.model import (ConstantData, Data, Deterministic, Model, MutableData, Potential,
                             SamplingError, modelcontext, set_data)
from probgraph.distributions import *  # noqa: F403
from probgraph.distributions import transforms
from probgraph.predictive import draw, sample_posterior_predictive, sample_prior_predictive
from probgraph.samplers.model_sampling import HMC, NUTS, sample

dprint = debugprint
from probgraph.samplers.compound import CompoundStep
from probgraph.samplers.metropolis import (BinaryGibbsMetropolis, CategoricalGibbsMetropolis,
                                           Metropolis)
