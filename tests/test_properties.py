"""Property-based tests (hypothesis): layers and losses over random shapes and values give
finite outputs and gradients that match numerical ones (float64, both backends)."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from numpygan import kernels, losses  # noqa: E402
from numpygan.gradcheck import numerical_gradient, numerical_gradient_array  # noqa: E402
from numpygan.layers import Dense, LeakyReLU, ReLU, Sigmoid, Tanh  # noqa: E402
from numpygan.network import mlp  # noqa: E402

BACKENDS = ["numpy", "numba"] if kernels.HAVE_NUMBA else ["numpy"]
FAST = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5))  # (N, D, M)
seeds = st.integers(0, 2**32 - 1)
backends = st.sampled_from(BACKENDS)


def _agree(analytic, numeric, rtol=1e-6):
    """Entry-wise agreement, with an absolute floor set by the gradient's own scale
    (a tiny entry's central difference is dominated by round-off in f)."""
    scale = max(1.0, float(np.max(np.abs(numeric))))
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=1e-7 * scale)


def _values(rng, shape, lo=-3.0, hi=3.0, away_from_zero=0.0):
    """Random values in [lo, hi]; with away_from_zero > 0, none closer to 0 than that
    (ReLU's kink: a finite difference across it is not a derivative)."""
    x = rng.uniform(lo, hi, size=shape)
    if away_from_zero:
        x = np.sign(x + (x == 0)) * (away_from_zero + np.abs(x))
    return x


@FAST
@given(shape=shapes, seed=seeds, backend=backends,
       scale=st.sampled_from([1e-3, 1.0, 1e3]))
def test_dense_forward_finite_and_backward_exact(shape, seed, backend, scale):
    N, D, M = shape
    rng = np.random.default_rng(seed)
    with kernels.backend(backend):
        layer = Dense(D, M, rng=rng, init="glorot")
        x = scale * _values(rng, (N, D))
        dout = _values(rng, (N, M))
        out = layer.forward(x)
        assert out.shape == (N, M) and np.all(np.isfinite(out))
        np.testing.assert_allclose(out, x @ layer.W + layer.b, rtol=1e-12, atol=1e-12 * scale)
        dx = layer.backward(dout)
        f = lambda: layer.forward(x)  # noqa: E731
        _agree(dx, numerical_gradient_array(f, x, dout, h=1e-4, order=4))
        _agree(layer.dW, numerical_gradient_array(f, layer.W, dout, h=1e-4, order=4))
        _agree(layer.db, numerical_gradient_array(f, layer.b, dout, h=1e-4, order=4))


ACTIVATIONS = {
    "tanh": (Tanh, 0.0),
    "sigmoid": (Sigmoid, 0.0),
    "relu": (ReLU, 0.05),             # keep |x| away from the kink at 0
    "leaky_relu": (lambda: LeakyReLU(0.2), 0.05),
}


@FAST
@given(shape=shapes, seed=seeds, backend=backends, name=st.sampled_from(sorted(ACTIVATIONS)))
def test_activation_backward_matches_numerical(shape, seed, backend, name):
    N, M, _ = shape
    make, gap = ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    x = _values(rng, (N, M), -4.0, 4.0, away_from_zero=gap)
    dout = _values(rng, (N, M))
    with kernels.backend(backend):
        layer = make()
        out = layer.forward(x)
        assert out.shape == x.shape and np.all(np.isfinite(out))
        dx = layer.backward(dout)
        num = numerical_gradient_array(lambda: layer.forward(x), x, dout, h=1e-4, order=4)
    _agree(dx, num)


@FAST
@given(seed=seeds, backend=backends, name=st.sampled_from(sorted(ACTIVATIONS)),
       big=st.floats(1e2, 1e300))
def test_activations_are_finite_at_huge_inputs(seed, backend, name, big):
    x = _values(np.random.default_rng(seed), (3, 4)) * big
    with kernels.backend(backend):
        layer = ACTIVATIONS[name][0]()
        out = layer.forward(x)
        dx = layer.backward(np.ones_like(x))
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=seeds, backend=backends, hidden=st.sampled_from(["tanh", "sigmoid"]),
       sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
       N=st.integers(1, 5), out=st.sampled_from([None, "tanh", "sigmoid"]))
def test_mlp_gradients_for_every_parameter(seed, backend, hidden, sizes, N, out):
    rng = np.random.default_rng(seed)
    with kernels.backend(backend):
        net = mlp(sizes, hidden=hidden, out=out, rng=rng)
        x = _values(rng, (N, sizes[0]))
        dout = _values(rng, (N, sizes[-1]))
        y = net.forward(x)
        assert y.shape == (N, sizes[-1]) and np.all(np.isfinite(y))
        dx = net.backward(dout)
        grads = [g.copy() for g in net.grads()]
        f = lambda: net.forward(x)  # noqa: E731
        _agree(dx, numerical_gradient_array(f, x, dout, h=1e-4, order=4))
        for p, g in zip(net.params(), grads):
            _agree(g, numerical_gradient_array(f, p, dout, h=1e-4, order=4))


logit_arrays = st.integers(1, 12).flatmap(
    lambda n: st.lists(st.floats(-30, 30), min_size=n, max_size=n))


@FAST
@given(a=logit_arrays, t=st.floats(0, 1), column=st.booleans())
def test_bce_finite_and_gradient_exact(a, t, column):
    a = np.array(a).reshape(-1, 1) if column else np.array(a)
    loss, da = losses.bce_with_logits(a, t)
    assert np.isfinite(loss) and loss >= -1e-12 and da.shape == a.shape
    num = numerical_gradient(lambda: losses.bce_with_logits(a, t)[0], a, h=1e-4, order=4)
    _agree(da, num)


@FAST
@given(real=logit_arrays, fake=logit_arrays, alpha=st.floats(0.5, 1.0))
def test_discriminator_loss_gradients(real, fake, alpha):
    real, fake = np.array(real), np.array(fake)
    loss, d_real, d_fake = losses.discriminator_loss(real, fake, real_target=alpha)
    assert np.isfinite(loss)
    f = lambda: losses.discriminator_loss(real, fake, real_target=alpha)[0]  # noqa: E731
    _agree(d_real, numerical_gradient(f, real, h=1e-4, order=4))
    _agree(d_fake, numerical_gradient(f, fake, h=1e-4, order=4))


@FAST
@given(fake=logit_arrays, kind=st.sampled_from(sorted(losses.GENERATOR_LOSSES)))
def test_generator_losses_gradients(fake, kind):
    fake = np.array(fake)
    loss, d = losses.generator_loss(fake, kind=kind)
    assert np.isfinite(loss)
    num = numerical_gradient(lambda: losses.generator_loss(fake, kind=kind)[0], fake,
                             h=1e-4, order=4)
    _agree(d, num)


@FAST
@given(real=logit_arrays, fake=logit_arrays)
def test_critic_losses_gradients(real, fake):
    real, fake = np.array(real), np.array(fake)
    loss, d_real, d_fake = losses.critic_loss(real, fake)
    f = lambda: losses.critic_loss(real, fake)[0]  # noqa: E731
    _agree(d_real, numerical_gradient(f, real, h=1e-4, order=4))
    _agree(d_fake, numerical_gradient(f, fake, h=1e-4, order=4))
    g_loss, d_g = losses.critic_generator_loss(fake)
    _agree(d_g, numerical_gradient(lambda: losses.critic_generator_loss(fake)[0], fake,
                                   h=1e-4, order=4))


@FAST
@given(big=st.floats(30, 1e300), sign=st.sampled_from([-1.0, 1.0]), t=st.floats(0, 1))
def test_losses_finite_at_extreme_logits(big, sign, t):
    a = np.array([sign * big, 0.0, -sign * big])
    for loss, grad in (losses.bce_with_logits(a, t)[:2],
                       losses.generator_loss_minimax(a),
                       losses.generator_loss_nonsaturating(a)):
        assert np.isfinite(loss) and np.all(np.isfinite(grad))
        assert np.all(np.abs(grad) <= 1.0 / a.size + 1e-15)   # |σ(a) − t| / N ≤ 1/N
