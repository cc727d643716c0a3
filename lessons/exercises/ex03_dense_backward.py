"""Exercise 3: a dense layer by hand, forward and backward.

N examples in a batch, D inputs, M outputs.  Forward:

    out = x W + b                 (N, D) @ (D, M) + (M,) -> (N, M)

Backward: given dout = dL/dout, of shape (N, M), the chain rule gives

    dx = dout Wᵀ                  (N, M) @ (M, D) -> (N, D)
    dW = xᵀ dout                  (D, N) @ (N, M) -> (D, M)
    db = Σ_n dout[n, :]           (N, M) -> (M,)      a sum over the batch

Each gradient has the shape of what it is the gradient of (dW like W, dx like x).
Write dW = xᵀ dout out by entries to see why: dW[d, m] = Σ_n x[n, d] dout[n, m].

Sum, don't average, over the batch: if the loss is a mean over the batch, its 1/N is
already inside dout.

Write both functions, then run:

    python lessons/exercises/ex03_dense_backward.py

(Reference: numpygan/layers/dense.py, Dense; the gradient check: numpygan/gradcheck.py.)
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402


def dense_forward(x, W, b):
    """out = x W + b.

    Inputs:
    - x: (N, D) inputs, one row per example
    - W: (D, M) weights
    - b: (M,) bias, added to every row
    Returns:
    - out: (N, M)
    """
    raise NotImplementedError("write dense_forward(x, W, b)")


def dense_backward(dout, x, W):
    """The gradients of a dense layer, given the upstream gradient dout = dL/dout.

    Inputs:
    - dout: (N, M) upstream gradient
    - x: (N, D) the forward pass's input
    - W: (D, M) the weights
    Returns a tuple (dx, dW, db):
    - dx: (N, D) = dout Wᵀ
    - dW: (D, M) = xᵀ dout
    - db: (M,)   = Σ_n dout[n]
    """
    raise NotImplementedError("write dense_backward(dout, x, W)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("dense", {"dense_forward": dense_forward, "dense_backward": dense_backward})
