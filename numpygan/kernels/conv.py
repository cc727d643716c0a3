"""The convolution's loops, in two twins: NumPy and plain Numba loops (NCHW, PyTorch's rules).

A 2-D convolution (a cross-correlation, as in every deep-learning library) of x
(N, C, H, W) with weights W (O, C, k, k), stride s and zero padding p::

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]
    H_out = ⌊(H + 2p − k) / s⌋ + 1          (the same for the width)

where x_pad is x with p zeros on every side.  Its gradients, given dout (N, O, H_out, W_out)::

    dW[o, c, u, v]  = Σ_n Σ_i Σ_j dout[n, o, i, j] · x_pad[n, c, i·s + u, j·s + v]
    db[o]           = Σ_n Σ_i Σ_j dout[n, o, i, j]
    dx_pad[n, c, i·s + u, j·s + v] += W[o, c, u, v] · dout[n, o, i, j]    (then crop p)

The last is the transposed convolution: every output pixel sends its gradient
back to the k × k input pixels it was computed from.  ``layers.ConvTranspose2D``
runs it forward.  The Numba twins test "is (i·s + u − p) inside x?" instead of
building x_pad: a padded pixel is zero and adds nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .checks import float_array, same_dtype
from .switch import jit, make_kernel


def out_size(size, k, stride, padding):
    """⌊(size + 2·padding − k) / stride⌋ + 1: the convolution's output height (or width)."""
    return (size + 2 * padding - k) // stride + 1


# ---------------------------------------------------------------- NumPy twins
def _windows(x, k, stride, padding):
    """Every k × k window of x_pad the kernel visits: (N, C, H_out, W_out, k, k), a view."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return sliding_window_view(x_pad, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]


def _np_conv2d_forward(x, W, b, stride, padding):
    """Convolution forward: out[n,o,i,j] = b[o] + Σ_c,u,v W[o,c,u,v] x_pad[n,c,i·s+u,j·s+v]."""
    win = _windows(x, W.shape[2], stride, padding)            # (N, C, Ho, Wo, k, k)
    out = np.einsum("nchwuv,ocuv->nohw", win, W, optimize=True)
    return out + b[None, :, None, None]                       # (N, O, Ho, Wo)


def _np_conv2d_grad_W(x, dout, k, stride, padding):
    """Weight gradient: dW[o,c,u,v] = Σ_n,i,j dout[n,o,i,j] x_pad[n,c,i·s+u,j·s+v]."""
    win = _windows(x, k, stride, padding)                     # (N, C, Ho, Wo, k, k)
    return np.einsum("nohw,nchwuv->ocuv", dout, win, optimize=True)   # (O, C, k, k)


def _np_conv2d_grad_b(dout):
    """Bias gradient: db[o] = Σ_n,i,j dout[n,o,i,j]."""
    return dout.sum(axis=(0, 2, 3))                           # (O,)


def _np_conv2d_grad_x(dout, W, height, width, stride, padding):
    """Input gradient: each kernel tap (u, v) sends W[o,c,u,v] dout[n,o,i,j] back to
    x_pad[n, c, i·s + u, j·s + v]; then the padding is cropped.  (N, C, height, width)."""
    N, O, Ho, Wo = dout.shape
    C, k = W.shape[1], W.shape[2]
    dx_pad = np.zeros((N, C, height + 2 * padding, width + 2 * padding), dtype=dout.dtype)
    for u in range(k):
        for v in range(k):
            tap = np.einsum("nohw,oc->nchw", dout, W[:, :, u, v])     # (N, C, Ho, Wo)
            dx_pad[:, :, u:u + stride * Ho:stride, v:v + stride * Wo:stride] += tap
    return dx_pad[:, :, padding:padding + height, padding:padding + width]


# ---------------------------------------------------------------- Numba twins
@jit
def _nb_conv2d_forward(x, W, b, stride, padding):  # pragma: no cover - compiled
    N, C, H, Wd = x.shape
    O, k = W.shape[0], W.shape[2]
    Ho, Wo = (H + 2 * padding - k) // stride + 1, (Wd + 2 * padding - k) // stride + 1
    out = np.empty((N, O, Ho, Wo), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    total = b[o]
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                r, s = i * stride + u - padding, j * stride + v - padding
                                if 0 <= r < H and 0 <= s < Wd:     # else a padded zero
                                    total += W[o, c, u, v] * x[n, c, r, s]
                    out[n, o, i, j] = total
    return out


@jit
def _nb_conv2d_grad_W(x, dout, k, stride, padding):  # pragma: no cover - compiled
    N, C, H, Wd = x.shape
    O, Ho, Wo = dout.shape[1], dout.shape[2], dout.shape[3]
    dW = np.zeros((O, C, k, k), dtype=x.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                r, s = i * stride + u - padding, j * stride + v - padding
                                if 0 <= r < H and 0 <= s < Wd:
                                    dW[o, c, u, v] += dout[n, o, i, j] * x[n, c, r, s]
    return dW


@jit
def _nb_conv2d_grad_b(dout):  # pragma: no cover - compiled
    N, O, Ho, Wo = dout.shape
    db = np.zeros(O, dtype=dout.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    db[o] += dout[n, o, i, j]
    return db


@jit
def _nb_conv2d_grad_x(dout, W, height, width, stride, padding):  # pragma: no cover
    N, O, Ho, Wo = dout.shape
    C, k = W.shape[1], W.shape[2]
    dx = np.zeros((N, C, height, width), dtype=dout.dtype)
    for n in range(N):
        for o in range(O):
            for i in range(Ho):
                for j in range(Wo):
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                r, s = i * stride + u - padding, j * stride + v - padding
                                if 0 <= r < height and 0 <= s < width:
                                    dx[n, c, r, s] += W[o, c, u, v] * dout[n, o, i, j]
    return dx


# ---------------------------------------------------------------- checks
def check_geometry(who, height, width, k, stride, padding):
    """Stride, padding and kernel size that give an output of at least 1 × 1; else
    ValueError naming the shapes and the formula."""
    for name, v, low in (("stride", stride, 1), ("padding", padding, 0), ("kernel_size", k, 1)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"{who}: {name} must be an integer >= {low}, got {v!r}")
    if k > height + 2 * padding or k > width + 2 * padding:
        raise ValueError(f"{who}: kernel {k}×{k} is larger than the padded input "
                         f"{height + 2 * padding}×{width + 2 * padding} (H + 2·padding with "
                         f"H×W = {height}×{width}, padding {padding})")
    ho, wo = out_size(height, k, stride, padding), out_size(width, k, stride, padding)
    if ho < 1 or wo < 1:
        raise ValueError(f"{who}: output would be {ho}×{wo}: H_out = ⌊(H + 2·padding − k) / "
                         f"stride⌋ + 1 with H×W = {height}×{width}, k = {k}, stride {stride}, "
                         f"padding {padding}")
    return ho, wo


def _check_forward(x, W, b, stride, padding):
    who = "conv2d_forward"
    float_array(who, "x", x, 4)
    float_array(who, "W", W, 4)
    float_array(who, "b", b, 1)
    same_dtype(who, x=x, W=W, b=b)
    if W.shape[1] != x.shape[1] or W.shape[2] != W.shape[3] or b.shape != (W.shape[0],):
        raise ValueError(f"{who}: x {x.shape} (N, C, H, W), W {W.shape} (O, C, k, k) and "
                         f"b {b.shape} (O,) do not fit: W needs C = {x.shape[1]} input "
                         "channels, a square kernel, and b one value per output channel")
    check_geometry(who, x.shape[2], x.shape[3], W.shape[2], stride, padding)


def _check_grad_W(x, dout, k, stride, padding):
    who = "conv2d_grad_W"
    float_array(who, "x", x, 4)
    float_array(who, "dout", dout, 4)
    same_dtype(who, x=x, dout=dout)
    ho, wo = check_geometry(who, x.shape[2], x.shape[3], k, stride, padding)
    if dout.shape[0] != x.shape[0] or dout.shape[2:] != (ho, wo):
        raise ValueError(f"{who}: dout has shape {dout.shape}, expected (N, O, {ho}, {wo}) "
                         f"with N = {x.shape[0]} for x {x.shape}")


def _check_grad_b(dout):
    float_array("conv2d_grad_b", "dout", dout, 4)


def _check_grad_x(dout, W, height, width, stride, padding):
    who = "conv2d_grad_x"
    float_array(who, "dout", dout, 4)
    float_array(who, "W", W, 4)
    same_dtype(who, dout=dout, W=W)
    ho, wo = check_geometry(who, height, width, W.shape[2], stride, padding)
    if dout.shape[1] != W.shape[0] or dout.shape[2:] != (ho, wo) or W.shape[2] != W.shape[3]:
        raise ValueError(f"{who}: dout has shape {dout.shape} and W {W.shape}: expected dout "
                         f"(N, {W.shape[0]}, {ho}, {wo}) for an input of {height}×{width}")


conv2d_forward = make_kernel(_np_conv2d_forward, _nb_conv2d_forward, _check_forward)
conv2d_grad_W = make_kernel(_np_conv2d_grad_W, _nb_conv2d_grad_W, _check_grad_W)
conv2d_grad_b = make_kernel(_np_conv2d_grad_b, _nb_conv2d_grad_b, _check_grad_b)
conv2d_grad_x = make_kernel(_np_conv2d_grad_x, _nb_conv2d_grad_x, _check_grad_x)

TWINS = {k.__name__: (k.numpy, k.numba) for k in (
    conv2d_forward, conv2d_grad_W, conv2d_grad_b, conv2d_grad_x)}
