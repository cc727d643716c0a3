import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(params=["numpy", "numba"])
def each_backend(request):
    """Run a test once per kernel backend."""
    from numpygan import kernels

    if request.param == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("numba not installed")
    with kernels.backend(request.param):
        yield request.param
