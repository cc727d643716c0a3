"""ex01's data: inputs, the library's answers, and what the known mistakes give.

``make()`` returns the arrays ``bce.judge_sigmoid_bce`` reads (see ``engine.ExerciseData``
for the key names).  Repository only: this module computes the answers, so a
hand-out holds its output (an ``.npz``), never this file.
"""

from __future__ import annotations

import numpy as np

from .. import losses


def _sigmoid(a):
    return losses.sigmoid(np.asarray(a, dtype=np.float64))


def _bce_cases():
    rng = np.random.default_rng(12)
    cases = [(np.array([1.0, -0.5, 2.0]), 1.0), (np.array([-1.0, 0.3]), 0.0)]
    for shape, t in [((6,), 1.0), ((4, 1), 0.0), ((5,), "array"), ((3, 1), 0.9)]:
        a = rng.normal(0, 2, size=shape)
        if isinstance(t, str):
            t = rng.uniform(0, 1, size=shape)
        cases.append((a, t))
    return cases


def _bce_mistakes(a, t):
    """(loss mistakes, dlogits mistakes) by name: see bce.LOSS_HINTS and bce.GRAD_HINTS."""
    n = a.size
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), a.shape)
    per = losses.softplus(a) - t * a                      # the per-logit losses
    s = _sigmoid(a)
    loss = {"per_logit": per, "sum": np.sum(per), "sign": -np.mean(per),
            "all_ones": np.mean(losses.softplus(-a)), "all_zeros": np.mean(losses.softplus(a)),
            "swapped": np.mean(losses.softplus(a) - (1 - t) * a)}
    grad = {"no_mean": s - t, "sign": (t - s) / n, "sign_no_mean": t - s,
            "sigmoid_prime": s * (1 - s) / n, "twice": (s - t) / n ** 2}
    return loss, grad


def make():
    """{name: array} for ex01."""
    out = {}
    rng = np.random.default_rng(11)
    for i, shape in enumerate([(7,), (3, 4), (5, 1)]):
        a = rng.normal(0, 3, size=shape)
        a.flat[0] = 0.0
        out[f"sig{i}__a"], out[f"sig{i}__want"] = a, _sigmoid(a)
        with np.errstate(all="ignore"):
            mistakes = {"flipped": _sigmoid(-a), "one_minus": np.exp(-a) / (1 + np.exp(-a)),
                        "tanh": np.tanh(a)}
        out.update({f"sig{i}__v__{k}": v for k, v in mistakes.items()})
    out["tail_pos"] = _sigmoid(np.array([800.0, 400.0, 0.0]))
    out["tail_neg"] = _sigmoid(np.array([-800.0, -400.0, 0.0]))
    out["tail_30"] = _sigmoid(np.array([-30.0, -40.0, 30.0]))
    for i, (a, t) in enumerate(_bce_cases()):
        p = f"bce{i}__"
        out[p + "a"], out[p + "t"] = a, np.asarray(t, dtype=np.float64)
        out[p + "loss"], out[p + "dlogits"] = losses.bce_with_logits(a, t)
        loss, grad = _bce_mistakes(a, t)
        out.update({f"{p}loss__{k}": v for k, v in loss.items()})
        out.update({f"{p}dlogits__{k}": v for k, v in grad.items()})
    out["tails_loss"], out["tails_dlogits"] = losses.bce_with_logits(
        np.array([800.0, -800.0, 800.0, -800.0]), np.array([1.0, 0.0, 0.0, 1.0]))
    return out
