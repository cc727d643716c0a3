"""Students' answers to ex09 (Conv2D's backward), right and wrong, written as students write them.

``loop_student(kind)`` is the seven-loop answer the skeleton suggests, with one
mistake planted by ``kind``; ``textbook_student(...)`` writes dx as the textbook's
"full convolution of the dilated, padded dout with the kernel rotated by 180°" and
dW with a sliding window, each step of which can be left out.  ``WRONG`` and
``RIGHT`` feed tests/test_exercises.py's tables (each wrong answer with the hint it
must get); tests/test_exercise_conv.py checks more about them.
"""

import numpy as np

#: kinds of loop_student, and the mistake each plants
KINDS = {
    "flip_dx": "dx scattered with the kernel rotated by 180°",
    "flip_dW": "dW gathered with the window rotated by 180°",
    "stride_dx": "the stride ignored in dx's index",
    "stride_dW": "the stride ignored in dW's index",
    "uncropped": "dx_pad returned, not cropped",
    "crop_minus_p": "cropped with p:-p (empty when p = 0)",
    "crop_end": "cropped at one end, [:H, :Wd]",
    "dW_oc": "dW accumulated as dW[c, o, u, v]",
    "dW_per_image": "dW started afresh for every image",
    "dW_mean": "dW averaged over the batch",
    "db_axis0": "db summed over the batch only",
    "db_axes23": "db summed over the pixels only",
    "db_axis1": "db summed over the channels, the dense layer's habit",
    "x_not_padded": "dW read from x instead of x_pad",
}


def loop_student(kind=None):
    def conv2d_backward(dout, x, W, stride, padding):
        N, C, H, Wd = x.shape
        O, _, k, _ = W.shape
        _, _, H_out, W_out = dout.shape
        s, p = stride, padding
        s_dx = 1 if kind == "stride_dx" else s          # the stride in dx's index
        s_dW = 1 if kind == "stride_dW" else s          # ... and in dW's
        x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        seen = x if kind == "x_not_padded" else x_pad
        dx_pad = np.zeros_like(x_pad)
        dW = np.zeros((C, O, k, k) if kind == "dW_oc" else (O, C, k, k))
        db = np.zeros(O)
        for n in range(N):
            if kind == "dW_per_image":
                dW = np.zeros((O, C, k, k))             # starts afresh for every image
            for o in range(O):
                for i in range(H_out):
                    for j in range(W_out):
                        g = dout[n, o, i, j]
                        db[o] += g
                        for c in range(C):
                            for u in range(k):
                                for v in range(k):
                                    w = W[o, c, k - 1 - u, k - 1 - v] if kind == "flip_dx" \
                                        else W[o, c, u, v]
                                    dx_pad[n, c, i * s_dx + u, j * s_dx + v] += w * g
                                    if kind == "flip_dW":
                                        xv = x_pad[n, c, i * s + k - 1 - u, j * s + k - 1 - v]
                                    else:
                                        xv = seen[n, c, i * s_dW + u, j * s_dW + v]
                                    if kind == "dW_oc":
                                        dW[c, o, u, v] += g * xv
                                    else:
                                        dW[o, c, u, v] += g * xv
        dx = {"uncropped": dx_pad, "crop_minus_p": dx_pad[:, :, p:-p, p:-p],
              "crop_end": dx_pad[:, :, :H, :Wd]}.get(kind, dx_pad[:, :, p:p + H, p:p + Wd])
        if kind == "dW_mean":
            dW = dW / N
        db = {"db_axis0": lambda: dout.sum(axis=0), "db_axes23": lambda: dout.sum(axis=(2, 3)),
              "db_axis1": lambda: dout.sum(axis=1)}.get(kind, lambda: db)()
        return dx, dW, db
    return {"conv2d_backward": conv2d_backward}


def full_convolution_dx(dout, W, H, Wd, s, p, flip=True, dilate=True, remainder=True):
    """dx = correlate(dout dilated by s and padded by k − 1 − p, rot180(W)): the textbook's
    form.  The bottom and right get the remainder (H + 2p − k) mod s more padding."""
    N, O, Ho, Wo = dout.shape
    C, k = W.shape[1], W.shape[2]
    if dilate:                                       # s − 1 zeros between dout's pixels
        d = np.zeros((N, O, (Ho - 1) * s + 1, (Wo - 1) * s + 1))
        d[:, :, ::s, ::s] = dout
    else:
        d = dout
    q = k - 1 - p
    rh, rw = ((H + 2 * p - k) % s, (Wd + 2 * p - k) % s) if dilate and remainder else (0, 0)
    d_pad = np.pad(d, ((0, 0), (0, 0), (q, q + rh), (q, q + rw)))
    Wr = W[:, :, ::-1, ::-1] if flip else W
    oh, ow = d_pad.shape[2] - k + 1, d_pad.shape[3] - k + 1
    dx = np.zeros((N, C, oh, ow))
    for u in range(k):
        for v in range(k):
            dx += np.einsum("nohw,oc->nchw", d_pad[:, :, u:u + oh, v:v + ow], Wr[:, :, u, v])
    return dx


def textbook_student(flip=True, dilate=True, remainder=True):
    def conv2d_backward(dout, x, W, stride, padding):
        k, s, p = W.shape[2], stride, padding
        x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        Ho, Wo = dout.shape[2:]
        windows = np.lib.stride_tricks.sliding_window_view(x_pad, (k, k), axis=(2, 3))
        windows = windows[:, :, ::s, ::s][:, :, :Ho, :Wo]          # (N, C, Ho, Wo, k, k)
        dW = np.tensordot(dout, windows, axes=([0, 2, 3], [0, 2, 3]))   # (O, C, k, k)
        dx = full_convolution_dx(dout, W, x.shape[2], x.shape[3], s, p, flip, dilate,
                                 remainder)
        return dx, dW, np.einsum("nohw->o", dout)
    return {"conv2d_backward": conv2d_backward}


def _name(fns):
    return ("conv_backward", fns)


WRONG = [
    # the kernel flipped, in the scatter or by leaving the flip out of the full convolution
    (*_name(loop_student("flip_dx")), "dx is what the kernel rotated by 180°"),
    (*_name(textbook_student(flip=False)), "dx is what the kernel rotated by 180°"),
    (*_name(loop_student("flip_dW")), "dW is the right answer rotated by 180°"),
    # the padding of the gradient: not cropped, cropped wrong, the remainder of a stride
    (*_name(loop_student("uncropped")), "dx has the padded shape (N, C, H + 2p, Wd + 2p)"),
    (*_name(loop_student("crop_minus_p")), "dx_pad[:, :, p:-p] is dx_pad[:, :, 0:0]"),
    (*_name(loop_student("crop_end")), "dx is dx_pad cropped at one end only"),
    (*_name(textbook_student(remainder=False)), "dx lacks its last row(s) or column(s)"),
    # the stride ignored
    (*_name(loop_student("stride_dx")), "dx ignores the stride (s = 2)"),
    (*_name(textbook_student(dilate=False)), "the stride (s = 2) is ignored"),
    (*_name(loop_student("stride_dW")), "dW ignores the stride (s = 2)"),
    # sums over the wrong axes
    (*_name(loop_student("db_axis0")), "you summed over the batch only"),
    (*_name(loop_student("db_axes23")), "you summed over the pixels but not over the batch"),
    (*_name(loop_student("db_axis1")), "you summed over axis 1, the channels"),
    (*_name(loop_student("dW_per_image")), "dW holds the last image's gradient only"),
    (*_name(loop_student("dW_mean")), "dW is off by a factor 1/N = 1/2: you averaged"),
    # dW's layout
    (*_name(loop_student("dW_oc")), "dW has its first two axes swapped"),
    # an exception: x where x_pad belongs
    (*_name(loop_student("x_not_padded")), "index x_pad and dx_pad, not x"),
]

RIGHT = [
    ("conv_backward", loop_student()),
    ("conv_backward", textbook_student()),
]
