"""Synthetic scans of real answer sheets, with the truth about every box.

The sheet pages come from the learner PDF packets of the example courses,
rendered by pypdfium2 at the chosen resolution. Marks are drawn as a learner
would (crosses and shading in pencil greys from light to dark, cancelled boxes
blacked out, erased smudges, blank answers, writing in the open areas); then the
page goes through one of the conditions:

- ``scanner``: small rotation, slight skew, sensor noise, JPEG 75-90;
- ``phone``: the page on a darker background, up to ±7° rotation, perspective,
  a shadow gradient, blur, noise, JPEG 50-60;
- ``photocopy``: thresholded or dithered to pure black and white, small rotation.

Any page may also come upside down. Used by the tests (a few pages) and by
``benchmarks/scan_benchmark.py`` (hundreds).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2
import zxingcpp

from casekit.build.course import load_course
from casekit.build.pipeline import build_course
from casekit.diagnostics import Diagnostics
from casekit.sheets.layout import Rect, SheetPage, course_sheets
from casekit.sheets.payload import course_payload

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [ROOT / "courses" / "digital-literacy-kk", ROOT / "courses" / "job-search-en"]
CONDITIONS = ("scanner", "phone", "photocopy")
TRUTHS = ("empty", "marked", "cancelled")
LIGHTEST_ON_COPIES = 110


@dataclass(frozen=True)
class SheetSource:
    """One printed sheet page: its layout, its QR text and its PDF page."""

    layout: SheetPage
    payload: str
    pdf: Path
    index: int


@dataclass
class SyntheticPage:
    source: SheetSource
    condition: str
    dpi: int
    upside_down: bool
    data: bytes  # the encoded image file (JPEG or PNG)
    suffix: str
    truth: dict[str, tuple[str, ...]]  # question key -> truth of each box (TRUTHS)
    written: dict[str, bool]  # open-answer area key -> whether anything is written in it


def sheet_sources(out: Path) -> list[SheetSource]:
    """Build the learner packets of the example courses; every sheet page in them."""
    found: list[SheetSource] = []
    for root in EXAMPLES:
        result = build_course(root, ["pdf"], ["learner"], out, {})
        assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
        pdf = result.outputs[0].paths[0]
        course = load_course(root, Diagnostics())
        layouts = {course_payload(course, p.item, p.page): p for p in course_sheets(course)}
        document = pypdfium2.PdfDocument(str(pdf))
        for index, page in enumerate(document):
            image = page.render(scale=100 / 72, grayscale=True).to_pil()
            for code in zxingcpp.read_barcodes(image):
                if code.text in layouts:
                    found.append(SheetSource(layouts[code.text], code.text, pdf, index))
        document.close()
    return found


def render_sheet(source: SheetSource, dpi: int) -> np.ndarray:
    document = pypdfium2.PdfDocument(str(source.pdf))
    try:
        bitmap = document[source.index].render(scale=dpi / 72, grayscale=True)
        return np.array(bitmap.to_pil().convert("L"))
    finally:
        document.close()


class Marker:
    """Draws a learner's marks on a flat page rendered at ``dpi``."""

    def __init__(self, image: np.ndarray, dpi: int, rng: random.Random) -> None:
        self.image = image
        self.px = dpi / 25.4
        self.rng = rng

    def pt(self, x_mm: float, y_mm: float) -> tuple[int, int]:
        return round(x_mm * self.px), round(y_mm * self.px)

    def pencil(self, draw, grey: int) -> None:  # noqa: ANN001 (a drawing callback)
        """Apply strokes drawn by ``draw(layer)`` in a pencil of ``grey``, with grain."""
        layer = np.zeros_like(self.image)
        draw(layer)
        if not layer.any():
            return
        grain = np.random.default_rng(self.rng.randrange(2**32)).uniform(0.7, 1.0, layer.shape)
        depth = (layer.astype(np.float32) / 255.0) * grain * (255 - grey)
        self.image[:] = np.minimum(self.image, (255 - depth).astype(np.uint8))

    def cross(self, box: Rect, grey: int) -> None:
        r = self.rng
        width = max(1, round(r.uniform(0.35, 0.8) * self.px))
        j = box.w * 0.12

        def jitter() -> float:
            return r.uniform(-j, j)

        a = self.pt(box.x + box.w * 0.15 + jitter(), box.y + box.h * 0.15 + jitter())
        b = self.pt(box.x + box.w * 0.85 + jitter(), box.y + box.h * 0.85 + jitter())
        c = self.pt(box.x + box.w * 0.85 + jitter(), box.y + box.h * 0.15 + jitter())
        d = self.pt(box.x + box.w * 0.15 + jitter(), box.y + box.h * 0.85 + jitter())

        def draw(layer: np.ndarray) -> None:
            cv2.line(layer, a, b, 255, width, cv2.LINE_AA)
            cv2.line(layer, c, d, 255, width, cv2.LINE_AA)

        self.pencil(draw, grey)

    def shade(self, box: Rect, grey: int) -> None:
        """Back-and-forth strokes over most of the box, as when shading it."""
        r = self.rng
        width = max(1, round(r.uniform(0.4, 0.8) * self.px))
        margin = box.w * r.uniform(0.12, 0.25)
        lines = r.randint(4, 6)
        points = []
        for i in range(lines + 1):
            y = box.y + margin + (box.h - 2 * margin) * i / lines
            x = box.x + margin if i % 2 == 0 else box.x + box.w - margin
            points.append(self.pt(x + r.uniform(-0.3, 0.3), y + r.uniform(-0.3, 0.3)))

        def draw(layer: np.ndarray) -> None:
            cv2.polylines(layer, [np.array(points, np.int32)], False, 255, width, cv2.LINE_AA)

        self.pencil(draw, grey)

    def black_out(self, box: Rect, grey: int) -> None:
        over = 0.4

        def draw(layer: np.ndarray) -> None:
            cv2.rectangle(
                layer,
                self.pt(box.x - over, box.y - over),
                self.pt(box.x + box.w + over, box.y + box.h + over),
                255,
                -1,
            )

        self.pencil(draw, grey)

    def smudge(self, box: Rect) -> None:
        """What an eraser leaves: a faint grey cloud."""
        r = self.rng
        centre = self.pt(box.x + box.w / 2 + r.uniform(-1, 1), box.y + box.h / 2 + r.uniform(-1, 1))
        axes = (round(box.w * 0.45 * self.px), round(box.h * 0.35 * self.px))
        layer = np.zeros_like(self.image)
        cv2.ellipse(layer, centre, axes, r.uniform(0, 180), 0, 360, 255, -1)
        layer = cv2.GaussianBlur(layer, (0, 0), self.px * 0.8)
        depth = layer.astype(np.float32) / 255.0 * r.uniform(18, 38)
        self.image[:] = np.minimum(self.image, (255 - depth).astype(np.uint8))

    def writing(self, area: Rect) -> None:
        """A few lines of scribble in an open-answer area."""
        r = self.rng
        for line in range(min(3, int(area.h // 8))):
            y = area.y + 6 + line * 8
            self.scribble(area.x + 4, area.x + area.w * r.uniform(0.5, 0.9), y, r.randint(40, 120))

    def word(self, area: Rect, lightest: int) -> None:
        """One short word (6 to 20 mm) somewhere on the area's first lines, in any
        pencil from dark to ``lightest``: the least a learner writes."""
        r = self.rng
        start = area.x + r.uniform(3, max(3.0, area.w / 2))
        y = area.y + r.choice([6, 14]) if area.h > 16 else area.y + 6
        self.scribble(start, start + r.uniform(6, 20), y, r.randint(40, lightest))

    def scribble(self, x: float, end: float, y: float, grey: int) -> None:
        """Handwriting-like zigzag from ``x`` to ``end`` on the line above ``y`` (mm)."""
        r = self.rng
        points = []
        while x < end:
            points.append(self.pt(x, y + r.uniform(-2.5, 0.5)))
            x += r.uniform(0.8, 2.0)

        def draw(layer: np.ndarray) -> None:
            cv2.polylines(layer, [np.array(points, np.int32)], False, 255, 2, cv2.LINE_AA)

        self.pencil(draw, grey)


def mark_sheet(
    image: np.ndarray, layout: SheetPage, dpi: int, rng: random.Random, lightest: int = 170
) -> tuple[dict[str, tuple[str, ...]], dict[str, bool]]:
    """Fill in ``image`` as a learner would, in pencil greys from 40 (dark) to
    ``lightest``; the truth of every box, and of every open-answer area (written in
    or not: lines of writing, a single short word, or nothing but perhaps an
    eraser's smudge)."""
    marker = Marker(image, dpi, rng)
    truth: dict[str, tuple[str, ...]] = {}
    for row in layout.rows:
        count = len(row.boxes)
        states = ["empty"] * count
        roll = rng.random()
        if roll < 0.08:
            pass  # a blank answer
        elif row.kind == "multiple":
            for i in rng.sample(range(count), rng.randint(1, min(3, count))):
                states[i] = "marked"
        else:
            states[rng.randrange(count)] = "marked"
            if roll > 0.94 and count > 1:  # two marks: a "multiple"
                states[rng.choice([i for i in range(count) if states[i] == "empty"])] = "marked"
        if rng.random() < 0.08:  # changed their mind: one box blacked out
            empty = [i for i in range(count) if states[i] == "empty"]
            if empty:
                states[rng.choice(empty)] = "cancelled"
        for box, state in zip(row.boxes, states, strict=True):
            grey = rng.randint(40, lightest)
            if state == "marked":
                (marker.cross if rng.random() < 0.5 else marker.shade)(box, grey)
            elif state == "cancelled":
                marker.black_out(box, rng.randint(15, 70))
            elif rng.random() < 0.06:
                marker.smudge(box)
        truth[row.key] = tuple(states)
    written = {}
    for area in layout.areas:
        roll = rng.random()
        if roll < 0.5:
            marker.writing(area.rect)
        elif roll < 0.75:
            marker.word(area.rect, lightest)
        elif roll < 0.85:  # written and rubbed out
            marker.smudge(Rect(area.rect.x + 5, area.rect.y + 3, 20, 10))
        written[area.key] = roll < 0.75
    return truth, written


def scanner(image: np.ndarray, rng: random.Random) -> tuple[np.ndarray, str, list[int]]:
    h, w = image.shape
    angle = rng.uniform(-1.5, 1.5)
    skew = rng.uniform(-0.01, 0.01)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, rng.uniform(0.98, 1.01))
    matrix[0, 1] += skew
    out = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=250)
    out = _noise(out, rng, 3.0)
    return out, ".jpg", [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)]


def phone(image: np.ndarray, rng: random.Random) -> tuple[np.ndarray, str, list[int]]:
    h, w = image.shape
    pad = 0.12
    canvas_w, canvas_h = round(w * (1 + 2 * pad)), round(h * (1 + 2 * pad))
    angle = math.radians(rng.uniform(-7, 7))
    cx, cy = canvas_w / 2, canvas_h / 2
    corners = []
    for x, y in ((0, 0), (w, 0), (w, h), (0, h)):
        dx, dy = x - w / 2, y - h / 2
        dx += rng.uniform(-0.04, 0.04) * w  # perspective: each corner moved a little
        dy += rng.uniform(-0.04, 0.04) * h
        corners.append(
            (
                cx + dx * math.cos(angle) - dy * math.sin(angle),
                cy + dx * math.sin(angle) + dy * math.cos(angle),
            )
        )
    source = np.float32([(0, 0), (w, 0), (w, h), (0, h)])
    matrix = cv2.getPerspectiveTransform(source, np.float32(corners))
    table = np.full((canvas_h, canvas_w), rng.randint(60, 120), np.uint8)
    table = _noise(table, rng, 12.0)
    paper = cv2.warpPerspective(image, matrix, (canvas_w, canvas_h), borderValue=0)
    inside = cv2.warpPerspective(np.full_like(image, 255), matrix, (canvas_w, canvas_h))
    out = np.where(inside > 128, paper, table).astype(np.float32)
    # shadow: a linear gradient across the page and a soft blob of shade
    ys, xs = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    direction = rng.uniform(0, 2 * math.pi)
    ramp = (xs * math.cos(direction) + ys * math.sin(direction)) / max(canvas_w, canvas_h)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 1.0 - rng.uniform(0.25, 0.45) * ramp
    bx, by = rng.uniform(0, canvas_w), rng.uniform(0, canvas_h)
    blob = np.exp(-((xs - bx) ** 2 + (ys - by) ** 2) / (2 * (0.25 * canvas_w) ** 2))
    light *= 1.0 - rng.uniform(0.1, 0.25) * blob
    out = (out * light).clip(0, 255).astype(np.uint8)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.6, 1.3))
    out = _noise(out, rng, 6.0)
    return out, ".jpg", [cv2.IMWRITE_JPEG_QUALITY, rng.randint(50, 60)]


def photocopy(image: np.ndarray, rng: random.Random) -> tuple[np.ndarray, str, list[int]]:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.0, 1.0), 1.0)
    out = cv2.warpAffine(image, matrix, (w, h), borderValue=255)
    out = _noise(out, rng, 4.0)
    if rng.random() < 0.5:  # thresholded
        out = np.where(out < rng.randint(160, 190), 0, 255).astype(np.uint8)
    else:  # dithered, as cheap copiers and fax modes do
        from PIL import Image

        out = np.array(Image.fromarray(out).convert("1").convert("L"))
    return out, ".png", []


def _noise(image: np.ndarray, rng: random.Random, sigma: float) -> np.ndarray:
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, sigma, image.shape)
    return (image.astype(np.float32) + noise).clip(0, 255).astype(np.uint8)


TRANSFORMS = {"scanner": scanner, "phone": phone, "photocopy": photocopy}


def synthetic_page(
    source: SheetSource, condition: str, dpi: int, seed: int, upside_down: bool = False
) -> SyntheticPage:
    rng = random.Random(seed)
    image = render_sheet(source, dpi)
    # a copier loses light pencil altogether: nobody could read it from the copy
    lightest = LIGHTEST_ON_COPIES if condition == "photocopy" else 170
    truth, written = mark_sheet(image, source.layout, dpi, rng, lightest)
    out, suffix, params = TRANSFORMS[condition](image, rng)
    if upside_down:
        out = cv2.rotate(out, cv2.ROTATE_180)
    ok, encoded = cv2.imencode(suffix, out, params)
    assert ok
    return SyntheticPage(
        source, condition, dpi, upside_down, encoded.tobytes(), suffix, truth, written
    )
