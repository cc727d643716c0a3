"""Every layer's backward pass against central differences, in float64."""

import numpy as np
import pytest

from numpygan.gradcheck import numerical_gradient, numerical_gradient_array, rel_error
from numpygan.layers import Dense, LeakyReLU, ReLU, Sigmoid, Tanh

SHAPES = [(1, 1, 1), (1, 3, 4), (5, 3, 4), (7, 1, 6), (4, 6, 1), (16, 8, 8)]


@pytest.mark.parametrize("N,D,M", SHAPES)
def test_dense_gradients(N, D, M, rng, each_backend):
    layer = Dense(D, M, rng=rng)
    layer.b = rng.normal(size=M)
    x = rng.normal(size=(N, D))
    dout = rng.normal(size=(N, M))
    layer.forward(x)
    dx = layer.backward(dout)
    dx_num = numerical_gradient_array(lambda: layer.forward(x), x, dout)
    dW_num = numerical_gradient_array(lambda: layer.forward(x), layer.W, dout)
    db_num = numerical_gradient_array(lambda: layer.forward(x), layer.b, dout)
    assert dx.shape == (N, D) and layer.dW.shape == (D, M) and layer.db.shape == (M,)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(layer.dW, dW_num) < 1e-7
    assert rel_error(layer.db, db_num) < 1e-7


def test_dense_forward_is_xW_plus_b(rng, each_backend):
    layer = Dense(3, 4, rng=rng)
    layer.b = np.arange(4.0)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b, rtol=1e-12)


def test_backward_overwrites_not_accumulates(rng):
    layer = Dense(3, 2, rng=rng)
    x = rng.normal(size=(4, 3))
    dout = rng.normal(size=(4, 2))
    layer.forward(x)
    layer.backward(dout)
    first = layer.dW.copy(), layer.db.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(layer.dW, first[0])
    np.testing.assert_array_equal(layer.db, first[1])


def _away_from_kink(rng, shape):
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 1e-2, 0.5, x)


@pytest.mark.parametrize("make", [ReLU, lambda: LeakyReLU(0.2), Tanh, Sigmoid],
                         ids=["relu", "leaky_relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (10, 1), (1, 7)])
def test_activation_gradients(make, shape, rng, each_backend):
    layer = make()
    x = _away_from_kink(rng, shape)
    dout = rng.normal(size=shape)
    layer.forward(x)
    dx = layer.backward(dout)
    dx_num = numerical_gradient_array(lambda: layer.forward(x), x, dout)
    assert rel_error(dx, dx_num) < 1e-7


def test_activation_values(each_backend):
    x = np.array([[-2.0, -0.5, 0.5, 3.0]])
    np.testing.assert_allclose(ReLU().forward(x), [[0, 0, 0.5, 3.0]])
    np.testing.assert_allclose(LeakyReLU(0.1).forward(x), [[-0.2, -0.05, 0.5, 3.0]])
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x), rtol=1e-14)
    np.testing.assert_allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)), rtol=1e-14)


def test_sigmoid_is_finite_at_extremes(each_backend):
    x = np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]])
    out = Sigmoid().forward(x)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, [[0, 0, 0.5, 1, 1]], atol=1e-300)


def test_init_schemes_have_documented_scale():
    rng = np.random.default_rng(0)
    he = Dense(400, 300, rng=rng, init="he").W
    assert abs(he.std() - np.sqrt(2 / 400)) < 0.01 * np.sqrt(2 / 400) * 3
    gl = Dense(400, 300, rng=rng, init="glorot").W
    a = np.sqrt(6 / 700)
    assert gl.max() <= a and gl.min() >= -a and abs(gl.std() - a / np.sqrt(3)) < 0.02 * a


def test_same_seed_same_weights():
    a = Dense(3, 4, rng=np.random.default_rng(7)).W
    b = Dense(3, 4, rng=np.random.default_rng(7)).W
    np.testing.assert_array_equal(a, b)


def test_float32_layer(rng, each_backend):
    layer = Dense(3, 4, rng=rng, dtype=np.float32)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    dx = layer.backward(np.ones((5, 4), np.float32))
    assert dx.dtype == np.float32 and layer.dW.dtype == np.float32


# ---------------------------------------------------------------- bad input
def test_dense_wrong_width_names_shapes(rng):
    layer = Dense(3, 4, rng=rng)
    with pytest.raises(ValueError, match=r"\(N, 3\).*\(2, 5\)"):
        layer.forward(np.zeros((2, 5)))


def test_dense_1d_input_is_refused(rng):
    with pytest.raises(ValueError, match=r"2-D.*\(3,\)"):
        Dense(3, 4, rng=rng).forward(np.zeros(3))


def test_dense_integer_input_is_refused(rng):
    with pytest.raises(ValueError, match="dtype"):
        Dense(3, 4, rng=rng).forward(np.arange(6).reshape(2, 3))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_dense_nonfinite_weights_refused(bad, rng):
    layer = Dense(3, 4, rng=rng)
    W = layer.W.copy()
    W[1, 2] = bad
    with pytest.raises(ValueError, match="non-finite"):
        layer.W = W


def test_dense_wrong_weight_shape_refused(rng):
    layer = Dense(3, 4, rng=rng)
    with pytest.raises(ValueError, match=r"expected shape \(3, 4\), got \(4, 3\)"):
        layer.W = np.zeros((4, 3))


@pytest.mark.parametrize("make", [lambda r: Dense(3, 4, rng=r), lambda r: ReLU(),
                                  lambda r: LeakyReLU(), lambda r: Tanh(), lambda r: Sigmoid()])
def test_backward_before_forward(make, rng):
    with pytest.raises(RuntimeError, match="before forward"):
        make(rng).backward(np.zeros((2, 4)))


def test_dense_backward_wrong_dout_shape(rng):
    layer = Dense(3, 4, rng=rng)
    layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(2, 3\)"):
        layer.backward(np.zeros((2, 3)))


@pytest.mark.parametrize("args", [(0, 3), (3, -1), (2.5, 3)])
def test_dense_bad_sizes(args):
    with pytest.raises(ValueError, match="positive integer"):
        Dense(*args)


def test_bad_alpha():
    with pytest.raises(ValueError, match="alpha"):
        LeakyReLU(1.5)


def test_rel_error_floor_compares_tiny_entries_at_its_scale():
    a = np.array([1.0, 4.2242862e-08])
    b = np.array([1.0, 4.2241765e-08])          # round-off of a numerical gradient
    assert rel_error(a, b) > 1e-5                # default floor 1e-8: relative
    assert rel_error(a, b, floor=1e-6) < 2e-6    # 1.1e-12 compared at the scale 1e-6
    assert rel_error(a, 2 * a, floor=1e-6) > 0.3   # a real error still shows
    with pytest.raises(ValueError, match="floor"):
        rel_error(a, b, floor=0.0)
