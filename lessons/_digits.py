"""The 8×8 images of lessons 12 and 13: scikit-learn's digits, or procedural strokes.

    load_digits_scaled()   scikit-learn's 1,797 bundled digits (no download) as (n, 64)
                           in [−1, 1] (pixel v ∈ [0, 16] → v/8 − 1), their labels and
                           class names; None when scikit-learn is not installed, or when
                           the environment variable NUMPYGAN_NO_SKLEARN=1 asks the lesson
                           to behave as if it were not (to try that path without
                           uninstalling anything)
    make_strokes(n, rng)   n procedural 8×8 images of five classes of strokes, NumPy only

``make_strokes`` is lesson 12's generator, unchanged (lesson 12 still holds its own
copy), so that both lessons train on the same images.
"""

from __future__ import annotations

import os

import numpy as np


def load_digits_scaled():
    """scikit-learn's 8×8 digits as (n, 64) in [−1, 1], labels, names; None if missing."""
    if os.environ.get("NUMPYGAN_NO_SKLEARN", "") not in ("", "0"):
        return None
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return None
    digits = load_digits()
    return digits.data / 8.0 - 1.0, digits.target.astype(int), [str(d) for d in range(10)]


def make_strokes(n, rng):
    """n procedural 8×8 images in [−1, 1]: five classes of strokes; returns (x, labels, names).

    Each image is one stroke drawn with a soft edge: pixel (r, c) gets ink
    a · exp(−d² / (2w²)), d its distance to the stroke, w ∈ [0.45, 0.75], a ∈ [0.7, 1].
    Classes: a segment near-horizontal, near-vertical, diagonal or anti-diagonal
    (angle ± 12°, length 4–7, centre anywhere near the middle), or a ring of radius
    1.6–2.6.  Then N(0, 0.03²) noise, clipped to [0, 1], mapped to [−1, 1].
    """
    names = ["horizontal", "vertical", "diagonal", "anti-diagonal", "ring"]
    labels = rng.integers(len(names), size=n)
    r, c = np.mgrid[0:8, 0:8].astype(float)
    imgs = np.zeros((n, 8, 8))
    for i, k in enumerate(labels):
        ink, w = rng.uniform(0.7, 1.0), rng.uniform(0.45, 0.75)
        cy, cx = rng.uniform(2.5, 4.5, size=2)                 # the stroke's centre
        if k < 4:                                              # a segment
            angle = np.deg2rad([0.0, 90.0, 45.0, -45.0][k] + rng.uniform(-12, 12))
            half = rng.uniform(2.0, 3.5)
            dy, dx = np.sin(angle), np.cos(angle)
            t = np.clip((r - cy) * dy + (c - cx) * dx, -half, half)  # along the segment
            d = np.hypot(r - (cy + t * dy), c - (cx + t * dx))
        else:                                                  # a ring
            d = np.abs(np.hypot(r - cy, c - cx) - rng.uniform(1.6, 2.6))
        imgs[i] = ink * np.exp(-d ** 2 / (2 * w ** 2))
    imgs = np.clip(imgs + 0.03 * rng.standard_normal(imgs.shape), 0.0, 1.0)
    return imgs.reshape(n, 64) * 2.0 - 1.0, labels, names


class Images:
    """p_data: the empirical distribution of the training images (each with prob. 1/n)."""

    def __init__(self, x):
        self.x = x
        self.dim = x.shape[1]

    def sample(self, n, rng):
        return self.x[rng.integers(len(self.x), size=n)]          # (n, 64), with replacement
