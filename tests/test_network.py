"""A whole MLP's backward pass: input gradient and every parameter's gradient."""

import numpy as np
import pytest

from numpygan.gradcheck import numerical_gradient_array, rel_error
from numpygan.network import Sequential, mlp
from numpygan.layers import Dense, ReLU


def _agree(analytic, numeric):
    """rel_error < 1e-7, except that an exactly-zero analytic entry (a dead ReLU
    unit) is matched by a numerical one at round-off level, |n| < 1e-10."""
    dead = analytic == 0
    assert np.all(np.abs(numeric[dead]) < 1e-10)
    return rel_error(analytic[~dead], numeric[~dead]) < 1e-7


@pytest.mark.parametrize("sizes,hidden,out", [
    ([1, 8, 8, 1], "leaky_relu", None),
    ([2, 5, 3], "tanh", "sigmoid"),
    ([3, 4, 1], "leaky_relu", "tanh"),
    ([2, 6, 1], "relu", None), 
    ([1, 1], "tanh", None),
])
@pytest.mark.parametrize("N", [1, 6])
def test_mlp_gradients(sizes, hidden, out, N, each_backend):
    rng = np.random.default_rng(3)
    net = mlp(sizes, hidden=hidden, out=out, rng=rng)
    for p in net.params():
        p += 0.1 * rng.normal(size=p.shape)  # nonzero biases too
    x = rng.normal(size=(N, sizes[0]))
    dout = rng.normal(size=(N, sizes[-1]))
    net.forward(x)
    dx = net.backward(dout)
    f = lambda: net.forward(x)
    # the 4th-order stencil: a few parameter gradients are ~1e-4, where the
    # 2nd-order one's round-off alone reaches a relative 1e-7
    num = lambda a: numerical_gradient_array(f, a, dout, h=1e-4, order=4)
    assert _agree(dx, num(x))
    params, grads = net.params(), net.grads()
    assert [p.shape for p in params] == [g.shape for g in grads]
    for p, g in zip(params, grads):
        assert _agree(g, num(p))


def test_params_are_live_views(rng):
    net = mlp([2, 3, 1], rng=rng)
    net.params()[0][...] = 0.0
    assert np.all(net.layers[0].W == 0)


def test_sequential_rejects_mismatched_widths(rng):
    with pytest.raises(ValueError, match="outputs 4 features.*expects 5"):
        Sequential([Dense(3, 4, rng=rng), ReLU(), Dense(5, 1, rng=rng)])


def test_sequential_rejects_non_layers():
    with pytest.raises(ValueError, match="layer 0"):
        Sequential([lambda x: x])


def test_mlp_bad_arguments():
    with pytest.raises(ValueError, match="hidden"):
        mlp([1, 2, 1], hidden="swish")
    with pytest.raises(ValueError, match="sizes"):
        mlp([1])


def test_network_input_checked(rng):
    net = mlp([2, 3, 1], rng=rng)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        net.forward(np.zeros((4, 3)))


def test_summary_counts_parameters(rng):
    net = mlp([1, 32, 32, 1], rng=rng)
    assert net.n_params() == 64 + 1056 + 33
    assert "1153" in net.summary()


def test_gradcheck_orders_agree_on_a_smooth_function(rng):
    from numpygan.gradcheck import numerical_gradient
    x = rng.normal(size=5)
    f = lambda: float(np.sum(np.sin(x) * x ** 2))
    exact = np.cos(x) * x ** 2 + 2 * x * np.sin(x)
    assert rel_error(numerical_gradient(f, x), exact) < 1e-8
    assert rel_error(numerical_gradient(f, x, h=1e-3, order=4), exact) < 1e-10


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_backward_without_input_grad_fills_the_same_grads_and_returns_none(backend):
    # a GAN never uses dL/dz of G, nor dL/dx of D in D's own step: input_grad=False
    # skips it (the one-call Numba path skips layer 0's dx = g Wᵀ) and returns None
    from numpygan import kernels
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    rng = np.random.default_rng(3)
    x, dout = rng.normal(size=(9, 2)), rng.normal(size=(9, 1))
    with kernels.backend(backend):
        net = mlp([2, 5, 5, 1], rng=np.random.default_rng(0))
        net.forward(x)
        dx = net.backward(dout)
        grads = [g.copy() for g in net.grads()]
        net.forward(x)
        assert net.backward(dout, input_grad=False) is None
    assert dx.shape == (9, 2)
    for g, g_again in zip(grads, net.grads()):
        np.testing.assert_array_equal(g, g_again)
