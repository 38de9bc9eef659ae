"""Whole-build figures on the generated courses, side by side with their references.

    python benchmarks/build_benchmark.py [--lessons 40] [--image-lessons 10] [--runs 3]
                                         [--language kk] [--skip full] [--rebuild pdf]

Every figure comes from a real process timed in this run; a casekit run and its
reference's run alternate (``--runs`` pairs), and the table shows medians, so a machine
whose speed drifts within the hour (a shared one) moves both sides alike. Courses: the
text-heavy generated course (``--lessons``) and the image-heavy one (``--image-lessons``,
a dozen 3000x2000 screenshots and photos, ``generate_course.py --images``).

- DOCX and EPUB: ``casekit build -f docx|epub -e learner --force`` (a clean build:
  reading, checking, parsing and resampling images included) against pandoc 3
  (pypandoc-binary) on the same lessons with ``--toc``. The DOCX also without contents
  page numbers (``--no-contents-pages``: pandoc's contents field has none either;
  casekit's default runs a LibreOffice layout for them). The EPUB also with ``-j 2``
  (the default on two cores: its images fitted in worker processes, with ``-j 1`` in
  threads of its one process). Then (unless ``--skip cached``)
  the same after an edit of one lesson, casekit rebuilding with its build cache (parsed
  lessons, fitted images, font subsets), beside pandoc again.
- PDF: ``casekit build -f pdf -e learner --force`` against Typst (PyPI ``typst``)
  typesetting the same text (``typst_document.py``), pages of each; casekit in one
  process (``-j 1``) and with its pieces laid out on two cores (``-j 2``).
- Rebuilds, per format (both editions): a clean build, then after editing one lesson,
  then with nothing changed (DOCX and USB without contents page numbers). For the USB
  bundle also each job's share of the edit rebuilds (the editions it carries, then the
  bundle's own part), from casekit's summary table. The DOCX with
  them on the image course too, counting the LibreOffice layouts each build ran.
- Peak RSS of each process (``wait4``): one format job per process. Linux counts in a
  child's peak the memory of the process it was started from, so this script keeps its
  own small (the courses are generated in a child process) and shows that floor
  (``python -c pass`` started the same way).
- ``full``: every format and edition, serial and with ``--jobs 2`` (one run each), then
  no-change rebuilds of it: wall and CPU time beside ``python -c pass`` started the same
  way (the floor of any process on this machine at this moment). ``--only no-change
  --no-change-format html``: those rows alone, for the formats named.
- ``memory``: peak RSS of one job per process, the USB job (its editions built before,
  untimed) and the HTML job (learner edition), on the text course with 40 and with 120
  lessons, and with 40 lessons and about 100 MB and 1 GB of video (25 MB MP4 files, one
  per lesson): "flat" is a row, not an assumption.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import site
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from typst_document import FONTS, write_document  # noqa: E402

HERE = Path(__file__).resolve().parent

CASEKIT = [sys.executable, "-m", "casekit"]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
TYPST = (
    "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], root=sys.argv[3], "
    "font_paths=[sys.argv[4]], ignore_system_fonts=True)"
)


class Run(NamedTuple):
    seconds: float  # wall clock
    rss: int  # peak resident memory, MiB
    cpu: float  # user + system seconds


class Failed(Exception):
    """A timed process failed: the row says why instead of a figure."""


def run(
    command: list[str],
    cwd: Path | None = None,
    stdout: Any = subprocess.DEVNULL,
    stderr: list[str] | None = None,
) -> Run:
    """Wall seconds, peak RSS and CPU seconds of one process (and what it waited for);
    its error output's lines added to ``stderr`` if given."""
    with tempfile.TemporaryFile() as errors:  # a pipe could fill up and stall the process
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip().splitlines()
        if status != 0:
            raise Failed(said[-1])
        if stderr is not None:
            stderr += said
    return Run(seconds, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime)


def pieces_missed(said: list[str]) -> list[str]:
    """The PDF pieces a build run with ``-v`` laid out again, and why (``CacheStats.pdf_missed``)."""
    return [line.removeprefix("casekit: laid out ") for line in said if " laid out pdf:" in line]


def misses_rows(fmt: str, runs: list[list[str]]) -> list[tuple[str, str]]:
    """How many PDF pieces each edit run laid out again; and, for a run that laid out
    more than the fewest, why each of them was (an outlier explains itself)."""
    if not any(runs):
        return []
    fewest = min(len(missed) for missed in runs)
    rows = [(f"{fmt}: edit, pdf pieces laid out", " / ".join(str(len(m)) for m in runs))]
    for index, missed in enumerate(runs):
        if len(missed) > fewest:
            rows += [(f"{fmt}: edit run {index + 1} laid out", line) for line in missed]
    return rows


def median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs),
        max(r.rss for r in runs),
        statistics.median(r.cpu for r in runs),
    )


def interleaved(ours: Callable[[], Run], theirs: Callable[[], Run], runs: int) -> tuple[Run, Run]:
    """``runs`` pairs, casekit first then the reference, and the medians of each side."""
    pairs = [(ours(), theirs()) for _ in range(runs)]
    return median([a for a, _ in pairs]), median([b for _, b in pairs])


def pandoc_command(course: Path, lessons: list[str], target: Path) -> list[str]:
    """pandoc on the lessons, finding their images (``../media/...``, relative to the
    lesson files) as casekit does."""
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
    with zipfile.ZipFile(package) as archive:
        return sum(name.lower().endswith(IMAGE_SUFFIXES) for name in archive.namelist())


def pages_in(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])


def generate(
    folder: Path, lessons: int, language: str, images: bool = False, image_sets: int = 1
) -> Path:
    """``generate_course.py`` in a child process (numpy and Pillow would raise this
    process's memory, which every later child's peak would include); ``image_sets``:
    dozens of large pictures of the image-heavy course."""
    command = [sys.executable, str(HERE / "generate_course.py"), str(folder)]
    command += ["--lessons", str(lessons), "--language", language] + (
        ["--images", "--image-sets", str(image_sets)] if images else []
    )
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return folder


def lesson_files(course: Path) -> list[str]:
    return sorted(str(p) for p in (course / "lessons").glob("*.md"))


def ratio_row(name: str, ours: Run, theirs: Run) -> tuple[str, str]:
    return (
        name,
        f"{ours.seconds:6.2f} s / {theirs.seconds:6.2f} s = {ours.seconds / theirs.seconds:.2f}"
        f"   CPU {ours.cpu:6.2f} s / {theirs.cpu:6.2f} s = {ours.cpu / theirs.cpu:.2f}"
        f"   peak RSS {ours.rss} / {theirs.rss} MiB",
    )


def against_pandoc(
    course: Path, name: str, root: Path, runs: int, contents: bool = True, docx: bool = True
) -> list[tuple[str, str]]:
    rows = []
    out = root / f"build-{name}"
    lessons = lesson_files(course)
    # the last -j counts: the EPUB's images fitted in worker processes (one process: threads)
    variants = [("docx", ("--no-contents-pages",)), ("epub", ()), ("epub", ("-j", "2"))]
    variants = ([("docx", ())] if contents else []) + variants
    for fmt, extra in [(f, e) for f, e in variants if docx or f != "docx"]:
        target = root / f"pandoc.{fmt}"
        label = f"{name}: {' '.join((fmt, *extra))} / pandoc"
        try:
            ours, theirs = interleaved(
                lambda fmt=fmt, extra=extra: run(
                    build_command(course, out, "-f", fmt, "-e", "learner", "--force", *extra)
                ),
                lambda fmt=fmt, target=target: run(pandoc_command(course, lessons, target)),
                runs,
            )
        except Failed as failure:
            rows.append((label, f"casekit failed: {failure}"))
            continue
        rows.append(ratio_row(label, ours, theirs))
        (package,) = out.glob(f"*/{fmt}/*-learner.{fmt}")
        files = f"{images_in(package)} / {images_in(target)}"
        rows.append((f"{name}: {' '.join((fmt, *extra))} image files", files))
    return rows


def cached_against_pandoc(course: Path, name: str, root: Path, runs: int) -> list[tuple[str, str]]:
    """The rebuild with the build cache: after a clean build (untimed), each casekit run
    follows an edit of one lesson (a new sentence), so the EPUB or DOCX is written again
    from the cached lessons, fitted images and font subsets; pandoc, which keeps no
    cache, on the same lessons. DOCX without contents page numbers."""
    rows = []
    out = root / f"cached-{name}"
    lessons = lesson_files(course)
    lesson = Path(lessons[len(lessons) // 2])
    original = lesson.read_text("utf-8")
    for fmt, extra in (("epub", ()), ("docx", ("--no-contents-pages",))):
        command = build_command(course, out, "-f", fmt, "-e", "learner", *extra)
        label = f"{name}: {fmt} edit rebuild, cache / pandoc"
        edits = iter(range(runs))

        def edited(command: list[str] = command, edits: Iterator[int] = edits) -> Run:
            lesson.write_text(original + f"\nӨзгеріс {next(edits)}.\n", "utf-8")
            return run(command)

        try:
            run([*command, "--force"])
            ours, theirs = interleaved(
                edited,
                lambda fmt=fmt: run(pandoc_command(course, lessons, root / f"p.{fmt}")),
                runs,
            )
        except Failed as failure:
            rows.append((label, f"casekit failed: {failure}"))
            continue
        finally:
            lesson.write_text(original, "utf-8")
        rows.append(ratio_row(label, ours, theirs))
    return rows


def against_typst(course: Path, name: str, root: Path, runs: int) -> list[tuple[str, str]]:
    out = root / f"build-{name}"
    document = write_document(course)
    typst_pdf = root / f"typst-{name}.pdf"
    typst = [sys.executable, "-c", TYPST, str(document), str(typst_pdf), str(course), str(FONTS)]
    pdf_command = build_command(course, out, "-f", "pdf", "-e", "learner", "--force")
    both = [*pdf_command, "-j", "2"]  # the last -j counts: the PDF's pieces on both cores
    triples = [(run(pdf_command), run(both), run(typst)) for _ in range(runs)]
    ours, two, theirs = (median([triple[i] for triple in triples]) for i in range(3))
    (pdf,) = out.glob("*/pdf/*-learner.pdf")
    pages, typst_pages = pages_in(pdf), pages_in(typst_pdf)
    return [
        ratio_row(f"{name}: pdf / typst", ours, theirs),
        ratio_row(f"{name}: pdf -j 2 / typst", two, theirs),
        (
            f"{name}: pdf pages",
            f"{pages} / {typst_pages}; casekit {pages / ours.seconds:.0f} pages/s wall, "
            f"{pages / ours.cpu:.0f} pages/s CPU; Typst {typst_pages / theirs.seconds:.0f} "
            f"pages/s wall",
        ),
    ]


REBUILT = ("html", "epub", "docx", "pdf", "usb")


def job_times(table: str) -> dict[str, float]:
    """Seconds of each job built, by ``format:edition``, from casekit's summary table."""
    times = {}
    for line in table.splitlines():
        cells = line.split()
        if len(cells) >= 7 and cells[-1] == "built" and cells[-2] == "s":
            times[f"{cells[1]}:{cells[2]}"] = float(cells[-3])
    return times


def run_timing_jobs(
    command: list[str], jobs: list[dict[str, float]], stderr: list[str] | None = None
) -> Run:
    """``run`` a build that prints its summary table (no ``-q``): its job times added to ``jobs``."""
    with tempfile.TemporaryFile() as table:
        took = run([part for part in command if part != "-q"], stdout=table, stderr=stderr)
        table.seek(0)
        jobs.append(job_times(table.read().decode()))
    return took


def split_row(fmt: str, jobs: list[dict[str, float]]) -> tuple[str, str]:
    """The median seconds of each job of a packaging format's edit rebuilds (casekit's own
    wall-clock figures: the jobs run one after the other in one process)."""
    names = sorted({name for times in jobs for name in times}, key=lambda n: n.startswith(fmt))
    medians = {n: statistics.median(t.get(n, 0.0) for t in jobs) for n in names}
    total = sum(medians.values()) or 1.0
    parts = "   ".join(f"{n} {s:.2f} s ({s / total:.0%})" for n, s in medians.items())
    return (f"{fmt}: edit, per job", parts)


def rebuilds(
    course: Path, root: Path, runs: int, formats: tuple[str, ...]
) -> list[tuple[str, str]]:
    """Clean build, one-lesson edit and no-change rebuild of each format, both editions;
    for the USB bundle also the time of each job of its edit rebuilds (the editions it
    carries, then the bundle's own part)."""
    rows = []
    lesson = Path(lesson_files(course)[len(lesson_files(course)) // 2])
    original = lesson.read_text("utf-8")
    for fmt in formats:
        out = root / f"rebuild-{fmt}"
        full, edit, unchanged = [], [], []
        jobs: list[dict[str, float]] = []
        missed: list[list[str]] = []  # per edit run, the PDF pieces laid out again and why
        options = ("--no-contents-pages",) if fmt in ("docx", "usb") else ()
        try:
            for index in range(runs):
                lesson.write_text(original, "utf-8")
                full.append(run(build_command(course, out, "-f", fmt, "--force", *options)))
                lesson.write_text(original + f"\nӨзгеріс {index}.\n", "utf-8")
                command = [*build_command(course, out, "-f", fmt, *options), "-v"]
                said: list[str] = []
                edit.append(
                    run_timing_jobs(command, jobs, said)
                    if fmt == "usb"
                    else run(command, None, subprocess.DEVNULL, said)
                )
                missed.append(pieces_missed(said))
                unchanged.append(run(build_command(course, out, "-f", fmt, *options)))
        except Failed as failure:
            rows.append((f"{fmt}: clean / edit / no change", f"casekit failed: {failure}"))
            continue
        finally:
            lesson.write_text(original, "utf-8")
        f, e, u = median(full), median(edit), median(unchanged)
        rows.append(
            (
                f"{fmt}: clean / edit / no change",
                f"{f.seconds:6.2f} s / {e.seconds:6.2f} s ({e.seconds / f.seconds:.0%}) / "
                f"{u.seconds:.2f} s   CPU {f.cpu:.2f} / {e.cpu:.2f} "
                f"({e.cpu / f.cpu:.0%}) / {u.cpu:.2f} s   peak RSS {f.rss} MiB",
            )
        )
        if jobs:
            rows.append(split_row(fmt, jobs))
        rows += misses_rows(fmt, missed)
    return rows


def layouts_in(build_root: Path) -> int:
    """The LibreOffice layouts (contents page numbers) kept in a build cache so far."""
    return sum(1 for p in build_root.glob("*/.cache/docx-pages/*/*") if p.is_file())


def docx_contents_rebuilds(course: Path, root: Path) -> list[tuple[str, str]]:
    """The DOCX with contents page numbers (LibreOffice layouts), both editions: a clean
    build, a one-lesson edit and no change, with the layouts each ran (one run each)."""
    out = root / "contents-docx"
    lesson = Path(lesson_files(course)[len(lesson_files(course)) // 2])
    original = lesson.read_text("utf-8")
    steps = []
    try:
        for name, force, text in (
            ("clean", True, original),
            ("edit", False, original + "\nӨзгеріс.\n"),
            ("no change", False, original + "\nӨзгеріс.\n"),
        ):
            lesson.write_text(text, "utf-8")
            before = layouts_in(out)
            took = run(build_command(course, out, "-f", "docx", *(["--force"] if force else [])))
            steps.append((name, took, layouts_in(out) - before))
    except Failed as failure:
        return [("docx contents: clean / edit / no change", f"casekit failed: {failure}")]
    finally:
        lesson.write_text(original, "utf-8")
    return [
        (
            f"{course.name}: docx contents clean / edit / no change",
            " / ".join(f"{took.seconds:.2f} s" for _, took, _ in steps)
            + "   CPU "
            + " / ".join(f"{took.cpu:.2f}" for _, took, _ in steps)
            + "   LibreOffice layouts "
            + " / ".join(str(count) for _, _, count in steps),
        )
    ]


def renumbering_rebuilds(
    course: Path, root: Path, formats: tuple[str, ...]
) -> list[tuple[str, str]]:
    """A figure added at the top of a module's first lesson renumbers every later figure
    of the module (five lessons): clean build, then the edit's rebuild, one run each."""
    rows = []
    lessons = lesson_files(course)
    lesson = Path(lessons[len(lessons) * 3 // 8 // 5 * 5])  # first lesson of a module
    original = lesson.read_text("utf-8")
    figure = "![Жаңа сурет](../media/diagram.png)\n\n## "
    for fmt in formats:
        out = root / f"renumber-{fmt}"
        options = ("--no-contents-pages",) if fmt in ("docx", "usb") else ()
        try:
            lesson.write_text(original, "utf-8")
            clean = run(build_command(course, out, "-f", fmt, "--force", *options))
            lesson.write_text(original.replace("## ", figure, 1), "utf-8")
            edit = run(build_command(course, out, "-f", fmt, *options))
        except Failed as failure:
            rows.append((f"{fmt}: edit renumbering a module", f"casekit failed: {failure}"))
            continue
        finally:
            lesson.write_text(original, "utf-8")
        rows.append(
            (
                f"{fmt}: edit renumbering a module",
                f"{edit.seconds:6.2f} s of {clean.seconds:6.2f} s ({edit.seconds / clean.seconds:.0%})"
                f"   CPU {edit.cpu:.2f} of {clean.cpu:.2f} s ({edit.cpu / clean.cpu:.0%})"
                f"   ({lesson.name}, one run)",
            )
        )
    return rows


def pieces_written(build_root: Path, since: float) -> int:
    """The PDF pieces laid out (written to the build cache) since ``since``."""
    return sum(1 for p in build_root.glob("*/.cache/pdf-piece/*/*") if p.stat().st_mtime >= since)


#: an edit in the course's own characters, and one that adds characters the course did
#: not print before (Greek letters, one other in each run: a run must not find the pieces
#: an earlier run laid out for the same characters; guillemets, a numero sign, an arrow)
EDITS = (
    ("known characters", lambda run: f"\nӨзгеріс {run}.\n"),
    ("new characters", lambda run: f"\nΩ{chr(0x3B1 + run % 24)} «{run}» № →.\n"),
)


def new_character_rebuilds(course: Path, root: Path, runs: int) -> list[tuple[str, str]]:
    """The PDF (learner edition) rebuilt after editing one lesson, with text in characters
    the course prints already and with characters it did not print before: seconds beside
    a clean build's, and the pieces (cover, modules, appendices) laid out again."""
    lesson = Path(lesson_files(course)[len(lesson_files(course)) // 2])
    original = lesson.read_text("utf-8")
    out = root / "new-characters"
    command = build_command(course, out, "-f", "pdf", "-e", "learner")
    clean: list[Run] = []
    edits: dict[str, list[tuple[Run, int]]] = {name: [] for name, _ in EDITS}
    missed: dict[str, list[list[str]]] = {name: [] for name, _ in EDITS}
    try:
        for index in range(runs):
            for name, text in EDITS:
                lesson.write_text(original, "utf-8")
                clean.append(run([*command, "--force"]))
                lesson.write_text(original + text(index), "utf-8")
                since = time.time() - 0.01
                said: list[str] = []
                took = run([*command, "-v"], stderr=said)
                edits[name].append((took, pieces_written(out, since)))
                missed[name].append(pieces_missed(said))
    except Failed as failure:
        return [("pdf: edit with new characters", f"casekit failed: {failure}")]
    finally:
        lesson.write_text(original, "utf-8")
    base = median(clean)
    rows = []
    for name, measured in edits.items():
        took = median([each for each, _ in measured])
        laid = sorted(count for _, count in measured)[len(measured) // 2]
        rows.append(
            (
                f"pdf: edit, {name}",
                f"{took.seconds:6.2f} s of {base.seconds:6.2f} s ({took.seconds / base.seconds:.0%})"
                f"   CPU {took.cpu:.2f} of {base.cpu:.2f} s ({took.cpu / base.cpu:.0%})"
                f"   pieces laid out {laid}",
            )
        )
        rows += misses_rows(f"pdf {name}", missed[name])
    return rows


def full_builds(course: Path, root: Path) -> list[tuple[str, str]]:
    out = root / "full"
    command = [*build_command(course, out, "--force"), "--no-contents-pages"]
    serial = run(command)
    parallel = run([*command, "-j", "2"])
    return [
        (
            "full build, --jobs 1",
            f"{serial.seconds:.1f} s, CPU {serial.cpu:.1f} s (no contents pages)",
        ),
        (
            "full build, --jobs 2",
            f"{parallel.seconds:.1f} s ({serial.seconds / parallel.seconds:.2f}x)",
        ),
    ]


def no_change(
    course: Path, out: Path, runs: int, formats: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """No-change rebuilds of ``formats`` (default every format) of a built course beside
    the floor of a process (``python -c pass``), alternating: CPU time means something on
    a loaded machine."""
    chosen = [flag for fmt in formats for flag in ("-f", fmt)]
    command = [*build_command(course, out, *chosen), "--no-contents-pages"]
    ours, floor = interleaved(
        lambda: run(command), lambda: run([sys.executable, "-c", "pass"]), max(runs, 5)
    )
    return [
        (
            f"no-change rebuild, {' '.join(chosen) or 'every format'}",
            f"{ours.seconds:.2f} s wall, CPU {ours.cpu:.2f} s   (python -c pass: "
            f"{floor.seconds:.2f} s wall, CPU {floor.cpu:.2f} s)   peak RSS {ours.rss} MiB",
        )
    ]


def with_videos(course: Path, megabytes: int) -> Path:
    """``course`` with about ``megabytes`` of MP4 video, one 25 MB file per lesson (from
    the first), each shown by a video block at the end of its lesson."""
    from bundle_benchmark import real_mp4

    media = course / "media"
    for index, lesson in enumerate(lesson_files(course)[: max(1, megabytes // 25)], 1):
        video = media / f"video-{index:03d}.mp4"
        real_mp4(video, 25_000_000)
        with open(lesson, "a", encoding="utf-8") as text:
            text.write(f'\n::: {{.video src="../media/{video.name}" title="Бейне {index}"}}\n:::\n')
    return course


MEMORY = (("40 lessons", 40, 0), ("120 lessons", 120, 0), ("40 + 100 MB", 40, 100))


def memory(root: Path, language: str, large_mb: int) -> Iterator[tuple[str, str]]:
    """Peak RSS of the USB job and of the HTML job, each alone in its process."""
    for name, lessons, megabytes in (*MEMORY, (f"40 + {large_mb} MB", 40, large_mb)):
        course = generate(root / f"memory-{lessons}-{megabytes}", lessons, language)
        if megabytes:
            with_videos(course, megabytes)
        out = root / f"memory-out-{lessons}-{megabytes}"
        editions = ("-f", "pdf", "-f", "epub", "-f", "docx", "-e", "learner")
        try:
            run(build_command(course, out, *editions, "--no-contents-pages"))
            usb = run(build_command(course, out, "-f", "usb", "--no-contents-pages"))
            html = run(build_command(course, out, "-f", "html", "-e", "learner"))
        except Failed as failure:
            yield (f"memory, {name}", f"casekit failed: {failure}")
            continue
        media = sum(p.stat().st_size for p in (course / "media").iterdir()) / 1e6
        yield (
            f"memory, {name}",
            f"usb job {usb.rss:4d} MiB ({usb.cpu:5.1f} s CPU)   html job {html.rss:4d} MiB "
            f"({html.cpu:5.1f} s CPU)   media {media:.0f} MB",
        )


def compiled_modules(root: Path) -> None:
    """Let every timed process keep Python's compiled modules (under ``root``): where the
    environment forbids it (``PYTHONDONTWRITEBYTECODE``), each run would compile
    casekit's and its libraries' sources again (0.3-0.4 s of CPU), which an installed
    casekit never does."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    spec = importlib.util.find_spec("casekit")  # not imported: this process stays small
    assert spec is not None and spec.origin is not None
    sources = [str(Path(spec.origin).parent), *site.getsitepackages()]
    compileall = [sys.executable, "-m", "compileall", "-q", "-j", "0", *sources]
    subprocess.run(compileall, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--image-lessons", type=int, default=10)
    parser.add_argument("--language", default="kk")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=[
            "pandoc",
            "typst",
            "rebuilds",
            "full",
            "images",
            "text",  # the text course's rows against pandoc and Typst
            "docx",  # the DOCX rows against pandoc (the EPUB's only)
            "text-contents",  # the DOCX with LibreOffice contents pages, text course
            "images-contents",
            "cached",  # the edit rebuilds with the cache beside pandoc (EPUB, DOCX)
            "contents-rebuilds",  # the DOCX with LibreOffice contents pages, image course
            "renumbering",  # the edit that renumbers a module (rebuild formats only)
            "new-characters",  # PDF edits adding characters the course did not print
            "memory",
        ],
    )
    parser.add_argument(
        "--rebuild",
        action="append",
        choices=REBUILT,
        help="the formats of the rebuild rows (default: all of them)",
    )
    parser.add_argument(
        "--only",
        choices=["memory", "no-change"],
        help="these rows only (no-change: after a full build)",
    )
    parser.add_argument(
        "--no-change-format",
        action="append",
        choices=REBUILT,
        help="with --only no-change: build and time these formats only (default: all)",
    )
    parser.add_argument("--large-media-mb", type=int, default=1000)
    args = parser.parse_args()
    print(
        f"casekit build benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} CPUs, medians of {args.runs}",
        flush=True,
    )

    def show(rows: list[tuple[str, str]]) -> None:  # as they come: a long run may be cut
        for name, value in rows:
            print(f"{name.ljust(42)}  {value}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        compiled_modules(root)
        if args.only == "memory":
            for row in memory(root, args.language, args.large_media_mb):
                show([row])
            return
        text = generate(root / "text", args.lessons, args.language)
        if args.only == "no-change":
            chosen = tuple(args.no_change_format or ())
            flags = [flag for fmt in chosen for flag in ("-f", fmt)]
            run([*build_command(text, root / "full", "--force", *flags), "--no-contents-pages"])
            show(no_change(text, root / "full", args.runs, chosen))
            return
        size = sum(Path(p).stat().st_size for p in lesson_files(text))
        show([("text course", f"{args.lessons} lessons, {size / 1e6:.1f} MB of Markdown")])
        floor = run([sys.executable, "-c", "pass"]).rss
        show([("peak RSS floor", f"{floor} MiB (python -c pass, started as every run)")])
        courses = [] if "text" in args.skip else [("text", text)]
        if "images" not in args.skip:
            images = generate(root / "images", args.image_lessons, args.language, True)
            media = sum(p.stat().st_size for p in (images / "media").iterdir())
            show(
                [("image course", f"{args.image_lessons} lessons, {media / 1e6:.0f} MB of images")]
            )
            courses.append(("images", images))
        for name, course in courses:
            if "pandoc" not in args.skip:
                contents = f"{name}-contents" not in args.skip
                docx = "docx" not in args.skip
                show(against_pandoc(course, name, root, args.runs, contents, docx))
                if "cached" not in args.skip:
                    show(cached_against_pandoc(course, name, root, args.runs))
            if "typst" not in args.skip:
                show(against_typst(course, name, root, args.runs))
        rebuilt = tuple(args.rebuild or REBUILT)
        if "rebuilds" not in args.skip:
            for fmt in rebuilt:
                show(rebuilds(text, root, args.runs, (fmt,)))
        if "renumbering" not in args.skip:
            show(renumbering_rebuilds(text, root, rebuilt))
        if "new-characters" not in args.skip and "pdf" in rebuilt:
            show(new_character_rebuilds(text, root, args.runs))
        if "contents-rebuilds" not in args.skip and "images" not in args.skip:
            show(docx_contents_rebuilds(images, root))
        if "full" not in args.skip:
            show(full_builds(text, root))
            show(no_change(text, root / "full", args.runs))
        if "memory" not in args.skip:
            for row in memory(root, args.language, args.large_media_mb):
                show([row])


if __name__ == "__main__":
    main()
