"""Convolution and transposed convolution, NCHW, with PyTorch's layouts and arithmetic.

``Conv2D`` slides a k × k kernel over the (zero-padded) input, ``stride`` pixels at a
time, and takes a dot product at every stop (a cross-correlation).  Its backward
sends every output pixel's gradient back to the pixels it was computed from: that
scatter is the *transposed* convolution, which ``ConvTranspose2D`` runs forward, so
the two layers share their kernels (``numpygan.kernels.conv``), with roles swapped.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..kernels.conv import check_geometry
from .base import Layer, Parameter, as_float_dtype, check_array


def _positive_int(who, name, v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{who}: {name} must be a positive integer, got {v!r}")
    return int(v)


def _draw(rng, init, shape, fan_in, fan_out, who):
    """Initial weights: He N(0, 2/fan_in), Glorot U(±sqrt(6/(fan_in + fan_out))) or
    DCGAN's N(0, 0.02²) (Radford et al. 2015)."""
    if rng is None:
        rng = np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"{who}: rng must be a numpy.random.Generator "
                         f"(np.random.default_rng(seed)), got {type(rng).__name__}")
    if init == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
    if init == "glorot":
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, size=shape)
    if init == "dcgan":
        return rng.normal(0.0, 0.02, size=shape)
    raise ValueError(f"{who}: init must be 'he', 'glorot' or 'dcgan', got {init!r}")


class _ConvBase(Layer):
    """What both convolutions share: sizes, parameters, the input check."""

    param_names = ("W", "b")
    W, b = Parameter(), Parameter()
    dW, db = Parameter(), Parameter()

    def _setup(self, c_in, c_out, kernel_size, stride, padding, dtype):
        who = type(self).__name__
        self.c_in = _positive_int(who, "c_in", c_in)
        self.c_out = _positive_int(who, "c_out", c_out)
        self.k = _positive_int(who, "kernel_size", kernel_size)
        self.stride = _positive_int(who, "stride", stride)
        if isinstance(padding, (bool, np.bool_)) or not isinstance(padding, (int, np.integer)) \
                or padding < 0:
            raise ValueError(f"{who}: padding must be an integer >= 0, got {padding!r}")
        self.padding = int(padding)
        self.dtype = as_float_dtype(dtype)

    def config(self):
        return {"c_in": self.c_in, "c_out": self.c_out, "kernel_size": self.k,
                "stride": self.stride, "padding": self.padding, "init": self.init}

    def check_images(self, x):
        """x as (N, c_in, H, W) float images of the layer's dtype; else ValueError."""
        who = repr(self)
        check_array(x, who)
        if x.ndim != 4:
            raise ValueError(f"{who}: input must be 4-D (N, C, H, W) images, got shape {x.shape}"
                             + (" (a batch of flat vectors: put Reshape((C, H, W)) first)"
                                if x.ndim == 2 else ""))
        if x.shape[1] != self.c_in:
            raise ValueError(f"{who}: input has {x.shape[1]} channels (shape {x.shape}), "
                             f"the layer expects c_in = {self.c_in}")
        if x.shape[0] < 1:
            raise ValueError(f"{who}: input has no images (shape {x.shape}); need N >= 1")
        if x.dtype != self.dtype:
            raise ValueError(f"{who}: input dtype is {x.dtype} but the layer is {self.dtype}; "
                             f"convert with x.astype(np.{self.dtype})")
        return x

    def __repr__(self):
        return (f"{type(self).__name__}({self.c_in}, {self.c_out}, {self.k}, "
                f"stride={self.stride}, padding={self.padding})")


class Conv2D(_ConvBase):
    """2-D convolution: x (N, C, H, W) -> out (N, O, H', W'), C = c_in, O = c_out.

    Forward (a cross-correlation, as PyTorch's ``conv2d``), s = stride, p = padding::

        out[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x_pad[n, c, i·s + u, j·s + v]
        H' = ⌊(H + 2p − k) / s⌋ + 1,   W' likewise;   W (O, C, k, k), b (O,)

    Backward, given dout (N, O, H', W')::

        dW[o, c, u, v] = Σ_n Σ_i Σ_j dout[n, o, i, j] · x_pad[n, c, i·s + u, j·s + v]
        db[o]          = Σ_n Σ_i Σ_j dout[n, o, i, j]
        dx             = the transposed convolution of dout with W: every dout[n, o, i, j]
                         adds W[o, c, u, v] · dout[n, o, i, j] to x_pad[n, c, i·s + u, j·s + v]

    ``init``: "he" (W ~ N(0, 2 / (C k²)), the default), "glorot", or "dcgan" (N(0, 0.02²)).
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, rng=None, init="he",
                 dtype=np.float64):
        self._setup(c_in, c_out, kernel_size, stride, padding, dtype)
        k = self.k
        W = _draw(rng, init, (self.c_out, self.c_in, k, k), self.c_in * k * k,
                  self.c_out * k * k, "Conv2D")
        self.init = init
        self.init_params(W=W, b=np.zeros(self.c_out))

    @classmethod
    def shapes_for(cls, c_in, c_out, kernel_size, **_):
        return {"W": (c_out, c_in, kernel_size, kernel_size), "b": (c_out,)}

    def output_shape(self, height, width):
        """(H', W') for an H × W input; ValueError when no output pixel fits."""
        return check_geometry(repr(self), height, width, self.k, self.stride, self.padding)

    def forward(self, x):
        """x (N, C, H, W) -> out (N, O, H', W'); keeps x for backward."""
        self.check_images(x)
        self.output_shape(x.shape[2], x.shape[3])
        self.cache = x
        return kernels.conv2d_forward(x, self.W, self.b, self.stride, self.padding)

    def backward(self, dout):
        """dout (N, O, H', W') -> dx (N, C, H, W); stores dW (O, C, k, k) and db (O,)."""
        x = self.cached()
        N, _, H, Wd = x.shape
        dout = self.check_dout(dout, (N, self.c_out) + self.output_shape(H, Wd), self.dtype)
        s, p = self.stride, self.padding
        self.dW[...] = kernels.conv2d_grad_W(x, dout, self.k, s, p)   # Σ dout · x_pad window
        self.db[...] = kernels.conv2d_grad_b(dout)                    # Σ over n, i, j
        return kernels.conv2d_grad_x(dout, self.W, H, Wd, s, p)       # scatter W · dout back


class ConvTranspose2D(_ConvBase):
    """Transposed ("fractionally-strided") convolution: (N, C, H, W) -> (N, O, H', W').

    It is Conv2D's input gradient run forward.  Take a Conv2D with weights W of
    shape (C, O, k, k) (C outputs, O inputs), stride s, padding p; its dL/dx
    scatters each of its C output pixels back onto the k × k input pixels it saw::

        out_pad[n, o, i·s + u, j·s + v] += W[c, o, u, v] · x[n, c, i, j],   out = crop(out_pad) + b[o]
        H' = (H − 1)·s − 2p + k      (so that a Conv2D with the same k, s, p maps H' back to H)

    W (C, O, k, k) = (c_in, c_out, k, k) and b (O,): PyTorch's ``conv_transpose2d``.
    With k = 4, s = 2, p = 1 it doubles H exactly.  Backward, given dout (N, O, H', W')::

        dx  = Conv2D forward of dout with W (no bias): (N, O, H', W') -> (N, C, H, W)
        dW[c, o, u, v] = Σ_n Σ_i Σ_j x[n, c, i, j] · dout_pad[n, o, i·s + u, j·s + v]
        db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]

    ``init``: "he" (with the fan-in c_in·k²/s² each output pixel really has), "glorot"
    or "dcgan".
    """

    def __init__(self, c_in, c_out, kernel_size, stride=1, padding=0, rng=None, init="he",
                 dtype=np.float64):
        self._setup(c_in, c_out, kernel_size, stride, padding, dtype)
        k, s = self.k, self.stride
        W = _draw(rng, init, (self.c_in, self.c_out, k, k), max(1.0, self.c_in * k * k / s ** 2),
                  self.c_out * k * k, "ConvTranspose2D")
        self.init = init
        self.init_params(W=W, b=np.zeros(self.c_out))

    @classmethod
    def shapes_for(cls, c_in, c_out, kernel_size, **_):
        return {"W": (c_in, c_out, kernel_size, kernel_size), "b": (c_out,)}

    def output_shape(self, height, width):
        """(H', W') = ((H − 1)·s − 2p + k, likewise); ValueError when it is below 1."""
        s, p, k = self.stride, self.padding, self.k
        ho, wo = (height - 1) * s - 2 * p + k, (width - 1) * s - 2 * p + k
        if ho < 1 or wo < 1:
            raise ValueError(f"{self!r}: output would be {ho}×{wo}: H' = (H − 1)·stride − "
                             f"2·padding + k with H×W = {height}×{width}")
        return ho, wo

    def forward(self, x):
        """x (N, C, H, W) -> out (N, O, H', W'); keeps x for backward."""
        self.check_images(x)
        ho, wo = self.output_shape(x.shape[2], x.shape[3])
        self.cache = x
        out = kernels.conv2d_grad_x(x, self.W, ho, wo, self.stride, self.padding)
        return out + self.b[None, :, None, None]                     # (N, O, H', W')

    def backward(self, dout):
        """dout (N, O, H', W') -> dx (N, C, H, W); stores dW (C, O, k, k) and db (O,)."""
        x = self.cached()
        N, _, H, Wd = x.shape
        dout = self.check_dout(dout, (N, self.c_out) + self.output_shape(H, Wd), self.dtype)
        s, p = self.stride, self.padding
        self.dW[...] = kernels.conv2d_grad_W(dout, x, self.k, s, p)   # Σ x · dout_pad window
        self.db[...] = kernels.conv2d_grad_b(dout)                    # Σ over n, i, j
        no_bias = np.zeros(self.c_in, dtype=self.dtype)
        return kernels.conv2d_forward(dout, self.W, no_bias, s, p)    # a Conv2D forward
