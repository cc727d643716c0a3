"""The convolution on the tuned matmul: im2col, one product, col2im (CS231n's fast layers).

The teaching loops (``kernels.conv``) visit every (output pixel, input channel,
kernel tap) with a test for the padding on each.  Here the padded input's k × k
windows are copied once into the rows of a matrix (im2col), so the whole
convolution is one matrix product on ``fast.gemm``:

    cols[(n, i, j), (c, u, v)] = x_pad[n, c, i·s + u, j·s + v]     (N·H'·W', C·k·k)
    out  = cols @ Wmatᵀ + b        Wmat = W as (O, C·k·k)          (N·H'·W', O)
    dW   = doutᵀ @ cols                                            (O, C·k·k)
    dcols = dout @ Wmat,  then col2im adds each row back onto the window it came from

Same sums as the teaching kernels, in another order: equal to round-off (tested).
The copies cost memory traffic once; the product then runs at the matmul's speed.
``Sequential`` runs ``Conv2D`` and ``ConvTranspose2D`` layers through ``RUNNERS`` on the
Numba backend; a single layer's own ``forward``/``backward`` never come here.
"""

from __future__ import annotations

import numpy as np

from ..kernels.switch import jit
from ..layers import Conv2D, ConvTranspose2D
from .dense import gemm_into


@jit
def _im2col(x_pad, k, s, Ho, Wo):  # pragma: no cover - compiled
    N, C = x_pad.shape[0], x_pad.shape[1]
    cols = np.empty((N * Ho * Wo, C * k * k), dtype=x_pad.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                r = (n * Ho + i) * Wo + j
                q = 0
                for c in range(C):
                    for u in range(k):
                        for v in range(k):
                            cols[r, q] = x_pad[n, c, i * s + u, j * s + v]
                            q += 1
    return cols


@jit
def _col2im(cols, N, C, Hp, Wp, k, s, Ho, Wo):  # pragma: no cover - compiled
    x_pad = np.zeros((N, C, Hp, Wp), dtype=cols.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                r = (n * Ho + i) * Wo + j
                q = 0
                for c in range(C):
                    for u in range(k):
                        for v in range(k):
                            x_pad[n, c, i * s + u, j * s + v] += cols[r, q]
                            q += 1
    return x_pad


def _cols(x, k, s, p):
    """(cols, H', W') of x (N, C, H, W) for a k × k kernel, stride s, padding p."""
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else np.ascontiguousarray(x)
    Ho, Wo = (x_pad.shape[2] - k) // s + 1, (x_pad.shape[3] - k) // s + 1
    return _im2col(x_pad, k, s, Ho, Wo), Ho, Wo


def conv_forward(x, W, b, s, p):
    """out = conv(x, W) + b: (N, C, H, W) -> (N, O, H', W')."""
    O, k = W.shape[0], W.shape[2]
    cols, Ho, Wo = _cols(x, k, s, p)                            # (N·H'·W', C·k·k)
    out = np.empty((cols.shape[0], O), dtype=x.dtype)
    out[...] = b
    gemm_into(cols, W.reshape(O, -1).T, out)                    # (N·H'·W', O)
    return np.ascontiguousarray(out.reshape(x.shape[0], Ho, Wo, O).transpose(0, 3, 1, 2))


def conv_grad_W(x, dout, k, s, p):
    """dW = doutᵀ cols: (O, C, k, k)."""
    cols, _, _ = _cols(x, k, s, p)
    O = dout.shape[1]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, O)               # (N·H'·W', O)
    dW = np.zeros((O, cols.shape[1]), dtype=x.dtype)
    gemm_into(d.T, cols, dW)                                    # (O, C·k·k)
    return dW.reshape(O, x.shape[1], k, k)


def conv_grad_x(dout, W, height, width, s, p):
    """dx: each row of dcols = dout Wmat added back onto its window, the padding cropped."""
    N, O, Ho, Wo = dout.shape
    C, k = W.shape[1], W.shape[2]
    d = dout.transpose(0, 2, 3, 1).reshape(-1, O)               # (N·H'·W', O)
    dcols = np.zeros((d.shape[0], C * k * k), dtype=dout.dtype)
    gemm_into(d, W.reshape(O, -1), dcols)                       # (N·H'·W', C·k·k)
    # the padded input the windows came from (rows a stride skipped stay zero)
    Hp, Wp = max(height + 2 * p, (Ho - 1) * s + k), max(width + 2 * p, (Wo - 1) * s + k)
    dx_pad = _col2im(dcols, N, C, Hp, Wp, k, s, Ho, Wo)
    return dx_pad[:, :, p:p + height, p:p + width]


class _Conv2DRunner:
    """Conv2D's forward and backward on the fast kernels, the layer's checks kept."""

    @staticmethod
    def forward(layer, x):
        layer.check_images(x)
        layer.output_shape(x.shape[2], x.shape[3])
        layer.cache = x
        return conv_forward(x, layer.W, layer.b, layer.stride, layer.padding)

    @staticmethod
    def backward(layer, dout):
        x = layer.cached()
        N, _, H, Wd = x.shape
        dout = layer.check_dout(dout, (N, layer.c_out) + layer.output_shape(H, Wd), layer.dtype)
        s, p = layer.stride, layer.padding
        layer.dW[...] = conv_grad_W(x, dout, layer.k, s, p)
        layer.db[...] = dout.sum(axis=(0, 2, 3))
        return conv_grad_x(dout, layer.W, H, Wd, s, p)


class _ConvTranspose2DRunner:
    """ConvTranspose2D: Conv2D's input gradient forward, its forward backward."""

    @staticmethod
    def forward(layer, x):
        layer.check_images(x)
        ho, wo = layer.output_shape(x.shape[2], x.shape[3])
        layer.cache = x
        out = conv_grad_x(x, layer.W, ho, wo, layer.stride, layer.padding)
        return out + layer.b[None, :, None, None]

    @staticmethod
    def backward(layer, dout):
        x = layer.cached()
        N, _, H, Wd = x.shape
        dout = layer.check_dout(dout, (N, layer.c_out) + layer.output_shape(H, Wd), layer.dtype)
        s, p = layer.stride, layer.padding
        layer.dW[...] = conv_grad_W(dout, x, layer.k, s, p)
        layer.db[...] = dout.sum(axis=(0, 2, 3))
        return conv_forward(dout, layer.W, np.zeros(layer.c_in, dtype=layer.dtype), s, p)


#: The layers Sequential runs on the fast path, one at a time, by exact type.
RUNNERS = {Conv2D: _Conv2DRunner, ConvTranspose2D: _ConvTranspose2DRunner}
