"""ex09, Conv2D's backward: what tests/test_exercises.py's tables do not say.

- each planted mistake's hint is the *first* FAIL, on the gradient it concerns, and no
  other gradient fails for it (the hint points at the right line of the student's code);
- every hint the checker holds can fire: its mistake is stored for some case and
  differs there from the right answer;
- the mistakes are built right: the data module's scatter and gather, given the right
  stride, reproduce the library's Conv2D (so a "stride ignored" variant differs from the
  reference by the stride alone), the gradient check's forward is the library's, and
  the cases cover batch 1, one channel, a 1×1
  kernel, stride 2, padding 1, odd sizes and a stride that does not divide.
"""

import os
import sys

import numpy as np
import pytest

from numpygan import exercises
from numpygan.exercises import conv_backward, conv_backward_data

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_students  # noqa: E402

#: loop_student's kind -> (the gradient whose check must fail first, alone, a hint's words)
FIRST_FAIL = {
    "flip_dx": ("dx", "rotated by 180°"),
    "flip_dW": ("dW", "rotated by 180°"),
    "stride_dx": ("dx", "ignores the stride"),
    "stride_dW": ("dW", "ignores the stride"),
    "uncropped": ("dx", "padded shape"),
    "crop_minus_p": ("dx", "p:-p"),
    "crop_end": ("dx", "cropped at one end"),
    "dW_oc": ("dW", "first two axes swapped"),
    "dW_per_image": ("dW", "last image's gradient only"),
    "dW_mean": ("dW", "averaged over the batch"),
    "db_axis0": ("db", "summed over the batch only"),
    "db_axes23": ("db", "not over the batch"),
    "db_axis1": ("db", "the channels"),
}


@pytest.mark.parametrize("kind", sorted(FIRST_FAIL))
def test_each_mistake_fails_its_own_gradient_first_with_its_hint(kind, capsys):
    which, words = FIRST_FAIL[kind]
    assert exercises.check_conv_backward(**conv_students.loop_student(kind)) is False
    out = capsys.readouterr().out
    fails = [l for l in out.splitlines() if l.startswith("FAIL ")]
    assert fails[0].startswith(f"FAIL conv2d_backward {which} (6 cases): "), out
    assert words in fails[0], out
    others = [w for w in ("dx", "dW", "db") if w != which]
    assert all(f"PASS conv2d_backward {w} " in out for w in others), out
    assert "[case: x (" in fails[0] and "stride" in fails[0]       # the case is named


def test_every_planted_kind_is_in_a_test():
    planted = set(FIRST_FAIL) | {"x_not_padded"}
    assert planted == set(conv_students.KINDS)


def test_an_index_error_becomes_a_fail_line_with_the_padding_hint(capsys):
    fns = conv_students.loop_student("x_not_padded")
    assert exercises.check_conv_backward(**fns) is False
    out = capsys.readouterr().out
    assert "conv2d_backward raised IndexError" in out
    assert "xv = seen[n, c, i * s_dW + u, j * s_dW + v]" in out     # the student's line
    assert "index x_pad and dx_pad, not x" in out
    assert "Traceback" not in out


def test_a_wrong_return_is_named(capsys):
    assert exercises.check_conv_backward(lambda dout, x, W, s, p: (x, W)) is False
    assert "must return three arrays (dx, dW, db), got tuple of length 2" in \
        capsys.readouterr().out


def test_every_hint_can_fire():
    data = exercises.data("conv_backward")
    n_cases = data.count("c")
    for which, hints in conv_backward.HINTS.items():
        for key in hints:
            live = []
            for i in range(n_cases):
                k = f"c{i}__{which}__{key}"
                if k in data:
                    v, ref = data[k], data[f"c{i}__{which}"]
                    live.append(v.shape != ref.shape or not np.allclose(v, ref))
            assert any(live), (which, key)


def test_the_mistakes_scatter_and_gather_are_the_library_given_the_right_stride():
    data = exercises.data("conv_backward")
    for i, (n, c, o, h, wd, k, s, p) in enumerate(conv_backward_data.CASES):
        x, W, dout = data[f"c{i}__x"], data[f"c{i}__W"], data[f"c{i}__dout"]
        dx_pad = conv_backward_data.scatter(dout, W, h + 2 * p, wd + 2 * p, s)
        np.testing.assert_allclose(dx_pad[:, :, p:p + h, p:p + wd], data[f"c{i}__dx"],
                                   rtol=1e-12, atol=1e-12)
        x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        np.testing.assert_allclose(conv_backward_data.gather(x_pad, dout, k, s).sum(axis=0),
                                   data[f"c{i}__dW"], rtol=1e-12, atol=1e-12)
        b = data[f"c{i}__b"]                  # the gradient check's forward is the library's
        np.testing.assert_allclose(conv_backward.conv_forward(x, W, b, s, p),
                                   _library_forward(x, W, b, s, p), rtol=1e-12, atol=1e-12)


def _library_forward(x, W, b, s, p):
    from numpygan import kernels
    with kernels.backend("numpy"):
        return kernels.conv2d_forward(x, W, b, s, p)


def test_the_cases_cover_the_edges():
    cases = conv_backward_data.CASES
    assert any(n == 1 for n, *_ in cases)                                  # batch 1
    assert any(c == 1 for _, c, *_ in cases)                               # one channel
    assert any(k == 1 for *_, k, _, _ in cases)                            # 1×1 kernel
    assert any(s == 2 and p == 1 for *_, s, p in cases)                    # stride 2, pad 1
    assert any(h % 2 == 1 and wd % 2 == 1 for _, _, _, h, wd, *_ in cases)  # odd sizes
    assert any(h != wd for _, _, _, h, wd, *_ in cases)                    # not square
    assert any((h + 2 * p - k) % s for _, _, _, h, _, k, s, p in cases)    # stride leaves rows
    assert any(c == o for _, c, o, *_ in cases) and any(c != o for _, c, o, *_ in cases)
