"""The Model: registration, transforms and value variables, log-density (vs numpy), gradients, bad
input."""

import numpy as np
import pytest
import scipy.stats as st

import probgraph.tensor as pt
from probgraph import distributions as D
from probgraph.distributions import transforms as tr
from probgraph.distributions.dist_math import ParameterValueError
from probgraph.model import Data, Deterministic, Model, Potential, SamplingError, set_data

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
SCHOOLS = ["Choate", "Deerfield", "Phillips Andover", "Phillips Exeter", "Hotchkiss",
           "Lawrenceville",
           "St. Paul's", "Mt. Hermon"]


def eight_schools():
    with Model(coords={"school": SCHOOLS}) as model:
        mu = D.Normal("mu", mu=0, sigma=5)
        tau = D.HalfCauchy("tau", beta=5)
        theta_t = D.Normal("theta_t", mu=0, sigma=1, dims="school")
        theta = Deterministic("theta", mu + tau * theta_t, dims="school")
        D.Normal("obs", mu=theta, sigma=SIGMA, observed=Y, dims="school")
    return model


def eight_schools_logp(q):
    mu, log_tau, theta_t = q[0], q[1], q[2:]
    tau = np.exp(log_tau)
    return (st.norm(0, 5).logpdf(mu) + st.halfcauchy(scale=5).logpdf(tau) + log_tau
            + st.norm.logpdf(theta_t).sum() + st.norm(mu + tau * theta_t, SIGMA).logpdf(Y).sum())


def _fd_grad(f, q, eps=1e-6):
    g = np.zeros_like(q)
    for i in range(q.size):
        d = np.zeros_like(q)
        d[i] = eps
        g[i] = (f(q + d) - f(q - d)) / (2 * eps)
    return g


def test_eight_schools_logp_and_gradient(rng):
    model = eight_schools()
    assert [v.name for v in model.value_vars] == ["mu", "tau_log__", "theta_t"]
    f = model.logp_dlogp_function(mode="python")
    assert f.ndim == 10 and f.value_var_names == ["mu", "tau_log__", "theta_t"]
    assert f.slices["theta_t"] == slice(2, 10) and f.shapes["theta_t"] == (8,)
    for _ in range(3):
        q = rng.normal(size=10)
        lp, g = f(q)
        np.testing.assert_allclose(lp, eight_schools_logp(q), rtol=1e-10)
        np.testing.assert_allclose(g, _fd_grad(eight_schools_logp, q), rtol=1e-5, atol=1e-6)
    point = f.array_to_point(q)
    np.testing.assert_allclose(f.point_to_array(point), q)
    expanded = f.expand(q)
    np.testing.assert_allclose(expanded["tau"], np.exp(q[1]))
    np.testing.assert_allclose(expanded["theta"], q[0] + np.exp(q[1]) * q[2:])
    assert list(expanded) == ["mu", "tau", "theta_t", "theta"]
    assert f.logp_fn is None


def test_model_bookkeeping():
    model = eight_schools()
    assert [v.name for v in model.free_RVs] == ["mu", "tau", "theta_t"]
    assert [v.name for v in model.observed_RVs] == ["obs"]
    assert [v.name for v in model.deterministics] == ["theta"]
    tau = model["tau"]
    assert model.rvs_to_values[tau].name == "tau_log__"
    assert model.rvs_to_transforms[tau] is tr.log
    assert model["tau_log__"] is model.rvs_to_values[tau]
    assert model.named_vars_to_dims["theta_t"] == ("school",)
    assert model.coords["school"] == tuple(SCHOOLS)
    assert model["theta_t"].type.shape == (8,)
    total = model.compile_logp(mode="python")
    point = model.initial_point()
    np.testing.assert_allclose(total(point),
                               eight_schools_logp(np.r_[0.0, np.log(5.0), np.zeros(8)]))
    dlogp = model.compile_dlogp(mode="python")(point)
    assert dlogp.shape == (10,)
    fn = model.compile_fn(model["theta"], mode="python")
    np.testing.assert_allclose(fn(point), np.zeros(8))


def test_value_variable_names_and_transforms():
    with Model() as model:
        D.HalfNormal("sigma", 1.0)
        D.Beta("p", 2.0, 2.0)
        D.Uniform("x", -1.0, 2.0)
        D.Normal("w", 0.0, 1.0, shape=3, transform=tr.simplex, initval=[0.25, 0.25, 0.5])
        D.Normal("o", 0.0, 1.0, shape=3, transform=tr.ordered, initval=[-1.0, 0.0, 2.0])
        D.HalfNormal("raw", 1.0, transform=None)
        D.HalfNormal("chained", 1.0, shape=2, transform=tr.ordered, initval=[0.5, 1.0])
        D.Exponential("d", 1.0, default_transform=None)
    names = [v.name for v in model.value_vars]
    assert names == ["sigma_log__", "p_logodds__", "x_interval__", "w_simplex__", "o_ordered__",
                     "raw",
                     "chained_log_ordered__", "d"]
    assert model["w_simplex__"].type.shape == (2,)
    point = model.initial_point()
    assert point["x_interval__"] == pytest.approx(0.0)
    np.testing.assert_allclose(point["w_simplex__"], [np.log(1 / 3) + np.log(2), np.log(0.5)])
    np.testing.assert_allclose(point["o_ordered__"], [-1.0, 0.0, np.log(2.0)])
    assert np.all(np.isfinite(model.logp_dlogp_function(mode="python")(
        model.logp_dlogp_function(mode="python").point_to_array(point))[1]))


def test_jacobian_terms():
    with Model() as model:
        D.Uniform("x", -1.0, 2.0)
        D.Beta("p", 2.0, 3.0)
    f = model.logp_dlogp_function(mode="python")
    y, z = 0.3, -0.7
    x = -1 + 3 / (1 + np.exp(-y))
    p = 1 / (1 + np.exp(-z))
    expected = (np.log(1 / 3) + np.log(3) + y - 2 * np.log1p(np.exp(y))
                + st.beta(2, 3).logpdf(p) + np.log(p * (1 - p)))
    np.testing.assert_allclose(f(np.array([y, z]))[0], expected)
    assert f.expand(np.array([y, z]))["x"] == pytest.approx(x)
    no_jac = model.logp_dlogp_function(mode="python", jacobian=False)
    np.testing.assert_allclose(no_jac(np.array([y, z]))[0], np.log(1 / 3) + st.beta(2, 3).logpdf(p))


def test_initial_point_and_initval():
    with Model() as model:
        mu = D.Normal("mu", 3.0, 1.0)
        D.Normal("x", mu, 1.0, shape=2)
        D.Gamma("g", alpha=2.0, beta=4.0)
        D.Normal("z", 0.0, 1.0, initval=1.5)
        D.HalfNormal("s", 1.0, initval=2.0)
        D.Normal("v", 0.0, 1.0, shape=3, initval=[1.0, 2.0, 3.0])
        D.Normal("pr", 10.0, 0.001, initval="prior")
    point = model.initial_point(random_seed=1)
    np.testing.assert_allclose(point["x"], [3.0, 3.0])
    np.testing.assert_allclose(point["g_log__"], np.log(0.5))
    assert point["z"] == 1.5 and point["s_log__"] == pytest.approx(np.log(2.0))
    np.testing.assert_allclose(point["v"], [1.0, 2.0, 3.0])
    assert abs(point["pr"] - 10.0) < 0.01 and point["pr"] != 10.0


def test_point_logps_and_start_errors():
    with Model() as model:
        sigma = D.HalfNormal("sigma", 1.0)
        D.HalfNormal("y", sigma, observed=[-1.0, 2.0])
    logps = model.point_logps()
    assert logps["sigma"] == round(st.halfnorm.logpdf(1.0), 2)
    assert logps["y"] == -np.inf
    with pytest.raises(SamplingError, match=r"logp is -inf at the starting point: sigma_log__: "
                                            r"-0\.7\d*, y: -inf \(observed\)"):
        model.check_start_vals(model.initial_point())
    with pytest.raises(ValueError):   # SamplingError is also a ValueError
        model.check_start_vals({"sigma_log__": np.array(np.nan)})


def test_potential_and_deterministic():
    with Model() as model:
        x = D.Normal("x", 0.0, 1.0)
        Potential("pot", -(x ** 2))
        Deterministic("x2", x * 2)
    f = model.logp_dlogp_function(mode="python")
    lp, g = f(np.array([0.5]))
    np.testing.assert_allclose(lp, st.norm.logpdf(0.5) - 0.25)
    np.testing.assert_allclose(g, [-0.5 - 1.0])
    assert f.expand(np.array([0.5]))["x2"] == 1.0
    assert set(model.point_logps({"x": 0.5})) == {"x", "pot"}


def test_data_and_set_data():
    x_obs = np.linspace(0, 1, 5)
    with Model() as model:
        x = Data("x", x_obs, dims="obs")
        b = D.Normal("b", 0.0, 1.0)
        y_data = Data("y_data", 2 * x_obs)
        D.Normal("y", b * x, 1.0, observed=y_data, dims="obs")
    f = model.logp_dlogp_function(mode="python")
    q = np.array([0.7])
    np.testing.assert_allclose(f(q)[0], st.norm.logpdf(0.7)
                               + st.norm(0.7 * x_obs, 1).logpdf(2 * x_obs).sum())
    new_x = np.linspace(0, 2, 7)
    set_data({"x": new_x, "y_data": np.ones(7)}, model=model)
    np.testing.assert_allclose(f(q)[0],
                               st.norm.logpdf(0.7) + st.norm(0.7 * new_x, 1).logpdf(1.0).sum())
    assert model.coords["obs"] is None
    with pytest.raises(ValueError, match="dimensions"):
        set_data({"x": np.ones((2, 2))}, model=model)
    with pytest.raises(KeyError, match="not a pg.Data"):
        set_data({"b": np.ones(2)}, model=model)


def test_set_data_checks_coords():
    with Model(coords={"obs": ["a", "b", "c"]}) as model:
        Data("x", np.ones(3), dims="obs")
        with pytest.raises(ValueError, match="coords"):
            set_data({"x": np.ones(4)})
        set_data({"x": np.ones(4)}, coords={"obs": list("abcd")})
    assert model.coords["obs"] == tuple("abcd")


def test_observed_nan_is_an_error():
    with Model():
        with pytest.raises(ValueError, match="observed data of 'y' contains 1 NaN"):
            D.Normal("y", 0.0, 1.0, observed=[1.0, np.nan])
        with pytest.raises(ValueError, match="masked"):
            D.Normal("z", 0.0, 1.0, observed=np.ma.masked_array([1.0, 2.0], mask=[0, 1]))


def test_invalid_constant_parameter_names_the_variable():
    with Model(), pytest.raises(ParameterValueError, match="Normal 'x'.*sigma > 0"):
        D.Normal("x", 0.0, -1.0)


def test_shape_clashes_name_all_three():
    with Model(coords={"school": SCHOOLS}):
        with pytest.raises(ValueError, match=r"'a'.*shape=\(3,\).*dims=\('school',\).*\(8,\)"):
            D.Normal("a", 0.0, 1.0, shape=3, dims="school")
        with pytest.raises(ValueError, match=r"'b'.*observed data disagree.*shape \(4,\)"):
            D.Normal("b", 0.0, 1.0, shape=3, observed=np.zeros(4))
        with pytest.raises(ValueError, match=r"'c'.*parameters do not fit.*shape=\(5,\)"):
            D.Normal("c", np.zeros(3), 1.0, shape=5)
        with pytest.raises(ValueError,
                           match=r"'d'.*dims=\('school',\).*observed data with shape \(4,\)"):
            D.Normal("d", 0.0, 1.0, dims="school", observed=np.zeros(4))


def test_names_and_dims_errors():
    with Model(coords={"school": SCHOOLS}):
        D.Normal("x", 0.0, 1.0)
        with pytest.raises(ValueError, match="already has a variable named 'x'"):
            D.Normal("x", 0.0, 1.0)
        with pytest.raises(ValueError, match="clashes with a coord"):
            D.Normal("school", 0.0, 1.0)
        with pytest.raises(ValueError, match="dims 'county' has no coordinate values"):
            D.Normal("y", 0.0, 1.0, dims="county")
        with pytest.raises(ValueError, match="has 0 dimensions"):
            Deterministic("d", pt.as_tensor(1.0), dims="school")
    with pytest.raises(TypeError, match="No model on context stack"):
        D.Normal("x", 0.0, 1.0)


def test_dims_from_shape_and_observed():
    with Model() as model:
        D.Normal("x", 0.0, 1.0, shape=4, dims="a")
        D.Normal("y", 0.0, 1.0, observed=np.zeros(3), dims="b")
        D.Normal("z", 0.0, 1.0, dims=("a", "b"))
    assert model.dim_lengths["a"] == 4 and model["z"].type.shape == (4, 3)


def test_positional_parameters_and_expressions():
    with Model() as model:
        mu = D.Normal("mu", 0, 5)
        s = D.HalfNormal("s", 2)
        D.StudentT("t", 4, mu, s, observed=[0.5, 1.0])
        D.Normal("lin", pt.exp(mu) + 1, s * 2)
    f = model.logp_dlogp_function(mode="python")
    q = np.array([0.1, np.log(1.5), 0.3])
    lin = q[2]
    expected = (st.norm(0, 5).logpdf(0.1) + st.halfnorm(scale=2).logpdf(1.5) + np.log(1.5)
                + st.t(4, 0.1, 1.5).logpdf([0.5, 1.0]).sum()
                + st.norm(np.exp(0.1) + 1, 3.0).logpdf(lin))
    np.testing.assert_allclose(f(q)[0], expected)


def test_interval_with_parameter_bounds():
    with Model() as model:
        lo = D.Normal("lo", 0.0, 1.0)
        D.Uniform("u", lo, lo + 2)
    f = model.logp_dlogp_function(mode="python")
    q = np.array([0.4, 0.3])
    s = 1 / (1 + np.exp(-0.3))
    expected = st.norm.logpdf(0.4) + np.log(0.5) + np.log(2 * s * (1 - s))
    np.testing.assert_allclose(f(q)[0], expected)
    assert f.expand(q)["u"] == pytest.approx(0.4 + 2 * s)
    np.testing.assert_allclose(f(q)[1], _fd_grad(lambda v: f(v)[0], q), rtol=1e-5)


def test_custom_dist_in_model():
    def lp(value, mu):
        return -0.5 * (value - mu) ** 2

    with Model() as model:
        m = D.Normal("m", 0.0, 1.0)
        D.CustomDist("c", m, logp=lp, observed=[1.0, 2.0])
    f = model.logp_dlogp_function(mode="python")
    np.testing.assert_allclose(f(np.array([0.5]))[0], st.norm.logpdf(0.5) - 0.5 * (0.25 + 2.25))


def test_numba_logp_dlogp_function_matches_python(rng):
    import numba

    x_obs = np.linspace(0, 1, 5)
    with Model() as model:
        x = Data("x", x_obs)
        b = D.Normal("b", 0.0, 1.0)
        s = D.HalfNormal("s", 1.0)
        D.Normal("y", b * x, s, observed=2 * x_obs)
    f_py = model.logp_dlogp_function(mode="python")
    f_nb = model.logp_dlogp_function(mode="numba")
    q = rng.normal(size=2)
    lp_py, g_py = f_py(q)
    lp_nb, g_nb = f_nb(q)
    np.testing.assert_allclose(lp_nb, lp_py, rtol=1e-12)
    np.testing.assert_allclose(g_nb, g_py, rtol=1e-10)

    logp_fn = f_nb.logp_fn

    @numba.njit
    def call(q, args):
        lp, g = logp_fn(q, args)
        return lp + 0.0, g.sum()

    lp_j, gsum = call(q, f_nb.args)
    np.testing.assert_allclose(lp_j, lp_py, rtol=1e-12)
    np.testing.assert_allclose(gsum, g_py.sum(), rtol=1e-10)
    set_data({"x": 2 * x_obs}, model=model)
    lp_new = f_py(q)[0]
    assert lp_new != lp_py
    np.testing.assert_allclose(call(q, f_nb.args)[0], lp_new, rtol=1e-12)
    np.testing.assert_allclose(f_nb(q)[0], lp_new, rtol=1e-12)
