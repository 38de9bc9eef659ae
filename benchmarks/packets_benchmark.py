"""Personal packets at facility scale: ``casekit packets`` for a group of N learners
of the generated 40-lesson course, against naive per-learner full builds (each
learner's packet laid out from scratch: the whole course body, then personal
pages, merged with pypdf), side by side in the same run.

    python benchmarks/packets_benchmark.py [--learners 500] [--naive 3] [--lessons 40]

Each run is its own process: wall time, CPU time (user + system) and peak RSS
of that process. The naive build is timed for ``--naive`` learners and
extrapolated to the group (500 of them would take hours). Memory is measured
for 50 learners and for N, to show it does not grow with the group.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_course import generate  # noqa: E402


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    errors = child.stderr.read().decode() if child.stderr else ""
    if status != 0:
        sys.exit(f"{' '.join(args)} failed:\n{errors}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def roster(path: Path, group: str, count: int) -> Path:
    rows = ["code;last_name;first_name;group;accommodations"]
    rows += [f"{group}-{n:04d};Әбілқасымов;Ерлан;{group};" for n in range(count)]
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def naive(course_dir: str, learners: int) -> None:
    """Child process: ``learners`` packets, each a full build of everything."""
    import datetime as dt

    from pypdf import PdfReader, PdfWriter

    from casekit.build.course import load_course
    from casekit.diagnostics import Diagnostics
    from casekit.formats import BuildContext
    from casekit.formats.options import resolve_options
    from casekit.formats.pdf import PdfOptions
    from casekit.formats.pdf.document import PageSetup
    from casekit.formats.pdf.fonts import load_fonts
    from casekit.formats.pdf.render import render_pdf
    from casekit.formats.pdf.styles import make_styles
    from casekit.learners.personal_pages import (
        CoverEntry,
        Look,
        render_covers,
        render_shared,
        sheet_targets,
    )
    from casekit.learners.records import Enrolment, Learner
    from casekit.learners.schedule import plan
    from casekit.messages import messages
    from casekit.resolve.editions import apply_edition

    with tempfile.TemporaryDirectory() as tmp:
        for n in range(learners):
            course = apply_edition(load_course(Path(course_dir), Diagnostics()), "learner")
            given = {"booklet": False, "answer_sheets": False}
            options = resolve_options("pdf", PdfOptions, course.config, given)
            ctx = BuildContext(out_dir=Path(tmp) / str(n), options=options)
            (body,) = render_pdf(course, ctx)
            fonts = load_fonts(course)
            look = Look(
                course,
                PageSetup.from_options(options),
                fonts,
                make_styles(fonts, False),
                messages(course.config.language),
            )
            learner = Learner(f"N-{n:04d}", "Әбілқасымов", "Ерлан", "N")
            enrolment = Enrolment(learner.code, course.config.id, "1", dt.date(2027, 1, 11), 6)
            study_plan = plan(course, enrolment)
            cover = render_covers(look, [CoverEntry(learner, "P", study_plan)], False)
            targets = sheet_targets(course, look.msg, "A4")
            shared = render_shared(look, study_plan, "N", targets)
            personal = PdfReader(io.BytesIO(shared.pdf))
            writer = PdfWriter()
            writer.append(PdfReader(io.BytesIO(cover)))
            writer.append(personal, pages=(0, shared.plan_pages))
            writer.append(PdfReader(io.BytesIO(body.data or b"")))
            writer.append(personal, pages=(shared.plan_pages, len(personal.pages)))
            with open(Path(tmp) / f"{learner.code}.pdf", "wb") as handle:
                writer.write(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--naive", type=int, default=3)
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--naive-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        naive(args.naive_child[0], int(args.naive_child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        course = str(generate(root / "course", args.lessons, "kk"))
        env = {**os.environ, "CASEKIT_REGISTER": str(root / "register.sqlite")}
        casekit = [sys.executable, "-m", "casekit"]
        print(f"course                     {args.lessons} lessons (generated, Kazakh)", flush=True)
        for group, count in (("L", args.learners), ("S", 50)):
            run(
                [*casekit, "learners", "import", str(roster(root / f"{group}.csv", group, count))],
                env,
            )
            enrol = ["enrol", course, "--group", group, "--start", "2027-01-11"]
            run([*casekit, *enrol, "--hours-per-week", "6", "--consultations", "Tue 10:00"], env)
            out = ["-o", str(root / "packets"), "-q"]
            wall, cpu, rss = run([*casekit, "packets", course, "--group", group, *out], env)
            if count == args.learners:
                big_wall = wall
                size = sum(p.stat().st_size for p in (root / "packets").rglob("L-*.pdf"))
            print(
                f"casekit packets, {count:>4}     {wall:6.1f} s wall, {cpu:6.1f} s CPU, "
                f"peak RSS {rss:.0f} MiB",
                flush=True,
            )
        print(f"packets written            {size / 2**30:.2f} GiB for {args.learners} learners")
        wall, cpu, rss = run(
            [sys.executable, __file__, "--naive-child", course, str(args.naive)], env
        )
    per = wall / args.naive
    print(
        f"naive full builds, {args.naive:>2}     {wall:6.1f} s wall, {cpu:6.1f} s CPU, "
        f"peak RSS {rss:.0f} MiB ({per:.1f} s a learner)"
    )
    print(
        f"naive, {args.learners} extrapolated  {per * args.learners:6.0f} s wall "
        f"= {per * args.learners / big_wall:.0f}x casekit packets"
    )


if __name__ == "__main__":
    main()
