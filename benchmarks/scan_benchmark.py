"""Accuracy and speed of reading answer sheets, on synthetic scans of the example
courses' real packets (tests/synthetic_scans.py): every condition at 100, 150,
200 and 300 dpi, a quarter of the pages upside down, the pages shuffled.

For each condition it prints:
- ids: pages whose sheet was identified right / sent to review / identified wrong;
- boxes: read right / in a question sent to review / wrong and recorded (the
  figure that must stay 0);
- pages per second from the image file to the decision (decoding included),
  beside the reference on the same files: OpenCV decoding each file in full and
  zxing-cpp finding its QR code, the least any grader that identifies pages by
  QR code does.

    python benchmarks/scan_benchmark.py --pages 40
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
    SyntheticPage,
    sheet_sources,
    synthetic_page,
)

DPIS = (100, 150, 200, 300)
SAME = {"filled": "marked", "crossed": "marked"}


def score(page: SyntheticPage, path: Path, counts: Counter) -> float:
    """Read one page from its file as ``casekit scan`` does, add its outcome to
    ``counts``; the seconds it took."""
    start = time.perf_counter()
    (image,) = pages([path])
    layouts = {page.source.payload: page.source.layout}
    reading = read_page(image.grey, lambda ref: layouts[_payload(ref)])
    seconds = time.perf_counter() - start
    if reading.code and reading.code != page.source.payload:
        counts["id wrong"] += 1
        return seconds
    if reading.layout is None or (reading.status == "review" and not reading.questions):
        counts["id review"] += 1
        counts["boxes on pages in review"] += sum(len(t) for t in page.truth.values())
        return seconds
    counts["id right"] += 1
    for question in reading.questions:
        for box, truth in zip(question.boxes, page.truth[question.key], strict=True):
            if SAME.get(box.state, box.state) == truth:
                counts["box right"] += 1
            elif question.answer in DOUBTFUL:
                counts["box review"] += 1
            else:
                counts["box wrong"] += 1
    return seconds


def _payload(ref) -> str:  # noqa: ANN001
    text = f"{ref.course_id}|{ref.version}|{ref.item}"
    return text if ref.page == 1 else f"{text}|{ref.page}"


def qr_only(path: Path) -> float:
    """The reference: OpenCV decoding the file in full, zxing-cpp finding its QR code."""
    start = time.perf_counter()
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="pages per condition and dpi")
    parser.add_argument("--dpi", type=int, nargs="*", default=list(DPIS))
    parser.add_argument("--conditions", nargs="*", default=list(CONDITIONS))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="scan-benchmark-"))
    sources = sheet_sources(tmp / "packets")
    with_boxes = [s for s in sources if s.layout.rows]
    print(f"sheet pages in the example packets: {len(sources)} ({len(with_boxes)} with boxes)")
    print(
        f"{'condition':10} {'dpi':>4} {'ids right/review/wrong':>23} "
        f"{'boxes right':>12} {'review':>7} {'wrong':>6} {'pages/s':>8} {'QR only':>8}"
    )
    for condition in args.conditions:
        for dpi in args.dpi:
            rng = random.Random(dpi)
            batch = [
                synthetic_page(
                    # two of three pages carry boxes
                    with_boxes[i % len(with_boxes)] if i % 3 else sources[i % len(sources)],
                    condition,
                    dpi,
                    seed=dpi * 10_000 + i,
                    upside_down=i % 4 == 0,
                )
                for i in range(args.pages)
            ]
            rng.shuffle(batch)  # out of order: nothing may depend on it
            paths = []
            for number, page in enumerate(batch):
                paths.append(tmp / f"{condition}-{dpi}-{number}{page.suffix}")
                paths[-1].write_bytes(page.data)
            counts: Counter = Counter()
            seconds = sum(
                score(page, path, counts) for page, path in zip(batch, paths, strict=True)
            )
            reference = sum(qr_only(path) for path in paths)
            for path in paths:
                path.unlink()
            boxes = counts["box right"] + counts["box review"] + counts["box wrong"]
            share = counts["box right"] / boxes if boxes else 1.0
            print(
                f"{condition:10} {dpi:>4} "
                f"{counts['id right']:>9}/{counts['id review']}/{counts['id wrong']:<8} "
                f"{share:>11.2%} {counts['box review']:>7} {counts['box wrong']:>6} "
                f"{len(batch) / seconds:>8.1f} {len(batch) / reference:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
