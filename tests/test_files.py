"""Atomic output files (numpygan._files, and every writer that goes through it).

Disk faults are injected with monkeypatch (os.replace / os.fsync raising ENOSPC, a writer
dying mid-file) rather than with real full disks; each test checks the file under its
final name is the old one, whole, and that no temporary is left behind.
"""

import errno
import os
import subprocess
import sys

import numpy as np
import pytest

from numpygan import _files, io, plots
from numpygan.network import mlp


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _leftovers(folder):
    return [name for name in os.listdir(folder) if _files.TEMP_TAG in name]


def _dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "a.json"
    _files.write_text(path, "old")
    _files.write_text(path, "new")
    assert path.read_text() == "new"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("where", ["replace", "fsync", "writer"])
def test_a_fault_mid_write_keeps_the_old_file_whole(tmp_path, monkeypatch, where):
    path = tmp_path / "samples.npy"
    np.save(path, np.arange(5.0))
    if where == "replace":
        monkeypatch.setattr(_files.os, "replace", _enospc)
    elif where == "fsync":
        monkeypatch.setattr(_files.os, "fsync", _enospc)
    with pytest.raises(OSError) as err:
        with _files.atomic_path(path) as tmp:
            with open(tmp, "xb") as f:
                f.write(b"\x93NUMPY half a file")
                if where == "writer":
                    _enospc()
    assert err.value.errno == errno.ENOSPC
    np.testing.assert_array_equal(np.load(path), np.arange(5.0))
    assert _leftovers(tmp_path) == []


def test_a_writer_that_writes_nothing_is_an_error(tmp_path):
    with pytest.raises(OSError, match="produced no file"):
        with _files.atomic_path(tmp_path / "x.png"):
            pass
    assert os.listdir(tmp_path) == []


def test_stale_temporaries_of_dead_writers_are_cleaned_live_ones_kept(tmp_path):
    path = tmp_path / "ck.npz"
    dead = tmp_path / f".ck.npz{_files.TEMP_TAG}{_dead_pid()}-0badf00d.npz"
    live = tmp_path / f".ck.npz{_files.TEMP_TAG}{os.getppid()}-0badf00d.npz"
    other = tmp_path / f".other.npz{_files.TEMP_TAG}{_dead_pid()}-0badf00d.npz"
    for p in (dead, live, other):
        p.write_bytes(b"PK\x03\x04 truncated")
    io.save(path, mlp([1, 2, 1], rng=np.random.default_rng(0)))
    assert not dead.exists()                 # its writer was killed: removed
    assert live.exists() and other.exists()  # a running writer's, another file's: kept
    assert io.load(path).n_in == 1


@pytest.mark.parametrize("bad,pattern", [
    ("", "is empty"),
    ("   ", "is empty"),
    ("sub/", "names a folder"),
    (".", "names a folder"),
])
def test_paths_that_name_no_file_are_refused_before_writing(tmp_path, monkeypatch, bad,
                                                           pattern):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=pattern):
        io.save(bad, mlp([1, 2, 1], rng=np.random.default_rng(0)))
    assert os.listdir(tmp_path) == []        # nothing created, not even a temporary


def test_an_existing_folder_is_refused(tmp_path):
    (tmp_path / "samples.npy").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        _files.write_bytes(tmp_path / "samples.npy", b"x")


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.npz"
    link = tmp_path / "link.npz"
    net = mlp([1, 2, 1], rng=np.random.default_rng(0))
    io.save(real, net)
    link.symlink_to(real)
    io.save(link, mlp([1, 3, 1], rng=np.random.default_rng(1)))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert io.load(real).layers[0].n_out == 3


def test_checkpoint_on_a_full_disk_keeps_the_previous_one(tmp_path, monkeypatch):
    path = tmp_path / "ck.npz"
    io.save(path, mlp([1, 2, 1], rng=np.random.default_rng(0)))
    before = path.read_bytes()
    monkeypatch.setattr(_files.os, "fsync", _enospc)
    with pytest.raises(OSError):
        io.save(path, mlp([1, 5, 1], rng=np.random.default_rng(0)))
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["fig.png", "fig.gif"])
def test_figures_on_a_full_disk_keep_the_previous_file(tmp_path, monkeypatch, name):
    from numpygan.distributions import Gaussian
    from numpygan.gan import gan_1d

    snaps = [gan_1d(Gaussian(0.0, 1.0), hidden=4, d_hidden=4).snapshot(n_samples=200)]
    path = tmp_path / name
    path.write_bytes(b"the previous figure")
    monkeypatch.setattr(_files.os, "replace", _enospc)
    with pytest.raises(OSError):
        if name.endswith(".gif"):
            plots.animate(snaps, path)
        else:
            plots.sample_grid(np.zeros((4, 3, 3)), path)
    assert path.read_bytes() == b"the previous figure"
    assert _leftovers(tmp_path) == []


def test_writable_folder_check_names_the_reason(tmp_path, monkeypatch):
    assert _files.check_writable_folder(tmp_path / "new", "--out") == str(tmp_path / "new")
    assert os.listdir(tmp_path / "new") == []          # the probe is gone
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="--out: cannot make the folder"):
        _files.check_writable_folder(tmp_path / "file", "--out")

    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", path)

    monkeypatch.setattr(_files, "open", refuse, raising=False)
    with pytest.raises(ValueError, match="--out: cannot write in the folder .*Permission"):
        _files.check_writable_folder(tmp_path, "--out")
