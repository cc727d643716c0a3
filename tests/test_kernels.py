"""The teaching kernels' twins agree: every Numba loop against its NumPy one-liner.

float64 to 1e-12 relative, float32 to 1e-5, on random shapes including 1-wide
and 1-tall ones, 4-D ones for the element-wise kernels, and non-contiguous
inputs; wrong shapes raise the same ValueError on both backends; the backend
switch; and a 200-step GAN whose history is the same on both backends.  The fast
path is held to these kernels in test_fast.py.  No timings here: see numpygan.bench.
"""


import numpy as np
import pytest
from fresh_python import run_python

from numpygan import kernels

needs_numba = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba not installed")
TOL = {np.float64: 1e-12, np.float32: 1e-5}
# the convolution's twins have 4-D arguments of their own: tests/test_conv.py
DENSE_TWINS = sorted(n for n in kernels.TWINS if not n.startswith("conv2d"))

# (N, D, M): a batch N of D-wide inputs to M-wide outputs; 1-wide and 1-tall ones,
# widths around the kernels' blocks of 4, and a lessons-sized one
SHAPES = [(1, 1, 1), (1, 5, 3), (7, 1, 4), (6, 5, 1), (9, 4, 4), (13, 7, 10),
          (4, 3, 2), (33, 16, 17), (64, 32, 1), (5, 8, 6)]


def _strided(a, layout):
    """The same values as ``a``, laid out C-contiguous, transposed (F) or with strides."""
    if layout == "C":
        return np.ascontiguousarray(a)
    if layout == "F":
        return np.asfortranarray(a)
    big = np.zeros((2 * a.shape[0],) + a.shape[1:], dtype=a.dtype)  # every other row
    big[::2] = a
    return big[::2]


def _args(name, N, D, M, dtype, rng, layout="C"):
    """Random inputs for the twin ``name`` at (N, D, M)."""
    x = rng.normal(size=(N, D)).astype(dtype)      # (N, D)
    W = rng.normal(size=(D, M)).astype(dtype)      # (D, M)
    b = rng.normal(size=M).astype(dtype)           # (M,)
    g = rng.normal(size=(N, M)).astype(dtype)      # (N, M)
    s = lambda a: _strided(a, layout)
    if name == "matmul_bias":
        return s(x), s(W), b
    if name == "grad_W":
        return s(x), s(g)
    if name == "grad_x":
        return s(g), s(W)
    if name == "grad_b":
        return (s(g),)
    if name == "adam_update":   # the kernel takes any array's values as one (P,) row
        p = rng.normal(size=D * M).astype(dtype)
        v = rng.uniform(0, 1, size=D * M).astype(dtype)
        m = rng.normal(size=D * M).astype(dtype)
        return p, W.reshape(-1), m, v, 1e-3, 0.5, 0.999, 1 - 0.5 ** 3, 1 - 0.999 ** 3, 1e-8
    # element-wise kernels: (N, M) and, every other shape, (N, 2, M, 1) as after a convolution
    h = rng.normal(scale=3.0, size=(N, M)).astype(dtype)
    h[np.abs(h) < 1e-3] = 0.5                      # keep away from the ReLUs' kink
    if (N + D + M) % 2:
        h, g = np.stack([h, -h], axis=1)[..., None], np.stack([g, g], axis=1)[..., None]
    if name in ("relu_forward", "tanh_forward", "sigmoid_forward"):
        return (s(h),)
    if name == "all_finite":
        if h.size > 2 and rng.uniform() < 0.5:     # half the cases hold one NaN or inf
            h.flat[rng.integers(h.size)] = rng.choice([np.nan, np.inf, -np.inf])
        return (s(h),)
    if name == "leaky_relu_forward":
        return s(h), 0.2
    if name == "bce_logits":   # logits of either sign, large ones too; targets 1, 0, or between
        h.flat[0] = 40.0 if h.size > 1 else h.flat[0]
        return s(h), float(rng.choice([1.0, 0.0, 0.9]))
    if name == "relu_backward":
        return s(h), s(g)
    if name == "leaky_relu_backward":
        return s(h), s(g), 0.2
    if name in ("tanh_backward", "sigmoid_backward"):
        out = np.tanh(h) if name.startswith("tanh") else 1 / (1 + np.exp(-h))
        return s(out.astype(dtype)), s(g)
    raise KeyError(name)


def _run_twin(fn, args):
    """The twin's result; for the in-place adam_update, the arrays it changed."""
    args = [a.copy() if isinstance(a, np.ndarray) and a.flags.writeable else a for a in args]
    out = fn(*args)
    if out is None:   # adam_update: p, m, v are updated in place
        return (args[0], args[2], args[3])
    return tuple(np.asarray(o) for o in (out if isinstance(out, tuple) else (out,)))


def _assert_close(got, want, dtype):
    assert len(got) == len(want)
    for a, e in zip(got, want):
        if e.dtype == bool:   # all_finite's answer
            assert a.dtype == bool and a == e
            continue
        if e.ndim == 0:       # a scalar (bce_logits' loss and mean σ): Python floats
            assert abs(float(a) - float(e)) <= TOL[dtype] * max(1.0, abs(float(e)))
            continue
        assert a.shape == e.shape and a.dtype == np.dtype(dtype), (a.shape, e.shape, a.dtype)
        scale = max(1.0, float(np.max(np.abs(e)))) if e.size else 1.0
        np.testing.assert_allclose(a, e, rtol=TOL[dtype], atol=TOL[dtype] * scale)


@needs_numba
@pytest.mark.parametrize("name", DENSE_TWINS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numba_twin_equals_numpy_twin(name, dtype):
    np_twin, nb_twin = kernels.TWINS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    for N, D, M in SHAPES:
        args = _args(name, N, D, M, dtype, rng)
        _assert_close(_run_twin(nb_twin, args), _run_twin(np_twin, args), dtype)


@needs_numba
@pytest.mark.parametrize("name", DENSE_TWINS)
@pytest.mark.parametrize("layout", ["F", "every-other-row"])
def test_numba_twin_on_non_contiguous_inputs(name, layout):
    # the Numba loops index through strides (or copy to one row first), like NumPy
    if name == "adam_update":
        pytest.skip("adam_update takes contiguous 1-D arrays only (its check says so)")
    np_twin, nb_twin = kernels.TWINS[name]
    rng = np.random.default_rng(7)
    for N, D, M in [(6, 5, 4), (1, 3, 1), (9, 1, 7), (4, 2, 3)]:
        args = _args(name, N, D, M, np.float64, rng, layout)
        _assert_close(_run_twin(nb_twin, args), _run_twin(np_twin, args), np.float64)


@needs_numba
def test_adam_twins_are_bit_identical():
    # the same operations in the same order: not just close, equal
    rng = np.random.default_rng(0)
    p, g, m = (rng.normal(size=15) for _ in range(3))
    v = rng.uniform(size=15)
    a = [p.copy(), g, m.copy(), v.copy()]
    b = [p.copy(), g, m.copy(), v.copy()]
    consts = (1e-3, 0.5, 0.999, 1 - 0.5 ** 4, 1 - 0.999 ** 4, 1e-8)
    kernels.adam_update.numpy(*a, *consts)
    kernels.adam_update.numba(*b, *consts)
    for u, w in zip(a, b):
        np.testing.assert_array_equal(u, w)


@pytest.mark.parametrize("name", DENSE_TWINS)
def test_the_twins_compute_the_documented_equation(name):
    """Each public kernel against its equation written out here in NumPy, both backends:
    a twin pair that is wrong the same way would still fail this."""
    rng = np.random.default_rng(11)
    x, W, b, g = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4), \
        rng.normal(size=(5, 4))
    h = rng.normal(scale=2.0, size=(2, 3, 2, 2))
    sig = lambda a: 1 / (1 + np.exp(-a))
    cases = {
        "matmul_bias": ((x, W, b), [[sum(x[n, d] * W[d, m] for d in range(3)) + b[m]
                                     for m in range(4)] for n in range(5)]),
        "grad_W": ((x, g), [[sum(x[n, d] * g[n, m] for n in range(5)) for m in range(4)]
                            for d in range(3)]),
        "grad_b": ((g,), [sum(g[n, m] for n in range(5)) for m in range(4)]),
        "grad_x": ((g, W), [[sum(g[n, m] * W[d, m] for m in range(4)) for d in range(3)]
                            for n in range(5)]),
        "relu_forward": ((h,), h * (h > 0)),
        "relu_backward": ((h, h[::-1].copy()), None),
        "leaky_relu_forward": ((h, 0.1), np.where(h > 0, h, 0.1 * h)),
        "tanh_forward": ((h,), np.tanh(h)),
        "sigmoid_forward": ((h,), sig(h)),
        "all_finite": ((h,), True),
    }
    if name not in cases:
        pytest.skip("checked against its equation in test_losses / test_optim / test_layers")
    args, want = cases[name]
    if name == "relu_backward":
        want = args[1] * (args[0] > 0)
    for be in ["numpy"] + (["numba"] if kernels.HAVE_NUMBA else []):
        with kernels.backend(be):
            got = getattr(kernels, name)(*args)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=f"{name} on {be}")


PUBLIC = {
    # name: (function, a call with valid (N=5, D=3, M=4) float64 inputs)
    "matmul_bias": lambda x, W, b, g: kernels.matmul_bias(x, W, b),
    "grad_W": lambda x, W, b, g: kernels.grad_W(x, g),
    "grad_x": lambda x, W, b, g: kernels.grad_x(g, W),
    "grad_b": lambda x, W, b, g: kernels.grad_b(g),
    "relu_forward": lambda x, W, b, g: kernels.relu_forward(g),
    "relu_backward": lambda x, W, b, g: kernels.relu_backward(g, g),
    "leaky_relu_forward": lambda x, W, b, g: kernels.leaky_relu_forward(g, 0.2),
    "leaky_relu_backward": lambda x, W, b, g: kernels.leaky_relu_backward(g, g, 0.2),
    "tanh_forward": lambda x, W, b, g: kernels.tanh_forward(g),
    "tanh_backward": lambda x, W, b, g: kernels.tanh_backward(g, g),
    "sigmoid_forward": lambda x, W, b, g: kernels.sigmoid_forward(g),
    "sigmoid_backward": lambda x, W, b, g: kernels.sigmoid_backward(g, g),
    "bce_logits": lambda x, W, b, g: kernels.bce_logits(g, 0.9),
    "bce_logits_1d": lambda x, W, b, g: kernels.bce_logits(b, 1.0),
    "bce_logits_3d": lambda x, W, b, g: kernels.bce_logits(g[None], 0.0),
}


def _valid(rng, dtype=np.float64):
    return (rng.normal(size=(5, 3)).astype(dtype), rng.normal(size=(3, 4)).astype(dtype),
            rng.normal(size=4).astype(dtype), rng.normal(size=(5, 4)).astype(dtype))


@needs_numba
@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_functions_agree_across_backends(name, rng):
    for dtype in (np.float64, np.float32):
        args = _valid(rng, dtype)
        with kernels.backend("numpy"):
            want = PUBLIC[name](*args)
        with kernels.backend("numba"):
            got = PUBLIC[name](*args)
        want = tuple(map(np.asarray, want if isinstance(want, tuple) else (want,)))
        got = tuple(map(np.asarray, got if isinstance(got, tuple) else (got,)))
        _assert_close(got, want, dtype)


# Wrong inputs: (name, a function of the valid arrays that breaks them)
WRONG = [
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x, W.T, b)),          # D mismatch
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x, W, b[:3])),        # short bias
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x[0], W, b)),         # 1-D x
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x.astype(int), W, b)),  # ints
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x.astype(np.float32), W, b)),
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x.tolist(), W, b)),   # a list
    ("matmul_bias", lambda x, W, b, g: kernels.matmul_bias(x.astype(">f8"), W, b)),  # byte order
    ("grad_W", lambda x, W, b, g: kernels.grad_W(x, g[:4])),                     # N mismatch
    ("grad_x", lambda x, W, b, g: kernels.grad_x(g, W.T)),                       # M mismatch
    ("grad_b", lambda x, W, b, g: kernels.grad_b(b)),                            # 1-D
    ("relu_backward", lambda x, W, b, g: kernels.relu_backward(g, g[:, :1])),    # broadcastable
    ("leaky_relu_backward", lambda x, W, b, g: kernels.leaky_relu_backward(g, g.T, 0.2)),
    ("tanh_backward", lambda x, W, b, g: kernels.tanh_backward(g, g[:2])),
    ("sigmoid_forward", lambda x, W, b, g: kernels.sigmoid_forward(np.ma.masked_array(g))),
    ("sigmoid_backward", lambda x, W, b, g: kernels.sigmoid_backward(g, g.astype(np.float32))),
    ("adam_update", lambda x, W, b, g: kernels.adam_update(
        b, b[:2], b.copy(), b.copy(), 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8)),
    ("adam_update", lambda x, W, b, g: kernels.adam_update(
        W, W.copy(), W.copy(), W.copy(), 1e-3, 0.9, 0.999, 0.1, 0.001, 1e-8)),   # 2-D
    ("bce_logits", lambda x, W, b, g: kernels.bce_logits(g.tolist(), 1.0)),     # a list
    ("bce_logits", lambda x, W, b, g: kernels.bce_logits(g.astype(int), 1.0)),  # ints
    ("bce_logits", lambda x, W, b, g: kernels.bce_logits(g[:0], 1.0)),          # empty
    ("all_finite", lambda x, W, b, g: kernels.all_finite(g.astype(complex))),   # complex
]


@needs_numba
@pytest.mark.parametrize("case", range(len(WRONG)), ids=[w[0] for w in WRONG])
def test_wrong_inputs_raise_the_same_valueerror_on_both_backends(case, rng):
    _, call = WRONG[case]
    args = _valid(rng)
    messages = []
    for name in ("numpy", "numba"):
        with kernels.backend(name):
            with pytest.raises(ValueError) as err:
                call(*args)
            messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "shape" in messages[0] or "dtype" in messages[0] or "array" in messages[0]


@needs_numba
def test_the_teaching_matmul_is_three_loops():
    """What a student reads: the Numba matmul twins are the plain loop nest, no blocking."""
    import inspect
    for k in (kernels.matmul_bias, kernels.grad_W, kernels.grad_x):
        src = inspect.getsource(k.numba.py_func)
        assert src.count("for ") == 3 + (k is kernels.matmul_bias)   # + the bias loop
        assert "gemm" not in src and "k + 1" not in src


@pytest.mark.parametrize("name", ["numpy"] + (["numba"] if kernels.HAVE_NUMBA else []))
def test_activations_stay_finite_at_large_inputs(name):
    x = np.array([[-800.0, -40.0, 0.0, 40.0, 800.0]])
    with kernels.backend(name), np.errstate(over="raise"):
        s = kernels.sigmoid_forward(x)
        t = kernels.tanh_forward(x)
        s32 = kernels.sigmoid_forward(x.astype(np.float32))
    np.testing.assert_allclose(s[0], [0.0, 4.248354255291589e-18, 0.5, 1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(t[0], [-1.0, -1.0, 0.0, 1.0, 1.0], rtol=1e-12)
    assert np.all(np.isfinite(s32)) and s32[0, 2] == 0.5


# --------------------------------------------------------------------------
# The switch
# --------------------------------------------------------------------------
def test_set_and_get_backend_and_context_manager_restores():
    start = kernels.get_backend()
    try:
        assert kernels.set_backend("numpy") == start
        assert kernels.get_backend() == "numpy"
        with pytest.raises(ValueError, match="backend must be one of"):
            kernels.set_backend("cuda")
        with pytest.raises(ValueError):
            kernels.set_backend(None)
        with pytest.raises(RuntimeError):
            with kernels.backend("numpy"):
                raise RuntimeError("inside")
        assert kernels.get_backend() == "numpy"   # restored after the exception
        if kernels.HAVE_NUMBA:
            with kernels.backend("NUMBA") as name:
                assert name == "numba" and kernels.get_backend() == "numba"
            assert kernels.get_backend() == "numpy"
    finally:
        kernels.set_backend(start)


def test_the_package_exports_the_switch():
    import numpygan
    assert numpygan.set_backend is kernels.set_backend
    assert numpygan.get_backend is kernels.get_backend
    assert numpygan.backend is kernels.backend


def test_environment_variable_sets_the_starting_backend():
    code = "import numpygan; print(numpygan.get_backend())"
    assert run_python(code, NUMPYGAN_BACKEND="numpy").stdout.split() == ["numpy"]
    res = run_python(code, NUMPYGAN_BACKEND="fortran")
    assert "NUMPYGAN_BACKEND='fortran' is not one of" in res.stderr
    default = "numba" if kernels.HAVE_NUMBA else "numpy"
    assert res.stdout.split() == [default]
    assert run_python(code).stdout.split() == [default]


def test_without_numba_the_library_says_so_once_and_runs_on_numpy():
    code = (
        "import sys, warnings; sys.modules['numba'] = None\n"   # import numba now fails
        "warnings.simplefilter('always')\n"
        "import numpy as np, numpygan\n"
        "from numpygan import kernels\n"
        "import numpygan.layers, numpygan.network\n"
        "print(numpygan.get_backend(), kernels.HAVE_NUMBA)\n"
        "x = np.ones((2, 3)); print(kernels.matmul_bias(x, np.ones((3, 1)), np.zeros(1)).ravel())\n"
        "try:\n    numpygan.set_backend('numba')\nexcept ValueError as e:\n    print('refused')\n"
        "from numpygan import fast; print(fast.jit_time())\n"
    )
    res = run_python(code)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:4] == [
        "numpy False", "[3. 3.]", "refused",
        "{'compiled': 0, 'loaded': 0, 'compile_s': 0.0, 'cache_s': 0.0}"]
    assert res.stderr.count("Numba could not be imported") == 1


@needs_numba
def test_disable_jit_runs_the_plain_python_loops_with_the_same_results():
    code = (
        "import numpy as np, numba\n"
        "from numpygan import kernels\n"
        "assert numba.config.DISABLE_JIT\n"
        "assert not hasattr(kernels.matmul_bias.numba, 'signatures')\n"  # a plain function
        "rng = np.random.default_rng(0)\n"
        "x, W, b, g = rng.normal(size=(6, 5)), rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(6, 3))\n"
        "args = {'matmul_bias': (x, W, b), 'grad_W': (x, g), 'grad_x': (g, W), 'grad_b': (g,),\n"
        "        'leaky_relu_forward': (g, 0.2), 'leaky_relu_backward': (g, g, 0.2), 'bce_logits': (g, 0.9)}\n"
        "worst = 0.0\n"
        "for name, (np_twin, nb_twin) in sorted(kernels.TWINS.items()):\n"
        "    if name.startswith('conv2d'):\n"
        "        a = (rng.normal(size=(2, 3, 5, 4)), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2), 2, 1)\n"
        "        worst = max(worst, float(np.max(np.abs(nb_twin(*a) - np_twin(*a))))) if name == 'conv2d_forward' else worst\n"
        "        continue\n"
        "    if name == 'adam_update':\n"
        "        p, q, m, v = (rng.uniform(0.1, 1, 15) for _ in range(4))\n"
        "        a = [p.copy(), q, m.copy(), v.copy()]; c = [p.copy(), q, m.copy(), v.copy()]\n"
        "        np_twin(*a, 1e-3, 0.5, 0.9, 0.5, 0.1, 1e-8); nb_twin(*c, 1e-3, 0.5, 0.9, 0.5, 0.1, 1e-8)\n"
        "        worst = max(worst, max(float(np.max(np.abs(u - w))) for u, w in zip(a, c))); continue\n"
        "    a = args.get(name, (g, g) if 'backward' in name else (g,))\n"
        "    got, want = nb_twin(*a), np_twin(*a)\n"
        "    got = got if isinstance(got, tuple) else (got,); want = want if isinstance(want, tuple) else (want,)\n"
        "    worst = max(worst, max(float(np.max(np.abs(np.asarray(u, float) - np.asarray(w, float))))\n"
        "                           for u, w in zip(got, want)))\n"
        "print(worst)\n"
    )
    res = run_python(code, NUMBA_DISABLE_JIT="1")
    assert res.returncode == 0, res.stderr
    assert float(res.stdout.split()[-1]) < 1e-12


# --------------------------------------------------------------------------
# A whole training run, both backends
# --------------------------------------------------------------------------
def _history_of_200_steps():
    """History lists of a seeded 200-step 1D GAN on the current backend."""
    from numpygan.distributions import Gaussian
    from numpygan.gan import gan_1d
    gan = gan_1d(Gaussian(4.0, 1.25), hidden=16, d_hidden=32, batch=64, seed=3)
    gan.train(200)
    return {k: np.asarray(v, dtype=float) for k, v in gan.history.items()}


@needs_numba
def test_a_200_step_gan_has_the_same_history_on_both_backends():
    with kernels.backend("numpy"):
        a = _history_of_200_steps()
    with kernels.backend("numba"):
        b = _history_of_200_steps()
    assert a.keys() == b.keys() and len(a["d_loss"]) == 200
    for key in a:
        np.testing.assert_allclose(b[key], a[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert not np.array_equal(a["d_loss"][:1], a["d_loss"][-1:])  # it did train


@pytest.mark.parametrize("name", ["numpy"] + (["numba"] if kernels.HAVE_NUMBA else []))
def test_all_finite_finds_nan_and_inf_in_any_shape(name):
    with kernels.backend(name):
        for shape in [(5,), (3, 4), (2, 3, 2)]:
            for dtype in (np.float64, np.float32):
                a = np.ones(shape, dtype=dtype)
                assert kernels.all_finite(a) is True or kernels.all_finite(a) == True  # noqa: E712
                for bad in (np.nan, np.inf, -np.inf):
                    b = a.copy()
                    b.flat[-1] = bad
                    assert not kernels.all_finite(b)
                    assert not kernels.all_finite(b.T)


@pytest.mark.parametrize("name", ["numpy"] + (["numba"] if kernels.HAVE_NUMBA else []))
def test_adam_update_public_function_updates_in_place_by_the_equation(name):
    rng = np.random.default_rng(1)
    p, g, m = (rng.normal(size=12) for _ in range(3))
    v = rng.uniform(size=12)
    lr, b1, b2, t, eps = 1e-2, 0.9, 0.999, 3, 1e-8
    m_want = b1 * m + (1 - b1) * g
    v_want = b2 * v + (1 - b2) * g ** 2
    p_want = p - lr * (m_want / (1 - b1 ** t)) / (np.sqrt(v_want / (1 - b2 ** t)) + eps)
    W = p.reshape(3, 4)                     # a weight matrix, updated through its flat view
    with kernels.backend(name):
        kernels.adam_update(W.reshape(-1), g, m, v, lr, b1, b2, 1 - b1 ** t, 1 - b2 ** t, eps)
    for got, want in ((W.ravel(), p_want), (m, m_want), (v, v_want)):
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
