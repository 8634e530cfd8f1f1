"""Our NUTS against posteriordb's reference posteriors (Stan, 10,000 near-independent draws).

The fast CI subset runs 4 chains x 500 draws after 500 tuning steps per case; the comparison
rule (means within 4 MCSE, sds and quantiles within ESS-derived tolerances) is in ``models.py``.
``python -m benchmarks.posteriordb`` runs every case with more draws.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest


def _load_models():
    name = "posteriordb_models"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("models.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


M = _load_models()

CI = [name for name, case in M.CASES.items() if case.ci]


def _table(rows):
    return "\n".join(
        f"{r['name']:>10} mean {r['mean']:.4g} ref {r['ref_mean']:.4g} z {r['z']:+.2f} "
        f"sd_rel {r['sd_rel']:+.3f} (tol {r['sd_tol']:.3f}) q_err {r['q_err']:.2f} "
        f"ess {r['ess']:.0f} rhat {r['rhat']:.3f}" for r in rows)


@pytest.mark.parametrize("posterior", list(M.CASES))
def test_case_matches_reference_parameter_names(posterior):
    """Every reference name maps to one of our variables and an index inside its shape."""
    data, ref = M.load(posterior)
    model, names = M.CASES[posterior].build(data)
    assert set(names) == set(ref["parameter_names"])
    point = model.initial_point()
    assert np.isfinite(float(model.compile_logp(mode="python")(point)))


@pytest.mark.slow
@pytest.mark.parametrize("posterior", CI)
def test_posterior_matches_reference(posterior):
    # R-hat gate 1.02, not 1.01: with 4 x 500 draws (bulk ESS ~700-1000) the split R-hat of
    # well-mixed chains has a sampling spread of ~0.005, so 1.01 rejects converged runs several
    # percent of the time (seen: mesquite beta[1] at 1.012 with every mean within 1.6 MCSE).
    # 1.02 still catches chains stuck in different regions; the full run uses 1.01.
    rows, idata, _ = M.run_case(M.CASES[posterior], draws=500, tune=500, chains=4, seed=20261203,
                                rhat_max=1.02)
    bad = [r for r in rows if not r["ok"]]
    assert not bad, f"{posterior} differs from the reference:\n{_table(rows)}"
    # a stray divergence in 2000 draws happens with short tuning (seen in eight schools,
    # non-centred, at target_accept 0.8); more than that means a wrong density or gradient
    assert int(idata.sample_stats["diverging"].sum()) <= 2
