"""``python -m numpygan.exercises handout DIR``: the exercises for students, without solutions.

DIR receives

    README.md                  what to run
    ex01_sigmoid_bce.py ...    the nine skeletons (same file and function names as in
                               lessons/exercises/), each checking itself when run
    checker/                   the checks (engine.py and one module per exercise, the
                               same code the repository runs), the hand-out's ex06/ex07
                               pieces built on the student's own answers, and
    checker/data/*.npz         each exercise's inputs, reference outputs and the outputs
                               of its known mistakes, computed now from the library

and nothing that solves an exercise: no library, no ``solutions.py``, no ``*_data.py``.
The skeletons come from git's copy of ``lessons/exercises/`` when the repository is a
git checkout (so a teacher's filled-in working copy is not handed out), and every
function the student writes must still raise NotImplementedError.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess

import numpy as np

from .._files import atomic_path
from . import JUDGES, data

HERE = os.path.dirname(os.path.abspath(__file__))
LIBRARY = os.path.dirname(HERE)

#: the checker's modules: (source in numpygan/, name in the hand-out's checker/)
CHECKER_FILES = [("exercises/handout_main.py", "__init__.py"),
                 ("exercises/engine.py", "engine.py"), ("gradcheck.py", "gradcheck.py"),
                 ("exercises/student_losses.py", "student_losses.py"),
                 ("exercises/student_network.py", "student_network.py")] + \
    [(f"exercises/{module}.py", f"{module}.py") for _, module, _, _ in JUDGES.values()]

README = """# GAN exercises

Nine exercises, in order: each file holds the function(s) you write (they raise
`NotImplementedError` until you do), with the math and the shapes in its docstring.
Run a file to check your answer:

```bash
python ex03_dense_backward.py
```

Each check prints `PASS`, or `FAIL` with a hint naming the mistake it recognises;
the exit status is 0 when every check passed.  You need Python 3.9+ and NumPy
(`pip install numpy`); ex08 also uses Numba when installed (`pip install numba`),
and runs as plain Python without it.

| file | you write |
| --- | --- |
| `ex01_sigmoid_bce.py` | `sigmoid(a)`, `bce_with_logits(logits, targets)` |
| `ex02_leaky_relu.py` | `leaky_relu_forward(x, alpha)`, `leaky_relu_backward(x, dout, alpha)` |
| `ex03_dense_backward.py` | `dense_forward(x, W, b)`, `dense_backward(dout, x, W)` |
| `ex04_adam.py` | `adam_update(theta, grad, m, v, t, lr, beta1, beta2, eps)` |
| `ex05_optimal_discriminator.py` | `optimal_discriminator(p_data, p_g)` |
| `ex06_discriminator_step.py` | `d_step(D, d_opt, x_real, x_fake)` |
| `ex07_generator_step.py` | `g_step(G, D, g_opt, z)` |
| `ex08_numba_matmul.py` | `matmul(x, W)` in three loops |
| `ex09_conv_backward.py` | `conv2d_backward(dout, x, W, stride, padding)`: a convolution's dx, dW, db |

**ex06 and ex07 build on your earlier answers.**  Their networks are made of your
ex02 LeakyReLU and ex03 Dense layers, trained with your ex04 Adam on your ex01 loss
(`checker/student_network.py`, `checker/student_losses.py`); ex07's short game also
trains D with your ex06.  So ex01–ex04 must pass before ex06 is checked, and ex06
before ex07's game: the checker says so when one does not.

Hand in your edited `exNN_*.py` files, with these names.  The folder `checker/`
holds the checks and the numbers they compare with (`checker/data/*.npz`); leave it
as it is.
"""


class HandoutError(ValueError):
    """The hand-out cannot be made (DIR not empty, skeletons not found or filled in)."""


def _skeleton_dir():
    for root in (os.path.dirname(LIBRARY), os.getcwd()):
        path = os.path.join(root, "lessons", "exercises")
        if os.path.isdir(path):
            return path
    raise HandoutError("the skeletons (lessons/exercises/ex*.py) were not found: run this "
                       "from a clone of the numpygan repository")


def pristine_text(path):
    """The committed version of a skeleton (``git show HEAD:...``), else the file itself."""
    folder = os.path.dirname(path)
    try:
        rel = subprocess.run(["git", "ls-files", "--full-name", os.path.basename(path)],
                             cwd=folder, capture_output=True, text=True, timeout=30).stdout.strip()
        if rel:
            shown = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=folder,
                                   capture_output=True, text=True, timeout=30)
            if shown.returncode == 0:
                return shown.stdout
    except (OSError, subprocess.SubprocessError):
        pass
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_unwritten(text, filename, names):
    """Raise when a function the student writes does not just raise NotImplementedError."""
    tree = ast.parse(text, filename)
    found = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    for name in names:
        node = found.get(name)
        body = [s for s in (node.body if node else []) if not (
            isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]   # the docstring
        raises = (len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError"
                  in ast.dump(body[0]))
        if not raises:
            raise HandoutError(f"{filename}: {name}() is not the unwritten skeleton (it must "
                               "only raise NotImplementedError): the hand-out would give out "
                               "its answer. Restore the file (git checkout) and try again")


def skeleton_for_handout(text):
    """A repository skeleton, rewritten to find its checker in the hand-out's folder."""
    repo_path = 'sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), ' \
                '"..", "..")))'
    if repo_path not in text:
        raise HandoutError("a skeleton no longer puts the repository on sys.path as expected")
    text = text.replace(repo_path, "sys.path.insert(0, os.path.dirname(os.path.abspath("
                                   "__file__)))   # finds checker/ and your other answers")
    text = text.replace("from numpygan import losses", "from checker import losses")
    text = text.replace("    from numpygan import exercises\n\n    exercises.run(",
                        "    import checker\n\n    checker.run(")
    text = re.sub(r"python lessons/exercises/(ex\d\d_\w+\.py)", r"python \1", text)
    text = re.sub(r"\n*\(Reference: [^)]*\)\.?\n", "\n", text)
    if "numpygan" in re.sub(r'"""[\s\S]*?"""', "", text):
        raise HandoutError("a skeleton still imports numpygan after rewriting")
    return text


def _write_bytes(path, write):
    """Write a file atomically (``_files.atomic_path``): ``write(f)`` fills it."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        write(f)


def write_text(path, text):
    _write_bytes(path, lambda f: f.write(text.encode("utf-8")))


def write_handout(out_dir, stream=None):
    """Write the hand-out into ``out_dir`` (created; must be empty if it exists)."""
    say = (lambda line: print(line, file=stream, flush=True)) if stream else (lambda line: None)
    if os.path.exists(out_dir) and (not os.path.isdir(out_dir) or os.listdir(out_dir)):
        raise HandoutError(f"{out_dir} exists and is not an empty folder: choose a new one")
    skeletons = _skeleton_dir()
    texts = {}
    for name, (_, _, filename, _) in JUDGES.items():
        text = pristine_text(os.path.join(skeletons, filename))
        from .handout_main import EXERCISES as table     # the function names of each
        check_unwritten(text, filename, table[name][2])
        texts[filename] = skeleton_for_handout(text)
    os.makedirs(os.path.join(out_dir, "checker", "data"), exist_ok=True)
    for filename, text in texts.items():
        write_text(os.path.join(out_dir, filename), text)
    for source, target in CHECKER_FILES:
        with open(os.path.join(LIBRARY, source), encoding="utf-8") as f:
            text = f.read().replace("from ..gradcheck import", "from .gradcheck import")
        if re.search(r"^\s*(from \.\.|import numpygan|from numpygan)", text, re.M):
            raise HandoutError(f"{source} reaches into the library: it cannot go in a hand-out")
        write_text(os.path.join(out_dir, "checker", target), text)
    for name in JUDGES:
        say(f"  reference data for {name} ...")
        arrays = dict(data(name))
        _write_bytes(os.path.join(out_dir, "checker", "data", f"{name}.npz"),
                     lambda f, a=arrays: np.savez_compressed(f, **a))
    write_text(os.path.join(out_dir, "README.md"), README)
    say(f"wrote the hand-out to {out_dir}: {len(texts)} exercises, checker/, README.md")
    return out_dir
