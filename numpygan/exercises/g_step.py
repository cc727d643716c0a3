"""ex07: the generator's step, non-saturating, through a fixed D.

``check_g_step(g_step)`` checks that D does not move, G's update against
``gan.generator_step`` (one SGD step, two Adam steps), recognising the usual
mistakes (``_g_variants``), the returned loss −mean log D(G(z)), that D(G(z)) goes
up, and a short game in which G's samples travel to the data.
``_ref_g_step`` is the reference for ``--solution``.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import losses
from ..gan import discriminator_step, generator_step
from ..network import mlp
from ..optim import SGD, Adam
from .engine import Checker, Ok, _call_scalar, _numpy_backend, diagnose
from .players import _flat_params, _players


def _apply_g_grads(G, D, g_opt, z, grad_fn, through_D=True):
    """A G step whose logit gradients come from ``grad_fn(logits)``."""
    u = G.forward(z)
    a = D.forward(u)
    da = grad_fn(a)
    G.backward(D.backward(da) if through_D else da)
    g_opt.step(G.params(), G.grads())


def _g_variants():
    s = losses.sigmoid

    def grads(fn, through_D=True):
        return lambda G, D, o, z: _apply_g_grads(G, D, o, z, fn, through_D)

    def nothing(G, D, o, z):
        pass

    return [
        (nothing, "G's parameters did not change: after G.backward(dL/dx), call "
                  "g_opt.step(G.params(), G.grads())"),
        (grads(lambda a: -s(a) / a.size),
         "that is the minimax (saturating) loss, mean log(1 − D(G(z))): this exercise "
         "asks for the non-saturating −mean log D(G(z)) = BCE(D(G(z)), 1) (§3)"),
        (grads(lambda a: (1 - s(a)) / a.size),
         "G moved the wrong way (D(G(z)) went down): G descends −mean log D(G(z)); "
         "pass the loss's gradient to D.backward as it is"),
        (grads(lambda a: s(a) / a.size),
         "G used the target 0 (the fake half of D's loss): G then helps D. G's "
         "non-saturating loss is BCE(D(G(z)), 1): target 1"),
        (grads(lambda a: (s(s(a)) - 1) / a.size),
         "you gave the loss probabilities σ(a) where it expects logits a: the loss "
         "applies σ itself; pass D's logits to it as they are"),
        (grads(lambda a: -(1 - s(a)) / a.size, through_D=False),
         "G got dL/da, the gradient at D's logits, as if it were dL/dx: backpropagate "
         "through D first, du = D.backward(dlogits), then G.backward(du)"),
    ]


def _g_deltas(g_step, G0, D0, opt0, z, n_steps):
    G, D, opt = copy.deepcopy(G0), copy.deepcopy(D0), copy.deepcopy(opt0)
    g0, d0 = _flat_params(G), _flat_params(D)
    for _ in range(n_steps):
        g_step(G, D, opt, z.copy())
    return _flat_params(G) - g0, _flat_params(D) - d0


def _g_d_frozen(g_step):
    G, D, rng = _players(70)
    z = rng.uniform(-1, 1, size=(16, 1))
    dG, dD = _g_deltas(g_step, G, D, SGD(0.1), z, 1)
    if np.any(dD != 0):
        moved = "and G did not move: you stepped D's parameters with g_opt" \
            if not np.any(dG != 0) else "as well as G's"
        return (f"g_step changed D's parameters (by up to {np.max(np.abs(dD)):.3g}) {moved}. "
                "In G's step D is held fixed: the gradient flows through D "
                "(D.backward) but only g_opt.step(G.params(), G.grads()) moves anything")
    return None


def _g_step_matches(g_step, make_opt, n_steps, seed):
    G0, D0, rng = _players(seed)
    z = rng.uniform(-1, 1, size=(16, 1))
    opt0 = make_opt()
    want, _ = _g_deltas(lambda G, D, o, z: generator_step(G, D, o, z), G0, D0, opt0, z,
                        n_steps)
    got, _ = _g_deltas(g_step, G0, D0, opt0, z, n_steps)
    variants = [(_g_deltas(fn, G0, D0, opt0, z, n_steps)[0], hint)
                for fn, hint in _g_variants()]
    if n_steps > 1:
        def fresh(G, D, o, z):
            generator_step(G, D, copy.deepcopy(opt0), z)
        variants.append((_g_deltas(fresh, G0, D0, opt0, z, n_steps)[0],
                         "after two steps G differs, though one step was right: did you "
                         "make a new optimizer inside g_step? Adam keeps state (m, v, t) "
                         "across steps; use the g_opt passed in"))
    hint = diagnose("G's parameter update", got, want, variants)
    if hint:
        return f"{hint} [{n_steps} step(s) of {type(opt0).__name__}, m = {z.shape[0]}]"
    return None


def _g_step_loss(g_step):
    G, D, rng = _players(72)
    z = rng.uniform(-1, 1, size=(16, 1))
    a = D.forward(G.forward(z))
    want = losses.generator_loss_nonsaturating(a)[0]
    got = _call_scalar(g_step(copy.deepcopy(G), copy.deepcopy(D), SGD(0.1), z.copy()))
    variants = [
        (losses.generator_loss_minimax(a)[0], "you returned the minimax loss mean "
         "log(1 − D(G(z))): return the non-saturating −mean log D(G(z))"),
        (-want, "the returned loss has the wrong sign: −mean log D(G(z)) is ≥ 0"),
        (losses.bce_with_logits(a, 0.0)[0], "you returned BCE(D(G(z)), 0): G's target is 1"),
    ]
    return diagnose("the returned loss", got, want, variants)


def _g_step_fools_d(g_step):
    G, D, rng = _players(73)
    z = rng.uniform(-1, 1, size=(32, 1))
    before = float(np.mean(losses.sigmoid(D.forward(G.forward(z)))))
    for _ in range(3):
        g_step(G, D, SGD(0.05), z.copy())
    after = float(np.mean(losses.sigmoid(D.forward(G.forward(z)))))
    if not after > before + 1e-6:
        return (f"mean D(G(z)) went from {before:.4f} to {after:.4f} in three SGD steps: "
                "G's step must move G(z) to where D says 'real', so D(G(z)) goes up")
    return Ok(f"D(G(z)) {before:.3f} -> {after:.3f}")


def _g_training_run(g_step):
    """A short game on N(4, 1.25²): G's samples start near 0 and must travel to the data."""
    rng = np.random.default_rng(75)
    G = mlp([1, 16, 16, 1], hidden="leaky_relu", rng=rng)
    D = mlp([1, 16, 16, 1], hidden="leaky_relu", rng=rng)
    d_opt, g_opt = Adam(5e-3, beta1=0.5), Adam(5e-3, beta1=0.5)
    scale = 1.25                          # D and G work in units of x / 1.25
    z_eval = rng.uniform(-1, 1, size=(2000, 1))
    start = float(np.mean(G.forward(z_eval))) * scale
    for _ in range(200):
        x_real = rng.normal(4.0, 1.25, size=(64, 1)) / scale
        z = rng.uniform(-1, 1, size=(64, 1))
        discriminator_step(D, d_opt, x_real, G.forward(z))
        g_step(G, D, g_opt, rng.uniform(-1, 1, size=(64, 1)))
    x = G.forward(z_eval)[:, 0] * scale
    mean, std = float(np.mean(x)), float(np.std(x))
    if not (np.isfinite(mean) and abs(mean - 4.0) < 0.5 and 0.5 < std < 2.5):
        return (f"after 200 steps G's samples have mean {mean:.3g} (it started at "
                f"{start:.3g}) and std {std:.3g}; p_data = N(4, 1.25²): want |mean − 4| < 0.5 "
                "and std in (0.5, 2.5). G should follow D's gradient towards the data")
    return Ok(f"mean {start:.2f} -> {mean:.2f}, std {std:.2f}")


@_numpy_backend
def check_g_step(g_step, stream=None):
    """ex07: ``g_step(G, D, g_opt, z) -> loss``, G's non-saturating step through a fixed D.

    Checks that D's parameters do not move, G's update against
    ``gan.generator_step`` on deep copies (one SGD step, two Adam steps), the returned
    loss −mean log D(G(z)), that D(G(z)) goes up, and a 200-step game on N(4, 1.25²)
    (with the library's D step) in which G's samples must travel from ~0 to the data.
    """
    c = Checker("ex07 generator step", {"g_step": g_step}, stream)
    c.check("D is held fixed (its parameters do not move)", ["g_step"],
            lambda: _g_d_frozen(g_step))
    c.check("one SGD step moves G like generator_step", ["g_step"],
            lambda: _g_step_matches(g_step, lambda: SGD(0.1), 1, 71))
    c.check("two Adam steps move G like generator_step", ["g_step"],
            lambda: _g_step_matches(g_step, lambda: Adam(1e-2, beta1=0.5), 2, 75))
    c.check("returns the non-saturating loss −mean log D(G(z))", ["g_step"],
            lambda: _g_step_loss(g_step))
    c.check("D(G(z)) goes up (G fools D a little more)", ["g_step"],
            lambda: _g_step_fools_d(g_step))
    c.check("training run: G's samples travel to N(4, 1.25²)", ["g_step"],
            lambda: _g_training_run(g_step))
    return c.finish()


def _ref_g_step(G, D, g_opt, z):
    return generator_step(G, D, g_opt, z, loss="non-saturating")["loss"]
