"""Whether an open-answer area holds any writing.

The area is printed as a frame with ruled lines (``sheets.layout.writing_lines``);
a crop of it always holds their ink, and a scan may break a thin grey line into
dashes (a dithering copier) or shift it by a fitting error. The measure is the ink
left once the frame and the printed lines are taken out: each line is looked for
near where the layout puts it, a stretch at a time, and the band it lies in is
left out; what remains dark (relative to the paper around it, as boxes are
measured) counts, in specks large enough not to be noise.
"""

from __future__ import annotations

import cv2
import numpy as np

from casekit.scan.fit import PX_PER_MM, FittedPage
from casekit.sheets.layout import Rect, writing_lines

INK = 0.15  # dark enough to be writing, light pencil too (a box needs 0.25: marks are pressed)
LINE_INK = 0.08  # the printed lines are grey and thin: looked for at a lighter threshold
INSET_MM = 1.2  # the frame and fitting error left out
SEARCH_MM = 1.5  # how far from where the layout puts it a printed line may be
STRETCH_MM = 10.0  # each stretch of a line is found on its own (a page is never quite flat)
FOUND = 0.3  # a stretch's line is the row this much of it is ink, else where the layout says
BAND_MM = 0.5  # left out each side of a line's row
SPECK_MM2 = 0.25  # specks of ink smaller than this are noise
WRITTEN_MM2 = 1.0  # less ink than this is a blank area (a short word leaves 4 or more)


def written_ink(page: FittedPage, rect: Rect) -> float:
    """Square millimetres of ink inside the area ``rect`` that are neither its
    printed frame and lines nor noise."""
    ink = page.ink(rect, -INSET_MM)
    if ink.size == 0:
        return 0.0
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
    rest = ((ink > INK) & ~printed).astype(np.uint8)
    _count, _labels, stats, _centres = cv2.connectedComponentsWithStats(rest, connectivity=8)
    sizes = stats[1:, cv2.CC_STAT_AREA]
    return float(sizes[sizes >= SPECK_MM2 * PX_PER_MM**2].sum()) / PX_PER_MM**2


def is_blank(page: FittedPage, rect: Rect) -> bool:
    """Whether nothing is written in the open-answer area ``rect``."""
    return written_ink(page, rect) < WRITTEN_MM2
