"""ex07's data: networks, noise, ``gan.generator_step``'s updates, the mistakes'.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import copy

from .. import losses
from ..gan import generator_step
from ..optim import SGD, Adam
from .d_step import flat_params
from .g_step import MATCHES
from .kit import players


def _apply(G, D, g_opt, z, grad_fn, through_D=True):
    """A G step whose logit gradients come from ``grad_fn(logits)``."""
    a = D.forward(G.forward(z))
    da = grad_fn(a)
    G.backward(D.backward(da) if through_D else da)
    g_opt.step(G.params(), G.grads())


def mistaken_steps():
    """{name: a wrong G step (G, D, g_opt, z)}: see g_step.HINTS."""
    s = losses.sigmoid

    def grads(fn, through_D=True):
        return lambda G, D, o, z: _apply(G, D, o, z, fn, through_D)

    return {
        "nothing": lambda G, D, o, z: None,
        "minimax": grads(lambda a: -s(a) / a.size),
        "wrong_way": grads(lambda a: (1 - s(a)) / a.size),
        "target0": grads(lambda a: s(a) / a.size),
        "probabilities": grads(lambda a: (s(s(a)) - 1) / a.size),
        "skip_D": grads(lambda a: -(1 - s(a)) / a.size, through_D=False),
    }


def _reference(G, D, o, z):
    return generator_step(G, D, o, z, loss="non-saturating")["loss"]


def _case(out, prefix, seed, m=16, width=8):
    G, D, rng = players(seed, width)
    z = rng.uniform(-1, 1, size=(m, 1))
    out.update({f"{prefix}__G{i}": p.copy() for i, p in enumerate(G.params())})
    out.update({f"{prefix}__D{i}": p.copy() for i, p in enumerate(D.params())})
    out[prefix + "__z"] = z
    return G, D, z


def _g_deltas(step, G0, D0, opt0, z, n_steps):
    G, D, opt = copy.deepcopy(G0), copy.deepcopy(D0), copy.deepcopy(opt0)
    for _ in range(n_steps):
        step(G, D, opt, z.copy())
    return flat_params(G) - flat_params(G0)


def _loss_cases(out):
    G, D, z = _case(out, "loss", 72)
    a = D.forward(G.forward(z))
    G_after = copy.deepcopy(G)
    want = _reference(G_after, D, SGD(0.1), z.copy())
    out["loss__want"] = want
    out.update({"loss__v__minimax": losses.generator_loss_minimax(a)[0],
                "loss__v__sign": -want, "loss__v__target0": losses.bce_with_logits(a, 0.0)[0],
                "loss__v__after": losses.generator_loss_nonsaturating(
                    D.forward(G_after.forward(z)))[0]})
    G, D, z = _case(out, "reject", 76)
    out["reject__D5"] = out["reject__D5"] - 800.0    # D's last bias: logits about −800
    D.params()[5][...] = out["reject__D5"]
    G_after = copy.deepcopy(G)
    out["reject__want"] = _reference(G_after, D, SGD(0.1), z.copy())
    out["reject__delta"] = flat_params(G_after) - flat_params(G)


def make():
    """{name: array} for ex07 (keys: see ``g_step.judge_g_step``)."""
    out = {}
    _case(out, "frozen", 70)
    for (_, prefix, (opt_name, lr, beta1), n_steps), seed in zip(MATCHES, (71, 75)):
        G0, D0, z = _case(out, prefix, seed)
        opt0 = SGD(lr) if opt_name == "SGD" else Adam(lr, beta1=beta1)
        out[prefix + "__want"] = _g_deltas(_reference, G0, D0, opt0, z, n_steps)
        steps = mistaken_steps()
        if n_steps > 1:
            steps["fresh_optimizer"] = lambda G, D, o, z: _reference(
                G, D, copy.deepcopy(opt0), z)
        for kind, step in steps.items():
            out[f"{prefix}__v__{kind}"] = _g_deltas(step, G0, D0, opt0, z, n_steps)
    _loss_cases(out)
    _case(out, "fools", 73, m=32)
    _case(out, "game", 75, width=16)
    return out
