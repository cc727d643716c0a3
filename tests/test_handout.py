"""The classroom kit: a hand-out without solutions, and the class grader.

- the hand-out holds no solving code (grepped for the library's own lines) and no
  library, runs with NumPy alone, fails with the skeletons and passes with a
  student's correct answers written into it (``handout_answers.py``), ex06 and ex07
  on the student's own ex01–ex04;
- ``grade`` turns every failure kind (an infinite loop, an exception or sys.exit at
  import, os._exit, a crash, a huge allocation, a non-Python file, no files) into a
  FAIL row with its reason, and bad input into a one-line error (exit 2) with the
  CSV's header written all the same.
"""

import csv
import os
import re
import subprocess
import sys

import pytest

from numpygan.exercises import grade, handout
from numpygan.exercises.__main__ import main

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from handout_answers import ANSWERS, fill_in  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("handout") / "h")
    assert main(["handout", out]) == 0
    return out


def _files(folder):
    for root, _, names in os.walk(folder):
        for n in names:
            yield os.path.join(root, n)


def _env():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    return env


def test_handout_holds_no_library_and_no_solution(made):
    names = sorted(os.path.relpath(p, made) for p in _files(made))
    assert "README.md" in names and "checker/__init__.py" in names
    assert len([n for n in names if re.fullmatch(r"ex\d\d_\w+\.py", n)]) == 9
    assert len([n for n in names if n.startswith("checker/data/") and n.endswith(".npz")]) == 9
    assert not any(n.endswith("_data.py") or "solutions" in n or n.startswith("numpygan")
                   for n in names), names
    # the library's own answer lines, and the references' names: none may appear
    solving = [r"\bx\.T @ dout\b", r"dout @ W\.T", r"s \+= x\[i, k\] \* W\[k, j\]",
               r"1 - beta1 \*\* ", r"p_data / \(p_data \+ p_g\)", r"log1p\(np\.exp",
               r"np\.logaddexp", r"discriminator_step\(", r"generator_step\(",
               r"reference_matmul", r"import numpygan", r"from numpygan",
               # ex09: the library's convolution gradients (kernels/conv.py, layers/conv.py)
               # and any backward written out: accumulating into dx_pad, dW or db
               # (code, with *: the equations, with ·, are in the texts on purpose)
               r"nohw,nchwuv->ocuv", r"axis=\(0, 2, 3\)", r"(dx_pad|dW)\[[^\]]*\] \+= .*\*",
               r"db\[o\] \+= dout\[", r"conv2d_grad_[xWb]\(", r"layer\.dW",
               r"\.backward\(np\.ascontiguousarray\(dout"]
    for path in _files(made):
        if path.endswith(".py") or path.endswith(".md"):
            text = open(path, encoding="utf-8").read()
            for pattern in solving:
                assert not re.search(pattern, text), (path, pattern)


def test_handout_data_loads_without_pickle(made):
    import numpy as np

    for path in _files(os.path.join(made, "checker", "data")):
        with np.load(path, allow_pickle=False) as npz:
            assert all(npz[k].dtype != object for k in npz.files)


def _run_all(folder):
    procs = {f: subprocess.Popen([sys.executable, f], cwd=folder, env=_env(),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in sorted(ANSWERS)}
    return {f: (p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for f, p in procs.items()}


def test_handout_skeletons_fail_and_right_answers_pass(made, tmp_path):
    for f, (code, out, err) in _run_all(made).items():
        assert code == 1 and "Traceback" not in out + err, (f, out, err)
        assert not any(l.startswith("PASS") for l in out.splitlines()), out
    filled = tmp_path / "class"
    filled.mkdir()
    for f, bodies in ANSWERS.items():
        (filled / f).write_text(fill_in(open(os.path.join(made, f)).read(), bodies))
    os.symlink(os.path.join(made, "checker"), filled / "checker")
    for f, (code, out, err) in _run_all(str(filled)).items():
        assert code == 0, (f, out, err)
        assert "checks passed" in out.splitlines()[-1] and "FAIL" not in out, out


def test_handout_ex06_says_the_earlier_answers_must_pass(made):
    out = subprocess.run([sys.executable, "ex06_discriminator_step.py"], cwd=made, env=_env(),
                         capture_output=True, text=True, timeout=300).stdout
    assert "FAIL your ex01–ex04 pass" in out and "make them pass first" in out, out
    assert "wait for your ex01–ex04" in out.splitlines()[-1]


def test_handout_refuses_a_filled_in_skeleton_and_a_full_folder(tmp_path):
    filled = fill_in(_shipped("ex03_dense_backward.py"), ANSWERS["ex03_dense_backward.py"])
    with pytest.raises(handout.HandoutError, match="would give out its answer"):
        handout.check_unwritten(filled, "ex03_dense_backward.py",
                                ["dense_forward", "dense_backward"])
    (tmp_path / "x.txt").write_text("x")
    assert main(["handout", str(tmp_path)]) == 2


# ---------------------------------------------------------------------------------------
# The grader
# ---------------------------------------------------------------------------------------
def _write(folder, name, text):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w" if isinstance(text, str) else "wb") as f:
        f.write(text)


def _shipped(f):
    """The skeleton as shipped (git's copy: the working file may be filled in)."""
    return handout.pristine_text(os.path.join(ROOT, "lessons", "exercises", f))


def _body(f, **bodies):
    text = _shipped(f)
    return fill_in(text, {k: "    " + v.replace("\n", "\n    ") + "\n" for k, v in bodies.items()})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs")
    right = lambda f: fill_in(_shipped(f), ANSWERS[f])
    ex01, ex02, ex03 = "ex01_sigmoid_bce.py", "ex02_leaky_relu.py", "ex03_dense_backward.py"
    _write(subs / "alice", ex01, right(ex01))
    _write(subs / "alice", ex03, right(ex03))
    _write(subs / "alice", "ex09_conv_backward.py", right("ex09_conv_backward.py"))
    _write(subs / "bob", ex01, _body(ex01, sigmoid="while True:\n    pass"))
    _write(subs / "bob", ex02, "import sys\nsys.exit(3)\n")
    _write(subs / "bob", ex03, _body(ex03, dense_forward="import os\nos._exit(0)"))
    _write(subs / "carol", ex01, _body(ex01, sigmoid="import ctypes\nctypes.string_at(0)"))
    _write(subs / "carol", ex02, _body(ex02, leaky_relu_forward="return np.ones((10**6, 10**5))"))
    _write(subs / "carol", ex03, "raise RuntimeError('half-written')\n")
    _write(subs / "dave", "notes.txt", "nothing here")
    _write(subs / "erin", "ex02_leaky_relu.ipynb", "{}")
    _write(subs / "erin", ex01, b"\x00\x01 not python")
    _write(subs, "stray.py", "x = 1\n")
    alice_before = open(subs / "alice" / ex01).read()
    out_csv, out_json = str(subs / "grades.csv"), str(subs / "grades.json")
    proc = subprocess.run([sys.executable, "-m", "numpygan.exercises", "grade", str(subs),
                           "--csv", out_csv, "--json", out_json, "--timeout", "8",
                           "--memory-mb", "1024"],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    with open(out_csv, newline="") as f:
        rows = {(r["student"], r["exercise"]): r for r in csv.DictReader(f)}
    assert open(subs / "alice" / ex01).read() == alice_before    # submissions untouched
    return proc, rows, out_json


def test_grade_writes_a_row_per_student_and_exercise(graded):
    proc, rows, out_json = graded
    assert proc.returncode == 0, proc.stderr
    assert "[1/" in proc.stdout and "alice ex01: PASS" in proc.stdout       # progress
    for student in ("alice", "bob", "carol", "dave", "erin"):
        for ex in ("ex01", "ex02", "ex03"):
            assert (student, ex) in rows, (student, ex)
    assert rows[("alice", "ex01")]["verdict"] == "PASS"
    assert rows[("alice", "ex01")]["passed"] == rows[("alice", "ex01")]["total"] == "5"
    assert rows[("alice", "ex03")]["verdict"] == "PASS"
    assert rows[("alice", "ex09")]["verdict"] == "PASS"
    assert rows[("alice", "ex09")]["passed"] == rows[("alice", "ex09")]["total"] == "4"
    assert "not submitted (expected ex09_conv_backward.py)" in rows[("bob", "ex09")]["hint"]
    assert "not submitted" in rows[("alice", "ex02")]["hint"]
    import json
    assert len(json.load(open(out_json))) == len(rows)


@pytest.mark.parametrize("key,reason", [
    (("bob", "ex01"), "timed out after 8 s"),
    (("bob", "ex02"), "called sys.exit(3) when imported"),
    (("bob", "ex03"), "exited with status 0 before the checks finished"),
    (("carol", "ex01"), "crashed (SIGSEGV)"),
    (("carol", "ex02"), "MemoryError"),
    (("carol", "ex03"), "could not be imported: RuntimeError: half-written"),
    (("dave", "ex01"), "no exercise files"),
    # a file of null bytes (Python 3.11 calls it a SyntaxError, 3.9 a ValueError)
    (("erin", "ex01"), "Error: source code string cannot contain null bytes"),
    (("erin", "ex02"), "ex02_leaky_relu.ipynb is not a Python file"),
    (("stray.py", "-"), "a file where a student folder belongs"),
])
def test_grade_turns_every_failure_into_a_fail_row(graded, key, reason):
    row = graded[1][key]
    assert row["verdict"] == "FAIL" and reason in row["hint"], row


@pytest.mark.parametrize("make,message", [
    (lambda d: str(d / "missing"), "does not exist"),
    (lambda d: (d / "a_file").write_text("x") and str(d / "a_file"), "is a file"),
    (lambda d: (d / "empty").mkdir() or str(d / "empty"), "is empty"),
])
def test_grade_bad_input_is_a_one_line_error_and_the_csv_is_written(tmp_path, capsys, make,
                                                                    message):
    out = tmp_path / "g.csv"
    assert main(["grade", make(tmp_path), "--csv", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert out.read_text().splitlines() == [",".join(grade.COLUMNS)]


@pytest.mark.parametrize("timeout", ["0", "-5"])
def test_grade_refuses_a_timeout_not_above_zero(tmp_path, capsys, timeout):
    (tmp_path / "s" / "a").mkdir(parents=True)
    out = tmp_path / "g.csv"
    assert main(["grade", str(tmp_path / "s"), "--csv", str(out), "--timeout", timeout]) == 2
    assert "--timeout must be a positive number" in capsys.readouterr().err
    assert out.exists()
