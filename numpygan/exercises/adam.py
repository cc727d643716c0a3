"""ex04: Adam's update (the checks; no solution here).

``judge_adam(data, adam_update)`` runs the student's step from θ0 with m = v = 0 on
stored gradients and compares θ, m and v after each step with the reference chain
(``adam_data.py``: ``optim.Adam``), after one and several steps (the bias correction
1 − βᵗ), with tiny gradients where ε matters, recognising the usual mistakes
(``HINTS``: what each gives is stored beside the reference), then runs the student's
Adam on a badly scaled bowl.
"""

from __future__ import annotations

import numpy as np

from .engine import Checker, Ok, diagnose

_SLIP = ("a precedence slip: {what} / 1 − beta1**t is ({what} / 1) − β1ᵗ, which subtracts "
         "β1ᵗ instead of dividing by (1 − β1ᵗ); write {what} / (1 - beta1**t), with the "
         "parentheses")

#: name of a known mistake -> its hint; adam_data.py stores what each gives.  Order
#: matters: the first mistake that reproduces the student's numbers names the hint.
HINTS = {
    "no_correction": "no bias correction: m and v start at 0, so early on they are too "
                     "small; use m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ) in the update",
    "no_v_correction": "m̂ is bias-corrected but v̂ is not: v̂ = v/(1 − β2ᵗ) too (v starts "
                       "at 0 as m does, so early on it is too small by that factor)",
    "no_m_correction": "v̂ is bias-corrected but m̂ is not: m̂ = m/(1 − β1ᵗ) too",
    "one_minus_beta": "the bias correction divides by (1 − β) instead of (1 − βᵗ): "
                      "m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), with t the step number "
                      "(a bug found in published GAN code)",
    "slip_both": _SLIP.format(what="m") + " (and the same for v with β2)",
    "slip_m": _SLIP.format(what="m"),
    "slip_v": _SLIP.format(what="v").replace("β1", "β2").replace("beta1", "beta2"),
    "t_plus_one": "the bias correction uses βᵗ⁺¹: t is already the step number "
                  "(1 on the first step), use β1ᵗ and β2ᵗ",
    "t_minus_one": "the bias correction uses βᵗ⁻¹: on the first step that divides by "
                   "1 − β⁰ = 0 (NaN). t is already the step number, 1 on the first step: "
                   "use β1ᵗ and β2ᵗ",
    "eps_inside": "ε is inside the square root: θ ← θ − lr·m̂/(√v̂ + ε)",
    "no_sqrt": "the update divides by v̂ + ε, not √v̂ + ε",
    "ascent": "θ moved uphill (along +g): Adam descends, θ ← θ − lr·m̂/(√v̂ + ε)",
    "swap_m": "m ← β1·g + (1 − β1)·m has the weights swapped: m ← β1·m + (1 − β1)·g",
    "v_abs": "v averages |g|, not g²: v ← β2·v + (1 − β2)·g² (the squared gradient; "
             "√v̂ then has the size of g)",
    "v_not_squared": "v averages g, not g²: v ← β2·v + (1 − β2)·g² (the squared gradient)",
    "return_mhat": "you returned the bias-corrected m̂ as the new m: keep (and return) the "
                   "raw running average m; correct it only inside the update",
}

NAMES = ("theta", "m", "v")


class _StudentShapeError(Exception):
    """A student's function returned the wrong kind of thing (reported as a hint)."""


def _student_chain(fn, theta0, grads, lr, b1, b2, eps):
    """Run ``fn`` for len(grads) steps from θ0, m = v = 0, each step from its own last
    output; return the (theta, m, v) after each step."""
    theta, m, v = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0)
    states = []
    for t in range(1, len(grads) + 1):
        out = fn(theta.copy(), grads[t - 1].copy(), m.copy(), v.copy(), t, lr, b1, b2, eps)
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            raise _StudentShapeError(
                "adam_update must return three arrays (theta, m, v), got "
                f"{type(out).__name__}" + (f" of length {len(out)}"
                                            if isinstance(out, (tuple, list)) else ""))
        theta, m, v = (np.array(a, dtype=np.float64) for a in out)
        states.append((theta, m, v))
    return states


def _adam_compare(data, adam_update, case):
    """Case ``case``'s chain: the student's (theta, m, v) after every step vs the reference."""
    p = f"c{case}__"
    lr, b1, b2, eps = (float(h) for h in data[p + "hyper"])
    grads = data.get_array(p + "grads")                         # (steps, 3, 4)
    try:
        got = _student_chain(adam_update, data.get_array(p + "theta0"), list(grads),
                             lr, b1, b2, eps)
    except _StudentShapeError as exc:
        return str(exc)
    for t in range(len(grads)):
        for i, name in enumerate(NAMES):
            variants = [(v[t], hint) for v, hint in data.variants(f"{p}{name}__", HINTS)]
            hint = diagnose(name, got[t][i], data[f"{p}{name}"][t], variants,
                            shape_hint=f"{name} keeps theta's shape")
            if hint:
                return f"{hint} [after step t = {t + 1}; lr {lr}, β1 {b1}, β2 {b2}, ε {eps}]"
    return None


def _adam_bowl(adam_update):
    """Adam minimises a badly scaled bowl f(θ) = ½ Σ w_i (θ_i − c_i)², w from 0.01 to 100."""
    w = np.logspace(-2, 2, 5)
    c_star = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    theta, m, v = np.zeros(5), np.zeros(5), np.zeros(5)
    for t in range(1, 401):
        g = w * (theta - c_star)                               # ∇f
        theta, m, v = (np.array(a, dtype=np.float64) for a in
                       adam_update(theta, g, m, v, t, 0.05, 0.9, 0.999, 1e-8))
    err = float(np.max(np.abs(theta - c_star)))
    if not np.isfinite(err) or err > 0.05:
        return (f"after 400 steps (lr 0.05) θ is {err:.3g} from the minimum (want < 0.05): "
                "Adam scales each coordinate's step by 1/√v̂, so every coordinate "
                "should get there whatever its curvature")
    return Ok(f"max |θ − θ*| = {err:.1e}")


#: (check's text, case number in the data)
CHECKS = [("first step t = 1: theta, m, v", 0),
          ("six steps t = 1..6 (bias correction 1 − βᵗ)", 1),
          ("six steps, β1 0.5, β2 0.9 (a GAN's settings)", 2),
          ("tiny gradients, where ε matters", 3)]


def judge_adam(data, adam_update, stream=None):
    """ex04: ``adam_update(theta, grad, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v)``.

    Compares θ, m and v with the reference after one step and over six steps
    (the bias correction 1 − βᵗ only differs from 1 − β after the first), again with
    tiny gradients where ε matters, and runs 400 steps on a badly scaled bowl.
    """
    c = Checker("ex04 Adam", {"adam_update": adam_update}, stream)
    for what, case in CHECKS:
        c.check(what, ["adam_update"], lambda case=case: _adam_compare(data, adam_update, case))
    c.check("training run: a badly scaled bowl, 400 steps", ["adam_update"],
            lambda: _adam_bowl(adam_update))
    return c.finish()
