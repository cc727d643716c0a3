"""The loops of a training step beyond the layers: the loss, the update, the finiteness test.

BCE from logits (``losses.bce_with_logits``), in one pass over the K logits a
of a batch with a scalar target t::

    loss  = (1/K) Σ softplus(a) − t·a        softplus(a) = max(a, 0) + log1p(e^(−|a|))
    dL/da = (σ(a) − t) / K                   σ(a) = 1/(1 + e^(−|a|)) for a ≥ 0,
                                                    e^(−|a|)/(1 + e^(−|a|)) for a < 0

and the batch's mean σ(a), the mean D that the training loop records.  e^(−|a|)
lies in (0, 1]: nothing overflows for any finite a.

Adam's update (Kingma & Ba 2015), in place, element by element::

    m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
    θ ← θ − lr (m / c1) / (sqrt(v / c2) + eps),   c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ

Both twins do the same operations in the same order: bit-identical results.
"""

from __future__ import annotations

import numpy as np

from .checks import FLOATS, float_array
from .switch import jit, make_kernel


# ---------------------------------------------------------------- BCE from logits
def _np_bce_logits(a, t):
    """Mean BCE of logits ``a`` against target ``t``; its gradient; the mean σ(a)."""
    k = a.size
    e = np.exp(-np.abs(a))
    d = 1 + e
    # (max(a, 0) − t·a) first: for t = 1 it is max(−a, 0) exactly, so the term
    # equals softplus(−a) = −log σ(a) to the last bit even for large a
    loss = float(np.sum((np.maximum(a, 0) - t * a) + np.log1p(e)) / k)
    s = np.where(a >= 0, 1 / d, e / d)                  # σ(a), a's shape
    return loss, (s - t) / k, float(np.mean(s))


@jit
def _nb_bce_logits(a, t):  # pragma: no cover - compiled
    xs = np.ravel(a)
    k = xs.size
    dlogits = np.empty_like(xs)
    loss = 0.0
    s_sum = 0.0
    for i in range(k):          # one logit at a time: its loss term, σ(a), its gradient
        x = xs[i]
        e = np.exp(-abs(x))
        d = 1 + e
        loss += ((x if x > 0 else 0.0) - t * x) + np.log1p(e)
        s = 1 / d if x >= 0 else e / d
        s_sum += s
        dlogits[i] = (s - t) / k
    return loss / k, dlogits.reshape(a.shape), s_sum / k


def _check_bce(a, t):
    if not (type(a) is np.ndarray and a.dtype in FLOATS and a.size > 0):
        desc = (f"shape {a.shape}, dtype {a.dtype}" if isinstance(a, np.ndarray)
                else type(a).__name__)
        raise ValueError("bce_logits: a must be a non-empty float32/float64 array of "
                         f"logits, got {desc}")
    if not isinstance(t, float):
        raise ValueError(f"bce_logits: the target t must be a Python float, got {t!r}")


# ---------------------------------------------------------------- Adam's update
def _np_adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps):
    """One Adam step for one parameter array, in place (p, m and v change)."""
    m *= beta1
    m += (1 - beta1) * g
    v *= beta2
    v += (1 - beta2) * (g * g)
    p -= lr * (m / c1) / (np.sqrt(v / c2) + eps)


@jit
def _nb_adam_update(p, g, m, v, lr, beta1, beta2, c1, c2, eps):  # pragma: no cover
    # p, g, m, v: (P,) each, the values of one parameter array (or of a whole network)
    for i in range(p.shape[0]):
        gi = g[i]
        mi = m[i] * beta1 + (1 - beta1) * gi
        vi = v[i] * beta2 + (1 - beta2) * (gi * gi)
        m[i] = mi
        v[i] = vi
        p[i] -= lr * (mi / c1) / (np.sqrt(vi / c2) + eps)


def _check_adam(p, g, m, v, *constants):
    for name, a in (("p", p), ("g", g), ("m", m), ("v", v)):
        if not (type(a) is np.ndarray and a.dtype == p.dtype and a.shape == p.shape
                and a.ndim == 1 and a.flags.c_contiguous):
            got = (f"shape {a.shape}, dtype {a.dtype}" if isinstance(a, np.ndarray)
                   else type(a).__name__)
            raise ValueError(f"adam_update: p, g, m and v must be contiguous 1-D float arrays "
                             f"of one shape and dtype (a parameter array as p.reshape(-1)); "
                             f"{name} has {got}, p has shape {getattr(p, 'shape', None)}")
    if p.dtype not in FLOATS:
        raise ValueError(f"adam_update: p must be float32 or float64, got {p.dtype}")
    if not all(type(c) is float for c in constants):
        raise ValueError("adam_update: lr, beta1, beta2, c1, c2 and eps must be Python floats")


# ---------------------------------------------------------------- finiteness
def _np_all_finite(a):
    """True when no element of the float array ``a`` is NaN or ±inf."""
    return bool(np.isfinite(a).all())


@jit
def _nb_all_finite(a):  # pragma: no cover - compiled
    xs = np.ravel(a)
    for i in range(xs.size):       # stop at the first NaN or ±inf
        if not np.isfinite(xs[i]):
            return False
    return True


def _check_all_finite(a):
    float_array("all_finite", "a", a)


bce_logits = make_kernel(_np_bce_logits, _nb_bce_logits, _check_bce)
adam_update = make_kernel(_np_adam_update, _nb_adam_update, _check_adam)
all_finite = make_kernel(_np_all_finite, _nb_all_finite, _check_all_finite)

TWINS = {k.__name__: (k.numpy, k.numba) for k in (bce_logits, adam_update, all_finite)}
