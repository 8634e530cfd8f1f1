"""The MLP showcase trains on sklearn's digits to a meaningful validation accuracy."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import probgraph as pg

pytest.importorskip("sklearn")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mlp_digits.py"


@pytest.fixture
def mlp_digits():
    """The example imported as a module (it sets floatX to float32; restored afterwards)."""
    old = pg.config.floatX
    spec = importlib.util.spec_from_file_location("mlp_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    pg.config.floatX = old


def test_mlp_learns_digits(mlp_digits, capsys):
    history = mlp_digits.main(["--epochs", "8", "--seed", "1234"])
    out = capsys.readouterr().out
    assert "epoch   8" in out and "validation accuracy" in out and "test accuracy" in out
    assert history["cost"][-1] < history["cost"][0] / 3  # training cost falls steadily
    assert history["valid_accuracy"][-1] > 0.92
    assert history["test_accuracy"] > 0.92


def test_layers_are_float32_and_initialised_as_the_tutorial(mlp_digits):
    import probgraph.tensor as pt
    rng = np.random.default_rng(0)
    layer = mlp_digits.HiddenLayer(rng, pt.matrix("x"), 64, 100)
    w = layer.W.get_value()
    assert w.dtype == np.float32 and layer.output.dtype == "float32"
    bound = np.sqrt(6.0 / (64 + 100))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not layer.b.get_value().any()
