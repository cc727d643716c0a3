"""ex08: a matmul in loops, compiled by Numba.

``check_matmul(matmul)`` checks out[i, j] = Σ_k x[i, k] W[k, j] against ``x @ W``
as plain Python first (an index out of range raises instead of reading garbage),
that the product is written in loops, then, if it is a Numba function, compiled.
``reference_matmul`` (compiled by ``_jit``) is the reference for ``--solution``.
"""

from __future__ import annotations

import inspect
import re
import time

import numpy as np

from .engine import Checker, Ok, _numpy_backend, diagnose


def reference_matmul(x, W):
    """out[i, j] = Σ_k x[i, k] W[k, j] in three loops: (N, D) @ (D, M) -> (N, M)."""
    N, D = x.shape
    M = W.shape[1]
    out = np.zeros((N, M))
    for i in range(N):
        for j in range(M):
            s = 0.0
            for k in range(D):
                s += x[i, k] * W[k, j]
            out[i, j] = s
    return out


_MATMUL_SHAPES = [(3, 4, 2), (2, 3, 5), (1, 5, 3), (4, 3, 1), (4, 1, 3), (1, 1, 1), (5, 5, 5)]


def _matmul_variants(x, W):
    want = x @ W
    N, D = x.shape
    M = W.shape[1]
    v = []

    def zero(rows=None, cols=None):
        out = want.copy()
        if rows is not None:
            out[rows, :] = 0.0
        if cols is not None:
            out[:, cols] = 0.0
        return out

    v.append((want.T, f"out has shape {want.T.shape}, expected {want.shape}: i and j are "
                      "swapped (out[j, i] or np.zeros((M, N))): out[i, j] = Σ_k x[i, k] "
                      "W[k, j], i over N = x.shape[0], j over M = W.shape[1]"
              if N != M else "out is the transpose of x @ W: i and j are swapped "
                             "(you wrote out[j, i])"))
    if D == M:
        v.append((x @ W.T, "you used W[j, k] instead of W[k, j]: that is x @ Wᵀ"))
    if N == D:
        v.append((x.T @ W, "you used x[k, i] instead of x[i, k]: that is xᵀ @ W"))
    v.append((zero(rows=N - 1), "the last row of out is 0: the loop over i stops one "
                                "short. range(N) already runs 0 … N − 1; "
                                "range(N − 1) misses one"))
    v.append((zero(rows=0), "the first row of out is 0: range(1, N) skips i = 0 "
                            "(Python counts from 0)"))
    v.append((zero(cols=M - 1), "the last column of out is 0: the loop over j stops one "
                                "short (range(M − 1)?): j runs over range(M), M = W.shape[1]"))
    v.append((zero(cols=0), "the first column of out is 0: range(1, M) skips j = 0"))
    v.append((x[:, :-1] @ W[:-1, :], "each entry misses the last term of the sum over k: "
                                     "k runs over range(D), D = x.shape[1]"))
    v.append((x[:, 1:] @ W[1:, :], "each entry misses the first term of the sum over k "
                                   "(range(1, D)?): k starts at 0"))
    v.append((np.cumsum(want, axis=1), "each entry also holds the sums of the entries "
                                       "before it in its row: reset the accumulator "
                                       "(s = 0.0) for every (i, j), inside the j loop"))
    v.append((np.cumsum(want.ravel()).reshape(want.shape), "each entry also holds the sums "
              "of all earlier entries: reset the accumulator (s = 0.0) for every (i, j)"))
    v.append((x @ W * D, f"every entry is D = {D} times too large"))
    return v


def _matmul_index_hint(exc):
    if isinstance(exc, IndexError):
        return ("Each index belongs to one axis: x[i, k], W[k, j], out[i, j], with i over "
                "range(N), N = x.shape[0]; j over range(M), M = W.shape[1]; k over "
                "range(D), D = x.shape[1]; out = np.zeros((N, M)). A swapped index "
                "(W[j, k], out[j, i]) only fits when the sizes happen to be equal")
    return None


def _matmul_python(fn):
    """The student's function as plain Python (Numba's ``py_func``): bounds are checked."""
    py = getattr(fn, "py_func", fn)
    rng = np.random.default_rng(81)
    for N, D, M in _MATMUL_SHAPES:
        x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
        got = py(x.copy(), W.copy())
        hint = diagnose("out", got, x @ W, _matmul_variants(x, W),
                        shape_hint="out = x @ W has shape (N, M)")
        if hint:
            return f"{hint} [case: x {x.shape}, W {W.shape}]"
    return None


_NUMPY_PRODUCT = re.compile(r"(np|numpy)\.(dot|matmul|einsum|tensordot|inner|vdot)\b"
                            r"|[\w\])]\s*@\s*[\w(\[]|\.dot\(")


def _matmul_in_loops(fn):
    """The exercise is the loops: NumPy's own product inside would skip it."""
    py = getattr(fn, "py_func", fn)
    try:
        src = inspect.getsource(py)
    except (OSError, TypeError):
        return None
    body = "\n".join(l.split("#")[0] for l in src.splitlines()
                     if not l.lstrip().startswith("@"))
    body = re.sub(r'"""[\s\S]*?"""', "", body)
    m = _NUMPY_PRODUCT.search(body)
    if m:
        return (f"matmul uses NumPy's product ({m.group(0).strip()}): the exercise is to "
                "write it yourself, in three loops over i, j and k")
    return None


def _numba_error_hint(exc):
    name = type(exc).__name__
    if "Typing" in name or "Lowering" in name or "Unsupported" in name or "numba" in \
            type(exc).__module__:
        return ("Numba could not compile your matmul. Use only loops over range(...), "
                "np.zeros((N, M)), indexing x[i, k] and arithmetic on floats: Numba does "
                "not know most Python modules and objects")
    return None


def _matmul_numba(fn):
    rng = np.random.default_rng(82)
    for N, D, M in _MATMUL_SHAPES + [(64, 48, 32)]:
        x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
        got = fn(x, W)
        hint = diagnose("out (compiled)", got, x @ W, shape_hint="out has shape (N, M)")
        if hint:
            return f"{hint} [case: x {x.shape}, W {W.shape}]"
    x, W = rng.normal(size=(200, 200)), rng.normal(size=(200, 200))
    t0 = time.perf_counter()
    fn(x, W)
    ms = (time.perf_counter() - t0) * 1e3
    return Ok(f"200×200 @ 200×200 in {ms:.1f} ms compiled")


@_numpy_backend
def check_matmul(matmul, stream=None):
    """ex08: ``matmul(x, W) -> out``, out[i, j] = Σ_k x[i, k] W[k, j], in plain loops.

    Runs the function as plain Python first (where an index out of range raises
    IndexError instead of corrupting memory) against ``x @ W`` on seven shapes,
    1-wide and 1-tall ones included, then, if it is a Numba function, compiled.
    """
    c = Checker("ex08 Numba matmul", {"matmul": matmul}, stream)
    ok = c.check("matmul as plain Python = x @ W (7 shapes, 1-wide and 1-tall)", ["matmul"],
                  lambda: _matmul_python(matmul), _matmul_index_hint)
    c.check("matmul written in loops (no @, np.dot)", ["matmul"], lambda: _matmul_in_loops(matmul))
    if hasattr(matmul, "py_func"):
        if ok:
            c.check("matmul compiled by Numba = x @ W", ["matmul"],
                    lambda: _matmul_numba(matmul), _numba_error_hint)
        else:
            c.check("matmul compiled by Numba = x @ W", ["matmul"],
                    lambda: "not run: the plain-Python check must pass first (a compiled "
                            "loop that indexes out of range reads garbage instead of "
                            "raising IndexError)")
    else:
        c.note("matmul is not a Numba function (numba missing?): checked as plain Python only")
    return c.finish()


def _jit(fn):
    """``numba.njit(fn)`` (cached on disk, like numpygan.kernels'), or fn itself without Numba."""
    try:
        from numba import njit
    except Exception:                       # pragma: no cover - numba missing
        return fn
    return njit(cache=True)(fn)
