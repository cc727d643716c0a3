"""The compute kernels, each in two twins: NumPy and Numba.

Every dense layer in numpygan spends its time in a handful of loops:

    forward     out = x @ W + b          (N, D) @ (D, M) + (M,) -> (N, M)
    backward    dW  = x.T @ dout         (D, N) @ (N, M)        -> (D, M)
                dx  = dout @ W.T         (N, M) @ (M, D)        -> (N, D)
                db  = sum_n dout[n, :]   (N, M)                 -> (M,)

and the element-wise activations (ReLU, LeakyReLU, Tanh, Sigmoid) with their
derivatives.  Each kernel exists twice:

* the NumPy twin (``_np_*``): one line of array code, calling BLAS;
* the Numba twin (``_nb_*``): the same computation written out as plain loops
  that a student can read, compiled by ``numba.njit(cache=True)``.

``set_backend("numba" | "numpy")`` chooses which twin the public functions
below call; ``backend(name)`` does the same for a ``with`` block and restores
the previous choice afterwards.  The environment variable ``NUMPYGAN_BACKEND``
sets the starting choice.  Both twins give the same numbers up to round-off,
and the tests hold them to it.

The public functions check their inputs once, here, so that a wrong shape
raises the same ``ValueError`` whichever twin would have run (a Numba loop
given a wrong shape would otherwise read out of bounds).

The Numba kernels are compiled lazily: a program that never calls a kernel
never pays for compiling it, and the on-disk cache (``cache=True``) makes the
second process load them instead of compiling again.
"""

from __future__ import annotations

import contextlib
import os
import warnings

import numpy as np

BACKENDS = ("numba", "numpy")

# --------------------------------------------------------------------------
# Numba, if it is there.  NUMBA_DISABLE_JIT=1 turns every @njit below into a
# plain Python function, which a debugger can step through line by line.
# --------------------------------------------------------------------------
try:  # pragma: no cover - exercised by whichever environment runs the tests
    import numba
    from numba import njit, prange

    HAVE_NUMBA = True
    _NUMBA_IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover - numba missing or broken
    HAVE_NUMBA = False
    _NUMBA_IMPORT_ERROR = exc

    def njit(*args, **kwargs):
        """Stand-in decorator when Numba is missing: returns the function as is."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f

    prange = range


def _initial_backend() -> str:
    requested = os.environ.get("NUMPYGAN_BACKEND", "").strip().lower()
    if requested and requested not in BACKENDS:
        warnings.warn(
            f"NUMPYGAN_BACKEND={requested!r} is not one of {BACKENDS}; "
            f"using {'numba' if HAVE_NUMBA else 'numpy'}.",
            stacklevel=2,
        )
        requested = ""
    if requested == "numpy":
        return "numpy"
    if not HAVE_NUMBA:
        warnings.warn(
            f"Numba could not be imported ({_NUMBA_IMPORT_ERROR}); numpygan runs "
            "on its NumPy kernels instead (same numbers, slower on small nets).",
            stacklevel=2,
        )
        return "numpy"
    return "numba"


# The one piece of module-level mutable state in numpygan: which twin runs.
_BACKEND = _initial_backend()


def get_backend() -> str:
    """Return the name of the kernel backend in use: ``"numba"`` or ``"numpy"``."""
    return _BACKEND


def set_backend(name: str) -> str:
    """Choose the kernel backend; returns the previous one.

    Inputs:
    - name: ``"numba"`` (jitted loops) or ``"numpy"`` (array calls).
    """
    global _BACKEND
    if not isinstance(name, str) or name.lower() not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    name = name.lower()
    if name == "numba" and not HAVE_NUMBA:
        raise ValueError(
            f"backend 'numba' requested but Numba could not be imported "
            f"({_NUMBA_IMPORT_ERROR}); install numba or use 'numpy'"
        )
    previous = _BACKEND
    _BACKEND = name
    return previous


@contextlib.contextmanager
def backend(name: str):
    """Run a ``with`` block on the given backend, then restore the previous one."""
    previous = set_backend(name)
    try:
        yield name
    finally:
        set_backend(previous)


# --------------------------------------------------------------------------
# Input checks shared by both twins.
# --------------------------------------------------------------------------
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _check_float(name: str, a, ndim: int) -> None:
    if not isinstance(a, np.ndarray):
        raise ValueError(f"{name} must be a NumPy array, got {type(a).__name__}")
    if a.ndim != ndim:
        raise ValueError(
            f"{name} must be {ndim}-D, got shape {a.shape} ({a.ndim}-D)"
        )
    if a.dtype not in _FLOATS:
        raise ValueError(
            f"{name} must be float32 or float64, got dtype {a.dtype}"
        )


def _check_same_dtype(**arrays) -> None:
    dtypes = {k: v.dtype for k, v in arrays.items()}
    if len(set(dtypes.values())) > 1:
        listed = ", ".join(f"{k}: {v}" for k, v in dtypes.items())
        raise ValueError(f"kernel inputs must share one dtype, got {listed}")


def _check_same_shape(a_name, a, b_name, b) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{b_name} must have the shape of {a_name} {a.shape}, got {b.shape}"
        )


def _use_numba() -> bool:
    return _BACKEND == "numba"


# ==========================================================================
# Matmuls
# ==========================================================================
def _np_matmul_bias(x, W, b):
    return x @ W + b  # (N, D) @ (D, M) + (M,) -> (N, M)


def _np_matmul_tn(x, g):
    return x.T @ g  # (D, N) @ (N, M) -> (D, M)


def _np_matmul_nt(g, W):
    return g @ W.T  # (N, M) @ (M, D) -> (N, D)


def _np_col_sum(g):
    return g.sum(axis=0)  # (N, M) -> (M,)


@njit(cache=True)
def _nb_matmul_bias(x, W, b):  # pragma: no cover - compiled
    N, D = x.shape
    M = W.shape[1]
    out = np.empty((N, M), dtype=x.dtype)
    # each output row n is independent: out[n, :] = b + sum_d x[n, d] * W[d, :]
    for n in prange(N):
        for m in range(M):
            out[n, m] = b[m]
        # d outside, m inside: the inner loop walks W's row d contiguously
        for d in range(D):
            xnd = x[n, d]
            for m in range(M):
                out[n, m] += xnd * W[d, m]
    return out


@njit(cache=True)
def _nb_matmul_tn(x, g):  # pragma: no cover - compiled
    N, D = x.shape
    M = g.shape[1]
    out = np.zeros((D, M), dtype=x.dtype)
    # each output row d is independent: out[d, :] = sum_n x[n, d] * g[n, :]
    for d in prange(D):
        for n in range(N):
            xnd = x[n, d]
            for m in range(M):
                out[d, m] += xnd * g[n, m]
    return out


@njit(cache=True)
def _nb_matmul_nt(g, W):  # pragma: no cover - compiled
    N, M = g.shape
    D = W.shape[0]
    out = np.empty((N, D), dtype=g.dtype)
    # each output row n is independent: out[n, d] = sum_m g[n, m] * W[d, m]
    for n in prange(N):
        for d in range(D):
            acc = 0.0
            for m in range(M):
                acc += g[n, m] * W[d, m]
            out[n, d] = acc
    return out


@njit(cache=True)
def _nb_col_sum(g):  # pragma: no cover - compiled
    N, M = g.shape
    out = np.zeros(M, dtype=g.dtype)
    # column sums: out[m] = sum_n g[n, m], adding the rows in order
    for n in range(N):
        for m in range(M):
            out[m] += g[n, m]
    return out


def matmul_bias(x, W, b):
    """Dense forward: ``out = x W + b``.

    Inputs:
    - x: (N, D) inputs, one row per example
    - W: (D, M) weights
    - b: (M,) bias, added to every row
    Returns:
    - out: (N, M)
    """
    _check_float("x", x, 2)
    _check_float("W", W, 2)
    _check_float("b", b, 1)
    if x.shape[1] != W.shape[0]:
        raise ValueError(
            f"x has shape {x.shape} but W has shape {W.shape}: "
            f"x needs {W.shape[0]} columns (x W needs x.shape[1] == W.shape[0])"
        )
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), got {b.shape}")
    _check_same_dtype(x=x, W=W, b=b)
    if _use_numba():
        return _nb_matmul_bias(x, W, b)
    return _np_matmul_bias(x, W, b)


def matmul_tn(x, g):
    """Weight gradient of a dense layer: ``dW = xᵀ g``.

    Inputs:
    - x: (N, D) the layer's inputs
    - g: (N, M) the upstream gradient dL/dout
    Returns:
    - dW: (D, M)
    """
    _check_float("x", x, 2)
    _check_float("g", g, 2)
    if x.shape[0] != g.shape[0]:
        raise ValueError(
            f"x has shape {x.shape} and g has shape {g.shape}: "
            f"xᵀ g needs the same number of rows N"
        )
    _check_same_dtype(x=x, g=g)
    if _use_numba():
        return _nb_matmul_tn(x, g)
    return _np_matmul_tn(x, g)


def matmul_nt(g, W):
    """Input gradient of a dense layer: ``dx = g Wᵀ``.

    Inputs:
    - g: (N, M) the upstream gradient dL/dout
    - W: (D, M) the layer's weights
    Returns:
    - dx: (N, D)
    """
    _check_float("g", g, 2)
    _check_float("W", W, 2)
    if g.shape[1] != W.shape[1]:
        raise ValueError(
            f"g has shape {g.shape} and W has shape {W.shape}: "
            f"g Wᵀ needs g.shape[1] == W.shape[1]"
        )
    _check_same_dtype(g=g, W=W)
    if _use_numba():
        return _nb_matmul_nt(g, W)
    return _np_matmul_nt(g, W)


def col_sum(g):
    """Bias gradient of a dense layer: ``db[m] = Σ_n g[n, m]``, (N, M) -> (M,)."""
    _check_float("g", g, 2)
    if _use_numba():
        return _nb_col_sum(g)
    return _np_col_sum(g)


# ==========================================================================
# Activations.  Forward kernels take x; backward kernels take what the
# derivative is cheapest from (x for the ReLUs, the output for Tanh/Sigmoid).
# ==========================================================================
def _np_relu_forward(x):
    return np.maximum(x, 0)


def _np_relu_backward(x, dout):
    return dout * (x > 0)


def _np_leaky_relu_forward(x, alpha):
    return np.where(x > 0, x, alpha * x)


def _np_leaky_relu_backward(x, dout, alpha):
    return np.where(x > 0, dout, alpha * dout)


def _np_tanh_forward(x):
    return np.tanh(x)


def _np_tanh_backward(out, dout):
    return dout * (1 - out * out)


def _np_sigmoid_forward(x):
    # stable: exp of a non-positive number only, never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _np_sigmoid_backward(out, dout):
    return dout * out * (1 - out)


@njit(cache=True)
def _nb_relu_forward(x):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty_like(x)
    # out = max(x, 0), element by element
    for n in range(N):
        for m in range(M):
            v = x[n, m]
            out[n, m] = v if v > 0 else 0.0
    return out


@njit(cache=True)
def _nb_relu_backward(x, dout):  # pragma: no cover - compiled
    N, M = x.shape
    dx = np.empty_like(dout)
    # dL/dx = dout where x > 0, else 0
    for n in range(N):
        for m in range(M):
            dx[n, m] = dout[n, m] if x[n, m] > 0 else 0.0
    return dx


@njit(cache=True)
def _nb_leaky_relu_forward(x, alpha):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty_like(x)
    # out = x where x > 0, alpha * x elsewhere
    for n in range(N):
        for m in range(M):
            v = x[n, m]
            out[n, m] = v if v > 0 else alpha * v
    return out


@njit(cache=True)
def _nb_leaky_relu_backward(x, dout, alpha):  # pragma: no cover - compiled
    N, M = x.shape
    dx = np.empty_like(dout)
    # dL/dx = dout where x > 0, alpha * dout elsewhere
    for n in range(N):
        for m in range(M):
            dx[n, m] = dout[n, m] if x[n, m] > 0 else alpha * dout[n, m]
    return dx


@njit(cache=True)
def _nb_tanh_forward(x):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty_like(x)
    # out = tanh(x), element by element
    for n in range(N):
        for m in range(M):
            out[n, m] = np.tanh(x[n, m])
    return out


@njit(cache=True)
def _nb_tanh_backward(out, dout):  # pragma: no cover - compiled
    N, M = out.shape
    dx = np.empty_like(dout)
    # d tanh(x)/dx = 1 - tanh(x)^2 = 1 - out^2
    for n in range(N):
        for m in range(M):
            o = out[n, m]
            dx[n, m] = dout[n, m] * (1.0 - o * o)
    return dx


@njit(cache=True)
def _nb_sigmoid_forward(x):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty_like(x)
    # sigmoid(x) = 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for x < 0:
    # either way exp() sees a non-positive number and cannot overflow
    for n in range(N):
        for m in range(M):
            v = x[n, m]
            if v >= 0:
                out[n, m] = 1.0 / (1.0 + np.exp(-v))
            else:
                e = np.exp(v)
                out[n, m] = e / (1.0 + e)
    return out


@njit(cache=True)
def _nb_sigmoid_backward(out, dout):  # pragma: no cover - compiled
    N, M = out.shape
    dx = np.empty_like(dout)
    # d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x)) = out (1 - out)
    for n in range(N):
        for m in range(M):
            o = out[n, m]
            dx[n, m] = dout[n, m] * o * (1.0 - o)
    return dx


def _check_act(x_name, x, dout=None):
    _check_float(x_name, x, 2)
    if dout is not None:
        _check_float("dout", dout, 2)
        _check_same_shape(x_name, x, "dout", dout)
        _check_same_dtype(**{x_name: x, "dout": dout})


def relu_forward(x):
    """ReLU: ``out = max(x, 0)``, (N, M) -> (N, M)."""
    _check_act("x", x)
    return _nb_relu_forward(x) if _use_numba() else _np_relu_forward(x)


def relu_backward(x, dout):
    """ReLU backward: ``dx = dout · [x > 0]``, (N, M) -> (N, M)."""
    _check_act("x", x, dout)
    return _nb_relu_backward(x, dout) if _use_numba() else _np_relu_backward(x, dout)


def leaky_relu_forward(x, alpha):
    """LeakyReLU: ``out = x if x > 0 else alpha x``, (N, M) -> (N, M)."""
    _check_act("x", x)
    if _use_numba():
        return _nb_leaky_relu_forward(x, x.dtype.type(alpha))
    return _np_leaky_relu_forward(x, x.dtype.type(alpha))


def leaky_relu_backward(x, dout, alpha):
    """LeakyReLU backward: ``dx = dout if x > 0 else alpha dout``."""
    _check_act("x", x, dout)
    if _use_numba():
        return _nb_leaky_relu_backward(x, dout, x.dtype.type(alpha))
    return _np_leaky_relu_backward(x, dout, x.dtype.type(alpha))


def tanh_forward(x):
    """Tanh: ``out = tanh(x)``, (N, M) -> (N, M)."""
    _check_act("x", x)
    return _nb_tanh_forward(x) if _use_numba() else _np_tanh_forward(x)


def tanh_backward(out, dout):
    """Tanh backward from its output: ``dx = dout (1 − out²)``."""
    _check_act("out", out, dout)
    if _use_numba():
        return _nb_tanh_backward(out, dout)
    return _np_tanh_backward(out, dout)


def sigmoid_forward(x):
    """Sigmoid, computed stably: ``out = 1 / (1 + e^(−x))``, (N, M) -> (N, M)."""
    _check_act("x", x)
    return _nb_sigmoid_forward(x) if _use_numba() else _np_sigmoid_forward(x)


def sigmoid_backward(out, dout):
    """Sigmoid backward from its output: ``dx = dout · out (1 − out)``."""
    _check_act("out", out, dout)
    if _use_numba():
        return _nb_sigmoid_backward(out, dout)
    return _np_sigmoid_backward(out, dout)


#: Every (NumPy twin, Numba twin) pair, by name: the tests walk this table.
TWINS = {
    "matmul_bias": (_np_matmul_bias, _nb_matmul_bias),
    "matmul_tn": (_np_matmul_tn, _nb_matmul_tn),
    "matmul_nt": (_np_matmul_nt, _nb_matmul_nt),
    "col_sum": (_np_col_sum, _nb_col_sum),
    "relu_forward": (_np_relu_forward, _nb_relu_forward),
    "relu_backward": (_np_relu_backward, _nb_relu_backward),
    "leaky_relu_forward": (_np_leaky_relu_forward, _nb_leaky_relu_forward),
    "leaky_relu_backward": (_np_leaky_relu_backward, _nb_leaky_relu_backward),
    "tanh_forward": (_np_tanh_forward, _nb_tanh_forward),
    "tanh_backward": (_np_tanh_backward, _nb_tanh_backward),
    "sigmoid_forward": (_np_sigmoid_forward, _nb_sigmoid_forward),
    "sigmoid_backward": (_np_sigmoid_backward, _nb_sigmoid_backward),
}
