"""Exercise 9: a convolution's backward pass, by hand.

A DCGAN's discriminator is "a CNN which looks at images" (Radford et al. 2015): a
stack of 2-D convolutions.  Here you write the backward pass of one, Conv2D, with
PyTorch's conventions (NCHW arrays; the forward is a cross-correlation, as in
torch.nn.functional.conv2d).  Shapes, s = stride, p = padding:

    x     (N, C, H, Wd)          N images, C channels, H × Wd pixels (W is the weights)
    W     (O, C, k, k)           O kernels of C channels, k × k: output channel first
    b     (O,)
    out   (N, O, H_out, W_out)   H_out = ⌊(H + 2p − k) / s⌋ + 1, W_out likewise
    x_pad (N, C, H + 2p, Wd + 2p)   x with p zeros on every side:
                                    x = x_pad[:, :, p:p + H, p:p + Wd]

Forward (conv2d_forward below, written out in loops: read it first):

    out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]

Output pixel (i, j) is the dot product of the kernel with the k × k window of x_pad
whose top-left corner is (i·s, j·s).  Backward: given dout = dL/dout, of out's
shape, each term W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v] of that sum passes
dout[n, o, i, j] to both of its factors (the chain rule, as for x W in ex03):

    dW[o, c, u, v] = Σ_n Σ_i Σ_j dout[n, o, i, j] · x_pad[n, c, i·s + u, j·s + v]
                                                                       dW (O, C, k, k)
    db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]                               db (O,)
    dx_pad[n, c, i·s + u, j·s + v] += W[o, c, u, v] · dout[n, o, i, j]
        for every n, o, i, j, c, u, v (windows overlap: add, +=)
                                                    dx_pad (N, C, H + 2p, Wd + 2p)
    dx = dx_pad[:, :, p:p + H, p:p + Wd]                               dx (N, C, H, Wd)

The last two lines send every output pixel's gradient back to the k × k input
pixels it was computed from: that scatter is the *transposed convolution*, the
layer a DCGAN's generator upsamples with (numpygan's ConvTranspose2D runs it forward).

Five places where it usually goes wrong (the checker names each):
- No flip.  Textbooks often write dx as a "full" cross-correlation of dout (dilated by
  the stride, padded by k − 1 − p) with the kernel rotated by 180°: that is the
  scatter above, written another way.  In the scatter, and in dW, W[o, c, u, v] and
  the offsets (+u, +v) are used as they are: nothing is rotated.
- The stride is in both indices: the window of output pixel (i, j) starts at (i·s, j·s).
- The padding: accumulate into dx_pad, then crop p from every side.  Careful:
  dx_pad[:, :, p:-p] is empty when p = 0.
- Sums, not means: dW and db sum over the batch n and the pixels (i, j); the loss's
  1/N is already inside dout.  db keeps one axis, the channel (axis 1 in NCHW).
- dW has W's shape (O, C, k, k), output channel first.

Write conv2d_backward with loops that follow these equations (seven nested loops
are fine at the checker's sizes), then run:

    python lessons/exercises/ex09_conv_backward.py

Once it passes, for speed: keep only the loops over the taps (u, v) and do the rest
of each tap's work on whole arrays with one np.einsum (or @), as the library does.

(Reference: numpygan/layers/conv.py, Conv2D, and its loops in numpygan/kernels/conv.py.)
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402


def conv2d_forward(x, W, b, stride, padding):
    """Given (not an exercise): out[n, o, i, j] = b[o] + Σ_c,u,v W[o, c, u, v] x_pad[...].

    Inputs:
    - x: (N, C, H, Wd) images; W: (O, C, k, k) kernels; b: (O,) bias
    - stride: s >= 1; padding: p >= 0 zeros added on every side
    Returns:
    - out: (N, O, H_out, W_out), H_out = (H + 2p − k) // s + 1
    """
    N, C, H, Wd = x.shape
    O, _, k, _ = W.shape
    s, p = stride, padding
    H_out, W_out = (H + 2 * p - k) // s + 1, (Wd + 2 * p - k) // s + 1
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))         # (N, C, H + 2p, Wd + 2p)
    out = np.zeros((N, O, H_out, W_out))
    for n in range(N):
        for o in range(O):
            for i in range(H_out):
                for j in range(W_out):
                    total = b[o]
                    for c in range(C):
                        for u in range(k):
                            for v in range(k):
                                total += W[o, c, u, v] * x_pad[n, c, i * s + u, j * s + v]
                    out[n, o, i, j] = total
    return out


def conv2d_backward(dout, x, W, stride, padding):
    """The gradients of a convolution, given the upstream gradient dout = dL/dout.

    Inputs:
    - dout: (N, O, H_out, W_out) upstream gradient
    - x: (N, C, H, Wd) the forward pass's input
    - W: (O, C, k, k) the kernels
    - stride: s >= 1; padding: p >= 0 (as in the forward)
    Returns a tuple (dx, dW, db):
    - dx: (N, C, H, Wd)   dx_pad[n, c, i·s + u, j·s + v] += W[o, c, u, v] dout[n, o, i, j],
                          then cropped: dx = dx_pad[:, :, p:p + H, p:p + Wd]
    - dW: (O, C, k, k)    dW[o, c, u, v] = Σ_n,i,j dout[n, o, i, j] x_pad[n, c, i·s + u, j·s + v]
    - db: (O,)            db[o] = Σ_n,i,j dout[n, o, i, j]
    """
    raise NotImplementedError("write conv2d_backward(dout, x, W, stride, padding)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("conv_backward", {"conv2d_backward": conv2d_backward})
