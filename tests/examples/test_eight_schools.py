"""The README's main job runs and recovers the eight-schools posterior (posteriordb reference)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "eight_schools.py"


@pytest.mark.slow
def test_eight_schools_main_job(tmp_path):
    spec = importlib.util.spec_from_file_location("eight_schools", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(["--draws", "500", "--tune", "500", "--out", str(tmp_path)])
    post = out["idata"].posterior
    # posteriordb reference (Stan, 10 x 10k draws): mu mean 4.411 (sd 3.309, its own MCSE 0.033)
    mcse_mu = float(out["summary"].loc["mu", "mcse_mean"])
    assert abs(float(post["mu"].mean()) - 4.411) < 4 * np.hypot(mcse_mu, 0.033)
    assert (tmp_path / "eight_schools_trace.png").exists()
    assert (tmp_path / "eight_schools_forest.png").exists()
