"""Exercise 7: the generator's step, through a discriminator held fixed.

G wants D to call its samples real.  The non-saturating loss (Goodfellow et al. §3):

    L_G = −(1/m) Σ log D(G(z)) = BCE(a, 1),     a = D(G(z))'s logits, shape (m, 1)

Its gradient reaches G's parameters through D, by the chain rule:

    x = G.forward(z)                       (m, Z) -> (m, d)
    a = D.forward(x)                       (m, d) -> (m, 1)
    loss, dlogits = losses.generator_loss_nonsaturating(a)
    dx = D.backward(dlogits)               (m, 1) -> (m, d): dL/dx, through D
    G.backward(dx)                         fills G's grads
    g_opt.step(G.params(), G.grads())      moves G, and only G

D.backward fills D's gradients on the way, but D's parameters must not move in G's
step: D is held fixed.  (The minimax loss log(1 − D(G(z))) gives G almost no gradient
when D rejects its samples; the non-saturating one gives it the most exactly then.)

Write g_step, then run:

    python lessons/exercises/ex07_generator_step.py

The checker compares with the reference step on copies of G and D, and plays
a 200-step game on N(4, 1.25²) in which your G step must bring G's samples from
near 0 to the data.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402

from numpygan import losses  # noqa: E402,F401


def g_step(G, D, g_opt, z):
    """One non-saturating step of G through a fixed D.

    Inputs:
    - G: a Sequential network, noise (m, Z) -> samples (m, d)
    - D: a Sequential network, samples (m, d) -> logits (m, 1); its parameters must not move
    - g_opt: G's optimizer: g_opt.step(params, grads)
    - z: (m, Z) noise
    Returns:
    - loss: float, −mean log D(G(z)), computed before the step
    """
    raise NotImplementedError("write g_step(G, D, g_opt, z)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("g_step", {"g_step": g_step})
