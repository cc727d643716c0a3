"""ex09's data: inputs, ``layers.Conv2D``'s gradients, what the known mistakes give.

Repository only (it computes the answers); a hand-out holds its output as ``.npz``.
The reference is the library's Conv2D (``numpygan/kernels/conv.py`` on the NumPy
backend); the mistakes are built here from two small helpers, the scatter of dx and
the gather of dW, each called with a wrong stride, a flipped kernel, and so on.
"""

from __future__ import annotations

import numpy as np

from . import solutions

#: (N, C, O, H, Wd, k, stride, padding): x (N, C, H, Wd), W (O, C, k, k)
CASES = [
    (2, 3, 4, 5, 5, 3, 1, 1),   # padding 1, C ≠ O
    (3, 2, 2, 7, 6, 3, 2, 0),   # stride 2, odd and unequal sides, no padding, C = O
    (1, 1, 3, 5, 5, 3, 2, 1),   # batch 1, one channel, stride 2, padding 1
    (2, 3, 2, 4, 5, 1, 1, 0),   # a 1×1 kernel
    (2, 2, 3, 7, 7, 2, 2, 1),   # a stride that does not divide: x_pad's last row unused
    (1, 2, 1, 6, 5, 4, 2, 1),   # DCGAN's k = 4, s = 2, p = 1; one output channel
]


def scatter(dout, W, height, width, step):
    """dx_pad (N, C, height, width): dx_pad[n, c, i·step + u, j·step + v] += W[o, c, u, v] ·
    dout[n, o, i, j].  With step = stride and height = H + 2p it is the right dx_pad."""
    N, _, Ho, Wo = dout.shape
    C, k = W.shape[1], W.shape[2]
    dx_pad = np.zeros((N, C, height, width))
    for u in range(k):
        for v in range(k):
            rows = slice(u, u + step * (Ho - 1) + 1, step)
            cols = slice(v, v + step * (Wo - 1) + 1, step)
            dx_pad[:, :, rows, cols] += np.einsum("nohw,oc->nchw", dout, W[:, :, u, v])
    return dx_pad


def gather(x_pad, dout, k, step):
    """(N, O, C, k, k): per image n, Σ_i Σ_j dout[n, o, i, j] · x_pad[n, c, i·step + u,
    j·step + v].  Summed over n, with step = stride, it is the right dW."""
    N, O, Ho, Wo = dout.shape
    per_image = np.zeros((N, O, x_pad.shape[1], k, k))
    for u in range(k):
        for v in range(k):
            patch = x_pad[:, :, u:u + step * (Ho - 1) + 1:step, v:v + step * (Wo - 1) + 1:step]
            per_image[:, :, :, u, v] = np.einsum("nohw,nchw->noc", dout, patch)
    return per_image


def _dx_mistakes(dout, W, H, Wd, s, p, ref):
    N, C, O = dout.shape[0], W.shape[1], W.shape[0]
    Ho, Wo, k = dout.shape[2], dout.shape[3], W.shape[2]
    crop = lambda a: a[:, :, p:p + H, p:p + Wd]
    dx_pad = scatter(dout, W, H + 2 * p, Wd + 2 * p, s)
    out = {"flipped": crop(scatter(dout, W[:, :, ::-1, ::-1], H + 2 * p, Wd + 2 * p, s)),
           "uncropped": dx_pad,
           "stride_ignored": crop(scatter(dout, W, H + 2 * p, Wd + 2 * p, 1)),
           "mean": ref / N}
    rh, rw = (H + 2 * p - k) % s, (Wd + 2 * p - k) % s
    if rh or rw:
        # the "full convolution" form padded symmetrically falls short of x by the
        # remainder when the stride does not divide (PyTorch's output_padding)
        out["remainder_cut"] = ref[:, :, :H - rh, :Wd - rw]
        zeroed = ref.copy()
        zeroed[:, :, H - rh:, :] = 0.0
        zeroed[:, :, :, Wd - rw:] = 0.0
        out["remainder_zero"] = zeroed
    if p > 0:
        out["crop_wrong_end"] = dx_pad[:, :, :H, :Wd]
        out["crop_short"] = dx_pad[:, :, p:H, p:Wd]
    else:
        out["crop_empty"] = dx_pad[:, :, p:-p, p:-p]          # p:-p is 0:0 when p = 0
    if s > 1 and Ho + k - 1 - 2 * p >= 1 and Wo + k - 1 - 2 * p >= 1:
        # the "full convolution" form without dilating dout: a stride-1 scatter into an
        # (Ho + k − 1)-sized buffer, cropped by p
        small = scatter(dout, W, Ho + k - 1, Wo + k - 1, 1)
        out["stride_ignored_full"] = small[:, :, p:Ho + k - 1 - p, p:Wo + k - 1 - p]
    if C == O:
        out["W_oc_swapped"] = crop(scatter(dout, W.transpose(1, 0, 2, 3), H + 2 * p,
                                           Wd + 2 * p, s))
    return out


def _dW_mistakes(x, dout, k, s, p, ref):
    N = x.shape[0]
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    per_image = gather(x_pad, dout, k, s)
    return {"flipped": ref[:, :, ::-1, ::-1],
            "transposed": ref.transpose(1, 0, 2, 3),
            "stride_ignored": gather(x_pad, dout, k, 1).sum(axis=0),
            "mean": ref / N,
            "last_image": per_image[-1],
            "per_image": per_image}


def _db_mistakes(dout):
    N = dout.shape[0]
    return {"axis0": dout.sum(axis=0), "axes23": dout.sum(axis=(2, 3)),
            "axis1": dout.sum(axis=1), "axes123": dout.sum(axis=(1, 2, 3)),
            "keepdims": dout.sum(axis=(0, 2, 3), keepdims=True), "total": dout.sum(),
            "mean": dout.mean(axis=(0, 2, 3)), "batch_mean": dout.sum(axis=(0, 2, 3)) / N}


def make():
    """{name: array} for ex09 (keys: see ``conv_backward.judge_conv_backward``)."""
    rng = np.random.default_rng(2015)
    out = {}
    for i, (n, c, o, h, wd, k, s, p) in enumerate(CASES):
        ho, wo = (h + 2 * p - k) // s + 1, (wd + 2 * p - k) // s + 1
        x, W = rng.normal(size=(n, c, h, wd)), rng.normal(size=(o, c, k, k))
        b, dout = rng.normal(size=o), rng.normal(size=(n, o, ho, wo))
        ref = dict(zip(("dx", "dW", "db"), solutions.conv2d_backward(dout, x, W, s, p)))
        pre = f"c{i}__"
        out.update({pre + "x": x, pre + "W": W, pre + "b": b, pre + "dout": dout,
                    pre + "stride": np.int64(s), pre + "padding": np.int64(p)})
        out.update({pre + key: value for key, value in ref.items()})
        mistakes = {"dx": _dx_mistakes(dout, W, h, wd, s, p, ref["dx"]),
                    "dW": _dW_mistakes(x, dout, k, s, p, ref["dW"]),
                    "db": _db_mistakes(dout)}
        for part, values in mistakes.items():
            out.update({f"{pre}{part}__{key}": v for key, v in values.items()})
    return out
