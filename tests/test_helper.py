"""The demo's helper process (``numpygan._helper``): it may make the demo faster, never
different.  The pictures it draws equal those drawn in the demo's own process; the
kernels it compiles are the ones the training then needs; a helper that dies or
cannot start leaves the work to the demo."""

import errno
import json
import os

import numpy as np
import pytest

from numpygan import _helper, kernels
from numpygan.__main__ import main

from fresh_python import run_python

RUN = ["--steps", "400", "--full", "--frames", "4", "--quiet", "--seed", "3"]


@pytest.fixture(autouse=True)
def _restore_backend():
    before = kernels.get_backend()   # main() switches the backend for the whole process
    yield
    kernels.set_backend(before)


def _demo(folder, monkeypatch, helper):
    if not helper:
        monkeypatch.setattr(_helper, "cores", lambda: 1)     # no second core: no helper
    helped = []
    start = _helper.Helper.start
    monkeypatch.setattr(_helper.Helper, "start",
                        lambda self, *a: helped.append(self.pool is not None) or start(self, *a))
    assert main([*RUN, "--out", str(folder)]) == 0
    monkeypatch.undo()
    assert helped == [helper]                   # the PNG was drawn by the helper, or here
    return {name: (folder / name).read_bytes() for name in
            ("gan_1d.png", "gan_1d.gif", "samples.npy", "history.npz")}


@pytest.mark.skipif(not _helper.can_help(), reason="no second core, or no fork, here")
def test_the_helper_changes_no_number_and_no_pixel(tmp_path, monkeypatch):
    """The same run with and without the helper: the same files, byte for byte (the PNG
    drawn in the helper, the GIF here; without it both here)."""
    with_helper = _demo(tmp_path / "with", monkeypatch, helper=True)
    without = _demo(tmp_path / "without", monkeypatch, helper=False)
    for name in with_helper:
        assert with_helper[name] == without[name], name
    summary = json.loads((tmp_path / "with" / "summary.json").read_text())
    assert summary["files"] == ["history.npz", "samples.npy", "gan_1d.gif", "gan_1d.png",
                                "summary.json"]


def _die_in_the_helper(parent):
    """Kill the process it runs in, unless that is ``parent``; there, answer."""
    if os.getpid() != parent:
        os._exit(3)
    return "done here"


def _fail_with_a_full_disk():
    raise OSError(errno.ENOSPC, "No space left on device")


def test_work_is_done_here_without_a_helper_or_when_it_dies():
    helper = _helper.Helper()
    try:
        wait = helper.start(_die_in_the_helper, os.getpid())
        assert wait() == "done here"
        assert helper.pool is None            # a dead helper is not asked again
        assert helper.start(pow, 2, 10)() == 1024
    finally:
        helper.close()


def test_a_helper_that_cannot_start_a_process_leaves_the_work_here(monkeypatch):
    helper = _helper.Helper()
    try:
        if helper.pool is not None:        # fork refused (a sandbox, no memory left)
            monkeypatch.setattr(helper.pool, "submit",
                                lambda *a: (_ for _ in ()).throw(OSError(errno.EAGAIN, "no")))
        helper.prepare(np.float64)         # nothing to wait for, nothing raised
        assert helper.start(pow, 3, 4)() == 81
        assert helper.pool is None
    finally:
        helper.close()


def test_an_error_in_the_helper_reaches_the_demo_whole():
    helper = _helper.Helper()
    try:
        with pytest.raises(OSError) as caught:
            helper.start(_fail_with_a_full_disk)()
        assert caught.value.errno == errno.ENOSPC
        assert caught.value.strerror == "No space left on device"
    finally:
        helper.close()


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="needs Numba")
def test_the_two_halves_leave_a_training_step_nothing_to_compile(tmp_path):
    """What the helper and the demo compile before step 1 is what a training step calls,
    with the argument types it calls it with: in a later process with the same cache, a
    step of the demo's game loads every kernel and compiles none (float32 and float64)."""
    cache = str(tmp_path / "cache")
    first = run_python(
        "import numpy as np\n"
        "from numpygan import _helper\n"
        "for dt in (np.float32, np.float64):\n"
        "    print(_helper.compile_forward_and_loss(dt) + _helper.compile_backward_and_adam(dt))\n",
        NUMBA_CACHE_DIR=cache)
    assert first.returncode == 0, first.stderr
    assert "mlp_backward" in first.stdout and "mlp_forward" in first.stdout
    second = run_python(
        "import numpy as np\n"
        "from numpygan.fast import jit_time\n"
        "from numpygan.gan import gan_1d\n"
        "from numpygan.distributions import Gaussian\n"
        "for dt in (np.float32, np.float64):\n"
        "    gan_1d(Gaussian(4, 1.25), hidden=8, d_hidden=16, dtype=dt).train(2)\n"
        "t = jit_time()\n"
        "print(t['compiled'], t['loaded'])\n",
        NUMBA_CACHE_DIR=cache)
    assert second.returncode == 0, second.stderr
    compiled, loaded = map(int, second.stdout.split())
    assert compiled == 0 and loaded >= 10, second.stdout


def test_float32_and_float64_games_are_what_they_say():
    from numpygan.distributions import Gaussian
    from numpygan.gan import gan_1d

    for dt in (np.float32, np.float64):
        gan = gan_1d(Gaussian(4, 1.25), hidden=4, d_hidden=8, dtype=dt)
        assert gan.G.dtype == dt and gan.D.dtype == dt and gan.dtype == dt
        assert all(p.dtype == dt for p in gan.G.params() + gan.D.params())
        gan.train(3)
        assert np.all(np.isfinite(gan.sample(5)))
    with pytest.raises(ValueError, match="float32 or float64"):
        gan_1d(Gaussian(4, 1.25), dtype=np.int32)


def _children(pid):
    """The pids whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(not _helper.can_help() or not os.path.isdir("/proc"),
                    reason="no helper here, or no /proc to look for it in")
def test_a_demo_killed_with_minus_9_leaves_no_helper_behind(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    from fresh_python import ROOT

    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
    demo = subprocess.Popen([sys.executable, "-m", "numpygan", "--quiet", "--out",
                             str(tmp_path)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not _children(demo.pid) and demo.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        helpers = _children(demo.pid)
        assert helpers, "the demo started no helper"
        demo.send_signal(signal.SIGKILL)
    finally:
        demo.wait(timeout=60)
    deadline = time.time() + 10
    while any(os.path.exists(f"/proc/{pid}") for pid in helpers) and time.time() < deadline:
        time.sleep(0.05)
    for pid in helpers:                 # gone, or a zombie nobody waits for any more
        try:
            with open(f"/proc/{pid}/stat") as f:
                assert f.read().rsplit(")", 1)[1].split()[0] == "Z", f"helper {pid} lives on"
        except FileNotFoundError:
            pass
