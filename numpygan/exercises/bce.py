"""ex01: the sigmoid and the stable BCE from logits (the checks; no solution here).

``judge_sigmoid_bce(data, sigmoid, bce_with_logits)`` checks σ(a) = 1/(1 + e^(−a)) on
random logits and at ±800 (no overflow) and −30 (accuracy), and the mean BCE
(1/N) Σ [softplus(a) − t·a] with its gradient (σ(a) − t)/N, finite at logits ±800.
The reference values and what the known mistakes give come as data
(``bce_data.py`` computes them from the library).
"""

from __future__ import annotations

import numpy as np

from .engine import Checker, call_scalar, cases_text, diagnose, first_line

SIGMOID_HINTS = {
    "flipped": "you computed σ(−a) = 1/(1 + e^(+a)): the exponent's sign is flipped. "
               "σ(a) = 1/(1 + e^(−a)) rises from 0 to 1, with σ(0) = ½",
    "one_minus": "you computed e^(−a)/(1 + e^(−a)) = 1 − σ(a): "
                 "σ(a) = 1/(1 + e^(−a)) = e^a/(1 + e^a)",
    "tanh": "you computed tanh(a): σ(a) = 1/(1 + e^(−a)) (tanh(a) = 2σ(2a) − 1)",
}

LOSS_HINTS = {
    "per_logit": "loss is an array of per-logit losses: return one number, their mean "
                 "(1/N) Σ [softplus(a) − t·a]",
    "sum": "loss is N = {n} times too large: a sum where a mean belongs (average over "
           "the N logits)",
    "sign": "loss has the wrong sign: BCE = −[t log σ(a) + (1 − t) log(1 − σ(a))], with "
            "the minus (it is ≥ 0)",
    "all_ones": "loss is the same as if every target were 1: use the targets t "
                "(loss = mean of softplus(a) − t·a)",
    "all_zeros": "loss is the same as if every target were 0: use the targets t "
                 "(loss = mean of softplus(a) − t·a)",
    "swapped": "loss matches the targets 1 − t: the roles of log σ(a) and log(1 − σ(a)) "
               "are swapped",
}

GRAD_HINTS = {
    "no_mean": "dlogits is N = {n} times too large: the loss is a mean over N logits, so "
               "each logit's gradient is (σ(a) − t)/N",
    "sign": "dlogits has the wrong sign: d/da [softplus(a) − t·a] = σ(a) − t (then /N)",
    "sign_no_mean": "dlogits has the wrong sign and lacks the 1/N: (σ(a) − t)/N",
    "sigmoid_prime": "dlogits is σ'(a)/N = σ(a)(1 − σ(a))/N: that is the derivative of σ, "
                     "not of the loss; d/da BCE = (σ(a) − t)/N",
    "twice": "dlogits is N = {n} times too small: divided by N twice?",
}


def _sigmoid_values(data, sigmoid):
    for i in range(data.count("sig")):
        p = f"sig{i}__"
        a = data[p + "a"]
        got = sigmoid(data.get_array(p + "a"))
        hint = diagnose("σ(a)", got, data[p + "want"], data.variants(p + "v__", SIGMOID_HINTS))
        if hint:
            return f"{hint} {cases_text(a=a)}"
    return None


def _sigmoid_tails(data, sigmoid):
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
            return (f"{first_line(exc)} at a = {side}800: {other}, which overflows "
                    "float64 (max ~1.8e308). If you used np.where(a >= 0, …, …): it "
                    "computes BOTH branches for every entry. Compute e = exp(−|a|) once "
                    "(never overflows), then σ = 1/(1 + e) where a ≥ 0, e/(1 + e) where a < 0")
        key = "tail_pos" if a0 > 0 else "tail_neg"
        hint = diagnose(f"σ(a) at a = {a0:+g}", got, data[key])
        if hint:
            return hint
    a = np.array([-30.0, -40.0, 30.0])
    got = np.asarray(sigmoid(a), dtype=np.float64)
    want = data["tail_30"]
    if got.shape == want.shape and np.all(np.isfinite(got)) \
            and not np.allclose(got, want, rtol=1e-6, atol=0):
        return (f"σ(−30) came out as {got[0]:.4g}, expected {want[0]:.4g}: a result "
                "computed as 1 − (a number near 1) loses all its digits. Compute the "
                "small side directly: σ(a) = e/(1 + e) with e = exp(a) for a < 0")
    return None


def _bce_case(data, i):
    """Case i's logits a and target t (a number, or an array of a's shape), as given."""
    p = f"bce{i}__"
    t = data.get_array(p + "t")
    t = float(t) if t.ndim == 0 else t
    t_text = f"t = {t}" if isinstance(t, float) else "t random in [0, 1]"
    return p, data.get_array(p + "a"), t, t_text


def _bce_loss_check(data, bce):
    for i in range(data.count("bce")):
        p, a, t, t_text = _bce_case(data, i)
        out = bce(a.copy(), t)
        if not (isinstance(out, tuple) and len(out) == 2):
            return ("bce_with_logits must return a pair (loss, dlogits), got "
                    f"{type(out).__name__}" + (f" of length {len(out)}"
                                                if isinstance(out, (tuple, list)) else ""))
        hint = diagnose("loss", out[0], data[p + "loss"],
                        data.variants(p + "loss__", LOSS_HINTS, n=a.size), n=a.size)
        if hint:
            return f"{hint} [case: logits {a.shape}, {t_text}]"
    return None


def _bce_grad_check(data, bce):
    for i in range(data.count("bce")):
        p, a, t, t_text = _bce_case(data, i)
        out = bce(a.copy(), t)
        got = out[1] if isinstance(out, tuple) and len(out) == 2 else out
        hint = diagnose("dlogits", got, data[p + "dlogits"],
                        data.variants(p + "dlogits__", GRAD_HINTS, n=a.size), n=a.size,
                        shape_hint="dlogits has the logits' shape")
        if hint:
            return f"{hint} [case: logits {a.shape}, {t_text}]"
    # the docs/THEORY.md reference: D's loss on real [1, −0.5, 2] and fake [−1, 0.3]
    real, fake = bce(np.array([1.0, -0.5, 2.0]), 1.0), bce(np.array([-1.0, 0.3]), 0.0)
    total = float(call_scalar(real[0])) + float(call_scalar(fake[0]))
    if abs(total - 1.05523069357) > 1e-8:
        return f"BCE(real, 1) + BCE(fake, 0) = {total:.10f}, expected 1.0552306936"
    return None


def _raised_in(exc, fn):
    """True when ``exc`` was raised inside ``fn`` (its own code, not a caller's)."""
    code = getattr(getattr(fn, "py_func", fn), "__code__", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            return True
        tb = tb.tb_next
    return False


def _bce_tails(data, bce, sigmoid):
    a = np.array([800.0, -800.0, 800.0, -800.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])                 # two right, two confidently wrong
    want_loss, want_grad = data.number("tails_loss"), data["tails_dlogits"]
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss, grad = bce(a, t)
    except FloatingPointError as exc:
        msg = first_line(exc)
        if sigmoid is not None and _raised_in(exc, sigmoid):
            return (f"{msg} inside your sigmoid, which bce_with_logits calls (for dlogits "
                    "= (σ(a) − t)/N): the loss itself may be fine. Make sigmoid stable at "
                    "a = ±800 first (its own check above says how)")
        if "divide" in msg or "log" in msg:
            return (f"{msg}: log(σ(a)) with σ(−800) rounded to 0 is log 0 = −inf (an "
                    "unstable log). Never take log(sigmoid): −log σ(a) = softplus(−a), "
                    "−log(1 − σ(a)) = softplus(a), "
                    "softplus(a) = max(a, 0) + log1p(exp(−|a|))")
        return (f"{msg} at logits ±800: e^800 overflows. Compute log(1 + e^a) as "
                "max(a, 0) + log1p(exp(−|a|)), which never exponentiates a positive number")
    loss = call_scalar(loss)
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


def judge_sigmoid_bce(data, sigmoid, bce_with_logits, stream=None):
    """ex01: ``sigmoid(a)`` and ``bce_with_logits(logits, targets) -> (loss, dlogits)``.

    Checks σ on random logits of three shapes, σ at ±800 (no overflow) and at −30
    (relative accuracy), the mean BCE and its gradient (σ(a) − t)/N on six cases
    (scalar and array targets, the docs/THEORY.md reference 1.0552306936), and both at
    logits ±800 (finite: 400 and [0, 0, ¼, −¼]).  True when every check passed.
    """
    c = Checker("ex01 sigmoid and BCE", {"sigmoid": sigmoid, "bce_with_logits": bce_with_logits},
                stream)
    c.check("sigmoid values (3 shapes)", ["sigmoid"], lambda: _sigmoid_values(data, sigmoid))
    c.check("sigmoid stable at a = ±800 and accurate at a = −30", ["sigmoid"],
            lambda: _sigmoid_tails(data, sigmoid))
    c.check("bce_with_logits loss (6 cases)", ["bce_with_logits"],
            lambda: _bce_loss_check(data, bce_with_logits))
    c.check("bce_with_logits dlogits (6 cases)", ["bce_with_logits"],
            lambda: _bce_grad_check(data, bce_with_logits))
    c.check("bce_with_logits finite and right at logits ±800", ["bce_with_logits"],
            lambda: _bce_tails(data, bce_with_logits, sigmoid))
    return c.finish()
