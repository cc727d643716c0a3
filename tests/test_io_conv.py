"""Checkpoints of convolutional networks: every layer kind saved and rebuilt (batch norm's
running averages and mode too), a DCGAN resumed bit-exactly, and crafted sizes refused
before anything is allocated."""

import json
import zipfile

import numpy as np
import pytest

from numpygan import io
from numpygan.distributions import Gaussian
from numpygan.gan import GAN
from numpygan.layers import (BatchNorm, Conv2D, ConvTranspose2D, Dense, Flatten, LeakyReLU,
                             ReLU, Reshape, Tanh)
from numpygan.network import Sequential
from numpygan.models import dcgan_8x8
from numpygan.optim import Adam


def _moved(net, rng):
    for p in net.params():
        p += 0.05 * rng.normal(size=p.shape)
    for layer in net.layers:
        if isinstance(layer, BatchNorm):
            layer.running_mean[...] = rng.normal(size=layer.num_features)
            layer.running_var[...] = rng.uniform(0.5, 2.0, size=layer.num_features)
    return net


def _every_kind(rng):
    """A G-like and a D-like stack holding every layer kind io stores."""
    G = Sequential([Dense(8, 16, rng=rng), Reshape((4, 2, 2)), BatchNorm(4), ReLU(),
                    ConvTranspose2D(4, 2, 4, stride=2, padding=1, rng=rng), BatchNorm(2),
                    LeakyReLU(0.2), ConvTranspose2D(2, 1, 4, stride=2, padding=1, rng=rng),
                    Tanh(), Reshape((64,))])
    D = Sequential([Reshape((1, 8, 8)), Conv2D(1, 2, 4, stride=2, padding=1, rng=rng),
                    LeakyReLU(0.2), Conv2D(2, 4, 4, stride=2, padding=1, rng=rng),
                    BatchNorm(4), LeakyReLU(0.2), Flatten(), Dense(16, 1, rng=rng)])
    return G, D


def test_every_layer_kind_round_trips(tmp_path, rng):
    G, D = _every_kind(rng)
    for net, name in ((_moved(G, rng), "g.npz"), (_moved(D, rng), "d.npz")):
        next(l for l in net.layers if isinstance(l, BatchNorm)).training = False
        path = io.save(tmp_path / name, net)
        back = io.load(path)
        assert [type(l) for l in back.layers] == [type(l) for l in net.layers]
        assert [l.config() for l in back.layers] == [l.config() for l in net.layers]
        for a, b in zip(net.params(), back.params()):
            np.testing.assert_array_equal(a, b)
        for la, lb in zip(net.layers, back.layers):
            for key, buf in la.buffers().items():
                np.testing.assert_array_equal(buf, lb.buffers()[key])
            assert getattr(la, "training", None) == getattr(lb, "training", None)
        x = rng.normal(size=(5, net.n_in))
        net.eval(), back.eval()
        np.testing.assert_array_equal(net.forward(x), back.forward(x))


def _dcgan_game(seed):
    rng = np.random.default_rng(seed)
    G, D = dcgan_8x8(8, 4, rng=rng)
    return GAN(G, D, Gaussian(0.0, 0.5, dim=64), Gaussian(0.0, 1.0, dim=8),
               d_opt=Adam(2e-4, beta1=0.5), g_opt=Adam(2e-4, beta1=0.5), batch=8, seed=seed)


def test_a_dcgan_resumes_bit_exactly(tmp_path):
    straight = _dcgan_game(3)
    straight.train(6, total=6)
    paused = _dcgan_game(3)
    paused.train(3, total=6)
    resumed = io.load(io.save(tmp_path / "dcgan.npz", paused))
    resumed.train(3, total=6)
    for key in straight.history:
        np.testing.assert_array_equal(straight.history[key], resumed.history[key], err_msg=key)
    for a, b in zip(straight.G.params(), resumed.G.params()):
        np.testing.assert_array_equal(a, b)


def _rewrite_meta(src, dst, edit):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "meta.npy":
                with zin.open(item.filename) as f:
                    meta = json.loads(str(np.lib.format.read_array(f)))
                edit(meta)
                import io as _io
                buf = _io.BytesIO()
                np.lib.format.write_array(buf, np.array(json.dumps(meta)))
                data = buf.getvalue()
            zout.writestr(item, data)
    return dst


@pytest.mark.parametrize("edit,message", [
    (lambda m: m["layers"][1].update(c_out=100_000, kernel_size=10_000),
     r"layer1/W' has the wrong shape: expected \(100000, 1, 10000, 10000\)"),
    (lambda m: m["layers"][1].update(kernel_size="4"), "sizes must be integers >= 1"),
    (lambda m: m["layers"][1].update(stride=0), "stride must be a positive integer"),
    (lambda m: m["layers"][4].update(training="yes"), "training must be true or false"),
    (lambda m: m["layers"][-1].update(n_in=33), r"expected \(33, 1\), got \(16, 1\)"),
])
def test_crafted_conv_layers_are_refused_before_allocating(tmp_path, rng, edit, message):
    _, D = _every_kind(rng)
    good = io.save(tmp_path / "d.npz", D)
    bad = _rewrite_meta(good, tmp_path / "bad.npz", edit)
    with pytest.raises(ValueError, match=message):
        io.load(bad)
