"""models.dcgan_8x8: its shapes, its upsampling without checkerboards, and a short training
run through the teaching kernels that moves G's samples towards the data."""

import numpy as np
import pytest

from numpygan.distributions import Gaussian
from numpygan.gan import GAN
from numpygan.layers import BatchNorm, Conv2D, ConvTranspose2D
from numpygan.models import dcgan_8x8
from numpygan.optim import Adam


class _Images:
    """p_data: the empirical distribution of a fixed set of images (n, 64)."""

    def __init__(self, x):
        self.x, self.dim = x, x.shape[1]

    def sample(self, n, rng):
        return self.x[rng.integers(len(self.x), size=n)]


def _bars(n, rng):
    """n 8×8 images in [−1, 1]: a bright vertical bar (2 wide) at a random column 1..5."""
    imgs = -np.ones((n, 8, 8))
    for img, c in zip(imgs, rng.integers(1, 6, size=n)):
        img[1:7, c:c + 2] = 0.8
    return imgs.reshape(n, 64) + 0.05 * rng.standard_normal((n, 64))


def test_shapes_and_layers():
    G, D = dcgan_8x8(z_dim=16, width=8, rng=np.random.default_rng(0))
    z = np.random.default_rng(1).standard_normal((5, 16))
    x = G.forward(z)
    assert x.shape == (5, 64) and np.all(np.abs(x) < 1)          # tanh: inside (−1, 1)
    assert D.forward(x).shape == (5, 1)
    assert G.n_in == 16 and G.n_out == 64 and D.n_in == 64 and D.n_out == 1
    convs = [l for l in G.layers + D.layers if isinstance(l, (Conv2D, ConvTranspose2D))]
    assert len(convs) == 4
    # k = 4, stride 2, padding 1 everywhere: sizes double or halve exactly, no checkerboard
    assert all((l.k, l.stride, l.padding) == (4, 2, 1) for l in convs)
    # no batch norm (see the module docstring: D's would differ between the two steps)
    assert not any(isinstance(l, BatchNorm) for l in G.layers + D.layers)


def test_same_rng_same_players():
    G1, D1 = dcgan_8x8(rng=np.random.default_rng(3))
    G2, D2 = dcgan_8x8(rng=np.random.default_rng(3))
    for a, b in zip(G1.params() + D1.params(), G2.params() + D2.params()):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dtype_is_carried_through(dtype):
    G, D = dcgan_8x8(width=4, rng=np.random.default_rng(0), dtype=dtype)
    x = G.forward(np.zeros((2, 16), dtype=dtype))
    assert x.dtype == dtype and D.forward(x).dtype == dtype


def test_forty_steps_move_the_samples_towards_the_data(each_backend):
    rng = np.random.default_rng(0)
    x_data = _bars(400, rng)
    G, D = dcgan_8x8(z_dim=16, width=16, rng=np.random.default_rng(1))
    gan = GAN(G, D, _Images(x_data), Gaussian(0.0, 1.0, dim=16),
              d_opt=Adam(1e-3, beta1=0.5), g_opt=Adam(1e-3, beta1=0.5), batch=32, seed=0,
              standardize=False, schedule="constant")
    z = gan.p_z.sample(200, np.random.default_rng(2))
    target = x_data.mean(axis=0)                                   # (64,)

    def mean_image_mse():
        return float(np.mean((gan.generate(z).mean(axis=0) - target) ** 2))

    def outer_rows():            # rows 0 and 7: dark (−1) in every training image
        return float(gan.generate(z).reshape(-1, 8, 8)[:, [0, 7], :].mean())

    before, rows_before = mean_image_mse(), outer_rows()
    gan.train(40)
    after = mean_image_mse()
    assert after < 0.75 * before, (before, after)
    assert outer_rows() < rows_before - 0.1            # G darkens what is always dark
    assert np.all(np.isfinite(gan.history["d_real"]))
