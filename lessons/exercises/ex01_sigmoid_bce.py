"""Exercise 1: the sigmoid, and binary cross-entropy computed stably from logits.

D outputs a logit a (any real number); D(x) = σ(a) is its probability that x is real.

    σ(a) = 1 / (1 + e^(−a))                     σ(0) = ½,  σ(−a) = 1 − σ(a)

Computed naively, e^(−a) overflows float64 for a ≈ −710 and beyond.  Both forms

    σ(a) = 1 / (1 + e)      (a ≥ 0)       σ(a) = e / (1 + e)      (a < 0),   e = e^(−|a|)

only ever exponentiate a number ≤ 0.  (np.where computes BOTH branches for every entry:
use e = e^(−|a|) in both, and nothing overflows.)

Binary cross-entropy with target t ∈ [0, 1] (1 = "real"), averaged over N logits:

    BCE = −(1/N) Σ [ t log σ(a) + (1 − t) log(1 − σ(a)) ]

Never take log(σ(a)): σ(−800) rounds to 0 and log 0 = −inf.  Use the identities

    −log σ(a) = softplus(−a),   −log(1 − σ(a)) = softplus(a),
    softplus(a) = log(1 + e^a) = max(a, 0) + log1p(e^(−|a|))      (never overflows)

which give  BCE = (1/N) Σ [ softplus(a) − t·a ]   and   dBCE/da = (σ(a) − t) / N.

Write the two functions below, then run this file:

    python lessons/exercises/ex01_sigmoid_bce.py

Each check prints PASS, or FAIL with a hint.  (Reference: numpygan/losses.py.)
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402


def sigmoid(a):
    """σ(a) = 1 / (1 + e^(−a)), element-wise, without overflow for any a.

    Inputs:
    - a: float array of any shape, e.g. (N,) or (N, 1); may hold ±800
    Returns:
    - array of a's shape, each entry in [0, 1]; no RuntimeWarning for |a| up to 1000,
      and accurate to round-off on both sides (σ(−30) ≈ 9.36e-14, not 0)
    """
    raise NotImplementedError("write sigmoid(a): see its docstring")


def bce_with_logits(logits, targets):
    """Mean binary cross-entropy from logits: (1/N) Σ softplus(a) − t·a.

    Inputs:
    - logits: (N,) or (N, 1) float array a
    - targets: a number t (the same for every logit) or an array of a's shape, in [0, 1]
    Returns:
    - loss: float, the mean over the N = logits.size logits
    - dlogits: array of a's shape, dloss/da = (σ(a) − t) / N
    """
    raise NotImplementedError("write bce_with_logits(logits, targets): see its docstring")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("sigmoid_bce", {"sigmoid": sigmoid, "bce_with_logits": bce_with_logits})
