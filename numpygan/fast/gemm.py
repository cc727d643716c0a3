"""The tuned matmul: ``out += A B`` with fewer memory round trips, and its parallel form.

The teaching matmul (``kernels.dense``) does one multiply-add per load and store
of ``out[n, m]``: memory traffic, not arithmetic, bounds it.  ``gemm`` does eight
multiply-adds per load/store pair: two rows of out at once (each row of B, once
loaded, serves both) and four k at once (out[n, m] is loaded and stored once per
four products).  It adds the products in another order than the three-loop nest
or BLAS; the sums agree to round-off.  Under Numba 0.60 and older (Python 3.9's)
``gemm`` is ``gemm_rows``, the same arithmetic one row at a time, because that
compiler leaves the loop over a pair of rows unvectorised (``ONE_ROW_AT_A_TIME``);
each element gets the same products in the same order, so the same bits.

Numba compiles ``gemm`` on its own and again inside each kernel that calls it, so
every loop written here is compiled several times over: an odd last row is
therefore paired with itself (its partner's coefficients multiplied by zero)
instead of getting a loop of its own, and a narrow output (a logit column,
M = 1) runs through the same pairs of rows.  Every row thus adds its products
in the same order, whatever N and however the rows are split among threads.

``gemm_parallel`` shares blocks of four rows among the threads (``prange``): no
two threads write the same element.  A block of four runs ``gemm4``, which loads
each row of B once for all four rows; each row gets the same arithmetic as in
``gemm``, so the parallel results equal the serial ones bit for bit.
"""

from __future__ import annotations


from ..kernels.switch import HAVE_NUMBA, njit, numba, prange


def _numba_version():
    return tuple(int(part) for part in numba.__version__.split(".")[:2]) if HAVE_NUMBA \
        else (0, 0)


#: Numba 0.60 and older (Python 3.9's newest) leave the inner loop over a *pair* of rows
#: scalar, while Numba 0.68 vectorises it: most likely its six row pointers that may
#: overlap are more than their compiler checks at run time.  One row at a time (three
#: pointers) vectorises there, so those versions get it; newer ones get the pairs.
ONE_ROW_AT_A_TIME = _numba_version() < (0, 61)


@njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True)
def gemm_pairs(A, B, out):  # pragma: no cover - compiled
    """Accumulate ``out += A @ B``: (N, K) @ (K, M) -> (N, M), all C-contiguous.

    Each row of out depends only on the same row of A (and all of B), so
    threads given disjoint blocks of rows never write the same memory.
    """
    N, K = A.shape
    M = B.shape[1]
    K4 = K - K % 4
    zero, one = A.dtype.type(0), A.dtype.type(1)   # A's dtype: float32 sums stay float32
    for n in range(0, N, 2):
        # rows n and n1 = n + 1; an odd last row is its own partner, scaled by s = 0
        n1 = n + 1 if n + 1 < N else n
        s = one if n1 > n else zero
        for k in range(0, K4, 4):    # out[n, :] += A[n, k:k+4] @ B[k:k+4, :], and so for n1
            a0, a1, a2, a3 = A[n, k], A[n, k + 1], A[n, k + 2], A[n, k + 3]
            c0, c1, c2, c3 = s * A[n1, k], s * A[n1, k + 1], s * A[n1, k + 2], s * A[n1, k + 3]
            for m in range(M):
                w0, w1, w2, w3 = B[k, m], B[k + 1, m], B[k + 2, m], B[k + 3, m]
                out[n, m] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3
                out[n1, m] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3
        for k in range(K4, K):       # the last K % 4 values of k, one at a time
            a0 = A[n, k]
            c0 = s * A[n1, k]
            for m in range(M):
                out[n, m] += a0 * B[k, m]
                out[n1, m] += c0 * B[k, m]


@njit(cache=True, no_cpython_wrapper=True, no_cfunc_wrapper=True)
def gemm_rows(A, B, out):  # pragma: no cover - compiled
    """``gemm_pairs`` one row at a time (for Numba 0.60 and older, ``ONE_ROW_AT_A_TIME``):
    each out[n, m] gets the same products added in the same order, so the same bits."""
    N, K = A.shape
    M = B.shape[1]
    K4 = K - K % 4
    for n in range(N):
        for k in range(0, K4, 4):    # out[n, :] += A[n, k:k+4] @ B[k:k+4, :]
            a0, a1, a2, a3 = A[n, k], A[n, k + 1], A[n, k + 2], A[n, k + 3]
            for m in range(M):
                out[n, m] += a0 * B[k, m] + a1 * B[k + 1, m] + a2 * B[k + 2, m] + a3 * B[k + 3, m]
        for k in range(K4, K):       # the last K % 4 values of k, one at a time
            a0 = A[n, k]
            for m in range(M):
                out[n, m] += a0 * B[k, m]


#: the tuned matmul every kernel calls: the pairs of rows where they vectorise
gemm = gemm_rows if ONE_ROW_AT_A_TIME else gemm_pairs


@njit(cache=True)
def gemm4(A, B, out):  # pragma: no cover - compiled
    """``out += A @ B`` for a block of four rows: (4, K) @ (K, M) -> (4, M)."""
    K = A.shape[1]
    M = B.shape[1]
    K4 = K - K % 4
    for k in range(0, K4, 4):        # out[i, :] += A[i, k:k+4] @ B[k:k+4, :], i = 0..3
        a0, a1, a2, a3 = A[0, k], A[0, k + 1], A[0, k + 2], A[0, k + 3]
        c0, c1, c2, c3 = A[1, k], A[1, k + 1], A[1, k + 2], A[1, k + 3]
        e0, e1, e2, e3 = A[2, k], A[2, k + 1], A[2, k + 2], A[2, k + 3]
        f0, f1, f2, f3 = A[3, k], A[3, k + 1], A[3, k + 2], A[3, k + 3]
        for m in range(M):
            w0, w1, w2, w3 = B[k, m], B[k + 1, m], B[k + 2, m], B[k + 3, m]
            out[0, m] += a0 * w0 + a1 * w1 + a2 * w2 + a3 * w3
            out[1, m] += c0 * w0 + c1 * w1 + c2 * w2 + c3 * w3
            out[2, m] += e0 * w0 + e1 * w1 + e2 * w2 + e3 * w3
            out[3, m] += f0 * w0 + f1 * w1 + f2 * w2 + f3 * w3
    for k in range(K4, K):           # the last K % 4 values of k, one at a time
        for m in range(M):
            out[0, m] += A[0, k] * B[k, m]
            out[1, m] += A[1, k] * B[k, m]
            out[2, m] += A[2, k] * B[k, m]
            out[3, m] += A[3, k] * B[k, m]


@njit(cache=True)
def gemm_serial(A, B, out):  # pragma: no cover - compiled
    """``gemm`` callable from Python (``gemm`` itself is only callable from kernels)."""
    gemm(A, B, out)


@njit(cache=True, parallel=True)
def gemm_parallel(A, B, out):  # pragma: no cover - compiled
    """``out += A @ B`` on all of Numba's threads: (N, K) @ (K, M) -> (N, M)."""
    N = A.shape[0]
    M = B.shape[1]
    for blk in prange((N + 3) // 4):  # blocks of four rows (views, no copies), independent
        lo, hi = 4 * blk, min(4 * blk + 4, N)
        if hi - lo == 4 and M >= 4:
            gemm4(A[lo:hi], B, out[lo:hi])
        else:
            gemm(A[lo:hi], B, out[lo:hi])   # a last, shorter block; a logit column
