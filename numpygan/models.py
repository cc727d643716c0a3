"""Ready-made players: the small DCGAN of lesson 13 (and of ``bench --conv``).

DCGAN (Radford et al. 2015) at the size of 8×8 grey images, flattened to 64 values in
[−1, 1] so that it plays the same GAN as lesson 12's dense players::

    G:  z (N, Z) → Dense → (N, 2w, 2, 2) → LeakyReLU(0.2)
                 → ConvTranspose2D 4×4, stride 2 → (N, w, 4, 4) → LeakyReLU(0.2)
                 → ConvTranspose2D 4×4, stride 2 → (N, 1, 8, 8) → Tanh → (N, 64)
    D:  x (N, 64) → (N, 1, 8, 8) → Conv2D 4×4, stride 2 → (N, w, 4, 4) → LeakyReLU(0.2)
                 → Conv2D 4×4, stride 2 → (N, 2w, 2, 2) → LeakyReLU(0.2)
                 → Flatten → Dense → one logit

The paper's rules kept: no pooling (strided convolutions down, fractionally-strided
ones up), a tanh output, LeakyReLU 0.2 in D.  A 4×4 kernel with stride 2 and
padding 1 doubles (or halves) the size exactly: every output pixel gets the same
number of kernel taps, so no checkerboard (lesson 13 measures it).

The paper's rules changed, because at this size they failed in lesson 13's runs:

* no batch norm in D: ``gan.discriminator_step`` shows D real and generated images
  in one batch, ``gan.generator_step`` generated ones alone, so a batch-normalised D
  is a different function in the two steps (each batch's own mean and variance);
  with it D won outright (mean D(x) above 0.99) and G learned nothing;
* no batch norm in G, LeakyReLU(0.2) instead of ReLU, and He initialisation instead
  of N(0, 0.02²): with batch norm, G's samples collapsed to one image per batch that
  hopped between digits; without batch norm, N(0, 0.02²) weights shrink the signal
  layer by layer, which He's N(0, 2/fan_in) keeps at unit scale.
"""

from __future__ import annotations

import numpy as np

from .layers import Conv2D, ConvTranspose2D, Dense, Flatten, LeakyReLU, Reshape, Tanh
from .network import Sequential


def dcgan_8x8(z_dim=16, width=16, rng=None, dtype=np.float64):
    """(G, D): a DCGAN for 8×8 one-channel images as (N, 64) rows; ``width`` = w above."""
    if rng is None:
        rng = np.random.default_rng()
    w = int(width)
    conv = dict(stride=2, padding=1, rng=rng, init="he", dtype=dtype)
    dense = dict(rng=rng, dtype=dtype)
    G = Sequential([
        Dense(z_dim, 2 * w * 2 * 2, **dense), Reshape((2 * w, 2, 2)),     # (N, 2w, 2, 2)
        LeakyReLU(0.2),
        ConvTranspose2D(2 * w, w, 4, **conv), LeakyReLU(0.2),              # (N, w, 4, 4)
        ConvTranspose2D(w, 1, 4, **conv), Tanh(),                          # (N, 1, 8, 8)
        Reshape((64,)),                                                    # (N, 64)
    ])
    D = Sequential([
        Reshape((1, 8, 8)),
        Conv2D(1, w, 4, **conv), LeakyReLU(0.2),                           # (N, w, 4, 4)
        Conv2D(w, 2 * w, 4, **conv), LeakyReLU(0.2),                       # (N, 2w, 2, 2)
        Flatten(), Dense(2 * w * 2 * 2, 1, **dense),                       # (N, 1) logits
    ])
    return G, D
