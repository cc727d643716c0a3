"""ex02's data: inputs, ``layers.LeakyReLU``'s answers, what the known mistakes give.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
"""

from __future__ import annotations

import numpy as np

from . import solutions


def make():
    """{name: array} for ex02 (keys: see ``leaky_relu.judge_leaky_relu``)."""
    rng = np.random.default_rng(21)
    out = {}
    for i, (shape, alpha) in enumerate([((4, 5), 0.2), ((1, 3), 0.01), ((6, 1), 0.3)]):
        x = rng.normal(0, 1, size=shape)
        x[np.abs(x) < 1e-3] = 0.5                      # keep away from the kink at 0
        x.flat[0], x.flat[-1] = abs(x.flat[0]) + 0.1, -abs(x.flat[-1]) - 0.1
        dout = rng.normal(0, 1, size=shape)
        pos = x > 0
        p = f"c{i}__"
        out.update({p + "x": x, p + "dout": dout, p + "alpha": alpha,
                    p + "out": solutions.leaky_relu_forward(x, alpha),
                    p + "dx": solutions.leaky_relu_backward(x, dout, alpha)})
        forward = {"relu": np.maximum(x, 0), "wrong_side": np.where(pos, alpha * x, x),
                   "all_scaled": alpha * x, "alpha_const": np.where(pos, x, alpha),
                   "minus_alpha": np.where(pos, x, -alpha * x)}
        backward = {"local_only": np.where(pos, 1.0, alpha), "relu": dout * pos,
                    "wrong_side": np.where(pos, alpha * dout, dout),
                    "all_scaled": alpha * dout, "forward_out": np.where(pos, dout, alpha * x),
                    "times_x": np.where(pos, dout, alpha * x * dout),
                    "forward": np.where(pos, x, alpha * x)}
        out.update({f"{p}out__{k}": v for k, v in forward.items()})
        out.update({f"{p}dx__{k}": v for k, v in backward.items()})
    return out
