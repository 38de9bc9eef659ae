"""EPUB build time per edition, plain and with embedded media.

    python benchmarks/epub_benchmark.py [--runs 3] [COURSE ...]

Builds each course's EPUB (both editions) in-process ``--runs`` times and prints
the median seconds per edition and the book sizes. Defaults to the example
courses in ``courses/``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.formats.epub.book import epub_bytes
from casekit.resolve.editions import apply_edition

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("courses", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    courses = args.courses or sorted(p.parent for p in (ROOT / "courses").glob("*/course.toml"))
    print(f"{'course':24} {'edition':8} {'media':9} {'median s':>9} {'size':>9}")
    for folder in courses:
        course = load_course(folder, Diagnostics())
        if course is None:
            raise SystemExit(f"{folder}: cannot load the course")
        for edition in ("learner", "teacher"):
            tree = apply_edition(course, edition)
            for embed in (False, True):
                times, size = [], 0
                for _ in range(args.runs):
                    started = time.perf_counter()
                    size = len(epub_bytes(tree, embed))
                    times.append(time.perf_counter() - started)
                label = "embedded" if embed else "QR"
                print(
                    f"{folder.name:24} {edition:8} {label:9} "
                    f"{statistics.median(times):9.3f} {size / 1e6:8.2f}M"
                )


if __name__ == "__main__":
    main()
