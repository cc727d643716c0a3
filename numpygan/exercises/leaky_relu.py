"""ex02: LeakyReLU forward and backward.

``check_leaky_relu(leaky_relu_forward, leaky_relu_backward)`` checks
out = x where x > 0, alpha·x where x < 0, and dx = dout · f'(x), against
``layers.LeakyReLU``, that the inputs survive, and a central-difference gradient check.
``_ref_leaky_forward`` / ``_ref_leaky_backward`` are the references for ``--solution``.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from ..layers import LeakyReLU
from .engine import Checker, Ok, _numpy_backend, diagnose


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
