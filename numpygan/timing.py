"""Timing for the benchmarks: contenders take turns, round after round.

A burst of load from elsewhere on a shared machine then slows every contender
alike, and the medians of the rounds compare like with like.
"""

from __future__ import annotations

import time

import numpy as np

from . import kernels

#: Seconds to pause before each contender's turn.  BLAS and OpenMP worker
#: threads spin on their cores for a while after a call, waiting for more work;
#: on a 2-core machine the next contender's threads would share the cores with
#: them (a parallel matmul run right after BLAS is slowed many times over; see
#: docs/PERFORMANCE.md).  A pause lets them go to sleep first.
SETTLE_S = 0.2
#: Seconds of untimed calls after the pause, before each contender's timed turn.
WARM_S = 0.05


def let_idle_threads_sleep():
    time.sleep(SETTLE_S)


def time_interleaved(contenders, iters, rounds=None, warmup=5):
    """Median microseconds per call of each contender.

    Inputs:
    - contenders: {name: (setup, fn)}; ``setup()`` runs before each of fn's turns
      (it selects the kernel backend), ``fn()`` is one iteration
    - iters: timed calls of each fn in all; split into ``rounds`` turns
    Returns {name: median over rounds of the time per call, in µs}.
    """
    rounds = rounds or max(1, min(iters, 15))
    per_round = max(1, iters // rounds)
    for setup, fn in contenders.values():
        setup()
        for _ in range(warmup):
            fn()
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (setup, fn) in contenders.items():
            setup()
            let_idle_threads_sleep()
            # then a few untimed calls: a core that idled through the pause runs
            # slowly at first (clock, caches), which would weigh most on whichever
            # contender's turn is shortest
            t_warm = time.perf_counter() + WARM_S
            while time.perf_counter() < t_warm:
                fn()
            t0 = time.perf_counter()
            for _ in range(per_round):
                fn()
            times[name].append((time.perf_counter() - t0) / per_round * 1e6)
    return {name: float(np.median(t)) for name, t in times.items()}


def race_backends(make, make_torch=None, iters=300, rounds=None, warmup=5):
    """Median µs per call of ``make()``'s iteration on each kernel backend, and of
    ``make_torch()``'s when given and PyTorch is installed, taking turns.

    ``make()`` is called once per backend, with that backend chosen, and returns the
    iteration to time.  Returns {"numpy": …, "numba": …, "torch": …} (what ran).
    """
    previous = kernels.get_backend()
    contenders = {}
    try:
        for name in ("numpy", "numba"):
            if name == "numba" and not kernels.HAVE_NUMBA:
                continue

            def setup(name=name):
                kernels.set_backend(name)

            setup()
            contenders[name] = (setup, make())
        if make_torch is not None:
            try:
                contenders["torch"] = (lambda: None, make_torch())
            except ImportError:
                pass
        return time_interleaved(contenders, iters, rounds=rounds, warmup=warmup)
    finally:
        kernels.set_backend(previous)


def ratios(times):
    """The time ratios the benchmarks report, from {"numpy", "numba", "torch": µs} (what ran):
    numba_over_numpy, numba_over_torch, numpy_over_torch (below 1: the first is faster)."""
    pairs = (("numba", "numpy"), ("numba", "torch"), ("numpy", "torch"))
    return {f"{a}_over_{b}": times[a] / times[b] for a, b in pairs if a in times and b in times}
