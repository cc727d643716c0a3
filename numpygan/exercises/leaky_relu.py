"""ex02: LeakyReLU forward and backward (the checks; no solution here).

``judge_leaky_relu(data, leaky_relu_forward, leaky_relu_backward)`` checks
out = x where x > 0, alpha·x where x < 0, and dx = dout · f'(x) against the
reference values in ``data`` (``leaky_relu_data.py``: ``layers.LeakyReLU``), that the
inputs survive, and a central-difference gradient check of the student's backward
against the student's forward.
"""

from __future__ import annotations

import numpy as np

from .engine import Checker, Ok, diagnose
from ..gradcheck import numerical_gradient, rel_error

FORWARD_HINTS = {
    "relu": "negative inputs give 0: that is ReLU. LeakyReLU lets alpha·x through where "
            "x < 0",
    "wrong_side": "alpha is applied on the wrong side: x where x > 0, alpha·x where x < 0",
    "all_scaled": "every entry is multiplied by alpha: only negative inputs are",
    "alpha_const": "negative inputs give alpha: they give alpha·x",
    "minus_alpha": "negative inputs give −alpha·x: a sign error, they give alpha·x "
                   "(negative)",
}

BACKWARD_HINTS = {
    "local_only": "dx is the local derivative f'(x) alone: multiply it by dout (the chain "
                  "rule: dx = dout · f'(x))",
    "relu": "dx is 0 where x < 0: that is ReLU's derivative; LeakyReLU's is alpha there "
            "(dx = alpha·dout)",
    "wrong_side": "alpha is applied on the wrong side: dx = dout where x > 0, alpha·dout "
                  "where x < 0",
    "all_scaled": "dx = alpha·dout everywhere: only where x < 0",
    "forward_out": "where x < 0 you returned alpha·x (the forward output): dx = alpha·dout "
                   "there",
    "times_x": "where x < 0 you returned alpha·x·dout: the derivative of alpha·x is alpha, "
               "so dx = alpha·dout",
    "forward": "dx is the forward output: backward returns dout · f'(x)",
}


def _case(data, i):
    p = f"c{i}__"
    return p, data.get_array(p + "x"), data.get_array(p + "dout"), data.number(p + "alpha")


def _leaky_forward_check(data, fwd):
    for i in range(data.count("c")):
        p, x, _, alpha = _case(data, i)
        got = fwd(x.copy(), alpha)
        hint = diagnose("out", got, data[p + "out"], data.variants(p + "out__", FORWARD_HINTS))
        if hint:
            return f"{hint} [case: x {x.shape}, alpha {alpha}]"
    return None


def _leaky_backward_check(data, bwd):
    for i in range(data.count("c")):
        p, x, dout, alpha = _case(data, i)
        got = bwd(x.copy(), dout.copy(), alpha)
        hint = diagnose("dx", got, data[p + "dx"], data.variants(p + "dx__", BACKWARD_HINTS))
        if hint:
            return f"{hint} [case: x {x.shape}, alpha {alpha}]"
    return None


def _leaky_inputs_untouched(data, fwd, bwd):
    _, x, dout, alpha = _case(data, 0)
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


def _leaky_gradcheck(data, fwd, bwd):
    _, x, dout, alpha = _case(data, 0)
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


def judge_leaky_relu(data, leaky_relu_forward, leaky_relu_backward, stream=None):
    """ex02: ``leaky_relu_forward(x, alpha)`` and ``leaky_relu_backward(x, dout, alpha)``.

    Checks forward and backward against the reference on three shapes and slopes,
    that neither changes its inputs in place, and the gradient check:
    backward = d/dx Σ forward(x)·dout by central differences.
    """
    fwd, bwd = leaky_relu_forward, leaky_relu_backward
    c = Checker("ex02 LeakyReLU", {"leaky_relu_forward": fwd, "leaky_relu_backward": bwd}, stream)
    c.check("leaky_relu_forward values (3 shapes)", ["leaky_relu_forward"],
            lambda: _leaky_forward_check(data, fwd))
    c.check("leaky_relu_backward dx (3 shapes)", ["leaky_relu_backward"],
            lambda: _leaky_backward_check(data, bwd))
    c.check("inputs not changed in place", ["leaky_relu_forward", "leaky_relu_backward"],
            lambda: _leaky_inputs_untouched(data, fwd, bwd))
    c.check("gradient check: backward vs numerical gradient of forward",
            ["leaky_relu_forward", "leaky_relu_backward"],
            lambda: _leaky_gradcheck(data, fwd, bwd))
    return c.finish()
