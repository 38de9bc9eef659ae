"""Finding the sheet's QR code in a page image, with its corners.

zxing-cpp reads the symbol; it reports the symbol's corners in the symbol's own
orientation (top-left is the top-left of the printed code whatever way the page
lies), which is what lets ``fit`` predict where the corner marks are, even on a
page scanned upside down. A first attempt runs on a copy about 1,600 pixels
high, reduced by a whole step (enough for a 30 mm code at any scan resolution, and fast); then the full
image; then half size, which rescues some codes that a noisy or dithered full
image hides (Plom reports the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from casekit.sheets.payload import SheetRef, parse_payload

WORKING_HEIGHT = 1600


@dataclass(frozen=True)
class FoundCode:
    text: str
    ref: SheetRef | None  # None: a QR code, but no casekit sheet's
    corners: np.ndarray  # 4x2 float: the symbol's top-left, top-right, bottom-right, bottom-left


def find_code(grey: np.ndarray) -> FoundCode | None:
    """The page's sheet code (a casekit payload preferred over any other QR), or None."""
    step = round(grey.shape[0] / WORKING_HEIGHT)
    scales = [1.0 / step] if step > 1 else []
    scales += [1.0, 0.5]
    foreign: FoundCode | None = None
    for scale in scales:
        image = grey if scale == 1.0 else reduced(grey, scale)
        for code in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormat.QRCode, try_invert=False
        ):
            found = FoundCode(code.text, parse_payload(code.text), _corners(code) / scale)
            if found.ref is not None:
                return found
            foreign = foreign or found
    return foreign


def reduced(grey: np.ndarray, scale: float) -> np.ndarray:
    """``grey`` at ``scale`` (1/2, 1/3...: whole steps keep OpenCV's area averaging fast)."""
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _corners(code: zxingcpp.Barcode) -> np.ndarray:
    p = code.position
    points = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
    return np.array([[q.x, q.y] for q in points], dtype=np.float64)
