"""The backend switch, and the one factory that turns two twins into a public kernel.

Every teaching kernel exists twice: a NumPy twin (one line of array code) and a
Numba twin (the same computation as plain loops, compiled by ``numba.njit``).
``set_backend("numba" | "numpy")`` chooses which twin the public functions call;
``backend(name)`` does the same for a ``with`` block and restores the previous
choice afterwards.  The environment variable ``NUMPYGAN_BACKEND`` sets the
starting choice (default: numba, or numpy when Numba is missing).
"""

from __future__ import annotations

import contextlib
import functools
import os
import warnings

BACKENDS = ("numba", "numpy")

try:  # pragma: no cover - exercised by whichever environment runs the tests
    import numba
    from numba import njit, prange

    HAVE_NUMBA = True
    NUMBA_IMPORT_ERROR = None
    _TypingError = numba.core.errors.TypingError
except Exception as exc:  # pragma: no cover - numba missing or broken
    numba = None
    HAVE_NUMBA = False
    NUMBA_IMPORT_ERROR = exc
    _TypingError = ()  # catches nothing

    def njit(*args, **kwargs):
        """Stand-in decorator when Numba is missing: returns the function as is."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f

    prange = range

#: The options every numpygan kernel is compiled with:
#:   cache=True              the compiled code is saved on disk; the next process loads it
#:   error_model="numpy"     x / 0 gives ±inf or NaN as in NumPy, not an exception; one
#:                           model for all kernels also lets Numba compile the helpers
#:                           they share (np.empty, ...) once
#:   no_cfunc_wrapper=True   no C-callable twin of each kernel, which nothing here calls
JIT_OPTIONS = dict(cache=True, error_model="numpy", no_cfunc_wrapper=True)


def jit(fn):
    """``numba.njit(**JIT_OPTIONS)(fn)``; fn itself without Numba."""
    return njit(**JIT_OPTIONS)(fn)


def _initial_backend() -> str:
    requested = os.environ.get("NUMPYGAN_BACKEND", "").strip().lower()
    if requested and requested not in BACKENDS:
        warnings.warn(
            f"NUMPYGAN_BACKEND={requested!r} is not one of {BACKENDS}; "
            f"using {'numba' if HAVE_NUMBA else 'numpy'}.",
            stacklevel=3,
        )
        requested = ""
    return "numba" if HAVE_NUMBA and requested != "numpy" else "numpy"


class _State:
    """The one piece of module-level mutable state in numpygan: which twin runs."""
    name = _initial_backend()
    numba = name == "numba"   # a plain bool, so the hot path tests it without a compare
    # Numba missing and nobody chose NumPy: say so once, when the default is first used
    # (a program that chooses "numpy" itself, as the CLI does, is never told)
    untold = not HAVE_NUMBA and os.environ.get("NUMPYGAN_BACKEND", "").strip().lower() != "numpy"


STATE = _State()


def tell_once():
    """The one-line note that Numba is missing, the first time the default backend is used."""
    if STATE.untold:
        STATE.untold = False
        warnings.warn_explicit(
            f"Numba could not be imported ({NUMBA_IMPORT_ERROR}); numpygan runs on its NumPy "
            "kernels instead (same numbers, slower on small nets)",
            RuntimeWarning, filename="numpygan", lineno=0)


def get_backend() -> str:
    """Return the name of the kernel backend in use: ``"numba"`` or ``"numpy"``."""
    if STATE.untold:
        tell_once()
    return STATE.name


def set_backend(name: str) -> str:
    """Choose the kernel backend; returns the previous one.

    Inputs:
    - name: ``"numba"`` (jitted loops) or ``"numpy"`` (array calls).
    """
    if not isinstance(name, str) or name.lower() not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {name!r}")
    name = name.lower()
    if name == "numba" and not HAVE_NUMBA:
        raise ValueError(
            f"backend 'numba' requested but Numba could not be imported "
            f"({NUMBA_IMPORT_ERROR}); install numba or use 'numpy'"
        )
    previous = STATE.name
    STATE.name, STATE.numba, STATE.untold = name, name == "numba", False
    return previous


@contextlib.contextmanager
def backend(name: str):
    """Run a ``with`` block on the given backend, then restore the previous one."""
    previous = set_backend(name)
    try:
        yield STATE.name
    finally:
        set_backend(previous)


def num_threads() -> int:
    """Threads the parallel Numba kernels use (1 without Numba)."""
    return numba.get_num_threads() if HAVE_NUMBA else 1


def make_kernel(np_twin, nb_twin, check):
    """The public kernel built from its two twins and its one check.

    ``check(*args)`` raises a ValueError naming what is wrong (a compiled loop
    given a wrong shape would read out of bounds); then the twin of the current
    backend runs.  The result keeps both twins as ``.numpy`` and ``.numba``, so
    a test or a lesson can call either one directly, the check as ``.check``, and
    ``.run``: the backend's twin without the check, for a caller (a layer, the
    optimizer) that has already checked what it passes.
    """
    @functools.wraps(np_twin)
    def kernel(*args):
        check(*args)
        if STATE.untold:
            tell_once()
        if STATE.numba:
            try:
                return nb_twin(*args)
            except _TypingError as exc:   # a type the checks let through, Numba cannot compile
                raise ValueError(f"{kernel.__name__}: Numba cannot compile for these "
                                 f"arguments ({exc.__class__.__name__}); "
                                 "use set_backend('numpy')") from None
        return np_twin(*args)

    def run(*args):
        """The kernel without its check, for a caller that has checked the arguments."""
        return nb_twin(*args) if STATE.numba else np_twin(*args)

    kernel.__name__ = kernel.__qualname__ = np_twin.__name__.replace("_np_", "", 1)
    kernel.numpy, kernel.numba, kernel.check, kernel.run = np_twin, nb_twin, check, run
    return kernel
