"""The demo under bad places, full disks, extreme flags and a missing Numba: a one-line
error (exit 2, or 1 for divergence) before training when the fault can be seen then, and
never a truncated file or an earlier run's file passed off as this run's.

Faults are injected with monkeypatch (we run as root, where a chmod'ed folder stays
writable): os.replace raising ENOSPC stands for a full disk.
"""

import errno
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from numpygan import _checks, _files, io, kernels
from numpygan.__main__ import main
from numpygan.distributions import Gaussian
from numpygan.gan import GAN, gan_1d

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WITH_GIF = ["--hidden", "4", "--batch", "16", "--frames", "2", "--quiet",
            "--backend", "numpy", "--steps", "20"]
QUICK = WITH_GIF + ["--no-gif"]


@pytest.fixture(autouse=True)
def _restore_backend():
    before = kernels.get_backend()
    yield
    kernels.set_backend(before)


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if the run reaches step 1: the fault had to be found before it."""
    def train(self, *args, **kwargs):
        raise AssertionError("training started although the run could not finish")
    monkeypatch.setattr(GAN, "train", train)


def _one_error_line(capsys):
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1, err
    return err[0]


def _enospc_for(monkeypatch, name):
    """os.replace fails with ENOSPC for files called ``name`` (a disk that fills then)."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(dst) == name:
            raise OSError(errno.ENOSPC, "No space left on device", dst)
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(_files.os, "replace", replace)


# ------------------------------------------------------------------ extreme flags
@pytest.mark.parametrize("flags,pattern", [
    (["--mu", "1e300"], r"argument --mu: --mu must lie in \[-1e\+150, 1e\+150\]"),
    (["--sigma", "1e308"], r"argument --sigma: --sigma must lie in \[1e-150, 1e\+150\]"),
    (["--sigma", "1e-300"], r"argument --sigma: --sigma must lie in \[1e-150, 1e\+150\]"),
    (["--mu", "1e15", "--sigma", "1e-3"],
     r"argument --sigma: sigma = 0.001 is below float64's resolution at mu = 1e\+15: "
     r"need sigma >= 1000"),
])
def test_flags_beyond_float64_are_refused_naming_the_limit(flags, pattern, capsys,
                                                           no_training):
    with pytest.raises(SystemExit) as exit_:
        main([*QUICK, *flags])
    assert exit_.value.code == 2
    assert pytest.importorskip("re").search(pattern, capsys.readouterr().err)


@pytest.mark.parametrize("flags,named", [
    (["--hidden", "10000000"], "--hidden 10000000: "),
    (["--batch", "1000000000000000"], "--batch 1000000000000000 and --hidden 4"),
    (["--steps", "100000000000000"], "--steps 100000000000000: the history"),
])
def test_sizes_beyond_the_machine_are_refused_before_allocating(tmp_path, capsys, flags,
                                                                named, no_training):
    assert main([*QUICK, *flags, "--out", str(tmp_path / "o")]) == 2
    line = _one_error_line(capsys)
    assert line.startswith("error: this run would need about ") and named in line
    assert "of memory, more than the" in line
    assert not (tmp_path / "o").exists()        # refused before anything was made


def test_frames_are_counted_against_the_memory_there_is(tmp_path, capsys, monkeypatch,
                                                       no_training):
    monkeypatch.setattr(_checks, "available_memory", lambda: 50_000_000)   # 50 MB
    assert main([*QUICK, "--steps", "100000", "--frames", "10000",
                 "--out", str(tmp_path)]) == 2
    assert "most of it for --frames 10000: 10,002 snapshots" in _one_error_line(capsys)


# --------------------------------------------------------------- output preflight
@pytest.mark.parametrize("save,pattern", [
    ("", r"^error: --save is empty; give a file name$"),
    ("sub/", r"^error: --save 'sub/' names a folder \(it ends with '/'\)"),
    ("o/summary.json", r"^error: --save o/summary.json is the run's own summary.json in "
                       r"--out; give the checkpoint another name$"),
    ("o/../o/history.npz", r"is the run's own history.npz in --out"),
])
def test_bad_save_paths_are_refused_before_step_1(tmp_path, monkeypatch, capsys, save,
                                                  pattern, no_training):
    monkeypatch.chdir(tmp_path)
    assert main([*QUICK, "--out", "o", "--save", save]) == 2
    assert pytest.importorskip("re").search(pattern, _one_error_line(capsys))


def test_a_folder_under_an_output_name_is_refused_before_step_1(tmp_path, capsys,
                                                                 no_training):
    (tmp_path / "samples.npy").mkdir()
    assert main([*QUICK, "--out", str(tmp_path)]) == 2
    assert "samples.npy' is a folder, where the run writes its samples.npy" \
        in _one_error_line(capsys)


@pytest.mark.parametrize("flag", ["--out", "--save"])
def test_an_unwritable_folder_is_refused_before_step_1(tmp_path, monkeypatch, capsys,
                                                       flag, no_training):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_open = open

    def open_(path, *args, **kwargs):       # what a read-only folder does to a writer
        if os.path.dirname(os.path.realpath(path)) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr(_files, "open", open_, raising=False)
    out = locked if flag == "--out" else tmp_path / "o"
    argv = [*QUICK, "--out", str(out)] + (["--save", str(locked / "ck.npz")]
                                          if flag == "--save" else [])
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert line.startswith(f"error: {flag}: cannot write in the folder ") and \
        "Permission denied" in line


# ------------------------------------------------------------ faults after training
def test_a_full_disk_at_the_end_keeps_the_earlier_files_whole(tmp_path, monkeypatch, capsys):
    np.save(tmp_path / "samples.npy", np.arange(3.0))      # an earlier run's
    _enospc_for(monkeypatch, "samples.npy")
    assert main([*QUICK, "--out", str(tmp_path)]) == 2
    line = _one_error_line(capsys)
    assert line == (f"error: cannot write {tmp_path}/samples.npy: No space left on device "
                    "(nothing is left half-written); wrote history.npz before it")
    np.testing.assert_array_equal(np.load(tmp_path / "samples.npy"), np.arange(3.0))
    with np.load(tmp_path / "history.npz") as h:            # whole, and this run's
        assert h["step"].tolist() == list(range(1, 21))
    assert not (tmp_path / "summary.json").exists()         # no summary of a partial set
    assert [n for n in os.listdir(tmp_path) if _files.TEMP_TAG in n] == []


def test_a_full_disk_mid_run_stops_with_the_last_checkpoint_whole(tmp_path, monkeypatch,
                                                                  capsys):
    ck = tmp_path / "ck.npz"
    real, calls = os.replace, []

    def replace(src, dst, *args, **kwargs):
        if os.path.basename(dst) == "ck.npz":
            calls.append(dst)
            if len(calls) > 1:                          # the disk fills after the first
                raise OSError(errno.ENOSPC, "No space left on device", dst)
        return real(src, dst, *args, **kwargs)
    monkeypatch.setattr(_files.os, "replace", replace)
    assert main([*QUICK, "--out", str(tmp_path / "o"), "--save", str(ck),
                 "--save-every", "5"]) == 2
    assert _one_error_line(capsys) == (
        f"error: --save: cannot write the checkpoint {ck} at step 10: No space left on "
        "device; it still holds step 5")
    assert io.load(ck).step_count == 5


def test_a_diverged_run_over_an_earlier_one_lists_and_keeps_only_its_own(tmp_path, capsys):
    assert main([*WITH_GIF, "--out", str(tmp_path)]) == 0      # with the GIF
    assert {"gan_1d.gif", "samples.npy"} <= set(os.listdir(tmp_path))
    capsys.readouterr()
    assert main([*QUICK, "--lr", "1e3", "--steps", "200", "--out", str(tmp_path)]) == 1
    line = _one_error_line(capsys)
    assert line.endswith("removed an earlier run's gan_1d.gif, samples.npy.")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert sorted(summary["files"]) == sorted(os.listdir(tmp_path))
    assert "samples.npy" not in summary["files"] and summary["converged"] is False


def test_no_gif_over_an_earlier_gif_removes_it_and_says_so(tmp_path, capsys):
    assert main([*WITH_GIF, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    loud = [flag for flag in QUICK if flag != "--quiet"]     # the file list is printed
    assert main([*loud, "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        f"{tmp_path}/history.npz; removed an earlier run's gan_1d.gif")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert sorted(summary["files"]) == sorted(os.listdir(tmp_path)) == sorted(
        ["gan_1d.png", "history.npz", "samples.npy", "summary.json"])


def test_save_through_a_symlink_keeps_the_link(tmp_path):
    (tmp_path / "real.npz").write_bytes(b"")
    (tmp_path / "link.npz").symlink_to(tmp_path / "real.npz")
    assert main([*QUICK, "--out", str(tmp_path / "o"), "--save",
                 str(tmp_path / "link.npz")]) == 0
    assert (tmp_path / "link.npz").is_symlink()
    assert io.load(tmp_path / "real.npz").step_count == 20


def test_an_untrained_checkpoint_needs_steps(tmp_path, capsys):
    ck = tmp_path / "step0.npz"
    io.save(ck, gan_1d(Gaussian(4.0, 1.25), hidden=4, d_hidden=8, batch=16))
    assert main(["--resume", str(ck), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "is an untrained game (step 0) with no planned total; give --steps N" \
        in _one_error_line(capsys)
    assert main(["--resume", str(ck), "--steps", "5", "--out", str(tmp_path / "o"),
                 "--quiet", "--no-gif", "--backend", "numpy"]) == 0


# ------------------------------------------------------------------- without Numba
def test_without_numba_the_error_path_stays_one_line(tmp_path):
    """Numba made unimportable (as test_kernels does): the divergence message is still one
    line, and the note that Numba is missing appears at most once."""
    code = ("import sys, runpy; sys.modules['numba'] = None\n"
            "sys.argv = ['numpygan'] + sys.argv[1:]\n"
            "runpy.run_module('numpygan', run_name='__main__')\n")
    run = subprocess.run(
        [sys.executable, "-c", code, "--lr", "1e3", "--steps", "50", "--hidden", "4",
         "--no-gif", "--quiet", "--backend", "numpy", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg"))
    assert run.returncode == 1, run.stderr
    assert run.stderr.count("Numba could not be imported") <= 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "diverged at step" in errors[0]
    assert run.stdout == ""
