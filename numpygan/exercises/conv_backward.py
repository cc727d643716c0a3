"""ex09: Conv2D's backward pass (the checks; no solution here).

``judge_conv_backward(data, conv2d_backward)`` checks dx, dW and db of a convolution
(NCHW, PyTorch's conv2d: a cross-correlation) against the reference values in ``data``
(``conv_backward_data.py``: ``layers.Conv2D``) on six cases (batch 1, one channel, a
1×1 kernel, stride 2, padding 1, odd sizes, a stride that does not divide), then a
central-difference gradient check of all three on two of them.  A wrong answer is
compared with what the usual mistakes give: a flipped kernel, the padding not (or
wrongly) cropped, the stride ignored, sums over the wrong axes, dW's (o, c) swapped.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, rel_error
from .engine import Checker, Ok, diagnose

SCATTER = "dx_pad[n, c, i·s + u, j·s + v] += W[o, c, u, v] · dout[n, o, i, j]"
GATHER = "dW[o, c, u, v] = Σ_n Σ_i Σ_j dout[n, o, i, j] · x_pad[n, c, i·s + u, j·s + v]"

HINTS = {
    "dx": {
        "flipped": "dx is what the kernel rotated by 180° (W[:, :, ::-1, ::-1]) gives: the "
                   "forward is a cross-correlation, nothing is flipped, so the scatter " + SCATTER
                   + " uses W as is. (Written as a 'full convolution', dx = correlate(dout "
                   "padded by k − 1, rot180(W)): there the flip belongs, and leaving it out "
                   "gives this same mistake)",
        "remainder_cut": "dx lacks its last row(s) or column(s): it is {short_rem}, expected "
                         "{want} (dx always has x's shape). When the stride does not divide "
                         "H + 2p − k (remainder {rem} here), a 'full convolution' of dout "
                         "padded by k − 1 − p on both sides falls short of x by that "
                         "remainder: pad the bottom and right by k − 1 − p + remainder, or "
                         "use the scatter " + SCATTER,
        "remainder_zero": "dx's last row(s) or column(s) are zero where they should not be: "
                          "when the stride does not divide H + 2p − k (remainder {rem} "
                          "here), the window of the last output pixel still reaches them. "
                          "In a 'full convolution' of dout, pad the bottom and right by "
                          "k − 1 − p + remainder; or use the scatter " + SCATTER,
        "uncropped": "dx has the padded shape (N, C, H + 2p, Wd + 2p) = {padded}: that is "
                     "dx_pad. The padding's zeros are not inputs: crop p from every side, "
                     "dx = dx_pad[:, :, p:p + H, p:p + Wd] (shape (N, C, H, Wd))",
        "crop_wrong_end": "dx is dx_pad cropped at one end only ([:H, :Wd] keeps the top and "
                          "left padding and cuts real pixels at the bottom and right): crop p "
                          "from each side, dx_pad[:, :, p:p + H, p:p + Wd]",
        "crop_short": "dx is {short} high instead of H = {h}: dx_pad[:, :, p:H] crops the "
                      "bottom by 2p. The pixels of x sit at rows p … p + H − 1 of dx_pad: "
                      "dx_pad[:, :, p:p + H, p:p + Wd]",
        "crop_empty": "dx is empty, shape {empty}: with padding p = 0, dx_pad[:, :, p:-p] is "
                      "dx_pad[:, :, 0:0], nothing (-0 is 0). Crop with p:p + H and p:p + Wd, "
                      "which works for every p",
        "stride_ignored": "dx ignores the stride (s = {s}): output pixel (i, j) was computed "
                          "from input rows i·s … i·s + k − 1, so its gradient goes back to "
                          "x_pad[n, c, i·s + u, j·s + v], not [i + u, j + v]: " + SCATTER,
        "stride_ignored_full": "dx has shape {got_full} instead of {want}: the stride "
                               "(s = {s}) is ignored. In the 'full convolution' form, put "
                               "s − 1 zeros between dout's pixels (dilate) before padding by "
                               "k − 1 − p; or use the scatter " + SCATTER,
        "mean": "dx is off by a factor 1/N = 1/{n}: no mean over the batch; the loss's 1/N "
                "is already inside dout",
        "W_oc_swapped": "dx uses W[c, o, u, v] where W[o, c, u, v] belongs: W is "
                        "(O, C, k, k), output channel first. " + SCATTER,
    },
    "dW": {
        "flipped": "dW is the right answer rotated by 180° (dW[:, :, ::-1, ::-1]): tap (u, v) "
                   "met the pixel at offset (+u, +v) of the window, " + GATHER + ". A 'true' "
                   "convolution of x with dout (np.convolve, scipy's convolve2d) flips; the "
                   "forward here is a cross-correlation and flips nothing",
        "transposed": "dW has its first two axes swapped (dW[c, o, u, v]): dW has W's shape "
                      "(O, C, k, k) = {wshape}, output channel o first, input channel c "
                      "second",
        "stride_ignored": "dW ignores the stride (s = {s}): tap (u, v) of output pixel (i, j) "
                          "met x_pad[n, c, i·s + u, j·s + v], not x_pad[n, c, i + u, j + v]: "
                          + GATHER,
        "mean": "dW is off by a factor 1/N = 1/{n}: you averaged over the batch. dW sums over "
                "n (and i, j): the loss's 1/N is already inside dout",
        "last_image": "dW holds the last image's gradient only: it must sum over the batch n "
                      "as well. Did you write dW[...] = where += belongs, or start dW afresh "
                      "inside the loop over n? " + GATHER,
        "per_image": "dW has shape (N, O, C, k, k) = {per_image}: one gradient per image. Sum "
                     "them over the batch: dW has W's shape (O, C, k, k) = {wshape}",
    },
    "db": {
        "axis0": "db has shape (O, H_out, W_out) = {axis0}: you summed over the batch only. "
                 "db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]: sum over the batch and both image "
                 "axes (axes 0, 2 and 3), keep the channel axis 1",
        "axes23": "db has shape (N, O) = {axes23}: you summed over the pixels but not over the "
                  "batch. db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]: axes 0, 2 and 3",
        "axis1": "db has shape (N, H_out, W_out) = {axis1}: you summed over axis 1, the "
                 "channels, the one axis to keep (in NCHW the channel is axis 1; a dense "
                 "layer's db sums axis 0). db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]",
        "axes123": "db has shape (N,) = {axes123}: you summed over the channels and kept the "
                   "batch. db has one entry per output channel o, summed over n, i, j (axes "
                   "0, 2 and 3)",
        "keepdims": "db has shape (1, O, 1, 1): drop keepdims=True; b is (O,)",
        "total": "db is one number (every entry of dout summed): db has one entry per output "
                 "channel, db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]",
        "mean": "db is a mean over n, i and j: db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j] is a "
                "sum (each output pixel adds b[o] once)",
        "batch_mean": "db is off by a factor 1/N = 1/{n}: you averaged over the batch. db "
                      "sums over n, i and j: the loss's 1/N is already inside dout",
    },
}

SHAPE_HINTS = {
    "dx": "dx has x's shape (N, C, H, Wd): scatter into dx_pad (N, C, H + 2p, Wd + 2p), "
          "then crop p from every side",
    "dW": "dW has W's shape (O, C, k, k): " + GATHER,
    "db": "db has b's shape (O,): db[o] = Σ_n Σ_i Σ_j dout[n, o, i, j]",
}

N_CASES_TEXT = "6 cases"


def _case(data, i):
    p = f"c{i}__"
    arrays = tuple(data.get_array(p + k) for k in ("x", "W", "b", "dout"))
    return p, arrays, int(data[p + "stride"]), int(data[p + "padding"])


def _case_text(x, W, s, p):
    return f"[case: x {x.shape}, W {W.shape}, stride {s}, padding {p}]"


def _index_error_hint(exc):
    if isinstance(exc, IndexError):
        return ("With padding, index x_pad and dx_pad, not x: x_pad[n, c, i·s + u, j·s + v] "
                "reaches row (H_out − 1)·s + k − 1 ≤ H + 2p − 1. Loop i over "
                "range(H_out), H_out = dout.shape[2]; j over range(W_out), W_out = "
                "dout.shape[3]; u and v over range(k)")
    if isinstance(exc, ValueError) and ("broadcast" in str(exc) or "operands" in str(exc)):
        return ("Check each array's shape: x (N, C, H, Wd), W (O, C, k, k), dout "
                "(N, O, H_out, W_out); a window x_pad[n, :, i·s:i·s + k, j·s:j·s + k] is "
                "(C, k, k)")
    return None


def _unpack(out):
    if not (isinstance(out, (tuple, list)) and len(out) == 3):
        return None, ("conv2d_backward must return three arrays (dx, dW, db), got "
                      f"{type(out).__name__}" + (f" of length {len(out)}"
                                                  if isinstance(out, (tuple, list)) else ""))
    return dict(zip(("dx", "dW", "db"), out)), None


def _shapes(x, W, dout, s, p):
    """The shapes the hints quote, for one case."""
    (N, C, H, Wd), (O, _, k, _), (Ho, Wo) = x.shape, W.shape, dout.shape[2:]
    rem = ((H + 2 * p - k) % s, (Wd + 2 * p - k) % s)
    return dict(rem=rem, short_rem=(N, C, H - rem[0], Wd - rem[1]), n=N, h=H, s=s,
                padded=(N, C, H + 2 * p, Wd + 2 * p), short=H - p, empty=(N, C, 0, 0), want=x.shape, wshape=W.shape,
                got_full=(N, C, Ho + k - 1 - 2 * p, Wo + k - 1 - 2 * p),
                per_image=(N, O, C, k, k), axis0=(O, Ho, Wo), axes23=(N, O),
                axis1=(N, Ho, Wo), axes123=(N,))


def _part(data, bwd, which):
    """Compare one of dx, dW, db with the reference on every case."""
    for i in range(data.count("c")):
        p, (x, W, _, dout), s, pad = _case(data, i)
        got, problem = _unpack(bwd(dout.copy(), x.copy(), W.copy(), s, pad))
        if problem:
            return problem
        variants = data.variants(f"{p}{which}__", HINTS[which], **_shapes(x, W, dout, s, pad))
        hint = diagnose(which, got[which], data[p + which], variants, n=x.shape[0],
                        shape_hint=SHAPE_HINTS[which])
        if hint:
            return f"{hint} {_case_text(x, W, s, pad)}"
    return None


def conv_forward(x, W, b, s, p):
    """out[n, o, i, j] = b[o] + Σ_c,u,v W[o, c, u, v] x_pad[n, c, i·s + u, j·s + v], one
    kernel tap (u, v) at a time: the function the gradient check differentiates."""
    k = W.shape[2]
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    Ho, Wo = (x_pad.shape[2] - k) // s + 1, (x_pad.shape[3] - k) // s + 1
    out = np.zeros((x.shape[0], W.shape[0], Ho, Wo)) + b[None, :, None, None]
    for u in range(k):
        for v in range(k):
            seen = x_pad[:, :, u::s, v::s][:, :, :Ho, :Wo]          # (N, C, Ho, Wo)
            out += np.einsum("oc,nchw->nohw", W[:, :, u, v], seen)
    return out


def _gradcheck(data, bwd, cases):
    worst = 0.0
    for i in cases:
        _, (x, W, b, dout), s, p = _case(data, i)
        got, problem = _unpack(bwd(dout.copy(), x.copy(), W.copy(), s, p))
        if problem:
            return problem
        xp, Wp, bp = x.copy(), W.copy(), b.copy()
        L = lambda: float(np.sum(conv_forward(xp, Wp, bp, s, p) * dout))  # L = Σ out · dout
        for name, param in (("dx", xp), ("dW", Wp), ("db", bp)):
            g = np.asarray(got[name], dtype=np.float64)
            if g.shape != param.shape:
                return (f"{name} has shape {g.shape}, expected {param.shape} (the checks "
                        "above say more)")
            # L is linear in each of x, W, b: the difference is exact up to round-off,
            # which a larger step h shrinks
            err = rel_error(g, numerical_gradient(L, param, h=1e-3))
            worst = max(worst, err)
            if err > 1e-7:
                return (f"{name} disagrees with the numerical gradient dL/d{name[1:]} of "
                        f"L = Σ conv2d_forward(x, W, b)·dout: rel_error {err:.2e} (want "
                        f"< 1e-7) {_case_text(x, W, s, p)}")
    return Ok(f"worst rel_error {worst:.1e}")


def judge_conv_backward(data, conv2d_backward, stream=None):
    """ex09: ``conv2d_backward(dout, x, W, stride, padding) -> (dx, dW, db)``.

    Checks dx, dW and db against the reference on six cases (N, C, O, H, Wd, k, s, p)
    = (2, 3, 4, 5, 5, 3, 1, 1), (3, 2, 2, 7, 6, 3, 2, 0), (1, 1, 3, 5, 5, 3, 2, 1),
    (2, 3, 2, 4, 5, 1, 1, 0), (2, 2, 3, 7, 7, 2, 2, 1), (1, 2, 1, 6, 5, 4, 2, 1), and
    a central-difference gradient check of all three on the third and fifth.
    """
    c = Checker("ex09 Conv2D backward", {"conv2d_backward": conv2d_backward}, stream)
    for which in ("dx", "dW", "db"):
        c.check(f"conv2d_backward {which} ({N_CASES_TEXT})", ["conv2d_backward"],
                lambda which=which: _part(data, conv2d_backward, which), _index_error_hint)
    c.check("gradient check: dx, dW, db vs central differences (stride 2, padding 1)",
            ["conv2d_backward"], lambda: _gradcheck(data, conv2d_backward, (2, 4)),
            _index_error_hint)
    return c.finish()
