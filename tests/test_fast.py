"""The fast path gives the teaching kernels' numbers: the tuned and parallel matmuls,
the whole-network kernels (Numba twin against NumPy twin), and the compile clock."""


import numpy as np
import pytest
from fresh_python import run_python

from numpygan import fast, kernels
from numpygan.fast import dense as fast_dense
from numpygan.network import mlp

needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")
TOL = {np.float64: 1e-12, np.float32: 1e-5}
SHAPES = [(1, 1, 1), (1, 5, 3), (7, 1, 4), (6, 5, 1), (9, 4, 4), (13, 7, 10), (33, 16, 17),
          (64, 32, 1)]


def _close(got, want, dtype):
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=TOL[dtype], atol=TOL[dtype] * scale)
    assert got.dtype == want.dtype and got.shape == want.shape


def _calls(x, W, b, g):
    return [(fast.matmul_bias, kernels.matmul_bias, (x, W, b)),
            (fast.grad_W, kernels.grad_W, (x, g)),
            (fast.grad_x, kernels.grad_x, (g, W))]


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_tuned_matmuls_equal_the_teaching_loops(dtype, layout):
    rng = np.random.default_rng(4)
    lay = np.asfortranarray if layout == "F" else np.ascontiguousarray
    with kernels.backend("numba"):
        for N, D, M in SHAPES:
            x, W = lay(rng.normal(size=(N, D)).astype(dtype)), lay(rng.normal(size=(D, M)).astype(dtype))
            b, g = rng.normal(size=M).astype(dtype), lay(rng.normal(size=(N, M)).astype(dtype))
            for quick, teaching, args in _calls(x, W, b, g):
                _close(quick(*args), teaching(*args), dtype)


@needs_numba
@pytest.mark.parametrize("N,D,M", [(37, 11, 9), (10, 6, 1), (4, 1, 5)])
def test_parallel_path_gives_the_serial_results_exactly(N, D, M, monkeypatch, rng):
    # each row is computed by the same operations whichever thread (and block) runs it
    x, g = rng.normal(size=(N, D)), rng.normal(size=(N, M))
    W, b = rng.normal(size=(D, M)), rng.normal(size=M)
    with kernels.backend("numba"):
        serial = [f(*a) for f, _, a in _calls(x, W, b, g)]
        monkeypatch.setattr(fast_dense, "PARALLEL_MIN_FLOPS", 0)
        monkeypatch.setattr(fast_dense, "PARALLEL_MIN_WEIGHTS", 0)
        assert fast.is_large(N, D, M)
        parallel = [f(*a) for f, _, a in _calls(x, W, b, g)]
    for s, p in zip(serial, parallel):
        np.testing.assert_array_equal(s, p)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_row_of_the_tuned_matmul_does_not_depend_on_the_rows_around_it(dtype, rng):
    # gemm pairs rows; an odd last row is paired with itself (its partner's
    # coefficients zero), so it gets the same sums as when it has a real partner
    x = rng.normal(size=(7, 6)).astype(dtype)
    W, b = rng.normal(size=(6, 5)).astype(dtype), rng.normal(size=5).astype(dtype)
    with kernels.backend("numba"):
        full = fast.matmul_bias(x, W, b)              # rows (0,1) (2,3) (4,5) (6,6)
        for lo in range(7):
            part = fast.matmul_bias(x[lo:], W, b)     # the same rows, paired otherwise
            np.testing.assert_array_equal(part, full[lo:])
            assert part.dtype == dtype


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_one_row_matmul_gives_the_pairs_bits(dtype, rng):
    """gemm_rows (Numba 0.60 and older) and gemm_pairs add the same products in the same
    order: equal bit for bit, on odd rows, K not a multiple of 4 and one column."""
    from numba import njit

    from numpygan.fast import gemm as g

    rows, pairs = (njit(lambda A, B, out, f=f: f(A, B, out)) for f in (g.gemm_rows,
                                                                          g.gemm_pairs))
    for N, K, M in [(7, 6, 5), (8, 8, 1), (1, 3, 9), (33, 17, 16)]:
        A = rng.normal(size=(N, K)).astype(dtype)
        B = rng.normal(size=(K, M)).astype(dtype)
        start = rng.normal(size=(N, M)).astype(dtype)
        a, b = start.copy(), start.copy()
        rows(A, B, a)
        pairs(A, B, b)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, start + A.astype(np.float64) @ B,
                                   rtol=1e-4 if dtype == np.float32 else 1e-12, atol=1e-4)
    assert g.gemm is (g.gemm_rows if g.ONE_ROW_AT_A_TIME else g.gemm_pairs)


def test_on_the_numpy_backend_the_fast_functions_are_numpy(rng):
    x, W, b = rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), rng.normal(size=4)
    with kernels.backend("numpy"):
        np.testing.assert_array_equal(fast.matmul_bias(x, W, b), x @ W + b)
        with pytest.raises(ValueError, match="did you transpose W"):
            fast.matmul_bias(x, W.T, b)


def _plan_args(dtype, rng, N=9):
    net = mlp([3, 7, 5, 2], hidden="leaky_relu", out="sigmoid", rng=rng, dtype=dtype)
    net2 = mlp([3, 4, 1], hidden="tanh", rng=rng, dtype=dtype)
    out = []
    for n in (net, net2):
        for p in n.params():
            p += rng.normal(size=p.shape).astype(dtype)
        at = [0] * len(n.layers)
        start = 0
        for i, layer in enumerate(n.layers):
            at[i] = start
            start += layer.n_params()
        runner = fast.WholeNetwork.of(n.layers, n.n_in, n.theta, n.grad, at)
        x = rng.normal(size=(N, 3)).astype(dtype)
        dout = rng.normal(size=(N, n.n_out)).astype(dtype)
        out.append((x, dout, n.theta, runner.plan, runner.alphas))
    return out


@needs_numba
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("input_grad", [True, False])
def test_whole_network_twins_agree(dtype, input_grad, rng):
    np_fwd, nb_fwd = fast.TWINS["mlp_forward"]
    np_bwd, nb_bwd = fast.TWINS["mlp_backward"]
    for x, dout, theta, plan, alphas in _plan_args(dtype, rng):
        acts = np_fwd(x, theta, plan, alphas)
        _close(nb_fwd(x, theta, plan, alphas), acts, dtype)
        g_np, g_nb = np.full_like(theta, 3.0), np.full_like(theta, -3.0)
        dx_np = np_bwd(x, dout, theta, g_np, plan, alphas, acts, input_grad)
        dx_nb = nb_bwd(x, dout, theta, g_nb, plan, alphas, acts, input_grad)
        _close(g_nb, g_np, dtype)
        if input_grad:
            _close(dx_nb, dx_np, dtype)
        else:
            assert dx_np is None and dx_nb is None


@needs_numba
def test_jit_time_counts_a_compile_then_a_load_from_the_cache(tmp_path):
    code = (
        "import numpy as np\n"
        "from numpygan import fast, kernels\n"
        "before = fast.jit_time()\n"
        "kernels.grad_b(np.ones((3, 2)))\n"
        "after = fast.jit_time()\n"
        "print(before['compiled'], before['loaded'], before['compile_s'], "
        "after['compiled'], after['loaded'], after['compile_s'] > 0, after['cache_s'] > 0)\n"
    )
    cold = run_python(code, NUMBA_CACHE_DIR=str(tmp_path))   # an empty cache: compiles
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.split() == ["0", "0", "0.0", "1", "0", "True", "True"]
    warm = run_python(code, NUMBA_CACHE_DIR=str(tmp_path))   # what the first one left: loads
    assert warm.stdout.split() == ["0", "0", "0.0", "0", "1", "False", "True"]
    off = run_python(code, NUMBA_CACHE_DIR=str(tmp_path), NUMBA_DISABLE_JIT="1")
    assert off.stdout.split() == ["0", "0", "0.0", "0", "0", "False", "False"]


def test_a_single_dense_layer_never_takes_the_fast_path(rng, monkeypatch):
    """Dense.backward is the three teaching lines: with the fast path's functions
    broken, a single layer's numbers do not change."""
    from numpygan.layers import Dense
    layer = Dense(3, 2, rng=rng)
    x, d = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    for name in ("matmul_bias", "grad_W", "grad_x", "mlp_forward", "mlp_backward"):
        monkeypatch.setattr(fast, name, None)
    np.testing.assert_allclose(layer.forward(x), x @ layer.W + layer.b, rtol=1e-12)
    np.testing.assert_allclose(layer.backward(d), d @ layer.W.T, rtol=1e-12)
    np.testing.assert_allclose(layer.dW, x.T @ d, rtol=1e-12)


# (N, C, H, W, O, k, stride, padding): batch 1, one channel, 1×1 kernels, stride 2 and 3,
# padding 1 and 2, odd sizes, a stride that skips the last rows
CONV_GEOMETRIES = [(1, 1, 1, 1, 1, 1, 1, 0), (2, 3, 7, 6, 4, 3, 2, 1), (3, 2, 8, 8, 3, 4, 2, 1),
                   (2, 2, 5, 7, 1, 5, 1, 2), (1, 1, 6, 5, 2, 2, 3, 0)]


@needs_numba
@pytest.mark.parametrize("geom", CONV_GEOMETRIES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_im2col_convolution_equals_the_teaching_loops(geom, dtype):
    from numpygan.fast import conv as fast_conv
    N, C, H, Wd, O, k, s, p = geom
    rng = np.random.default_rng(sum(geom))
    x = rng.normal(size=(N, C, H, Wd)).astype(dtype)
    W, b = rng.normal(size=(O, C, k, k)).astype(dtype), rng.normal(size=O).astype(dtype)
    with kernels.backend("numba"):
        out = kernels.conv2d_forward(x, W, b, s, p)
        d = rng.normal(size=out.shape).astype(dtype)
        pairs = [(fast_conv.conv_forward(x, W, b, s, p), out),
                 (fast_conv.conv_grad_W(x, d, k, s, p), kernels.conv2d_grad_W(x, d, k, s, p)),
                 (fast_conv.conv_grad_x(d, W, H, Wd, s, p), kernels.conv2d_grad_x(d, W, H, Wd, s, p))]
    for got, want in pairs:
        _close(got, want, dtype)


@needs_numba
def test_a_dcgan_on_the_fast_path_equals_the_teaching_layers(rng):
    """Sequential on Numba runs its convolutions through fast.conv; the NumPy backend runs
    every layer's own teaching code: the same outputs and gradients to round-off."""
    from numpygan.models import dcgan_8x8
    from numpygan.fast import conv as fast_conv
    G, D = dcgan_8x8(8, 4, rng=rng)
    z, dout = rng.normal(size=(5, 8)), rng.normal(size=(5, 1))
    results = {}
    for be in ("numpy", "numba"):
        with kernels.backend(be):
            x = G.forward(z)
            D.forward(x)
            dx = D.backward(dout)
            G.backward(dx)
            results[be] = [x.copy(), dx.copy(), G.grad.copy(), D.grad.copy()]
    for got, want in zip(results["numba"], results["numpy"]):
        _close(got, want, np.float64)
    assert fast_conv.RUNNERS and all(type(l) in fast_conv.RUNNERS for l in D.layers
                                     if "Conv" in type(l).__name__)
