"""Exercise 4: one step of Adam (Kingma & Ba 2015).

Both players of a GAN train with Adam.  For one parameter array θ with gradient g, at
step t = 1, 2, 3, … (t counts from 1), with m and v starting at 0:

    m ← β1 m + (1 − β1) g                 running mean of the gradient
    v ← β2 v + (1 − β2) g²                running mean of its square (element-wise)
    m̂ = m / (1 − β1ᵗ)                     bias correction: m, v start at 0, so early
    v̂ = v / (1 − β2ᵗ)                     on they are too small; this undoes it
    θ ← θ − lr · m̂ / (√v̂ + ε)

Every coordinate takes a step of about lr, whatever the size of its gradient.  The
bias correction divides by (1 − βᵗ), with the power t; (1 − β) is a known bug.
Return the raw m and v (not m̂, v̂): the next step continues from them.

Write adam_update, then run:

    python lessons/exercises/ex04_adam.py

(Reference: numpygan/optim.py, Adam.)
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402


def adam_update(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam step at step number t.

    Inputs:
    - theta: parameter array, any shape S
    - grad: dL/dθ, shape S
    - m, v: the running means from the previous step (zeros before the first), shape S
    - t: the step number, 1 on the first step
    - lr, beta1, beta2, eps: Adam's hyper-parameters
    Returns a tuple (theta, m, v): the updated parameters and running means, each shape S
    """
    raise NotImplementedError("write adam_update(theta, grad, m, v, t, ...)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("adam", {"adam_update": adam_update})
