"""`casekit serve` figures on the example courses, side by side with rebuilding by hand.

    python benchmarks/serve_benchmark.py [--edits 5] [--starts 5]

For each example course (a private copy):
- start: from launching `casekit serve` to the first page answered (cold: empty build
  cache; warm: the cache of the previous start, median of --starts), wall clock and the
  server's CPU seconds until then, target < 2 s (on a shared machine the CPU seconds are
  the figure to read: an idle machine starts in about that wall time);
- edit: from saving a one-lesson change to the server's event that the new build is
  ready and the page holding the new text (median and worst of --edits), target < 1 s;
- reference, same run: the same one-lesson edit followed by `casekit build -f html`
  (what an author would run by hand to see a change), and `casekit check`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASEKIT = [sys.executable, "-m", "casekit"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (steadier than the wall clock on a
    shared machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(course: Path, out: Path) -> tuple[subprocess.Popen[str], int, float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CASEKIT, "serve", str(course), "--port", "0", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    port = int(line.rsplit(":", 1)[1].split("/")[0])
    while get(port, "/")[0] != 200:
        time.sleep(0.01)
    return process, port, time.perf_counter() - started, cpu_seconds(process.pid)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def events(port: int) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/_casekit/events")
    return connection.getresponse()


def next_state(stream: http.client.HTTPResponse) -> dict[str, object]:
    while True:
        line = stream.readline().decode()
        if line.startswith("data: "):
            return json.loads(line[6:])


def edit_seconds(course: Path, port: int, edits: int) -> list[float]:
    stream = events(port)
    good = next_state(stream)["good"]
    lesson = sorted((course / "lessons").glob("*.md"))[1]
    original = lesson.read_text("utf-8")
    figures = []
    for n in range(edits):
        marker = f"benchmark-edit-{n}-{time.time_ns()}"
        started = time.perf_counter()
        lesson.write_text(original + f"\n{marker}\n", "utf-8")
        while True:
            state = next_state(stream)
            if state["good"] != good:
                good = state["good"]
                break
        assert marker.encode() in get(port, "/")[1]
        figures.append(time.perf_counter() - started)
        time.sleep(0.3)
    lesson.write_text(original, "utf-8")
    stream.close()
    return figures


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for source in sorted(p for p in (ROOT / "courses").iterdir() if (p / "course.toml").is_file()):
        with tempfile.TemporaryDirectory() as temp:
            course, out = Path(temp) / source.name, Path(temp) / "build"
            shutil.copytree(source, course)
            process, _port, cold, cold_cpu = start(course, out)
            process.terminate()
            process.wait()
            starts = []
            for _ in range(args.starts - 1):
                process, _port, *figure = start(course, out)
                process.terminate()
                process.wait()
                starts.append(figure)
            process, port, *figure = start(course, out)
            starts.append(figure)
            warm = statistics.median(wall for wall, _ in starts)
            warm_cpu = statistics.median(cpu for _, cpu in starts)
            figures = edit_seconds(course, port, args.edits)
            process.terminate()
            process.wait()
            lesson = sorted((course / "lessons").glob("*.md"))[1]
            original = lesson.read_text("utf-8")
            html = [
                *CASEKIT,
                "build",
                str(course),
                "-f",
                "html",
                "-e",
                "teacher",
                "-q",
                "-o",
                str(out),
            ]
            timed(html)
            lesson.write_text(original + "\nreference edit\n", "utf-8")
            by_hand = timed(html)
            lesson.write_text(original, "utf-8")
            check = timed([*CASEKIT, "check", "-q", str(course)])
        rows.append(
            (
                source.name,
                f"{cold:.2f}s ({cold_cpu:.2f})",
                f"{warm:.2f}s ({warm_cpu:.2f})",
                statistics.median(figures),
                max(figures),
                by_hand,
                check,
            )
        )
    print(
        f"{'course':<22}{'start cold (cpu)':>18}{'start warm (cpu)':>18}{'edit median':>12}"
        f"{'edit worst':>11}{'build -f html':>14}{'check':>8}"
    )
    for name, cold, warm, median, worst, by_hand, check in rows:
        print(
            f"{name:<22}{cold:>18}{warm:>18}{median:>11.2f}s{worst:>10.2f}s"
            f"{by_hand:>13.2f}s{check:>7.2f}s"
        )


if __name__ == "__main__":
    main()
