"""Compiled NUTS/HMC on flat float64 vectors: numba kernels, Stan's adaptation, parallel chains."""

from probgraph.samplers.adaptation import window_flags, window_schedule
from probgraph.samplers.sample import (
    INIT_METHODS,
    InitialPointError,
    SamplerResult,
    find_initial_point,
    jitter,
    run_chains,
)

__all__ = [
    "INIT_METHODS",
    "InitialPointError",
    "SamplerResult",
    "find_initial_point",
    "jitter",
    "run_chains",
    "window_flags",
    "window_schedule",
]
