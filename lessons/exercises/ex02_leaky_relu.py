"""Exercise 2: the LeakyReLU activation, forward and backward.

D's hidden units in numpygan are LeakyReLUs (slope alpha = 0.2): unlike a ReLU they
pass a little gradient where x < 0, so no unit dies.

    forward:   out = x          where x > 0
               out = alpha · x  where x ≤ 0                        (N, M) -> (N, M)

    backward:  given dout = dL/dout (N, M), the chain rule, entry by entry:
               dx = dout · f'(x),   f'(x) = 1 where x > 0, alpha where x ≤ 0

Rules of the layer contract (numpygan/layers/base.py): forward must not change x in place
(backward needs it), and backward returns a new array.

Write both functions, then run:

    python lessons/exercises/ex02_leaky_relu.py

The last check is a gradient check: your backward against central differences
(f(x + h) − f(x − h)) / 2h of your forward.  (Reference: numpygan/layers/activations.py, LeakyReLU.)
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402


def leaky_relu_forward(x, alpha):
    """out = x where x > 0, alpha·x elsewhere.

    Inputs:
    - x: (N, M) float array (not changed)
    - alpha: the slope for x ≤ 0, 0 ≤ alpha < 1
    Returns:
    - out: (N, M)
    """
    raise NotImplementedError("write leaky_relu_forward(x, alpha)")


def leaky_relu_backward(x, dout, alpha):
    """dx = dout where x > 0, alpha·dout elsewhere (the chain rule: dout · f'(x)).

    Inputs:
    - x: (N, M) the forward pass's input
    - dout: (N, M) the upstream gradient dL/dout
    - alpha: the slope used in the forward pass
    Returns:
    - dx: (N, M), dL/dx
    """
    raise NotImplementedError("write leaky_relu_backward(x, dout, alpha)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("leaky_relu", {"leaky_relu_forward": leaky_relu_forward,
                                 "leaky_relu_backward": leaky_relu_backward})
