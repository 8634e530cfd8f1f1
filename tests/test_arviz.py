"""Tests of the ArviZ export: groups, coords/dims, stat dtypes, attrs, ArviZ functions, netCDF."""

import datetime
import sys
import types
import warnings

import arviz as az
import numpy as np
import pytest
import xarray as xr

from probgraph import arviz as pg_arviz
from probgraph.arviz import extend_inferencedata, group_names, to_inference_data

CHAINS, DRAWS, N_OBS = 4, 200, 20
SCHOOLS = ["a", "b", "c"]


def normal_logpdf(y, mu, sigma):
    return -0.5 * np.log(2 * np.pi) - np.log(sigma) - 0.5 * ((y - mu) / sigma) ** 2


@pytest.fixture
def groups():
    """Draws from the posterior of y ~ Normal(mu, sigma), shaped as a sampler would give them."""
    rng = np.random.default_rng(42)
    y = rng.normal(1.0, 2.0, size=N_OBS)
    mean, sd = y.mean(), y.std(ddof=1)
    # the exact posterior under the prior p(mu, sigma) ∝ 1/sigma
    sigma = np.sqrt((N_OBS - 1) * sd**2 / rng.chisquare(N_OBS - 1, size=(CHAINS, DRAWS)))
    mu = rng.normal(mean, sigma / np.sqrt(N_OBS))
    shape = (CHAINS, DRAWS)
    return dict(
        posterior={
            "mu": mu,
            "sigma": sigma,
            "theta": rng.normal(size=(*shape, len(SCHOOLS))),
            "z": rng.normal(size=(*shape, 2)),
        },
        sample_stats={
            "lp": rng.normal(-30.0, 1.0, size=shape),
            "diverging": (rng.random(shape) < 0.01).astype(np.int64),
            "energy": rng.normal(31.0, 1.0, size=shape),
            "tree_depth": rng.integers(1, 4, size=shape).astype(np.float64),
            "n_steps": rng.integers(1, 8, size=shape).astype(np.float64),
            "step_size": np.full(shape, 0.5),
            "acceptance_rate": rng.uniform(0.6, 1.0, size=shape),
            "max_energy_error": rng.normal(size=shape),
            "energy_error": rng.normal(size=shape),
            "reached_max_treedepth": np.zeros(shape, dtype=np.int8),
            "step_size_bar": np.full(shape, 0.45),
            "perf_counter_diff": rng.uniform(1e-5, 1e-4, size=shape),
        },
        observed_data={"y": y},
        constant_data={"x": np.linspace(0.0, 1.0, N_OBS)},
        log_likelihood={"y": normal_logpdf(y, mu[..., None], sigma[..., None])},
        coords={"school": SCHOOLS, "obs": np.arange(N_OBS)},
        dims={"theta": ["school"], "y": ["obs"], "x": ["obs"]},
        attrs={"sampling_time": 1.25, "tuning_steps": 500},
    )


def loo_fields(loo):
    """``(elpd, p_loo, pointwise elpd)`` of ``az.loo``'s result under arviz 0.x or 1.x."""
    if hasattr(loo, "elpd_loo"):
        return float(loo.elpd_loo), float(loo.p_loo), np.asarray(loo.loo_i)
    return float(loo.elpd), float(loo.p), np.asarray(loo.elpd_i)


@pytest.fixture
def idata(groups):
    kwargs = dict(groups)
    return to_inference_data(kwargs.pop("posterior"), **kwargs)


def test_groups(idata):
    assert isinstance(idata, az.InferenceData)
    assert set(group_names(idata)) == {
        "posterior",
        "sample_stats",
        "observed_data",
        "constant_data",
        "log_likelihood",
    }


def test_dims_and_coords_land_where_declared(idata):
    assert idata.posterior["theta"].dims == ("chain", "draw", "school")
    assert list(idata.posterior["school"].values) == SCHOOLS
    assert idata.observed_data["y"].dims == ("obs",)
    assert idata.constant_data["x"].dims == ("obs",)
    assert idata.log_likelihood["y"].dims == ("chain", "draw", "obs")
    assert idata.posterior.sizes["chain"] == CHAINS and idata.posterior.sizes["draw"] == DRAWS
    np.testing.assert_array_equal(idata.posterior["chain"], np.arange(CHAINS))


def test_automatic_dim_names(idata):
    assert idata.posterior["z"].dims == ("chain", "draw", "z_dim_0")
    partial = to_inference_data(
        {"w": np.zeros((2, 5, 3, 4))}, coords={"k": range(4)}, dims={"w": [None, "k"]}
    )
    assert partial.posterior["w"].dims == ("chain", "draw", "w_dim_0", "k")


def test_sample_stats_dtypes(idata):
    stats = idata.sample_stats
    assert stats["diverging"].dtype == bool
    assert stats["reached_max_treedepth"].dtype == bool
    assert stats["tree_depth"].dtype == np.int64
    assert stats["n_steps"].dtype == np.int64
    for name in ("lp", "energy", "step_size", "acceptance_rate", "energy_error"):
        assert stats[name].dtype == np.float64
    assert set(stats.data_vars) == set(pg_arviz.STAT_DTYPES)


def test_stats_that_would_change_are_refused():
    with pytest.raises(ValueError, match="diverging"):
        to_inference_data({"mu": np.zeros((1, 3))}, sample_stats={"diverging": np.full((1, 3), 2)})
    with pytest.raises(ValueError, match="tree_depth"):
        to_inference_data(
            {"mu": np.zeros((1, 3))}, sample_stats={"tree_depth": np.full((1, 3), 1.5)}
        )


def test_attrs_on_every_group(idata):
    for group in group_names(idata):
        attrs = idata[group].attrs
        created = datetime.datetime.fromisoformat(attrs["created_at"])
        assert created.utcoffset() == datetime.timedelta(0)
        assert attrs["inference_library"] == "probgraph"
        assert isinstance(attrs["inference_library_version"], str)
        assert attrs["sampling_time"] == 1.25 and attrs["tuning_steps"] == 500


def test_attrs_are_made_netcdf_safe():
    attrs = {"skipped": None, "flag": True, "adapt": {"target_accept": 0.8}, "names": ("a", "b")}
    result = to_inference_data({"mu": np.zeros((1, 3))}, attrs=attrs)
    stored = result.posterior.attrs
    assert "skipped" not in stored
    assert stored["flag"] == 1 and stored["adapt_target_accept"] == 0.8
    assert stored["names"] == ["a", "b"]
    with pytest.raises(TypeError, match="'model'"):
        to_inference_data({"mu": np.zeros((1, 3))}, attrs={"model": object()})


def test_summary_ess_rhat(idata, groups):
    summary = az.summary(idata, var_names=["mu", "theta"])
    assert list(summary.index) == ["mu", "theta[a]", "theta[b]", "theta[c]"]
    mu_mean = groups["posterior"]["mu"].mean()
    np.testing.assert_allclose(summary.loc["mu", "mean"], mu_mean, atol=1e-3)
    ess = az.ess(idata, var_names=["mu"])["mu"].item()
    assert ess > 0.5 * CHAINS * DRAWS  # independent draws
    rhat = az.rhat(idata)
    assert float(rhat["theta"].max()) < 1.05
    assert rhat["theta"].dims == ("school",)


def test_loo(idata, groups):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no Pareto-k warning for a normal model
        loo = az.loo(idata, pointwise=True)
    log_lik = groups["log_likelihood"]["y"].reshape(CHAINS * DRAWS, N_OBS)
    lppd = np.sum(np.log(np.mean(np.exp(log_lik), axis=0)))
    elpd, p_loo, pointwise = loo_fields(loo)
    assert np.isfinite(elpd)
    np.testing.assert_allclose(elpd, lppd - p_loo, rtol=1e-6)
    assert 0.5 < p_loo < 5.0  # two parameters
    assert pointwise.shape == (N_OBS,)
    assert float(loo.pareto_k.max()) < 0.7


def test_plot_trace(idata):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = az.plot_trace(idata, var_names=["mu", "theta"])
    if hasattr(result, "shape"):  # arviz 0.x: an array of axes, one row per variable
        assert result.shape == (2, 2)
    else:  # arviz 1.x: a PlotCollection with one trace and one density panel per variable
        assert len(plt.gcf().axes) >= 4
    plt.close("all")


def test_netcdf_round_trip(idata, tmp_path):
    path = tmp_path / "trace.nc"
    idata.to_netcdf(str(path))
    loaded = az.from_netcdf(str(path))
    assert set(group_names(loaded)) == set(group_names(idata))
    for group in group_names(idata):
        xr.testing.assert_identical(loaded[group].load(), idata[group])


def test_extend_inferencedata(idata, groups):
    rng = np.random.default_rng(1)
    y_rep = rng.normal(size=(CHAINS, DRAWS, N_OBS))
    result = extend_inferencedata(
        idata,
        posterior_predictive={"y": y_rep},
        prior={"mu": rng.normal(size=(1, 500)), "theta": rng.normal(size=(1, 500, 3))},
        prior_predictive={"y": rng.normal(size=(1, 500, N_OBS))},
    )
    assert result is idata
    assert {"posterior_predictive", "prior", "prior_predictive"} <= set(group_names(idata))
    # dims and coords of y come from observed_data, those of theta from the posterior
    assert idata.posterior_predictive["y"].dims == ("chain", "draw", "obs")
    assert idata.prior["theta"].dims == ("chain", "draw", "school")
    assert list(idata.prior["school"].values) == SCHOOLS
    assert idata.prior.sizes["draw"] == 500
    assert idata.prior.attrs["inference_library"] == "probgraph"
    np.testing.assert_array_equal(idata.posterior_predictive["y"], y_rep)
    # a second call replaces the group
    extend_inferencedata(idata, posterior_predictive={"y": np.zeros((CHAINS, DRAWS, N_OBS))})
    assert float(abs(idata.posterior_predictive["y"]).max()) == 0.0


def test_extend_with_new_dims_and_bad_group(idata):
    extend_inferencedata(
        idata,
        posterior_predictive={"y_new": np.zeros((CHAINS, DRAWS, 2))},
        coords={"new_obs": ["p", "q"]},
        dims={"y_new": ["new_obs"]},
    )
    assert list(idata.posterior_predictive["new_obs"].values) == ["p", "q"]
    with pytest.raises(ValueError, match="posterior"):
        extend_inferencedata(idata, posterior={"mu": np.zeros((CHAINS, DRAWS))})


def test_dims_length_error_names_variable_dim_and_lengths():
    with pytest.raises(ValueError) as info:
        to_inference_data(
            {"theta": np.zeros((2, 10, 4))}, coords={"school": SCHOOLS}, dims={"theta": ["school"]}
        )
    message = str(info.value)
    assert "'theta'" in message and "'school'" in message
    assert "3 coordinate values" in message and "length 4" in message


def test_shape_errors():
    with pytest.raises(ValueError, match="more|only 1 axes"):
        to_inference_data({"theta": np.zeros((2, 10, 3))}, dims={"theta": ["school", "extra"]})
    with pytest.raises(ValueError, match=r"'b'.*'k'.*length 2.*length 3.*'a'"):
        to_inference_data(
            {"a": np.zeros((2, 10, 3)), "b": np.zeros((2, 10, 2))}, dims={"a": ["k"], "b": ["k"]}
        )
    with pytest.raises(ValueError, match=r"'mu'.*\(chain, draw\)"):
        to_inference_data({"mu": np.zeros(10)})


def test_warmup_groups_are_kept(groups):
    result = to_inference_data(
        groups["posterior"],
        warmup_posterior={"mu": np.zeros((CHAINS, 50))},
        warmup_sample_stats={"diverging": np.zeros((CHAINS, 50), dtype=int)},
    )
    assert result.warmup_posterior.sizes["draw"] == 50
    assert result.warmup_sample_stats["diverging"].dtype == bool


def _fake_arviz_base(calls):
    """Stand-in for arviz_base.from_dict (arviz 1.x), building the DataTree with xarray."""

    def from_dict(data, *, coords=None, dims=None, attrs=None, save_warmup=None, **kwargs):
        calls.append({"groups": list(data), "dims": dims, "save_warmup": save_warmup})
        children = {}
        for group, variables in data.items():
            sample_dims = [] if "data" in group else ["chain", "draw"]
            dataset = xr.Dataset(
                {name: (sample_dims + dims[name], value) for name, value in variables.items()}
            )
            dataset = dataset.assign_coords({d: coords[d] for d in dataset.dims if d in coords})
            dataset.attrs = dict(attrs[group])
            children[group] = dataset
        return xr.DataTree.from_dict(children)

    module = types.ModuleType("arviz_base")
    module.from_dict = from_dict
    return module


def test_arviz_1_path_builds_a_datatree(groups, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setitem(sys.modules, "arviz_base", _fake_arviz_base(calls))
    monkeypatch.setattr(pg_arviz, "_arviz_major", lambda: 1)
    posterior = groups.pop("posterior")
    tree = to_inference_data(posterior, **groups)
    assert isinstance(tree, xr.DataTree)
    assert set(tree.children) == {
        "posterior",
        "sample_stats",
        "observed_data",
        "constant_data",
        "log_likelihood",
    }
    assert all(call["save_warmup"] for call in calls)
    assert tree["posterior"]["theta"].dims == ("chain", "draw", "school")
    assert tree["posterior"]["z"].dims == ("chain", "draw", "z_dim_0")
    assert tree["sample_stats"]["diverging"].dtype == bool
    assert tree["observed_data"].attrs["inference_library"] == "probgraph"
    assert tree.attrs["sampling_time"] == 1.25

    extend_inferencedata(tree, posterior_predictive={"y": np.zeros((CHAINS, DRAWS, N_OBS))})
    assert tree["posterior_predictive"]["y"].dims == ("chain", "draw", "obs")

    path = tmp_path / "tree.nc"
    tree.to_netcdf(path)
    loaded = xr.open_datatree(path)
    assert set(loaded.children) == set(tree.children)
    xr.testing.assert_identical(loaded["posterior"].load(), tree["posterior"])
