"""A catalogue of generated courses built serially, with ``--jobs 2``, on a 2-worker Dask
``LocalCluster``, and as two shards one after the other; side by side in one run.

    python benchmarks/distribute_benchmark.py [--courses 20] [--lessons 1] [-f pdf -f html]
                                              [--baseline PYTHON]

Each build is its own process: wall time and CPU time (user + system, worker processes
included). The outputs of every configuration are compared byte for byte with the serial
build. The per-format job times of the serial build feed the paper model of
docs/distributed.md. ``--baseline``: also ``--jobs 2`` with the casekit another interpreter imports
(a venv with an earlier commit installed), to set a change beside what it replaced.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_course import generate  # noqa: E402

LANGUAGES = ("kk", "ru", "en")


def run(args: list[str], python: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the process and the children it waited for), stdout;
    ``python``: run by that interpreter instead of this one."""
    if python is not None:
        args = [str(python), *args[1:]]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(args, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if status != 0:
            sys.exit(f"{' '.join(args)} failed:\n{err.read().decode()[-2000:]}")
        return wall, usage.ru_utime + usage.ru_stime, out.read().decode()


def catalogue(folder: Path, courses: int, lessons: int) -> Path:
    for index in range(1, courses + 1):
        language = LANGUAGES[index % len(LANGUAGES)]
        course = generate(folder / f"course-{index:02d}", lessons, language)
        toml = course / "course.toml"
        text = toml.read_text("utf-8")
        toml.write_text(
            re.sub(r'^id = ".*"', f'id = "course-{index:02d}"', text, flags=re.M), "utf-8"
        )
    return folder


def outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not {".cache", ".casekit-lock"} & set(p.relative_to(out).parts)
    }


def job_seconds(table: str) -> dict[str, list[float]]:
    """Each job's time by format, from the summary table (one row per output file)."""
    times: dict[str, dict[tuple[str, str], float]] = {}
    for line in table.splitlines()[2:]:
        cells = line.split()
        course, fmt, edition = cells[:3]
        seconds = float(line.rsplit(" s ", 1)[0].split()[-1])
        times.setdefault(fmt, {})[(course, edition)] = seconds
    return {fmt: list(found.values()) for fmt, found in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--lessons", type=int, default=1)
    parser.add_argument("-f", "--format", dest="formats", action="append", default=None)
    parser.add_argument(
        "--no-parallel", action="store_true", help="only the serial build and the two shards"
    )
    parser.add_argument("--baseline", type=Path, help="a Python whose casekit to compare with")
    parser.add_argument("--no-shards", action="store_true", help="without the two shards")
    args = parser.parse_args()
    formats = [flag for name in (args.formats or ["pdf", "html"]) for flag in ("-f", name)]
    casekit = [sys.executable, "-m", "casekit"]
    with tempfile.TemporaryDirectory(prefix="casekit-distribute-") as scratch:
        root = Path(scratch)
        courses = catalogue(root / "courses", args.courses, args.lessons)
        plan = json.loads(run([*casekit, "plan", str(courses), "--shards", "2", *formats])[2])
        print(
            f"catalogue      {args.courses} courses x {args.lessons} lesson(s), formats {formats[1::2]}"
        )
        print(
            f"jobs           {len(plan['jobs'])}; estimated ms per shard of 2: {plan['estimated_ms']}"
        )
        configs = {"serial (-j 1)": ["-j", "1"]}
        if not args.no_parallel:
            configs["--jobs 2"] = ["-j", "2"]
            configs["dask LocalCluster, 2 workers"] = ["--executor", "dask", "-j", "2"]
            if args.baseline:
                configs["--jobs 2, baseline"] = ["-j", "2"]
        results = {}
        for name, flags in configs.items():
            out = root / re.sub(r"\W+", "-", name)
            wall, cpu, table = run(
                [*casekit, "build", str(courses), "-o", str(out), *formats, *flags],
                args.baseline if "baseline" in name else None,
            )
            results[name] = (wall, cpu, out, table)
        serial_wall, serial_cpu, serial_out, serial_table = results["serial (-j 1)"]
        expected = outputs(serial_out)
        for name, (wall, cpu, out, _table) in results.items():
            same = "same bytes" if outputs(out) == expected else "DIFFERENT BYTES"
            print(
                f"{name:<30} {wall:7.1f} s wall ({serial_wall / wall:4.2f}x), {cpu:7.1f} s CPU, {same}"
            )
        union: dict[str, bytes] = {}
        for index in () if args.no_shards else (1, 2):
            out = root / f"shard-{index}"
            wall, cpu, _ = run(
                [
                    *casekit,
                    "build",
                    str(courses),
                    "--shard",
                    f"{index}/2",
                    "-o",
                    str(out),
                    "-j",
                    "1",
                    *formats,
                ]
            )
            union.update(outputs(out))
            print(f"shard {index}/2 (-j 1)                {wall:7.1f} s wall, {cpu:7.1f} s CPU")
        if union:
            same = "same bytes" if union == expected else "DIFFERENT BYTES"
            print(f"union of the shards            {same}")
        for fmt, seconds in sorted(job_seconds(serial_table).items()):
            mean = sum(seconds) / len(seconds)
            print(
                f"serial job time, {fmt:<12}  mean {mean:5.2f} s, max {max(seconds):5.2f} s over {len(seconds)} jobs"
            )


if __name__ == "__main__":
    main()
