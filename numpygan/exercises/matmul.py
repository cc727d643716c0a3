"""ex08: a matmul in loops, compiled by Numba (the checks; no solution here).

``judge_matmul(data, matmul)`` checks out[i, j] = Σ_k x[i, k] W[k, j] against the
stored products x @ W (``matmul_data.py``), as plain Python first (an index out of
range raises instead of reading garbage), that the product is written in loops,
then, if it is a Numba function, compiled.
"""

from __future__ import annotations

import inspect
import re
import time

import numpy as np

from .engine import Checker, Ok, diagnose

HINTS = {
    "ij_swapped": "out has shape ({m}, {n}), expected ({n}, {m}): i and j are swapped "
                  "(out[j, i] or np.zeros((M, N))): out[i, j] = Σ_k x[i, k] W[k, j], i over "
                  "N = x.shape[0], j over M = W.shape[1]",
    "transposed": "out is the transpose of x @ W: i and j are swapped (you wrote out[j, i])",
    "W_jk": "you used W[j, k] instead of W[k, j]: that is x @ Wᵀ",
    "x_ki": "you used x[k, i] instead of x[i, k]: that is xᵀ @ W",
    "last_row": "the last row of out is 0: the loop over i stops one short. range(N) "
                "already runs 0 … N − 1; range(N − 1) misses one",
    "first_row": "the first row of out is 0: range(1, N) skips i = 0 (Python counts from 0)",
    "last_col": "the last column of out is 0: the loop over j stops one short (range(M − 1)?): "
                "j runs over range(M), M = W.shape[1]",
    "first_col": "the first column of out is 0: range(1, M) skips j = 0",
    "last_k": "each entry misses the last term of the sum over k: k runs over range(D), "
              "D = x.shape[1]",
    "first_k": "each entry misses the first term of the sum over k (range(1, D)?): k starts "
               "at 0",
    "no_reset_row": "each entry also holds the sums of the entries before it in its row: "
                    "reset the accumulator (s = 0.0) for every (i, j), inside the j loop",
    "no_reset_all": "each entry also holds the sums of all earlier entries: reset the "
                    "accumulator (s = 0.0) for every (i, j)",
    "times_D": "every entry is D = {d} times too large",
}

MATMUL_SHAPES = [(3, 4, 2), (2, 3, 5), (1, 5, 3), (4, 3, 1), (4, 1, 3), (1, 1, 1), (5, 5, 5)]


def _matmul_index_hint(exc):
    if isinstance(exc, IndexError):
        return ("Each index belongs to one axis: x[i, k], W[k, j], out[i, j], with i over "
                "range(N), N = x.shape[0]; j over range(M), M = W.shape[1]; k over "
                "range(D), D = x.shape[1]; out = np.zeros((N, M)). A swapped index "
                "(W[j, k], out[j, i]) only fits when the sizes happen to be equal")
    return None


def _matmul_python(data, fn):
    """The student's function as plain Python (Numba's ``py_func``): bounds are checked."""
    py = getattr(fn, "py_func", fn)
    for i in range(len(MATMUL_SHAPES)):
        p = f"py{i}__"
        x, W = data.get_array(p + "x"), data.get_array(p + "W")
        got = py(x.copy(), W.copy())
        (n, d), m = x.shape, W.shape[1]
        hint = diagnose("out", got, data[p + "out"],
                        data.variants(p + "v__", HINTS, n=n, d=d, m=m),
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


def _matmul_numba(data, fn):
    for i in range(len(MATMUL_SHAPES) + 1):
        p = f"nb{i}__"
        x, W = data.get_array(p + "x"), data.get_array(p + "W")
        got = fn(x, W)
        hint = diagnose("out (compiled)", got, data[p + "out"], shape_hint="out has shape (N, M)")
        if hint:
            return f"{hint} [case: x {x.shape}, W {W.shape}]"
    rng = np.random.default_rng(83)
    x, W = rng.normal(size=(200, 200)), rng.normal(size=(200, 200))
    t0 = time.perf_counter()
    fn(x, W)
    ms = (time.perf_counter() - t0) * 1e3
    return Ok(f"200×200 @ 200×200 in {ms:.1f} ms compiled")


def judge_matmul(data, matmul, stream=None):
    """ex08: ``matmul(x, W) -> out``, out[i, j] = Σ_k x[i, k] W[k, j], in plain loops.

    Runs the function as plain Python first (where an index out of range raises
    IndexError instead of corrupting memory) against the stored x @ W on seven shapes,
    1-wide and 1-tall ones included, then, if it is a Numba function, compiled.
    """
    c = Checker("ex08 Numba matmul", {"matmul": matmul}, stream)
    ok = c.check("matmul as plain Python = x @ W (7 shapes, 1-wide and 1-tall)", ["matmul"],
                  lambda: _matmul_python(data, matmul), _matmul_index_hint)
    c.check("matmul written in loops (no @, np.dot)", ["matmul"], lambda: _matmul_in_loops(matmul))
    if hasattr(matmul, "py_func"):
        if ok:
            c.check("matmul compiled by Numba = x @ W", ["matmul"],
                    lambda: _matmul_numba(data, matmul), _numba_error_hint)
        else:
            c.check("matmul compiled by Numba = x @ W", ["matmul"],
                    lambda: "not run: the plain-Python check must pass first (a compiled "
                            "loop that indexes out of range reads garbage instead of "
                            "raising IndexError)")
    else:
        c.note("matmul is not a Numba function (numba missing?): checked as plain Python only")
    return c.finish()
