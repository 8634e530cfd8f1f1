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
    # posteriordb reference (Stan, 100k draws): mu 4.39 (sd 3.3), tau 3.6 (sd 3.2)
    mcse_mu = 3.3 / np.sqrt(float(out["summary"].loc["mu", "ess_bulk"]))
    assert abs(float(post["mu"].mean()) - 4.39) < 4 * mcse_mu + 0.05
    assert (tmp_path / "eight_schools_trace.png").exists()
    assert (tmp_path / "eight_schools_forest.png").exists()
