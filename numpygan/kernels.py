"""The compute kernels, each in two twins: NumPy and Numba.

Every dense layer in numpygan spends its time in a handful of loops:

    forward     out = x @ W + b          (N, D) @ (D, M) + (M,) -> (N, M)
    backward    dW  = x.T @ dout         (D, N) @ (N, M)        -> (D, M)
                dx  = dout @ W.T         (N, M) @ (M, D)        -> (N, D)
                db  = sum_n dout[n, :]   (N, M)                 -> (M,)

and the element-wise activations (ReLU, LeakyReLU, Tanh, Sigmoid) with their
derivatives; the optimizer adds one more loop, Adam's update.  Each kernel
exists twice:

* the NumPy twin (``_np_*``): one line of array code, calling BLAS;
* the Numba twin (``_nb_*``): the same computation written out as plain loops
  that a student can read, compiled by ``numba.njit(cache=True)``.

``set_backend("numba" | "numpy")`` chooses which twin the public functions
below call; ``backend(name)`` does the same for a ``with`` block and restores
the previous choice afterwards.  The environment variable ``NUMPYGAN_BACKEND``
sets the starting choice (default: numba, or numpy when Numba is missing).
Both twins give the same numbers up to round-off, and the tests hold them to it.

The public functions check their inputs here, once, so that a wrong shape
raises the same ``ValueError`` whichever twin would have run (a compiled loop
given a wrong shape would otherwise read out of bounds).  The check of a valid
call is a few attribute reads: on the lessons' small networks the time per call
is mostly Python's, not arithmetic.  Non-contiguous inputs (``x.T``, ``x[:, ::2]``)
are fine: the element-wise Numba loops index through the strides, as NumPy
does; the matmuls first copy such an input into rows (a transposed input
becomes a compiled variant of its own, compiled when first seen).

A network trains through two more kernels, ``mlp_forward`` and ``mlp_backward``:
the same loops over a whole ``network.Sequential`` at once (one call from Python
per pass instead of one per layer), reading every W and b from the one flat
array the network keeps them in.  Same loops, same order: the same bits as the
layers one at a time.

The Numba kernels are compiled lazily: a program that never calls a kernel
never pays for compiling it, and the on-disk cache (``cache=True``) makes the
second process load them instead of compiling again.  ``NUMBA_DISABLE_JIT=1``
turns every kernel back into the plain Python function you read here, for
stepping through in a debugger (slowly, with the same results).
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings

import numpy as np

BACKENDS = ("numba", "numpy")

# --------------------------------------------------------------------------
# Numba, if it is there.
# --------------------------------------------------------------------------
try:  # pragma: no cover - exercised by whichever environment runs the tests
    import numba
    from numba import njit, prange

    HAVE_NUMBA = True
    _NUMBA_IMPORT_ERROR = None
    _NumbaTypingError = numba.core.errors.TypingError
except Exception as exc:  # pragma: no cover - numba missing or broken
    numba = None
    HAVE_NUMBA = False
    _NUMBA_IMPORT_ERROR = exc
    _NumbaTypingError = ()  # catches nothing

    def njit(*args, **kwargs):
        """Stand-in decorator when Numba is missing: returns the function as is."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f

    prange = range

# The options of the kernels a training run calls (mlp_forward, mlp_backward,
# bce_logits, all_finite, adam_update): a cold first run compiles exactly these,
# so their compile time is the wait a newcomer sees.
#   error_model="numpy"     x / 0 gives ±inf or NaN as in NumPy, not an exception.
#                           One model for all of them also lets Numba compile the
#                           helpers they share (np.empty, ...) once instead of
#                           once per model.
#   no_cfunc_wrapper=True   Numba would otherwise build, for every kernel, a
#                           C-callable twin that numpygan never calls (about 4%
#                           of the compile time, measured).
_TRAINING_KERNEL = dict(cache=True, error_model="numpy", no_cfunc_wrapper=True)


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
        # said once: this runs when the module is first imported, never again
        warnings.warn(
            f"Numba could not be imported ({_NUMBA_IMPORT_ERROR}); numpygan runs "
            "on its NumPy kernels instead (same numbers, slower on small nets).",
            stacklevel=2,
        )
        return "numpy"
    return "numba"


# The one piece of module-level mutable state in numpygan: which twin runs.
# _NUMBA is a plain bool so the hot path tests it without a string compare.
_BACKEND = _initial_backend()
_NUMBA = _BACKEND == "numba"


# --------------------------------------------------------------------------
# How long Numba has spent on the kernels in this process.  Numba announces
# its work as events: "numba:compile" around each kernel it compiles (a kernel
# that calls another compiles it inside its own event), "numba:compiler_lock"
# around everything it does under its compiler lock, on-disk cache lookups,
# loads and saves included.  Timing only the outermost event of each kind gives
# the seconds spent compiling, and the lock's seconds outside compiling: the
# cache's.  Nothing here runs while compiled kernels merely run.
# --------------------------------------------------------------------------
class _JitClock:
    def __init__(self):
        self.seconds = {"numba:compile": 0.0, "numba:compiler_lock": 0.0}
        self._depth = {"numba:compile": 0, "numba:compiler_lock": 0}
        self._start = {}

    def on_start(self, kind):
        self._depth[kind] += 1
        if self._depth[kind] == 1:
            self._start[kind] = time.perf_counter()

    def on_end(self, kind):
        self._depth[kind] -= 1
        if self._depth[kind] == 0:
            self.seconds[kind] += time.perf_counter() - self._start.pop(kind)


_JIT_CLOCK = _JitClock()

if HAVE_NUMBA:  # pragma: no branch
    class _JitListener(numba.core.event.Listener):
        """Hands Numba's compile and compiler-lock events to the clock above."""

        def on_start(self, event):
            _JIT_CLOCK.on_start(event.kind)

        def on_end(self, event):
            _JIT_CLOCK.on_end(event.kind)

    for _kind in _JIT_CLOCK.seconds:
        numba.core.event.register(_kind, _JitListener())


def jit_time() -> dict:
    """What Numba has spent on kernels in this process so far.

    Returns a dict:
    - "compiled": how many versions of numpygan's kernels were compiled (a
      kernel compiles once per argument types: float64 and float32 are two)
    - "loaded": how many were loaded from Numba's on-disk cache instead
    - "compile_s": seconds spent compiling (any kernel, numpygan's or not)
    - "cache_s": seconds spent on the cache: loading kernels from it, or, in a
      process that compiles, looking for them there and saving them
    A process on a machine that has not run numpygan yet compiles; the processes
    after it load.  All zero without Numba or with ``NUMBA_DISABLE_JIT=1``.
    """
    compiled = loaded = 0
    for obj in list(globals().values()) if HAVE_NUMBA else ():
        if isinstance(obj, numba.core.registry.CPUDispatcher):
            compiled += sum(obj.stats.cache_misses.values())
            loaded += sum(obj.stats.cache_hits.values())
    compile_s = _JIT_CLOCK.seconds["numba:compile"]
    return {"compiled": compiled, "loaded": loaded, "compile_s": compile_s,
            "cache_s": max(0.0, _JIT_CLOCK.seconds["numba:compiler_lock"] - compile_s)}


def get_backend() -> str:
    """Return the name of the kernel backend in use: ``"numba"`` or ``"numpy"``."""
    return _BACKEND


def set_backend(name: str) -> str:
    """Choose the kernel backend; returns the previous one.

    Inputs:
    - name: ``"numba"`` (jitted loops) or ``"numpy"`` (array calls).
    """
    global _BACKEND, _NUMBA
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
    _NUMBA = name == "numba"
    return previous


@contextlib.contextmanager
def backend(name: str):
    """Run a ``with`` block on the given backend, then restore the previous one."""
    previous = set_backend(name)
    try:
        yield _BACKEND
    finally:
        set_backend(previous)


def num_threads() -> int:
    """Threads the parallel Numba kernels use (1 without Numba)."""
    return numba.get_num_threads() if HAVE_NUMBA else 1


# --------------------------------------------------------------------------
# Input checks shared by both twins.  The public functions first try a fast
# test of the valid case; only when it fails do these (slower, wordier) checks
# run, to name what was wrong.  A call they pass goes on to the kernel.
# --------------------------------------------------------------------------
_ndarray = np.ndarray
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_FLOATS = (_F32, _F64)
# The fast checks compare dtype.type (np.float64 is one object) rather than
# dtypes: arrays made by compiled code carry equal but distinct dtype objects.
_f64, _f32 = np.float64, np.float32


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


def _explain_matmul_bias(x, W, b):
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


def _explain_matmul_tn(x, g):
    _check_float("x", x, 2)
    _check_float("g", g, 2)
    if x.shape[0] != g.shape[0]:
        raise ValueError(
            f"x has shape {x.shape} and g has shape {g.shape}: "
            f"xᵀ g needs the same number of rows N"
        )
    _check_same_dtype(x=x, g=g)


def _explain_matmul_nt(g, W):
    _check_float("g", g, 2)
    _check_float("W", W, 2)
    if g.shape[1] != W.shape[1]:
        raise ValueError(
            f"g has shape {g.shape} and W has shape {W.shape}: "
            f"g Wᵀ needs g.shape[1] == W.shape[1]"
        )
    _check_same_dtype(g=g, W=W)


def _explain_dense_backward(x, dout, W):
    _check_float("x", x, 2)
    _check_float("dout", dout, 2)
    _check_float("W", W, 2)
    if x.shape[1] != W.shape[0]:
        raise ValueError(
            f"x has shape {x.shape} but W has shape {W.shape}: "
            f"x needs {W.shape[0]} columns (x W needs x.shape[1] == W.shape[0])"
        )
    if dout.shape != (x.shape[0], W.shape[1]):
        raise ValueError(
            f"dout must have shape {(x.shape[0], W.shape[1])} (x's rows, W's columns), "
            f"got {dout.shape}"
        )
    _check_same_dtype(x=x, dout=dout, W=W)


def _explain_gradient_outputs(W, dW, db):
    for name, a, shape in (("dW", dW, W.shape), ("db", db, (W.shape[1],))):
        if not isinstance(a, np.ndarray):
            raise ValueError(f"dense_backward: {name} must be given with the other, as a NumPy "
                             f"array of shape {shape}, got {type(a).__name__}")
        if a.shape != shape or a.dtype != W.dtype:
            raise ValueError(f"dense_backward: {name} must have shape {shape} and dtype "
                             f"{W.dtype} to receive the gradient, got shape {a.shape}, "
                             f"dtype {a.dtype}")
        if not (a.flags.c_contiguous and a.flags.writeable):
            raise ValueError(f"dense_backward: {name} must be a writeable C-contiguous array "
                             "(the gradient is written into it)")


def _explain_act(x_name, x, dout=None):
    _check_float(x_name, x, 2)
    if dout is not None:
        _check_float("dout", dout, 2)
        _check_same_shape(x_name, x, "dout", dout)
        _check_same_dtype(**{x_name: x, "dout": dout})


# ==========================================================================
# Matmuls.  NumPy twins first: one line each.
# ==========================================================================
def _np_matmul_bias(x, W, b):
    return x @ W + b  # (N, D) @ (D, M) + (M,) -> (N, M)


def _np_matmul_tn(x, g):
    return x.T @ g  # (D, N) @ (N, M) -> (D, M)


def _np_matmul_nt(g, W):
    return g @ W.T  # (N, M) @ (M, D) -> (N, D)


def _np_col_sum(g):
    return g.sum(axis=0)  # (N, M) -> (M,)


# The Numba matmuls share one loop nest, _gemm: out += A B.
# The textbook loop  out[n, m] += A[n, k] * B[k, m]  (k outside, m inside, so
# the inner loop walks rows of B and out contiguously and the CPU does four m
# per instruction) is held back by memory traffic: every multiply-add loads
# and stores out[n, m].  So the loop nest below does eight multiply-adds per
# load/store pair of out: two rows of out at once (each row of B, once loaded,
# serves both) and four k at once (out[n, m] is loaded and stored once per
# four products).  It adds the products in another order than a plain loop
# (or BLAS) does; the sums agree to round-off.  Blocks of four rows (_gemm4,
# below) pay off on large products, where the parallel kernel uses them; on
# the lessons' small layers pairs are as fast and compile quicker.
# Compile time shaped it too: Numba compiles _gemm once on its own and again
# inside each kernel that calls it, so every loop written here costs three
# times over.  An odd last row is therefore paired with itself, its partner's
# coefficients zero, instead of getting a loop of its own (that loop cost
# 0.15-0.2 s of compiling, measured); so every row adds its products in the same
# order, whatever N and however the rows are split among threads.  A narrow
# output (a logit column, M = 1) runs through the same pairs of rows: a
# separate dot-product loop ran M = 1 products twice as fast (about 10% of
# _gemm's time in a lessons' iteration) and cost 0.3 s of compiling.
@njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True)  # see _TRAINING_KERNEL
def _gemm(A, B, out):  # pragma: no cover - compiled
    """Accumulate ``out += A @ B``: (N, K) @ (K, M) -> (N, M), all C-contiguous.

    Each row of out depends only on the same row of A (and all of B), so
    threads given disjoint blocks of rows never write the same memory.
    """
    N, K = A.shape
    M = B.shape[1]
    K4 = K - K % 4
    # (in A's dtype: bare 0.0 and 1.0 would turn float32 sums float64)
    zero, one = A.dtype.type(0), A.dtype.type(1)
    # pairs of rows n, n1 = n + 1 of out; an odd last row is its own partner
    # (n1 = n) whose coefficients c are all multiplied by s = 0, so the
    # partner's line adds zeros to it (0 times an inf in A is NaN, but then that
    # row is inf or NaN already)
    for n in range(0, N, 2):
        n1 = n + 1 if n + 1 < N else n
        s = one if n1 > n else zero
        # four k at a time: out[n, :] += A[n, k:k+4] @ B[k:k+4, :], and so for n1
        for k in range(0, K4, 4):
            a0, a1, a2, a3 = A[n, k], A[n, k + 1], A[n, k + 2], A[n, k + 3]
            c0, c1, c2, c3 = s * A[n1, k], s * A[n1, k + 1], s * A[n1, k + 2], s * A[n1, k + 3]
            # along the rows of B and out, four products per element
            for m in range(M):
                w0, w1, w2, w3 = B[k, m], B[k + 1, m], B[k + 2, m], B[k + 3, m]
                out[n, m] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3
                out[n1, m] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3
        # the last K % 4 values of k, one at a time: out[n, m] += A[n, k] * B[k, m]
        for k in range(K4, K):
            a0 = A[n, k]
            c0 = s * A[n1, k]
            for m in range(M):
                out[n, m] += a0 * B[k, m]
                out[n1, m] += c0 * B[k, m]


@njit(cache=True)
def _transposed(a):  # pragma: no cover - compiled
    """A C-contiguous copy of ``a.T``: (R, C) -> (C, R), so loops can walk its rows."""
    R, C = a.shape
    t = np.empty((C, R), dtype=a.dtype)
    # t[c, r] = a[r, c], writing t row by row (writing down a column of t
    # instead would hit addresses R·8 bytes apart, which caches handle badly)
    for c in range(C):
        for r in range(R):
            t[c, r] = a[r, c]
    return t


@njit(cache=True)
def _nb_matmul_bias(x, W, b):  # pragma: no cover - compiled
    N, D = x.shape
    M = W.shape[1]
    if W.shape[0] != D or b.shape[0] != M:
        raise ValueError("matmul_bias: x W + b needs x.shape[1] == W.shape[0] "
                         "and b.shape == (W.shape[1],)")
    # the loop nest wants rows in contiguous memory (no copy when they are)
    xc = np.ascontiguousarray(x)
    Wc = np.ascontiguousarray(W)
    out = np.empty((N, M), dtype=x.dtype)  # (N, M)
    # start every row at the bias: out[n, :] = b
    for n in range(N):
        for m in range(M):
            out[n, m] = b[m]
    _gemm(xc, Wc, out)  # (N, D) @ (D, M) -> (N, M), added to out
    return out


@njit(cache=True)
def _nb_matmul_tn(x, g):  # pragma: no cover - compiled
    N, D = x.shape
    M = g.shape[1]
    if g.shape[0] != N:
        raise ValueError("matmul_tn: xᵀ g needs x.shape[0] == g.shape[0]")
    xT = _transposed(x)  # (D, N): a copy whose rows are x's columns
    gc = np.ascontiguousarray(g)  # no copy when it already is
    out = np.zeros((D, M), dtype=x.dtype)  # (D, M)
    _gemm(xT, gc, out)  # (D, N) @ (N, M) -> (D, M)
    return out


@njit(cache=True)
def _nb_matmul_nt(g, W):  # pragma: no cover - compiled
    N, M = g.shape
    D = W.shape[0]
    if W.shape[1] != M:
        raise ValueError("matmul_nt: g Wᵀ needs g.shape[1] == W.shape[1]")
    gc = np.ascontiguousarray(g)  # no copy when it already is
    WT = _transposed(W)  # (M, D): a copy whose rows are W's columns
    out = np.zeros((N, D), dtype=g.dtype)  # (N, D)
    _gemm(gc, WT, out)  # (N, M) @ (M, D) -> (N, D)
    return out


@njit(cache=True)
def _nb_col_sum(g):  # pragma: no cover - compiled
    N, M = g.shape
    out = np.zeros(M, dtype=g.dtype)  # (M,)
    # column sums: out[m] = sum_n g[n, m], adding the rows in order
    for n in range(N):
        for m in range(M):
            out[m] += g[n, m]
    return out


@njit(cache=True)
def _nb_dense_backward_into(x, dout, W, dW, db, dx):  # pragma: no cover - compiled
    """The three backward loops of a dense layer in one call (fewer calls from Python)."""
    N, D = x.shape
    M = W.shape[1]
    if dout.shape[0] != N or dout.shape[1] != M or W.shape[0] != D:
        raise ValueError("dense_backward: needs x (N, D), dout (N, M), W (D, M)")
    dc = np.ascontiguousarray(dout)  # no copy when it already is
    xT = _transposed(x)  # (D, N)
    WT = _transposed(W)  # (M, D)
    # dW = xᵀ dout and dx = dout Wᵀ accumulate into zeros
    for d in range(D):
        for m in range(M):
            dW[d, m] = 0.0
    for n in range(N):
        for d in range(D):
            dx[n, d] = 0.0
    _gemm(xT, dc, dW)  # (D, N) @ (N, M) -> (D, M)
    # db[m] = sum_n dout[n, m], adding the rows in order
    for m in range(M):
        db[m] = 0.0
    for n in range(N):
        for m in range(M):
            db[m] += dc[n, m]
    _gemm(dc, WT, dx)  # (N, M) @ (M, D) -> (N, D)


def _np_dense_backward(x, dout, W, dW=None, db=None):
    if dW is None:
        return x.T @ dout, dout.sum(axis=0), dout @ W.T  # (D, M), (M,), (N, D)
    np.matmul(x.T, dout, out=dW)   # (D, N) @ (N, M) -> (D, M), written into dW
    np.sum(dout, axis=0, out=db)   # (N, M) -> (M,), written into db
    return dW, db, dout @ W.T      # (N, D)


def _nb_dense_backward(x, dout, W, dW=None, db=None):
    """Numba twin of ``_np_dense_backward``: allocates what it must, then runs the loops."""
    if dW is None:
        dW = np.empty((x.shape[1], W.shape[1]), dtype=x.dtype)  # (D, M)
        db = np.empty(W.shape[1], dtype=x.dtype)                 # (M,)
    dx = np.empty(x.shape, dtype=x.dtype)                        # (N, D)
    _nb_dense_backward_into(x, dout, W, dW, db, dx)
    return dW, db, dx


# The parallel version shares the rows out among the threads by prange, in
# blocks of four rows that never overlap: no two threads write the same
# element.  A block of four rows runs _gemm4, which loads each row of B once
# for all four (on large products that is a quarter more GFLOP/s than pairs);
# every row gets the same arithmetic as in _gemm, so the results are identical
# to the serial kernel's.  Only large products come here (PARALLEL_MIN_FLOPS),
# so programs that never make one never compile these two.
@njit(cache=True)
def _gemm4(A, B, out):  # pragma: no cover - compiled
    """``out += A @ B`` for a block of four rows: (4, K) @ (K, M) -> (4, M), M >= 4."""
    K = A.shape[1]
    M = B.shape[1]
    K4 = K - K % 4
    # four k at a time: out[i, :] += A[i, k:k+4] @ B[k:k+4, :], i = 0..3
    for k in range(0, K4, 4):
        a0, a1, a2, a3 = A[0, k], A[0, k + 1], A[0, k + 2], A[0, k + 3]
        c0, c1, c2, c3 = A[1, k], A[1, k + 1], A[1, k + 2], A[1, k + 3]
        e0, e1, e2, e3 = A[2, k], A[2, k + 1], A[2, k + 2], A[2, k + 3]
        f0, f1, f2, f3 = A[3, k], A[3, k + 1], A[3, k + 2], A[3, k + 3]
        # along the rows of B and out, four products per element
        for m in range(M):
            w0, w1, w2, w3 = B[k, m], B[k + 1, m], B[k + 2, m], B[k + 3, m]
            out[0, m] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3
            out[1, m] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3
            out[2, m] += e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3
            out[3, m] += f0 * w0 + f1 * w1 + f2 * w2 + f3 * w3
    # the last K % 4 values of k, one at a time: out[i, m] += A[i, k] * B[k, m]
    for k in range(K4, K):
        for m in range(M):
            out[0, m] += A[0, k] * B[k, m]
            out[1, m] += A[1, k] * B[k, m]
            out[2, m] += A[2, k] * B[k, m]
            out[3, m] += A[3, k] * B[k, m]


@njit(cache=True, parallel=True)
def _gemm_par(A, B, out):  # pragma: no cover - compiled
    """``out += A @ B`` on all of Numba's threads: (N, K) @ (K, M) -> (N, M)."""
    N = A.shape[0]
    M = B.shape[1]
    # blocks of four rows n..n+3 (row slices: views, no copies), independent
    for blk in prange((N + 3) // 4):
        lo, hi = 4 * blk, min(4 * blk + 4, N)
        if hi - lo == 4 and M >= 4:
            _gemm4(A[lo:hi], B, out[lo:hi])
        else:
            _gemm(A[lo:hi], B, out[lo:hi])  # a last, shorter block; a logit column


def _nb_matmul_bias_par(x, W, b):
    out = np.empty((x.shape[0], W.shape[1]), dtype=x.dtype)  # (N, M)
    out[...] = b
    _gemm_par(np.ascontiguousarray(x), np.ascontiguousarray(W), out)
    return out


def _nb_matmul_tn_par(x, g):
    out = np.zeros((x.shape[1], g.shape[1]), dtype=x.dtype)  # (D, M)
    _gemm_par(np.ascontiguousarray(x.T), np.ascontiguousarray(g), out)
    return out


def _nb_matmul_nt_par(g, W):
    out = np.zeros((g.shape[0], W.shape[0]), dtype=g.dtype)  # (N, D)
    _gemm_par(np.ascontiguousarray(g), np.ascontiguousarray(W.T), out)
    return out


#: A product runs on all of Numba's threads when it has at least this many
#: floating-point operations (2·N·D·M) ...
PARALLEL_MIN_FLOPS = 4_000_000
#: ... and its weight matrix at least this many entries (D·M).  Starting the
#: threads costs microseconds and compiling the parallel kernel about two
#: seconds; the lessons' 1D networks (widths up to 64) never need it.
PARALLEL_MIN_WEIGHTS = 128 * 128


def _parallel(n, d, m):
    return d * m >= PARALLEL_MIN_WEIGHTS and 2 * n * d * m >= PARALLEL_MIN_FLOPS


def matmul_bias(x, W, b):
    """Dense forward: ``out = x W + b``.

    Inputs:
    - x: (N, D) inputs, one row per example
    - W: (D, M) weights
    - b: (M,) bias, added to every row
    Returns:
    - out: (N, M)
    """
    dt = x.dtype.type if type(x) is _ndarray else None
    if not ((dt is _f64 or dt is _f32) and type(W) is _ndarray and type(b) is _ndarray
            and W.dtype.type is dt and b.dtype.type is dt and x.ndim == 2 and W.ndim == 2
            and b.ndim == 1 and x.shape[1] == W.shape[0] and b.shape[0] == W.shape[1]):
        _explain_matmul_bias(x, W, b)
    if _NUMBA:
        try:
            if _parallel(x.shape[0], W.shape[0], W.shape[1]):
                return _nb_matmul_bias_par(x, W, b)
            return _nb_matmul_bias(x, W, b)
        except _NumbaTypingError:  # e.g. a byte order Numba cannot compile for
            _explain_matmul_bias(x, W, b)
            raise
    return _np_matmul_bias(x, W, b)


def matmul_tn(x, g):
    """Weight gradient of a dense layer: ``dW = xᵀ g``.

    Inputs:
    - x: (N, D) the layer's inputs
    - g: (N, M) the upstream gradient dL/dout
    Returns:
    - dW: (D, M)
    """
    dt = x.dtype.type if type(x) is _ndarray else None
    if not ((dt is _f64 or dt is _f32) and type(g) is _ndarray and g.dtype.type is dt
            and x.ndim == 2 and g.ndim == 2 and x.shape[0] == g.shape[0]):
        _explain_matmul_tn(x, g)
    if _NUMBA:
        try:
            if _parallel(x.shape[0], x.shape[1], g.shape[1]):
                return _nb_matmul_tn_par(x, g)
            return _nb_matmul_tn(x, g)
        except _NumbaTypingError:
            _explain_matmul_tn(x, g)
            raise
    return _np_matmul_tn(x, g)


def matmul_nt(g, W):
    """Input gradient of a dense layer: ``dx = g Wᵀ``.

    Inputs:
    - g: (N, M) the upstream gradient dL/dout
    - W: (D, M) the layer's weights
    Returns:
    - dx: (N, D)
    """
    dt = g.dtype.type if type(g) is _ndarray else None
    if not ((dt is _f64 or dt is _f32) and type(W) is _ndarray and W.dtype.type is dt
            and g.ndim == 2 and W.ndim == 2 and g.shape[1] == W.shape[1]):
        _explain_matmul_nt(g, W)
    if _NUMBA:
        try:
            if _parallel(g.shape[0], W.shape[0], W.shape[1]):
                return _nb_matmul_nt_par(g, W)
            return _nb_matmul_nt(g, W)
        except _NumbaTypingError:
            _explain_matmul_nt(g, W)
            raise
    return _np_matmul_nt(g, W)


def col_sum(g):
    """Bias gradient of a dense layer: ``db[m] = Σ_n g[n, m]``, (N, M) -> (M,)."""
    if not (type(g) is _ndarray and g.ndim == 2 and (g.dtype.type is _f64 or g.dtype.type is _f32)):
        _check_float("g", g, 2)
    if _NUMBA:
        try:
            return _nb_col_sum(g)
        except _NumbaTypingError:
            _check_float("g", g, 2)
            raise
    return _np_col_sum(g)


def dense_backward(x, dout, W, dW=None, db=None):
    """All three gradients of a dense layer ``out = x W + b`` in one call.

        dW = xᵀ dout        (D, N) @ (N, M) -> (D, M)
        db = Σ_n dout[n]    (N, M) -> (M,)
        dx = dout Wᵀ        (N, M) @ (M, D) -> (N, D)

    The same numbers as ``matmul_tn``, ``col_sum`` and ``matmul_nt``; one call
    from Python instead of three (on small layers the calls cost more than the
    arithmetic).  Given ``dW`` (D, M) and ``db`` (M,) (C-contiguous, x's dtype),
    writes the gradients into them instead of allocating: a layer's gradients
    then stay where an optimizer finds them (``network.Sequential`` keeps all of
    a network's in one array).  Returns ``(dW, db, dx)``.
    """
    dt = x.dtype.type if type(x) is _ndarray else None
    if not ((dt is _f64 or dt is _f32) and type(dout) is _ndarray and type(W) is _ndarray
            and dout.dtype.type is dt and W.dtype.type is dt and x.ndim == 2 and dout.ndim == 2
            and W.ndim == 2 and x.shape[0] == dout.shape[0] and x.shape[1] == W.shape[0]
            and dout.shape[1] == W.shape[1]):
        _explain_dense_backward(x, dout, W)
    if dW is not None or db is not None:
        if not (type(dW) is _ndarray and type(db) is _ndarray and dW.dtype.type is dt
                and db.dtype.type is dt and dW.shape == W.shape and db.shape == (W.shape[1],)
                and dW.flags.c_contiguous and db.flags.c_contiguous and dW.flags.writeable
                and db.flags.writeable):
            _explain_gradient_outputs(W, dW, db)
    if _NUMBA:
        try:
            if _parallel(x.shape[0], x.shape[1], W.shape[1]):
                gW, gb = _nb_matmul_tn_par(x, dout), _nb_col_sum(dout)
                if dW is None:
                    dW, db = gW, gb
                else:
                    dW[...], db[...] = gW, gb
                return dW, db, _nb_matmul_nt_par(dout, W)
            return _nb_dense_backward(x, dout, W, dW, db)
        except _NumbaTypingError:
            _explain_dense_backward(x, dout, W)
            raise
    return _np_dense_backward(x, dout, W, dW, db)


# ==========================================================================
# Adam's update (Kingma & Ba 2015), in place, element by element:
#     m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
#     θ ← θ − lr (m / c1) / (sqrt(v / c2) + eps),  c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ
# Both twins do the same operations in the same order: bit-identical results.
# ==========================================================================
def _np_adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps):
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * (g * g)
    p -= lr * (m / c1) / (np.sqrt(v / c2) + eps)


@njit(**_TRAINING_KERNEL)
def _nb_adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps):  # pragma: no cover
    # p, g, m, v: (P,) each, the values of one parameter array (or of all of them)
    if g.shape != p.shape or m.shape != p.shape or v.shape != p.shape:
        raise ValueError("adam_update: p, g, m and v need one shape")
    # one parameter at a time: its two moments, then its step
    for i in range(p.shape[0]):
        gi = g[i]
        mi = m[i] * beta1 + (1 - beta1) * gi
        vi = v[i] * beta2 + (1 - beta2) * (gi * gi)
        m[i] = mi
        v[i] = vi
        p[i] -= lr * (mi / c1) / (np.sqrt(vi / c2) + eps)


def adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps):
    """One Adam step for one parameter array, in place (p, m and v change).

    Inputs:
    - p: parameter array, any shape; g: its gradient; m, v: Adam's moments
      (all four of one shape and float dtype)
    - lr, beta1, beta2, eps: Adam's constants
    - c1, c2: the bias corrections 1 − β1ᵗ and 1 − β2ᵗ of step t
    """
    dt = p.dtype.type if type(p) is _ndarray else None
    shape = p.shape if dt is not None else None
    if not ((dt is _f64 or dt is _f32) and type(g) is _ndarray and type(m) is _ndarray
            and type(v) is _ndarray and g.shape == shape and m.shape == shape
            and v.shape == shape and m.dtype.type is dt and v.dtype.type is dt):
        _check_adam(p, g, m, v)
    _adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps)


def _adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps):
    """``adam_update`` for arrays already checked (optim.Adam checks them once per step)."""
    dt = p.dtype.type
    if _NUMBA and g.dtype.type is dt and (p.ndim == 1 or (
            p.flags.c_contiguous and m.flags.c_contiguous and v.flags.c_contiguous)):
        if p.ndim != 1:   # a weight (D, M) as a (D·M,) view: one compiled kernel for all
            p, g, m, v = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1)
        try:
            # the scalars go in as Python floats: one compiled version serves all
            return _nb_adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps)
        except _NumbaTypingError:  # a dtype Numba cannot compile for: NumPy can
            pass
    _np_adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps)


def _check_adam(p, g, m, v):
    for name, a in (("p", p), ("g", g), ("m", m), ("v", v)):
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
            got = a.dtype if isinstance(a, np.ndarray) else type(a).__name__
            raise ValueError(f"adam_update: {name} must be a float array, got {got}")
        if a.shape != p.shape:
            raise ValueError(
                f"adam_update: {name} must have the parameter's shape {p.shape}, got {a.shape}"
            )
    if not (m.dtype == p.dtype and v.dtype == p.dtype):
        raise ValueError(
            f"adam_update: m and v must have the parameter's dtype {p.dtype}, "
            f"got {m.dtype} and {v.dtype}"
        )


# ==========================================================================
# Binary cross-entropy from logits (losses.bce_with_logits) in one pass over
# the K logits a of a batch, with a scalar target t:
#     loss  = (1/K) Σ softplus(a) − t·a,     softplus(a) = max(a, 0) + log1p(e^(−|a|))
#     dL/da = (σ(a) − t) / K,                σ(a) = 1/(1 + e^(−|a|)) for a ≥ 0,
#                                                    e^(−|a|)/(1 + e^(−|a|)) for a < 0
#     and mean σ(a), the batch's mean D, which the training loop records.
# e^(−|a|) lies in (0, 1]: nothing overflows for any finite a.
# ==========================================================================
def _np_bce_logits(a, t):
    k = a.size
    e = np.exp(-np.abs(a))
    d = 1 + e
    # (max(a, 0) − t·a) first: for t = 1 it is max(−a, 0) exactly, so the term
    # equals softplus(−a) = −log σ(a) to the last bit even for large a
    loss = float(np.sum((np.maximum(a, 0) - t * a) + np.log1p(e)) / k)
    s = np.where(a >= 0, 1 / d, e / d)                  # σ(a), (N, M)
    return loss, (s - t) / k, float(np.mean(s))


@njit(**_TRAINING_KERNEL)
def _nb_bce_logits(a, t):  # pragma: no cover - compiled
    N, M = a.shape
    k = N * M
    dlogits = np.empty((N, M), dtype=a.dtype)  # (N, M)
    loss = 0.0
    s_sum = 0.0
    # one logit at a time: its loss term, σ(a), and its gradient
    for n in range(N):
        for j in range(M):
            x = a[n, j]
            e = np.exp(-abs(x))
            d = 1 + e
            loss += ((x if x > 0 else 0.0) - t * x) + np.log1p(e)
            s = 1 / d if x >= 0 else e / d
            s_sum += s
            dlogits[n, j] = (s - t) / k
    return loss / k, dlogits, s_sum / k


def bce_logits(a, t):
    """Mean BCE of logits ``a`` against the scalar target ``t``, its gradient, and mean σ(a).

    Inputs:
    - a: float array of logits, usually (N, 1); any shape is one batch of K = a.size
      (finite; ``losses`` checks)
    - t: the target, a float in [0, 1]
    Returns:
    - loss: float, ``(1/K) Σ softplus(a) − t·a`` over the K = a.size logits
    - dlogits: array of a's shape, ``(σ(a) − t) / K``
    - mean_sigmoid: float, the mean of σ(a)
    """
    dt = a.dtype.type if type(a) is _ndarray else None
    if not ((dt is _f64 or dt is _f32) and a.size > 0):
        desc = (f"shape {a.shape}, dtype {a.dtype}" if isinstance(a, _ndarray)
                else type(a).__name__)
        raise ValueError("bce_logits: a must be a non-empty float32/float64 "
                         f"array of logits, got {desc}")
    t = float(t)
    if _NUMBA:
        if a.ndim == 2:
            return _nb_bce_logits(a, t)
        # any other shape as one row (1, K): the kernel's loops are two-dimensional
        loss, dlogits, mean_s = _nb_bce_logits(a.reshape(1, -1), t)
        return loss, dlogits.reshape(a.shape), mean_s
    return _np_bce_logits(a, t)


# ==========================================================================
# Finiteness: the layers check every input and gradient for NaN/inf (a run
# that diverged should stop with a message, not train on garbage).  On small
# arrays NumPy's isfinite + all costs more than the check itself.
# ==========================================================================
def _np_all_finite(a):
    return bool(np.isfinite(a).all())


@njit(**_TRAINING_KERNEL)
def _nb_all_finite(a):  # pragma: no cover - compiled
    N, M = a.shape
    # stop at the first NaN or ±inf
    for n in range(N):
        for m in range(M):
            if not np.isfinite(a[n, m]):
                return False
    return True


def all_finite(a) -> bool:
    """True when no element of the float array ``a`` is NaN or ±inf."""
    if _NUMBA and type(a) is _ndarray:
        dt = a.dtype.type
        if dt is _f64 or dt is _f32:
            if a.ndim == 2:
                return _nb_all_finite(a)
            if a.ndim == 1:
                return _nb_all_finite(a.reshape(1, -1))  # (M,) -> (1, M), a view
    return _np_all_finite(a)


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
    out = np.empty((N, M), dtype=x.dtype)
    # out = max(x, 0), element by element
    for n in range(N):
        for m in range(M):
            v = x[n, m]
            out[n, m] = v if v > 0 else 0.0
    return out


@njit(cache=True)
def _nb_relu_backward(x, dout):  # pragma: no cover - compiled
    N, M = x.shape
    if dout.shape[0] != N or dout.shape[1] != M:
        raise ValueError("relu_backward: dout must have the shape of x")
    dx = np.empty((N, M), dtype=dout.dtype)
    # dL/dx = dout where x > 0, else 0
    for n in range(N):
        for m in range(M):
            dx[n, m] = dout[n, m] if x[n, m] > 0 else 0.0
    return dx


@njit(cache=True)
def _nb_leaky_relu_forward(x, alpha):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty((N, M), dtype=x.dtype)
    # out = x where x > 0, alpha * x elsewhere
    for n in range(N):
        for m in range(M):
            v = x[n, m]
            out[n, m] = v if v > 0 else alpha * v
    return out


@njit(cache=True)
def _nb_leaky_relu_backward(x, dout, alpha):  # pragma: no cover - compiled
    N, M = x.shape
    if dout.shape[0] != N or dout.shape[1] != M:
        raise ValueError("leaky_relu_backward: dout must have the shape of x")
    dx = np.empty((N, M), dtype=dout.dtype)
    # dL/dx = dout where x > 0, alpha * dout elsewhere
    for n in range(N):
        for m in range(M):
            dx[n, m] = dout[n, m] if x[n, m] > 0 else alpha * dout[n, m]
    return dx


@njit(cache=True)
def _nb_tanh_forward(x):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty((N, M), dtype=x.dtype)
    # out = tanh(x), element by element (tanh saturates to ±1, never overflows)
    for n in range(N):
        for m in range(M):
            out[n, m] = np.tanh(x[n, m])
    return out


@njit(cache=True)
def _nb_tanh_backward(out, dout):  # pragma: no cover - compiled
    N, M = out.shape
    if dout.shape[0] != N or dout.shape[1] != M:
        raise ValueError("tanh_backward: dout must have the shape of out")
    dx = np.empty((N, M), dtype=dout.dtype)
    # d tanh(x)/dx = 1 - tanh(x)^2 = 1 - out^2
    for n in range(N):
        for m in range(M):
            o = out[n, m]
            dx[n, m] = dout[n, m] * (1 - o * o)
    return dx


@njit(cache=True, error_model="numpy")  # x / 0 gives inf, as in NumPy
def _nb_sigmoid_forward(x):  # pragma: no cover - compiled
    N, M = x.shape
    out = np.empty((N, M), dtype=x.dtype)
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
    if dout.shape[0] != N or dout.shape[1] != M:
        raise ValueError("sigmoid_backward: dout must have the shape of out")
    dx = np.empty((N, M), dtype=dout.dtype)
    # d sigmoid(x)/dx = sigmoid(x) (1 - sigmoid(x)) = out (1 - out)
    for n in range(N):
        for m in range(M):
            o = out[n, m]
            dx[n, m] = dout[n, m] * o * (1 - o)
    return dx


def _act_ok(x):
    if type(x) is not _ndarray or x.ndim != 2:
        return False
    dt = x.dtype.type
    return dt is _f64 or dt is _f32


def _act2_ok(x, dout):
    if type(x) is not _ndarray or type(dout) is not _ndarray or x.ndim != 2:
        return False
    dt = x.dtype.type
    return (dt is _f64 or dt is _f32) and dout.dtype.type is dt and x.shape == dout.shape


def relu_forward(x):
    """ReLU: ``out = max(x, 0)``, (N, M) -> (N, M)."""
    if not _act_ok(x):
        _explain_act("x", x)
    if _NUMBA:
        try:
            return _nb_relu_forward(x)
        except _NumbaTypingError:
            _explain_act("x", x)
            raise
    return _np_relu_forward(x)


def relu_backward(x, dout):
    """ReLU backward: ``dx = dout · [x > 0]``, (N, M) -> (N, M)."""
    if not _act2_ok(x, dout):
        _explain_act("x", x, dout)
    if _NUMBA:
        try:
            return _nb_relu_backward(x, dout)
        except _NumbaTypingError:
            _explain_act("x", x, dout)
            raise
    return _np_relu_backward(x, dout)


def leaky_relu_forward(x, alpha):
    """LeakyReLU: ``out = x if x > 0 else alpha x``, (N, M) -> (N, M)."""
    if not _act_ok(x):
        _explain_act("x", x)
    if _NUMBA:
        try:
            return _nb_leaky_relu_forward(x, alpha)
        except _NumbaTypingError:
            _explain_act("x", x)
            raise
    return _np_leaky_relu_forward(x, x.dtype.type(alpha))


def leaky_relu_backward(x, dout, alpha):
    """LeakyReLU backward: ``dx = dout if x > 0 else alpha dout``."""
    if not _act2_ok(x, dout):
        _explain_act("x", x, dout)
    if _NUMBA:
        try:
            return _nb_leaky_relu_backward(x, dout, alpha)
        except _NumbaTypingError:
            _explain_act("x", x, dout)
            raise
    return _np_leaky_relu_backward(x, dout, x.dtype.type(alpha))


def tanh_forward(x):
    """Tanh: ``out = tanh(x)``, (N, M) -> (N, M)."""
    if not _act_ok(x):
        _explain_act("x", x)
    if _NUMBA:
        try:
            return _nb_tanh_forward(x)
        except _NumbaTypingError:
            _explain_act("x", x)
            raise
    return _np_tanh_forward(x)


def tanh_backward(out, dout):
    """Tanh backward from its output: ``dx = dout (1 − out²)``."""
    if not _act2_ok(out, dout):
        _explain_act("out", out, dout)
    if _NUMBA:
        try:
            return _nb_tanh_backward(out, dout)
        except _NumbaTypingError:
            _explain_act("out", out, dout)
            raise
    return _np_tanh_backward(out, dout)


def sigmoid_forward(x):
    """Sigmoid, computed stably: ``out = 1 / (1 + e^(−x))``, (N, M) -> (N, M)."""
    if not _act_ok(x):
        _explain_act("x", x)
    if _NUMBA:
        try:
            return _nb_sigmoid_forward(x)
        except _NumbaTypingError:
            _explain_act("x", x)
            raise
    return _np_sigmoid_forward(x)


def sigmoid_backward(out, dout):
    """Sigmoid backward from its output: ``dx = dout · out (1 − out)``."""
    if not _act2_ok(out, dout):
        _explain_act("out", out, dout)
    if _NUMBA:
        try:
            return _nb_sigmoid_backward(out, dout)
        except _NumbaTypingError:
            _explain_act("out", out, dout)
            raise
    return _np_sigmoid_backward(out, dout)


# ==========================================================================
# A whole network in one call.  On the lessons' small networks a Python call
# per layer costs more than the layer's arithmetic, so network.Sequential hands
# its whole stack of Dense and activation layers to these two (on the Numba
# backend), with all its parameters in one flat array theta and all their
# gradients in another, grad (see Sequential._pack).
#
#   plan[i] = (kind, D, M, p, c) for layer i: its kind (DENSE, RELU, ...), its
#             input and output widths D and M, the offset p of its W (D·M values,
#             row by row, then b, M values) in theta and grad, and the offset c
#             of its output among the activations, in units of N values
#   alphas[i] = layer i's LeakyReLU slope (unused by the other kinds)
#   acts    = every layer's output, one after another, each (N, M) row by row:
#             layer i's output is acts[N·c : N·(c + M)] seen as (N, M)
#
# The loops are the layer kernels' loops above, in the same order, so the
# numbers are bit for bit those of running the layers one at a time (tested).
# ==========================================================================
DENSE, RELU, LEAKY_RELU, TANH, SIGMOID = 0, 1, 2, 3, 4


@njit(**_TRAINING_KERNEL)
def _nb_mlp_forward(x, theta, plan, alphas):  # pragma: no cover - compiled
    N = x.shape[0]
    L = plan.shape[0]
    acts = np.empty(N * (plan[L - 1, 4] + plan[L - 1, 2]), dtype=x.dtype)
    h = x  # (N, D): layer 0's input (row by row; a strided x compiles a second version)
    for i in range(L):
        kind, D, M, p, c = plan[i, 0], plan[i, 1], plan[i, 2], plan[i, 3], plan[i, 4]
        out = acts[N * c:N * (c + M)].reshape((N, M))  # (N, M): layer i's output
        if kind == DENSE:
            # out = h W + b, as _nb_matmul_bias: every row starts at b, then h W is added
            W = theta[p:p + D * M].reshape((D, M))
            b = theta[p + D * M:p + D * M + M]
            for n in range(N):
                for m in range(M):
                    out[n, m] = b[m]
            _gemm(h, W, out)
        else:
            # the activation, element by element, as the layer kernels compute it
            alpha = alphas[i]
            for n in range(N):
                for m in range(M):
                    v = h[n, m]
                    if kind == RELU:
                        out[n, m] = v if v > 0 else 0.0
                    elif kind == LEAKY_RELU:
                        out[n, m] = v if v > 0 else alpha * v
                    elif kind == TANH:
                        out[n, m] = np.tanh(v)
                    elif v >= 0:  # SIGMOID, stable on both sides
                        out[n, m] = 1.0 / (1.0 + np.exp(-v))
                    else:
                        e = np.exp(v)
                        out[n, m] = e / (1.0 + e)
        h = out
    return acts


@njit(**_TRAINING_KERNEL)
def _nb_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad=True):  # pragma: no cover
    N = x.shape[0]
    L = plan.shape[0]
    # every dW and db accumulates into zeros
    for j in range(grad.shape[0]):
        grad[j] = 0.0
    g = dout  # (N, M) of the last layer: dL/d(its output)
    for i in range(L - 1, -1, -1):
        kind, D, M, p, c = plan[i, 0], plan[i, 1], plan[i, 2], plan[i, 3], plan[i, 4]
        if i == 0:
            h = x  # layer 0's input: the network's
        else:
            c_in = plan[i - 1, 4]
            h = acts[N * c_in:N * (c_in + D)].reshape((N, D))  # the previous output
        dx = np.empty((N, D), dtype=x.dtype)  # (N, D): dL/dh
        if kind == DENSE:
            # dW = hᵀ g, db = Σ_n g[n], dx = g Wᵀ, written into grad: the loops of
            # _nb_dense_backward_into, written out here (a call to it would make
            # Numba compile it, and _transposed, as well).  W (D, M) is read
            # from theta directly, W[d, m] = theta[p + d·M + m]: a reshaped view
            # costs compile time (about 0.05 s each, measured), and only dW, which
            # _gemm writes, needs one.
            dW = grad[p:p + D * M].reshape((D, M))
            db = grad[p + D * M:p + D * M + M]
            # hT[d, n] = h[n, d] and, below, WT[m, d] = W[d, m]: copies whose rows
            # are the columns of h and W, so that _gemm walks rows
            hT = np.empty((D, N), dtype=x.dtype)
            for d in range(D):
                for n in range(N):
                    hT[d, n] = h[n, d]
            _gemm(hT, g, dW)  # (D, N) @ (N, M) -> (D, M)
            # db[m] = sum_n g[n, m], adding the rows in order
            for n in range(N):
                for m in range(M):
                    db[m] += g[n, m]
            if i > 0 or input_grad:  # dx of layer 0 is dL/dx, wanted only if asked for
                WT = np.empty((M, D), dtype=x.dtype)
                for m in range(M):
                    for d in range(D):
                        WT[m, d] = theta[p + d * M + m]
                # dx accumulates into zeros
                for n in range(N):
                    for d in range(D):
                        dx[n, d] = 0.0
                _gemm(g, WT, dx)  # (N, M) @ (M, D) -> (N, D)
        else:
            # the activation's derivative, element by element, times g; Tanh and
            # Sigmoid take it from their output out[n, m] = acts[N·c + n·M + m]
            alpha = alphas[i]
            o0 = N * c
            for n in range(N):
                for m in range(M):
                    if kind == RELU:
                        dx[n, m] = g[n, m] if h[n, m] > 0 else 0.0
                    elif kind == LEAKY_RELU:
                        dx[n, m] = g[n, m] if h[n, m] > 0 else alpha * g[n, m]
                    elif kind == TANH:
                        o = acts[o0 + n * M + m]
                        dx[n, m] = g[n, m] * (1 - o * o)
                    else:  # SIGMOID
                        o = acts[o0 + n * M + m]
                        dx[n, m] = g[n, m] * o * (1 - o)
        g = dx
    # None when dL/dx was not asked for (returning an array costs about 0.6 µs)
    return g if input_grad else None


_NP_ACT_FORWARD = {
    RELU: lambda h, a: _np_relu_forward(h),
    LEAKY_RELU: lambda h, a: _np_leaky_relu_forward(h, h.dtype.type(a)),
    TANH: lambda h, a: _np_tanh_forward(h),
    SIGMOID: lambda h, a: _np_sigmoid_forward(h),
}


def _np_mlp_forward(x, theta, plan, alphas):
    """NumPy twin of ``_nb_mlp_forward``: the layers' NumPy twins, one after another."""
    N, L = x.shape[0], plan.shape[0]
    acts = np.empty(N * int(plan[L - 1, 4] + plan[L - 1, 2]), dtype=x.dtype)
    h = x
    for i in range(L):
        kind, D, M, p, c = (int(v) for v in plan[i])
        out = acts[N * c:N * (c + M)].reshape(N, M)
        if kind == DENSE:
            out[...] = _np_matmul_bias(h, theta[p:p + D * M].reshape(D, M),
                                       theta[p + D * M:p + D * M + M])
        else:
            out[...] = _NP_ACT_FORWARD[kind](h, alphas[i])
        h = out
    return acts


def _np_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad=True):
    """NumPy twin of ``_nb_mlp_backward`` (it computes dL/dx whatever input_grad says,
    and returns it only if asked)."""
    N, L = x.shape[0], plan.shape[0]
    grad[...] = 0   # as the Numba twin: values no layer owns end up zero too
    g = dout
    for i in range(L - 1, -1, -1):
        kind, D, M, p, c = (int(v) for v in plan[i])
        if i == 0:
            h = x
        else:
            c_in = int(plan[i - 1, 4])
            h = acts[N * c_in:N * (c_in + D)].reshape(N, D)
        out = acts[N * c:N * (c + M)].reshape(N, M)   # this layer's output (Tanh, Sigmoid)
        if kind == DENSE:
            g = _np_dense_backward(h, g, theta[p:p + D * M].reshape(D, M),
                                   grad[p:p + D * M].reshape(D, M), grad[p + D * M:p + D * M + M])[2]
        elif kind == RELU:
            g = _np_relu_backward(h, g)
        elif kind == LEAKY_RELU:
            g = _np_leaky_relu_backward(h, g, h.dtype.type(alphas[i]))
        elif kind == TANH:
            g = _np_tanh_backward(out, g)
        else:
            g = _np_sigmoid_backward(out, g)
    return g if input_grad else None


def _check_mlp(x, theta, plan, alphas, dout=None, grad=None, acts=None):
    """Refuse a plan and arrays that do not fit together (a compiled loop would read
    past their ends); see the table above for what each must be."""
    who = "mlp_backward" if dout is not None else "mlp_forward"
    _check_float("x", x, 2)
    _check_float("theta", theta, 1)
    _check_same_dtype(x=x, theta=theta)
    if not (isinstance(plan, np.ndarray) and plan.dtype == np.int64 and plan.ndim == 2
            and plan.shape[0] >= 1 and plan.shape[1] == 5):
        raise ValueError(f"{who}: plan must be an int64 array of shape (L, 5), got "
                         f"{getattr(plan, 'shape', type(plan).__name__)}")
    if not (isinstance(alphas, np.ndarray) and alphas.dtype == np.float64
            and alphas.shape == (plan.shape[0],)):
        raise ValueError(f"{who}: alphas must be a float64 array of shape ({plan.shape[0]},)")
    width, c, p_end = x.shape[1], 0, 0
    for i, (kind, D, M, p, ci) in enumerate(plan.tolist()):
        ok = D == width and ci == c and M >= 1 and p >= 0 and kind in (
            DENSE, RELU, LEAKY_RELU, TANH, SIGMOID) and (kind == DENSE or M == D)
        if not ok:
            raise ValueError(f"{who}: plan row {i} {(kind, D, M, p, ci)} does not follow "
                             f"the one before (expected input width {width}, output "
                             f"offset {c}) or names no layer kind")
        if kind == DENSE:
            p_end = max(p_end, p + D * M + M)
        width, c = M, c + M
    if theta.size < p_end:
        raise ValueError(f"{who}: theta has {theta.size} values, the plan needs {p_end}")
    if dout is not None:
        _check_float("dout", dout, 2)
        _check_same_dtype(x=x, dout=dout)
        if dout.shape != (x.shape[0], width):
            raise ValueError(f"{who}: dout must have shape {(x.shape[0], width)}, got {dout.shape}")
        _check_float("grad", grad, 1)
        _check_float("acts", acts, 1)
        _check_same_dtype(x=x, grad=grad, acts=acts)
        if grad.size != theta.size or not grad.flags.c_contiguous or not grad.flags.writeable:
            raise ValueError(f"{who}: grad must be a writeable contiguous array of "
                             f"theta's size {theta.size}")
        if acts.size != x.shape[0] * c:
            raise ValueError(f"{who}: acts must hold {x.shape[0] * c} values "
                             f"(mlp_forward's), got {acts.size}")
    if not theta.flags.c_contiguous or (acts is not None and not acts.flags.c_contiguous):
        raise ValueError(f"{who}: theta and acts must be contiguous 1-D arrays")


def mlp_forward(x, theta, plan, alphas):
    """A whole stack of layers forward in one call: x (N, D) -> acts (see above)."""
    _check_mlp(x, theta, plan, alphas)
    return _mlp_forward(x, theta, plan, alphas)


def mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad=True):
    """Backward through the stack ``mlp_forward`` ran: fills grad (all of it: values
    no layer owns become 0), returns dL/dx (N, D) (or None with ``input_grad=False``,
    which skips layer 0's dx = g Wᵀ)."""
    _check_mlp(x, theta, plan, alphas, dout, grad, acts)
    return _mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad)


# network.Sequential builds the plan itself and checks x and dout: it calls these
def _mlp_forward(x, theta, plan, alphas):
    if _NUMBA:
        return _nb_mlp_forward(x, theta, plan, alphas)
    return _np_mlp_forward(x, theta, plan, alphas)


def _mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad=True):
    input_grad = bool(input_grad)   # one compiled version, whatever the caller passed
    if _NUMBA:
        return _nb_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad)
    return _np_mlp_backward(x, dout, theta, grad, plan, alphas, acts, input_grad)


#: Every (NumPy twin, Numba twin) pair, by name: the tests walk this table.
TWINS = {
    "matmul_bias": (_np_matmul_bias, _nb_matmul_bias),
    "matmul_bias_par": (_np_matmul_bias, _nb_matmul_bias_par),
    "matmul_tn": (_np_matmul_tn, _nb_matmul_tn),
    "matmul_tn_par": (_np_matmul_tn, _nb_matmul_tn_par),
    "matmul_nt": (_np_matmul_nt, _nb_matmul_nt),
    "matmul_nt_par": (_np_matmul_nt, _nb_matmul_nt_par),
    "col_sum": (_np_col_sum, _nb_col_sum),
    "dense_backward": (_np_dense_backward, _nb_dense_backward),
    "adam_update": (_np_adam_update, _nb_adam_update),
    "all_finite": (_np_all_finite, _nb_all_finite),
    "bce_logits": (_np_bce_logits, _nb_bce_logits),
    "relu_forward": (_np_relu_forward, _nb_relu_forward),
    "relu_backward": (_np_relu_backward, _nb_relu_backward),
    "leaky_relu_forward": (_np_leaky_relu_forward, _nb_leaky_relu_forward),
    "leaky_relu_backward": (_np_leaky_relu_backward, _nb_leaky_relu_backward),
    "tanh_forward": (_np_tanh_forward, _nb_tanh_forward),
    "tanh_backward": (_np_tanh_backward, _nb_tanh_backward),
    "sigmoid_forward": (_np_sigmoid_forward, _nb_sigmoid_forward),
    "sigmoid_backward": (_np_sigmoid_backward, _nb_sigmoid_backward),
    "mlp_forward": (_np_mlp_forward, _nb_mlp_forward),
    "mlp_backward": (_np_mlp_backward, _nb_mlp_backward),
}
