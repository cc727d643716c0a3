"""python -m numpygan.notebooks: each lesson's # %% cells become the notebook's cells.

The cell splitting is plain Python and always tested; writing the .ipynb needs
nbformat (optional), and that test skips cleanly without it.
"""

import json
import os
import sys

import pytest

from numpygan import notebooks

LESSON = os.path.join(notebooks.LESSONS, "01_data_and_noise.py")


def _markers(text):
    return [l.strip() for l in text.splitlines() if l.strip().startswith("# %%")]


def test_lesson_cells_follow_the_percent_markers():
    text = open(LESSON, encoding="utf-8").read()
    cells = notebooks.lesson_cells(text)
    markers = _markers(text)
    assert cells[0][0] == "markdown" and cells[0][1].startswith("Lesson 01")
    assert [k for k, _ in cells[1:]] == ["markdown" if "[markdown]" in m else "code"
                                        for m in markers]
    code = "\n".join(src for kind, src in cells if kind == "code")
    assert "# %%" not in code and "args, check = _lesson.start(__doc__)" in code
    assert "check.finish()" in cells[-1][1]
    md = [src for kind, src in cells[1:] if kind == "markdown"]
    assert md[0].startswith("## 1. Sampling p_data and p_z") and not any(
        l.startswith("# ") for s in md for l in s.splitlines())


def test_every_lesson_splits_into_cells():
    import glob

    for path in sorted(glob.glob(os.path.join(notebooks.LESSONS, "[0-9][0-9]_*.py"))):
        text = open(path, encoding="utf-8").read()
        cells = notebooks.lesson_cells(text)
        assert len(cells) == len(_markers(text)) + 1, path


def test_export_one_lesson_as_a_notebook(tmp_path):
    pytest.importorskip("nbformat")
    (path,) = notebooks.write_notebooks(str(tmp_path), lessons=[LESSON], stream=sys.stderr)
    assert os.path.basename(path) == "01_data_and_noise.ipynb"
    nb = json.load(open(path, encoding="utf-8"))
    assert nb["nbformat"] == 4
    cells = nb["cells"]
    want = notebooks.lesson_cells(open(LESSON, encoding="utf-8").read())
    assert cells[0]["cell_type"] == "code" and "sys.path.insert" in "".join(cells[0]["source"])
    assert [c["cell_type"] for c in cells[1:]] == [k for k, _ in want]
    assert ["".join(c["source"]) for c in cells[1:]] == [s for _, s in want]


def test_missing_nbformat_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nbformat", None)          # import nbformat fails
    with pytest.raises(SystemExit) as exc:
        notebooks.main([str(tmp_path)])
    message = str(exc.value)
    assert "pip install nbformat" in message and "\n" not in message
