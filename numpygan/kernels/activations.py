"""The activations and their derivatives, element by element, in two twins.

    ReLU        out = max(x, 0)                  dx = dout · [x > 0]
    LeakyReLU   out = x if x > 0 else α x        dx = dout if x > 0 else α dout
    Tanh        out = tanh(x)                    dx = dout · (1 − out²)
    Sigmoid     out = σ(x) = 1 / (1 + e^(−x))    dx = dout · out (1 − out)

Any shape in, the same shape out: (N, M) after a dense layer, (N, C, H, W) after a
convolution.  The backward kernels take what the derivative is cheapest from: the
input x for the ReLUs, the output for Tanh and Sigmoid.  A Numba twin sees its
array as one row of values (``ravel``) and loops over them.
"""

from __future__ import annotations

import numpy as np

from .checks import float_array, same_dtype, same_shape
from .switch import jit, make_kernel


# ---------------------------------------------------------------- NumPy twins
def _np_relu_forward(x):
    """ReLU: ``out = max(x, 0)``."""
    return np.maximum(x, 0)


def _np_relu_backward(x, dout):
    """ReLU backward: ``dx = dout · [x > 0]``."""
    return dout * (x > 0)


def _np_leaky_relu_forward(x, alpha):
    """LeakyReLU: ``out = x if x > 0 else alpha·x``."""
    return np.where(x > 0, x, x.dtype.type(alpha) * x)


def _np_leaky_relu_backward(x, dout, alpha):
    """LeakyReLU backward: ``dx = dout if x > 0 else alpha·dout``."""
    return np.where(x > 0, dout, dout.dtype.type(alpha) * dout)


def _np_tanh_forward(x):
    """Tanh: ``out = tanh(x)``."""
    return np.tanh(x)


def _np_tanh_backward(out, dout):
    """Tanh backward from its output: ``dx = dout · (1 − out²)``."""
    return dout * (1 - out * out)


def _np_sigmoid_forward(x):
    """Sigmoid, computed stably: ``out = 1 / (1 + e^(−x))``."""
    e = np.exp(-np.abs(x))          # exp of a non-positive number only: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _np_sigmoid_backward(out, dout):
    """Sigmoid backward from its output: ``dx = dout · out (1 − out)``."""
    return dout * out * (1 - out)


# ---------------------------------------------------------------- Numba twins
@jit
def _nb_relu_forward(x):  # pragma: no cover - compiled
    xs = np.ravel(x)
    out = np.empty_like(xs)
    for i in range(xs.size):
        out[i] = xs[i] if xs[i] > 0 else 0.0
    return out.reshape(x.shape)


@jit
def _nb_relu_backward(x, dout):  # pragma: no cover - compiled
    xs, gs = np.ravel(x), np.ravel(dout)
    dx = np.empty_like(gs)
    for i in range(gs.size):
        dx[i] = gs[i] if xs[i] > 0 else 0.0
    return dx.reshape(dout.shape)


@jit
def _nb_leaky_relu_forward(x, alpha):  # pragma: no cover - compiled
    xs = np.ravel(x)
    out = np.empty_like(xs)
    for i in range(xs.size):
        out[i] = xs[i] if xs[i] > 0 else alpha * xs[i]
    return out.reshape(x.shape)


@jit
def _nb_leaky_relu_backward(x, dout, alpha):  # pragma: no cover - compiled
    xs, gs = np.ravel(x), np.ravel(dout)
    dx = np.empty_like(gs)
    for i in range(gs.size):
        dx[i] = gs[i] if xs[i] > 0 else alpha * gs[i]
    return dx.reshape(dout.shape)


@jit
def _nb_tanh_forward(x):  # pragma: no cover - compiled
    xs = np.ravel(x)
    out = np.empty_like(xs)
    for i in range(xs.size):
        out[i] = np.tanh(xs[i])                  # saturates at ±1, never overflows
    return out.reshape(x.shape)


@jit
def _nb_tanh_backward(out, dout):  # pragma: no cover - compiled
    os_, gs = np.ravel(out), np.ravel(dout)
    dx = np.empty_like(gs)
    for i in range(gs.size):
        dx[i] = gs[i] * (1 - os_[i] * os_[i])
    return dx.reshape(dout.shape)


@jit
def _nb_sigmoid_forward(x):  # pragma: no cover - compiled
    xs = np.ravel(x)
    out = np.empty_like(xs)
    for i in range(xs.size):
        e = np.exp(-abs(xs[i]))                  # in (0, 1]: never overflows
        out[i] = 1 / (1 + e) if xs[i] >= 0 else e / (1 + e)
    return out.reshape(x.shape)


@jit
def _nb_sigmoid_backward(out, dout):  # pragma: no cover - compiled
    os_, gs = np.ravel(out), np.ravel(dout)
    dx = np.empty_like(gs)
    for i in range(gs.size):
        dx[i] = gs[i] * os_[i] * (1 - os_[i])
    return dx.reshape(dout.shape)


# ---------------------------------------------------------------- checks
def _check_forward(x, alpha=0.0):
    float_array("activation", "x", x)


def _check_backward(cached, dout, alpha=0.0):
    float_array("activation backward", "x (or out)", cached)
    float_array("activation backward", "dout", dout)
    same_shape("activation backward", "x (or out)", cached, "dout", dout)
    same_dtype("activation backward", cached=cached, dout=dout)


relu_forward = make_kernel(_np_relu_forward, _nb_relu_forward, _check_forward)
relu_backward = make_kernel(_np_relu_backward, _nb_relu_backward, _check_backward)
leaky_relu_forward = make_kernel(_np_leaky_relu_forward, _nb_leaky_relu_forward, _check_forward)
leaky_relu_backward = make_kernel(_np_leaky_relu_backward, _nb_leaky_relu_backward, _check_backward)
tanh_forward = make_kernel(_np_tanh_forward, _nb_tanh_forward, _check_forward)
tanh_backward = make_kernel(_np_tanh_backward, _nb_tanh_backward, _check_backward)
sigmoid_forward = make_kernel(_np_sigmoid_forward, _nb_sigmoid_forward, _check_forward)
sigmoid_backward = make_kernel(_np_sigmoid_backward, _nb_sigmoid_backward, _check_backward)

TWINS = {k.__name__: (k.numpy, k.numba) for k in (
    relu_forward, relu_backward, leaky_relu_forward, leaky_relu_backward,
    tanh_forward, tanh_backward, sigmoid_forward, sigmoid_backward)}
