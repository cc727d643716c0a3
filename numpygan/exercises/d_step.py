"""ex06: the discriminator's step, one ascent step of D on V.

``check_d_step(d_step)`` compares D's parameter update with
``gan.discriminator_step`` (one SGD step, two Adam steps), recognising the usual
mistakes (``_d_variants``), checks the returned loss −V, that the batches survive,
that V goes up, and a training run in which D approaches D* (Proposition 1).
``_ref_d_step`` is the reference for ``--solution``.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import losses, theory
from ..gan import discriminator_step
from ..network import mlp
from ..optim import SGD, Adam
from .engine import Checker, Ok, _call_scalar, _numpy_backend, diagnose
from .players import _flat_params, _players


def _apply_d_grads(D, d_opt, x_real, x_fake, grad_fn):
    """A D step whose logit gradients come from ``grad_fn(real_logits, fake_logits)``."""
    m = x_real.shape[0]
    logits = D.forward(np.concatenate([x_real, x_fake]))           # (2m, 1)
    d_real, d_fake = grad_fn(logits[:m], logits[m:])
    D.backward(np.concatenate([d_real, d_fake]))
    d_opt.step(D.params(), D.grads())


def _d_variants():
    """Wrong D steps: (name, function(D, d_opt, x_real, x_fake)), with their hints."""
    s = losses.sigmoid

    def grads(fn):
        return lambda D, o, xr, xf: _apply_d_grads(D, o, xr, xf, fn)

    def only(half):
        def step(D, o, xr, xf):
            x = xr if half == "real" else xf
            a = D.forward(x)
            _, d = losses.bce_with_logits(a, 1.0 if half == "real" else 0.0)
            D.backward(d)
            o.step(D.params(), D.grads())
        return step

    def nothing(D, o, xr, xf):
        pass

    return [
        (nothing, "D's parameters did not change: after D.backward(dlogits), call "
                  "d_opt.step(D.params(), D.grads()); backward only computes the gradients"),
        (grads(lambda r, f: (-(s(r) - 1) / r.size, -s(f) / f.size)),
         "D moved the wrong way (V went down): D ascends V, i.e. descends the loss "
         "BCE(D(x_real), 1) + BCE(D(x_fake), 0); pass the loss's gradient to backward "
         "as it is (d_opt.step subtracts it)"),
        (grads(lambda r, f: (s(r) / r.size, (s(f) - 1) / f.size)),
         "the real and fake targets are swapped: real samples get target 1, fakes 0"),
        (grads(lambda r, f: ((s(r) - 1) / (2 * r.size), s(f) / (2 * f.size))),
         "D's update is half the expected one: you took one mean over all 2m samples. "
         "D's loss is a mean over the real batch PLUS a mean over the fake batch: "
         "losses.discriminator_loss(real_logits, fake_logits)"),
        (grads(lambda r, f: ((s(s(r)) - 1) / r.size, s(s(f)) / f.size)),
         "you gave the loss probabilities σ(a) where it expects logits a: "
         "bce_with_logits applies σ itself. D outputs logits; pass them to the loss as "
         "they are (and never put a Sigmoid layer before it)"),
        (only("fake"), "D's update is what the fake batch alone gives: backward() "
                       "OVERWRITES D's gradients, so a second forward/backward erased the "
                       "real batch's. Run D once on np.concatenate([x_real, x_fake]) and call "
                       "backward once, with the two halves' gradients stacked the same way"),
        (only("real"), "D's update is what the real batch alone gives: the fake batch's "
                       "gradient is missing (or was overwritten); run D on both halves at once"),
    ]


def _d_clones(D, opt):
    return copy.deepcopy(D), copy.deepcopy(opt)


def _d_batch(seed, m=16):
    rng = np.random.default_rng(seed)
    return rng.normal(1.0, 0.5, size=(m, 1)), rng.normal(-0.5, 0.7, size=(m, 1))


def _d_step_matches(d_step, make_opt, n_steps, seed):
    _, D0, _ = _players(seed)
    x_real, x_fake = _d_batch(seed)
    opt0 = make_opt()
    start = _flat_params(D0)

    def deltas(step):
        D, opt = _d_clones(D0, opt0)
        for _ in range(n_steps):
            step(D, opt, x_real.copy(), x_fake.copy())
        return _flat_params(D) - start

    want = deltas(lambda D, o, xr, xf: discriminator_step(D, o, xr, xf))
    got = deltas(d_step)
    variants = [(deltas(fn), hint) for fn, hint in _d_variants()]
    if n_steps > 1:
        def fresh(D, o, xr, xf):
            discriminator_step(D, copy.deepcopy(opt0), xr, xf)
        variants.append((deltas(fresh), "after two steps D differs, though one step was "
                         "right: did you make a new optimizer inside d_step? Adam keeps "
                         "state (m, v, t) across steps; use the d_opt passed in"))
    hint = diagnose("D's parameter update", got, want, variants)
    if hint:
        return f"{hint} [{n_steps} step(s) of {type(opt0).__name__}, m = {x_real.shape[0]}]"
    return None


def _d_step_loss(d_step):
    _, D, _ = _players(61)
    x_real, x_fake = _d_batch(61)
    D_ref, opt_ref = _d_clones(D, SGD(0.1))
    want = discriminator_step(D_ref, opt_ref, x_real.copy(), x_fake.copy())["loss"]
    D_before = copy.deepcopy(D)
    got = _call_scalar(d_step(D, SGD(0.1), x_real.copy(), x_fake.copy()))
    a_r, a_f = D_before.forward(x_real), D_before.forward(x_fake)
    half = 0.5 * want
    after = losses.discriminator_loss(D.forward(x_real), D.forward(x_fake))[0]
    variants = [
        (-want, "you returned V; the loss D descends is −V = BCE(real, 1) + BCE(fake, 0)"),
        (half, "the loss is half of −V: one mean over all 2m samples instead of a mean "
               "over the real batch plus a mean over the fake batch"),
        (losses.bce_with_logits(a_f, 0.0)[0], "you returned the fake half's loss only: "
                                              "add BCE(D(x_real), 1)"),
        (losses.bce_with_logits(a_r, 1.0)[0], "you returned the real half's loss only: "
                                              "add BCE(D(x_fake), 0)"),
        (after, "you returned the loss after the step (computed again with the updated "
                "D): return the one whose gradient you used"),
    ]
    return diagnose("the returned loss", got, want, variants)


def _d_inputs_untouched(d_step):
    _, D, _ = _players(62)
    x_real, x_fake = _d_batch(62)
    xr, xf = x_real.copy(), x_fake.copy()
    d_step(D, SGD(0.1), xr, xf)
    if not (np.array_equal(xr, x_real) and np.array_equal(xf, x_fake)):
        return "d_step changed x_real or x_fake in place: the caller's batches must survive"
    return None


def _value_on(D, x_real, x_fake):
    """V on a batch, from logits: mean log D(x_real) + mean log(1 − D(x_fake))."""
    return -float(np.mean(losses.softplus(-D.forward(x_real)))) \
        - float(np.mean(losses.softplus(D.forward(x_fake))))


def _d_step_raises_v(d_step):
    _, D, _ = _players(63)
    x_real, x_fake = _d_batch(63)
    before = _value_on(D, x_real, x_fake)
    for _ in range(3):
        d_step(D, SGD(0.05), x_real.copy(), x_fake.copy())
    after = _value_on(D, x_real, x_fake)
    if not after > before + 1e-6:
        return (f"V on the batch went from {before:.4f} to {after:.4f} in three SGD steps: "
                "D's step must raise V = mean log D(x_real) + mean log(1 − D(x_fake))")
    return Ok(f"V {before:.3f} -> {after:.3f}")


def _d_training_run(d_step):
    """D trained against a fixed p_g approaches D* = p_data/(p_data + p_g) (Proposition 1)."""
    rng = np.random.default_rng(64)
    D = mlp([1, 16, 16, 1], hidden="leaky_relu", rng=rng)
    opt = Adam(5e-3, beta1=0.5)
    mu_d, s_d, mu_g, s_g = 4.0, 1.25, 2.0, 1.0
    shift, scale = 3.0, 1.5                      # D sees standardised inputs (x − 3)/1.5
    for _ in range(400):
        x_real = (rng.normal(mu_d, s_d, size=(64, 1)) - shift) / scale
        x_fake = (rng.normal(mu_g, s_g, size=(64, 1)) - shift) / scale
        d_step(D, opt, x_real, x_fake)
    x = np.linspace(1.5, 5.5, 81)
    d = losses.sigmoid(D.forward(((x - shift) / scale).reshape(-1, 1))[:, 0])
    d_star = theory.gaussian_dstar(x, mu_d, s_d, mu_g, s_g)
    err = float(np.mean(np.abs(d - d_star)))
    if not err < 0.06:
        flipped = float(np.mean(np.abs((1 - d) - d_star)))
        extra = (" D is closer to 1 − D* than to D*: it treats the data as fake (the "
                 "checks above say why)") if flipped < err else ""
        return (f"after 400 steps against p_g = N(2, 1), mean |D(x) − D*(x)| = {err:.3f} "
                f"on [1.5, 5.5] (want < 0.06): D should approach D* = p_data/(p_data + p_g) "
                f"with p_data = N(4, 1.25²).{extra}")
    return Ok(f"mean |D − D*| = {err:.3f}")


@_numpy_backend
def check_d_step(d_step, stream=None):
    """ex06: ``d_step(D, d_opt, x_real, x_fake) -> loss``, one ascent step of D on V.

    Compares D's parameter update with ``gan.discriminator_step`` on deep copies of
    one network (one SGD step, two Adam steps), the returned loss with −V, checks
    the batches survive, that V on the batch goes up, and a 400-step training run
    against a fixed p_g in which D must approach D* (Proposition 1).
    """
    c = Checker("ex06 discriminator step", {"d_step": d_step}, stream)
    c.check("one SGD step moves D like discriminator_step", ["d_step"],
            lambda: _d_step_matches(d_step, lambda: SGD(0.1), 1, 60))
    c.check("two Adam steps move D like discriminator_step", ["d_step"],
            lambda: _d_step_matches(d_step, lambda: Adam(1e-2, beta1=0.5), 2, 65))
    c.check("returns the loss −V on the batch, before the step", ["d_step"],
            lambda: _d_step_loss(d_step))
    c.check("x_real and x_fake not changed", ["d_step"], lambda: _d_inputs_untouched(d_step))
    c.check("V on the batch goes up (D ascends V)", ["d_step"],
            lambda: _d_step_raises_v(d_step))
    c.check("training run: D approaches D* = p_data/(p_data + p_g)", ["d_step"],
            lambda: _d_training_run(d_step))
    return c.finish()


def _ref_d_step(D, d_opt, x_real, x_fake):
    return discriminator_step(D, d_opt, x_real, x_fake)["loss"]
