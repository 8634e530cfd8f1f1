"""posteriordb cases as probgraph models, and the rule that compares our draws with the reference.

Each builder takes the case's ``data.json`` (a dict) and returns ``(model, names)``: ``names``
maps every Stan reference name (1-based, e.g. ``"beta[1]"``) to ``(our variable, index)`` with
``index`` None for scalars, so nothing is matched by string munging. Every builder follows the
case's ``model.md`` term by term (priors, likelihood, transformed data).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import probgraph as pg
import probgraph.tensor as pt
from probgraph.graph.basic import Variable

# a copy of posteriordb's data and our reference summaries (BSD-3, see data/LICENSE-posteriordb.md)
DATA_DIR = Path(os.environ.get("PROBGRAPH_POSTERIORDB", Path(__file__).with_name("data")))
REF_ESS = 10_000  # posteriordb reference draws are ~independent: 10 chains x 1000 thinned draws


def _vec(data, key):
    return np.asarray(data[key], dtype="float64")


def _names(var: str, n: int | None) -> dict:
    """Stan's 1-based names for our 0-based vector ``var`` (or the scalar when ``n`` is None)."""
    if n is None:
        return {var: (var, None)}
    return {f"{var}[{i + 1}]": (var, i) for i in range(n)}


def _regression(X: np.ndarray, y: np.ndarray, sigma_prior: str):
    """``y ~ Normal(X @ beta, sigma)`` with a flat prior on ``beta`` (X includes the intercept)."""
    with pg.Model() as model:
        beta = pg.Flat("beta", shape=X.shape[1])
        if sigma_prior == "halfcauchy2.5":
            sigma = pg.HalfCauchy("sigma", beta=2.5)
        else:
            sigma = pg.HalfFlat("sigma")
        pg.Normal("y", mu=pt.dot(X, beta), sigma=sigma, observed=y)
    return model, {**_names("beta", X.shape[1]), **_names("sigma", None)}


def _design(*columns: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(columns[0]), *columns])


# ---------------------------------------------------------------------------------------- cases
def eight_schools_noncentered(data):
    y, s, J = _vec(data, "y"), _vec(data, "sigma"), int(data["J"])
    with pg.Model() as model:
        mu = pg.Normal("mu", 0.0, 5.0)
        tau = pg.HalfCauchy("tau", beta=5.0)
        theta_trans = pg.Normal("theta_trans", 0.0, 1.0, shape=J)
        theta = pg.Deterministic("theta", mu + tau * theta_trans)
        pg.Normal("y", mu=theta, sigma=s, observed=y)
    return model, {**_names("theta", J), **_names("mu", None), **_names("tau", None)}


def eight_schools_centered(data):
    y, s, J = _vec(data, "y"), _vec(data, "sigma"), int(data["J"])
    with pg.Model() as model:
        mu = pg.Normal("mu", 0.0, 5.0)
        tau = pg.HalfCauchy("tau", beta=5.0)
        theta = pg.Normal("theta", mu, tau, shape=J)
        pg.Normal("y", mu=theta, sigma=s, observed=y)
    return model, {**_names("theta", J), **_names("mu", None), **_names("tau", None)}


def kidscore_momiq(data):
    X = _design(_vec(data, "mom_iq"))
    return _regression(X, _vec(data, "kid_score"), "halfcauchy2.5")


def kidscore_interaction(data):
    hs, iq = _vec(data, "mom_hs"), _vec(data, "mom_iq")
    X = _design(hs, iq, hs * iq)  # order: intercept, mom_hs, mom_iq, mom_hs * mom_iq
    return _regression(X, _vec(data, "kid_score"), "halfcauchy2.5")


def kidscore_mom_work(data):
    work = np.asarray(data["mom_work"])
    X = _design(*[(work == k).astype("float64") for k in (2, 3, 4)])
    return _regression(X, _vec(data, "kid_score"), "flat")


def earn_height(data):
    X = _design(_vec(data, "height"))
    return _regression(X, _vec(data, "earn"), "flat")


def logmesquite_logvas(data):
    d1, d2 = _vec(data, "diam1"), _vec(data, "diam2")
    X = _design(
        np.log(d1 * d2 * _vec(data, "canopy_height")),  # log canopy volume
        np.log(d1 * d2),  # log canopy area
        np.log(d1 / d2),  # log canopy shape
        np.log(_vec(data, "total_height")),
        np.log(_vec(data, "density")),
        _vec(data, "group"),
    )
    return _regression(X, np.log(_vec(data, "weight")), "flat")


def nes(data):
    age = np.asarray(data["age_discrete"])
    X = _design(
        _vec(data, "real_ideo"), _vec(data, "race_adj"),
        *[(age == k).astype("float64") for k in (2, 3, 4)],
        _vec(data, "educ1"), _vec(data, "gender"), _vec(data, "income"),
    )
    return _regression(X, _vec(data, "partyid7"), "flat")


def kilpisjarvi(data):
    x, y = _vec(data, "x"), _vec(data, "y")
    with pg.Model() as model:
        alpha = pg.Normal("alpha", float(data["pmualpha"]), float(data["psalpha"]))
        beta = pg.Normal("beta", float(data["pmubeta"]), float(data["psbeta"]))
        sigma = pg.HalfFlat("sigma")
        pg.Normal("y", mu=alpha + beta * x, sigma=sigma, observed=y)
    return model, {k: (k, None) for k in ("alpha", "beta", "sigma")}


def blr(data):
    X, y = np.asarray(data["X"], dtype="float64"), _vec(data, "y")
    D = X.shape[1]
    with pg.Model() as model:
        beta = pg.Normal("beta", 0.0, 10.0, shape=D)
        sigma = pg.HalfNormal("sigma", sigma=10.0)
        pg.Normal("y", mu=pt.dot(X, beta), sigma=sigma, observed=y)
    return model, {**_names("beta", D), **_names("sigma", None)}


def arK(data):
    K, y = int(data["K"]), _vec(data, "y")
    T = len(y)
    # row t (0-based t = K..T-1) holds y[t-1], ..., y[t-K]: column k-1 is lag k
    lags = np.column_stack([y[K - k:T - k] for k in range(1, K + 1)])
    with pg.Model() as model:
        alpha = pg.Normal("alpha", 0.0, 10.0)
        beta = pg.Normal("beta", 0.0, 10.0, shape=K)
        sigma = pg.HalfCauchy("sigma", beta=2.5)
        pg.Normal("y", mu=alpha + pt.dot(lags, beta), sigma=sigma, observed=y[K:])
    return model, {**_names("alpha", None), **_names("beta", K), **_names("sigma", None)}


def gp_regr(data):
    x, y = _vec(data, "x"), _vec(data, "y")
    sq = (x[:, None] - x[None, :]) ** 2
    with pg.Model() as model:
        rho = pg.Gamma("rho", alpha=25.0, beta=4.0)
        alpha = pg.HalfNormal("alpha", sigma=2.0)
        sigma = pg.HalfNormal("sigma", sigma=1.0)
        cov = alpha**2 * pt.exp(-sq / (2.0 * rho**2)) + sigma * np.eye(len(x))  # sigma: a variance
        pg.MvNormal("y", mu=np.zeros(len(x)), cov=cov, observed=y)
    return model, {k: (k, None) for k in ("rho", "alpha", "sigma")}


def low_dim_gauss_mix(data):
    y = _vec(data, "y")
    with pg.Model() as model:
        mu = pg.Normal("mu", 0.0, 2.0, shape=2, transform=pg.transforms.ordered,
                       initval=np.array([-1.0, 1.0]))
        sigma = pg.HalfNormal("sigma", sigma=2.0, shape=2)
        theta = pg.Beta("theta", 5.0, 5.0)
        lp1 = pt.log(theta) + pg.logp(pg.Normal.dist(mu[0], sigma[0]), y)
        lp2 = pt.log1p(-theta) + pg.logp(pg.Normal.dist(mu[1], sigma[1]), y)
        pg.Potential("mix", pt.sum(pt.logaddexp(lp1, lp2)))
    return model, {**_names("mu", 2), **_names("sigma", 2), **_names("theta", None)}


def garch11(data):
    y, sigma1 = _vec(data, "y"), float(data["sigma1"])
    with pg.Model() as model:
        mu = pg.Flat("mu")
        alpha0 = pg.HalfFlat("alpha0")
        alpha1 = pg.Uniform("alpha1", 0.0, 1.0)
        beta1 = pg.Uniform("beta1", 0.0, 1.0 - alpha1)
        # Stan's bound transform adds log(1 - alpha1) to Uniform's -log(1 - alpha1): flat overall
        pg.Potential("beta1_bound", pt.log1p(-alpha1))

        def step(y_prev, s_prev, mu_, a0, a1, b1):
            return pt.sqrt(a0 + a1 * (y_prev - mu_) ** 2 + b1 * s_prev**2)

        s_rest, _ = pg.scan(step, sequences=[pt.as_tensor(y[:-1])],
                            outputs_info=[pt.constant(sigma1)],
                            non_sequences=[mu, alpha0, alpha1, beta1])
        s = pt.concatenate([pt.as_tensor(np.array([sigma1])), s_rest])
        pg.Normal("y", mu=mu, sigma=s, observed=y)
    return model, {k: (k, None) for k in ("mu", "alpha0", "alpha1", "beta1")}


def _positive_ordered():
    from probgraph.distributions import transforms as tr
    return tr.Chain([tr.log, tr.ordered])


def _hmm_forward(emission: Variable, log_theta: Variable) -> Variable:
    """log p(observations): the forward algorithm over ``emission[t, k]`` (no initial-state term).

    ``log_theta[j, k]`` is log P(z_t = k | z_{t-1} = j), so the sum runs over the previous state j.
    """
    def step(e_t, g_prev, lt):
        return pt.logsumexp(g_prev[:, None] + lt, axis=0) + e_t

    g, _ = pg.scan(step, sequences=[emission[1:]], outputs_info=[emission[0]],
                   non_sequences=[log_theta])
    return pt.logsumexp(g[-1])


def hmm_example(data):
    y = _vec(data, "y")
    with pg.Model() as model:
        theta1 = pg.Dirichlet("theta1", a=np.ones(2))
        theta2 = pg.Dirichlet("theta2", a=np.ones(2))
        mu = pg.Normal("mu", mu=np.array([3.0, 10.0]), sigma=1.0, shape=2,
                       transform=_positive_ordered(), initval=np.array([3.0, 10.0]))
        emission = -0.5 * (y[:, None] - mu[None, :]) ** 2 - 0.5 * np.log(2 * np.pi)
        log_theta = pt.log(pt.stack([theta1, theta2]))
        pg.Potential("forward", _hmm_forward(emission, log_theta))
    return model, {**_names("theta1", 2), **_names("theta2", 2), **_names("mu", 2)}


def hmm_drive_0(data):
    u, v, alpha = _vec(data, "u"), _vec(data, "v"), np.asarray(data["alpha"], dtype="float64")
    with pg.Model() as model:
        theta1 = pg.Dirichlet("theta1", a=alpha[0])
        theta2 = pg.Dirichlet("theta2", a=alpha[1])
        phi = pg.Normal("phi", mu=np.array([0.0, 3.0]), sigma=1.0, shape=2,
                        transform=_positive_ordered(), initval=np.array([1.0, 5.0]))
        lam = pg.Normal("lambda", mu=np.array([0.0, 3.0]), sigma=1.0, shape=2,
                        transform=_positive_ordered(), initval=np.array([0.03, 0.08]))
        emission = (pt.log(phi)[None, :] - u[:, None] * phi[None, :]
                    + pt.log(lam)[None, :] - v[:, None] * lam[None, :])
        log_theta = pt.log(pt.stack([theta1, theta2]))
        pg.Potential("forward", _hmm_forward(emission, log_theta))
    return model, {**_names("theta1", 2), **_names("theta2", 2), **_names("phi", 2),
                   **_names("lambda", 2)}


@dataclass(frozen=True)
class Case:
    """One posteriordb posterior: its folder, builder and sampler settings."""

    posterior: str
    build: object
    ci: bool = False  # in the fast CI subset
    init: str = "jitter+adapt_diag"
    target_accept: float | None = None
    expect_divergences: bool = False


CASES = {c.posterior: c for c in [
    Case("eight_schools-eight_schools_noncentered", eight_schools_noncentered, ci=True),
    Case("kidiq-kidscore_momiq", kidscore_momiq, ci=True),
    Case("earnings-earn_height", earn_height, ci=True),
    Case("mesquite-logmesquite_logvas", logmesquite_logvas, ci=True),
    Case("kidiq-kidscore_interaction", kidscore_interaction),
    Case("kidiq_with_mom_work-kidscore_mom_work", kidscore_mom_work),
    Case("nes2000-nes", nes),
    Case("sblrc-blr", blr),
    Case("arK-arK", arK),
    Case("kilpisjarvi_mod-kilpisjarvi", kilpisjarvi, init="jitter+adapt_full"),
    Case("gp_pois_regr-gp_regr", gp_regr),
    Case("low_dim_gauss_mix-low_dim_gauss_mix", low_dim_gauss_mix),
    Case("garch-garch11", garch11),
    Case("hmm_example-hmm_example", hmm_example),
    Case("bball_drive_event_0-hmm_drive_0", hmm_drive_0, init="jitter+adapt_full"),
    Case("eight_schools-eight_schools_centered", eight_schools_centered, target_accept=0.95,
         expect_divergences=True),
]}


def available() -> bool:
    return (DATA_DIR / "index.json").exists()


def load(posterior: str) -> tuple[dict, dict]:
    """``(data, reference)`` of a case, read from ``DATA_DIR``."""
    folder = DATA_DIR / posterior
    data = json.loads((folder / "data.json").read_text())
    ref = json.loads((folder / "reference.json").read_text())
    return data, ref


# ----------------------------------------------------------------------------------- comparison
def _draws(idata, var: str, index) -> np.ndarray:
    """``(chains, draws)`` array of one parameter element."""
    x = np.asarray(idata.posterior[var])
    return x if index is None else x[..., index]


def compare(idata, ref: dict, names: dict, rhat_max: float = 1.01) -> list[dict]:
    """One row per reference parameter: our statistics against the reference, and pass/fail.

    Rules (``README.md`` of the reference set): R-hat < ``rhat_max`` and bulk ESS >= 400 first; then
    ``|mean - ref| <= max(4 sqrt(mcse^2 + mcse_ref^2), 0.1 sd_ref)``;
    ``|sd/sd_ref - 1| <= max(4 sqrt(1/(2 ess)), 0.1)``; and for q05/q50/q95 the fraction of our
    draws below the reference quantile within ``4 sqrt(p(1-p)/ess_tail) + 4 sqrt(p(1-p)/10000)``.
    """
    import arviz as az

    rows = []
    for stan_name in ref["parameter_names"]:
        var, index = names[stan_name]
        x = _draws(idata, var, index)
        r = ref["parameters"][stan_name]
        ess = float(az.ess(x, method="bulk"))
        ess_tail = float(az.ess(x, method="tail", prob=(0.05, 0.95)))  # explicit for arviz 1.x
        rhat = float(az.rhat(x))
        mean, sd = float(x.mean()), float(x.std(ddof=1))
        mcse = sd / np.sqrt(ess)
        mcse_ref = r.get("mcse_mean_ref", r["sd"] / np.sqrt(REF_ESS))
        z = (mean - r["mean"]) / np.sqrt(mcse**2 + mcse_ref**2)
        mean_tol = max(4 * np.sqrt(mcse**2 + mcse_ref**2), 0.1 * r["sd"])
        sd_rel = sd / r["sd"] - 1
        sd_tol = max(4 * np.sqrt(1 / (2 * ess)), 0.1)
        q_err = 0.0  # worst quantile error in units of its tolerance
        for p, key in ((0.05, "q05"), (0.5, "q50"), (0.95, "q95")):
            frac = float(np.mean(x <= r[key]))
            tol = 4 * np.sqrt(p * (1 - p) / ess_tail) + 4 * np.sqrt(p * (1 - p) / REF_ESS)
            q_err = max(q_err, abs(frac - p) / tol)
        converged = rhat < rhat_max and ess >= 400
        ok = converged and abs(mean
                               - r["mean"]) <= mean_tol and abs(sd_rel) <= sd_tol and q_err <= 1
        rows.append(dict(name=stan_name, mean=mean, ref_mean=r["mean"], z=float(z), sd=sd,
                         ref_sd=r["sd"], sd_rel=float(sd_rel), sd_tol=sd_tol, q_err=q_err,
                         ess=ess, rhat=rhat, converged=converged, ok=bool(ok)))
    return rows


def run_case(case: Case, draws: int, tune: int, chains: int = 4, seed: int = 1,
             rhat_max: float = 1.01):
    """Build, sample and compare one case: ``(rows, idata, seconds)``."""
    import time
    data, ref = load(case.posterior)
    model, names = case.build(data)
    t0 = time.perf_counter()
    idata = pg.sample(draws=draws, tune=tune, chains=chains, random_seed=seed, progressbar=False,
                      init=case.init, target_accept=case.target_accept, model=model,
                      compute_convergence_checks=False)
    seconds = time.perf_counter() - t0
    return compare(idata, ref, names, rhat_max), idata, seconds
