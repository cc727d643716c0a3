"""ex06's data: networks, batches, ``gan.discriminator_step``'s updates, the mistakes'.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import copy

import numpy as np

from .. import losses, theory
from ..gan import discriminator_step
from ..optim import SGD, Adam
from .d_step import MATCHES, flat_params
from .kit import players


def _apply(D, d_opt, x_real, x_fake, grad_fn):
    """A D step whose logit gradients come from ``grad_fn(real_logits, fake_logits)``."""
    m = x_real.shape[0]
    logits = D.forward(np.concatenate([x_real, x_fake]))           # (2m, 1)
    d_real, d_fake = grad_fn(logits[:m], logits[m:])
    D.backward(np.concatenate([d_real, d_fake]))
    d_opt.step(D.params(), D.grads())


def mistaken_steps():
    """{name: a wrong D step (D, d_opt, x_real, x_fake)}: see d_step.HINTS."""
    s = losses.sigmoid

    def grads(fn):
        return lambda D, o, xr, xf: _apply(D, o, xr, xf, fn)

    def only(half):
        def step(D, o, xr, xf):
            a = D.forward(xr if half == "real" else xf)
            D.backward(losses.bce_with_logits(a, 1.0 if half == "real" else 0.0)[1])
            o.step(D.params(), D.grads())
        return step

    return {
        "nothing": lambda D, o, xr, xf: None,
        "wrong_way": grads(lambda r, f: (-(s(r) - 1) / r.size, -s(f) / f.size)),
        "swapped": grads(lambda r, f: (s(r) / r.size, (s(f) - 1) / f.size)),
        "one_mean": grads(lambda r, f: ((s(r) - 1) / (2 * r.size), s(f) / (2 * f.size))),
        "probabilities": grads(lambda r, f: ((s(s(r)) - 1) / r.size, s(s(f)) / f.size)),
        "fake_only": only("fake"),
        "real_only": only("real"),
    }


def _batch(seed, m=16):
    rng = np.random.default_rng(seed)
    return rng.normal(1.0, 0.5, size=(m, 1)), rng.normal(-0.5, 0.7, size=(m, 1))


def _case(out, prefix, D, seed):
    x_real, x_fake = _batch(seed)
    out.update({f"{prefix}__D{i}": p.copy() for i, p in enumerate(D.params())})
    out[prefix + "__x_real"], out[prefix + "__x_fake"] = x_real, x_fake
    return x_real, x_fake


def _deltas(step, D0, opt0, x_real, x_fake, n_steps):
    D, opt = copy.deepcopy(D0), copy.deepcopy(opt0)
    for _ in range(n_steps):
        step(D, opt, x_real.copy(), x_fake.copy())
    return flat_params(D) - flat_params(D0)


def _loss_case(out):
    _, D, _ = players(61)
    x_real, x_fake = _case(out, "loss", D, 61)
    D_after = copy.deepcopy(D)
    want = discriminator_step(D_after, SGD(0.1), x_real.copy(), x_fake.copy())["loss"]
    a_r, a_f = D.forward(x_real), D.forward(x_fake)
    out["loss__want"] = want
    out.update({"loss__v__value": -want, "loss__v__half": 0.5 * want,
                "loss__v__fake_half": losses.bce_with_logits(a_f, 0.0)[0],
                "loss__v__real_half": losses.bce_with_logits(a_r, 1.0)[0],
                "loss__v__after": losses.discriminator_loss(D_after.forward(x_real),
                                                            D_after.forward(x_fake))[0]})


def make():
    """{name: array} for ex06 (keys: see ``d_step.judge_d_step``)."""
    out = {}
    for (_, prefix, (opt_name, lr, beta1), n_steps), seed in zip(MATCHES, (60, 65)):
        _, D0, _ = players(seed)
        x_real, x_fake = _case(out, prefix, D0, seed)
        opt0 = SGD(lr) if opt_name == "SGD" else Adam(lr, beta1=beta1)
        reference = lambda D, o, xr, xf: discriminator_step(D, o, xr, xf)
        out[prefix + "__want"] = _deltas(reference, D0, opt0, x_real, x_fake, n_steps)
        steps = mistaken_steps()
        if n_steps > 1:
            steps["fresh_optimizer"] = lambda D, o, xr, xf: discriminator_step(
                D, copy.deepcopy(opt0), xr, xf)
        for kind, step in steps.items():
            out[f"{prefix}__v__{kind}"] = _deltas(step, D0, opt0, x_real, x_fake, n_steps)
    _loss_case(out)
    for prefix, seed in (("keep", 62), ("rise", 63)):
        _case(out, prefix, players(seed)[1], seed)
    D = players(64, width=16)[1]
    out.update({f"train__D{i}": p.copy() for i, p in enumerate(D.params())})
    out["train__d_star"] = theory.gaussian_dstar(np.linspace(1.5, 5.5, 81), 4.0, 1.25, 2.0, 1.0)
    return out
