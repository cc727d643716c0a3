"""Remake every figure in docs/ from the code that draws it: one command, no hand edits.

    python lessons/make_docs_figures.py              # all of them (a few minutes)
    python lessons/make_docs_figures.py --only 06 09 # some: lesson numbers, or "demo"

Each figure comes from a full run with seed 0 — the demo (``python -m numpygan``) and
lessons 03, 06, 08, 09 and 12 — into a temporary folder; only a run that exits 0 (all
its CHECKs ok) has its figure copied into docs/.  Lesson 12 shows scikit-learn's digits
(the README says so): without scikit-learn its figure is left as it is, and this says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

LESSONS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(LESSONS_DIR)
DOCS = os.path.join(ROOT, "docs")
sys.path.insert(0, ROOT)            # numpygan from this checkout, installed or not
from numpygan._files import atomic_path  # noqa: E402

# name -> (the command after "python", the figure it writes, which is also its name in docs/)
JOBS = {
    "demo": (["-m", "numpygan", "--no-gif", "--quiet"], "gan_1d.png"),
    "03": (["lessons/03_discriminator_as_classifier.py", "--seed", "0"], "03_d_vs_dstar.png"),
    "06": (["lessons/06_convergence_in_1d.py", "--seed", "0"], "06_figure1.png"),
    "08": (["lessons/08_balance_and_dynamics.py", "--seed", "0"], "08_game_dynamics.png"),
    "09": (["lessons/09_mode_collapse.py", "--seed", "0"], "09_ring_samples.png"),
    "12": (["lessons/12_beyond_1d_images.py", "--seed", "0"], "12_real_vs_generated.png"),
}


def _copy_atomically(src, dst):
    """Copy src to dst through a temporary file beside dst (numpygan's atomic writes)."""
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(JOBS), metavar="NAME",
                        help=f"remake only these ({', '.join(sorted(JOBS))})")
    args = parser.parse_args(argv)
    names = args.only or sorted(JOBS)
    env = dict(os.environ, MPLBACKEND="Agg")
    failed = []
    for name in names:
        if name == "12" and importlib.util.find_spec("sklearn") is None:
            print("12: scikit-learn is not installed; docs/12_real_vs_generated.png shows the "
                  "digits, so it is left as it is (pip install scikit-learn to remake it)")
            continue
        command, figure = JOBS[name]
        with tempfile.TemporaryDirectory() as out:
            print(f"{name}: python {' '.join(command)} --out TMP", flush=True)
            run = subprocess.run([sys.executable, *command, "--out", out], cwd=ROOT, env=env,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                print(f"{name}: exited {run.returncode}; docs/{figure} left as it is\n"
                      + (run.stdout + run.stderr)[-2000:], flush=True)
                failed.append(name)
                continue
            _copy_atomically(os.path.join(out, figure), os.path.join(DOCS, figure))
            print(f"{name}: wrote docs/{figure}", flush=True)
    if failed:
        print(f"not remade (a run failed): {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
