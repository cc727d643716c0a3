"""The demo's second core: one helper process that works beside the training.

``python -m numpygan`` trains on one core.  On a machine with two or more, it
starts one helper process (a fork of itself, so it starts in milliseconds and
knows everything the demo has imported) before step 1, and gives it work that
would otherwise wait in line:

1. **Compiling.**  A first run has no compiled kernels in Numba's on-disk cache.
   Before step 1 the helper compiles the forward half of a step's kernels (the
   input check, the whole-network forward, D's loss) while the demo compiles the
   backward half (the whole-network backward, Adam): two cores compile at once,
   and both halves land in the cache, where the training finds them.  With a
   warm cache the demo does not wait for the helper: it loads what is there.
2. **Pictures.**  Next the helper imports matplotlib and draws a first small
   figure (which loads the fonts), while the training runs.  After the last step
   the helper draws ``gan_1d.png`` from the snapshots and the history while the
   demo draws ``gan_1d.gif``: two cores, two pictures.

Nothing here changes a number: the helper draws what it is given, and a kernel
loaded from the cache is the kernel compiled.  Off Linux (Windows has no ``fork``,
and on macOS forking a process that has loaded system frameworks is unsafe),
without a second core, in a process that already runs threads, or if the helper
dies, everything is done in the demo's own process, as before.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
from concurrent.futures.process import BrokenProcessPool
import os
import signal
import sys
import threading

import numpy as np


def cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # not Linux
        return os.cpu_count() or 1


_PR_SET_PDEATHSIG = 1     # prctl(2): the signal this process gets when its parent dies


def _start_helper(parent):
    """In the helper, first: Ctrl-C is the demo's to handle, and the helper ends when
    the demo does, however it ends (a demo killed with -9 leaves no helper behind)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:      # the demo ended before the line above
        os._exit(0)


def compile_forward_and_loss(dtype):
    """Compile (or load from the cache) the kernels of a training step's forward half,
    on arrays of the types the step passes them: the input check, the whole-network
    forward and the logistic loss on logits.  Returns their names."""
    from . import kernels, losses
    from .network import mlp

    if kernels.get_backend() != "numba":
        return []
    net = mlp([1, 2, 1], rng=np.random.default_rng(0), dtype=dtype)     # 1 → 2 → 1
    logits = net.forward(np.zeros((4, 1), dtype=net.dtype))             # (N, 1) -> (N, 1)
    losses.discriminator_loss_and_means(logits[:2], logits[2:])
    return ["all_finite", "mlp_forward", "bce_logits"]


def compile_backward_and_adam(dtype):
    """Compile (or load) the kernels of a training step's backward half, on arrays of
    the types the step passes them: the whole-network backward, and Adam on a flat
    parameter array.  Returns their names."""
    from . import kernels
    from .fast.mlp import N_OUT, OUT_AT, mlp_backward
    from .network import mlp
    from .optim import Adam

    if kernels.get_backend() != "numba":
        return []
    net = mlp([1, 2, 1], rng=np.random.default_rng(0), dtype=dtype)     # 1 → 2 → 1
    n = 2
    x = np.zeros((n, 1), dtype=net.dtype)                                # (N, 1)
    plan, alphas = net._whole.plan, net._whole.alphas
    acts = np.zeros(n * int(plan[-1, OUT_AT] + plan[-1, N_OUT]), dtype=net.dtype)
    mlp_backward(x, np.ones((n, 1), dtype=net.dtype), net.theta, net.grad, plan, alphas,
                 acts, input_grad=True, check=False)
    Adam(1e-3).step(net.params(), net.grads())
    return ["mlp_backward", "adam_update"]


def _import_plots():
    """In the helper, while the training runs: matplotlib imported, and one small
    figure with text drawn (a first drawing loads the fonts), ready for the pictures."""
    from . import plots

    fig = plots.Figure(figsize=(2, 1), dpi=50)
    plots.FigureCanvasAgg(fig)
    fig.add_subplot().set_title("p_g, D(x)")
    fig.canvas.draw()
    return True


def draw_summary(snaps, history, path, title):
    """``plots.summary_figure``, importing plots where it runs (the helper, or here)."""
    from . import plots
    return plots.summary_figure(snaps, history, path, title=title)


def draw_animation(snaps, path):
    """``plots.animate``, importing plots where it runs."""
    from . import plots
    return plots.animate(snaps, path)


def can_help() -> bool:
    """Linux (where ``fork`` is the usual way to start a process), a second core, and
    no other thread in this process (forking one is unsafe): then a helper can start."""
    return (sys.platform.startswith("linux") and cores() >= 2
            and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


class Helper:
    """One helper process, or none (``.pool is None``) where it cannot help."""

    def __init__(self):
        self.pool = None
        if not can_help():
            return
        try:
            self.pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork"),
                initializer=_start_helper, initargs=(os.getpid(),))
        except (OSError, RuntimeError, ValueError):   # no processes to be had here
            self.pool = None

    def prepare(self, dtype):
        """Before step 1.  On the Numba backend the helper compiles the forward half of a
        step's kernels while this process compiles the backward half; both land in
        Numba's cache, where the training finds them.  Then, while the training runs,
        the helper imports matplotlib for the pictures."""
        if self.pool is None:
            return
        try:
            forward = self.pool.submit(compile_forward_and_loss, np.dtype(dtype))
            self.pool.submit(_import_plots)
        except (OSError, RuntimeError, BrokenProcessPool):
            self.close()
            return
        from .fast import jit_time

        before = jit_time()["compiled"]
        compile_backward_and_adam(dtype)
        if jit_time()["compiled"] == before:
            return                 # a warm cache: the training loads the rest itself
        try:
            forward.result()       # a cold one: the helper's half is worth waiting for
        except Exception:          # the training compiles what the helper could not
            self.close()

    def start(self, fn, *args):
        """Start ``fn(*args)`` in the helper if there is one; returns ``wait()``, which
        gives its result and raises what it raised (an OSError keeps its errno and
        message).  Without a helper, or if it died, ``wait()`` runs ``fn`` here."""
        future = None
        if self.pool is not None:
            try:
                future = self.pool.submit(fn, *args)
            except (OSError, RuntimeError, BrokenProcessPool):   # no process to be had
                self.close()

        def wait():
            if future is not None:
                try:
                    return future.result()
                except BrokenProcessPool:
                    self.close()                      # the helper died: do it here
            return fn(*args)
        return wait

    def close(self):
        """End the helper: work not begun is cancelled, work under way is let finish
        (a shutdown that does not wait can fail at exit with a closed pipe)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None
