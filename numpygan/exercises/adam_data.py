"""ex04's data: gradients, ``optim.Adam``'s chain of states, and the known mistakes' chains.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import numpy as np

from . import solutions
from .adam import HINTS


def mistaken_step(kind):
    """One wrong Adam step: the mistakes students (and published code) make (adam.HINTS)."""
    def step(theta, g, m, v, t, lr, b1, b2, eps):
        m = b1 * g + (1 - b1) * m if kind == "swap_m" else b1 * m + (1 - b1) * g
        g2 = {"v_not_squared": g, "v_abs": np.abs(g)}.get(kind, g * g)
        v = b2 * v + (1 - b2) * g2
        power = {"t_plus_one": t + 1, "t_minus_one": t - 1, "one_minus_beta": 1}.get(kind, t)
        mh, vh = m / (1 - b1 ** power), v / (1 - b2 ** power)
        if kind in ("no_correction", "no_m_correction"):
            mh = m
        if kind in ("no_correction", "no_v_correction"):
            vh = v
        if kind in ("slip_both", "slip_m"):
            mh = m / 1 - b1 ** t                       # what the precedence slip computes
        if kind in ("slip_both", "slip_v"):
            vh = v / 1 - b2 ** t
        if kind == "eps_inside":
            upd = mh / np.sqrt(vh + eps)
        elif kind == "no_sqrt":
            upd = mh / (vh + eps)
        else:
            upd = mh / (np.sqrt(vh) + eps)
        theta = theta + lr * upd if kind == "ascent" else theta - lr * upd
        return theta, (mh if kind == "return_mhat" else m), v
    return step


def _chain(fn, theta0, grads, hyper):
    theta, m, v = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0)
    states = []
    with np.errstate(all="ignore"):
        for t, g in enumerate(grads, start=1):
            theta, m, v = (np.array(a, dtype=np.float64)
                           for a in fn(theta.copy(), g.copy(), m.copy(), v.copy(), t, *hyper))
            states.append((theta, m, v))
    return [np.stack([s[i] for s in states]) for i in range(3)]      # theta, m, v: (steps, ...)


#: (steps, (lr, β1, β2, ε), gradient scale, seed) of each compared chain: adam.CHECKS
CASES = [(1, (0.01, 0.9, 0.999, 1e-8), 1.0, 41), (6, (0.01, 0.9, 0.999, 1e-8), 1.0, 42),
         (6, (0.002, 0.5, 0.9, 1e-8), 1.0, 43), (3, (0.01, 0.9, 0.999, 1e-3), 1e-4, 44)]


def make():
    """{name: array} for ex04 (keys: see ``adam.judge_adam``)."""
    out = {}
    for case, (steps, hyper, scale, seed) in enumerate(CASES):
        rng = np.random.default_rng(seed)
        theta0 = rng.normal(size=(3, 4))
        grads = scale * rng.normal(size=(steps, 3, 4))
        if case == 0:
            # a few large gradients: where (1 − β2) g² > β2 the precedence slip
            # v / 1 − β2ᵗ stays finite, so it cannot pass for the βᵗ⁻¹ mistake (all NaN)
            grads[0, 0] *= 100.0
        p = f"c{case}__"
        out.update({p + "theta0": theta0, p + "grads": grads, p + "hyper": np.array(hyper)})
        for name, a in zip(("theta", "m", "v"), _chain(solutions.adam_update, theta0, grads,
                                                      hyper)):
            out[p + name] = a
        for kind in HINTS:
            for name, a in zip(("theta", "m", "v"), _chain(mistaken_step(kind), theta0, grads,
                                                          hyper)):
                out[f"{p}{name}__{kind}"] = a
    return out
