"""Whole-build figures on the generated large course, side by side with pandoc.

    python benchmarks/build_benchmark.py [--lessons 40] [--language kk] [--runs 3]

Prints one table:
- casekit vs pandoc 3 (pypandoc-binary) on the same Markdown, DOCX and EPUB, one edition,
  wall time (best of --runs) and the ratio casekit / pandoc (target: <= 1.0);
- a full build of every format and edition, serial (--jobs 1) and with --jobs 2;
- a rebuild with no change, and after editing one lesson, as a fraction of the full build;
- peak RSS of one process per format (both editions).
Every figure comes from a real `casekit` / `pandoc` process, timed in this run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_course import generate  # noqa: E402

CASEKIT = [sys.executable, "-m", "casekit"]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")


class Run(NamedTuple):
    seconds: float  # wall clock
    rss: int  # peak resident memory, MiB
    cpu: float  # user + system seconds: steadier than the wall clock on a shared machine


def run(command: list[str], cwd: Path | None = None) -> Run:
    """Wall seconds, peak RSS and CPU seconds of one process."""
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stall the process
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        if status != 0:
            errors.seek(0)
            sys.exit(f"failed: {' '.join(command)}\n{errors.read().decode(errors='replace')}")
    return Run(seconds, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime)


def best(command: list[str], runs: int, cwd: Path | None = None) -> float:
    return min(run(command, cwd).seconds for _ in range(runs))


def best_of(command: list[str], runs: int) -> Run:
    """The fastest wall clock and, separately, the least CPU time of ``runs`` runs."""
    results = [run(command) for _ in range(runs)]
    fastest = min(results, key=lambda r: r.seconds)
    return fastest._replace(cpu=min(r.cpu for r in results))


def pandoc_command(course: Path, lessons: list[str], target: Path) -> list[str]:
    """pandoc on the lessons, finding their images (``../media/...``, relative to the
    lesson files) as casekit does: without the lessons folder on the resource path
    pandoc skips every image and converts less than casekit."""
    import pypandoc

    return [
        pypandoc.get_pandoc_path(),
        "--from=markdown",
        f"--resource-path={course / 'lessons'}",
        "--toc",
        "-o",
        str(target),
        *lessons,
    ]


def build_command(course: Path, out: Path, *options: str) -> list[str]:
    """``casekit build`` of ``course`` into ``out``, quiet, one job unless options say more."""
    return [*CASEKIT, "build", str(course), "-q", "-o", str(out), "-j", "1", *options]


def images_in(package: Path) -> int:
    """Image files inside a DOCX or EPUB: both converters must have embedded the same
    figures for their times to compare."""
    with zipfile.ZipFile(package) as archive:
        return sum(name.lower().endswith(IMAGE_SUFFIXES) for name in archive.namelist())


def lesson_files(course: Path) -> list[str]:
    return sorted(str(p) for p in (course / "lessons").glob("*.md"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--language", default="kk")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = generate(root / "course", args.lessons, args.language)
        out = root / "build"
        lessons = lesson_files(course)
        size = sum(Path(p).stat().st_size for p in lessons)
        rows.append(("course", f"{args.lessons} lessons, {size / 1e6:.1f} MB of Markdown"))

        for fmt, ext in (("docx", "docx"), ("epub", "epub")):
            ours = best_of(
                build_command(course, out, "-f", fmt, "-e", "learner", "--force"), args.runs
            )
            theirs = best_of(pandoc_command(course, lessons, root / f"pandoc.{ext}"), args.runs)
            rows.append(
                (
                    f"{fmt}: casekit / pandoc",
                    f"{ours.seconds:.2f} s / {theirs.seconds:.2f} s = "
                    f"{ours.seconds / theirs.seconds:.2f}",
                )
            )
            rows.append(
                (
                    f"{fmt}: CPU time, casekit / pandoc",
                    f"{ours.cpu:.2f} s / {theirs.cpu:.2f} s = {ours.cpu / theirs.cpu:.2f}",
                )
            )
            (package,) = out.glob(f"*/{fmt}/*-learner.{ext}")
            pictures = f"{images_in(package)} / {images_in(root / f'pandoc.{ext}')}"
            rows.append((f"{fmt}: image files, casekit / pandoc", pictures))

        full = build_command(course, out, "--force")
        serial = best(full, 1)
        parallel = best([*full, "-j", "2"], 1)
        rows.append(("full build, --jobs 1", f"{serial:.1f} s"))
        rows.append(("full build, --jobs 2", f"{parallel:.1f} s ({serial / parallel:.2f}x)"))

        again = build_command(course, out)
        unchanged = best(again, args.runs)
        rows.append(("no-change rebuild", f"{unchanged:.2f} s ({unchanged / serial:.1%} of full)"))
        lesson = Path(lessons[len(lessons) // 2])
        lesson.write_text(lesson.read_text("utf-8") + "\nӨзгеріс.\n", "utf-8")
        edited = best(again, 1)
        rows.append(("one-lesson edit rebuild", f"{edited:.1f} s ({edited / serial:.1%} of full)"))

        for fmt in ("html", "pdf", "epub", "docx", "usb"):
            seconds, rss, _cpu = run(build_command(course, out, "-f", fmt, "--force"))
            rows.append((f"{fmt}: both editions", f"{seconds:.1f} s, peak RSS {rss} MiB"))

    width = max(len(name) for name, _ in rows)
    print(f"casekit build benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
