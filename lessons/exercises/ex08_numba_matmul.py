"""Exercise 8: a matrix product in plain loops, compiled by Numba.

Every dense layer spends its time in  out = x W:

    out[i, j] = Σ_k x[i, k] · W[k, j]          (N, D) @ (D, M) -> (N, M)

    i over range(N), N = x.shape[0]   (one row per example)
    j over range(M), M = W.shape[1]   (one column per output unit)
    k over range(D), D = x.shape[1]   (the sum)

In Python these three loops are ~1000× slower than NumPy's x @ W.  Numba's @njit
compiles the same loops to machine code (the library's teaching kernels in
numpygan/kernels/dense.py write the same three loops).
Write them with what Numba understands: range loops, np.zeros((N, M)), indexing
x[i, k], float arithmetic.  Reset the running sum for every (i, j).

A compiled loop does not check its indices: out of range, it reads garbage (or
crashes) instead of raising IndexError.  So the checker first runs your function as
plain Python (Numba keeps it as matmul.py_func), then compiled.

Write matmul, then run:

    python lessons/exercises/ex08_numba_matmul.py

Without Numba installed the function runs (slowly) as plain Python.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402

try:
    from numba import njit
except ImportError:              # no Numba: the same function, run as Python
    def njit(fn):
        return fn


@njit
def matmul(x, W):
    """out = x W in three loops.

    Inputs:
    - x: (N, D) float64
    - W: (D, M) float64
    Returns:
    - out: (N, M) float64, out[i, j] = Σ_k x[i, k] W[k, j]
    """
    raise NotImplementedError("write matmul(x, W) in loops")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("matmul", {"matmul": matmul})
