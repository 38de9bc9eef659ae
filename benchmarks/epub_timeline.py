"""Timeline of one ``casekit build`` in this process: per thread, when each stage of the
EPUB's making began and ended, its CPU, and (Linux, ``/proc/thread-self/schedstat``) how
long it ran, waited for a core and slept: for an image thread, sleeping is waiting for
Python's lock. Measures where the wall time goes on a busy machine, where the wall alone
says nothing (issue 18, seventh round, benchmarks/README.md).

    python benchmarks/epub_timeline.py [--events] -- build COURSE -f epub -e learner --force -q -j 1

Prints a line per stage (calls, wall, CPU, running, waiting for a core, asleep: seconds
summed over its calls) and, with ``--events``, every call in the order begun.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BEGUN = time.perf_counter()
#: (module, object or None, function): what is timed
STAGES = [
    ("casekit.build.pipeline", None, "file_digests"),
    ("casekit.build.pipeline", None, "_prefit"),
    ("casekit.build.course", None, "load_course"),
    ("casekit.build.course", None, "_parse"),
    ("casekit.resolve.resolver", None, "resolve"),
    ("casekit.render.resample", "Prefit", "_probe"),
    ("casekit.render.resample", "Prefit", "_fit"),
    ("casekit.render.resample", None, "_resample"),
    ("casekit.render.png_encoder", None, "png_bytes"),
    ("casekit.render.resample", "Fitting", "wait"),
    ("casekit.formats.epub.book", None, "write_epub"),
    ("casekit.formats.epub.book", None, "add_fonts"),
]


def scheduled() -> tuple[float, float]:
    """Seconds this thread has run and waited for a core (0, 0 where Linux does not say)."""
    try:
        run, waited, _ = Path("/proc/thread-self/schedstat").read_text().split()
    except OSError:
        return 0.0, 0.0
    return int(run) / 1e9, int(waited) / 1e9


def timed(fn: Callable[..., Any], label: str, events: list[tuple[Any, ...]]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu, (run, waited) = time.perf_counter(), time.thread_time(), scheduled()
        try:
            return fn(*args, **kwargs)
        finally:
            end, (run2, waited2) = time.perf_counter(), scheduled()
            events.append(
                (threading.current_thread().name, label, start - BEGUN, end - BEGUN,
                 time.thread_time() - cpu, run2 - run, waited2 - waited)
            )  # fmt: skip

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", action="store_true", help="every call, in order")
    parser.add_argument("casekit", nargs=argparse.REMAINDER, help="casekit's arguments")
    args = parser.parse_args()
    import importlib

    from casekit.cli.main import main as casekit_main

    imported = time.perf_counter() - BEGUN
    events: list[tuple[Any, ...]] = []
    for module_name, owner_name, name in STAGES:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        setattr(owner, name, timed(getattr(owner, name), name, events))
    sys.argv = ["casekit", *[a for a in args.casekit if a != "--"]]
    with contextlib.suppress(SystemExit):  # the CLI exits with the build's status
        casekit_main()
    print(f"casekit.cli.main imported at {imported:.3f} s; ended at {time.perf_counter() - BEGUN:.3f} s, "
          f"process CPU {time.process_time():.3f} s")  # fmt: skip
    print(
        f"{'stage':>14} {'calls':>5} {'wall':>7} {'CPU':>7} {'running':>7} {'for core':>8} {'asleep':>7}"
    )
    totals: dict[str, list[float]] = {}
    for _thread, label, start, end, cpu, run, waited in events:
        total = totals.setdefault(label, [0, 0.0, 0.0, 0.0, 0.0])
        for at, value in enumerate([1, end - start, cpu, run, waited]):
            total[at] += value
    for label, (calls, wall, cpu, run, waited) in totals.items():
        print(f"{label:>14} {calls:5.0f} {wall:7.3f} {cpu:7.3f} {run:7.3f} {waited:8.3f} "
              f"{wall - run - waited:7.3f}")  # fmt: skip
    if args.events:
        for thread, label, start, end, cpu, *_ in sorted(events, key=lambda e: e[2]):
            print(f"{thread[-16:]:>16} {label:>14} {start:7.3f} {end:7.3f} CPU {cpu:6.3f}")


if __name__ == "__main__":
    main()
