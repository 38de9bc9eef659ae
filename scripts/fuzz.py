"""A long fuzzing session outside CI: the property tests of tests/test_fuzz.py
with many more examples, optionally through every format.

    python scripts/fuzz.py --examples 5000 --property markdown --formats html,pdf,docx,usb
    python scripts/fuzz.py --examples 5000 --property verify-zip --property verify-folder

Prints how many inputs ran and every distinct failure found (hypothesis
shrinks each one to a small reproducer)."""

from __future__ import annotations

import argparse
import resource
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fuzz_inputs import (  # noqa: E402
    course_toml,
    course_toml_for,
    damaged_bundle,
    damaged_zip,
    lesson_bytes,
    run_course,
    verify_damaged_copy,
    verify_zip_bytes,
)


def progress(name: str, count: int) -> None:
    if count % 250 == 0:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"{name}: {count} inputs, max RSS {rss} MB", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument(
        "--property", choices=["markdown", "toml", "verify-zip", "verify-folder"], action="append"
    )
    parser.add_argument("--formats", default="html", help="comma-separated format names")
    args = parser.parse_args()
    format_names = tuple(args.formats.split(","))
    counts = {"markdown": 0, "toml": 0, "verify_zip": 0, "verify_folder": 0}
    long_run = settings(
        max_examples=args.examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=True,
    )

    @long_run
    @given(first=lesson_bytes(), second=lesson_bytes(), allow_html=st.booleans())
    def markdown(first: bytes, second: bytes, allow_html: bool) -> None:
        counts["markdown"] += 1
        progress("markdown", counts["markdown"])
        lessons = {"a.md": first, "b.md": second}
        run_course(course_toml_for(["a.md", "b.md"], allow_html), lessons, format_names)

    @long_run
    @given(toml=course_toml())
    def toml(toml: str) -> None:
        counts["toml"] += 1
        progress("toml", counts["toml"])
        lessons = {"a.md": "# Сабақ\n".encode(), "b.md": "# Б\n".encode()}
        run_course(toml, lessons, format_names)

    @long_run
    @given(data=damaged_zip())
    def verify_zip(data: bytes) -> None:
        counts["verify_zip"] += 1
        progress("verify-zip", counts["verify_zip"])
        verify_zip_bytes(data)

    @long_run
    @given(operations=damaged_bundle(), stick=st.booleans())
    def verify_folder(operations: list[tuple[str, str, bytes]], stick: bool) -> None:
        counts["verify_folder"] += 1
        progress("verify-folder", counts["verify_folder"])
        verify_damaged_copy(operations, stick)

    failed = 0
    chosen = [name.replace("-", "_") for name in args.property or ["markdown", "toml"]]
    for test in [t for t in (markdown, toml, verify_zip, verify_folder) if t.__name__ in chosen]:
        started = time.perf_counter()
        try:
            test()
        except Exception:  # report every failure, then go on to the next property
            failed += 1
            traceback.print_exc()
        print(
            f"{test.__name__}: {counts[test.__name__]} inputs in {time.perf_counter() - started:.0f} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
