"""Shared test fixtures: backends to compare, a seeded generator, and an isolated compile cache."""

import os
import tempfile

import numpy as np
import pytest

# one compile cache per test session, reused by every test (numba compiles once per graph)
os.environ.setdefault("PROBGRAPH_COMPILEDIR",
                      os.path.join(tempfile.gettempdir(), "probgraph-test-cache"))

MODES = ["python", "numba"]


@pytest.fixture(params=MODES)
def mode(request):
    """Each backend in turn: the python reference and numba."""
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(20261203)
