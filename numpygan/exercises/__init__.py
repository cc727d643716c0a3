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

The machinery (``Checker``, ``diagnose``, ``run``) is in ``engine.py``; one module
per exercise holds its checker (each returns True when every check passed), its
known mistakes with their hints, and the reference adapter for ``--solution``:

    bce.py                    check_sigmoid_bce(sigmoid, bce_with_logits)            ex01
    leaky_relu.py             check_leaky_relu(leaky_relu_forward, leaky_relu_backward)  ex02
    dense.py                  check_dense(dense_forward, dense_backward)             ex03
    adam.py                   check_adam(adam_update)                                ex04
    optimal_discriminator.py  check_optimal_discriminator(optimal_discriminator)     ex05
    d_step.py                 check_d_step(d_step)                                   ex06
    g_step.py                 check_g_step(g_step)                                   ex07
    matmul.py                 check_matmul(matmul)                                   ex08

(``players.py`` holds the small G and D that ex06 and ex07 share.)
"""

from __future__ import annotations

from .. import losses, theory
from .adam import _ref_adam_update, check_adam
from .bce import check_sigmoid_bce
from .d_step import _ref_d_step, check_d_step
from .dense import _ref_dense_backward, _ref_dense_forward, check_dense
from .engine import Checker, Ok, diagnose, run  # noqa: F401  (Ok: public, as before the split)
from .g_step import _ref_g_step, check_g_step
from .leaky_relu import _ref_leaky_backward, _ref_leaky_forward, check_leaky_relu
from .matmul import _jit, check_matmul, reference_matmul
from .optimal_discriminator import check_optimal_discriminator

__all__ = [
    "Checker", "diagnose", "run", "EXERCISES", "REFERENCES",
    "check_sigmoid_bce", "check_leaky_relu", "check_dense", "check_adam",
    "check_optimal_discriminator", "check_d_step", "check_g_step", "check_matmul",
]


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
