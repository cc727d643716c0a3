"""Convolution, transposed convolution, Flatten/Reshape and BatchNorm: every backward
against central differences (shapes down to batch 1, one channel, 1×1 kernels, stride
2, padding 1, odd sizes), the Numba twins against the NumPy ones, the convolution
against its definition (and PyTorch's when installed), and the identity that makes a
transposed convolution the convolution's backward: ⟨conv(x), y⟩ = ⟨x, convT(y)⟩."""

import numpy as np
import pytest

from numpygan import kernels
from numpygan.gradcheck import numerical_gradient_array, rel_error
from numpygan.layers import (BatchNorm, Conv2D, ConvTranspose2D, Dense, Flatten, LeakyReLU,
                             ReLU, Reshape, Tanh)
from numpygan.network import Sequential
from numpygan.optim import Adam

needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")

# (N, C, H, W, O, k, stride, padding)
GEOMETRIES = [(1, 1, 1, 1, 1, 1, 1, 0), (1, 1, 5, 5, 1, 3, 1, 1), (2, 3, 7, 6, 4, 3, 2, 1),
              (1, 2, 4, 4, 3, 1, 2, 0), (3, 2, 8, 8, 3, 4, 2, 1), (2, 2, 5, 7, 1, 5, 1, 2),
              (1, 1, 6, 5, 2, 2, 3, 0)]


def _conv_by_definition(x, W, b, s, p):
    """out[n,o,i,j] = b[o] + Σ_c,u,v W[o,c,u,v] x_pad[n,c,i·s+u,j·s+v], written out."""
    N, C, H, Wd = x.shape
    O, _, k, _ = W.shape
    xp = np.zeros((N, C, H + 2 * p, Wd + 2 * p))
    xp[:, :, p:p + H, p:p + Wd] = x
    Ho, Wo = (H + 2 * p - k) // s + 1, (Wd + 2 * p - k) // s + 1
    out = np.zeros((N, O, Ho, Wo))
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, o, i, j] = b[o] + np.sum(W[o] * xp[n, :, i * s:i * s + k, j * s:j * s + k])
    return out


@pytest.mark.parametrize("geom", GEOMETRIES)
def test_conv_forward_is_the_definition(geom, each_backend):
    N, C, H, Wd, O, k, s, p = geom
    rng = np.random.default_rng(sum(geom))
    layer = Conv2D(C, O, k, stride=s, padding=p, rng=rng)
    layer.b = rng.normal(size=O)
    x = rng.normal(size=(N, C, H, Wd))
    np.testing.assert_allclose(layer.forward(x), _conv_by_definition(x, layer.W, layer.b, s, p),
                               rtol=1e-12, atol=1e-12)


def _grads_agree(layer, x, rng, tol=1e-7):
    out = layer.forward(x)
    dout = rng.normal(size=out.shape)
    dx = layer.backward(dout)
    f = lambda: layer.forward(x)
    assert rel_error(dx, numerical_gradient_array(f, x, dout, h=1e-5, order=4)) < tol
    for p, g in zip(layer.params(), layer.grads()):
        assert rel_error(g, numerical_gradient_array(f, p, dout, h=1e-5, order=4)) < tol


@pytest.mark.parametrize("geom", GEOMETRIES)
def test_conv_gradients(geom, each_backend):
    N, C, H, Wd, O, k, s, p = geom
    rng = np.random.default_rng(7 + sum(geom))
    layer = Conv2D(C, O, k, stride=s, padding=p, rng=rng)
    layer.b = rng.normal(size=O)
    _grads_agree(layer, rng.normal(size=(N, C, H, Wd)), rng)


@pytest.mark.parametrize("geom", GEOMETRIES)
def test_conv_transpose_gradients(geom, each_backend):
    N, C, H, Wd, O, k, s, p = geom
    rng = np.random.default_rng(11 + sum(geom))
    layer = ConvTranspose2D(C, O, k, stride=s, padding=p, rng=rng)
    layer.b = rng.normal(size=O)
    if (H - 1) * s - 2 * p + k < 1 or (Wd - 1) * s - 2 * p + k < 1:
        pytest.skip("no output for this geometry")
    _grads_agree(layer, rng.normal(size=(N, C, H, Wd)), rng)


@pytest.mark.parametrize("geom", GEOMETRIES)
def test_transposed_convolution_is_the_adjoint_of_convolution(geom, each_backend):
    """⟨conv(x), y⟩ = ⟨x, convT(y)⟩ with the same W, stride, padding, no bias: convT is
    the convolution's input gradient."""
    N, C, H, Wd, O, k, s, p = geom
    rng = np.random.default_rng(3 + sum(geom))
    conv = Conv2D(C, O, k, stride=s, padding=p, rng=rng)
    convT = ConvTranspose2D(O, C, k, stride=s, padding=p, rng=rng)
    convT.W = conv.W                                      # (O, C, k, k) for both
    x = rng.normal(size=(N, C, H, Wd))
    cx = conv.forward(x)
    y = rng.normal(size=cx.shape)
    ty = kernels.conv2d_grad_x(y, conv.W, H, Wd, s, p)        # the transposed convolution
    assert np.sum(cx * y) == pytest.approx(np.sum(x * ty), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(conv.backward(y), ty, rtol=1e-12, atol=1e-14)
    if (H - 1) // 1 == (cx.shape[2] - 1) * s - 2 * p + k - 1 and \
            Wd == (cx.shape[3] - 1) * s - 2 * p + k:   # no rows the stride skipped
        np.testing.assert_allclose(convT.forward(y), ty, rtol=1e-12, atol=1e-14)


def test_stride_2_kernel_4_padding_1_doubles_the_size(rng):
    layer = ConvTranspose2D(3, 2, 4, stride=2, padding=1, rng=rng)
    assert layer.forward(rng.normal(size=(2, 3, 4, 5))).shape == (2, 2, 8, 10)
    assert Conv2D(2, 3, 4, stride=2, padding=1, rng=rng).forward(
        rng.normal(size=(2, 2, 8, 10))).shape == (2, 3, 4, 5)


@needs_numba
@pytest.mark.parametrize("name", ["conv2d_forward", "conv2d_grad_W", "conv2d_grad_b",
                                  "conv2d_grad_x"])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_conv_twins_agree(name, dtype, tol):
    np_twin, nb_twin = kernels.TWINS[name]
    rng = np.random.default_rng(5)
    for N, C, H, Wd, O, k, s, p in GEOMETRIES:
        x = rng.normal(size=(N, C, H, Wd)).astype(dtype)
        W = rng.normal(size=(O, C, k, k)).astype(dtype)
        b = rng.normal(size=O).astype(dtype)
        out = np_twin(x, W, b, s, p) if name == "conv2d_forward" else \
            kernels.conv2d_forward.numpy(x, W, b, s, p)
        d = rng.normal(size=out.shape).astype(dtype)
        args = {"conv2d_forward": (x, W, b, s, p), "conv2d_grad_W": (x, d, k, s, p),
                "conv2d_grad_b": (d,), "conv2d_grad_x": (d, W, H, Wd, s, p)}[name]
        want, got = np_twin(*args), nb_twin(*args)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1, np.abs(want).max()))


def test_matches_pytorch_when_installed(rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = rng.normal(size=(2, 3, 7, 6))
    conv = Conv2D(3, 4, 3, stride=2, padding=1, rng=rng)
    convT = ConvTranspose2D(3, 4, 4, stride=2, padding=1, rng=rng)
    conv.b, convT.b = rng.normal(size=4), rng.normal(size=4)
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    np.testing.assert_allclose(conv.forward(x), F.conv2d(t(x), t(conv.W), t(conv.b), stride=2,
                                                         padding=1).numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convT.forward(x), F.conv_transpose2d(
        t(x), t(convT.W), t(convT.b), stride=2, padding=1).numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5, 4), (1, 2, 3, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients(shape, training, rng):
    bn = BatchNorm(shape[1])
    bn.gamma, bn.beta = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    bn.running_mean[...], bn.running_var[...] = rng.normal(size=shape[1]), rng.uniform(0.5, 2, shape[1])
    bn.training = training
    _grads_agree(bn, rng.normal(size=shape) * 2 + 1, rng)


def test_batchnorm_normalizes_in_training_and_uses_running_stats_in_eval(rng):
    bn = BatchNorm(3, momentum=0.5)
    x = rng.normal(3.0, 2.0, size=(64, 3, 4, 4))
    y = bn.forward(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-4)
    m = 64 * 16
    np.testing.assert_allclose(bn.running_mean, 0.5 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, 0.5 + 0.5 * x.var(axis=(0, 2, 3)) * m / (m - 1),
                               rtol=1e-12)
    bn.training = False
    one = bn.forward(x[:1])                 # evaluation: one image on its own, same numbers
    np.testing.assert_allclose(one, bn.forward(x)[:1], rtol=1e-12)
    with pytest.raises(ValueError, match="at least 2 values per channel"):
        BatchNorm(2).forward(rng.normal(size=(1, 2)))


def test_flatten_and_reshape_round_trip(rng):
    x = rng.normal(size=(3, 2, 4, 5))
    f, r = Flatten(), Reshape((2, 4, 5))
    y = f.forward(x)
    assert y.shape == (3, 40)
    np.testing.assert_array_equal(r.forward(y), x)
    d = rng.normal(size=(3, 2, 4, 5))
    np.testing.assert_array_equal(f.backward(r.backward(d).reshape(3, 40)).shape, x.shape)
    np.testing.assert_array_equal(r.backward(d), d.reshape(3, 40))
    assert Reshape((64,)).forward(rng.normal(size=(2, 1, 8, 8))).shape == (2, 64)


def _dcgan_like(rng):
    G = Sequential([Dense(4, 8 * 2 * 2, rng=rng), Reshape((8, 2, 2)), BatchNorm(8), ReLU(),
                    ConvTranspose2D(8, 4, 4, stride=2, padding=1, rng=rng), BatchNorm(4), ReLU(),
                    ConvTranspose2D(4, 1, 4, stride=2, padding=1, rng=rng), Tanh(),
                    Reshape((64,))])
    D = Sequential([Reshape((1, 8, 8)), Conv2D(1, 4, 4, stride=2, padding=1, rng=rng),
                    LeakyReLU(0.2), Conv2D(4, 8, 4, stride=2, padding=1, rng=rng),
                    BatchNorm(8), LeakyReLU(0.2), Flatten(), Dense(32, 1, rng=rng)])
    return G, D


def test_mixed_stacks_run_in_sequential_with_gradients_checked(rng, each_backend):
    G, D = _dcgan_like(rng)
    assert (G.n_in, G.n_out, D.n_in, D.n_out) == (4, 64, 64, 1)
    assert G.packed() and D.packed()
    z = rng.normal(size=(3, 4))
    x = G.forward(z)
    assert x.shape == (3, 64)
    dout = rng.normal(size=(3, 1))
    logits = D.forward(x)
    assert logits.shape == (3, 1)
    dx = D.backward(dout)
    f = lambda: D.forward(x)
    # (a bias just before a BatchNorm gets an exact zero gradient: BN subtracts the mean,
    # so entries below 1e-5 are compared at that scale; 1e-5: a network, as lesson 02)
    agree = lambda a, b: rel_error(a, b, floor=1e-5) < 1e-5
    assert agree(dx, numerical_gradient_array(f, x, dout, h=1e-5, order=4))
    for p, g in zip(D.params(), D.grads()):
        assert agree(g, numerical_gradient_array(f, p, dout, h=1e-5, order=4))
    G.forward(z)
    G.backward(dx)
    fg = lambda: G.forward(z)
    for p, g in zip(G.params(), G.grads()):
        assert agree(g, numerical_gradient_array(fg, p, dx, h=1e-5, order=4))
    opt = Adam(1e-3)
    before = G.theta.copy()
    opt.step(G.params(), G.grads())
    assert np.all(np.isfinite(G.theta)) and not np.array_equal(before, G.theta)


def test_sequential_train_and_eval_switch_batchnorm(rng):
    G, _ = _dcgan_like(rng)
    G.forward(rng.normal(size=(5, 4)))
    G.eval()
    assert all(not l.training for l in G.layers if isinstance(l, BatchNorm))
    a = G.forward(rng.normal(size=(5, 4)))[:1]
    G.train()
    assert all(l.training for l in G.layers if isinstance(l, BatchNorm))
    assert a.shape == (1, 64)


BAD = [
    (lambda r: Conv2D(2, 3, 3).forward(r.normal(size=(1, 2, 5))), r"4-D \(N, C, H, W\)"),
    (lambda r: Conv2D(2, 3, 3).forward(r.normal(size=(1, 3, 5, 5))), "3 channels .*c_in = 2"),
    (lambda r: Conv2D(1, 1, 6).forward(r.normal(size=(1, 1, 4, 4))),
     r"kernel 6×6 is larger than the padded input 4×4"),
    (lambda r: Conv2D(1, 1, 3, stride=0), "stride must be a positive integer"),
    (lambda r: Conv2D(1, 1, 3, stride=1.5), "stride must be a positive integer"),
    (lambda r: Conv2D(1, 1, 3, padding=-1), "padding must be an integer >= 0"),
    (lambda r: ConvTranspose2D(1, 1, 1, padding=1).forward(r.normal(size=(1, 1, 1, 1))),
     r"output would be -1×-1: H' = \(H − 1\)·stride − 2·padding \+ k"),
    (lambda r: Conv2D(1, 1, 3).forward(r.normal(size=(1, 1, 5, 5)).astype(np.float32)),
     "dtype is float32"),
    (lambda r: Reshape((2, 3)).forward(r.normal(size=(4, 5))), r"6 values \(prod\(2, 3\)\)"),
    (lambda r: Sequential([Dense(3, 8), Reshape((3, 2, 2))]), "outputs 8 features but the next"),
    (lambda r: BatchNorm(3).forward(r.normal(size=(4, 2))), r"\(N, 3\) or \(N, 3, H, W\)"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_input_names_the_layer_and_the_shapes(case, rng):
    make, message = BAD[case]
    with pytest.raises(ValueError, match=message):
        make(rng)
