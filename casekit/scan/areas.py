"""Whether an open-answer area holds any writing.

The area is printed as a frame with ruled lines (``sheets.layout.writing_lines``);
a crop of it always holds their ink, and a scan may break a thin grey line into
dashes (a dithering copier) or shift it by a fitting error. The measure is the ink
left once the frame and the printed lines are taken out: each line is looked for
near where the layout puts it, a stretch at a time, and the band it lies in is
left out. What remains of the strokes counts: ink relative to the paper around it
(as boxes are measured), less what is wider than a stroke unless it is dark (a
morphological top-hat: an eraser's smudge or a shadow is wide and faint, pencil is
thin, a marker dark), in specks large enough not to be noise. Thresholds measured on the synthetic scans of
``benchmarks/scan_benchmark.py`` (figures in benchmarks/README.md): no written area
was read as blank; blank ones were read as written only on black-and-white copies,
whose dithered grey (an eraser's smudge) survives as clusters of dots.
"""

from __future__ import annotations

import cv2
import numpy as np

from casekit.scan.fit import PX_PER_MM, FittedPage, strokes
from casekit.sheets.layout import Rect, writing_lines

INK = 0.12  # a stroke this much darker than what is around it is writing (light pencil too)
LINE_INK = 0.08  # the printed lines are grey and thin: looked for at a lighter threshold
INSET_MM = 1.2  # the frame and fitting error left out
SEARCH_MM = 1.5  # how far from where the layout puts it a printed line may be
STRETCH_MM = 10.0  # each stretch of a line is found on its own (a page is never quite flat)
FOUND = 0.3  # a stretch's line is the row this much of it is ink, else where the layout says
BAND_MM = 0.5  # left out each side of a line's row
STROKE_MM = 1.5  # faint ink wider than this is a smudge (an eraser's, a shadow), not a stroke
SOLID_INK = 0.5  # ink this dark is writing however wide (a marker, a filled-in patch)
SPECK_MM2 = 0.4  # specks of ink smaller than this are noise (or a copier's dots)
WRITTEN_MM2 = 1.0  # less ink than this is a blank area (one short word left 2.7 or more)


def written_ink(page: FittedPage, rect: Rect) -> float:
    """Square millimetres of ink inside the area ``rect`` that are neither its
    printed frame and lines, nor smudges, nor noise."""
    ink = page.ink(rect, -INSET_MM)
    if ink.size == 0:
        return 0.0
    writing = (strokes(ink, STROKE_MM) > INK) | (ink > SOLID_INK)
    rest = (writing & ~_printed_lines(ink, rect)).astype(np.uint8)
    _count, _labels, stats, _centres = cv2.connectedComponentsWithStats(rest, connectivity=8)
    sizes = stats[1:, cv2.CC_STAT_AREA]
    return float(sizes[sizes >= SPECK_MM2 * PX_PER_MM**2].sum()) / PX_PER_MM**2


def _printed_lines(ink: np.ndarray, rect: Rect) -> np.ndarray:
    """Where the ruled lines lie in ``ink`` (the area's inside): each found near where
    the layout puts it, a stretch at a time, with a band either side."""
    height, width = ink.shape
    faint = ink > LINE_INK
    printed = np.zeros_like(faint)
    search, band = round(SEARCH_MM * PX_PER_MM), round(BAND_MM * PX_PER_MM)
    stretch = max(1, round(STRETCH_MM * PX_PER_MM))
    for line in writing_lines(rect):
        expected = round((line - rect.y - INSET_MM) * PX_PER_MM)
        top, bottom = max(0, expected - search), min(height, expected + search + 1)
        if top >= bottom:
            continue
        for left in range(0, width, stretch):
            cover = faint[top:bottom, left : left + stretch].mean(axis=1)
            row = top + int(cover.argmax()) if cover.max() >= FOUND else expected
            printed[max(0, row - band) : row + band + 1, left : left + stretch] = True
    return printed


def is_blank(page: FittedPage, rect: Rect) -> bool:
    """Whether nothing is written in the open-answer area ``rect``."""
    return written_ink(page, rect) < WRITTEN_MM2
