"""The classroom exercises: skeletons fail cleanly, solutions pass, wrong answers get their hint.

Three promises, each tested here:
- every skeleton, as shipped, fails: FAIL lines, exit status 1, no traceback (the
  shipped skeleton is git's committed copy, so a student's or teacher's filled-in
  working file does not make this test fail);
- every exercise passes with ``--solution`` (the library's reference);
- typical wrong answers (a missing transpose, a sum where a mean belongs, a sign error,
  a missing bias correction, an unstable log, ...) are caught, with the matching hint.
  A checker that passes a wrong answer is a bug; so is one that fails a right answer
  written differently (the "alternatives" below).
"""

import glob
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from numpygan import exercises, losses
from numpygan.exercises.handout import pristine_text
from numpygan.optim import Adam

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conv_students  # noqa: E402  (ex09's students, right and wrong)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EX_DIR = os.path.join(ROOT, "lessons", "exercises")
FILES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(EX_DIR, "ex[0-9][0-9]_*.py")))
NAME_OF = {filename: name for name, (_, filename) in exercises.EXERCISES.items()}
REF = {name: make() for name, make in exercises.REFERENCES.items()}

S, SP = losses.sigmoid, losses.softplus


# ---------------------------------------------------------------------------
# The files, run as a student and a teacher would (all at once: they are independent)
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{(file, "skeleton" | "solution"): (returncode, stdout, stderr)}.

    Skeletons run as shipped (git's committed copy, written to a temporary folder: the
    working file may be filled in) from the repository root; solutions run from
    lessons/exercises/ without PYTHONPATH: each file must find numpygan by itself.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    env.pop("DISPLAY", None)
    shipped = tmp_path_factory.mktemp("shipped")
    procs = {}
    for f in FILES:
        (shipped / f).write_text(pristine_text(os.path.join(EX_DIR, f)), encoding="utf-8")
        procs[(f, "skeleton")] = subprocess.Popen(
            [sys.executable, str(shipped / f)], cwd=ROOT, env=dict(env, PYTHONPATH=ROOT),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs[(f, "solution")] = subprocess.Popen(
            [sys.executable, f, "--solution"], cwd=EX_DIR, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = {}
    for key, p in procs.items():
        stdout, stderr = p.communicate(timeout=120)
        out[key] = (p.returncode, stdout, stderr)
    return out


def test_every_exercise_has_a_file_and_a_checker():
    assert len(FILES) >= 8
    assert sorted(NAME_OF) == FILES
    assert set(exercises.REFERENCES) == set(exercises.EXERCISES)


@pytest.mark.parametrize("f", FILES)
def test_skeleton_as_shipped_fails_cleanly(runs, f):
    code, out, err = runs[(f, "skeleton")]
    lines = out.splitlines()
    assert code == 1, out + err
    assert "Traceback" not in out + err
    assert any(l.startswith("FAIL ") and "not written yet (NotImplementedError)" in l
               for l in lines), out
    assert not any(l.startswith("PASS") for l in lines), out
    assert "Write the function(s)" in lines[-1]


@pytest.mark.parametrize("f", FILES)
def test_solution_passes_every_check(runs, f):
    code, out, err = runs[(f, "solution")]
    checks = [l for l in out.splitlines() if l.startswith(("PASS", "FAIL"))]
    assert code == 0, out + err
    assert "Traceback" not in out + err
    assert len(checks) >= 2 and all(l.startswith("PASS ") for l in checks), out
    assert "all" in out.splitlines()[-1] and "checks passed" in out.splitlines()[-1]


@pytest.mark.parametrize("f", FILES)
def test_skeleton_documents_the_math_and_the_shapes(f):
    spec = importlib.util.spec_from_file_location(f[:-3], os.path.join(EX_DIR, f))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)                       # the __main__ block does not run
    assert module.__doc__ and "python lessons/exercises/" + f in module.__doc__
    for fn_name in REF[NAME_OF[f]]:
        fn = getattr(module, fn_name)
        doc = getattr(fn, "__doc__", None) or getattr(getattr(fn, "py_func", None), "__doc__", "")
        assert "Inputs" in doc and "Returns" in doc, fn_name
        assert "(" in doc and ")" in doc                  # shapes


# ---------------------------------------------------------------------------
# Wrong answers: (exercise, the student's functions, the hint text that must appear)
# ---------------------------------------------------------------------------
def with_ref(name, **fns):
    out = dict(REF[name])
    out.update(fns)
    return out


# ex01 -------------------------------------------------------------------------
def naive_sigmoid(a):
    return 1 / (1 + np.exp(-a))


def where_sigmoid(a):
    return np.where(a >= 0, 1 / (1 + np.exp(-a)), np.exp(a) / (1 + np.exp(a)))


def flipped_sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, e / (1 + e), 1 / (1 + e))


def cancelling_sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), 1 - 1 / (1 + e))


def bce_log_sigmoid(logits, targets):
    p = S(logits)
    loss = -np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p))
    return float(loss), (p - targets) / logits.size


def bce_sum(logits, targets):
    return float(np.sum(SP(logits) - targets * logits)), S(logits) - targets


def bce_grad_sign(logits, targets):
    return float(np.mean(SP(logits) - targets * logits)), (targets - S(logits)) / logits.size


def bce_naive_softplus(logits, targets):
    loss = np.mean(np.log(1 + np.exp(logits)) - targets * logits)
    return float(loss), (S(logits) - targets) / logits.size


def bce_calls_naive_sigmoid(logits, targets):
    """A stable loss, but dlogits from the student's own naive sigmoid."""
    return float(np.mean(SP(logits) - targets * logits)), \
        (naive_sigmoid(logits) - targets) / logits.size


def bce_eps(logits, targets):
    p = S(logits)
    loss = -np.mean(targets * np.log(p + 1e-12) + (1 - targets) * np.log(1 - p + 1e-12))
    return float(loss), (p - targets) / logits.size


# ex02 -------------------------------------------------------------------------
def relu_forward(x, alpha):
    return np.maximum(x, 0)


def inplace_forward(x, alpha):
    x[x < 0] *= alpha
    return x


def mask_backward(x, dout, alpha):
    return np.where(x > 0, 1.0, alpha)


def relu_backward(x, dout, alpha):
    return dout * (x > 0)


# ex03 -------------------------------------------------------------------------
def dense_no_bias(x, W, b):
    return x @ W


def backward_dW_transposed(dout, x, W):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


def backward_mean(dout, x, W):
    n = x.shape[0]
    return dout @ W.T / n, x.T @ dout / n, dout.mean(axis=0)


def backward_dx_no_transpose(dout, x, W):
    return dout @ W, x.T @ dout, dout.sum(axis=0)


def backward_db_axis1(dout, x, W):
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)


# ex04 -------------------------------------------------------------------------
def adam_variant(kind):
    def adam_update(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        if kind == "v_abs":
            v = v - (1 - beta2) * grad ** 2 + (1 - beta2) * np.abs(grad)
        power = {"no_correction": 0, "one_minus_beta": 1, "t_from_0": t - 1}.get(kind, t)
        if kind == "no_correction":
            m_hat, v_hat = m, v
        elif kind == "precedence":
            m_hat, v_hat = m / 1 - beta1 ** t, v / 1 - beta2 ** t     # the slip, as typed
        elif kind == "m_hat_only":
            m_hat, v_hat = m / (1 - beta1 ** t), v
        else:
            m_hat, v_hat = m / (1 - beta1 ** power), v / (1 - beta2 ** power)
        if kind == "eps_inside":
            return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
        if kind == "ascent":
            return theta + lr * m_hat / (np.sqrt(v_hat) + eps), m, v
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    return {"adam_update": adam_update}


# ex05 -------------------------------------------------------------------------
def dstar_swapped(p_data, p_g):
    return p_g / (p_data + p_g)


def dstar_ratio(p_data, p_g):
    return p_data / p_g


def dstar_nan_where_empty(p_data, p_g):
    return p_data / (p_data + p_g)


# ex06 -------------------------------------------------------------------------
def d_two_backwards(D, d_opt, x_real, x_fake):
    loss_r, d_r = losses.bce_with_logits(D.forward(x_real), 1.0)
    D.backward(d_r)
    loss_f, d_f = losses.bce_with_logits(D.forward(x_fake), 0.0)
    D.backward(d_f)                                   # overwrites the real half's grads
    d_opt.step(D.params(), D.grads())
    return loss_r + loss_f


def _d_with(grad_sign=1.0, targets=(1.0, 0.0)):
    def d_step(D, d_opt, x_real, x_fake):
        m = x_real.shape[0]
        a = D.forward(np.concatenate([x_real, x_fake]))
        loss_r, d_r = losses.bce_with_logits(a[:m], targets[0])
        loss_f, d_f = losses.bce_with_logits(a[m:], targets[1])
        D.backward(grad_sign * np.concatenate([d_r, d_f]))
        d_opt.step(D.params(), D.grads())
        return loss_r + loss_f
    return d_step


def d_one_mean(D, d_opt, x_real, x_fake):
    m = x_real.shape[0]
    a = D.forward(np.concatenate([x_real, x_fake]))
    t = np.concatenate([np.ones((m, 1)), np.zeros((x_fake.shape[0], 1))])
    loss, d = losses.bce_with_logits(a, t)            # one mean over 2m: half the gradient
    D.backward(d)
    d_opt.step(D.params(), D.grads())
    return loss


def d_sigmoid_first(D, d_opt, x_real, x_fake):
    m = x_real.shape[0]
    p = losses.sigmoid(D.forward(np.concatenate([x_real, x_fake])))   # probabilities...
    loss, d_r, d_f = losses.discriminator_loss(p[:m], p[m:])          # ...into a logit loss
    D.backward(np.concatenate([d_r, d_f]))
    d_opt.step(D.params(), D.grads())
    return loss


def d_new_optimizer(D, d_opt, x_real, x_fake):
    return _d_with()(D, Adam(d_opt.lr, beta1=d_opt.beta1) if isinstance(d_opt, Adam)
                     else d_opt, x_real, x_fake)


# ex07 -------------------------------------------------------------------------
def _g_with(kind):
    def g_step(G, D, g_opt, z):
        a = D.forward(G.forward(z))
        if kind == "minimax":
            loss, da = losses.generator_loss_minimax(a)
        else:
            loss, da = losses.generator_loss_nonsaturating(a)
        if kind == "sign":
            da = -da
        dx = da if kind == "skip_D" else D.backward(da)
        G.backward(dx)
        if kind == "naive_loss":                      # right gradient, naive number
            loss = -np.mean(np.log(1 / (1 + np.exp(-a))))
        if kind == "steps_D_too":
            g_opt.step(G.params() + D.params(), G.grads() + D.grads())
        else:
            g_opt.step(G.params(), G.grads())
        if kind == "loss_after":                      # recomputed with the moved G
            loss = losses.generator_loss_nonsaturating(D.forward(G.forward(z)))[0]
        return loss
    return {"g_step": g_step}


# ex08 (plain Python: the checker runs a Numba function's py_func first anyway) ---------
def matmul_variant(kind):
    def matmul(x, W):
        N, D = x.shape
        M = W.shape[1]
        out = np.zeros((M, N) if kind == "ij_swapped" else (N, M))
        s = 0.0
        for i in range(N - 1 if kind == "last_row" else N):
            for j in range(M - 1 if kind == "last_col" else M):
                if kind != "no_reset":
                    s = 0.0
                for k in range(D - 1 if kind == "last_k" else D):
                    s += x[i, k] * (W[j, k] if kind == "W_jk" else W[k, j])
                if kind == "ij_swapped":
                    out[j, i] = s
                else:
                    out[i, j] = s
        return out
    return {"matmul": matmul}


def matmul_with_numpy(x, W):
    return x @ W


WRONG = [
    # ex01: overflow, the np.where trap, a sign, cancellation, an unstable log, sum vs mean
    ("sigmoid_bce", with_ref("sigmoid_bce", sigmoid=naive_sigmoid), "overflows float64"),
    ("sigmoid_bce", with_ref("sigmoid_bce", sigmoid=where_sigmoid), "BOTH branches"),
    ("sigmoid_bce", with_ref("sigmoid_bce", sigmoid=flipped_sigmoid), "σ(−a)"),
    ("sigmoid_bce", with_ref("sigmoid_bce", sigmoid=cancelling_sigmoid), "loses all its digits"),
    ("sigmoid_bce", with_ref("sigmoid_bce", bce_with_logits=bce_log_sigmoid), "unstable log"),
    ("sigmoid_bce", with_ref("sigmoid_bce", bce_with_logits=bce_sum), "a sum where a mean"),
    ("sigmoid_bce", with_ref("sigmoid_bce", bce_with_logits=bce_grad_sign),
     "dlogits has the wrong sign"),
    ("sigmoid_bce", with_ref("sigmoid_bce", bce_with_logits=bce_naive_softplus),
     "max(a, 0) + log1p(exp(−|a|))"),
    ("sigmoid_bce", with_ref("sigmoid_bce", bce_with_logits=bce_eps), "tricks cap the loss"),
    ("sigmoid_bce", {"sigmoid": naive_sigmoid, "bce_with_logits": bce_calls_naive_sigmoid},
     "inside your sigmoid, which bce_with_logits calls"),
    # ex02: ReLU instead of LeakyReLU, in-place, forgetting dout, ReLU's derivative
    ("leaky_relu", with_ref("leaky_relu", leaky_relu_forward=relu_forward), "that is ReLU"),
    ("leaky_relu", with_ref("leaky_relu", leaky_relu_forward=inplace_forward),
     "changed its input x in place"),
    ("leaky_relu", with_ref("leaky_relu", leaky_relu_backward=mask_backward),
     "multiply it by dout (the chain rule"),
    ("leaky_relu", with_ref("leaky_relu", leaky_relu_backward=relu_backward),
     "that is ReLU's derivative"),
    # ex03: a missing transpose, a mean where a sum belongs, the wrong axis, no bias
    ("dense", with_ref("dense", dense_backward=backward_dW_transposed),
     "dW has shape (4, 3), expected (3, 4): did you transpose?"),
    ("dense", with_ref("dense", dense_backward=backward_mean),
     "dx is off by a factor ~1/N = 1/5: mean vs sum over the batch?"),
    ("dense", with_ref("dense", dense_backward=backward_dx_no_transpose),
     "A transpose (.T) is probably missing"),
    ("dense", with_ref("dense", dense_backward=backward_db_axis1), "sum over axis 0, the batch"),
    ("dense", with_ref("dense", dense_forward=dense_no_bias), "out lacks the bias"),
    # ex04: bias correction missing or by (1 − β), t from 0, ε inside √, the sign
    ("adam", adam_variant("no_correction"), "no bias correction"),
    ("adam", adam_variant("one_minus_beta"), "divides by (1 − β) instead of (1 − βᵗ)"),
    ("adam", adam_variant("t_from_0"), "1 − β⁰ = 0"),
    ("adam", adam_variant("eps_inside"), "ε is inside the square root"),
    ("adam", adam_variant("ascent"), "Adam descends"),
    ("adam", adam_variant("precedence"), "a precedence slip: m / 1 − beta1**t"),
    ("adam", adam_variant("m_hat_only"), "m̂ is bias-corrected but v̂ is not"),
    ("adam", adam_variant("v_abs"), "v averages |g|, not g²"),
    # ex05: 1 − D*, a ratio, 0/0
    ("optimal_discriminator", {"optimal_discriminator": dstar_swapped}, "= 1 − D*"),
    ("optimal_discriminator", {"optimal_discriminator": dstar_ratio},
     "the denominator is p_data + p_g"),
    ("optimal_discriminator", {"optimal_discriminator": dstar_nan_where_empty}, "(0/0)"),
    # ex06: overwritten grads, the sign, swapped targets, one mean over 2m, a new optimizer
    ("d_step", {"d_step": d_two_backwards}, "backward() OVERWRITES D's gradients"),
    ("d_step", {"d_step": _d_with(grad_sign=-1.0)}, "D moved the wrong way (V went down)"),
    ("d_step", {"d_step": _d_with(targets=(0.0, 1.0))}, "real and fake targets are swapped"),
    ("d_step", {"d_step": d_one_mean}, "one mean over all 2m samples"),
    ("d_step", {"d_step": d_new_optimizer}, "make a new optimizer inside d_step"),
    ("d_step", {"d_step": d_sigmoid_first}, "probabilities σ(a) where it expects logits"),
    # ex07: minimax, the sign, D updated too, skipping D's backward
    ("g_step", _g_with("minimax"), "the minimax (saturating) loss"),
    ("g_step", _g_with("sign"), "G moved the wrong way"),
    ("g_step", _g_with("steps_D_too"), "g_step changed D's parameters"),
    ("g_step", _g_with("skip_D"), "backpropagate through D first"),
    ("g_step", _g_with("loss_after"), "you returned the loss after the step"),
    ("g_step", _g_with("naive_loss"), "when D rejects G's samples outright"),
    # ex08: i/j swapped, a missing last row/column/term, no reset, W[j, k], NumPy's product
    ("matmul", matmul_variant("ij_swapped"), "i and j are swapped"),
    ("matmul", matmul_variant("last_row"), "the last row of out is 0"),
    ("matmul", matmul_variant("last_col"), "the last column of out is 0"),
    ("matmul", matmul_variant("last_k"), "misses the last term of the sum over k"),
    ("matmul", matmul_variant("no_reset"), "reset the accumulator"),
    ("matmul", matmul_variant("W_jk"), "W[k, j]"),
    ("matmul", {"matmul": matmul_with_numpy}, "write it yourself, in three loops"),
    # ex09: a flipped kernel, the gradient's padding, the stride, the wrong axes, dW's
    # (o, c) swapped (tests/conv_students.py)
] + conv_students.WRONG


def _wrong_id(case):
    name, fns, hint = case
    return f"{name}:{hint[:30]}"


@pytest.mark.parametrize("case", WRONG, ids=[_wrong_id(c) for c in WRONG])
def test_wrong_answer_is_caught_with_its_hint(case, capsys):
    name, fns, hint = case
    checker = exercises.EXERCISES[name][0]
    assert checker(**fns) is False
    out = capsys.readouterr()
    fails = [l for l in out.out.splitlines() if l.startswith("FAIL ")]
    assert fails, out.out
    assert any(hint in l for l in fails), out.out
    assert "Traceback" not in out.out + out.err


@pytest.mark.parametrize("case,wrong_hint", [
    (("adam", adam_variant("precedence")), "βᵗ⁻¹"),
    (("sigmoid_bce", {"sigmoid": naive_sigmoid, "bce_with_logits": bce_calls_naive_sigmoid}),
     "Compute log(1 + e^a)"),
], ids=["adam-precedence-not-t-minus-1", "bce-naive-sigmoid-not-softplus"])
def test_hint_does_not_blame_the_wrong_mistake(case, wrong_hint, capsys):
    """Two hints the checkers used to give wrongly (issue 18): they must not come back."""
    name, fns = case
    assert exercises.EXERCISES[name][0](**fns) is False
    assert wrong_hint not in capsys.readouterr().out


def test_each_exercise_catches_at_least_two_wrong_answers():
    counts = {name: 0 for name in exercises.EXERCISES}
    for name, _, _ in WRONG:
        counts[name] += 1
    assert min(counts.values()) >= 2, counts


# ---------------------------------------------------------------------------
# Right answers written differently must pass: a checker that fails them is a bug too
# ---------------------------------------------------------------------------
def alt_sigmoid(a):
    return np.exp(-np.logaddexp(0.0, -a))


def alt_bce(logits, targets):
    loss = np.mean(np.logaddexp(0.0, logits) - targets * logits)
    return loss, (alt_sigmoid(logits) - targets) / logits.size


def alt_leaky_forward(x, alpha):
    return np.maximum(x, alpha * x)


def alt_leaky_backward(x, dout, alpha):
    dx = dout.copy()
    dx[x <= 0] *= alpha
    return dx


def alt_dense_forward(x, W, b):
    return np.einsum("nd,dm->nm", x, W) + b[None, :]


def alt_dense_backward(dout, x, W):
    return np.einsum("nm,dm->nd", dout, W), np.einsum("nd,nm->dm", x, dout), \
        np.einsum("nm->m", dout)


def alt_adam(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1                                       # in place, and returned
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    step_size = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    eps_hat = eps * np.sqrt(1 - beta2 ** t)          # the paper's efficient form, exactly
    theta -= step_size * m / (np.sqrt(v) + eps_hat)
    return theta, m, v


def alt_dstar(p_data, p_g):
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def alt_d_step(D, d_opt, x_real, x_fake):
    """Two passes, the grads added by hand before the step: correct, just longer."""
    loss_r, d_r = losses.bce_with_logits(D.forward(x_real), 1.0)
    D.backward(d_r)
    saved = [g.copy() for g in D.grads()]
    loss_f, d_f = losses.bce_with_logits(D.forward(x_fake), 0.0)
    D.backward(d_f)
    d_opt.step(D.params(), [a + b for a, b in zip(saved, D.grads())])
    return {"loss": loss_r + loss_f}


def alt_g_step(G, D, g_opt, z):
    a = D.forward(G.forward(z))
    loss, da = losses.bce_with_logits(a, 1.0)
    G.backward(D.backward(da))
    g_opt.step(G.params(), G.grads())
    return np.float64(loss)


def alt_matmul(x, W):
    N, D = x.shape
    M = W.shape[1]
    out = np.zeros((N, M))
    for i in range(N):                       # i, k, j order: rows of W read contiguously
        for k in range(D):
            xik = x[i, k]
            for j in range(M):
                out[i, j] += xik * W[k, j]
    return out


RIGHT = [
    ("sigmoid_bce", {"sigmoid": alt_sigmoid, "bce_with_logits": alt_bce}),
    ("leaky_relu", {"leaky_relu_forward": alt_leaky_forward,
                    "leaky_relu_backward": alt_leaky_backward}),
    ("dense", {"dense_forward": alt_dense_forward, "dense_backward": alt_dense_backward}),
    ("adam", {"adam_update": alt_adam}),
    ("optimal_discriminator", {"optimal_discriminator": alt_dstar}),
    ("d_step", {"d_step": alt_d_step}),
    ("g_step", {"g_step": alt_g_step}),
    ("matmul", {"matmul": alt_matmul}),
] + conv_students.RIGHT      # ex09: seven loops; the textbook's full convolution


@pytest.mark.parametrize("name,fns", RIGHT, ids=[r[0] for r in RIGHT])
def test_right_answer_written_differently_passes(name, fns, capsys):
    ok = exercises.EXERCISES[name][0](**fns)
    out = capsys.readouterr().out
    assert ok, out
    assert "FAIL" not in out


# ---------------------------------------------------------------------------
# The machinery
# ---------------------------------------------------------------------------
def test_diagnose_names_the_transpose_and_the_factor():
    rng = np.random.default_rng(0)
    want = rng.normal(size=(3, 4))
    assert exercises.diagnose("dW", want.copy(), want) is None
    assert exercises.diagnose("dW", want.T, want).startswith(
        "dW has shape (4, 3), expected (3, 4): did you transpose?")
    assert "factor ~N = 5" in exercises.diagnose("dx", 5 * want, want, n=5)
    assert "factor ~1/N = 1/5" in exercises.diagnose("dx", want / 5, want, n=5)
    assert "wrong sign" in exercises.diagnose("dx", -want, want)
    assert "forget to return" in exercises.diagnose("dx", None, want)
    bumped = want.copy()
    bumped[1, 2] += 0.5
    assert "at index (1, 2)" in exercises.diagnose("dx", bumped, want)


def test_student_exception_becomes_a_fail_line_with_the_line(capsys):
    def dense_backward(dout, x, W):
        dx = dout @ W                                    # the missing transpose
        return dx, x.T @ dout, dout.sum(axis=0)

    assert exercises.check_dense(REF["dense"]["dense_forward"], dense_backward) is False
    out = capsys.readouterr().out
    assert "dense_backward raised ValueError" in out
    assert "dx = dout @ W" in out                        # the student's own line, quoted
    assert "the same ValueError as above" in out         # repeated errors said once
    assert "Traceback" not in out


def test_run_exits_with_the_status(capsys):
    with pytest.raises(SystemExit) as ok:
        exercises.run("optimal_discriminator", {}, ["--solution"])
    assert ok.value.code == 0
    with pytest.raises(SystemExit) as bad:
        exercises.run("optimal_discriminator", {"optimal_discriminator": dstar_swapped}, [])
    assert bad.value.code == 1
    with pytest.raises(ValueError, match="unknown exercise"):
        exercises.run("nope", {}, [])
