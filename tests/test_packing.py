"""One flat array for a network's parameters (and one for its gradients), and Adam's
single kernel call over them: the same numbers as array by array, through copies,
loads and hand-set weights."""

import copy

import numpy as np
import pytest

from numpygan import kernels
from numpygan.layers import Dense, ReLU
from numpygan.network import Sequential, mlp
from numpygan.optim import Adam, _flat_base


def _train(net, opt, steps, seed=5):
    """A few steps of a made-up regression, so that every parameter moves."""
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.normal(size=(8, net.n_in))
        out = net.forward(x)
        net.backward(out - 1.0)            # d/dout of ½‖out − 1‖²
        opt.step(net.params(), net.grads())


def _assert_same(arrays, others):
    arrays, others = list(arrays), list(others)
    assert len(arrays) == len(others)
    for a, b in zip(arrays, others):
        np.testing.assert_array_equal(a, b)     # bit for bit


def _unpacked_copy(net):
    """The same network whose W, b, dW, db are arrays of their own (no flat storage)."""
    other = copy.deepcopy(net)
    for layer in other.layers:
        if isinstance(layer, Dense):
            layer._W, layer._b = layer._W.copy(), layer._b.copy()
            layer._dW, layer._db = layer._dW.copy(), layer._db.copy()
    other._plan = None          # (private surgery: the network is told, too)
    assert _flat_base(other.params()) is None
    return other


def test_a_layer_packed_again_elsewhere_is_run_layer_by_layer(rng):
    net = mlp([2, 4, 1], rng=rng)
    x = rng.normal(size=(3, 2))
    bigger = Sequential(net.layers + [ReLU()])   # takes the layers' W, b into its own arrays
    with kernels.backend("numba" if kernels.HAVE_NUMBA else "numpy"):
        net.layers[0].W = np.ones((2, 4))         # seen by both networks
        expected = np.maximum(x @ np.ones((2, 4)) + net.layers[0].b, 0.2 * (
            x @ np.ones((2, 4)) + net.layers[0].b)) @ net.layers[2].W + net.layers[2].b
        np.testing.assert_allclose(net.forward(x), expected)
        np.testing.assert_allclose(bigger.forward(x), np.maximum(expected, 0))


def test_params_and_grads_tile_one_array_each(rng):
    net = mlp([2, 5, 3, 1], rng=rng)
    theta, grad = _flat_base(net.params()), _flat_base(net.grads())
    assert theta is not None and grad is not None and theta is not grad
    assert theta.size == net.n_params() == grad.size
    # in params() order: W1 row by row, b1, W2, b2, ...
    np.testing.assert_array_equal(theta, np.concatenate([p.ravel() for p in net.params()]))


def test_backward_writes_the_gradients_in_place(rng):
    net = mlp([2, 4, 1], rng=rng)
    dW = net.layers[0].dW
    net.forward(rng.normal(size=(3, 2)))
    net.backward(np.ones((3, 1)))
    assert net.layers[0].dW is dW and np.any(dW != 0)
    assert _flat_base(net.grads()) is not None


def test_assigning_W_copies_into_the_storage(rng):
    net = mlp([2, 4, 1], rng=rng)
    theta = _flat_base(net.params())
    new = np.arange(8.0).reshape(2, 4)
    net.layers[0].W = new
    new[0, 0] = 99.0                        # the caller's array is not aliased
    assert net.layers[0].W[0, 0] == 0.0
    np.testing.assert_array_equal(theta[:8], np.arange(8.0))
    assert _flat_base(net.params()) is theta


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_adam_flat_equals_array_by_array(rng, backend):
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    with kernels.backend(backend):
        net = mlp([1, 6, 6, 1], rng=rng)
        other = _unpacked_copy(net)
        opt_flat, opt_arrays = Adam(1e-2, beta1=0.5), Adam(1e-2, beta1=0.5)
        _train(net, opt_flat, 20)
        _train(other, opt_arrays, 20)
        assert opt_flat._flat is not None and opt_arrays._flat is None
        _assert_same(net.params(), other.params())
        _assert_same(opt_flat.m + opt_flat.v, opt_arrays.m + opt_arrays.v)


def test_deep_copies_train_apart_and_alike(rng):
    net = mlp([1, 6, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 3)
    net2, opt2 = copy.deepcopy((net, opt))
    assert _flat_base(net2.params()) is not None      # the copy is packed again
    assert _flat_base(net2.params()) is not _flat_base(net.params())
    before = [p.copy() for p in net.params()]
    _train(net2, opt2, 4)
    _assert_same(net.params(), before)                 # the original did not move
    _train(net, opt, 4)                                # and catches up to the same place
    _assert_same(net.params(), net2.params())


def test_adam_load_state_then_steps_alike(rng):
    net = mlp([1, 4, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 3)
    net2 = copy.deepcopy(net)
    opt2 = Adam(1e-2)
    opt2.load_state(opt.state())           # separate arrays; packed again on its next step
    _train(net, opt, 2, seed=9)
    _train(net2, opt2, 2, seed=9)
    assert opt2._flat is not None
    _assert_same(net.params(), net2.params())


def test_adam_replaced_moment_is_noticed(rng):
    net = mlp([1, 3, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 2)
    opt.m[0] = np.zeros_like(opt.m[0])     # by hand: the cached flat arrays no longer hold it
    assert opt._flat_arrays(net.params(), net.grads()) is None
    _train(net, opt, 1)
    assert _flat_base(opt.m) is not None and not np.all(opt.m[0] == 0)


def test_adam_flat_path_still_refuses_nan_gradients(rng):
    net = mlp([1, 3, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 2)
    before = [p.copy() for p in net.params()]
    net.layers[2].db[0] = np.nan
    with pytest.raises(ValueError, match="grad 3 .*NaN or inf"):
        opt.step(net.params(), net.grads())
    _assert_same(net.params(), before)


def test_shared_or_mixed_layers_stay_unpacked(rng):
    shared = Dense(3, 3, rng=rng)
    net = Sequential([shared, ReLU(), shared])
    assert _flat_base(net.params()) is None
    opt = Adam(1e-2)
    _train(net, opt, 2)                    # the array-by-array path
    assert opt._flat is None
    mixed = Sequential([Dense(2, 3, rng=rng), Dense(3, 1, rng=rng, dtype=np.float32)])
    assert _flat_base(mixed.params()) is None


def test_dense_backward_into_given_arrays(rng, each_backend):
    x, g, W = rng.normal(size=(5, 3)), rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    dW, db = np.empty((3, 4)), np.empty(4)
    ref = kernels.dense_backward(x, g, W)
    got = kernels.dense_backward(x, g, W, dW, db)
    assert got[0] is dW and got[1] is db
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(ValueError, match="dW must have shape \\(3, 4\\)"):
        kernels.dense_backward(x, g, W, np.empty((4, 3)), db)
    with pytest.raises(ValueError, match="db must be given with the other"):
        kernels.dense_backward(x, g, W, dW, None)
    with pytest.raises(ValueError, match="writeable C-contiguous"):
        kernels.dense_backward(x, g, W, np.empty((4, 3)).T, db)


# --------------------------------------------------------------------------
# The whole network in one kernel call (Numba backend)
# --------------------------------------------------------------------------
needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")


def _run(net, x, d):
    out = net.forward(x).copy()
    dx = net.backward(d).copy()
    return [out, dx] + [g.copy() for g in net.grads()]


@needs_numba
@pytest.mark.parametrize("hidden,out", [("leaky_relu", None), ("relu", "sigmoid"),
                                        ("tanh", "tanh"), ("sigmoid", None)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_call_equals_layer_by_layer_bit_for_bit(rng, hidden, out, dtype):
    net = mlp([3, 9, 6, 2], hidden=hidden, out=out, rng=rng, dtype=dtype)
    x = rng.normal(size=(11, 3)).astype(dtype)
    d = rng.normal(size=(11, 2)).astype(dtype)
    with kernels.backend("numba"):
        fused = _run(net, x, d)
        assert net._fused is not None
        plan, net._plan = net._plan, None          # force the layer-by-layer path
        layered = _run(net, x, d)
        net._plan = plan
    _assert_same(fused, layered)


@needs_numba
def test_layers_keep_their_caches_after_a_one_call_forward(rng):
    net = mlp([2, 5, 1], hidden="tanh", rng=rng)
    x = rng.normal(size=(4, 2))
    with kernels.backend("numba"):
        net.forward(x)
        assert net.layers[0]._x is x
        np.testing.assert_allclose(net.layers[1]._out, np.tanh(x @ net.layers[0].W + net.layers[0].b),
                                   rtol=1e-12)
        # a layer run on its own since: backward goes layer by layer, with its cache
        net.layers[2].forward(rng.normal(size=(4, 5)))
        dx = net.backward(np.ones((4, 1)))
        assert dx.shape == (4, 2)
        np.testing.assert_allclose(net.layers[2].dW, net.layers[2]._x.T @ np.ones((4, 1)))


@needs_numba
def test_subclassed_layers_run_layer_by_layer(rng):
    class Doubling(ReLU):
        def _forward(self, x):
            return 2 * super()._forward(x)

    net = Sequential([Dense(2, 3, rng=rng), Doubling(), Dense(3, 1, rng=rng)])
    assert net._plan is None
    x = rng.normal(size=(4, 2))
    with kernels.backend("numba"):
        h = np.maximum(x @ net.layers[0].W + net.layers[0].b, 0) * 2
        np.testing.assert_allclose(net.forward(x), h @ net.layers[2].W + net.layers[2].b)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_mlp_kernels_refuse_what_does_not_fit(rng, backend):
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    net = mlp([3, 4, 2], rng=rng)
    pa = (net._theta, net._plan, net._alphas)
    x = rng.normal(size=(5, 3))
    with kernels.backend(backend):
        acts = kernels.mlp_forward(x, *pa)
        with pytest.raises(ValueError, match="plan row 0 .*expected input width 4"):
            kernels.mlp_forward(rng.normal(size=(5, 4)), *pa)
        with pytest.raises(ValueError, match="theta has 5 values, the plan needs 26"):
            kernels.mlp_forward(x, net._theta[:5], net._plan, net._alphas)
        with pytest.raises(ValueError, match=r"dout must have shape \(5, 2\)"):
            kernels.mlp_backward(x, np.ones((5, 3)), net._theta, net._grad, net._plan,
                                 net._alphas, acts)
        with pytest.raises(ValueError, match="acts must hold"):
            kernels.mlp_backward(x, np.ones((5, 2)), net._theta, net._grad, net._plan,
                                 net._alphas, acts[:-1])
        with pytest.raises(ValueError, match="plan must be an int64 array"):
            kernels.mlp_forward(x, net._theta, net._plan.astype(np.int32), net._alphas)
        dx = kernels.mlp_backward(x, np.ones((5, 2)), *pa[:1], net._grad, *pa[1:], acts)
        assert dx.shape == (5, 3)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_mlp_backward_overwrites_all_of_grad(rng, backend):
    # every dW, db accumulates into zeros, and values no layer owns become 0 (not stale)
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    net = mlp([3, 4, 2], rng=rng)
    theta = np.concatenate([net._theta, rng.normal(size=3)])   # 3 values past the plan's
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    with kernels.backend(backend):
        acts = kernels.mlp_forward(x, theta, net._plan, net._alphas)
        want = np.zeros_like(theta)
        kernels.mlp_backward(x, dout, theta, want, net._plan, net._alphas, acts)
        grad = np.full_like(theta, 7.0)                         # stale values
        kernels.mlp_backward(x, dout, theta, grad, net._plan, net._alphas, acts)
    np.testing.assert_array_equal(grad, want)
    assert np.all(grad[-3:] == 0) and np.all(grad[:-3] != 0)


def test_assigning_dW_copies_into_the_gradient_storage(rng):
    net = mlp([2, 3, 1], rng=rng)
    grad = _flat_base(net.grads())
    net.layers[0].dW = np.ones((2, 3))
    net.layers[0].db = np.full(3, 2.0)
    np.testing.assert_array_equal(grad[:9], [1.0] * 6 + [2.0] * 3)
    assert _flat_base(net.grads()) is grad
    with pytest.raises(ValueError, match=r"dW: expected shape \(2, 3\), got \(3, 2\)"):
        net.layers[0].dW = np.ones((3, 2))


@needs_numba
def test_large_products_go_layer_by_layer_on_the_parallel_kernels(rng, monkeypatch):
    net = mlp([4, 8, 1], rng=rng)
    x = rng.normal(size=(5, 4))
    with kernels.backend("numba"):
        net.forward(x)
        assert net._fused is not None
        monkeypatch.setattr(kernels, "PARALLEL_MIN_FLOPS", 0)     # now every product is "large"
        monkeypatch.setattr(kernels, "PARALLEL_MIN_WEIGHTS", 0)
        out = net.forward(x)
        assert net._fused is None
        np.testing.assert_allclose(out, np.maximum(x @ net.layers[0].W + net.layers[0].b, 0.2 * (
            x @ net.layers[0].W + net.layers[0].b)) @ net.layers[2].W + net.layers[2].b, rtol=1e-12)
