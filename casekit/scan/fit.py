"""From a page image to the sheet in layout coordinates, with even light.

The QR code's corners give a first, rough map from layout millimetres to image
pixels (rotation, scale and shift only: the code is small, so the map is good to
a centimetre or two at the page corners). Each corner mark is then looked for near its predicted place: a dark,
solid, roughly square blob of the expected size. Solidity tells it from a QR
finder pattern (a ring around a square fills about 70% of its outline) and size
from a cancelled answer box. A mark that is missing, or cut by the image edge,
refuses the page: fitting to the "nearest blob" instead makes every answer wrong.
The four marks then give the exact perspective map, checked once more against
the QR code, and the page is warped onto the layout at ``PX_PER_MM``.

Uneven light (phone shadows, a scanner's gradient) is evened out by dividing by
the background, estimated with a large grey-level dilation that erases every
mark smaller than the kernel.

A page of pure black and white (a photocopy, a fax, a scanner's black-and-white
mode) keeps its greys in the density of its dots: a faint eraser smudge becomes
scattered black specks, a light pencil stroke a run of dense ones. Such a page is
descreened after fitting (a blur of about one dot) so that its boxes are measured
like a grey scan's: the specks fade to a light grey, the strokes stay dark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from casekit.render.common import QR_QUIET_MODULES, qr_modules
from casekit.scan.qr import FoundCode, reduced
from casekit.scan.reasons import CORNERS, ReasonError
from casekit.sheets.layout import Rect, SheetPage

PX_PER_MM = 6.0  # the fitted page: about 150 dpi
SEARCH_MM = 35.0  # how far from where the QR code predicts it a corner mark may be
WORK_PX_PER_MM = 3.0  # corner marks are looked for at this resolution
RING_MM = 3.5  # blank paper around a corner mark
QR_TOLERANCE_MM = 3.0  # the QR code must sit where the layout says, within this
BACKGROUND_MM = 14.0  # larger than any mark that must be evened out (boxes, marks)
DESCREEN_MM = 1 / 6  # the blur of a black-and-white page: a dot of a 150 dpi copy
BILEVEL_MID = 0.005  # at most this share of mid greys: a black-and-white page


class FitError(ReasonError):
    """The page cannot be fitted to its layout; the reason says why."""


@dataclass(frozen=True)
class FittedPage:
    grey: np.ndarray  # uint8, the page in layout coordinates at PX_PER_MM, as it looked
    paper: np.ndarray  # uint8, the paper's brightness around each point, at 1/4 size
    marks: np.ndarray  # 4x2: the marks' centres in the source image

    def pixels(self, rect: Rect, margin: float = 0.0) -> tuple[slice, slice]:
        """The fitted page's rows and columns inside ``rect`` (mm) grown by ``margin``."""
        height, width = self.grey.shape
        x0 = min(width, max(0, round((rect.x - margin) * PX_PER_MM)))
        y0 = min(height, max(0, round((rect.y - margin) * PX_PER_MM)))
        x1 = min(width, max(x0, round((rect.x + rect.w + margin) * PX_PER_MM)))
        y1 = min(height, max(y0, round((rect.y + rect.h + margin) * PX_PER_MM)))
        return slice(y0, y1), slice(x0, x1)

    def ink(self, rect: Rect, margin: float = 0.0) -> np.ndarray:
        """Darkness 0 (paper) .. 1 (black) inside ``rect``, relative to the paper around it."""
        rows, cols = self.pixels(rect, margin)
        paper = self._paper_at(rows, cols)
        grey = self.grey[rows, cols].astype(np.float32)
        return np.clip(1.0 - grey / np.maximum(paper, 32.0), 0.0, 1.0)

    def _paper_at(self, rows: slice, cols: slice) -> np.ndarray:
        """The 1/4-size paper brightness, sampled at full-size pixels (nearest)."""
        ys = np.minimum(np.arange(rows.start, rows.stop) // 4, self.paper.shape[0] - 1)
        xs = np.minimum(np.arange(cols.start, cols.stop) // 4, self.paper.shape[1] - 1)
        return self.paper[np.ix_(ys, xs)].astype(np.float32)


def strokes(ink: np.ndarray, wider_mm: float) -> np.ndarray:
    """``ink`` (``FittedPage.ink``) less whatever is wider than ``wider_mm``, a
    morphological top-hat: strokes remain; an eraser's smudge or a shadow is wide and
    faint, and goes."""
    size = round(wider_mm * PX_PER_MM) | 1
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.morphologyEx(ink, cv2.MORPH_TOPHAT, element)


def symbol_corners_mm(page: SheetPage, text: str) -> np.ndarray:
    """Where the printed QR symbol's corners are on the layout (quiet zone excluded)."""
    inset = page.qr.w * QR_QUIET_MODULES / qr_modules(text)
    x0, y0 = page.qr.x + inset, page.qr.y + inset
    x1, y1 = page.qr.x + page.qr.w - inset, page.qr.y + page.qr.h - inset
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)


def fit_page(grey: np.ndarray, code: FoundCode, page: SheetPage) -> FittedPage:
    """``grey`` (uint8) warped onto ``page``'s layout; FitError when a mark is missing."""
    symbol = symbol_corners_mm(page, code.text)
    side_px = np.linalg.norm(code.corners[1] - code.corners[0])
    scale = side_px / (symbol[1, 0] - symbol[0, 0])  # px per mm near the code
    candidates = solid_squares(grey, page.marks[0].w, scale)
    centres = np.array([m.centre for m in page.marks])
    found: dict[int, np.ndarray] = {}
    while len(found) < len(page.marks):
        # the surest mark first; each one found makes the map better for the others
        rough = _rough_map(symbol, code.corners, centres[list(found)], list(found.values()))
        best: tuple[float, int, int] | None = None
        for index in set(range(len(page.marks))) - set(found):
            predicted = _apply(rough, centres[index : index + 1])[0]
            for number, candidate in enumerate(candidates):
                distance = float(np.linalg.norm(candidate - predicted))
                if distance <= SEARCH_MM * scale and (best is None or distance < best[0]):
                    best = (distance, index, number)
        if best is None:
            missing = min(set(range(len(page.marks))) - set(found))
            raise FitError("mark_missing", corner=CORNERS[missing])
        found[best[1]] = candidates.pop(best[2])
    marks = np.array([found[index] for index in range(len(page.marks))])
    exact = cv2.getPerspectiveTransform(centres.astype(np.float32), marks.astype(np.float32))
    back = np.linalg.inv(exact)
    error = np.abs(_apply(back, code.corners) - symbol).max()
    if not np.isfinite(error) or error > QR_TOLERANCE_MM:
        raise FitError("marks_mismatch")
    size = (round(page.paper[0] * PX_PER_MM), round(page.paper[1] * PX_PER_MM))
    to_source = exact @ np.diag([1 / PX_PER_MM, 1 / PX_PER_MM, 1.0])
    source, step = grey, math.floor(scale / PX_PER_MM)
    if step > 1:  # averaged down first: warping samples only the nearest pixels
        source = reduced(grey, 1 / step)
        shift = -(step - 1) / (2 * step)  # a reduced pixel's centre in the full image
        to_source = np.array([[1 / step, 0, shift], [0, 1 / step, shift], [0, 0, 1]]) @ to_source
    warped = cv2.warpPerspective(
        source,
        to_source,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    if bilevel(grey):
        warped = cv2.GaussianBlur(warped, (0, 0), DESCREEN_MM * PX_PER_MM)
    fitted = FittedPage(grey=warped, paper=paper_brightness(warped), marks=marks)
    for name, mark in zip(CORNERS, page.marks, strict=True):
        if not _alone(fitted, mark):
            raise FitError("mark_misplaced", corner=name)
    return fitted


def bilevel(grey: np.ndarray) -> bool:
    """Whether the page is black and white only (sampled: every third row and column)."""
    sample = grey[::3, ::3]
    mid = np.count_nonzero((sample > 40) & (sample < 215))
    return mid <= BILEVEL_MID * sample.size


def _alone(fitted: FittedPage, mark: Rect) -> bool:
    """A true corner mark: solid, with blank paper around it (a blacked-out answer box
    taken for a mark has its neighbours' letters and boxes beside it)."""
    solid = fitted.ink(mark, -1.0)
    ring = fitted.ink(mark, RING_MM)
    rows, cols = ring.shape
    inner = round((RING_MM - 1.0) * PX_PER_MM)
    ring = ring.copy()
    ring[inner : rows - inner, inner : cols - inner] = 0.0
    around = float((ring > 0.35).sum()) / max(
        ring.size - (rows - 2 * inner) * (cols - 2 * inner), 1
    )
    return float((solid > 0.35).mean()) > 0.9 and around < 0.04


def paper_brightness(grey: np.ndarray) -> np.ndarray:
    """The paper's brightness around each point at 1/4 size: a grey-level dilation
    larger than any mark erases the marks, a blur smooths the steps."""
    small = reduced(grey, 0.25)
    k = max(3, int(BACKGROUND_MM * PX_PER_MM / 4) | 1)
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return cv2.blur(background, (k, k))


def _rough_map(
    symbol: np.ndarray, corners: np.ndarray, marks: np.ndarray, seen: list[np.ndarray]
) -> np.ndarray:
    """A map from layout mm to image pixels good enough to find the next corner mark:
    rotation, scale and shift fitted to the QR code and the marks found so far (a
    perspective map from so small a square would turn a pixel's error into
    centimetres at the far corners); from three marks on, the affine map they give."""
    if len(seen) >= 3:
        return np.vstack(
            [
                cv2.getAffineTransform(
                    marks[:3].astype(np.float32), np.array(seen[:3], dtype=np.float32)
                ),
                [0, 0, 1],
            ]
        )
    source = np.concatenate([symbol, marks]) if len(seen) else symbol
    target = np.concatenate([corners, np.array(seen)]) if len(seen) else corners
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows += [[x, -y, 1, 0], [y, x, 0, 1]]
        values += [u, v]
    (a, b, tx, ty), *_ = np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)
    return np.array([[a, -b, tx], [b, a, ty], [0, 0, 1]], dtype=np.float64)


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    shaped = points.reshape(-1, 1, 2).astype(np.float64)
    return cv2.perspectiveTransform(shaped, matrix).reshape(-1, 2)


def solid_squares(grey: np.ndarray, side_mm: float, scale: float) -> list[np.ndarray]:
    """Centres (image pixels) of the solid, roughly square dark blobs of about
    ``side_mm`` that the image edge does not cut; found at about 3 px/mm."""
    factor = 1.0 / max(1, math.ceil(scale / WORK_PX_PER_MM))  # whole steps: fast averaging
    small = reduced(grey, factor) if factor < 1.0 else grey
    side = side_mm * scale * factor
    k = max(3, int(side * 2) | 1)
    background = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = np.maximum(background, 32).astype(np.uint16)
    dark = (small.astype(np.uint16) * 100 < 55 * paper).astype(np.uint8)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    height, width = small.shape
    found = []
    for label in range(1, count):
        left, top, w, h, area = stats[label]
        if not 0.55 * side * side <= area <= 1.9 * side * side or not 0.5 <= w / h <= 2.0:
            continue
        if left == 0 or top == 0 or left + w == width or top + h == height:
            continue  # cut by the image edge: its centre would be wrong
        points = cv2.findNonZero((labels[top : top + h, left : left + w] == label).astype(np.uint8))
        (_, _), (rw, rh), _ = cv2.minAreaRect(points)
        if area < 0.82 * max(rw * rh, 1.0) or not 0.6 <= rw / max(rh, 1.0) <= 1.66:
            continue  # not solid (a QR finder ring) or not square
        found.append(centroids[label] / factor)
    return found
