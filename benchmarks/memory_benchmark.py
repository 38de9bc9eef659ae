"""Peak memory of each format job against the number of lessons, beside pandoc's.

    python benchmarks/memory_benchmark.py [--lessons 10 40 80 160] [--format pdf ...]
                                          [--language kk] [--no-pandoc]

For each size the generated text course (``generate_course.py --lessons N``) is built
one job per process, learner edition, ``--force`` (a clean build: every lesson parsed in
that process), and the process's peak RSS (``wait4``) is shown. The USB job consumes the
PDF, EPUB and DOCX editions: they are built before it in a process of their own, so its
row is the USB job alone on a warm build cache (``--force`` would rebuild them in its
process). pandoc's peak making a DOCX of the same lessons (``--toc``) is the reference;
``python -c pass`` started the same way is the floor of any process. "Flat in the number
of lessons" reads as the rows staying level from 40 lessons on (each generated lesson is
alike, so the largest lesson does not grow).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_benchmark import (  # noqa: E402
    Failed,
    build_command,
    compiled_modules,
    generate,
    lesson_files,
    pandoc_command,
    run,
)

JOBS = {  # format: extra options of its job
    "html": (),
    "epub": (),
    "docx": ("--no-contents-pages",),
    "brf": (),
    "pdf": (),  # one process (build_command's -j 1): the join's memory, not the workers'
}
USB_INPUTS = ("-f", "pdf", "-f", "epub", "-f", "docx", "-e", "learner", "--no-contents-pages")


def job_peaks(course: Path, out: Path, formats: list[str]) -> dict[str, str]:
    """Each format's peak RSS (and CPU seconds), one clean job per process."""
    peaks = {}
    for fmt in formats:
        try:
            if fmt == "usb":
                run(build_command(course, out, *USB_INPUTS))
                done = run(build_command(course, out, "-f", "usb", "--no-contents-pages"))
            else:
                options = ("-f", fmt, "-e", "learner", "--force", *JOBS[fmt])
                done = run(build_command(course, out, *options))
        except Failed as failure:
            peaks[fmt] = f"failed: {failure}"
            continue
        peaks[fmt] = f"{done.rss:4d} MiB ({done.cpu:5.1f} s)"
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, nargs="+", default=[10, 40, 80, 160])
    parser.add_argument(
        "--format", action="append", choices=[*JOBS, "usb"], help="default: all of them"
    )
    parser.add_argument("--language", default="kk")
    parser.add_argument("--no-pandoc", action="store_true")
    args = parser.parse_args()
    formats = args.format or [*JOBS, "usb"]
    with_pandoc = not args.no_pandoc
    print(
        f"casekit memory benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs; peak RSS in MiB (CPU seconds) of one clean job per process",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        compiled_modules(root)
        floor = run([sys.executable, "-c", "pass"]).rss
        print(f"{'floor':12}  {floor} MiB (python -c pass, started as every run)", flush=True)
        header = "".join(f"{name:>20}" for name in [*formats, *(["pandoc docx"] * with_pandoc)])
        print(f"{'lessons':12}  {'markdown':>9}{header}", flush=True)
        for lessons in args.lessons:
            course = generate(root / f"course-{lessons}", lessons, args.language)
            files = lesson_files(course)
            size = sum(Path(p).stat().st_size for p in files) / 1e6
            peaks = job_peaks(course, root / f"out-{lessons}", formats)
            row = "".join(f"{peaks[fmt]:>20}" for fmt in formats)
            reference = ""
            if with_pandoc:
                theirs = run(pandoc_command(course, files, root / f"pandoc-{lessons}.docx"))
                reference = f"{theirs.rss:4d} MiB ({theirs.cpu:5.1f} s)"
            print(f"{lessons:<12}  {size:6.1f} MB{row}{reference:>20}", flush=True)


if __name__ == "__main__":
    main()
