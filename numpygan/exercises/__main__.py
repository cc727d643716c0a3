"""``python -m numpygan.exercises handout DIR`` and ``... grade SUBMISSIONS --csv F``.

    handout DIR     the skeletons, their checks and the checks' data, no solution
                    (a folder to give students instead of the repository)
    grade SUBS      grade a folder of students' folders into a CSV (and JSON), each
                    student × exercise in its own time- and memory-limited process
"""

from __future__ import annotations

import argparse
import sys

from . import grade, handout


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numpygan.exercises",
                                     description="Classroom tools for the exercises.")
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("handout", help="write the exercises for students, without solutions")
    h.add_argument("dir", metavar="DIR", help="a new (or empty) folder")
    g = sub.add_parser("grade", help="grade a folder of submissions into a CSV")
    grade.add_arguments(g)
    args = parser.parse_args(argv)
    if args.command == "handout":
        try:
            handout.write_handout(args.dir, stream=sys.stdout)
        except handout.HandoutError as exc:
            print(f"handout: error: {exc}", file=sys.stderr)
            return 2
        return 0
    return grade.main(args)


if __name__ == "__main__":
    sys.exit(main())
