"""Losses of the GAN game, computed from logits (D's raw output), never from probabilities.

Notation: a = D's logit, D(x) = σ(a) = 1 / (1 + e^(−a)), softplus(a) = log(1 + e^a).
Two identities make everything stable:

    −log σ(a)      = softplus(−a)
    −log(1 − σ(a)) = softplus(a)
    softplus(a)    = max(a, 0) + log1p(e^(−|a|))     (no overflow for any a)

Binary cross-entropy with target t ∈ [0, 1], averaged over the N logits:

    BCE(a, t) = (1/N) Σ [ softplus(a) − t·a ],      dBCE/da = (σ(a) − t) / N

The losses of Goodfellow et al. 2014 (Eq. 1; V is what D ascends):

    V(D, G)     = E_x[log D(x)] + E_z[log(1 − D(G(z)))]
    D loss      = −V = BCE(a_real, 1) + BCE(a_fake, 0)
    G minimax   =  E_z[log(1 − D(G(z)))] = −mean softplus(a_fake)   (G descends it)
    G non-sat.  = −E_z[log D(G(z))]       =  mean softplus(−a_fake)  (§3 heuristic)

The CycleGAN's cycle-consistency loss (Zhu et al. 2017, Eq. 2), on N rows of d values:

    L_cyc(x_rec, x) = (1/N) Σ_i ‖x_rec_i − x_i‖₁,   dL/dx_rec = sign(x_rec − x) / N

Each function returns the loss and its gradient with respect to the logits (or, for
the cycle loss, with respect to the reconstruction).
"""

from __future__ import annotations

import math

import numpy as np

from . import kernels
from ._checks import is_number


def _check_logits(name, a, finite=True):
    if not isinstance(a, np.ndarray):
        raise ValueError(f"{name} must be a NumPy array of logits, got {type(a).__name__}")
    if a.dtype.kind != "f":
        raise ValueError(f"{name} must be a float array, got dtype {a.dtype}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}); need at least one logit")
    if finite and not kernels.all_finite(a.ravel()):
        raise ValueError(
            f"{name} holds NaN or inf: the network producing them has diverged "
            "(try a lower learning rate)"
        )


def softplus(a):
    """``log(1 + e^a)`` without overflow: ``max(a, 0) + log1p(e^(−|a|))``."""
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def sigmoid(a):
    """``σ(a) = 1 / (1 + e^(−a))`` computed without overflow for any a."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def bce_with_logits(logits, targets):
    """Mean binary cross-entropy from logits: ``(1/N) Σ softplus(a) − t·a``.

    Inputs:
    - logits: float array a, usually (N, 1) (any shape: N is then a.size)
    - targets: a scalar or an array of a's shape, each t in [0, 1]
    Returns:
    - loss: float
    - dlogits: array of a's shape, ``(σ(a) − t) / N``
    """
    _check_logits("logits", logits, finite=False)   # finite: checked by the pass
    try:
        t = np.asarray(targets, dtype=logits.dtype)
    except (TypeError, ValueError):
        raise ValueError(f"targets must be numbers in [0, 1], got {targets!r}") from None
    if t.ndim and t.shape != logits.shape:
        raise ValueError(
            f"targets must be a scalar or have the logits' shape {logits.shape}, got {t.shape}"
        )
    if t.ndim == 0:   # a scalar target, the usual case: one pass over the logits
        if not 0.0 <= float(t) <= 1.0:   # (NaN fails too)
            raise ValueError(f"targets must lie in [0, 1], got {float(t)!r}")
        return _bce(logits, float(t))[:2]
    if np.any((t < 0) | (t > 1)) or not np.all(np.isfinite(t)):
        bad = t[~((t >= 0) & (t <= 1))].ravel()[0]
        raise ValueError(f"targets must lie in [0, 1], got {float(bad)!r}")
    _check_logits("logits", logits)
    n = logits.size
    # one target per logit: softplus(a) and σ(a) as in the functions above,
    # sharing e^(−|a|) and 1 + e^(−|a|)
    e = np.exp(-np.abs(logits))
    d = 1 + e
    loss = float(np.sum((np.maximum(logits, 0) - t * logits) + np.log1p(e)) / n)
    dlogits = (np.where(logits >= 0, 1 / d, e / d) - t) / n
    return loss, dlogits


def _bce(logits, t, name="logits"):
    """One pass over the logits for a scalar target t in [0, 1]: (loss, dlogits, mean D).

    loss and dlogits are ``bce_with_logits``'s; mean D = mean σ(a) is what a
    training history records.  The caller has checked that ``logits`` is a
    non-empty float array.  A NaN or inf logit makes the loss NaN or inf, so the
    logits are only searched for one (to say so, naming them ``name``) when the
    loss is not finite.
    """
    loss, dlogits, mean_s = kernels.bce_logits(logits, t)
    if not math.isfinite(loss):
        _check_logits(name, logits)
    return loss, dlogits, mean_s


def mean_d(logits):
    """The mean of D = σ(a) over a batch of logits: what "mean D(x)" in a history means."""
    _check_logits("logits", logits, finite=False)
    return _bce(logits, 0.0)[2]


def value_on_batch(real_logits, fake_logits):
    """V(D, G) on a minibatch, from logits: ``mean log D(x) + mean log(1 − D(G(z)))``.

    log σ(a) = −softplus(−a) = −BCE term with target 1, log(1 − σ(a)) = −softplus(a)
    = −BCE term with target 0, so V = −BCE(a_real, 1) − BCE(a_fake, 0).
    """
    return -bce_with_logits(real_logits, 1.0)[0] - bce_with_logits(fake_logits, 0.0)[0]


# Each loss below is one pass over the logits (``_bce``), which also gives the
# batch's mean D: the training steps (gan.py) record it from the same pass, the
# public functions return the loss and its gradient only.
def discriminator_loss(real_logits, fake_logits, real_target=1.0):
    """D's loss, −V(D, G) on a minibatch: ``BCE(a_real, 1) + BCE(a_fake, 0)``.

    ``real_target`` < 1 is one-sided label smoothing (then D* = α p_data/(p_data+p_g)).
    Returns (loss, d_real_logits, d_fake_logits).  At equilibrium loss = 2 log 2.
    """
    return discriminator_loss_and_means(real_logits, fake_logits, real_target)[:3]


def discriminator_loss_and_means(real_logits, fake_logits, real_target=1.0):
    """``discriminator_loss``, and the batch's mean D(x) and mean D(G(z)) from the same pass.

    Returns (loss, d_real_logits, d_fake_logits, mean D(x_real), mean D(x_fake)):
    what a training step needs and what its history records.
    """
    if not (is_number(real_target) and 0 < real_target <= 1):
        raise ValueError(f"real_target must be a number in (0, 1], got {real_target!r}")
    _check_logits("real_logits", real_logits, finite=False)
    _check_logits("fake_logits", fake_logits, finite=False)
    loss_real, d_real, mean_real = _bce(real_logits, float(real_target), "real_logits")
    loss_fake, d_fake, mean_fake = _bce(fake_logits, 0.0, "fake_logits")
    return loss_real + loss_fake, d_real, d_fake, mean_real, mean_fake


def _minimax(fake_logits):
    # log(1 − σ(a)) = −softplus(a): the loss is −BCE(a, 0), its gradient −σ(a)/N
    loss, dlogits, mean = _bce(fake_logits, 0.0, "fake_logits")
    return -loss, -dlogits, mean


def _nonsaturating(fake_logits):
    # −log σ(a) = softplus(−a): the loss is BCE(a, 1), its gradient −(1 − σ(a))/N
    return _bce(fake_logits, 1.0, "fake_logits")


def generator_loss_minimax(fake_logits):
    """The saturating loss G descends in Eq. 1: ``mean log(1 − D(G(z))) = −mean softplus(a)``.

    d/da = −σ(a)/N: vanishes when D confidently rejects the fakes (σ(a) → 0).
    Returns (loss, d_fake_logits).
    """
    _check_logits("fake_logits", fake_logits, finite=False)
    return _minimax(fake_logits)[:2]


def generator_loss_nonsaturating(fake_logits):
    """The non-saturating loss (§3): ``−mean log D(G(z)) = mean softplus(−a)``.

    d/da = −(1 − σ(a))/N: strongest exactly when D rejects the fakes.
    Returns (loss, d_fake_logits).  At equilibrium loss = log 2.
    """
    _check_logits("fake_logits", fake_logits, finite=False)
    return _nonsaturating(fake_logits)[:2]


GENERATOR_LOSSES = {
    "non-saturating": generator_loss_nonsaturating,
    "minimax": generator_loss_minimax,
}
_GENERATOR_PASSES = {"non-saturating": _nonsaturating, "minimax": _minimax}


def generator_loss(fake_logits, kind="non-saturating"):
    """Dispatch to ``generator_loss_nonsaturating`` or ``generator_loss_minimax``."""
    return generator_loss_and_mean(fake_logits, kind)[:2]


def generator_loss_and_mean(fake_logits, kind="non-saturating"):
    """``generator_loss``, and the batch's mean D(G(z)) from the same pass.

    Returns (loss, d_fake_logits, mean D(G(z))).
    """
    if kind not in _GENERATOR_PASSES:
        raise ValueError(
            f"generator loss must be one of {sorted(GENERATOR_LOSSES)}, got {kind!r}"
        )
    _check_logits("fake_logits", fake_logits, finite=False)
    return _GENERATOR_PASSES[kind](fake_logits)


def critic_loss(real_scores, fake_scores):
    """WGAN critic loss (Arjovsky et al. 2017): ``mean f(fake) − mean f(real)``.

    The critic f minimises it, so −loss estimates W1 when f is 1-Lipschitz.
    Returns (loss, d_real_scores, d_fake_scores).
    """
    _check_logits("real_scores", real_scores)
    _check_logits("fake_scores", fake_scores)
    loss = float(np.mean(fake_scores) - np.mean(real_scores))
    d_real = np.full_like(real_scores, -1.0 / real_scores.size)
    d_fake = np.full_like(fake_scores, 1.0 / fake_scores.size)
    return loss, d_real, d_fake


def critic_generator_loss(fake_scores):
    """WGAN generator loss: ``−mean f(G(z))``.  Returns (loss, d_fake_scores)."""
    _check_logits("fake_scores", fake_scores)
    loss = -float(np.mean(fake_scores))
    return loss, np.full_like(fake_scores, -1.0 / fake_scores.size)


def l1_cycle_loss(x_rec, x):
    """The cycle-consistency loss (Zhu et al. 2017, Eq. 2): ``(1/N) Σ_i ‖x_rec_i − x_i‖₁``.

    x_rec = F(G(x)) is the reconstruction of x after a round trip X → Y → X (or
    G(F(y)) of y).  The loss is the mean over the N rows of each row's L1 norm.

    |t| has no derivative at t = 0; its subgradient there is any value in [−1, 1].
    We take sign(t), which is 0 at 0 (NumPy's ``np.sign``):

        dL/dx_rec = sign(x_rec − x) / N          (N, d)

    Inputs:
    - x_rec: (N, d) float array, the reconstruction
    - x: (N, d) float array, the original (a constant: no gradient is returned for it)
    Returns:
    - loss: float
    - dx_rec: (N, d), the (sub)gradient with respect to x_rec
    """
    for name, a in (("x_rec", x_rec), ("x", x)):
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or a.ndim != 2 or a.size == 0:
            got = (f"shape {a.shape}, dtype {a.dtype}" if isinstance(a, np.ndarray)
                   else type(a).__name__)
            raise ValueError(f"l1_cycle_loss: {name} must be a non-empty (N, d) float array, "
                             f"got {got}")
        if not kernels.all_finite(a):
            raise ValueError(f"l1_cycle_loss: {name} holds NaN or inf")
    if x_rec.shape != x.shape:
        raise ValueError(f"l1_cycle_loss: x_rec and x must have one shape, got {x_rec.shape} "
                         f"and {x.shape}")
    n = x_rec.shape[0]
    diff = x_rec - x                                        # (N, d)
    loss = float(np.sum(np.abs(diff)) / n)
    return loss, np.sign(diff) / n
