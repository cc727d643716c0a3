"""The CLI, ``python -m numpygan``: bad flags, --save/--resume (through a kill), divergence."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from numpygan import io, kernels
from numpygan.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# ROOT first; an outer PYTHONPATH kept (a sitecustomize there may hide Numba, say)
ENV = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg",
           PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
# small and quick: a few seconds per run, on the plain NumPy backend
QUICK = ["--hidden", "4", "--batch", "16", "--frames", "2", "--no-gif", "--quiet",
         "--backend", "numpy"]


@pytest.fixture(autouse=True)
def _restore_backend():
    before = kernels.get_backend()   # main() switches the backend for the whole process
    yield
    kernels.set_backend(before)


def _cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "numpygan", *map(str, args)], env=ENV,
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def _error_lines(stderr):
    """The non-blank lines of stderr, less the one-line note that Numba is missing (said
    when the default backend is first used, before the run's own messages)."""
    return [line for line in stderr.splitlines()
            if line.strip() and "Numba could not be imported" not in line]


# --------------------------------------------------------------------------- bad flags
@pytest.mark.parametrize("argv,pattern", [
    (["--lr", "0"], r"argument --lr: --lr must be > 0, got 0"),
    (["--lr=-1e-3"], r"argument --lr: --lr must be > 0, got -1e-3"),
    (["--lr", "nan"], r"argument --lr: --lr must be > 0, got nan"),
    (["--lr", "fast"], r"argument --lr: --lr must be a number, got 'fast'"),
    (["--sigma", "0"], r"argument --sigma: --sigma must be > 0, got 0"),
    (["--mu", "inf"], r"argument --mu: --mu must be finite, got inf"),
    (["--k", "0"], r"argument --k: --k must be >= 1, got 0"),
    (["--batch", "0"], r"argument --batch: --batch must be >= 1, got 0"),
    (["--batch", "2.5"], r"argument --batch: --batch must be an integer, got '2.5'"),
    (["--steps", "0"], r"argument --steps: --steps must be >= 1, got 0"),
    (["--hidden", "-3"], r"argument --hidden: --hidden must be >= 1, got -3"),
    (["--seed", "-1"], r"argument --seed: --seed must be >= 0, got -1"),
    (["--loss", "hinge"], r"argument --loss: invalid choice: 'hinge'"),
    (["--noise", "cauchy"], r"argument --noise: invalid choice: 'cauchy'"),
    (["--backend", "cuda"], r"argument --backend: invalid choice: 'cuda'"),
    (["--save-every", "0"], r"argument --save-every: --save-every must be >= 1, got 0"),
    (["--frames", "1"], r"argument --frames: --frames must be >= 2, got 1"),
])
def test_bad_flags_are_named(argv, pattern, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert re.search(pattern, capsys.readouterr().err)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """A demo run of 60 steps, saved: the starting point of the --resume tests."""
    folder = tmp_path_factory.mktemp("ck")
    before = kernels.get_backend()
    try:
        assert main(["--steps", "60", *QUICK, "--out", str(folder / "out"),
                     "--save", str(folder / "ck.npz")]) == 0
    finally:
        kernels.set_backend(before)
    return folder / "ck.npz"


def _bad_checkpoint(tmp_path, checkpoint, what):
    path = tmp_path / "bad.npz"
    data = checkpoint.read_bytes()
    if what == "missing":
        return tmp_path / "nope.npz"
    if what == "truncated":
        path.write_bytes(data[:-200])
    elif what == "text":
        path.write_text("hello\n")
    elif what == "network":
        io.save(path, io.load(checkpoint).G)
    return path


@pytest.mark.parametrize("what,extra,pattern", [
    ("missing", [], r"^error: --resume: no checkpoint at '.*nope\.npz'$"),
    ("truncated", [], r"^error: --resume: .*bad\.npz: truncated or corrupt \.npz"),
    ("text", [], r"^error: --resume: .*not an \.npz file \(it starts with b'hell'"),
    ("network", [], r"^error: --resume: .*holds a Sequential, not a GAN"),
    ("good", ["--mu", "2"], r"^error: --mu 2\.0 differs from the checkpoint's 4\.0; a resumed "
                            r"run keeps its settings \(leave --mu out\)$"),
    ("good", ["--hidden", "8"], r"^error: --hidden 8 differs from the checkpoint's 4"),
    ("good", ["--dtype", "float64"], r"^error: --dtype float64 differs from the checkpoint's "
                                     r"'float32'"),
    ("good", ["--steps", "10"], r"^error: --steps 10 is behind the checkpoint, which is at "
                                r"step 60"),
])
def test_bad_resume_is_refused(tmp_path, checkpoint, what, extra, pattern, capsys):
    path = checkpoint if what == "good" else _bad_checkpoint(tmp_path, checkpoint, what)
    code = main(["--resume", str(path), "--out", str(tmp_path / "o"), "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2 and len(_error_lines(err)) == 1
    assert re.search(pattern, err.strip()), err


def test_bad_output_places_are_refused(tmp_path, capsys):
    (tmp_path / "a_file").write_text("x")
    assert main(["--steps", "5", *QUICK, "--out", str(tmp_path / "a_file")]) == 2
    assert "error: --out: cannot make the folder" in capsys.readouterr().err
    assert main(["--steps", "5", *QUICK, "--out", str(tmp_path / "o"),
                 "--save", str(tmp_path)]) == 2
    assert "is a folder; give a file name" in capsys.readouterr().err


# ------------------------------------------------------------------------ --save/--resume
def test_save_writes_a_checkpoint_and_the_usual_outputs(checkpoint):
    out = checkpoint.parent / "out"
    assert {"gan_1d.png", "summary.json", "samples.npy", "history.npz"} <= set(os.listdir(out))
    gan = io.load(checkpoint)
    assert gan.step_count == gan.total_steps == 60
    assert gan.G.dtype == gan.D.dtype == np.float32          # the demo's default dtype
    summary = json.loads((out / "summary.json").read_text())
    assert summary["dtype"] == "float32"
    assert summary["steps"] == 60 and summary["backend"] == "numpy"
    assert summary["numba_compiled"] == 0 and summary["numba_compile_s"] == 0   # NumPy: no kernels


def test_resume_further_than_planned_says_the_schedule_changes(tmp_path, checkpoint, capsys):
    assert main(["--resume", str(checkpoint), "--steps", "80", "--out", str(tmp_path),
                 "--no-gif", "--frames", "2"]) == 0
    captured = capsys.readouterr()
    assert "checkpoint planned 60 steps; going to 80 changes the learning-rate schedule" \
        in captured.err
    assert "resumed from step 60" in captured.out
    with np.load(tmp_path / "history.npz") as h:
        assert h["step"].tolist() == list(range(1, 81))
    assert json.loads((tmp_path / "summary.json").read_text())["resumed_from"] == 60


def test_save_kill_resume_equals_an_uninterrupted_run(tmp_path):
    """Kill -9 a run after its first checkpoint, resume it in a new process, compare."""
    total = 300
    args = ["--steps", total, *QUICK]
    ck = tmp_path / "ck.npz"
    victim = subprocess.Popen(
        [sys.executable, "-m", "numpygan", *map(str, args), "--out", str(tmp_path / "A"),
         "--save", str(ck), "--save-every", "10"],
        env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not ck.exists() and victim.poll() is None and time.time() < deadline:
            time.sleep(0.002)
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.wait(timeout=60)
    assert victim.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    stopped = io.info(ck)["game"]["step_count"]
    assert 0 < stopped < total and stopped % 10 == 0

    resumed = _cli("--resume", ck, "--out", tmp_path / "B", "--no-gif", "--quiet",
                   "--frames", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert main([*map(str, args), "--out", str(tmp_path / "C")]) == 0   # never interrupted

    with np.load(tmp_path / "B" / "history.npz") as b, \
            np.load(tmp_path / "C" / "history.npz") as c:
        assert sorted(b.files) == sorted(c.files)
        for key in c.files:
            np.testing.assert_array_equal(b[key], c[key], err_msg=key)   # bit for bit
    np.testing.assert_array_equal(np.load(tmp_path / "B" / "samples.npy"),
                                  np.load(tmp_path / "C" / "samples.npy"))
    sb, sc = (json.loads((tmp_path / x / "summary.json").read_text()) for x in "BC")
    for key in ("mean", "std", "jsd", "w1", "d_real", "d_fake", "value", "steps", "converged"):
        assert sb[key] == sc[key], key
    assert sb["resumed_from"] == stopped


# ------------------------------------------------------------------------- divergence
def test_divergence_exits_1_with_one_line_and_keeps_what_it_had(tmp_path):
    run = _cli("--lr", "1e3", "--steps", 200, "--no-gif", "--backend", "numpy",
               "--out", tmp_path)
    assert run.returncode == 1
    lines = _error_lines(run.stderr)
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert line.startswith("error: ") and "diverged at step" in line
    assert "lower learning rate" in line and "check the loss" in line
    assert "nan" not in line.lower().replace("non-saturating", "")
    assert "gan_1d.png (the last good state, step 0)" in line
    files = set(os.listdir(tmp_path))
    assert {"history.npz", "summary.json", "gan_1d.png"} <= files
    assert "samples.npy" not in files and "gan_1d.gif" not in files
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["converged"] is False and summary["diverged_network"] in ("G", "D")
    with np.load(tmp_path / "history.npz") as h:
        assert all(np.all(np.isfinite(h[k])) for k in h.files)
        assert len(h["step"]) == summary["steps"] == summary["diverged_step"] - 1


def test_divergence_mid_run_keeps_curves_figure_and_last_good_checkpoint(tmp_path, capsys):
    ck = tmp_path / "ck.npz"
    code = main(["--lr", "30", "--steps", "300", *QUICK, "--out", str(tmp_path / "o"),
                 "--save", str(ck), "--save-every", "1"])
    err = capsys.readouterr().err
    assert code == 1
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    done = summary["steps"]
    assert done >= 1 and summary["diverged_step"] == done + 1
    assert (tmp_path / "o" / "gan_1d.png").stat().st_size > 0
    # the checkpoint is the last good step, never the diverged one
    assert f"the checkpoint {ck} holds step {done}" in _error_lines(err)[-1]
    last_good = io.load(ck)
    assert last_good.step_count == done
    assert all(np.all(np.isfinite(p)) for p in last_good.G.params() + last_good.D.params())


def test_quiet_still_prints_the_one_line_verdict(tmp_path, capsys):
    assert main([*QUICK, "--steps", "20", "--out", str(tmp_path)]) == 0
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert len(lines) == 1 and re.match(r"(NOT )?converged in [\d.]+ s: mean ", lines[0])
    assert (tmp_path / "history.npz").exists()
