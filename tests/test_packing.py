"""One flat array for a network's parameters (and one for its gradients), Adam's single
kernel call over them, and the whole-network kernels: the same numbers as array by
array and layer by layer, through copies, loads and hand-set weights."""

import copy

import numpy as np
import pytest

from numpygan import fast, kernels
from numpygan.layers import Dense, ReLU
from numpygan.network import Sequential, mlp
from numpygan.optim import Adam

needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")


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
    """The same network whose parameters live in arrays of their own, one per layer."""
    other = copy.deepcopy(net)
    for layer in other.layers:
        if layer.param_names:
            n = layer.n_params()
            layer.use_storage(np.empty(n, layer.dtype), np.empty(n, layer.dtype))
    assert not other.packed() and other.params().flat is None
    return other


def test_params_and_grads_tile_one_array_each(rng):
    net = mlp([2, 3, 1], rng=rng)
    params, grads = net.params(), net.grads()
    assert params.flat is net.theta and grads.flat is net.grad
    assert net.theta.size == 2 * 3 + 3 + 3 * 1 + 1
    assert all(p.base is net.theta for p in params) and all(g.base is net.grad for g in grads)
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in params]), net.theta)


def test_a_layer_packed_again_elsewhere_is_run_layer_by_layer(rng, each_backend):
    net = mlp([2, 4, 1], rng=rng)
    x = rng.normal(size=(5, 2))
    before = net.forward(x).copy()
    other = Sequential([net.layers[0], ReLU()])        # packs layer 0 into its own arrays
    assert not net.packed() and net.params().flat is None and other.packed()
    np.testing.assert_allclose(net.forward(x), before, rtol=1e-12)
    net.backward(np.ones((5, 1)))
    np.testing.assert_allclose(net.layers[2].dW, net.layers[2].cache.T @ np.ones((5, 1)),
                               rtol=1e-12)


def test_backward_writes_the_gradients_in_place(rng, each_backend):
    net = mlp([2, 3, 1], rng=rng)
    grads = net.grads()
    net.forward(rng.normal(size=(4, 2)))
    net.backward(np.ones((4, 1)))
    assert all(a is b for a, b in zip(grads, net.grads()))
    assert np.any(net.grad != 0)
    np.testing.assert_array_equal(np.concatenate([g.ravel() for g in grads]), net.grad)


def test_assigning_W_and_dW_copies_into_the_storage(rng):
    net = mlp([2, 3, 1], rng=rng)
    theta, grad = net.theta, net.grad
    new = np.arange(6.0).reshape(2, 3)
    net.layers[0].W = new
    net.layers[0].dW = np.ones((2, 3))
    net.layers[0].db = np.full(3, 2.0)
    new[0, 0] = 99.0                        # the caller's array is not aliased
    assert net.layers[0].W[0, 0] == 0.0
    np.testing.assert_array_equal(theta[:6], np.arange(6.0))
    np.testing.assert_array_equal(grad[:9], [1.0] * 6 + [2.0] * 3)
    assert net.params().flat is theta and net.grads().flat is grad
    with pytest.raises(ValueError, match=r"dW: expected shape \(2, 3\), got \(3, 2\)"):
        net.layers[0].dW = np.ones((3, 2))


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_adam_flat_equals_array_by_array(rng, backend):
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    with kernels.backend(backend):
        net = mlp([1, 6, 6, 1], rng=rng)
        other = _unpacked_copy(net)
        opt_flat, opt_arrays = Adam(1e-2, beta1=0.5), Adam(1e-2, beta1=0.5)
        for step in range(20):   # the same gradients into both: only the update differs
            out = net.forward(rng.normal(size=(8, 1)))
            net.backward(out - 1.0)
            for mine, theirs in zip(other.grads(), net.grads()):
                mine[...] = theirs
            opt_flat.step(net.params(), net.grads())
            opt_arrays.step(other.params(), other.grads())
        assert all(m.base is opt_flat.m[0].base for m in opt_flat.m)   # one flat m
        _assert_same(net.params(), other.params())
        _assert_same(opt_flat.m + opt_flat.v, opt_arrays.m + opt_arrays.v)


def test_deep_copies_train_apart_and_alike(rng):
    net = mlp([1, 6, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 3)
    net2, opt2 = copy.deepcopy((net, opt))
    assert net2.packed() and net2.theta is not net.theta      # the copy is packed again
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
    opt2.load_state(opt.state())           # separate arrays; one flat array again on its next step
    _train(net, opt, 2, seed=9)
    _train(net2, opt2, 2, seed=9)
    assert all(m.base is opt2.m[0].base for m in opt2.m)
    _assert_same(net.params(), net2.params())


def test_adam_replaced_moment_is_used(rng):
    net = mlp([1, 3, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 2)
    opt.m[0] = np.zeros_like(opt.m[0])     # by hand: the flat m no longer holds it
    m_before, v_before = [m.copy() for m in opt.m], [v.copy() for v in opt.v]
    theta = net.theta.copy()
    _train(net, opt, 1)
    g = net.grad
    m = np.concatenate([a.ravel() for a in m_before]) * 0.9 + 0.1 * g
    v = np.concatenate([a.ravel() for a in v_before]) * 0.999 + 0.001 * g * g
    t = opt.t
    want = theta - 1e-2 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    np.testing.assert_allclose(net.theta, want, rtol=1e-12)


def test_adam_flat_path_refuses_nan_and_read_only_and_changes_nothing(rng):
    net = mlp([1, 3, 1], rng=rng)
    opt = Adam(1e-2)
    _train(net, opt, 2)
    before, t = [p.copy() for p in net.params()] + [m.copy() for m in opt.m], opt.t
    net.layers[2].db[0] = np.nan
    with pytest.raises(ValueError, match="grad 3 .*NaN or inf"):
        opt.step(net.params(), net.grads())
    net.layers[2].db[0] = 0.0
    net.layers[0].W.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        opt.step(net.params(), net.grads())
    _assert_same(list(net.params()) + opt.m, before)
    assert opt.t == t


def test_shared_or_mixed_layers_stay_unpacked(rng):
    shared = Dense(3, 3, rng=rng)
    net = Sequential([shared, ReLU(), shared])
    assert net.params().flat is None
    opt = Adam(1e-2)
    _train(net, opt, 2)                    # the array-by-array path
    mixed = Sequential([Dense(2, 3, rng=rng), Dense(3, 1, rng=rng, dtype=np.float32)])
    assert mixed.params().flat is None


# --------------------------------------------------------------------------
# The whole network in one kernel call (Numba backend)
# --------------------------------------------------------------------------
def _run(net, x, d):
    out = net.forward(x).copy()
    dx = net.backward(d).copy()
    return [out, dx] + [g.copy() for g in net.grads()]


@needs_numba
@pytest.mark.parametrize("hidden,out", [("leaky_relu", None), ("relu", "sigmoid"),
                                        ("tanh", "tanh"), ("sigmoid", None)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_call_equals_layer_by_layer(rng, hidden, out, dtype):
    net = mlp([3, 9, 6, 2], hidden=hidden, out=out, rng=rng, dtype=dtype)
    x = rng.normal(size=(11, 3)).astype(dtype)
    d = rng.normal(size=(11, 2)).astype(dtype)
    with kernels.backend("numba"):
        whole = _run(net, x, d)
        assert net.layers[0].cache is x                   # the one-call path ran
        layered = [a for a in _run(_unpacked_copy(net), x, d)]
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for a, b in zip(whole, layered):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * np.abs(b).max())


@needs_numba
def test_layers_keep_their_caches_after_a_one_call_forward(rng):
    net = mlp([2, 5, 1], hidden="tanh", rng=rng)
    x = rng.normal(size=(4, 2))
    with kernels.backend("numba"):
        net.forward(x)
        assert net.layers[0].cache is x
        np.testing.assert_allclose(net.layers[1].cache,
                                   np.tanh(x @ net.layers[0].W + net.layers[0].b), rtol=1e-12)
        # a layer run on its own since: backward goes layer by layer, with its cache
        net.layers[2].forward(rng.normal(size=(4, 5)))
        dx = net.backward(np.ones((4, 1)))
        assert dx.shape == (4, 2)
        np.testing.assert_allclose(net.layers[2].dW, net.layers[2].cache.T @ np.ones((4, 1)))


@needs_numba
def test_subclassed_layers_run_layer_by_layer(rng):
    class Doubling(ReLU):
        def apply(self, x):
            return 2 * super().apply(x)

    net = Sequential([Dense(2, 3, rng=rng), Doubling(), Dense(3, 1, rng=rng)])
    x = rng.normal(size=(4, 2))
    with kernels.backend("numba"):
        h = np.maximum(x @ net.layers[0].W + net.layers[0].b, 0) * 2
        np.testing.assert_allclose(net.forward(x), h @ net.layers[2].W + net.layers[2].b)


def _plan(net):
    runner = fast.WholeNetwork.of(net.layers, net.n_in, net.theta, net.grad,
                                  [0, 0, net.layers[0].n_params()])
    return runner.plan, runner.alphas


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_mlp_kernels_refuse_what_does_not_fit(rng, backend):
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    net = mlp([3, 4, 2], rng=rng)
    plan, alphas = _plan(net)
    x = rng.normal(size=(5, 3))
    with kernels.backend(backend):
        acts = fast.mlp_forward(x, net.theta, plan, alphas)
        with pytest.raises(ValueError, match="plan row 0 .*expected input width 4"):
            fast.mlp_forward(rng.normal(size=(5, 4)), net.theta, plan, alphas)
        with pytest.raises(ValueError, match="at least 26 values, got 5"):
            fast.mlp_forward(x, net.theta[:5], plan, alphas)
        with pytest.raises(ValueError, match=r"dout must have shape \(5, 2\)"):
            fast.mlp_backward(x, np.ones((5, 3)), net.theta, net.grad, plan, alphas, acts)
        with pytest.raises(ValueError, match="acts must be"):
            fast.mlp_backward(x, np.ones((5, 2)), net.theta, net.grad, plan, alphas, acts[:-1])
        with pytest.raises(ValueError, match="plan must be an int64 array"):
            fast.mlp_forward(x, net.theta, plan.astype(np.int32), alphas)
        dx = fast.mlp_backward(x, np.ones((5, 2)), net.theta, net.grad, plan, alphas, acts)
        assert dx.shape == (5, 3)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_mlp_backward_overwrites_all_of_grad(rng, backend):
    # every dW, db accumulates into zeros, and values no layer owns become 0 (not stale)
    if backend == "numba" and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    net = mlp([3, 4, 2], rng=rng)
    plan, alphas = _plan(net)
    theta = np.concatenate([net.theta, rng.normal(size=3)])   # 3 values past the plan's
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    with kernels.backend(backend):
        acts = fast.mlp_forward(x, theta, plan, alphas)
        want = np.zeros_like(theta)
        fast.mlp_backward(x, dout, theta, want, plan, alphas, acts)
        grad = np.full_like(theta, 7.0)                         # stale values
        fast.mlp_backward(x, dout, theta, grad, plan, alphas, acts)
    np.testing.assert_array_equal(grad, want)
    assert np.all(grad[-3:] == 0) and np.all(grad[:-3] != 0)


@needs_numba
def test_whole_network_kernels_compute_the_layers_math(rng):
    """The one-call pass against the equations written out in NumPy (not against itself)."""
    net = mlp([3, 5, 2], hidden="leaky_relu", out="sigmoid", rng=rng)
    for p in net.params():
        p += rng.normal(size=p.shape)
    x, d = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    W1, b1, W2, b2 = net.params()
    a1 = x @ W1 + b1
    h1 = np.where(a1 > 0, a1, 0.2 * a1)
    y = 1 / (1 + np.exp(-(h1 @ W2 + b2)))
    g2 = d * y * (1 - y)
    g1 = (g2 @ W2.T) * np.where(a1 > 0, 1.0, 0.2)
    with kernels.backend("numba"):
        np.testing.assert_allclose(net.forward(x), y, rtol=1e-12)
        np.testing.assert_allclose(net.backward(d), g1 @ W1.T, rtol=1e-12)
    for got, want in zip(net.grads(), [x.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0)]):
        np.testing.assert_allclose(got, want, rtol=1e-12)
