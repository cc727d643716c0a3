"""The checkers' machinery: one PASS/FAIL line per check, and the diagnosis of a wrong array.

``Checker`` runs one exercise's checks.  Each check calls a body that returns None
(or ``Ok(detail)``) to pass, or a hint string to fail; a student's exception becomes
a FAIL line with its message and the line of the student's file it came from, never
a traceback.

``diagnose`` finds the hint.  The student's answer is compared with the reference
on random inputs of several shapes.  When it differs, it is compared again with the
answers that *known mistakes* give on the same inputs (a missing transpose, a mean
where a sum belongs, a flipped sign, a missing bias correction, ...): the first
mistake that reproduces the student's numbers names the hint.  When none does, the
hint says which entries differ and by how much.

A checker judges from *data*: the inputs it feeds the student's functions, the
reference outputs, and the outputs of the known mistakes, all arrays in a dict
(``ExerciseData``).  In the repository the data is computed from the library when a
check runs (``numpygan/exercises/*_data.py``); in a hand-out it is loaded from the
``.npz`` files computed when the hand-out was made.  The checks themselves (this
module and the nine judge modules) are the same code in both places, and hold no
solution: this module imports nothing but NumPy.

``run_file`` is the entry point of every exercise file: it runs the exercise's
checker and exits with status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import linecache
import os
import re
import sys
import warnings

import numpy as np


class Ok(str):
    """A check body returns ``Ok("detail")`` to pass with a measured detail shown."""


def _code_of(fn):
    fn = getattr(fn, "py_func", fn)          # a Numba dispatcher wraps the Python function
    return getattr(fn, "__code__", None)


def first_line(text, limit=240):
    text = str(text).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _exception_message(exc):
    """One line for an exception; for Numba's long compile errors, the reason and the line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    if not text.startswith("Failed in nopython mode"):
        return first_line(text)
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
    return first_line(reason) + where


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
        self.blocked_by = None
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

    def require(self, what, body, needs):
        """A check the rest depend on (e.g. "your ex03 passes"): when it fails, every
        later check is counted as failed, waiting for ``needs``, without a line."""
        ok = self.check(what, [], body)
        if not ok:
            self.blocked_by = needs
        return ok

    def check(self, what, uses, body, on_error=None):
        if self.blocked_by is not None or any(u in self.unwritten for u in uses):
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
            if self.blocked_by is not None:
                self._print(line + f"; {self.waiting} more wait for {self.blocked_by}. "
                            "Make those pass first, then run this file again.")
            elif self.unwritten:
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


def _shape_hint(name, g, want, rtol, shape_hint):
    """The hint for an answer of the wrong shape: a transpose, or what was expected."""
    if want.ndim == 2 and g.shape == want.shape[::-1]:
        tail = " (it is the transpose of the right answer)" if _close(g.T, want, rtol) else ""
        return (f"{name} has shape {g.shape}, expected {want.shape}: did you "
                f"transpose?{tail} {shape_hint}").rstrip()
    what = "an array of shape " + str(g.shape) if g.ndim else "a number"
    expect = f"shape {want.shape}" if want.ndim else "one number"
    return f"{name} is {what}, expected {expect}. {shape_hint}".rstrip()


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
        if not (want.ndim == 0 and g.size == 1):
            return _shape_hint(name, g, want, rtol, shape_hint)
        g = g.reshape(())
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


def cases_text(**arrays):
    return "[case: " + ", ".join(f"{k} {v.shape}" for k, v in arrays.items()) + "]"


def call_scalar(value):
    """A loss may come back as a float, a 0-d array, or (from the library) a dict."""
    if isinstance(value, dict) and "loss" in value:
        return value["loss"]
    return value


class ExerciseData(dict):
    """An exercise's arrays by name, read-only: what a checker feeds and compares.

    Keys are flat names such as ``"c0__x"`` (case 0's input x) or
    ``"c0__dW__transposed"`` (what the mistake "transposed" gives for dW in case 0).
    """

    def __init__(self, arrays):
        super().__init__()
        for key, value in dict(arrays).items():
            a = np.array(value)
            a.setflags(write=False)
            self[key] = a

    def get_array(self, key):
        """A writable copy of one array (what a student's function is given)."""
        if key not in self:
            raise KeyError(f"the exercise data has no {key!r}: was it made by another "
                           "version of numpygan? Make the hand-out again")
        return np.array(self[key])

    def number(self, key):
        return float(self[key])

    def arrays(self, prefix, count):
        """[data[prefix0], data[prefix1], ...]: e.g. a network's parameters."""
        return [self.get_array(f"{prefix}{i}") for i in range(count)]

    def variants(self, prefix, hints, **fmt):
        """(value, hint) of every known mistake stored under ``prefix``, in ``hints``' order.

        ``hints`` maps a mistake's name to its hint; ``fmt`` fills the hint's {fields}.
        A mistake the data does not hold (e.g. one only defined for square shapes) is
        skipped.
        """
        return [(self[prefix + key], text.format(**fmt) if fmt else text)
                for key, text in hints.items() if prefix + key in self]

    def count(self, prefix):
        """How many cases prefix0__..., prefix1__..., ... the data holds (at least one)."""
        n = 0
        while any(k.startswith(f"{prefix}{n}__") for k in self):
            n += 1
        if n == 0:
            raise KeyError(f"the exercise data has no case {prefix}0: was it made by another "
                           "version of numpygan? Make the hand-out again")
        return n


def load_data(path):
    """``ExerciseData`` from an ``.npz`` file, read without pickle."""
    with np.load(path, allow_pickle=False) as npz:
        return ExerciseData({k: npz[k] for k in npz.files})


def run_file(filename, check, fns, argv=None, solution=None):
    """Run one exercise's ``check(**fns)`` and exit: status 0 when every check passed.

    Inputs:
    - filename: the exercise file's name, for ``--help``
    - check: the exercise's checker; fns: {function name: the student's function}
    - argv: command-line arguments (default ``sys.argv[1:]``)
    - solution: None, or a function returning the reference implementations by
      name: then ``--solution`` checks those instead (for teachers, in the repository)
    """
    parser = argparse.ArgumentParser(
        prog=filename,
        description="Check your solution: one PASS or FAIL line per check, with a hint.")
    if solution is not None:
        parser.add_argument("--solution", action="store_true",
                            help="check the library's reference solution instead (for "
                                 "teachers)")
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    if getattr(args, "solution", False):
        print(f"(--solution: checking the library's reference implementation, {filename})")
        fns = solution()
    ok = check(**fns)
    raise SystemExit(0 if ok else 1)
