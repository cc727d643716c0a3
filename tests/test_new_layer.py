"""A new layer costs one class: a toy layer defined here only, with no change to
Sequential, the optimizer or the GAN loop, trains like the built-in ones."""

import numpy as np
import pytest

from numpygan import kernels
from numpygan.distributions import Gaussian, Uniform
from numpygan.gan import GAN
from numpygan.gradcheck import numerical_gradient_array, rel_error
from numpygan.layers import Dense, LeakyReLU, Layer, Parameter, check_array
from numpygan.network import Sequential, mlp
from numpygan.optim import Adam


class Scale(Layer):
    """``out = x · s`` column by column: s (M,);  ds = Σ_n x[n] · dout[n],  dx = dout · s."""

    param_names = ("s",)
    s, ds = Parameter(), Parameter()

    def __init__(self, width):
        self.width = width
        self.init_params(s=np.linspace(0.5, 1.5, width))

    def config(self):
        return {"width": self.width}

    @classmethod
    def shapes_for(cls, width):
        return {"s": (width,)}

    def forward(self, x):
        check_array(x, "Scale")
        self.cache = x
        return x * self.s                                  # (N, M) * (M,) -> (N, M)

    def backward(self, dout):
        x = self.cached()
        self.ds[...] = (x * dout).sum(axis=0)             # (N, M) -> (M,)
        return dout * self.s                               # (N, M)


def _net(rng):
    return Sequential([Dense(2, 4, rng=rng), LeakyReLU(0.2), Scale(4), Dense(4, 1, rng=rng)])


def test_the_toy_layer_is_packed_with_the_others(rng):
    net = _net(rng)
    assert net.packed() and net.params().flat is net.theta
    assert net.n_params() == 2 * 4 + 4 + 4 + 4 * 1 + 1
    assert net.layers[2].s.base is net.theta and net.layers[2].ds.base is net.grad
    net.layers[2].s = np.ones(4)                           # assigned: checked, copied in
    assert net.layers[2].s.base is net.theta
    with pytest.raises(ValueError, match=r"expected shape \(4,\)"):
        net.layers[2].s = np.ones(3)


def test_gradients_through_the_toy_layer_match_numerical_ones(rng, each_backend):
    net = _net(rng)
    for p in net.params():
        p += 0.1 * rng.normal(size=p.shape)
    x, dout = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    net.forward(x)
    dx = net.backward(dout)
    f = lambda: net.forward(x)
    num = lambda a: numerical_gradient_array(f, a, dout, h=1e-5, order=4)
    assert rel_error(dx, num(x)) < 1e-7
    for p, g in zip(net.params(), net.grads()):
        assert rel_error(g, num(p)) < 1e-7


def test_adam_trains_the_toy_layer_through_the_flat_arrays(rng):
    net = _net(rng)
    opt = Adam(1e-2)
    s0 = net.layers[2].s.copy()
    for _ in range(5):
        out = net.forward(rng.normal(size=(8, 2)))
        net.backward(out - 3.0)
        opt.step(net.params(), net.grads())
    assert all(m.base is opt.m[0].base for m in opt.m)     # one flat update for all
    assert not np.allclose(net.layers[2].s, s0)


def test_a_gan_with_the_toy_layer_in_G_trains(rng):
    G = Sequential([Dense(1, 8, rng=rng), LeakyReLU(0.2), Scale(8), Dense(8, 1, rng=rng)])
    D = mlp([1, 16, 1], rng=rng)
    gan = GAN(G, D, Gaussian(0.0, 1.0), Uniform(-1, 1), d_opt=Adam(1e-3, beta1=0.5),
              g_opt=Adam(1e-3, beta1=0.5), seed=0)
    s0 = G.layers[2].s.copy()
    gan.train(20)
    assert len(gan.history["d_loss"]) == 20
    assert not np.allclose(G.layers[2].s, s0)              # G's step reached the new layer
