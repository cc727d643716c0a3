"""Run a snippet in a fresh Python process that imports this checkout's numpygan (the
backend switch, Numba's cache and import-time notes need a process of their own)."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, **env):
    """``python -c code`` with numpygan from this checkout and ``env`` added (NUMPYGAN_BACKEND
    cleared unless given); returns the CompletedProcess, output captured as text."""
    full = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    full.pop("NUMPYGAN_BACKEND", None)
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                          text=True, timeout=300)
