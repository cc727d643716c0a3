"""``python -m numpygan.exercises grade SUBMISSIONS --csv F``: grade a class, one process each.

SUBMISSIONS holds one folder per student with their edited ``exNN_*.py`` files (any
subset).  The grader makes a hand-out once (``handout.py``: the checks and their data,
computed from the library), then for each student × exercise:

1. copies that student's exercise files (only those) into a fresh temporary folder,
   so nothing the code does there reaches the submissions;
2. runs the hand-out's ``checker.grade_one`` in a child process whose address space
   is capped (``resource.setrlimit`` before the student's code is imported), in its
   own process group, killed after ``--timeout`` seconds;
3. reads the child's JSON result.  No result means the child hung, crashed, exited
   (``sys.exit``, ``os._exit``) or ran out of memory before the checks finished: a
   FAIL row saying which.

Exercises are graded as the hand-out grades them: ex06 and ex07 run on the student's
own ex01–ex04 (and ex06), as the students saw.  One CSV row per student × exercise
(the exercises anyone submitted, or ``--exercises``): student, exercise, passed,
total, verdict, hint (the first FAIL's hint, or the reason).  The CSV (and the JSON)
are written atomically, and always: bad input stops with a one-line error (exit 2)
after writing the CSV's header.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .handout import HandoutError, write_handout, write_text

COLUMNS = ["student", "exercise", "passed", "total", "verdict", "hint"]

#: exNN -> the canonical file name
FILES = {f[:4]: f for f in ("ex01_sigmoid_bce.py", "ex02_leaky_relu.py", "ex03_dense_backward.py",
                             "ex04_adam.py", "ex05_optimal_discriminator.py",
                             "ex06_discriminator_step.py", "ex07_generator_step.py",
                             "ex08_numba_matmul.py", "ex09_conv_backward.py")}
NAMES = {"ex01": "sigmoid_bce", "ex02": "leaky_relu", "ex03": "dense", "ex04": "adam",
         "ex05": "optimal_discriminator", "ex06": "d_step", "ex07": "g_step", "ex08": "matmul",
         "ex09": "conv_backward"}

_CHILD = ("import sys; sys.path[:0] = sys.argv[1:3]; import checker; "
          "checker.grade_one(*sys.argv[3:])")


class Problem(str):
    """Why a student's exercise cannot be run (a FAIL row's hint), in place of its path."""


class GradeError(ValueError):
    """Input the grader cannot work with: a one-line message, exit status 2."""


def _row(student, exercise, passed=0, total=0, verdict="FAIL", hint=""):
    return {"student": student, "exercise": exercise, "passed": passed, "total": total,
            "verdict": verdict, "hint": hint}


def find_submissions(folder):
    """{student: {exNN: the file's path, or a ``Problem``}}, and FAIL rows for entries that
    are not student folders.  A file is matched by its exNN_ prefix, the exact name first."""
    if not os.path.exists(folder):
        raise GradeError(f"SUBMISSIONS folder {folder!r} does not exist")
    if not os.path.isdir(folder):
        raise GradeError(f"SUBMISSIONS {folder!r} is a file, expected a folder holding one "
                         "folder per student")
    students, stray = {}, []
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if entry.startswith(".") or entry == "__pycache__":
            continue
        if not os.path.isdir(path):
            stray.append(_row(entry, "-", hint="a file where a student folder belongs: put "
                                               "each student's files in a folder named after "
                                               "them"))
            continue
        py, other = {}, {}
        for name in sorted(os.listdir(path)):
            m = re.match(r"(ex\d\d)_", name)
            if not m or m.group(1) not in FILES or not os.path.isfile(os.path.join(path, name)):
                continue
            ex = m.group(1)
            if not name.endswith(".py"):
                other.setdefault(ex, name)
            elif name == FILES[ex] or ex not in py:          # the exact name wins
                py[ex] = os.path.join(path, name)
        found = {ex: Problem(f"{other[ex]} is not a Python file: hand in {FILES[ex]}")
                 for ex in other if ex not in py}
        found.update(py)
        students[entry] = found
    if not students and not stray:
        raise GradeError(f"SUBMISSIONS folder {folder!r} is empty: expected one folder per "
                         "student")
    return students, stray


def _child_result(proc_rc, result_path, timed_out, timeout, log_tail):
    if timed_out:
        return _row("", "", hint=f"timed out after {timeout:g} s (an infinite loop?); the "
                                 "process was killed")
    if os.path.exists(result_path):
        with open(result_path, encoding="utf-8") as f:
            r = json.load(f)
        return _row("", "", int(r["passed"]), int(r["total"]), r["verdict"], r["hint"])
    if proc_rc < 0:
        name = signal.Signals(-proc_rc).name if -proc_rc in signal.valid_signals() \
            else str(-proc_rc)
        why = f"the Python process crashed ({name})"
    elif "MemoryError" in log_tail:
        why = "the code ran out of memory (the memory limit)"
    else:
        why = (f"the process exited with status {proc_rc} before the checks finished "
               "(sys.exit or os._exit in the code?)")
    return _row("", "", hint=why + (f"; last output: {log_tail}" if log_tail else ""))


def grade_one(handout, student, ex, files, timeout, memory_mb):
    """Grade one student's exercise ``ex`` in a child process; returns a CSV row."""
    work = tempfile.mkdtemp(prefix="grade-")
    try:
        for other, path in files.items():
            if isinstance(path, Problem):
                continue
            shutil.copyfile(path, os.path.join(work, FILES[other]))
        result_path = os.path.join(work, ".result.json")
        log_path = os.path.join(work, ".output.txt")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", _CHILD, work, handout, NAMES[ex], result_path,
                 str(memory_mb)], cwd=work, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
            timed_out = False
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)   # the child and anything it started
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        with open(log_path, "rb") as f:
            lines = [l for l in f.read().decode("utf-8", "replace").splitlines() if l.strip()]
        tail = lines[-1].strip()[:200] if lines else ""
        row = _child_result(proc.returncode, result_path, timed_out, timeout, tail)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    row.update(student=student, exercise=ex)
    return row


def write_csv(path, rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buf.getvalue())


def grade(submissions, timeout=30.0, memory_mb=2048, exercises=None, stream=sys.stdout):
    """Grade every student × exercise; returns the rows (see ``COLUMNS``)."""
    if not timeout > 0:
        raise GradeError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    if not memory_mb >= 256:
        raise GradeError(f"--memory-mb must be at least 256, got {memory_mb}")
    students, rows = find_submissions(submissions)
    chosen = sorted(exercises) if exercises else \
        sorted({ex for found in students.values() for ex in found})
    say = lambda line: print(line, file=stream, flush=True)
    if not chosen:
        for student in students:
            rows.append(_row(student, "-", hint="no exercise files (exNN_*.py) in this folder"))
        return rows
    handout = tempfile.mkdtemp(prefix="grade-handout-")
    try:
        say("making the checks and their reference data (once) ...")
        write_handout(os.path.join(handout, "h"))
        jobs = [(s, ex) for s in students for ex in chosen]
        for k, (student, ex) in enumerate(jobs, start=1):
            found = students[student]
            t0 = time.perf_counter()
            if ex not in found:
                why = "not submitted" if found else "no exercise files (exNN_*.py) in this folder"
                row = _row(student, ex, hint=f"{why} (expected {FILES[ex]})")
            elif isinstance(found[ex], Problem):
                row = _row(student, ex, hint=str(found[ex]))
            else:
                row = grade_one(os.path.join(handout, "h"), student, ex, found, timeout,
                                memory_mb)
            rows.append(row)
            say(f"[{k}/{len(jobs)}] {student} {ex}: {row['verdict']} {row['passed']}/"
                f"{row['total']} ({time.perf_counter() - t0:.1f} s)"
                + (f"  {row['hint'][:100]}" if row["verdict"] == "FAIL" else ""))
    finally:
        shutil.rmtree(handout, ignore_errors=True)
    return rows


def add_arguments(parser):
    parser.add_argument("submissions", metavar="SUBMISSIONS",
                        help="a folder holding one folder per student, with their exNN_*.py")
    parser.add_argument("--csv", required=True, metavar="F", help="write the grades here")
    parser.add_argument("--json", metavar="F", help="also write them as JSON")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S",
                        help="seconds per student × exercise (default 30)")
    parser.add_argument("--memory-mb", type=int, default=2048, metavar="MB",
                        help="address-space limit of each check's process (default 2048)")
    parser.add_argument("--exercises", metavar="exNN,...",
                        help="grade these (default: every exercise anyone submitted)")


def _exercise_list(text):
    if not text:
        return None
    chosen = [e.strip() for e in text.split(",") if e.strip()]
    bad = [e for e in chosen if e not in FILES]
    if bad:
        raise GradeError(f"--exercises: unknown {', '.join(bad)}; known: {', '.join(FILES)}")
    return chosen


def main(args, stream=sys.stdout):
    """Run ``grade`` from parsed arguments; the exit status (0 done, 2 bad input)."""
    folder = os.path.dirname(os.path.abspath(args.csv))
    if not os.path.isdir(folder):
        print(f"grade: error: the folder of --csv {args.csv!r} does not exist", file=sys.stderr)
        return 2
    try:
        rows = grade(args.submissions, args.timeout, args.memory_mb,
                     _exercise_list(args.exercises), stream)
    except (GradeError, HandoutError) as exc:
        write_csv(args.csv, [])
        print(f"grade: error: {exc}", file=sys.stderr)
        return 2
    write_csv(args.csv, rows)
    if args.json:
        write_text(args.json, json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    n_pass = sum(r["verdict"] == "PASS" for r in rows)
    print(f"graded {len(rows)} rows: {n_pass} PASS, {len(rows) - n_pass} FAIL -> {args.csv}",
          file=stream)
    return 0
