"""The pieces ex06 and ex07 build on, taken from the library (the repository's kit).

A checker of ex06/ex07 asks its ``kit`` for networks and optimizers:

    kit.mlp(params)            a LeakyReLU(0.2) MLP holding copies of [W0, b0, W1, b1, ...]
    kit.SGD(lr), kit.Adam(lr, beta1=...)
    kit.sigmoid(a), kit.discriminator_loss(real_logits, fake_logits) -> (loss, d_real, d_fake)
    kit.d_step(D, d_opt, x_real, x_fake)     D's step in ex07's game
    kit.own_pieces, kit.missing(names)       whether the pieces are a student's own answers,
                                             and which of those do not pass yet

In the repository the pieces are the library's (``LIBRARY``).  In a hand-out they are
the student's own answers to ex01–ex04 and ex06 (``handout_pieces.py``), so the
hand-out holds no solution.
"""

from __future__ import annotations

import numpy as np

from .. import losses
from ..gan import discriminator_step
from ..network import mlp as _mlp
from ..optim import SGD, Adam


class LibraryKit:
    own_pieces = False

    @staticmethod
    def mlp(params):
        sizes = [params[0].shape[0]] + [W.shape[1] for W in params[0::2]]
        net = _mlp(sizes, hidden="leaky_relu", alpha=0.2, rng=np.random.default_rng(0))
        for p, value in zip(net.params(), params):
            p[...] = value
        return net

    SGD = SGD
    Adam = Adam
    sigmoid = staticmethod(losses.sigmoid)
    discriminator_loss = staticmethod(losses.discriminator_loss)

    @staticmethod
    def d_step(D, d_opt, x_real, x_fake):
        return discriminator_step(D, d_opt, x_real, x_fake)["loss"]

    @staticmethod
    def missing(names):
        return None


LIBRARY = LibraryKit()


def players(seed, width=8):
    """G and D, 1 → width → width → 1 LeakyReLU MLPs drawn from one seeded rng, and the rng."""
    rng = np.random.default_rng(seed)
    G = _mlp([1, width, width, 1], hidden="leaky_relu", rng=rng)
    D = _mlp([1, width, width, 1], hidden="leaky_relu", rng=rng)
    return G, D, rng
