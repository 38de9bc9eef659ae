"""Accuracy and speed of reading answer sheets, on synthetic scans of the example
courses' real packets (tests/synthetic_scans.py): every condition at 100, 150,
200 and 300 dpi, a quarter of the pages upside down, the pages shuffled.

For each condition it prints:
- ids: pages whose sheet was identified right / sent to review / identified wrong;
- boxes: read right / in a question sent to review / wrong and recorded (the
  figure that must stay 0);
- open-answer areas (writing, a single short word, nothing, an erased smudge):
  told right / written ones read as blank / blank ones read as written;
- pages per second from the image file to the decision (decoding included),
  beside the reference on the same files: OpenCV decoding each file in full and
  zxing-cpp finding its QR code, the least any grader that identifies pages by
  QR code does.

    python benchmarks/scan_benchmark.py --pages 80 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import zxingcpp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casekit.scan.page import DOUBTFUL, read_page  # noqa: E402
from casekit.scan.sources import pages  # noqa: E402
from tests.synthetic_scans import (  # noqa: E402
    CONDITIONS,
    SheetSource,
    SyntheticPage,
    sheet_sources,
    synthetic_page,
)

DPIS = (100, 150, 200, 300)
SAME = {"filled": "marked", "crossed": "marked"}


def score(page: SyntheticPage, path: Path, counts: Counter, misses: bool) -> tuple[float, float]:
    """Read one page from its file as ``casekit scan`` does, add its outcome to
    ``counts``; the wall and CPU seconds it took."""
    start, cpu = time.perf_counter(), time.process_time()
    (image,) = pages([path])
    layouts = {page.source.payload: page.source.layout}
    reading = read_page(image.grey, lambda ref: layouts[_payload(ref)])
    seconds = time.perf_counter() - start, time.process_time() - cpu
    if reading.code and reading.code != page.source.payload:
        counts["id wrong"] += 1
        return seconds
    if reading.layout is None or (reading.status == "review" and not reading.questions):
        counts["id review"] += 1
        counts["boxes on pages in review"] += sum(len(t) for t in page.truth.values())
        if misses:
            print(f"  id review {path.name}: {reading.reasons}", file=sys.stderr)
        return seconds
    counts["id right"] += 1
    for question in reading.questions:
        for index, (box, truth) in enumerate(
            zip(question.boxes, page.truth[question.key], strict=True)
        ):
            if SAME.get(box.state, box.state) == truth:
                counts["box right"] += 1
                continue
            verdict = "box review" if question.answer in DOUBTFUL else "box wrong"
            counts[verdict] += 1
            if misses:
                print(
                    f"  {verdict} {path.name} {question.key}[{index}]: truth {truth}, read {box}",
                    file=sys.stderr,
                )
    for key, written in page.written.items():
        if key in reading.areas:
            blank = key in reading.blank
            verdict = "area right" if blank != written else f"area {'lost' if written else 'ink'}"
            counts[verdict] += 1
            if misses and verdict != "area right":
                print(f"  {verdict} {path.name} {key}: written {written}", file=sys.stderr)
    return seconds


def _payload(ref) -> str:  # noqa: ANN001
    text = f"{ref.course_id}|{ref.version}|{ref.item}"
    return text if ref.page == 1 else f"{text}|{ref.page}"


def qr_only(path: Path) -> tuple[float, float]:
    """The reference: OpenCV decoding the file in full, zxing-cpp finding its QR code;
    wall and CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="pages per condition, dpi and seed")
    parser.add_argument("--dpi", type=int, nargs="*", default=list(DPIS))
    parser.add_argument("--conditions", nargs="*", default=list(CONDITIONS))
    parser.add_argument(
        "--seeds", type=int, nargs="*", default=[0], help="one batch of pages per seed"
    )
    parser.add_argument("--misses", action="store_true", help="each box not read right")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="scan-benchmark-"))
    sources = sheet_sources(tmp / "packets")
    with_boxes = [s for s in sources if s.layout.rows]
    print(f"sheet pages in the example packets: {len(sources)} ({len(with_boxes)} with boxes)")
    print(
        f"{'condition':10} {'dpi':>4} {'pages':>6} {'ids right/review/wrong':>23} "
        f"{'boxes':>6} {'right':>8} {'review':>7} {'wrong':>6} "
        f"{'pages/s wall':>13} {'CPU':>6} {'QR only wall':>13} {'CPU':>6} "
        f"{'areas right/written read blank/blank read written':>50}"
    )
    for condition in args.conditions:
        for dpi in args.dpi:
            counts: Counter = Counter()
            mine, reference = [0.0, 0.0], [0.0, 0.0]
            total = 0
            for seed in args.seeds:
                batch = _batch(sources, with_boxes, condition, dpi, seed, args.pages)
                total += len(batch)
                paths = []
                for number, page in enumerate(batch):
                    paths.append(tmp / f"{condition}-{dpi}-{seed}-{number}{page.suffix}")
                    paths[-1].write_bytes(page.data)
                for page, path in zip(batch, paths, strict=True):
                    wall, cpu = score(page, path, counts, args.misses)
                    mine[0] += wall
                    mine[1] += cpu
                for path in paths:
                    wall, cpu = qr_only(path)
                    reference[0] += wall
                    reference[1] += cpu
                    path.unlink()
            boxes = counts["box right"] + counts["box review"] + counts["box wrong"]
            share = counts["box right"] / boxes if boxes else 1.0
            print(
                f"{condition:10} {dpi:>4} {total:>6} "
                f"{counts['id right']:>11}/{counts['id review']}/{counts['id wrong']:<8}  "
                f"{boxes:>6} {share:>8.2%} {counts['box review']:>7} {counts['box wrong']:>6} "
                f"{total / mine[0]:>13.1f} {total / mine[1]:>6.1f} "
                f"{total / reference[0]:>13.1f} {total / reference[1]:>6.1f} "
                f"{counts['area right']:>34}/{counts['area lost']}/{counts['area ink']}",
                flush=True,
            )


def _batch(
    sources: list[SheetSource],
    with_boxes: list[SheetSource],
    condition: str,
    dpi: int,
    seed: int,
    count: int,
) -> list[SyntheticPage]:
    """``count`` marked pages, two of three with boxes, a quarter upside down, shuffled
    (seed 0 gives the pages of the earlier runs)."""
    base = seed * 1_000_000 + dpi * 10_000
    batch = [
        synthetic_page(
            with_boxes[i % len(with_boxes)] if i % 3 else sources[i % len(sources)],
            condition,
            dpi,
            seed=base + i,
            upside_down=i % 4 == 0,
        )
        for i in range(count)
    ]
    random.Random(base // 10_000).shuffle(batch)  # out of order: nothing may depend on it
    return batch


if __name__ == "__main__":
    main()
