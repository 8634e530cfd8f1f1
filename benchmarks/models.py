"""The six benchmark models of ``../shared/bench`` written with probgraph, line for line as
``models_pymc.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

import probgraph as pm
import probgraph.tensor as pt

BENCH_DIR = Path(os.environ.get("PROBGRAPH_BENCH_DIR",
                                Path(__file__).resolve().parents[2] / "shared" / "bench"))


def bench_data():
    """The shared, framework-neutral data module (``bench_data.py``)."""
    if not (BENCH_DIR / "bench_data.py").exists():
        raise FileNotFoundError(f"benchmark data definitions not found in {BENCH_DIR}; set "
                                "PROBGRAPH_BENCH_DIR to the folder holding bench_data.py")
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    import bench_data as bd
    return bd


def build(name: str, data: dict) -> pm.Model:
    """The probgraph model ``name`` on ``data`` (as returned by ``bench_data.<name>()``)."""
    with pm.Model() as m:
        if name == "eight_schools":
            mu = pm.Normal("mu", 0.0, 5.0)
            tau = pm.HalfCauchy("tau", 5.0)
            theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, shape=data["J"])
            theta = mu + tau * theta_tilde
            pm.Normal("y", theta, data["sigma"], observed=data["y"])

        elif name == "hier_logistic":
            X = pm.Data("X", data["X"])
            g = pm.Data("g", data["g"])
            y = pm.Data("y_data", data["y"])
            mu_a = pm.Normal("mu_a", 0.0, 2.0)
            sigma_a = pm.HalfNormal("sigma_a", 1.0)
            a_raw = pm.Normal("a_raw", 0.0, 1.0, shape=data["G"])
            beta = pm.Normal("beta", 0.0, 1.0, shape=data["K"])
            alpha = mu_a + sigma_a * a_raw
            pm.Bernoulli("y", logit_p=alpha[g] + X @ beta, observed=y)

        elif name == "stoch_vol":
            sigma = pm.Exponential("sigma", 10.0)
            nu = pm.Exponential("nu", 0.1)
            z = pm.Normal("z", 0.0, 1.0, shape=data["T"])
            h = pt.cumsum(sigma * z)
            pm.StudentT("r", nu=nu, mu=0.0, sigma=pt.exp(h / 2.0), observed=data["r"])

        elif name == "ar1_scan":
            phi = pm.Uniform("phi", -1.0, 1.0)
            sigma = pm.HalfNormal("sigma", 1.0)
            z = pm.Normal("z", 0.0, 1.0, shape=data["T"])

            def step(z_t, x_prev, phi, sigma):
                return phi * x_prev + sigma * z_t

            x, _ = pm.scan(step, sequences=[z], outputs_info=[pt.as_tensor(np.float64(0.0))],
                           non_sequences=[phi, sigma])
            pm.Normal("y", x, data["obs_sigma"], observed=data["y"])

        elif name == "mvn_dense":
            pm.MvNormal("x", mu=data["mu"], chol=data["chol"])

        elif name == "linreg_big":
            X = pm.Data("X", data["X"])
            y = pm.Data("y_data", data["y"])
            beta = pm.Normal("beta", 0.0, 1.0, shape=data["K"])
            a = pm.Normal("a", 0.0, 10.0)
            sigma = pm.HalfNormal("sigma", 1.0)
            pm.Normal("y", X @ beta + a, sigma, observed=y)
        else:
            raise KeyError(name)
    return m


def flat_point(model: pm.Model, f, unc: dict[str, np.ndarray]) -> np.ndarray:
    """The unconstrained point (keyed by RV name) as the flat vector of ``f`` (a
    LogpDlogpFunction)."""
    by_value = {model.rvs_to_values[rv].name: unc[rv.name] for rv in model.free_RVs}
    return f.point_to_array(by_value)
