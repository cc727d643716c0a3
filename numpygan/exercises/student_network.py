"""The networks and optimizers of a hand-out's ex06 and ex07, built on the student's answers.

A hand-out holds no library: D and G are stacks of the student's own layers,

    Dense       forward/backward: ``dense_forward``, ``dense_backward`` (ex03)
    LeakyReLU   forward/backward: ``leaky_relu_forward``, ``leaky_relu_backward`` (ex02)
    Adam        one step: ``adam_update`` (ex04)

with the same interface as the library's (``forward(x)``, ``backward(dout) -> dx``,
``params()``, ``grads()``, ``opt.step(params, grads)``), so a d_step or g_step
written against one runs unchanged on the other.  The student's files are found on
``sys.path`` (the hand-out's folder).
"""

from __future__ import annotations

import importlib

import numpy as np


def _answer(module, name):
    return getattr(importlib.import_module(module), name)


class Dense:
    """out = x W + b, by your ex03; ``backward`` stores dW, db and returns dx."""

    def __init__(self, W, b):
        self.W, self.b = np.array(W, dtype=np.float64), np.array(b, dtype=np.float64)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)
        self.x = None

    def forward(self, x):
        self.x = x
        return _answer("ex03_dense_backward", "dense_forward")(x, self.W, self.b)

    def backward(self, dout):
        dx, dW, db = _answer("ex03_dense_backward", "dense_backward")(dout, self.x, self.W)
        self.dW, self.db = np.array(dW, dtype=np.float64), np.array(db, dtype=np.float64)
        return dx


class LeakyReLU:
    """out = x where x > 0, alpha·x elsewhere, by your ex02."""

    def __init__(self, alpha=0.2):
        self.alpha = alpha
        self.x = None

    def forward(self, x):
        self.x = x
        return _answer("ex02_leaky_relu", "leaky_relu_forward")(x, self.alpha)

    def backward(self, dout):
        return _answer("ex02_leaky_relu", "leaky_relu_backward")(self.x, dout, self.alpha)


class Sequential:
    """Layers applied in order; backward runs them in reverse (the chain rule)."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def params(self):
        return [a for l in self.layers if isinstance(l, Dense) for a in (l.W, l.b)]

    def grads(self):
        return [a for l in self.layers if isinstance(l, Dense) for a in (l.dW, l.db)]


def mlp(params, alpha=0.2):
    """Dense → LeakyReLU(alpha) → … → Dense from [W0, b0, W1, b1, ...]: D's and G's shape."""
    pairs = list(zip(params[0::2], params[1::2]))
    layers = []
    for i, (W, b) in enumerate(pairs):
        layers.append(Dense(W, b))
        if i < len(pairs) - 1:
            layers.append(LeakyReLU(alpha))
    return Sequential(layers)


class SGD:
    """Plain gradient descent: θ ← θ − lr·g, in place."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * np.asarray(g, dtype=np.float64)


class Adam:
    """Adam, one ``adam_update`` (your ex04) per parameter array; keeps m, v and t."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, None, None

    def step(self, params, grads):
        update = _answer("ex04_adam", "adam_update")
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads)):
            theta, self.m[i], self.v[i] = update(p.copy(), np.array(g, dtype=np.float64),
                                                 self.m[i], self.v[i], self.t, self.lr,
                                                 self.beta1, self.beta2, self.eps)
            p[...] = theta
