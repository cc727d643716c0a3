"""The two small players that ex06 (``d_step.py``) and ex07 (``g_step.py``) step.

G and D are 1 → 8 → 8 → 1 LeakyReLU MLPs drawn from one seeded rng, so a student's
step and the library's can be compared on deep copies of the same networks.
"""

from __future__ import annotations

import numpy as np

from ..network import mlp


def _flat_params(net):
    return np.concatenate([p.ravel() for p in net.params()])


def _players(seed):
    rng = np.random.default_rng(seed)
    G = mlp([1, 8, 8, 1], hidden="leaky_relu", rng=rng)
    D = mlp([1, 8, 8, 1], hidden="leaky_relu", rng=rng)
    return G, D, rng
