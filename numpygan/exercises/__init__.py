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
reference on inputs of several shapes.  When it differs, it is compared again with
the answers that *known mistakes* give on the same inputs (a missing transpose, a
mean where a sum belongs, a flipped sign, a missing bias correction, ...): the first
mistake that reproduces the student's numbers names the hint.  When none does, the
hint says which entries differ and by how much.  A student's exception becomes a
FAIL line with its message and the line of the student's file it came from, never
a traceback.

Three kinds of module, so that a hand-out can hold the checks without the answers:

    engine.py            Checker, diagnose: the machinery (NumPy only)
    bce.py ... matmul.py the checks of each exercise, ``judge_*(data, fns)``: what to
                         call, what to compare, the hints (NumPy only, no solution)
    *_data.py            each exercise's data: inputs, the library's answers, what the
                         known mistakes give (repository only)
    solutions.py, kit.py the library as the reference answers, and as the pieces ex06
                         and ex07 build on (repository only)

In the repository a checker computes its data from the library when it runs, on
the NumPy backend (the same numbers with or without Numba).  ``python -m
numpygan.exercises handout DIR`` writes the judges and the data (as ``.npz``) into a
folder for students, and ``... grade SUBMISSIONS --csv F`` grades a class (see
``handout.py`` and ``grade.py``):

    bce.py                    check_sigmoid_bce(sigmoid, bce_with_logits)               ex01
    leaky_relu.py             check_leaky_relu(leaky_relu_forward, leaky_relu_backward)  ex02
    dense.py                  check_dense(dense_forward, dense_backward)                ex03
    adam.py                   check_adam(adam_update)                                   ex04
    optimal_discriminator.py  check_optimal_discriminator(optimal_discriminator)        ex05
    d_step.py                 check_d_step(d_step)                                      ex06
    g_step.py                 check_g_step(g_step)                                      ex07
    matmul.py                 check_matmul(matmul)                                      ex08
    conv_backward.py          check_conv_backward(conv2d_backward)                      ex09
"""

from __future__ import annotations

import functools
import importlib

from .. import kernels
from .adam import judge_adam
from .bce import judge_sigmoid_bce
from .conv_backward import judge_conv_backward
from .d_step import judge_d_step
from .dense import judge_dense
from .engine import Checker, ExerciseData, Ok, diagnose, run_file  # noqa: F401
from .g_step import judge_g_step
from .leaky_relu import judge_leaky_relu
from .matmul import judge_matmul
from .optimal_discriminator import judge_optimal_discriminator
from .solutions import REFERENCES

__all__ = [
    "Checker", "diagnose", "run", "EXERCISES", "REFERENCES", "JUDGES", "data",
    "check_sigmoid_bce", "check_leaky_relu", "check_dense", "check_adam",
    "check_optimal_discriminator", "check_d_step", "check_g_step", "check_matmul",
    "check_conv_backward",
]

#: name -> (judge, its module (and the data's: <module>_data.py), exercise file,
#:          whether it builds on networks and optimizers (a kit))
JUDGES = {
    "sigmoid_bce": (judge_sigmoid_bce, "bce", "ex01_sigmoid_bce.py", False),
    "leaky_relu": (judge_leaky_relu, "leaky_relu", "ex02_leaky_relu.py", False),
    "dense": (judge_dense, "dense", "ex03_dense_backward.py", False),
    "adam": (judge_adam, "adam", "ex04_adam.py", False),
    "optimal_discriminator": (judge_optimal_discriminator, "optimal_discriminator",
                              "ex05_optimal_discriminator.py", False),
    "d_step": (judge_d_step, "d_step", "ex06_discriminator_step.py", True),
    "g_step": (judge_g_step, "g_step", "ex07_generator_step.py", True),
    "matmul": (judge_matmul, "matmul", "ex08_numba_matmul.py", False),
    "conv_backward": (judge_conv_backward, "conv_backward", "ex09_conv_backward.py", False),
}


@functools.lru_cache(maxsize=None)
def data(name):
    """The exercise's data (``ExerciseData``), computed from the library on its NumPy
    backend: inputs, reference answers, and what the known mistakes give."""
    module = importlib.import_module(f".{JUDGES[name][1]}_data", __name__)
    with kernels.backend("numpy"):
        return ExerciseData(module.make())


def _check(name, fns, stream):
    judge, _, _, uses_kit = JUDGES[name]
    extra = {}
    if uses_kit:
        from .kit import LIBRARY
        extra["kit"] = LIBRARY
    with kernels.backend("numpy"):
        return judge(data(name), stream=stream, **fns, **extra)


def check_sigmoid_bce(sigmoid, bce_with_logits, stream=None):
    """ex01 (see ``bce.judge_sigmoid_bce``); True when every check passed."""
    return _check("sigmoid_bce", {"sigmoid": sigmoid, "bce_with_logits": bce_with_logits},
                  stream)


def check_leaky_relu(leaky_relu_forward, leaky_relu_backward, stream=None):
    """ex02 (see ``leaky_relu.judge_leaky_relu``)."""
    return _check("leaky_relu", {"leaky_relu_forward": leaky_relu_forward,
                                 "leaky_relu_backward": leaky_relu_backward}, stream)


def check_dense(dense_forward, dense_backward, stream=None):
    """ex03 (see ``dense.judge_dense``)."""
    return _check("dense", {"dense_forward": dense_forward, "dense_backward": dense_backward},
                  stream)


def check_adam(adam_update, stream=None):
    """ex04 (see ``adam.judge_adam``)."""
    return _check("adam", {"adam_update": adam_update}, stream)


def check_optimal_discriminator(optimal_discriminator, stream=None):
    """ex05 (see ``optimal_discriminator.judge_optimal_discriminator``)."""
    return _check("optimal_discriminator", {"optimal_discriminator": optimal_discriminator},
                  stream)


def check_d_step(d_step, stream=None):
    """ex06 (see ``d_step.judge_d_step``), on the library's networks and optimizers."""
    return _check("d_step", {"d_step": d_step}, stream)


def check_g_step(g_step, stream=None):
    """ex07 (see ``g_step.judge_g_step``), on the library's networks and optimizers."""
    return _check("g_step", {"g_step": g_step}, stream)


def check_matmul(matmul, stream=None):
    """ex08 (see ``matmul.judge_matmul``)."""
    return _check("matmul", {"matmul": matmul}, stream)


def check_conv_backward(conv2d_backward, stream=None):
    """ex09 (see ``conv_backward.judge_conv_backward``)."""
    return _check("conv_backward", {"conv2d_backward": conv2d_backward}, stream)


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
    "conv_backward": (check_conv_backward, "ex09_conv_backward.py"),
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
    run_file(filename, checker, student_fns, argv, solution=REFERENCES[name])
