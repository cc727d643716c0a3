"""ex01: the sigmoid and the stable BCE from logits.

``check_sigmoid_bce(sigmoid, bce_with_logits)`` checks σ(a) = 1/(1 + e^(−a)) on
random logits and at ±800 (no overflow) and −30 (accuracy), and the mean BCE
(1/N) Σ [softplus(a) − t·a] with its gradient (σ(a) − t)/N, finite at logits ±800.
"""

from __future__ import annotations

import numpy as np

from .. import losses
from .engine import Checker, _call_scalar, _cases_text, _first_line, _numpy_backend, diagnose


def _stable_sigmoid(a):
    return losses.sigmoid(np.asarray(a, dtype=np.float64))


def _sigmoid_variants(a):
    with np.errstate(all="ignore"):
        return [
            (_stable_sigmoid(-a), "you computed σ(−a) = 1/(1 + e^(+a)): the exponent's sign "
             "is flipped. σ(a) = 1/(1 + e^(−a)) rises from 0 to 1, with σ(0) = ½"),
            (np.exp(-a) / (1 + np.exp(-a)), "you computed e^(−a)/(1 + e^(−a)) = 1 − σ(a): "
             "σ(a) = 1/(1 + e^(−a)) = e^a/(1 + e^a)"),
            (1 / (1 + np.exp(a)), "you computed 1/(1 + e^(+a)) = σ(−a): the exponent's sign"),
            (np.tanh(a), "you computed tanh(a): σ(a) = 1/(1 + e^(−a)) "
                         "(tanh(a) = 2σ(2a) − 1)"),
        ]


def _sigmoid_values(sigmoid):
    rng = np.random.default_rng(11)
    for shape in [(7,), (3, 4), (5, 1)]:
        a = rng.normal(0, 3, size=shape)
        a.flat[0] = 0.0
        got = sigmoid(a.copy())
        hint = diagnose("σ(a)", got, _stable_sigmoid(a), _sigmoid_variants(a))
        if hint:
            return f"{hint} {_cases_text(a=a)}"
    return None


def _sigmoid_tails(sigmoid):
    """Finite, no overflow, and accurate far out on both sides."""
    for a0 in (800.0, -800.0):
        a = np.array([a0, a0 / 2, 0.0])
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                got = sigmoid(a)
        except FloatingPointError as exc:
            side = "+" if a0 > 0 else "−"
            other = ("e^(−a) is e^800 when a = −800" if a0 < 0
                     else "e^(+a) is e^800 when a = +800")
            return (f"{_first_line(exc)} at a = {side}800: {other}, which overflows "
                    "float64 (max ~1.8e308). If you used np.where(a >= 0, …, …): it "
                    "computes BOTH branches for every entry. Compute e = exp(−|a|) once "
                    "(never overflows), then σ = 1/(1 + e) where a ≥ 0, e/(1 + e) where a < 0")
        hint = diagnose(f"σ(a) at a = {a0:+g}", got, _stable_sigmoid(a))
        if hint:
            return hint
    a = np.array([-30.0, -40.0, 30.0])
    got = np.asarray(sigmoid(a), dtype=np.float64)
    want = _stable_sigmoid(a)
    if got.shape == want.shape and np.all(np.isfinite(got)) \
            and not np.allclose(got, want, rtol=1e-6, atol=0):
        return (f"σ(−30) came out as {got[0]:.4g}, expected {want[0]:.4g}: a result "
                "computed as 1 − (a number near 1) loses all its digits. Compute the "
                "small side directly: σ(a) = e/(1 + e) with e = exp(a) for a < 0")
    return None


def _bce_ref(a, t):
    return losses.bce_with_logits(np.asarray(a, dtype=np.float64), t)


def _bce_loss_variants(a, t, n):
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), a.shape)
    per = losses.softplus(a) - t * a                      # the per-logit losses
    return [
        (per, "loss is an array of per-logit losses: return one number, their mean "
              "(1/N) Σ [softplus(a) − t·a]"),
        (float(np.sum(per)), f"loss is N = {n} times too large: a sum where a mean "
                             "belongs (average over the N logits)"),
        (-float(np.mean(per)), "loss has the wrong sign: BCE = −[t log σ(a) + "
                               "(1 − t) log(1 − σ(a))], with the minus (it is ≥ 0)"),
        (float(np.mean(losses.softplus(-a))), "loss is the same as if every target were "
         "1: use the targets t (loss = mean of softplus(a) − t·a)"),
        (float(np.mean(losses.softplus(a))), "loss is the same as if every target were "
         "0: use the targets t (loss = mean of softplus(a) − t·a)"),
        (float(np.mean(losses.softplus(a) - (1 - t) * a)), "loss matches the targets "
         "1 − t: the roles of log σ(a) and log(1 − σ(a)) are swapped"),
    ]


def _bce_grad_variants(a, t, n):
    t = np.broadcast_to(np.asarray(t, dtype=np.float64), a.shape)
    s = _stable_sigmoid(a)
    return [
        (s - t, f"dlogits is N = {n} times too large: the loss is a mean over N logits, "
                "so each logit's gradient is (σ(a) − t)/N"),
        ((t - s) / n, "dlogits has the wrong sign: d/da [softplus(a) − t·a] = σ(a) − t "
                      "(then /N)"),
        (t - s, "dlogits has the wrong sign and lacks the 1/N: (σ(a) − t)/N"),
        (s * (1 - s) / n, "dlogits is σ'(a)/N = σ(a)(1 − σ(a))/N: that is the derivative "
                          "of σ, not of the loss; d/da BCE = (σ(a) − t)/N"),
        ((s - t) / n ** 2, f"dlogits is N = {n} times too small: divided by N twice?"),
    ]


def _bce_cases():
    rng = np.random.default_rng(12)
    cases = [(np.array([1.0, -0.5, 2.0]), 1.0), (np.array([-1.0, 0.3]), 0.0)]
    for shape, t in [((6,), 1.0), ((4, 1), 0.0), ((5,), "array"), ((3, 1), 0.9)]:
        a = rng.normal(0, 2, size=shape)
        if isinstance(t, str):
            t = rng.uniform(0, 1, size=shape)
        cases.append((a, t))
    return cases


def _bce_loss_check(bce):
    for a, t in _bce_cases():
        t_in = t.copy() if isinstance(t, np.ndarray) else t
        out = bce(a.copy(), t_in)
        if not (isinstance(out, tuple) and len(out) == 2):
            return ("bce_with_logits must return a pair (loss, dlogits), got "
                    f"{type(out).__name__}" + (f" of length {len(out)}"
                                                if isinstance(out, (tuple, list)) else ""))
        want, _ = _bce_ref(a, t)
        hint = diagnose("loss", out[0], want, _bce_loss_variants(a, t, a.size), n=a.size)
        if hint:
            t_text = f"t = {t}" if not isinstance(t, np.ndarray) else "t random in [0, 1]"
            return f"{hint} [case: logits {a.shape}, {t_text}]"
    return None


def _bce_grad_check(bce):
    for a, t in _bce_cases():
        out = bce(a.copy(), t.copy() if isinstance(t, np.ndarray) else t)
        _, want = _bce_ref(a, t)
        got = out[1] if isinstance(out, tuple) and len(out) == 2 else out
        hint = diagnose("dlogits", got, want, _bce_grad_variants(a, t, a.size), n=a.size,
                        shape_hint="dlogits has the logits' shape")
        if hint:
            t_text = f"t = {t}" if not isinstance(t, np.ndarray) else "t random in [0, 1]"
            return f"{hint} [case: logits {a.shape}, {t_text}]"
    # the docs/THEORY.md reference: D's loss on real [1, −0.5, 2] and fake [−1, 0.3]
    real, fake = bce(np.array([1.0, -0.5, 2.0]), 1.0), bce(np.array([-1.0, 0.3]), 0.0)
    total = float(_call_scalar(real[0])) + float(_call_scalar(fake[0]))
    if abs(total - 1.05523069357) > 1e-8:
        return f"BCE(real, 1) + BCE(fake, 0) = {total:.10f}, expected 1.0552306936"
    return None


def _bce_tails(bce):
    a = np.array([800.0, -800.0, 800.0, -800.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])                 # two right, two confidently wrong
    want_loss, want_grad = _bce_ref(a, t)              # 400.0, [0, 0, 1, −1]/4
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss, grad = bce(a, t)
    except FloatingPointError as exc:
        msg = _first_line(exc)
        if "divide" in msg or "log" in msg:
            return (f"{msg}: log(σ(a)) with σ(−800) rounded to 0 is log 0 = −inf (an "
                    "unstable log). Never take log(sigmoid): −log σ(a) = softplus(−a), "
                    "−log(1 − σ(a)) = softplus(a), "
                    "softplus(a) = max(a, 0) + log1p(exp(−|a|))")
        return (f"{msg} at logits ±800: e^800 overflows. Compute log(1 + e^a) as "
                "max(a, 0) + log1p(exp(−|a|)), which never exponentiates a positive number")
    loss = _call_scalar(loss)
    if not np.all(np.isfinite(np.asarray(loss, dtype=np.float64))):
        return (f"loss = {loss} at logits ±800 (expected {want_loss:g}): an unstable log — "
                "log(σ(a)) or log(1 − σ(a)) hits log 0. Use −log σ(a) = softplus(−a), "
                "−log(1 − σ(a)) = softplus(a), softplus(a) = max(a, 0) + log1p(exp(−|a|))")
    hint = diagnose("loss at logits ±800", loss, want_loss, n=a.size)
    if hint:
        return (f"{hint}. With t = [1, 0, 0, 1] two logits are right (loss 0) and two "
                "confidently wrong (loss 800 each): the mean is 400. log(σ(a) + eps) "
                "tricks cap the loss; softplus does not")
    return diagnose("dlogits at logits ±800", grad, want_grad, n=a.size)


@_numpy_backend
def check_sigmoid_bce(sigmoid, bce_with_logits, stream=None):
    """ex01: ``sigmoid(a)`` and ``bce_with_logits(logits, targets) -> (loss, dlogits)``.

    Checks σ on random logits of three shapes, σ at ±800 (no overflow) and at −30
    (relative accuracy), the mean BCE and its gradient (σ(a) − t)/N on six cases
    (scalar and array targets, the docs/THEORY.md reference 1.0552306936), and both at
    logits ±800 (finite: 400 and [0, 0, ¼, −¼]).
    """
    c = Checker("ex01 sigmoid and BCE", {"sigmoid": sigmoid, "bce_with_logits": bce_with_logits},
                stream)
    c.check("sigmoid values (3 shapes)", ["sigmoid"], lambda: _sigmoid_values(sigmoid))
    c.check("sigmoid stable at a = ±800 and accurate at a = −30", ["sigmoid"],
            lambda: _sigmoid_tails(sigmoid))
    c.check("bce_with_logits loss (6 cases)", ["bce_with_logits"],
            lambda: _bce_loss_check(bce_with_logits))
    c.check("bce_with_logits dlogits (6 cases)", ["bce_with_logits"],
            lambda: _bce_grad_check(bce_with_logits))
    c.check("bce_with_logits finite and right at logits ±800", ["bce_with_logits"],
            lambda: _bce_tails(bce_with_logits))
    return c.finish()
