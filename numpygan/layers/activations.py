"""Element-wise activations: the same shape in and out, any shape.

    ReLU        out = max(x, 0)                  dx = dout · [x > 0]
    LeakyReLU   out = x if x > 0 else α x        dx = dout if x > 0 else α dout
    Tanh        out = tanh(x)                    dx = dout · (1 − out²)
    Sigmoid     out = σ(x) = 1 / (1 + e^(−x))    dx = dout · out (1 − out)

The ReLUs keep their input for backward, Tanh and Sigmoid their output (the
derivative is cheapest from it).
"""

from __future__ import annotations

from .. import kernels
from .._checks import is_number
from .base import Layer, check_array


class Activation(Layer):
    """An element-wise activation: checks x and dout, and keeps ``cache`` for backward."""

    keeps_shape = True

    def forward(self, x):
        """Checks x (a finite float array of any shape), then applies the activation."""
        check_array(x, type(self).__name__)
        return self.apply(x)

    def backward(self, dout):
        """Checks dout against the forward's shape, then returns dL/dx."""
        cache = self.cached()
        return self.derivative(self.check_dout(dout, cache.shape, cache.dtype))


class ReLU(Activation):
    """``out = max(x, 0)``;  backward ``dx = dout · [x > 0]``."""

    def apply(self, x):
        self.cache = x
        return kernels.relu_forward(x)

    def derivative(self, dout):
        return kernels.relu_backward(self.cache, dout)


class LeakyReLU(Activation):
    """``out = x if x > 0 else alpha·x``;  backward ``dx = dout if x > 0 else alpha·dout``."""

    def __init__(self, alpha: float = 0.2):
        if not (is_number(alpha) and 0 <= alpha < 1):
            raise ValueError(f"LeakyReLU: alpha must be in [0, 1), got {alpha!r}")
        self.alpha = float(alpha)

    def config(self):
        return {"alpha": self.alpha}

    def apply(self, x):
        self.cache = x
        return kernels.leaky_relu_forward(x, self.alpha)

    def derivative(self, dout):
        return kernels.leaky_relu_backward(self.cache, dout, self.alpha)

    def __repr__(self):
        return f"LeakyReLU({self.alpha})"


class Tanh(Activation):
    """``out = tanh(x)``;  backward ``dx = dout · (1 − out²)``."""

    def apply(self, x):
        self.cache = kernels.tanh_forward(x)
        return self.cache

    def derivative(self, dout):
        return kernels.tanh_backward(self.cache, dout)


class Sigmoid(Activation):
    """``out = σ(x) = 1 / (1 + e^(−x))``;  backward ``dx = dout · out (1 − out)``.

    Not for the discriminator's last layer: D outputs logits, and the loss
    applies the sigmoid itself, stably (see ``losses.bce_with_logits``).
    """

    def apply(self, x):
        self.cache = kernels.sigmoid_forward(x)
        return self.cache

    def derivative(self, dout):
        return kernels.sigmoid_backward(self.cache, dout)
