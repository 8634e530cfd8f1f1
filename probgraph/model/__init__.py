"""The model layer: ``Model`` context, Data/Deterministic/Potential, and the compiled
log-density."""

from probgraph.model.compiled import LogpDlogpFunction, PointFunc, SamplingError
from probgraph.model.core import (ConstantData, Data, Deterministic, Model, MutableData, Potential,
                                  modelcontext, register_distribution, set_data)

__all__ = ["ConstantData", "Data", "Deterministic", "LogpDlogpFunction", "Model", "MutableData",
           "PointFunc", "Potential", "SamplingError", "modelcontext", "register_distribution",
           "set_data"]
