"""``python -m numpygan.notebooks DIR``: each lesson as a Jupyter notebook, cell for cell.

A lesson (``lessons/NN_*.py``) is a script split into cells by ``# %%`` lines (the
"percent" format that VS Code and jupytext read):

    \"\"\"Lesson 01 — ...\"\"\"          the docstring       -> a markdown cell
    # %%                                 a code cell         -> a code cell
    # %% [markdown]                      "# " comment lines  -> a markdown cell
    # ## 1. Sampling p_data ...

``lesson_cells`` splits a lesson this way (plain Python); ``write_notebooks`` writes
each lesson as ``DIR/NN_*.ipynb`` with nbformat (validated, atomically), behind one
first code cell that puts the lesson's folder on ``sys.path`` so ``import _lesson``
(and through it ``numpygan``) works from DIR.  ``--execute`` also runs each notebook
with nbclient (a kernel: ``pip install nbclient ipykernel``).  nbformat and nbclient
are optional: without them this says what to install, in one line.
"""

from __future__ import annotations

import argparse
import ast
import glob
import os
import sys

from ._files import atomic_path

LESSONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lessons")


def lesson_cells(text):
    """[(kind, source)] of a lesson's text, kind "markdown" or "code", in order.

    The module docstring becomes the first markdown cell; each ``# %%`` line starts a
    code cell and each ``# %% [markdown]`` line a markdown cell (its "# " prefixes
    dropped); the ``# %%`` lines themselves are not kept.
    """
    lines = text.splitlines()
    cells, kind, body = [], "code", []
    tree = ast.parse(text)
    doc_end = 0
    if tree.body and isinstance(tree.body[0], ast.Expr) and \
            isinstance(tree.body[0].value, ast.Constant) and isinstance(tree.body[0].value.value, str):
        cells.append(("markdown", ast.get_docstring(tree, clean=True)))
        doc_end = tree.body[0].end_lineno

    def flush():
        src = "\n".join(body).strip("\n")
        if src.strip():
            if kind == "markdown":
                src = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in
                                src.splitlines())
            cells.append((kind, src))

    for line in lines[doc_end:]:
        marker = line.strip()
        if marker == "# %%" or marker.startswith("# %% "):
            flush()
            kind, body = ("markdown" if "[markdown]" in marker else "code"), []
        else:
            body.append(line)
    flush()
    return cells


def _setup_cell(lessons_dir):
    return ("# Run from this notebook's folder: find the lesson's helper (_lesson.py), and\n"
            "# through it numpygan, in the repository's lessons/ folder.\n"
            "import sys\n"
            f"sys.path.insert(0, {lessons_dir!r})")


def _need(module, what):
    try:
        return __import__(module)
    except ImportError:
        raise SystemExit(f"python -m numpygan.notebooks: {what} needs {module}: "
                         f"pip install {module}") from None


def lesson_notebook(path):
    """An nbformat v4 notebook of the lesson at ``path`` (nbformat must be installed)."""
    nbformat = _need("nbformat", "writing notebooks")
    from nbformat import v4

    with open(path, encoding="utf-8") as f:
        cells = lesson_cells(f.read())
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells.append(v4.new_code_cell(_setup_cell(os.path.dirname(os.path.abspath(path)))))
    for kind, source in cells:
        nb.cells.append(v4.new_markdown_cell(source) if kind == "markdown"
                        else v4.new_code_cell(source))
    nbformat.validate(nb)
    return nb


def _write_atomic(nb, path):
    """Write the notebook ``nb`` to ``path`` atomically (``_files.atomic_path``)."""
    import nbformat

    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)


def write_notebooks(out_dir, lessons=None, execute=False, stream=sys.stdout):
    """Write each lesson as ``out_dir/<lesson>.ipynb``; return the paths written."""
    paths = lessons or sorted(glob.glob(os.path.join(LESSONS, "[0-9][0-9]_*.py")))
    if not paths:
        raise SystemExit(f"python -m numpygan.notebooks: no lessons found in {LESSONS}: run "
                         "it from a clone of the repository")
    _need("nbformat", "writing notebooks")
    if execute:
        _need("nbclient", "--execute")
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for path in paths:
        nb = lesson_notebook(path)
        target = os.path.join(out_dir, os.path.basename(path)[:-3] + ".ipynb")
        if execute:
            from nbclient import NotebookClient
            NotebookClient(nb, timeout=600, resources={"metadata": {"path": out_dir}}).execute()
        _write_atomic(nb, target)
        written.append(target)
        print(f"{target}: {len(nb.cells)} cells", file=stream)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numpygan.notebooks",
                                     description="Write each lesson as a Jupyter notebook.")
    parser.add_argument("dir", metavar="DIR", help="folder for the .ipynb files")
    parser.add_argument("--execute", action="store_true",
                        help="also run each notebook (needs nbclient and ipykernel)")
    args = parser.parse_args(argv)
    write_notebooks(args.dir, execute=args.execute)
    return 0


if __name__ == "__main__":
    sys.exit(main())
