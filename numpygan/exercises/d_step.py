"""ex06: the discriminator's step, one ascent step of D on V (the checks; no solution here).

``judge_d_step(data, d_step, kit)`` compares D's parameter update with the reference
(``d_step_data.py``: ``gan.discriminator_step``; one SGD step, two Adam steps),
recognising the usual mistakes (``HINTS``), checks the returned loss −V, that the
batches survive, that V goes up, and a training run in which D approaches D*
(Proposition 1).

D, its loss and its optimizer come from ``kit``: the library's in the repository;
in a hand-out, the student's own ex01–ex04 answers (which must pass first).
"""

from __future__ import annotations

import copy

import numpy as np

from .engine import Checker, Ok, call_scalar, diagnose

HINTS = {
    "nothing": "D's parameters did not change: after D.backward(dlogits), call "
               "d_opt.step(D.params(), D.grads()); backward only computes the gradients",
    "wrong_way": "D moved the wrong way (V went down): D ascends V, i.e. descends the loss "
                 "BCE(D(x_real), 1) + BCE(D(x_fake), 0); pass the loss's gradient to "
                 "backward as it is (d_opt.step subtracts it)",
    "swapped": "the real and fake targets are swapped: real samples get target 1, fakes 0",
    "one_mean": "D's update is half the expected one: you took one mean over all 2m "
                "samples. D's loss is a mean over the real batch PLUS a mean over the fake "
                "batch: losses.discriminator_loss(real_logits, fake_logits)",
    "probabilities": "you gave the loss probabilities σ(a) where it expects logits a: "
                     "bce_with_logits applies σ itself. D outputs logits; pass them to the "
                     "loss as they are (and never put a Sigmoid layer before it)",
    "fake_only": "D's update is what the fake batch alone gives: backward() OVERWRITES D's "
                 "gradients, so a second forward/backward erased the real batch's. Run D "
                 "once on np.concatenate([x_real, x_fake]) and call backward once, with the "
                 "two halves' gradients stacked the same way",
    "real_only": "D's update is what the real batch alone gives: the fake batch's gradient "
                 "is missing (or was overwritten); run D on both halves at once",
    "fresh_optimizer": "after two steps D differs, though one step was right: did you make "
                       "a new optimizer inside d_step? Adam keeps state (m, v, t) across "
                       "steps; use the d_opt passed in",
}

LOSS_HINTS = {
    "value": "you returned V; the loss D descends is −V = BCE(real, 1) + BCE(fake, 0)",
    "half": "the loss is half of −V: one mean over all 2m samples instead of a mean over "
            "the real batch plus a mean over the fake batch",
    "fake_half": "you returned the fake half's loss only: add BCE(D(x_real), 1)",
    "real_half": "you returned the real half's loss only: add BCE(D(x_fake), 0)",
    "after": "you returned the loss after the step (computed again with the updated D): "
             "return the one whose gradient you used",
}

#: (check's text, data prefix, optimizer (name, lr, beta1), steps) of the update checks
MATCHES = [("one SGD step moves D like discriminator_step", "sgd", ("SGD", 0.1, None), 1),
           ("two Adam steps move D like discriminator_step", "adam", ("Adam", 1e-2, 0.5), 2)]

#: the earlier exercises D, its loss and its optimizer are built from in a hand-out
NEEDS = ["sigmoid_bce", "leaky_relu", "dense", "adam"]

N_PARAMS = 6                     # W, b of D's three Dense layers (1 → 8 → 8 → 1)


def make_optimizer(kit, spec):
    name, lr, beta1 = spec
    return kit.SGD(lr) if name == "SGD" else kit.Adam(lr, beta1=beta1)


def flat_params(net):
    return np.concatenate([np.ravel(p) for p in net.params()])


def _setup(data, kit, prefix):
    """D (from stored parameters), x_real, x_fake of one stored case."""
    D = kit.mlp(data.arrays(prefix + "__D", N_PARAMS))
    return D, data.get_array(prefix + "__x_real"), data.get_array(prefix + "__x_fake")


def _d_step_matches(data, kit, d_step, prefix, spec, n_steps):
    D0, x_real, x_fake = _setup(data, kit, prefix)
    D, opt = copy.deepcopy(D0), make_optimizer(kit, spec)
    for _ in range(n_steps):
        d_step(D, opt, x_real.copy(), x_fake.copy())
    got = flat_params(D) - flat_params(D0)
    hint = diagnose("D's parameter update", got, data[prefix + "__want"],
                    data.variants(prefix + "__v__", HINTS))
    if hint:
        return f"{hint} [{n_steps} step(s) of {spec[0]}, m = {x_real.shape[0]}]"
    return None


def _d_step_loss(data, kit, d_step):
    D, x_real, x_fake = _setup(data, kit, "loss")
    got = call_scalar(d_step(D, kit.SGD(0.1), x_real.copy(), x_fake.copy()))
    return diagnose("the returned loss", got, data["loss__want"],
                    data.variants("loss__v__", LOSS_HINTS))


def _d_inputs_untouched(data, kit, d_step):
    D, x_real, x_fake = _setup(data, kit, "keep")
    xr, xf = x_real.copy(), x_fake.copy()
    d_step(D, kit.SGD(0.1), xr, xf)
    if not (np.array_equal(xr, x_real) and np.array_equal(xf, x_fake)):
        return "d_step changed x_real or x_fake in place: the caller's batches must survive"
    return None


def value_on(kit, D, x_real, x_fake):
    """V on a batch, from logits: mean log D(x_real) + mean log(1 − D(x_fake)) = −D's loss."""
    return -float(kit.discriminator_loss(D.forward(x_real), D.forward(x_fake))[0])


def _d_step_raises_v(data, kit, d_step):
    D, x_real, x_fake = _setup(data, kit, "rise")
    before = value_on(kit, D, x_real, x_fake)
    for _ in range(3):
        d_step(D, kit.SGD(0.05), x_real.copy(), x_fake.copy())
    after = value_on(kit, D, x_real, x_fake)
    if not after > before + 1e-6:
        return (f"V on the batch went from {before:.4f} to {after:.4f} in three SGD steps: "
                "D's step must raise V = mean log D(x_real) + mean log(1 − D(x_fake))")
    return Ok(f"V {before:.3f} -> {after:.3f}")


def _d_training_run(data, kit, d_step):
    """D trained against a fixed p_g approaches D* = p_data/(p_data + p_g) (Proposition 1)."""
    rng = np.random.default_rng(164)
    D = kit.mlp(data.arrays("train__D", N_PARAMS))           # 1 → 16 → 16 → 1
    opt = kit.Adam(5e-3, beta1=0.5)
    mu_d, s_d, mu_g, s_g = 4.0, 1.25, 2.0, 1.0
    shift, scale = 3.0, 1.5                      # D sees standardised inputs (x − 3)/1.5
    for _ in range(400):
        x_real = (rng.normal(mu_d, s_d, size=(64, 1)) - shift) / scale
        x_fake = (rng.normal(mu_g, s_g, size=(64, 1)) - shift) / scale
        d_step(D, opt, x_real, x_fake)
    x = np.linspace(1.5, 5.5, 81)
    d = np.asarray(kit.sigmoid(D.forward(((x - shift) / scale).reshape(-1, 1))[:, 0]))
    d_star = data["train__d_star"]
    err = float(np.mean(np.abs(d - d_star)))
    if not err < 0.06:
        flipped = float(np.mean(np.abs((1 - d) - d_star)))
        extra = (" D is closer to 1 − D* than to D*: it treats the data as fake (the "
                 "checks above say why)") if flipped < err else ""
        return (f"after 400 steps against p_g = N(2, 1), mean |D(x) − D*(x)| = {err:.3f} "
                f"on [1.5, 5.5] (want < 0.06): D should approach D* = p_data/(p_data + p_g) "
                f"with p_data = N(4, 1.25²).{extra}")
    return Ok(f"mean |D − D*| = {err:.3f}")


def judge_d_step(data, d_step, kit, stream=None):
    """ex06: ``d_step(D, d_opt, x_real, x_fake) -> loss``, one ascent step of D on V.

    Compares D's parameter update with the reference on copies of one network (one
    SGD step, two Adam steps), the returned loss with −V, checks the batches survive,
    that V on the batch goes up, and a 400-step training run against a fixed p_g in
    which D must approach D* (Proposition 1).  With the student's own pieces
    (``kit.own_pieces``), ex01–ex04 must pass first.
    """
    c = Checker("ex06 discriminator step", {"d_step": d_step}, stream)
    if kit.own_pieces:
        c.require("your ex01–ex04 pass (D, its loss and its optimizer are built from them)",
                  lambda: kit.missing(NEEDS), "your ex01–ex04")
    for what, prefix, spec, n_steps in MATCHES:
        c.check(what, ["d_step"], lambda p=prefix, s=spec, n=n_steps:
                _d_step_matches(data, kit, d_step, p, s, n))
    c.check("returns the loss −V on the batch, before the step", ["d_step"],
            lambda: _d_step_loss(data, kit, d_step))
    c.check("x_real and x_fake not changed", ["d_step"],
            lambda: _d_inputs_untouched(data, kit, d_step))
    c.check("V on the batch goes up (D ascends V)", ["d_step"],
            lambda: _d_step_raises_v(data, kit, d_step))
    c.check("training run: D approaches D* = p_data/(p_data + p_g)", ["d_step"],
            lambda: _d_training_run(data, kit, d_step))
    return c.finish()
