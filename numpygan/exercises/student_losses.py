"""The losses of a hand-out's ex06 and ex07, built on the student's own ex01.

In the repository ex06 and ex07 use ``numpygan.losses``; in a hand-out (which holds no
library) they use these, whose every number comes from the student's
``sigmoid`` and ``bce_with_logits`` in ``ex01_sigmoid_bce.py`` (found on ``sys.path``:
the hand-out's folder).  Same names, same returns as ``numpygan.losses``.
"""

from __future__ import annotations

import importlib


def _ex01():
    return importlib.import_module("ex01_sigmoid_bce")


def sigmoid(a):
    """σ(a): your ex01 ``sigmoid``."""
    return _ex01().sigmoid(a)


def bce_with_logits(logits, targets):
    """(loss, dlogits): your ex01 ``bce_with_logits``."""
    return _ex01().bce_with_logits(logits, targets)


def discriminator_loss(real_logits, fake_logits):
    """D's loss −V = BCE(a_real, 1) + BCE(a_fake, 0): returns (loss, d_real, d_fake)."""
    loss_real, d_real = bce_with_logits(real_logits, 1.0)
    loss_fake, d_fake = bce_with_logits(fake_logits, 0.0)
    return float(loss_real) + float(loss_fake), d_real, d_fake


def generator_loss_nonsaturating(fake_logits):
    """G's non-saturating loss −mean log D(G(z)) = BCE(a_fake, 1): returns (loss, dlogits)."""
    return bce_with_logits(fake_logits, 1.0)


def generator_loss_minimax(fake_logits):
    """G's minimax loss mean log(1 − D(G(z))) = −BCE(a_fake, 0): returns (loss, dlogits)."""
    loss, d = bce_with_logits(fake_logits, 0.0)
    return -float(loss), -d
