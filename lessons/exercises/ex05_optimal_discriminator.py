"""Exercise 5: the optimal discriminator D* (Goodfellow et al. 2014, Proposition 1).

For a fixed generator, D maximises the value function (Eq. 1)

    V(D, G) = ∫ p_data(x) log D(x) + p_g(x) log(1 − D(x)) dx.

Point by point, y ↦ a log y + b log(1 − y) peaks at y = a / (a + b), so

    D*(x) = p_data(x) / (p_data(x) + p_g(x)).

Where neither density lives (p_data = p_g = 0), V does not depend on D at all: every
value is optimal.  Define D* = ½ there, the value D* takes wherever p_g = p_data
(and avoid 0/0 = nan).

Plugged back in, V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g) (Theorem 1): the checker
verifies that on a grid, and that for p_data = N(4, 0.5²), p_g = N(3, 1²) the logit
of your D* is the quadratic −26.8069 + 13 x − 1.5 x².

Write optimal_discriminator, then run:

    python lessons/exercises/ex05_optimal_discriminator.py

(Reference: numpygan/theory.py, optimal_discriminator.)
"""

import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

import numpy as np  # noqa: E402


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), element-wise; ½ where both are 0.

    Inputs:
    - p_data, p_g: densities at the same points, arrays of one shape (or numbers), ≥ 0
    Returns:
    - D*: array of that shape, in [0, 1]
    """
    raise NotImplementedError("write optimal_discriminator(p_data, p_g)")


if __name__ == "__main__":
    from numpygan import exercises

    exercises.run("optimal_discriminator", {"optimal_discriminator": optimal_discriminator})
