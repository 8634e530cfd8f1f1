"""Stan's warmup schedule, dual averaging and the (co)variance estimators against numpy."""

import numpy as np
import pytest

from probgraph.samplers import constants as C
from probgraph.samplers.adaptation import (
    dual_averaging_restart,
    dual_averaging_update,
    welford_add,
    welford_end_window,
    window_flags,
    window_schedule,
)
from probgraph.samplers.metrics import make_metric

# numpyro:test/infer/test_hmc_util.py (Stan's windowed_adaptation.hpp) and ANCHORS.md
SCHEDULES = [
    (0, []),
    (18, [(0, 17)]),
    (50, [(0, 6), (7, 44), (45, 49)]),
    (100, [(0, 14), (15, 89), (90, 99)]),
    (150, [(0, 74), (75, 99), (100, 149)]),
    (200, [(0, 74), (75, 99), (100, 149), (150, 199)]),
    (280, [(0, 74), (75, 99), (100, 229), (230, 279)]),
    (1000, [(0, 74), (75, 99), (100, 149), (150, 249), (250, 449), (450, 949), (950, 999)]),
]


@pytest.mark.parametrize("tune, expected", SCHEDULES)
def test_window_schedule(tune, expected):
    assert window_schedule(tune) == expected


@pytest.mark.parametrize("tune", [20, 149, 150, 151, 300, 500, 2000])
def test_window_flags_consistent(tune):
    flags = window_flags(tune)
    assert flags.shape == (tune,)
    ends = np.flatnonzero(flags == C.WIN_END)
    # the last slow window ends where the terminal buffer starts
    term = C.TERM_BUFFER if tune >= 150 else int(0.1 * tune)
    assert ends[-1] == tune - term - 1
    assert np.all(flags[ends[-1] + 1:] == C.WIN_NONE)
    start = int(np.argmax(flags > 0))
    assert np.all(flags[start:ends[-1] + 1] > 0)
    sizes = np.diff(np.concatenate([[start - 1], ends]))
    # doubling windows, except that Stan stretches or cuts the last one to the terminal buffer
    # (tune=151 gives windows of 25 and 1, as Stan's compute_next_window does)
    assert np.all(sizes[1:-1] == 2 * sizes[:-2])


def test_dual_averaging_finds_target():
    # acceptance falling with the step size; 0.8 is reached at eps = 0.5
    sc = np.zeros(C.N_SCALARS)
    dual_averaging_restart(sc, 1.0)
    for _ in range(2000):
        eps = sc[C.SC_STEP_SIZE] if sc[C.SC_COUNTER] > 0 else 1.0
        accept = np.exp(np.log(0.8) * (eps / 0.5) ** 2)
        dual_averaging_update(sc, accept, 0.8, C.DA_GAMMA, C.DA_T0, C.DA_KAPPA)
    assert np.exp(sc[C.SC_X_BAR]) == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize("kind", [C.METRIC_DIAG, C.METRIC_DENSE, C.METRIC_DIAG_GRAD])
def test_welford_window_matches_numpy(kind):
    rng = np.random.default_rng(3)
    n, dim = 40, 3
    xs = rng.normal(size=(n, dim)) @ np.array([[2.0, 0, 0], [0.5, 1, 0], [0, 0.3, 0.1]])
    gs = rng.normal(size=(n, dim)) * np.array([1.0, 3.0, 0.2])
    sc = np.zeros(C.N_SCALARS)
    size = dim if kind == C.METRIC_DENSE else 1
    welford = (np.zeros(dim), np.zeros(dim), np.zeros((size, size)), np.zeros(dim), np.zeros(dim))
    metric = make_metric(dim, kind)
    for x, g in zip(xs, gs):
        welford_add(sc, welford, kind, x, g, np.zeros(dim))
    assert welford_end_window(sc, welford, metric)
    shrink, jit = n / (n + 5.0), 1e-3 * 5.0 / (n + 5.0)
    if kind == C.METRIC_DENSE:
        expected = shrink * np.cov(xs.T) + jit * np.eye(dim)
        np.testing.assert_allclose(metric[2], expected, rtol=1e-12)
        np.testing.assert_allclose(metric[3] @ metric[3].T, expected, rtol=1e-12)
    elif kind == C.METRIC_DIAG_GRAD:
        expected = np.sqrt(xs.var(0, ddof=1) / gs.var(0, ddof=1))
        np.testing.assert_allclose(metric[1], expected, rtol=1e-12)
    else:
        np.testing.assert_allclose(metric[1], shrink * xs.var(0, ddof=1) + jit, rtol=1e-12)
    assert sc[C.SC_WELFORD_N] == 0 and not welford[1].any()
