"""PDF build speed on the generated large course: pages per second and peak memory.

python benchmarks/pdf_benchmark.py [--lessons 40] [--language kk]

Measure CPU time (the machine may be shared); docs/pdf.md records the figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_course import generate  # noqa: E402

from casekit.build.course import load_course  # noqa: E402
from casekit.build.pipeline import build_course  # noqa: E402
from casekit.diagnostics import Diagnostics  # noqa: E402
from casekit.runtime.gc_tuning import no_full_collections  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--language", default="kk")
    parser.add_argument("--edition", default="learner")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        course = generate(Path(tmp) / "course", args.lessons, args.language)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = build_course(course, ["pdf"], (args.edition,), Path(tmp) / "build")
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if result.stopped:
            sys.exit("\n".join(str(d) for d in result.diagnostics.sorted()))
        # the share of the build that is not the PDF's: reading, parsing, resolving
        # (measured again on its own, as the build loads: an estimate)
        load_started = time.process_time()
        with no_full_collections():
            load_course(course, Diagnostics())
        load_cpu = time.process_time() - load_started
        pdf = result.outputs[0].paths[0]
        pages = len(PdfReader(pdf).pages)
        size = pdf.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"lessons:    {args.lessons}")
    print(f"pages:      {pages}")
    print(f"seconds:    {seconds:.2f} (load + check + layout + write)")
    print(f"cpu seconds: {cpu:.2f}")
    print(f"pages/s:    {pages / seconds:.1f} (wall clock), {pages / cpu:.1f} (CPU time)")
    print(f"  of which: {load_cpu:.2f} CPU s loading the course (parse + resolve)")
    print(f"pdf only:   {pages / (cpu - load_cpu):.1f} pages/s (CPU time, without loading)")
    print(f"peak RSS:   {peak:.0f} MiB")
    print(f"file size:  {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
