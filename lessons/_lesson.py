"""What every lesson shares: its command line, its CHECK lines, and headless figures.

A lesson starts with

    import _lesson
    args, check = _lesson.start(__doc__)

which makes ``import numpygan`` work from the repository root or from
``lessons/`` (without installing anything), parses ``--quick --seed --out``,
switches Matplotlib to a file-only backend when there is no display, and
returns a ``Checks`` object.  Each claim the lesson makes is printed as

    CHECK <what>: <measured> (expect <range>) ok        (or ... FAIL)

and ``check.finish()`` exits with status 1 when any check failed.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

LESSONS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(LESSONS_DIR)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("MPLBACKEND", "Agg")


class Checks:
    """Collects a lesson's claims; each is printed as a CHECK line when made."""

    def __init__(self):
        self.results = []

    def _line(self, what, measured, expect, ok):
        status = "ok" if ok else "FAIL"
        print(f"CHECK {what}: {measured} (expect {expect}) {status}", flush=True)
        self.results.append((what, ok))
        return ok

    def between(self, what, value, lo, hi, fmt=".4g"):
        """Claim lo <= value <= hi."""
        value = float(value)
        ok = math.isfinite(value) and lo <= value <= hi
        return self._line(what, format(value, fmt), f"in [{lo:{fmt}}, {hi:{fmt}}]", ok)

    def below(self, what, value, hi, fmt=".4g"):
        """Claim value < hi."""
        value = float(value)
        ok = math.isfinite(value) and value < hi
        return self._line(what, format(value, fmt), f"< {hi:{fmt}}", ok)

    def above(self, what, value, lo, fmt=".4g"):
        """Claim value > lo."""
        value = float(value)
        ok = math.isfinite(value) and value > lo
        return self._line(what, format(value, fmt), f"> {lo:{fmt}}", ok)

    def close(self, what, value, target, tol, fmt=".6g"):
        """Claim |value − target| <= tol."""
        value = float(value)
        ok = math.isfinite(value) and abs(value - target) <= tol
        return self._line(what, format(value, fmt), f"{target:{fmt}} ± {tol:.2g}", ok)

    def true(self, what, condition, measured="yes", expect="yes"):
        """Claim a yes/no fact."""
        return self._line(what, measured if condition else (measured if measured != "yes" else "no"),
                          expect, bool(condition))

    @property
    def failed(self):
        return [what for what, ok in self.results if not ok]

    def finish(self):
        """Print the tally; exit 1 if any check failed (0 otherwise)."""
        n = len(self.results)
        if self.failed:
            print(f"\n{len(self.failed)} of {n} checks FAILED: {', '.join(self.failed)}")
            sys.exit(1)
        print(f"\nall {n} checks ok")
        sys.exit(0)


def start(doc, argv=None, quick_help="a short run for tests (seconds)"):
    """Parse the lesson's flags and return (args, Checks()).

    Flags: --quick, --seed N, --out DIR (default lessons/out/).  The first line
    of the lesson's docstring is its description in --help.
    """
    title = (doc or "").strip().splitlines()[0] if doc else ""
    parser = argparse.ArgumentParser(description=title)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", default=os.path.join(LESSONS_DIR, "out"),
                        help="folder for figures (default lessons/out/)")
    if argv is None and "ipykernel" in sys.modules:
        argv = []  # run as a notebook (jupytext): the kernel's own argv (-f ...) is not ours
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    os.makedirs(args.out, exist_ok=True)
    return args, Checks()


def savefig(fig, args, name):
    """Save a figure into --out, close it, and say where it went."""
    import matplotlib.pyplot as plt

    path = os.path.join(args.out, name)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    rel = os.path.relpath(path)
    # a path inside the current folder reads best relative; one outside, absolute
    print(f"figure: {os.path.abspath(path) if rel.startswith(os.pardir) else rel}")
    return path
