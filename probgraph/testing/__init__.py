"""Statistical testing tools for probgraph models and samplers (simulation-based calibration)."""

from probgraph.testing.sbc import SBCResult, rank_uniformity_pvalues, simulation_based_calibration

__all__ = ["SBCResult", "rank_uniformity_pvalues", "simulation_based_calibration"]
