"""ex04: Adam's update.

``check_adam(adam_update)`` compares θ, m and v with ``optim.Adam`` after one and
several steps (the bias correction 1 − βᵗ), with tiny gradients where ε matters,
recognising the usual mistakes (``_ADAM_HINTS``), and runs Adam on a badly scaled bowl.
``_ref_adam_update`` is the reference for ``--solution``.
"""

from __future__ import annotations

import numpy as np

from ..optim import Adam
from .engine import Checker, Ok, _numpy_backend, diagnose


def _ref_adam_update(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """The library's Adam (``optim.Adam``) as one functional step at step number t."""
    theta = np.array(theta, dtype=np.float64)
    opt = Adam(lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.m, opt.v = [np.array(m, dtype=np.float64)], [np.array(v, dtype=np.float64)]
    opt.t = int(t) - 1                                   # step() counts it up to t
    opt.step([theta], [np.asarray(grad, dtype=np.float64)])
    return theta, opt.m[0], opt.v[0]


def _adam_variant(kind):
    """A wrong Adam step: the mistakes students (and published code) make."""
    def step(theta, g, m, v, t, lr, b1, b2, eps):
        if kind == "swap_m":
            m = b1 * g + (1 - b1) * m
        else:
            m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * (g if kind == "v_not_squared" else g * g)
        if kind == "no_correction":
            mh, vh = m, v
        elif kind == "one_minus_beta":
            mh, vh = m / (1 - b1), v / (1 - b2)
        elif kind == "t_plus_one":
            mh, vh = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
        elif kind == "t_minus_one":
            mh, vh = m / (1 - b1 ** (t - 1)), v / (1 - b2 ** (t - 1))
        else:
            mh, vh = m / (1 - b1 ** t), v / (1 - b2 ** t)
        if kind == "eps_inside":
            upd = mh / np.sqrt(vh + eps)
        elif kind == "no_sqrt":
            upd = mh / (vh + eps)
        else:
            upd = mh / (np.sqrt(vh) + eps)
        theta = theta + lr * upd if kind == "ascent" else theta - lr * upd
        return theta, (mh if kind == "return_mhat" else m), v
    return step


_ADAM_HINTS = {
    "no_correction": "no bias correction: m and v start at 0, so early on they are too "
                     "small; use m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ) in the update",
    "one_minus_beta": "the bias correction divides by (1 − β) instead of (1 − βᵗ): "
                      "m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), with t the step number "
                      "(a bug found in published GAN code)",
    "t_plus_one": "the bias correction uses βᵗ⁺¹: t is already the step number "
                  "(1 on the first step), use β1ᵗ and β2ᵗ",
    "t_minus_one": "the bias correction uses βᵗ⁻¹: on the first step that divides by "
                   "1 − β⁰ = 0 (NaN). t is already the step number, 1 on the first step: "
                   "use β1ᵗ and β2ᵗ",
    "eps_inside": "ε is inside the square root: θ ← θ − lr·m̂/(√v̂ + ε)",
    "no_sqrt": "the update divides by v̂ + ε, not √v̂ + ε",
    "ascent": "θ moved uphill (along +g): Adam descends, θ ← θ − lr·m̂/(√v̂ + ε)",
    "swap_m": "m ← β1·g + (1 − β1)·m has the weights swapped: "
              "m ← β1·m + (1 − β1)·g",
    "v_not_squared": "v averages g, not g²: v ← β2·v + (1 − β2)·g² "
                     "(the squared gradient)",
    "return_mhat": "you returned the bias-corrected m̂ as the new m: keep (and return) the "
                   "raw running average m; correct it only inside the update",
}


def _adam_run(fn, steps, theta0, grads, lr, b1, b2, eps):
    """Run ``fn`` for ``steps`` steps from θ0 with m = v = 0; return the states after each."""
    theta, m, v = theta0.copy(), np.zeros_like(theta0), np.zeros_like(theta0)
    states = []
    for t in range(1, steps + 1):
        out = fn(theta.copy(), grads[t - 1].copy(), m.copy(), v.copy(), t,
                 lr, b1, b2, eps)
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            raise _StudentShapeError(
                "adam_update must return three arrays (theta, m, v), got "
                f"{type(out).__name__}" + (f" of length {len(out)}"
                                            if isinstance(out, (tuple, list)) else ""))
        theta, m, v = (np.array(a, dtype=np.float64) for a in out)
        states.append((theta, m, v))
    return states


class _StudentShapeError(Exception):
    """A student's function returned the wrong kind of thing (reported as a hint)."""


def _adam_compare(adam_update, steps, lr, b1, b2, eps, grad_scale, seed):
    rng = np.random.default_rng(seed)
    theta0 = rng.normal(size=(3, 4))
    grads = [grad_scale * rng.normal(size=(3, 4)) for _ in range(steps)]
    ref = lambda th, g, m, v, t, *hp: _ref_adam_update(th, g, m, v, t, *hp)
    try:
        got = _adam_run(adam_update, steps, theta0, grads, lr, b1, b2, eps)
    except _StudentShapeError as exc:
        return str(exc)
    want = _adam_run(ref, steps, theta0, grads, lr, b1, b2, eps)
    wrong = {kind: _adam_run(_adam_variant(kind), steps, theta0, grads, lr, b1, b2, eps)
             for kind in _ADAM_HINTS}
    for t in range(steps):
        for i, name in enumerate(("theta", "m", "v")):
            variants = [(wrong[k][t][i], _ADAM_HINTS[k]) for k in _ADAM_HINTS]
            hint = diagnose(name, got[t][i], want[t][i], variants,
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


@_numpy_backend
def check_adam(adam_update, stream=None):
    """ex04: ``adam_update(theta, grad, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v)``.

    Compares θ, m and v with ``optim.Adam`` after one step and over six steps
    (the bias correction 1 − βᵗ only differs from 1 − β after the first), again with
    tiny gradients where ε matters, and runs 400 steps on a badly scaled bowl.
    """
    c = Checker("ex04 Adam", {"adam_update": adam_update}, stream)
    c.check("first step t = 1: theta, m, v", ["adam_update"],
            lambda: _adam_compare(adam_update, 1, 0.01, 0.9, 0.999, 1e-8, 1.0, 41))
    c.check("six steps t = 1..6 (bias correction 1 − βᵗ)", ["adam_update"],
            lambda: _adam_compare(adam_update, 6, 0.01, 0.9, 0.999, 1e-8, 1.0, 42))
    c.check("six steps, β1 0.5, β2 0.9 (a GAN's settings)", ["adam_update"],
            lambda: _adam_compare(adam_update, 6, 0.002, 0.5, 0.9, 1e-8, 1.0, 43))
    c.check("tiny gradients, where ε matters", ["adam_update"],
            lambda: _adam_compare(adam_update, 3, 0.01, 0.9, 0.999, 1e-3, 1e-4, 44))
    c.check("training run: a badly scaled bowl, 400 steps", ["adam_update"],
            lambda: _adam_bowl(adam_update))
    return c.finish()
