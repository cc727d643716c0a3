"""ex08's data: matrices, their products x @ W, and what the known loop mistakes give.

Repository only; a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import numpy as np

from .matmul import MATMUL_SHAPES as SHAPES


def _mistakes(x, W):
    """{name: what a wrong loop nest gives}: see matmul.HINTS."""
    want = x @ W
    (N, D), M = x.shape, W.shape[1]

    def zero(rows=None, cols=None):
        out = want.copy()
        if rows is not None:
            out[rows, :] = 0.0
        if cols is not None:
            out[:, cols] = 0.0
        return out

    v = {"ij_swapped" if N != M else "transposed": want.T}
    if D == M:
        v["W_jk"] = x @ W.T
    if N == D:
        v["x_ki"] = x.T @ W
    v.update({"last_row": zero(rows=N - 1), "first_row": zero(rows=0),
              "last_col": zero(cols=M - 1), "first_col": zero(cols=0),
              "last_k": x[:, :-1] @ W[:-1, :], "first_k": x[:, 1:] @ W[1:, :],
              "no_reset_row": np.cumsum(want, axis=1),
              "no_reset_all": np.cumsum(want.ravel()).reshape(want.shape),
              "times_D": want * D})
    return v


def make():
    """{name: array} for ex08 (keys: see ``matmul.judge_matmul``)."""
    out = {}
    rng = np.random.default_rng(81)
    for i, (N, D, M) in enumerate(SHAPES):
        x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
        out.update({f"py{i}__x": x, f"py{i}__W": W, f"py{i}__out": x @ W})
        out.update({f"py{i}__v__{k}": v for k, v in _mistakes(x, W).items()})
    rng = np.random.default_rng(82)
    for i, (N, D, M) in enumerate(SHAPES + [(64, 48, 32)]):
        x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
        out.update({f"nb{i}__x": x, f"nb{i}__W": W, f"nb{i}__out": x @ W})
    return out
