"""Layers that only rearrange: between dense layers (N, F) and images (N, C, H, W).

Nothing is computed, so backward only puts the gradient back in the input's shape:
``dx = dout.reshape(x.shape)``.
"""

from __future__ import annotations

import numpy as np

from .base import Layer, check_array


class Flatten(Layer):
    """(N, d1, d2, ...) -> (N, d1·d2·...): each example's values in one row (C order)."""

    def forward(self, x):
        check_array(x, "Flatten")
        if x.ndim < 2:
            raise ValueError(f"Flatten: input must have a batch axis and at least one more, "
                             f"got shape {x.shape}")
        self.cache = (x.shape, x.dtype)
        return x.reshape(x.shape[0], -1)                       # (N, F)

    def backward(self, dout):
        shape, dtype = self.cached()
        dout = self.check_dout(dout, (shape[0], int(np.prod(shape[1:]))), dtype)
        return dout.reshape(shape)                             # (N, d1, d2, ...)


class Reshape(Layer):
    """(N, ...) -> (N, *shape), e.g. Reshape((C, H, W)) turns flat vectors into images.

    Any input with prod(shape) values per example is accepted, so Reshape((64,))
    flattens 1×8×8 images too.  ``n_in`` = ``n_out`` = prod(shape): a Dense layer
    before it must output that many features.
    """

    def __init__(self, shape):
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if not shape or any(isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer))
                            or d < 1 for d in shape):
            raise ValueError(f"Reshape: shape must be a tuple of positive integers, got {shape!r}")
        self.shape = tuple(int(d) for d in shape)
        self.n_in = self.n_out = int(np.prod(self.shape))

    def config(self):
        return {"shape": list(self.shape)}

    def forward(self, x):
        check_array(x, repr(self))
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != self.n_in:
            raise ValueError(f"{self!r}: each example must hold {self.n_in} values "
                             f"(prod{self.shape}), got input shape {x.shape}")
        self.cache = (x.shape, x.dtype)
        return x.reshape((x.shape[0],) + self.shape)          # (N, *shape)

    def backward(self, dout):
        shape, dtype = self.cached()
        dout = self.check_dout(dout, (shape[0],) + self.shape, dtype)
        return dout.reshape(shape)

    def __repr__(self):
        return f"Reshape({self.shape})"
