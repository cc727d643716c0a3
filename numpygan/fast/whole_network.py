"""A ``Sequential`` of Dense and activation layers, run by the whole-network kernels.

``network.Sequential`` asks ``WholeNetwork.of(...)`` once; when its layers are
all of the kinds below (exactly these classes: a subclass may compute something
else) it gets a runner that turns each pass into one ``mlp_forward`` /
``mlp_backward`` call on the Numba backend.  After a forward, every layer is
given its cache (a view of the activations) as if it had run alone, so
``layer.backward`` still works one layer at a time.
"""

from __future__ import annotations

from operator import is_

import numpy as np

from ..kernels.switch import STATE
from ..layers import Dense, Layer, LeakyReLU, ReLU, Sigmoid, Tanh
from .mlp import DENSE, LEAKY_RELU, RELU, SIGMOID, TANH, mlp_backward, mlp_forward

KINDS = {Dense: DENSE, ReLU: RELU, LeakyReLU: LEAKY_RELU, Tanh: TANH, Sigmoid: SIGMOID}
KEEPS_OUTPUT = (TANH, SIGMOID)   # the others keep their input for backward


class WholeNetwork:
    """The plan of a packed stack (see ``fast.mlp``) and the caches it hands out."""

    @classmethod
    def of(cls, layers, n_in, theta, grad, param_at):
        """A runner for ``layers`` (parameters packed in theta/grad, layer i's at
        ``param_at[i]``), or None when a layer is of a kind the kernels do not know."""
        if theta is None or any(type(layer) not in KINDS for layer in layers):
            return None
        return cls(layers, n_in, theta, grad, param_at)

    def __init__(self, layers, n_in, theta, grad, param_at):
        rows, alphas, spans = [], [], []
        width = n_in
        c = 0                                   # where each output starts among the acts
        for layer, p in zip(layers, param_at):
            kind = KINDS[type(layer)]
            m = layer.n_out if kind == DENSE else width
            rows.append((kind, width, m, p, c))
            alphas.append(layer.alpha if kind == LEAKY_RELU else 0.0)
            spans.append((c, c + m, m, kind in KEEPS_OUTPUT))
            width, c = m, c + m
        self.layers, self.theta, self.grad = list(layers), theta, grad
        self.plan = np.array(rows, dtype=np.int64)          # (L, 5)
        self.alphas = np.array(alphas, dtype=np.float64)    # (L,)
        self.spans = spans
        self.last = None                                    # (x, acts, caches) of the last forward
        self.owners = [l for l in layers if l.param_names]
        self.moves = -1                                     # Layer.moves when last looked over

    def usable(self) -> bool:
        """On the Numba backend, with every parameter still in the packed arrays."""
        if not STATE.numba:
            return False
        if self.moves != Layer.moves:                       # some layer moved since: look
            if any(l.packed_in is not self.theta for l in self.owners):
                return False
            self.moves = Layer.moves
        return True

    def forward(self, x):
        """The stack forward in one call; each layer gets its cache. x (N, D) -> (N, M)."""
        acts = mlp_forward(x, self.theta, self.plan, self.alphas, check=False)
        n = x.shape[0]
        caches, h = [], x
        for layer, (start, stop, m, keeps_output) in zip(self.layers, self.spans):
            out = acts[n * start:n * stop].reshape(n, m)    # (N, M): this layer's output
            layer.cache = out if keeps_output else h
            caches.append(layer.cache)
            h = out
        self.last = (x, acts, caches)
        return h

    def holds_caches(self) -> bool:
        """True when every layer still holds what the last one-call forward gave it."""
        return (self.last is not None and self.usable()
                and all(map(is_, (l.cache for l in self.layers), self.last[2])))

    def backward(self, dout, input_grad=True):
        """The stack backward in one call, after ``forward``: fills grad, returns dL/dx."""
        x, acts, _ = self.last
        return mlp_backward(x, dout, self.theta, self.grad, self.plan, self.alphas, acts,
                            input_grad, check=False)
