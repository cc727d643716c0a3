"""The dense layer's four loops, each in two twins: NumPy and plain Numba loops.

    forward   out = x W + b          out[n, m] = b[m] + Σ_d x[n, d] W[d, m]   (N, D) @ (D, M) -> (N, M)
    backward  dW  = xᵀ dout          dW[d, m]  = Σ_n x[n, d] dout[n, m]       (D, N) @ (N, M) -> (D, M)
              db  = Σ_n dout[n]      db[m]     = Σ_n dout[n, m]               (N, M) -> (M,)
              dx  = dout Wᵀ          dx[n, d]  = Σ_m dout[n, m] W[d, m]       (N, M) @ (M, D) -> (N, D)

The Numba twins are the matmul as a student writes it: three nested loops, one
multiply-add per step.  The loops run n, then d, then m, so the innermost loop
walks a row of W (and of out) through consecutive memory.  The tuned versions
(blocked, unrolled, parallel) live in ``numpygan.fast``, which is tested against
these.
"""

from __future__ import annotations

import numpy as np

from .checks import float_array, same_dtype
from .switch import jit, make_kernel


# ---------------------------------------------------------------- NumPy twins
def _np_matmul_bias(x, W, b):
    """Dense forward: ``out = x W + b``, (N, D) @ (D, M) + (M,) -> (N, M)."""
    return x @ W + b


def _np_grad_W(x, dout):
    """Weight gradient of a dense layer: ``dW = xᵀ dout``, (D, N) @ (N, M) -> (D, M)."""
    return x.T @ dout


def _np_grad_b(dout):
    """Bias gradient of a dense layer: ``db[m] = Σ_n dout[n, m]``, (N, M) -> (M,)."""
    return dout.sum(axis=0)


def _np_grad_x(dout, W):
    """Input gradient of a dense layer: ``dx = dout Wᵀ``, (N, M) @ (M, D) -> (N, D)."""
    return dout @ W.T


# ---------------------------------------------------------------- Numba twins
@jit
def _nb_matmul_bias(x, W, b):  # pragma: no cover - compiled
    N, D = x.shape
    M = W.shape[1]
    out = np.empty((N, M), dtype=x.dtype)         # (N, M)
    for n in range(N):
        for m in range(M):
            out[n, m] = b[m]                      # every row starts at the bias
        for d in range(D):
            for m in range(M):
                out[n, m] += x[n, d] * W[d, m]
    return out


@jit
def _nb_grad_W(x, dout):  # pragma: no cover - compiled
    N, D = x.shape
    M = dout.shape[1]
    dW = np.zeros((D, M), dtype=x.dtype)          # (D, M)
    for n in range(N):
        for d in range(D):
            for m in range(M):
                dW[d, m] += x[n, d] * dout[n, m]
    return dW


@jit
def _nb_grad_b(dout):  # pragma: no cover - compiled
    N, M = dout.shape
    db = np.zeros(M, dtype=dout.dtype)            # (M,)
    for n in range(N):
        for m in range(M):
            db[m] += dout[n, m]
    return db


@jit
def _nb_grad_x(dout, W):  # pragma: no cover - compiled
    N, M = dout.shape
    D = W.shape[0]
    dx = np.zeros((N, D), dtype=dout.dtype)       # (N, D)
    for n in range(N):
        for d in range(D):
            for m in range(M):
                dx[n, d] += dout[n, m] * W[d, m]
    return dx


# ---------------------------------------------------------------- checks
def _check_matmul_bias(x, W, b):
    who = "matmul_bias"
    float_array(who, "x", x, 2)
    float_array(who, "W", W, 2)
    float_array(who, "b", b, 1)
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"{who}: x has shape {x.shape} but W has shape {W.shape}: x W needs "
                         f"x.shape[1] == W.shape[0] (did you transpose W?)")
    if b.shape != (W.shape[1],):
        raise ValueError(f"{who}: b must have shape ({W.shape[1]},), got {b.shape}")
    same_dtype(who, x=x, W=W, b=b)


def _check_grad_W(x, dout):
    float_array("grad_W", "x", x, 2)
    float_array("grad_W", "dout", dout, 2)
    if x.shape[0] != dout.shape[0]:
        raise ValueError(f"grad_W: x has shape {x.shape} and dout has shape {dout.shape}: "
                         "xᵀ dout needs the same number of rows N")
    same_dtype("grad_W", x=x, dout=dout)


def _check_grad_b(dout):
    float_array("grad_b", "dout", dout, 2)


def _check_grad_x(dout, W):
    float_array("grad_x", "dout", dout, 2)
    float_array("grad_x", "W", W, 2)
    if dout.shape[1] != W.shape[1]:
        raise ValueError(f"grad_x: dout has shape {dout.shape} and W has shape {W.shape}: "
                         "dout Wᵀ needs dout.shape[1] == W.shape[1]")
    same_dtype("grad_x", dout=dout, W=W)


matmul_bias = make_kernel(_np_matmul_bias, _nb_matmul_bias, _check_matmul_bias)
grad_W = make_kernel(_np_grad_W, _nb_grad_W, _check_grad_W)
grad_b = make_kernel(_np_grad_b, _nb_grad_b, _check_grad_b)
grad_x = make_kernel(_np_grad_x, _nb_grad_x, _check_grad_x)

TWINS = {k.__name__: (k.numpy, k.numba) for k in (matmul_bias, grad_W, grad_b, grad_x)}
