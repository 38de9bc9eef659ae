"""Peak memory of each format job against the number of lessons, beside pandoc's.

    python benchmarks/memory_benchmark.py [--lessons 10 40 80 160] [--format pdf ...]
                                          [--language kk] [--no-pandoc]

For each size the generated text course (``generate_course.py --lessons N``) is built
one job per process, learner edition, ``--force`` (a clean build: every lesson parsed in
that process), and the process's peak RSS (``wait4``) is shown. The USB job consumes the
PDF, EPUB and DOCX editions: they are built before it in a process of their own, so its
row is the USB job alone on a warm build cache (``--force`` would rebuild them in its
process). The ``narrate`` row is the EPUB with ``--embed-media --narrate`` of the same
course with each lesson cut short (``spoken_course``), a clean build:
every lesson spoken by espeak-ng and encoded by ffmpeg in that process. pandoc's peak making a DOCX of the same lessons (``--toc``) is the reference;
``python -c pass`` started the same way is the floor of any process. "Flat in the number
of lessons" reads as the rows staying level from 40 lessons on (each generated lesson is
alike, so the largest lesson does not grow).

``--media 1 2 4``: the same table for the image-heavy course (``generate_course.py
--images``, ``--image-lessons`` lessons) with 1, 2 and 4 dozens of 3000x2000 pictures
(``--image-sets``: the same lessons, their sections showing each picture in turn), and
the PDF and the EPUB also with ``-j 2``. "Flat in media size" reads as these rows
staying level. A ``-j 2`` job runs in several processes (the PDF's layout workers, the
EPUB's image and parse workers), which share the pages they were forked with: its
figure is the peak of the sum of their proportional set sizes (PSS, ``smaps_rollup``,
sampled every 10 ms), each shared page counted once in all.
The platform packages (``--format cc --format scorm12``, both editions in one job) are
measured only when asked for.

    python benchmarks/memory_benchmark.py --lessons --media 1 2 4 --no-pandoc
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
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
    "pdf-j2": ("-j", "2"),  # the image course only (``--media``): two layout processes
    "epub-j2": ("-j", "2"),  # the image course only: image and parse worker processes
    "cc": (),  # platform packages: only when asked (``--format``)
    "scorm12": (),
}
#: the formats built per edition (the learner's is measured); the packages take both
EDITIONS = ("html", "epub", "docx", "brf", "pdf", "pdf-j2", "epub-j2")
#: asked for by name only (``--format``), not in the default table
ASKED_ONLY = ("pdf-j2", "epub-j2", "cc", "scorm12")
#: jobs in several processes: measured as their tree's summed PSS (``tree_peak``)
TREES = ("pdf-j2", "epub-j2")
USB_INPUTS = ("-f", "pdf", "-f", "epub", "-f", "docx", "-e", "learner", "--no-contents-pages")
#: the EPUB spoken (Media Overlays), of the course with each lesson cut short
#: (``spoken_course``: a whole generated lesson is two hours of speech)
NARRATE = ("-f", "epub", "-e", "learner", "--force", "--embed-media", "--narrate")
NOTE = re.compile(r"\[\^([^\]]+)\]")


def spoken_course(course: Path, folder: Path) -> Path:
    """``course`` with each lesson cut to its objectives, first heading and first
    paragraph (about 1,800 characters, two minutes of speech), and the footnote cited."""
    if not folder.exists():
        shutil.copytree(course, folder)
        for path in (folder / "lessons").glob("*.md"):
            text = path.read_text(encoding="utf-8")
            front, section = text.split("\n## ")[:2]
            first = front + "\n## " + "\n\n".join(section.split("\n\n")[:2])
            cited = set(NOTE.findall(first))
            lines = text.splitlines()
            kept = [line for line in lines if (note := NOTE.match(line)) and note[1] in cited]
            path.write_text(first.rstrip() + "\n\n" + "\n".join(kept) + "\n", encoding="utf-8")
    return folder


def job_peaks(course: Path, out: Path, formats: list[str]) -> dict[str, str]:
    """Each format's peak RSS (and CPU seconds), one clean job per process."""
    peaks = {}
    for fmt in formats:
        try:
            if fmt == "usb":
                run(build_command(course, out, *USB_INPUTS))
                done = run(build_command(course, out, "-f", "usb", "--no-contents-pages"))
            elif fmt == "narrate":
                spoken = spoken_course(course, course.with_name(course.name + "-spoken"))
                done = run(build_command(spoken, out.with_name(out.name + "-spoken"), *NARRATE))
            else:
                options = ("-f", fmt.removesuffix("-j2"), "--force", *JOBS[fmt])
                options += ("-e", "learner") if fmt in EDITIONS else ()
                if fmt in TREES:
                    tree = tree_peak(build_command(course, out, *options))
                    peaks[fmt] = f"{tree:4d} MiB PSS"
                    continue
                done = run(build_command(course, out, *options))
        except Failed as failure:
            peaks[fmt] = f"failed: {failure}"
            continue
        peaks[fmt] = f"{done.rss:4d} MiB ({done.cpu:5.1f} s)"
    return peaks


def tree_peak(command: list[str]) -> int:
    """The peak (MiB) of the summed PSS of ``command``'s process and its descendants."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in _descendants(process.pid)))
        time.sleep(0.01)
    if process.returncode != 0:
        raise Failed(process.stderr.read().decode(errors="replace").strip()[-200:])  # type: ignore[union-attr]
    return peak // 1024


def _descendants(pid: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(text[text.rfind(")") + 2 :].split()[1])
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += [child for child, parent in parents.items() if parent == found[-1]]
    return found


def _pss(pid: int) -> int:
    """KiB (0 for a process gone meanwhile)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--lessons", type=int, nargs="*", default=[10, 40, 80, 160], help="none: no text course"
    )
    parser.add_argument(
        "--media",
        type=int,
        nargs="*",
        default=[],
        metavar="SETS",
        help="the image course with each of these numbers of dozens of pictures",
    )
    parser.add_argument("--image-lessons", type=int, default=10)
    parser.add_argument(
        "--format",
        action="append",
        choices=[*JOBS, "usb", "narrate"],
        help="default: all of them ('narrate': the EPUB with --narrate, lessons cut short)",
    )
    parser.add_argument("--language", default="kk")
    parser.add_argument("--no-pandoc", action="store_true")
    args = parser.parse_args()
    formats = args.format or [*(f for f in JOBS if f not in ASKED_ONLY), "usb", "narrate"]
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
        if args.media:
            media_table(root, args.media, args.image_lessons, args.language, formats)


def media_table(
    root: Path, sets: list[int], lessons: int, language: str, formats: list[str]
) -> None:
    """Each format's peak on the image course with each number of dozens of pictures."""
    shown = [f for f in formats if f != "narrate"]  # the spoken course shows no pictures
    for one in ("pdf", "epub"):
        if one in shown:
            shown.insert(shown.index(one) + 1, f"{one}-j2")
    header = "".join(f"{name:>20}" for name in shown)
    print(f"{'pictures':12}  {'media':>9}{header}", flush=True)
    for count in sets:
        course = generate(root / f"images-{count}", lessons, language, True, count)
        size = sum(p.stat().st_size for p in (course / "media").iterdir()) / 1e6
        peaks = job_peaks(course, root / f"images-out-{count}", shown)
        row = "".join(f"{peaks[fmt]:>20}" for fmt in shown)
        print(f"{12 * count:<12}  {size:6.0f} MB{row}", flush=True)


if __name__ == "__main__":
    main()
