"""The checkers behind ``lessons/exercises/``: run a student's code, say what is wrong.

Each exercise file holds the function(s) a student writes and ends with

    exercises.run("dense", {"dense_forward": dense_forward, "dense_backward": dense_backward})

which calls the exercise's checker (here ``check_dense``), prints one line per check,

    PASS dense_backward dx (4 shapes)
    FAIL dense_backward dW (4 shapes): dW has shape (4, 3), expected (3, 4): did you transpose? ...

and exits with status 1 when any check failed.  ``--solution`` swaps in the
library's reference implementation (``REFERENCES``), so a teacher sees every
check pass.

How a hint is found (``diagnose``).  The student's answer is compared with the
reference on random inputs of several shapes.  When it differs, it is compared
again with the answers that *known mistakes* give on the same inputs (a missing
transpose, a mean where a sum belongs, a flipped sign, a missing bias
correction, ...): the first mistake that reproduces the student's numbers names
the hint.  When none does, the hint says which entries differ and by how much.
A student's exception becomes a FAIL line with its message and the line of the
student's file it came from, never a traceback.

The checkers run the library on its NumPy backend, so a check gives the same
numbers whether or not Numba is installed.

One checker per exercise (each returns True when every check passed):

    check_sigmoid_bce(sigmoid, bce_with_logits)            ex01
    check_leaky_relu(leaky_relu_forward, leaky_relu_backward)  ex02
    check_dense(dense_forward, dense_backward)             ex03
    check_adam(adam_update)                                ex04
    check_optimal_discriminator(optimal_discriminator)     ex05
    check_d_step(d_step)                                   ex06
    check_g_step(g_step)                                   ex07
    check_matmul(matmul)                                   ex08
"""

from __future__ import annotations

import argparse
import copy
import inspect
import linecache
import os
import re
import sys
import time
import warnings

import numpy as np

from . import kernels, losses, theory
from .gan import discriminator_step, generator_step
from .gradcheck import numerical_gradient, rel_error
from .layers import Dense, LeakyReLU
from .network import mlp
from .optim import SGD, Adam

__all__ = [
    "Checker", "diagnose", "run", "EXERCISES", "REFERENCES",
    "check_sigmoid_bce", "check_leaky_relu", "check_dense", "check_adam",
    "check_optimal_discriminator", "check_d_step", "check_g_step", "check_matmul",
]


# ===========================================================================
# The machinery: one PASS/FAIL line per check, and the diagnosis of a wrong array.
# ===========================================================================
class Ok(str):
    """A check body returns ``Ok("detail")`` to pass with a measured detail shown."""


def _code_of(fn):
    fn = getattr(fn, "py_func", fn)          # a Numba dispatcher wraps the Python function
    return getattr(fn, "__code__", None)


def _first_line(text, limit=240):
    text = str(text).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _exception_message(exc):
    """One line for an exception; for Numba's long compile errors, the reason and the line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    if not text.startswith("Failed in nopython mode"):
        return _first_line(text)
    lines = [l for l in text.splitlines()[1:] if l.strip()]
    reason = lines[0].strip() if lines else "Numba could not compile it"
    where = ""
    for i, l in enumerate(lines):
        m = re.match(r'\s*File "(.*)", line (\d+)', l)
        if m:
            src = next((lines[j - 1].strip() for j in range(i + 1, len(lines))
                        if lines[j].strip() == "^"), "")
            where = f" (line {m.group(2)}: {src})" if src else f" (line {m.group(2)})"
            break
    return _first_line(reason) + where


class Checker:
    """Runs one exercise's checks; prints ``PASS <what>`` or ``FAIL <what>: <hint>`` for each.

    ``check(what, uses, body)`` calls ``body()``, which returns None or ``Ok(detail)``
    for a pass, or a hint string for a failure.  ``uses`` names the student functions
    the check calls: once one of them turns out unwritten (NotImplementedError), its
    remaining checks are counted as failed without another line.
    """

    def __init__(self, exercise, fns, stream=None):
        self.exercise = exercise
        self.fns = dict(fns)
        self.stream = stream
        self._codes = {}
        self._files = set()
        for name, fn in self.fns.items():
            code = _code_of(fn)
            if code is not None:
                self._codes[code] = name
                self._files.add(os.path.abspath(code.co_filename))
        self.passed = 0
        self.failed = 0
        self.waiting = 0
        self.unwritten = []
        self._last_error = None

    def _print(self, line):
        print(line, file=self.stream if self.stream is not None else sys.stdout, flush=True)

    def _student_frames(self, exc):
        """(name, filename, lineno) of the frames of ``exc``'s traceback in student code."""
        out = []
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code in self._codes or os.path.abspath(code.co_filename) in self._files:
                out.append((self._codes.get(code), code.co_filename, tb.tb_lineno))
            tb = tb.tb_next
        return out

    def check(self, what, uses, body, on_error=None):
        if any(u in self.unwritten for u in uses):
            self.failed += 1
            self.waiting += 1
            return False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(all="ignore"):
                    result = body()
        except NotImplementedError:
            frames = [f for f in self._student_frames(sys.exc_info()[1]) if f[0]]
            name = frames[-1][0] if frames else uses[0]
            self.unwritten.append(name)
            self.failed += 1
            self._print(f"FAIL {name}: not written yet (NotImplementedError)")
            return False
        except Exception as exc:                     # a student's bug: report, don't crash
            frames = self._student_frames(exc)
            name = next((f[0] for f in reversed(frames) if f[0]), uses[0] if uses else "code")
            where = ""
            if frames:
                _, filename, lineno = frames[-1]
                src = linecache.getline(filename, lineno).strip()
                where = f" (at {os.path.basename(filename)} line {lineno}: {src})"
            hint = f"{name} raised {type(exc).__name__}: {_exception_message(exc)}{where}"
            self.failed += 1
            if hint == self._last_error:
                self._print(f"FAIL {what}: the same {type(exc).__name__} as above")
                return False
            self._last_error = hint
            extra = on_error(exc) if on_error is not None else None
            self._print(f"FAIL {what}: {hint}" + (f". {extra}" if extra else ""))
            return False
        if result is None or isinstance(result, Ok):
            self.passed += 1
            self._print(f"PASS {what}" + (f" ({result})" if result else ""))
            return True
        self.failed += 1
        self._print(f"FAIL {what}: {result}")
        return False

    def note(self, text):
        """A line that is neither PASS nor FAIL (e.g. "numba not installed")."""
        self._print(f"NOTE {text}")

    def finish(self):
        """Print the score; True when every check passed."""
        total = self.passed + self.failed
        if self.failed == 0:
            self._print(f"{self.exercise}: all {total} checks passed.")
        else:
            line = f"{self.exercise}: {self.passed} of {total} checks passed"
            if self.unwritten:
                line += (f"; {self.waiting} more wait for "
                         f"{', '.join(self.unwritten)} (not written yet)")
                self._print(line + ". Write the function(s), then run this file again.")
            else:
                self._print(line + ". Fix the first FAIL first: later ones often share "
                            "its cause.")
        return self.failed == 0


def _close(a, b, rtol=1e-6):
    """a ≈ b entry by entry, the absolute tolerance scaled to the size of b."""
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return bool(np.allclose(a, b, rtol=rtol, atol=1e-9 * max(scale, 1e-300)))


def _fmt(v):
    return f"{v:.6g}"


def diagnose(name, got, want, variants=(), n=None, rtol=1e-6, shape_hint=""):
    """None when ``got`` ≈ ``want``; else a hint naming the likeliest mistake.

    Inputs:
    - name: what the array is called in the exercise ("dW")
    - got: the student's value; want: the reference value (array or number)
    - variants: (value, hint) pairs: what known mistakes give on the same inputs;
      the first one ``got`` reproduces names the hint
    - n: the batch size N, to recognise a factor N (a sum for a mean) or 1/N
    - shape_hint: added when the shape is wrong and no variant explains it
    """
    if got is None:
        return f"{name} is None: did you forget to return it?"
    want = np.asarray(want, dtype=np.float64)
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return (f"{name} is a {type(got).__name__}, expected an array of shape {want.shape}"
                if want.ndim else f"{name} is a {type(got).__name__}, expected a number")
    if g.shape == want.shape and _close(g, want, rtol):
        return None
    for value, hint in variants:
        v = np.asarray(value, dtype=np.float64)
        if v.shape == g.shape and np.all(np.isfinite(v) == np.isfinite(g)) \
                and _close(np.where(np.isfinite(g), g, 0), np.where(np.isfinite(v), v, 0), rtol):
            return hint
    if g.shape != want.shape:
        if want.ndim == 0 and g.size == 1:
            g = g.reshape(())
        else:
            if want.ndim == 2 and g.shape == want.shape[::-1]:
                tail = (" (it is the transpose of the right answer)"
                        if _close(g.T, want, rtol) else "")
                return (f"{name} has shape {g.shape}, expected {want.shape}: did you "
                        f"transpose?{tail} {shape_hint}").rstrip()
            what = "an array of shape " + str(g.shape) if g.ndim else "a number"
            expect = f"shape {want.shape}" if want.ndim else "one number"
            return f"{name} is {what}, expected {expect}. {shape_hint}".rstrip()
        if _close(g, want, rtol):
            return None
    bad = ~np.isfinite(g)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0]) if g.ndim else ()
        return (f"{name} has {int(bad.sum())} NaN/inf value(s) (first at index {idx}: "
                f"got {g[idx]}, expected {_fmt(want[idx])})")
    ww = float(np.sum(want * want))
    if ww > 0:
        c = float(np.sum(g * want)) / ww
        if c != 0 and _close(g, c * want, 1e-4):
            if abs(c + 1) < 1e-3:
                return (f"{name} has the right size but the wrong sign "
                        "(every entry is minus the expected one): a sign error")
            if n and n > 1 and abs(c / n - 1) < 1e-3:
                return (f"{name} is off by a factor ~N = {n} (too large): "
                        "mean vs sum over the batch? a sum where a mean belongs")
            if n and n > 1 and abs(c * n - 1) < 1e-3:
                return (f"{name} is off by a factor ~1/N = 1/{n} (too small): "
                        "mean vs sum over the batch? a mean where a sum belongs")
            if g.ndim:
                return f"{name} is off by a constant factor {c:.4g} (every entry scaled alike)"
    if g.ndim == 0:
        return f"{name} is {_fmt(float(g))}, expected {_fmt(float(want))}"
    diff = np.abs(g - want)
    idx = tuple(int(i) for i in np.unravel_index(np.argmax(diff), diff.shape)) if g.ndim else ()
    n_bad = int(np.sum(diff > 1e-6 * np.abs(want) + 1e-9 * max(float(np.max(np.abs(want))),
                                                                   1e-300)))
    where = f" at index {idx}" if idx else ""
    of = f"; {n_bad} of {g.size} entries differ" if g.ndim else ""
    return (f"{name} differs from the expected values: largest difference "
            f"{_fmt(float(diff[idx]))}{where} (got {_fmt(float(g[idx]))}, expected "
            f"{_fmt(float(want[idx]))}){of}")


def _cases_text(**arrays):
    return "[case: " + ", ".join(f"{k} {v.shape}" for k, v in arrays.items()) + "]"


def _call_scalar(value):
    """A loss may come back as a float, a 0-d array, or (from the library) a dict."""
    if isinstance(value, dict) and "loss" in value:
        return value["loss"]
    return value


def _numpy_backend(fn):
    """Run a checker with the library on its NumPy backend (same numbers everywhere)."""
    def wrapper(*args, **kwargs):
        with kernels.backend("numpy"):
            return fn(*args, **kwargs)
    wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
    wrapper.__wrapped__ = fn
    return wrapper


def _stable_sigmoid(a):
    return losses.sigmoid(np.asarray(a, dtype=np.float64))


# ===========================================================================
# ex01: the sigmoid and the stable BCE from logits
# ===========================================================================
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
    # the THEORY.md reference: D's loss on real [1, −0.5, 2] and fake [−1, 0.3]
    real, fake = bce(np.array([1.0, -0.5, 2.0]), 1.0), bce(np.array([-1.0, 0.3]), 0.0)
    total = float(_call_scalar(real[0])) + float(_call_scalar(fake[0]))
    if abs(total - 1.0552306937) > 1e-8:
        return f"BCE(real, 1) + BCE(fake, 0) = {total:.10f}, expected 1.0552306937"
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
    (scalar and array targets, the THEORY.md reference 1.0552306937), and both at
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


# ===========================================================================
# ex02: LeakyReLU forward and backward
# ===========================================================================
def _leaky_cases():
    rng = np.random.default_rng(21)
    cases = []
    for shape, alpha in [((4, 5), 0.2), ((1, 3), 0.01), ((6, 1), 0.3)]:
        x = rng.normal(0, 1, size=shape)
        x[np.abs(x) < 1e-3] = 0.5                      # keep away from the kink at 0
        x.flat[0], x.flat[-1] = abs(x.flat[0]) + 0.1, -abs(x.flat[-1]) - 0.1
        cases.append((x, rng.normal(0, 1, size=shape), alpha))
    return cases


def _ref_leaky_forward(x, alpha):
    return LeakyReLU(alpha).forward(np.ascontiguousarray(x, dtype=np.float64))


def _ref_leaky_backward(x, dout, alpha):
    layer = LeakyReLU(alpha)
    layer.forward(np.ascontiguousarray(x, dtype=np.float64))
    return layer.backward(np.ascontiguousarray(dout, dtype=np.float64))


def _leaky_forward_check(fwd):
    for x, _, alpha in _leaky_cases():
        got = fwd(x.copy(), alpha)
        pos = x > 0
        variants = [
            (np.maximum(x, 0), "negative inputs give 0: that is ReLU. LeakyReLU lets "
                               "alpha·x through where x < 0"),
            (np.where(pos, alpha * x, x), "alpha is applied on the wrong side: "
                                          "x where x > 0, alpha·x where x < 0"),
            (alpha * x, "every entry is multiplied by alpha: only negative inputs are"),
            (np.where(pos, x, alpha), "negative inputs give alpha: they give alpha·x"),
            (np.where(pos, x, -alpha * x), "negative inputs give −alpha·x: a sign error, "
                                           "they give alpha·x (negative)"),
        ]
        hint = diagnose("out", got, _ref_leaky_forward(x, alpha), variants)
        if hint:
            return f"{hint} [case: x {x.shape}, alpha {alpha}]"
    return None


def _leaky_backward_check(bwd):
    for x, dout, alpha in _leaky_cases():
        got = bwd(x.copy(), dout.copy(), alpha)
        pos = x > 0
        variants = [
            (np.where(pos, 1.0, alpha), "dx is the local derivative f'(x) alone: multiply "
                                        "it by dout (the chain rule: dx = dout · f'(x))"),
            (dout * (x > 0), "dx is 0 where x < 0: that is ReLU's derivative; LeakyReLU's "
                             "is alpha there (dx = alpha·dout)"),
            (np.where(pos, alpha * dout, dout), "alpha is applied on the wrong side: "
                                                "dx = dout where x > 0, alpha·dout where x < 0"),
            (alpha * dout, "dx = alpha·dout everywhere: only where x < 0"),
            (np.where(pos, dout, alpha * x), "where x < 0 you returned alpha·x (the "
                                             "forward output): dx = alpha·dout there"),
            (np.where(pos, dout, alpha * x * dout), "where x < 0 you returned alpha·x·dout: "
                                                    "the derivative of alpha·x is alpha, so "
                                                    "dx = alpha·dout"),
            (np.where(pos, x, alpha * x), "dx is the forward output: backward returns "
                                          "dout · f'(x)"),
        ]
        hint = diagnose("dx", got, _ref_leaky_backward(x, dout, alpha), variants)
        if hint:
            return f"{hint} [case: x {x.shape}, alpha {alpha}]"
    return None


def _leaky_inputs_untouched(fwd, bwd):
    x, dout, alpha = _leaky_cases()[0]
    x_in, dout_in = x.copy(), dout.copy()
    fwd(x_in, alpha)
    if not np.array_equal(x_in, x):
        return ("leaky_relu_forward changed its input x in place (e.g. x[x < 0] *= alpha): "
                "backward needs the original x, and the caller may still use it. Work on a "
                "copy, or use np.where(x > 0, x, alpha * x)")
    bwd(x_in, dout_in, alpha)
    if not np.array_equal(x_in, x) or not np.array_equal(dout_in, dout):
        return ("leaky_relu_backward changed x or dout in place: return a new array "
                "(dout may be used again by the caller)")
    return None


def _leaky_gradcheck(fwd, bwd):
    x, dout, alpha = _leaky_cases()[0]
    dx = np.asarray(bwd(x.copy(), dout.copy(), alpha), dtype=np.float64)
    xp = x.copy()
    num = numerical_gradient(
        lambda: float(np.sum(np.asarray(fwd(xp.copy(), alpha), dtype=np.float64) * dout)), xp)
    if dx.shape != x.shape:
        return f"dx has shape {dx.shape}, expected x's shape {x.shape}"
    err = rel_error(dx, num)
    if err > 1e-6:
        return (f"your backward disagrees with the numerical gradient of your forward "
                f"(rel_error {err:.2e}, want < 1e-6): d/dx Σ forward(x)·dout by central "
                "differences. One of the two is wrong; the checks above say which")
    return Ok(f"rel_error {err:.1e}")


@_numpy_backend
def check_leaky_relu(leaky_relu_forward, leaky_relu_backward, stream=None):
    """ex02: ``leaky_relu_forward(x, alpha)`` and ``leaky_relu_backward(x, dout, alpha)``.

    Checks forward and backward against ``layers.LeakyReLU`` on three shapes and
    slopes, that neither changes its inputs in place, and the gradient check:
    backward = d/dx Σ forward(x)·dout by central differences.
    """
    fns = {"leaky_relu_forward": leaky_relu_forward, "leaky_relu_backward": leaky_relu_backward}
    c = Checker("ex02 LeakyReLU", fns, stream)
    c.check("leaky_relu_forward values (3 shapes)", ["leaky_relu_forward"],
            lambda: _leaky_forward_check(leaky_relu_forward))
    c.check("leaky_relu_backward dx (3 shapes)", ["leaky_relu_backward"],
            lambda: _leaky_backward_check(leaky_relu_backward))
    c.check("inputs not changed in place", ["leaky_relu_forward", "leaky_relu_backward"],
            lambda: _leaky_inputs_untouched(leaky_relu_forward, leaky_relu_backward))
    c.check("gradient check: backward vs numerical gradient of forward",
            ["leaky_relu_forward", "leaky_relu_backward"],
            lambda: _leaky_gradcheck(leaky_relu_forward, leaky_relu_backward))
    return c.finish()


# ===========================================================================
# ex03: the Dense layer, forward and backward
# ===========================================================================
def _dense_cases():
    """(x, W, b, dout) for (N, D, M) = (5, 3, 4), (2, 4, 4) square, (1, 3, 2), (6, 1, 3)."""
    rng = np.random.default_rng(31)
    cases = []
    for n, d, m in [(5, 3, 4), (3, 4, 4), (1, 3, 2), (6, 1, 3)]:
        cases.append((rng.normal(size=(n, d)), rng.normal(size=(d, m)),
                      rng.normal(size=m), rng.normal(size=(n, m))))
    return cases


def _dense_layer(W, b):
    layer = Dense(W.shape[0], W.shape[1], rng=np.random.default_rng(0))
    layer.W, layer.b = W.copy(), b.copy()
    return layer


def _ref_dense_forward(x, W, b):
    return _dense_layer(np.asarray(W, float), np.asarray(b, float)).forward(
        np.ascontiguousarray(x, dtype=np.float64))


def _ref_dense_backward(dout, x, W):
    W = np.asarray(W, dtype=np.float64)
    layer = _dense_layer(W, np.zeros(W.shape[1]))
    layer.forward(np.ascontiguousarray(x, dtype=np.float64))
    dx = layer.backward(np.ascontiguousarray(dout, dtype=np.float64))
    return dx, layer.dW, layer.db


def _matmul_error_hint(exc):
    if isinstance(exc, ValueError) and ("matmul" in str(exc) or "align" in str(exc)
                                        or "broadcast" in str(exc)):
        return ("Check each product's shapes: x (N, D), W (D, M), b (M,), dout (N, M); "
                "(A @ B) needs A's last size = B's first. A transpose (.T) is probably missing")
    return None


def _dense_forward_check(fwd):
    for x, W, b, _ in _dense_cases():
        got = fwd(x.copy(), W.copy(), b.copy())
        variants = [(x @ W, "out lacks the bias: out = x W + b")]
        if W.shape[0] == W.shape[1]:
            variants.append((x @ W.T + b, "out = x Wᵀ + b: a transpose too many "
                                          "(W is (D, M), x @ W is (N, M))"))
        variants.append((x @ W - b, "the bias is subtracted: out = x W + b"))
        hint = diagnose("out", got, _ref_dense_forward(x, W, b), variants,
                        shape_hint="out = x W + b has shape (N, M)")
        if hint:
            return f"{hint} {_cases_text(x=x, W=W)}"
    return None


def _dense_backward_part(bwd, which):
    """Compare one of dx, dW, db with the reference on every case."""
    for x, W, _, dout in _dense_cases():
        out = bwd(dout.copy(), x.copy(), W.copy())
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            return ("dense_backward must return three arrays (dx, dW, db), got "
                    f"{type(out).__name__}" + (f" of length {len(out)}"
                                                if isinstance(out, (tuple, list)) else ""))
        n = x.shape[0]
        ref = dict(zip(("dx", "dW", "db"), _ref_dense_backward(dout, x, W)))
        got = dict(zip(("dx", "dW", "db"), out))[which]
        square = W.shape[0] == W.shape[1]
        if which == "dx":
            variants = [(dout @ W.T / n, f"dx is off by a factor ~1/N = 1/{n}: mean vs sum "
                                         "over the batch? dx = dout Wᵀ, no averaging: dout "
                                         "already carries the 1/N of a mean loss"),
                        (dout @ W.T * n, f"dx is off by a factor ~N = {n}: mean vs sum over "
                                         "the batch? dx = dout Wᵀ")]
            if square:
                variants.append((dout @ W, "dx = dout W: the transpose is missing, "
                                           "dx = dout Wᵀ (N, M) @ (M, D) -> (N, D)"))
            variants.append((-ref["dx"], "dx has the wrong sign: dx = dout Wᵀ (backward "
                                         "computes the gradient; the optimizer subtracts)"))
            shape_hint = "dx has x's shape (N, D): dx = dout Wᵀ"
        elif which == "dW":
            variants = [(dout.T @ x, f"dW has shape {(W.shape[1], W.shape[0])}, expected "
                                     f"{W.shape}: did you transpose? dW = xᵀ dout "
                                     "(D, N) @ (N, M) -> (D, M), not doutᵀ x")
                        if not square else
                        (dout.T @ x, "dW = doutᵀ x is the transpose of the right answer: "
                                     "dW = xᵀ dout (D, N) @ (N, M) -> (D, M)"),
                        (x.T @ dout / n, f"dW is off by a factor ~1/N = 1/{n}: mean vs sum "
                                         "over the batch? dW = xᵀ dout sums over the batch; "
                                         "the 1/N of a mean loss is already in dout"),
                        (x.T @ dout * n, f"dW is off by a factor ~N = {n}: mean vs sum over "
                                         "the batch?"),
                        (-ref["dW"], "dW has the wrong sign: dW = xᵀ dout"),
                        ]
            shape_hint = "dW has W's shape (D, M): dW = xᵀ dout"
        else:
            variants = [(dout.mean(axis=0), f"db is off by a factor ~1/N = 1/{n}: mean vs "
                                            "sum over the batch? db = Σ_n dout[n] (a sum)"),
                        (dout.sum(axis=1), f"db has shape ({n},), expected "
                                           f"({W.shape[1]},): you summed over axis 1 (the "
                                           "features); sum over axis 0, the batch"),
                        (dout.sum(axis=0, keepdims=True), f"db has shape (1, {W.shape[1]}), "
                                                          f"expected ({W.shape[1]},): drop "
                                                          "keepdims=True"),
                        (dout.sum(), "db is one number (you summed every entry): "
                                     "db = dout.sum(axis=0), one entry per output unit"),
                        (-ref["db"], "db has the wrong sign: db = Σ_n dout[n]"),
                        ]
            shape_hint = "db has b's shape (M,): db = dout.sum(axis=0)"
        hint = diagnose(which, got, ref[which], variants, n=n, shape_hint=shape_hint)
        if hint:
            return f"{hint} {_cases_text(x=x, W=W, dout=dout)}"
    return None


def _dense_gradcheck(bwd):
    x, W, b, dout = _dense_cases()[0]
    got = bwd(dout.copy(), x.copy(), W.copy())
    xp, Wp, bp = x.copy(), W.copy(), b.copy()
    L = lambda: float(np.sum((xp @ Wp + bp) * dout))          # L = Σ out · dout
    worst = 0.0
    for name, g, p in zip(("dx", "dW", "db"), got, (xp, Wp, bp)):
        g = np.asarray(g, dtype=np.float64)
        if g.shape != p.shape:
            return f"{name} has shape {g.shape}, expected {p.shape} (the checks above say more)"
        err = rel_error(g, numerical_gradient(L, p))
        worst = max(worst, err)
        if err > 1e-7:
            return (f"{name} disagrees with the numerical gradient dL/d{name[1:]} of "
                    f"L = Σ (x W + b)·dout: rel_error {err:.2e} (want < 1e-7)")
    return Ok(f"worst rel_error {worst:.1e}")


@_numpy_backend
def check_dense(dense_forward, dense_backward, stream=None):
    """ex03: ``dense_forward(x, W, b) -> out`` and ``dense_backward(dout, x, W) -> (dx, dW, db)``.

    Checks out = x W + b, dx = dout Wᵀ, dW = xᵀ dout, db = Σ_n dout[n] against
    ``layers.Dense`` on four shapes (N, D, M) = (5, 3, 4), (3, 4, 4), (1, 3, 2),
    (6, 1, 3), and a central-difference gradient check of all three gradients.
    """
    c = Checker("ex03 Dense", {"dense_forward": dense_forward, "dense_backward": dense_backward},
                stream)
    c.check("dense_forward out = x W + b (4 shapes)", ["dense_forward"],
            lambda: _dense_forward_check(dense_forward), _matmul_error_hint)
    for which in ("dx", "dW", "db"):
        c.check(f"dense_backward {which} (4 shapes)", ["dense_backward"],
                lambda which=which: _dense_backward_part(dense_backward, which),
                _matmul_error_hint)
    c.check("gradient check: dx, dW, db vs central differences", ["dense_backward"],
            lambda: _dense_gradcheck(dense_backward), _matmul_error_hint)
    return c.finish()


# ===========================================================================
# ex04: Adam's update
# ===========================================================================
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


# ===========================================================================
# ex05: the optimal discriminator D* (Proposition 1)
# ===========================================================================
def _dstar_variants(pd, pg):
    s = pd + pg
    return [
        (pg / s, "you computed p_g/(p_data + p_g) = 1 − D*: the numerator is p_data "
                 "(D says 'real' where the data's density dominates)"),
        (pd / pg, "you computed p_data/p_g: the denominator is p_data + p_g, which "
                  "keeps D* in [0, 1]"),
        (pd / (pd - pg), "the denominator is p_data − p_g: it is the sum p_data + p_g"),
        (pd / (2 * s), "D* is halved: D* = p_data/(p_data + p_g), not over 2(p_data + p_g)"),
        (pd * pg / s, "you computed p_data·p_g/(p_data + p_g): D* = p_data/(p_data + p_g)"),
        (np.log(pd) - np.log(pg), "you computed logit D* = log p_data − log p_g; "
                                  "D* itself is σ of it = p_data/(p_data + p_g)"),
    ]


def _dstar_values(fn):
    x = theory.grid(-4.0, 10.0, 201)
    rng = np.random.default_rng(51)
    cases = [
        ("p_data N(4, 0.5²), p_g N(3, 1²) on a grid",
         theory.normal_pdf(x, 4, 0.5), theory.normal_pdf(x, 3, 1.0)),
        ("random densities (3, 4)", rng.uniform(0.01, 2, (3, 4)), rng.uniform(0.01, 2, (3, 4))),
        ("scalars p_data 0.3, p_g 0.1", np.float64(0.3), np.float64(0.1)),
    ]
    for text, pd, pg in cases:
        got = fn(np.copy(pd), np.copy(pg))
        want = theory.optimal_discriminator(pd, pg)
        hint = diagnose("D*", got, want, _dstar_variants(pd, pg),
                        shape_hint="D* has the densities' shape (it is element-wise)")
        if hint:
            return f"{hint} [case: {text}]"
    return None


def _dstar_zeros(fn):
    pd = np.array([0.0, 0.0, 1.0, 0.0, 0.5])
    pg = np.array([0.0, 1.0, 0.0, 0.0, 0.5])
    got = np.asarray(fn(pd.copy(), pg.copy()), dtype=np.float64)
    want = theory.optimal_discriminator(pd, pg)          # [½, 0, 1, ½, ½]
    both = (pd == 0) & (pg == 0)
    if got.shape == want.shape and np.any(np.isnan(got[both])):
        return ("D* is nan where p_data = p_g = 0 (0/0). Where neither density lives, V "
                "does not depend on D, so every value is optimal; define D* = ½ there, "
                "the value D* takes wherever p_g = p_data (np.where(total > 0, ..., 0.5))")
    hint = diagnose("D*", got, want)
    if hint:
        return (f"{hint} [case: p_data {pd.tolist()}, p_g {pg.tolist()}; expected "
                f"{want.tolist()}: ½ where both vanish]")
    return None


def _dstar_is_max(fn):
    """V(D*, G) = max_D V = −log 4 + 2·JSD (Theorem 1), and nudging D* lowers V."""
    x = theory.grid(-3.0, 9.0, 1201)
    pd, pg = theory.normal_pdf(x, 4, 0.5), theory.normal_pdf(x, 3, 1.0)
    D = np.clip(np.asarray(fn(pd.copy(), pg.copy()), dtype=np.float64), 0, 1)
    if D.shape != x.shape or not np.all(np.isfinite(D)):
        return "D* must be finite with the grid's shape (see the checks above)"
    v_star = theory.value_function(D, pd, pg, x)
    c_g = theory.c_from_jsd(pd, pg, x)
    if not abs(v_star - c_g) < 1e-4:
        return (f"V(your D*, G) = {v_star:.6f}, but C(G) = −log 4 + 2·JSD = {c_g:.6f} "
                "(Theorem 1): your D* is not the maximiser of V")
    for bump in (0.02, -0.02):
        nudged = np.clip(D + bump * np.sin(x), 1e-12, 1 - 1e-12)
        if theory.value_function(nudged, pd, pg, x) > v_star:
            return "a nudged D scores a higher V than your D*: it is not the maximum"
    return Ok(f"V(D*) = {v_star:.6f} = −log 4 + 2·JSD")


def _dstar_logit_quadratic(fn):
    """THEORY.md: N(4, 0.5²) vs N(3, 1²) → logit D* = −26.8069 + 13 x − 1.5 x²."""
    x = np.linspace(2.0, 5.0, 31)
    D = np.asarray(fn(theory.normal_pdf(x, 4, 0.5), theory.normal_pdf(x, 3, 1.0)),
                   dtype=np.float64)
    if D.shape != x.shape or not np.all((D > 0) & (D < 1)):
        return "D* must lie strictly between 0 and 1 here (see the checks above)"
    c2, c1, c0 = np.polyfit(x, np.log(D) - np.log1p(-D), 2)
    want = np.array([-26.8069, 13.0, -1.5])
    if not np.allclose([c0, c1, c2], want, atol=1e-3):
        return (f"logit D* fitted as {c0:.4f} + {c1:.4f} x + {c2:.4f} x², expected "
                "−26.8069 + 13 x − 1.5 x² (THEORY.md)")
    return Ok("−26.8069 + 13 x − 1.5 x²")


@_numpy_backend
def check_optimal_discriminator(optimal_discriminator, stream=None):
    """ex05: ``optimal_discriminator(p_data, p_g) -> D*``, element-wise.

    Checks D* = p_data/(p_data + p_g) against ``theory.optimal_discriminator`` on a
    grid, a 2-D array and scalars; D* = ½ where both densities vanish; V(D*, G) =
    −log 4 + 2·JSD (Theorem 1) and no nudged D beats it; and logit D* for
    N(4, 0.5²) vs N(3, 1²) is −26.8069 + 13 x − 1.5 x² (THEORY.md).
    """
    c = Checker("ex05 optimal discriminator", {"optimal_discriminator": optimal_discriminator},
                stream)
    f = optimal_discriminator
    c.check("D* values (grid, 2-D array, scalars)", ["optimal_discriminator"],
            lambda: _dstar_values(f))
    c.check("D* = ½ where both densities vanish", ["optimal_discriminator"],
            lambda: _dstar_zeros(f))
    c.check("V(D*, G) is the maximum, −log 4 + 2·JSD", ["optimal_discriminator"],
            lambda: _dstar_is_max(f))
    c.check("two Gaussians: logit D* is the quadratic of THEORY.md",
            ["optimal_discriminator"], lambda: _dstar_logit_quadratic(f))
    return c.finish()


# ===========================================================================
# ex06 and ex07: the two players' steps
# ===========================================================================
def _flat_params(net):
    return np.concatenate([p.ravel() for p in net.params()])


def _players(seed):
    rng = np.random.default_rng(seed)
    G = mlp([1, 8, 8, 1], hidden="leaky_relu", rng=rng)
    D = mlp([1, 8, 8, 1], hidden="leaky_relu", rng=rng)
    return G, D, rng


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


# ===========================================================================
# ex08: a matmul in loops, compiled by Numba
# ===========================================================================
def reference_matmul(x, W):
    """out[i, j] = Σ_k x[i, k] W[k, j] in three loops: (N, D) @ (D, M) -> (N, M)."""
    N, D = x.shape
    M = W.shape[1]
    out = np.zeros((N, M))
    for i in range(N):
        for j in range(M):
            s = 0.0
            for k in range(D):
                s += x[i, k] * W[k, j]
            out[i, j] = s
    return out


_MATMUL_SHAPES = [(3, 4, 2), (2, 3, 5), (1, 5, 3), (4, 3, 1), (4, 1, 3), (1, 1, 1), (5, 5, 5)]


def _matmul_variants(x, W):
    want = x @ W
    N, D = x.shape
    M = W.shape[1]
    v = []

    def zero(rows=None, cols=None):
        out = want.copy()
        if rows is not None:
            out[rows, :] = 0.0
        if cols is not None:
            out[:, cols] = 0.0
        return out

    v.append((want.T, f"out has shape {want.T.shape}, expected {want.shape}: i and j are "
                      "swapped (out[j, i] or np.zeros((M, N))): out[i, j] = Σ_k x[i, k] "
                      "W[k, j], i over N = x.shape[0], j over M = W.shape[1]"
              if N != M else "out is the transpose of x @ W: i and j are swapped "
                             "(you wrote out[j, i])"))
    if D == M:
        v.append((x @ W.T, "you used W[j, k] instead of W[k, j]: that is x @ Wᵀ"))
    if N == D:
        v.append((x.T @ W, "you used x[k, i] instead of x[i, k]: that is xᵀ @ W"))
    v.append((zero(rows=N - 1), "the last row of out is 0: the loop over i stops one "
                                "short. range(N) already runs 0 … N − 1; "
                                "range(N − 1) misses one"))
    v.append((zero(rows=0), "the first row of out is 0: range(1, N) skips i = 0 "
                            "(Python counts from 0)"))
    v.append((zero(cols=M - 1), "the last column of out is 0: the loop over j stops one "
                                "short (range(M − 1)?): j runs over range(M), M = W.shape[1]"))
    v.append((zero(cols=0), "the first column of out is 0: range(1, M) skips j = 0"))
    v.append((x[:, :-1] @ W[:-1, :], "each entry misses the last term of the sum over k: "
                                     "k runs over range(D), D = x.shape[1]"))
    v.append((x[:, 1:] @ W[1:, :], "each entry misses the first term of the sum over k "
                                   "(range(1, D)?): k starts at 0"))
    v.append((np.cumsum(want, axis=1), "each entry also holds the sums of the entries "
                                       "before it in its row: reset the accumulator "
                                       "(s = 0.0) for every (i, j), inside the j loop"))
    v.append((np.cumsum(want.ravel()).reshape(want.shape), "each entry also holds the sums "
              "of all earlier entries: reset the accumulator (s = 0.0) for every (i, j)"))
    v.append((x @ W * D, f"every entry is D = {D} times too large"))
    return v


def _matmul_index_hint(exc):
    if isinstance(exc, IndexError):
        return ("Each index belongs to one axis: x[i, k], W[k, j], out[i, j], with i over "
                "range(N), N = x.shape[0]; j over range(M), M = W.shape[1]; k over "
                "range(D), D = x.shape[1]; out = np.zeros((N, M)). A swapped index "
                "(W[j, k], out[j, i]) only fits when the sizes happen to be equal")
    return None


def _matmul_python(fn):
    """The student's function as plain Python (Numba's ``py_func``): bounds are checked."""
    py = getattr(fn, "py_func", fn)
    rng = np.random.default_rng(81)
    for N, D, M in _MATMUL_SHAPES:
        x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
        got = py(x.copy(), W.copy())
        hint = diagnose("out", got, x @ W, _matmul_variants(x, W),
                        shape_hint="out = x @ W has shape (N, M)")
        if hint:
            return f"{hint} [case: x {x.shape}, W {W.shape}]"
    return None


_NUMPY_PRODUCT = re.compile(r"(np|numpy)\.(dot|matmul|einsum|tensordot|inner|vdot)\b"
                            r"|[\w\])]\s*@\s*[\w(\[]|\.dot\(")


def _matmul_in_loops(fn):
    """The exercise is the loops: NumPy's own product inside would skip it."""
    py = getattr(fn, "py_func", fn)
    try:
        src = inspect.getsource(py)
    except (OSError, TypeError):
        return None
    body = "\n".join(l.split("#")[0] for l in src.splitlines()
                     if not l.lstrip().startswith("@"))
    body = re.sub(r'"""[\s\S]*?"""', "", body)
    m = _NUMPY_PRODUCT.search(body)
    if m:
        return (f"matmul uses NumPy's product ({m.group(0).strip()}): the exercise is to "
                "write it yourself, in three loops over i, j and k")
    return None


def _numba_error_hint(exc):
    name = type(exc).__name__
    if "Typing" in name or "Lowering" in name or "Unsupported" in name or "numba" in \
            type(exc).__module__:
        return ("Numba could not compile your matmul. Use only loops over range(...), "
                "np.zeros((N, M)), indexing x[i, k] and arithmetic on floats: Numba does "
                "not know most Python modules and objects")
    return None


def _matmul_numba(fn):
    rng = np.random.default_rng(82)
    for N, D, M in _MATMUL_SHAPES + [(64, 48, 32)]:
        x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
        got = fn(x, W)
        hint = diagnose("out (compiled)", got, x @ W, shape_hint="out has shape (N, M)")
        if hint:
            return f"{hint} [case: x {x.shape}, W {W.shape}]"
    x, W = rng.normal(size=(200, 200)), rng.normal(size=(200, 200))
    t0 = time.perf_counter()
    fn(x, W)
    ms = (time.perf_counter() - t0) * 1e3
    return Ok(f"200×200 @ 200×200 in {ms:.1f} ms compiled")


@_numpy_backend
def check_matmul(matmul, stream=None):
    """ex08: ``matmul(x, W) -> out``, out[i, j] = Σ_k x[i, k] W[k, j], in plain loops.

    Runs the function as plain Python first (where an index out of range raises
    IndexError instead of corrupting memory) against ``x @ W`` on seven shapes,
    1-wide and 1-tall ones included, then, if it is a Numba function, compiled.
    """
    c = Checker("ex08 Numba matmul", {"matmul": matmul}, stream)
    ok = c.check("matmul as plain Python = x @ W (7 shapes, 1-wide and 1-tall)", ["matmul"],
                  lambda: _matmul_python(matmul), _matmul_index_hint)
    c.check("matmul written in loops (no @, np.dot)", ["matmul"], lambda: _matmul_in_loops(matmul))
    if hasattr(matmul, "py_func"):
        if ok:
            c.check("matmul compiled by Numba = x @ W", ["matmul"],
                    lambda: _matmul_numba(matmul), _numba_error_hint)
        else:
            c.check("matmul compiled by Numba = x @ W", ["matmul"],
                    lambda: "not run: the plain-Python check must pass first (a compiled "
                            "loop that indexes out of range reads garbage instead of "
                            "raising IndexError)")
    else:
        c.note("matmul is not a Numba function (numba missing?): checked as plain Python only")
    return c.finish()


# ===========================================================================
# The entry point of every exercise file.
# ===========================================================================
def _jit(fn):
    """``numba.njit(fn)`` (cached on disk, like kernels.py's), or fn itself without Numba."""
    try:
        from numba import njit
    except Exception:                       # pragma: no cover - numba missing
        return fn
    return njit(cache=True)(fn)


def _ref_d_step(D, d_opt, x_real, x_fake):
    return discriminator_step(D, d_opt, x_real, x_fake)["loss"]


def _ref_g_step(G, D, g_opt, z):
    return generator_step(G, D, g_opt, z, loss="non-saturating")["loss"]


#: name -> (checker, exercise file)
EXERCISES = {
    "sigmoid_bce": (check_sigmoid_bce, "ex01_sigmoid_bce.py"),
    "leaky_relu": (check_leaky_relu, "ex02_leaky_relu.py"),
    "dense": (check_dense, "ex03_dense_backward.py"),
    "adam": (check_adam, "ex04_adam.py"),
    "optimal_discriminator": (check_optimal_discriminator, "ex05_optimal_discriminator.py"),
    "d_step": (check_d_step, "ex06_discriminator_step.py"),
    "g_step": (check_g_step, "ex07_generator_step.py"),
    "matmul": (check_matmul, "ex08_numba_matmul.py"),
}

#: name -> a function returning the reference implementations, by the exercise's names
REFERENCES = {
    "sigmoid_bce": lambda: {"sigmoid": losses.sigmoid,
                            "bce_with_logits": losses.bce_with_logits},
    "leaky_relu": lambda: {"leaky_relu_forward": _ref_leaky_forward,
                           "leaky_relu_backward": _ref_leaky_backward},
    "dense": lambda: {"dense_forward": _ref_dense_forward,
                      "dense_backward": _ref_dense_backward},
    "adam": lambda: {"adam_update": _ref_adam_update},
    "optimal_discriminator": lambda: {"optimal_discriminator": theory.optimal_discriminator},
    "d_step": lambda: {"d_step": _ref_d_step},
    "g_step": lambda: {"g_step": _ref_g_step},
    "matmul": lambda: {"matmul": _jit(reference_matmul)},
}


def run(name, student_fns, argv=None):
    """Check one exercise and exit: status 0 when every check passed, 1 otherwise.

    Inputs:
    - name: a key of ``EXERCISES`` ("dense", "adam", ...)
    - student_fns: {function name: the student's function}
    - argv: command-line arguments (default ``sys.argv[1:]``); ``--solution``
      checks the library's reference implementation instead of the student's
    """
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; one of {sorted(EXERCISES)}")
    checker, filename = EXERCISES[name]
    parser = argparse.ArgumentParser(
        prog=filename,
        description="Check your solution: one PASS or FAIL line per check, with a hint.")
    parser.add_argument("--solution", action="store_true",
                        help="check the library's reference solution instead (for teachers)")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    fns = REFERENCES[name]() if args.solution else dict(student_fns)
    if args.solution:
        print(f"(--solution: checking the library's reference implementation of {name})")
    ok = checker(**fns)
    raise SystemExit(0 if ok else 1)
