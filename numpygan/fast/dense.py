"""The dense layer's three products on the tuned matmul, on all cores when they are large.

Same arguments, same checks and the same numbers (to round-off) as the teaching
kernels ``kernels.matmul_bias``, ``kernels.grad_W`` and ``kernels.grad_x``.  On the
NumPy backend these simply call the NumPy twins: BLAS is NumPy's fast path.

A product goes to the parallel kernel only when it is large: starting the
threads has a fixed cost that small products never earn back, and a program
that never makes a large product never compiles the parallel kernel.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..kernels.switch import STATE
from .gemm import gemm_parallel, gemm_serial

#: A product runs on all of Numba's threads when it has at least this many
#: floating-point operations (2·N·D·M) ...
PARALLEL_MIN_FLOPS = 4_000_000
#: ... and its weight matrix at least this many entries (D·M).
PARALLEL_MIN_WEIGHTS = 128 * 128


def is_large(n, d, m) -> bool:
    """True when an (n, d) @ (d, m) product is large enough for the parallel kernel."""
    return d * m >= PARALLEL_MIN_WEIGHTS and 2 * n * d * m >= PARALLEL_MIN_FLOPS


def gemm_into(A, B, out):
    """``out += A @ B`` on the serial or the parallel loop nest, by size; rows contiguous."""
    run = gemm_parallel if is_large(A.shape[0], A.shape[1], B.shape[1]) else gemm_serial
    run(np.ascontiguousarray(A), np.ascontiguousarray(B), out)
    return out


def matmul_bias(x, W, b):
    """Dense forward ``out = x W + b`` on the tuned matmul: (N, D) @ (D, M) + (M,) -> (N, M)."""
    kernels.matmul_bias.check(x, W, b)
    if not STATE.numba:
        return kernels.matmul_bias.numpy(x, W, b)
    out = np.empty((x.shape[0], W.shape[1]), dtype=x.dtype)
    out[...] = b                                  # every row starts at the bias
    return gemm_into(x, W, out)


def grad_W(x, dout):
    """Weight gradient ``dW = xᵀ dout`` on the tuned matmul: (D, N) @ (N, M) -> (D, M)."""
    kernels.grad_W.check(x, dout)
    if not STATE.numba:
        return kernels.grad_W.numpy(x, dout)
    return gemm_into(x.T, dout, np.zeros((x.shape[1], dout.shape[1]), dtype=x.dtype))


def grad_x(dout, W):
    """Input gradient ``dx = dout Wᵀ`` on the tuned matmul: (N, M) @ (M, D) -> (N, D)."""
    kernels.grad_x.check(dout, W)
    if not STATE.numba:
        return kernels.grad_x.numpy(dout, W)
    return gemm_into(dout, W.T, np.zeros((dout.shape[0], W.shape[0]), dtype=dout.dtype))
