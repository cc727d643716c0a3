"""ex03's data: inputs, ``layers.Dense``'s answers, what the known mistakes give.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import numpy as np

from . import solutions


def _mistakes(x, W, b, dout, ref):
    """{"out": {...}, "dx": {...}, "dW": {...}, "db": {...}}: see dense.HINTS."""
    n = x.shape[0]
    square = W.shape[0] == W.shape[1]
    out = {"no_bias": x @ W, "minus_b": x @ W - b}
    dx = {"mean": dout @ W.T / n, "times_n": dout @ W.T * n, "sign": -ref["dx"]}
    dW = {"transposed_square" if square else "transposed": dout.T @ x,
          "mean": x.T @ dout / n, "times_n": x.T @ dout * n, "sign": -ref["dW"]}
    if square:
        out["transposed"] = x @ W.T + b
        dx["no_transpose"] = dout @ W
    db = {"mean": dout.mean(axis=0), "axis1": dout.sum(axis=1),
          "keepdims": dout.sum(axis=0, keepdims=True), "total": dout.sum(), "sign": -ref["db"]}
    return {"out": out, "dx": dx, "dW": dW, "db": db}


def make():
    """{name: array} for ex03 (keys: see ``dense.judge_dense``)."""
    rng = np.random.default_rng(31)
    out = {}
    for i, (n, d, m) in enumerate([(5, 3, 4), (3, 4, 4), (1, 3, 2), (6, 1, 3)]):
        x, W = rng.normal(size=(n, d)), rng.normal(size=(d, m))
        b, dout = rng.normal(size=m), rng.normal(size=(n, m))
        p = f"c{i}__"
        ref = dict(zip(("dx", "dW", "db"), solutions.dense_backward(dout, x, W)))
        out.update({p + "x": x, p + "W": W, p + "b": b, p + "dout": dout,
                    p + "out": solutions.dense_forward(x, W, b)})
        out.update({p + k: v for k, v in ref.items()})
        for part, mistakes in _mistakes(x, W, b, dout, ref).items():
            out.update({f"{p}{part}__{k}": v for k, v in mistakes.items()})
    return out
