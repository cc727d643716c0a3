"""What Numba has spent compiling numpygan's kernels, and loading them from its cache.

Numba announces its work as events: "numba:compile" around each kernel it
compiles (a kernel that calls another compiles it inside its own event), and
"numba:compiler_lock" around everything it does under its compiler lock, cache
lookups, loads and saves included.  Timing only the outermost event of each kind
gives the seconds spent compiling, and the lock's seconds outside compiling: the
cache's.  Nothing here runs while compiled kernels merely run.
"""

from __future__ import annotations

import sys
import time

from ..kernels.switch import HAVE_NUMBA, numba

_KINDS = ("numba:compile", "numba:compiler_lock")


class _Clock:
    """Seconds inside the outermost event of each kind (nested events count once)."""

    def __init__(self):
        self.seconds = dict.fromkeys(_KINDS, 0.0)
        self._depth = dict.fromkeys(_KINDS, 0)
        self._start = {}

    def on_start(self, kind):
        self._depth[kind] += 1
        if self._depth[kind] == 1:
            self._start[kind] = time.perf_counter()

    def on_end(self, kind):
        self._depth[kind] -= 1
        if self._depth[kind] == 0:
            self.seconds[kind] += time.perf_counter() - self._start.pop(kind)


CLOCK = _Clock()

if HAVE_NUMBA:  # pragma: no branch
    class _Listener(numba.core.event.Listener):
        """Hands Numba's compile and compiler-lock events to the clock."""

        def on_start(self, event):
            CLOCK.on_start(event.kind)

        def on_end(self, event):
            CLOCK.on_end(event.kind)

    for _kind in _KINDS:
        numba.core.event.register(_kind, _Listener())


def _dispatchers():
    """Every compiled kernel object in numpygan's modules, once each."""
    seen = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("numpygan.") and module is not None:
            for obj in list(vars(module).values()):
                if isinstance(obj, numba.core.registry.CPUDispatcher):
                    seen[id(obj)] = obj
    return seen.values()


def jit_time() -> dict:
    """What Numba has spent on kernels in this process so far.

    Returns a dict:
    - "compiled": how many versions of numpygan's kernels were compiled (a
      kernel compiles once per argument types: float64 and float32 are two)
    - "loaded": how many were loaded from Numba's on-disk cache instead
    - "compile_s": seconds spent compiling (any kernel, numpygan's or not)
    - "cache_s": seconds spent on the cache: loading kernels from it, or, in a
      process that compiles, looking for them there and saving them
    All zero without Numba or with ``NUMBA_DISABLE_JIT=1``.
    """
    compiled = loaded = 0
    for kernel in (_dispatchers() if HAVE_NUMBA else ()):
        compiled += sum(kernel.stats.cache_misses.values())
        loaded += sum(kernel.stats.cache_hits.values())
    compile_s = CLOCK.seconds["numba:compile"]
    return {"compiled": compiled, "loaded": loaded, "compile_s": compile_s,
            "cache_s": max(0.0, CLOCK.seconds["numba:compiler_lock"] - compile_s)}
