"""Ready-made players: the small DCGAN of lesson 13 (and of ``bench --conv``).

DCGAN (Radford et al. 2015) at the size of 8×8 grey images, flattened to 64 values in
[−1, 1] so that it plays the same GAN as lesson 12's dense players::

    G:  z (N, Z) → Dense → (N, 2w, 2, 2) → BatchNorm, ReLU
                 → ConvTranspose2D 4×4, stride 2 → (N, w, 4, 4) → BatchNorm, ReLU
                 → ConvTranspose2D 4×4, stride 2 → (N, 1, 8, 8) → Tanh → (N, 64)
    D:  x (N, 64) → (N, 1, 8, 8) → Conv2D 4×4, stride 2 → (N, w, 4, 4) → LeakyReLU(0.2)
                 → Conv2D 4×4, stride 2 → (N, 2w, 2, 2) → BatchNorm, LeakyReLU(0.2)
                 → Flatten → Dense → one logit

The paper's rules: no pooling (strided convolutions up and down), batch norm in G
(not its output layer) and in D (not its input layer), ReLU in G with a tanh output,
LeakyReLU 0.2 in D, weights drawn from N(0, 0.02²).  A 4×4 kernel with stride 2 and
padding 1 doubles (or halves) the size exactly: no uneven overlap, so no checkerboard.
"""

from __future__ import annotations

import numpy as np

from .layers import (BatchNorm, Conv2D, ConvTranspose2D, Dense, Flatten, LeakyReLU, ReLU,
                     Reshape, Tanh)
from .network import Sequential


def dcgan_8x8(z_dim=16, width=16, rng=None, dtype=np.float64):
    """(G, D): a DCGAN for 8×8 one-channel images as (N, 64) rows; ``width`` = w above."""
    if rng is None:
        rng = np.random.default_rng()
    w = int(width)
    conv = dict(stride=2, padding=1, rng=rng, init="dcgan", dtype=dtype)
    dense = dict(rng=rng, dtype=dtype)
    G = Sequential([
        Dense(z_dim, 2 * w * 2 * 2, **dense), Reshape((2 * w, 2, 2)),     # (N, 2w, 2, 2)
        BatchNorm(2 * w, dtype=dtype), ReLU(),
        ConvTranspose2D(2 * w, w, 4, **conv), BatchNorm(w, dtype=dtype), ReLU(),  # (N, w, 4, 4)
        ConvTranspose2D(w, 1, 4, **conv), Tanh(),                          # (N, 1, 8, 8)
        Reshape((64,)),                                                    # (N, 64)
    ])
    D = Sequential([
        Reshape((1, 8, 8)),
        Conv2D(1, w, 4, **conv), LeakyReLU(0.2),                           # (N, w, 4, 4)
        Conv2D(w, 2 * w, 4, **conv), BatchNorm(2 * w, dtype=dtype), LeakyReLU(0.2),  # (N, 2w, 2, 2)
        Flatten(), Dense(2 * w * 2 * 2, 1, **dense),                       # (N, 1) logits
    ])
    return G, D
