"""Exercise 6: the discriminator's training step (Algorithm 1, the inner loop).

D ascends the value function on a minibatch of m real and m generated samples:

    V = (1/m) Σ log D(x_real) + (1/m) Σ log(1 − D(x_fake)),    D(x) = σ(D's logit).

Equivalently, D descends its loss −V, which is two binary cross-entropies from logits:

    loss = BCE(a_real, 1) + BCE(a_fake, 0)        a = D.forward(x), shape (m, 1)

Use the pieces you are given (in the repository: numpygan's network, losses and
optimizers; in a hand-out: the same, built from your own ex01–ex04 answers):

    logits = D.forward(x)                  (2m, 1) -> (2m, 1): caches x for backward
    loss, d_real, d_fake = losses.discriminator_loss(real_logits, fake_logits)
    D.backward(dlogits)                    fills D's grads (it OVERWRITES them)
    d_opt.step(D.params(), D.grads())      moves D's parameters

Mind the cache: D.backward uses the input of the LAST D.forward, and a second
backward replaces the first one's gradients.  Run D once on both batches together
(np.concatenate) and call backward once.

Write d_step, then run:

    python lessons/exercises/ex06_discriminator_step.py

The checker compares your step with the reference step on copies of one network,
and trains a D with it for 400 steps: D must approach D* (Proposition 1).
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402

from numpygan import losses  # noqa: E402,F401


def d_step(D, d_opt, x_real, x_fake):
    """One step of D on the minibatch: descend BCE(D(x_real), 1) + BCE(D(x_fake), 0).

    Inputs:
    - D: a Sequential network, (n, d) -> (n, 1) logits
    - d_opt: D's optimizer (SGD or Adam): d_opt.step(params, grads)
    - x_real: (m, d) samples of p_data;  x_fake: (m, d) samples G(z) (not changed)
    Returns:
    - loss: float, −V on this minibatch, computed before the step
    """
    raise NotImplementedError("write d_step(D, d_opt, x_real, x_fake)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("d_step", {"d_step": d_step})
