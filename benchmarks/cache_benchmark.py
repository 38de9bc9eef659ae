"""Reading parsed lessons back from the build cache: typed JSON (what casekit stores)
beside pickle (what it stored before issue 19) and beside parsing the lessons again.

python benchmarks/cache_benchmark.py COURSE_FOLDER [--runs 5]
(make a course with benchmarks/generate_course.py)
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import Diagnostic, Diagnostics
from casekit.files import typed_json
from casekit.parse.lesson import parse_lesson


def best(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("course", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    course = load_course(args.course, Diagnostics())
    assert course is not None
    values = [(lesson, []) for lesson in course.lessons()]
    expected = tuple[t.Lesson, list[Diagnostic]]
    pickles = [pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for v in values]
    entries = [typed_json.encode(v) for v in values]
    texts = [(lesson.path, (args.course / lesson.path).read_text("utf-8")) for lesson, _ in values]
    rows = [
        ("pickle.loads", best(lambda: [pickle.loads(p) for p in pickles], args.runs), pickles),
        (
            "typed_json.decode",
            best(lambda: [typed_json.decode(e, expected) for e in entries], args.runs),
            entries,
        ),
        ("parse again", best(lambda: [parse_lesson(p, x, Diagnostics()) for p, x in texts], 1), []),
    ]
    for name, seconds, data in rows:
        size = f", {sum(map(len, data)) / 2**20:.1f} MiB" if data else ""
        print(f"{name:20} {seconds:6.2f} s{size}  ({len(values)} lessons)")


if __name__ == "__main__":
    main()
