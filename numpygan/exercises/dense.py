"""ex03: the Dense layer, forward and backward (the checks; no solution here).

``judge_dense(data, dense_forward, dense_backward)`` checks out = x W + b,
dx = dout Wᵀ, dW = xᵀ dout and db = Σ_n dout[n] against the reference values in
``data`` (``dense_data.py``: ``layers.Dense``) on four shapes, and a central-difference
gradient check of all three gradients.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from .engine import Checker, Ok, cases_text, diagnose

FORWARD_HINTS = {
    "no_bias": "out lacks the bias: out = x W + b",
    "transposed": "out = x Wᵀ + b: a transpose too many (W is (D, M), x @ W is (N, M))",
    "minus_b": "the bias is subtracted: out = x W + b",
}

HINTS = {
    "dx": {
        "mean": "dx is off by a factor ~1/N = 1/{n}: mean vs sum over the batch? dx = dout Wᵀ, "
                "no averaging: dout already carries the 1/N of a mean loss",
        "times_n": "dx is off by a factor ~N = {n}: mean vs sum over the batch? dx = dout Wᵀ",
        "no_transpose": "dx = dout W: the transpose is missing, dx = dout Wᵀ "
                        "(N, M) @ (M, D) -> (N, D)",
        "sign": "dx has the wrong sign: dx = dout Wᵀ (backward computes the gradient; the "
                "optimizer subtracts)",
    },
    "dW": {
        "transposed": "dW has shape ({m}, {d}), expected ({d}, {m}): did you transpose? "
                      "dW = xᵀ dout (D, N) @ (N, M) -> (D, M), not doutᵀ x",
        "transposed_square": "dW = doutᵀ x is the transpose of the right answer: dW = xᵀ dout "
                             "(D, N) @ (N, M) -> (D, M)",
        "mean": "dW is off by a factor ~1/N = 1/{n}: mean vs sum over the batch? dW = xᵀ dout "
                "sums over the batch; the 1/N of a mean loss is already in dout",
        "times_n": "dW is off by a factor ~N = {n}: mean vs sum over the batch?",
        "sign": "dW has the wrong sign: dW = xᵀ dout",
    },
    "db": {
        "mean": "db is off by a factor ~1/N = 1/{n}: mean vs sum over the batch? "
                "db = Σ_n dout[n] (a sum)",
        "axis1": "db has shape ({n},), expected ({m},): you summed over axis 1 (the "
                 "features); sum over axis 0, the batch",
        "keepdims": "db has shape (1, {m}), expected ({m},): drop keepdims=True",
        "total": "db is one number (you summed every entry): db = dout.sum(axis=0), one "
                 "entry per output unit",
        "sign": "db has the wrong sign: db = Σ_n dout[n]",
    },
}

SHAPE_HINTS = {"dx": "dx has x's shape (N, D): dx = dout Wᵀ",
               "dW": "dW has W's shape (D, M): dW = xᵀ dout",
               "db": "db has b's shape (M,): db = dout.sum(axis=0)"}


def _case(data, i):
    p = f"c{i}__"
    return p, tuple(data.get_array(p + k) for k in ("x", "W", "b", "dout"))


def _matmul_error_hint(exc):
    if isinstance(exc, ValueError) and ("matmul" in str(exc) or "align" in str(exc)
                                        or "broadcast" in str(exc)):
        return ("Check each product's shapes: x (N, D), W (D, M), b (M,), dout (N, M); "
                "(A @ B) needs A's last size = B's first. A transpose (.T) is probably missing")
    return None


def _dense_forward_check(data, fwd):
    for i in range(data.count("c")):
        p, (x, W, b, _) = _case(data, i)
        got = fwd(x.copy(), W.copy(), b.copy())
        hint = diagnose("out", got, data[p + "out"], data.variants(p + "out__", FORWARD_HINTS),
                        shape_hint="out = x W + b has shape (N, M)")
        if hint:
            return f"{hint} {cases_text(x=x, W=W)}"
    return None


def _dense_backward_part(data, bwd, which):
    """Compare one of dx, dW, db with the reference on every case."""
    for i in range(data.count("c")):
        p, (x, W, _, dout) = _case(data, i)
        out = bwd(dout.copy(), x.copy(), W.copy())
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            return ("dense_backward must return three arrays (dx, dW, db), got "
                    f"{type(out).__name__}" + (f" of length {len(out)}"
                                                if isinstance(out, (tuple, list)) else ""))
        got = dict(zip(("dx", "dW", "db"), out))[which]
        (n, d), m = x.shape, W.shape[1]
        variants = data.variants(f"{p}{which}__", HINTS[which], n=n, d=d, m=m)
        hint = diagnose(which, got, data[p + which], variants, n=n,
                        shape_hint=SHAPE_HINTS[which])
        if hint:
            return f"{hint} {cases_text(x=x, W=W, dout=dout)}"
    return None


def _dense_gradcheck(data, bwd):
    _, (x, W, b, dout) = _case(data, 0)
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


def judge_dense(data, dense_forward, dense_backward, stream=None):
    """ex03: ``dense_forward(x, W, b) -> out`` and ``dense_backward(dout, x, W) -> (dx, dW, db)``.

    Checks out = x W + b, dx = dout Wᵀ, dW = xᵀ dout, db = Σ_n dout[n] against the
    reference on four shapes (N, D, M) = (5, 3, 4), (3, 4, 4), (1, 3, 2), (6, 1, 3),
    and a central-difference gradient check of all three gradients.
    """
    c = Checker("ex03 Dense", {"dense_forward": dense_forward, "dense_backward": dense_backward},
                stream)
    c.check("dense_forward out = x W + b (4 shapes)", ["dense_forward"],
            lambda: _dense_forward_check(data, dense_forward), _matmul_error_hint)
    for which in ("dx", "dW", "db"):
        c.check(f"dense_backward {which} (4 shapes)", ["dense_backward"],
                lambda which=which: _dense_backward_part(data, dense_backward, which),
                _matmul_error_hint)
    c.check("gradient check: dx, dW, db vs central differences", ["dense_backward"],
            lambda: _dense_gradcheck(data, dense_backward), _matmul_error_hint)
    return c.finish()
