"""ex07: the generator's step, non-saturating, through a fixed D (the checks; no solution).

``judge_g_step(data, g_step, kit)`` checks that D does not move, G's update against the
reference (``g_step_data.py``: ``gan.generator_step``; one SGD step, two Adam steps),
recognising the usual mistakes (``HINTS``), the returned loss −mean log D(G(z)) (also
when D rejects G's samples outright, logits ≈ −800), that D(G(z)) goes up, and a
short game in which G's samples travel to the data.

G, D and the optimizers come from ``kit``: the library's in the repository; in a
hand-out, the student's own ex01–ex04 answers (which must pass first), and the
game's D steps are the student's ex06.
"""

from __future__ import annotations

import copy

import numpy as np

from .d_step import N_PARAMS, flat_params, make_optimizer
from .engine import Checker, Ok, call_scalar, diagnose

HINTS = {
    "nothing": "G's parameters did not change: after G.backward(dL/dx), call "
               "g_opt.step(G.params(), G.grads())",
    "minimax": "that is the minimax (saturating) loss, mean log(1 − D(G(z))): this exercise "
               "asks for the non-saturating −mean log D(G(z)) = BCE(D(G(z)), 1) (§3)",
    "wrong_way": "G moved the wrong way (D(G(z)) went down): G descends −mean log D(G(z)); "
                 "pass the loss's gradient to D.backward as it is",
    "target0": "G used the target 0 (the fake half of D's loss): G then helps D. G's "
               "non-saturating loss is BCE(D(G(z)), 1): target 1",
    "probabilities": "you gave the loss probabilities σ(a) where it expects logits a: the "
                     "loss applies σ itself; pass D's logits to it as they are",
    "skip_D": "G got dL/da, the gradient at D's logits, as if it were dL/dx: backpropagate "
              "through D first, du = D.backward(dlogits), then G.backward(du)",
    "fresh_optimizer": "after two steps G differs, though one step was right: did you make "
                       "a new optimizer inside g_step? Adam keeps state (m, v, t) across "
                       "steps; use the g_opt passed in",
}

LOSS_HINTS = {
    "minimax": "you returned the minimax loss mean log(1 − D(G(z))): return the "
               "non-saturating −mean log D(G(z))",
    "sign": "the returned loss has the wrong sign: −mean log D(G(z)) is ≥ 0",
    "target0": "you returned BCE(D(G(z)), 0): G's target is 1",
    "after": "you returned the loss after the step (computed again with the updated G): "
             "return the one whose gradient you used, computed before g_opt.step",
}

MATCHES = [("one SGD step moves G like generator_step", "sgd", ("SGD", 0.1, None), 1),
           ("two Adam steps move G like generator_step", "adam", ("Adam", 1e-2, 0.5), 2)]

#: the earlier exercises G, D, the loss and the optimizers are built from in a hand-out
NEEDS = ["sigmoid_bce", "leaky_relu", "dense", "adam"]


def _setup(data, kit, prefix):
    """G, D (from stored parameters) and z of one stored case."""
    G = kit.mlp(data.arrays(prefix + "__G", N_PARAMS))
    D = kit.mlp(data.arrays(prefix + "__D", N_PARAMS))
    return G, D, data.get_array(prefix + "__z")


def _deltas(g_step, G0, D0, opt, z, n_steps):
    G, D = copy.deepcopy(G0), copy.deepcopy(D0)
    for _ in range(n_steps):
        g_step(G, D, opt, z.copy())
    return flat_params(G) - flat_params(G0), flat_params(D) - flat_params(D0)


def _g_d_frozen(data, kit, g_step):
    G, D, z = _setup(data, kit, "frozen")
    dG, dD = _deltas(g_step, G, D, kit.SGD(0.1), z, 1)
    if np.any(dD != 0):
        moved = "and G did not move: you stepped D's parameters with g_opt" \
            if not np.any(dG != 0) else "as well as G's"
        return (f"g_step changed D's parameters (by up to {np.max(np.abs(dD)):.3g}) {moved}. "
                "In G's step D is held fixed: the gradient flows through D "
                "(D.backward) but only g_opt.step(G.params(), G.grads()) moves anything")
    return None


def _g_step_matches(data, kit, g_step, prefix, spec, n_steps):
    G, D, z = _setup(data, kit, prefix)
    got, _ = _deltas(g_step, G, D, make_optimizer(kit, spec), z, n_steps)
    hint = diagnose("G's parameter update", got, data[prefix + "__want"],
                    data.variants(prefix + "__v__", HINTS))
    if hint:
        return f"{hint} [{n_steps} step(s) of {spec[0]}, m = {z.shape[0]}]"
    return None


def _g_step_loss(data, kit, g_step):
    G, D, z = _setup(data, kit, "loss")
    got = call_scalar(g_step(G, D, kit.SGD(0.1), z.copy()))
    return diagnose("the returned loss", got, data["loss__want"],
                    data.variants("loss__v__", LOSS_HINTS))


def _g_step_rejected(data, kit, g_step):
    """D calls every G(z) fake with logits ≈ −800: the loss is large but finite."""
    G, D, z = _setup(data, kit, "reject")
    g0 = flat_params(G)
    got = call_scalar(g_step(G, D, kit.SGD(0.1), z.copy()))
    want = data.number("reject__want")
    if got is not None and not np.all(np.isfinite(np.asarray(got, dtype=np.float64))):
        return (f"the returned loss is {got} when D rejects G's samples outright (its logits "
                f"are about −800; expected {want:.6g}): −mean log σ(a) computed through σ "
                "rounds σ(−800) to 0, and log 0 = −inf. Compute it from the logits: "
                "−log σ(a) = softplus(−a), i.e. BCE(a, 1) "
                "(losses.generator_loss_nonsaturating(a) returns it)")
    hint = diagnose("the returned loss", got, want) or diagnose(
        "G's parameter update", flat_params(G) - g0, data["reject__delta"])
    if hint:
        return f"{hint} [D's logits about −800]"
    return Ok(f"loss {float(np.asarray(got, dtype=np.float64)):.1f}")


def _g_step_fools_d(data, kit, g_step):
    G, D, z = _setup(data, kit, "fools")
    before = float(np.mean(kit.sigmoid(D.forward(G.forward(z)))))
    for _ in range(3):
        g_step(G, D, kit.SGD(0.05), z.copy())
    after = float(np.mean(kit.sigmoid(D.forward(G.forward(z)))))
    if not after > before + 1e-6:
        return (f"mean D(G(z)) went from {before:.4f} to {after:.4f} in three SGD steps: "
                "G's step must move G(z) to where D says 'real', so D(G(z)) goes up")
    return Ok(f"D(G(z)) {before:.3f} -> {after:.3f}")


def _g_training_run(data, kit, g_step):
    """A short game on N(4, 1.25²): G's samples start near 0 and must travel to the data."""
    waiting = kit.missing(["d_step"])               # the game's D steps (a hand-out: ex06)
    if waiting:
        return waiting
    rng = np.random.default_rng(175)
    G = kit.mlp(data.arrays("game__G", N_PARAMS))   # 1 → 16 → 16 → 1
    D = kit.mlp(data.arrays("game__D", N_PARAMS))
    d_opt, g_opt = kit.Adam(5e-3, beta1=0.5), kit.Adam(5e-3, beta1=0.5)
    scale = 1.25                          # D and G work in units of x / 1.25
    z_eval = rng.uniform(-1, 1, size=(2000, 1))
    start = float(np.mean(G.forward(z_eval))) * scale
    for _ in range(200):
        x_real = rng.normal(4.0, 1.25, size=(64, 1)) / scale
        z = rng.uniform(-1, 1, size=(64, 1))
        kit.d_step(D, d_opt, x_real, G.forward(z))
        g_step(G, D, g_opt, rng.uniform(-1, 1, size=(64, 1)))
    x = G.forward(z_eval)[:, 0] * scale
    mean, std = float(np.mean(x)), float(np.std(x))
    if not (np.isfinite(mean) and abs(mean - 4.0) < 0.5 and 0.5 < std < 2.5):
        return (f"after 200 steps G's samples have mean {mean:.3g} (it started at "
                f"{start:.3g}) and std {std:.3g}; p_data = N(4, 1.25²): want |mean − 4| < 0.5 "
                "and std in (0.5, 2.5). G should follow D's gradient towards the data")
    return Ok(f"mean {start:.2f} -> {mean:.2f}, std {std:.2f}")


def judge_g_step(data, g_step, kit, stream=None):
    """ex07: ``g_step(G, D, g_opt, z) -> loss``, G's non-saturating step through a fixed D.

    Checks that D's parameters do not move, G's update against the reference on
    copies (one SGD step, two Adam steps), the returned loss −mean log D(G(z)), the
    loss and update when D's logits are ≈ −800, that D(G(z)) goes up, and a 200-step
    game on N(4, 1.25²) in which G's samples must travel from ~0 to the data.  With
    the student's own pieces (``kit.own_pieces``), ex01–ex04 must pass first, and
    ex06 before the game.
    """
    c = Checker("ex07 generator step", {"g_step": g_step}, stream)
    if kit.own_pieces:
        c.require("your ex01–ex04 pass (G, D, the loss and the optimizers are built "
                  "from them)", lambda: kit.missing(NEEDS), "your ex01–ex04")
    c.check("D is held fixed (its parameters do not move)", ["g_step"],
            lambda: _g_d_frozen(data, kit, g_step))
    for what, prefix, spec, n_steps in MATCHES:
        c.check(what, ["g_step"], lambda p=prefix, s=spec, n=n_steps:
                _g_step_matches(data, kit, g_step, p, s, n))
    c.check("returns the non-saturating loss −mean log D(G(z))", ["g_step"],
            lambda: _g_step_loss(data, kit, g_step))
    c.check("loss and step finite when D rejects G(z) outright (logits ≈ −800)", ["g_step"],
            lambda: _g_step_rejected(data, kit, g_step))
    c.check("D(G(z)) goes up (G fools D a little more)", ["g_step"],
            lambda: _g_step_fools_d(data, kit, g_step))
    c.check("training run: G's samples travel to N(4, 1.25²)", ["g_step"],
            lambda: _g_training_run(data, kit, g_step))
    return c.finish()
