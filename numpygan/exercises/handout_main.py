"""The checker of a hand-out (this file is its ``checker/__init__.py``).

Each exercise file ends with ``checker.run("dense", {...})``: the checks of that
exercise (``dense.py``, ...) run on your functions, judged against the data in
``checker/data/*.npz`` (inputs, the reference outputs, and the outputs of known
mistakes, computed when the hand-out was made; loaded without pickle).  The
hand-out holds no solution: the reference answers are numbers, not code.

ex06 and ex07 build on your own answers: D and G are networks of your ex02 and
ex03 layers, trained with your ex04 Adam and your ex01 loss (``student_network.py``,
``student_losses.py``), and ex07's game trains D with your ex06.  Those must pass
first; the checker says so when one does not.

In the repository this file is ``numpygan/exercises/handout_main.py``, copied here
by ``python -m numpygan.exercises handout DIR``.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import sys

from . import student_losses as losses  # noqa: F401  (ex06 and ex07 import it from here)
from . import student_network
from .adam import judge_adam
from .bce import judge_sigmoid_bce
from .conv_backward import judge_conv_backward
from .d_step import judge_d_step
from .dense import judge_dense
from .engine import first_line, load_data, run_file
from .g_step import judge_g_step
from .leaky_relu import judge_leaky_relu
from .matmul import judge_matmul
from .optimal_discriminator import judge_optimal_discriminator

HERE = os.path.dirname(os.path.abspath(__file__))

#: name -> (judge, exercise file, the student's function names, builds on earlier answers)
EXERCISES = {
    "sigmoid_bce": (judge_sigmoid_bce, "ex01_sigmoid_bce.py", ("sigmoid", "bce_with_logits"),
                    False),
    "leaky_relu": (judge_leaky_relu, "ex02_leaky_relu.py",
                   ("leaky_relu_forward", "leaky_relu_backward"), False),
    "dense": (judge_dense, "ex03_dense_backward.py", ("dense_forward", "dense_backward"),
              False),
    "adam": (judge_adam, "ex04_adam.py", ("adam_update",), False),
    "optimal_discriminator": (judge_optimal_discriminator, "ex05_optimal_discriminator.py",
                              ("optimal_discriminator",), False),
    "d_step": (judge_d_step, "ex06_discriminator_step.py", ("d_step",), True),
    "g_step": (judge_g_step, "ex07_generator_step.py", ("g_step",), True),
    "matmul": (judge_matmul, "ex08_numba_matmul.py", ("matmul",), False),
    "conv_backward": (judge_conv_backward, "ex09_conv_backward.py", ("conv2d_backward",),
                      False),
}


def _module_name(name):
    return EXERCISES[name][1][:-3]


class OwnPieces:
    """ex06's and ex07's networks, optimizers and loss, from the student's ex01–ex04."""

    own_pieces = True
    mlp = staticmethod(student_network.mlp)
    SGD = student_network.SGD
    Adam = student_network.Adam
    sigmoid = staticmethod(losses.sigmoid)
    discriminator_loss = staticmethod(losses.discriminator_loss)

    def __init__(self):
        self._verdicts = {}

    @staticmethod
    def d_step(D, d_opt, x_real, x_fake):
        return importlib.import_module(_module_name("d_step")).d_step(D, d_opt, x_real, x_fake)

    def _verdict(self, name):
        """None when the student's answer to exercise ``name`` passes, else why not."""
        if name not in self._verdicts:
            filename = EXERCISES[name][1]
            try:
                fns = functions(name, importlib.import_module(_module_name(name)))
            except Exception as exc:                 # the file does not import, say
                self._verdicts[name] = (f"{filename} does not load "
                                        f"({type(exc).__name__}: {first_line(exc, 80)})")
            else:
                out = io.StringIO()
                ok = check(name, fns, stream=out)
                passed, total, _ = score(out.getvalue())
                self._verdicts[name] = None if ok else f"{filename} ({passed} of {total})"
        return self._verdicts[name]

    def missing(self, names):
        """None when every earlier exercise in ``names`` passes; else a hint naming them."""
        reasons = [r for r in (self._verdict(n) for n in names) if r]
        if not reasons:
            return None
        first = next(EXERCISES[n][1] for n in names if self._verdict(n))
        return (f"not yet passing: {', '.join(reasons)}. This exercise runs on your answers "
                f"to those: make them pass first, starting with python {first}")


KIT = OwnPieces()


def functions(name, module):
    """{function name: the module's function} for exercise ``name``."""
    fns = {}
    for fn_name in EXERCISES[name][2]:
        fn = getattr(module, fn_name, None)
        if not callable(fn):
            raise AttributeError(f"{EXERCISES[name][1]} has no function {fn_name}()")
        fns[fn_name] = fn
    return fns


def check(name, fns, stream=None):
    """Run exercise ``name``'s checks on ``fns``; True when every check passed."""
    judge, _, _, uses_kit = EXERCISES[name]
    data = load_data(os.path.join(HERE, "data", f"{name}.npz"))
    extra = {"kit": KIT} if uses_kit else {}
    return judge(data, stream=stream, **fns, **extra)


def run(name, fns, argv=None):
    """The end of every exercise file: check, print, exit 0 when every check passed."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise {name!r}; one of {sorted(EXERCISES)}")
    run_file(EXERCISES[name][1], lambda **f: check(name, f), fns, argv)


def grade_one(name, result_path, memory_mb):
    """The class grader's child process: check one student's exercise, write the result.

    Runs in the student's own temporary folder (the current directory, first on
    sys.path); the address space is capped at ``memory_mb`` MiB before the student's
    code is imported.  Writes {"passed", "total", "verdict", "hint"} as JSON to
    ``result_path``, so that a process that dies, hangs or exits early leaves no result
    and the grader reports why.
    """
    import resource

    limit = int(memory_mb) * 2 ** 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = io.StringIO()

    class Tee:
        def write(self, text):
            out.write(text)
            sys.__stdout__.write(text)

        def flush(self):
            sys.__stdout__.flush()

    result = None
    try:
        try:
            fns = functions(name, importlib.import_module(_module_name(name)))
        except SystemExit as exc:
            result = (0, 0, f"{EXERCISES[name][1]} called sys.exit({exc.code}) when imported")
        except BaseException as exc:               # a SyntaxError, a MemoryError, ...
            result = (0, 0, f"{EXERCISES[name][1]} could not be imported: "
                            f"{type(exc).__name__}: {first_line(exc)}")
        if result is None:
            check(name, fns, stream=Tee())
    except SystemExit as exc:
        result = (0, 0, f"the code called sys.exit({exc.code}) during the checks")
    except BaseException as exc:
        result = (0, 0, f"the checks stopped: {type(exc).__name__}: {first_line(exc)}")
    if result is None:
        result = score(out.getvalue())
    passed, total, hint = result
    verdict = "PASS" if hint == "" and total > 0 and passed == total else "FAIL"
    tmp = result_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"passed": passed, "total": total, "verdict": verdict, "hint": hint}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, result_path)


def score(output):
    """(passed, total, first hint) from a checker's printed lines: its last line says
    "all T checks passed" or "P of T checks passed" (counting checks that wait)."""
    lines = output.splitlines()
    fails = [l[len("FAIL "):] for l in lines if l.startswith("FAIL ")]
    for line in reversed(lines):
        m = re.search(r": all (\d+) checks passed\.$", line)
        if m:
            return int(m.group(1)), int(m.group(1)), ""
        m = re.search(r": (\d+) of (\d+) checks passed", line)
        if m:
            return int(m.group(1)), int(m.group(2)), fails[0] if fails else "a check failed"
    return 0, 0, fails[0] if fails else "the checker printed no score"
