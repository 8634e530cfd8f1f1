"""The model layer: ``Model`` context, Data/Deterministic/Potential, and the compiled log-density."""

from probgraph.model.compiled import LogpDlogpFunction, PointFunc, SamplingError
from probgraph.model.core import (Data, Deterministic, Model, Potential, modelcontext,
                                  register_distribution, set_data)

__all__ = ["Data", "Deterministic", "LogpDlogpFunction", "Model", "PointFunc", "Potential",
           "SamplingError", "modelcontext", "register_distribution", "set_data"]
