"""ex03: the Dense layer, forward and backward.

``check_dense(dense_forward, dense_backward)`` checks out = x W + b, dx = dout Wᵀ,
dW = xᵀ dout and db = Σ_n dout[n] against ``layers.Dense`` on four shapes, and a
central-difference gradient check of all three gradients.
``_ref_dense_forward`` / ``_ref_dense_backward`` are the references for ``--solution``.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from ..layers import Dense
from .engine import Checker, Ok, _cases_text, _numpy_backend, diagnose


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
