"""One page image read end to end: QR -> layout -> fitted page -> boxes -> decision.

``read_page`` never guesses: a page whose QR cannot be read, whose corner marks
are missing, with a box in doubt or two options marked where one is asked comes back ``review`` with the reasons and
zoomed images of what a person must look at; a page that is no casekit sheet
(or a sheet the register does not know) comes back ``refused``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from casekit.scan.areas import is_blank
from casekit.scan.boxes import QuestionReading, read_row
from casekit.scan.fit import PX_PER_MM, FitError, FittedPage, fit_page
from casekit.scan.qr import find_code
from casekit.scan.reasons import Reason, ReasonError
from casekit.sheets.layout import Rect, SheetPage
from casekit.sheets.payload import SheetRef

Status = Literal["read", "review", "refused"]
#: answers a person must settle: a box in doubt, or two marks where one is asked
DOUBTFUL = ("unsure", "multiple")
ZOOM_MARGIN_MM = 6.0  # around a doubtful row, so the person sees its neighbours
ZOOM_PX_PER_MM = 12.0


class UnknownSheet(ReasonError):
    """The QR names a sheet this register cannot place; the reason says why."""


#: finds the printed layout of the sheet page a QR code names (or raises UnknownSheet)
LayoutLookup = Callable[[SheetRef], SheetPage]


@dataclass
class PageReading:
    status: Status
    reasons: list[Reason] = field(default_factory=list)
    code: str = ""  # the QR text
    ref: SheetRef | None = None
    layout: SheetPage | None = None
    questions: list[QuestionReading] = field(default_factory=list)
    areas: dict[str, np.ndarray] = field(default_factory=dict)  # open-answer crops
    blank: tuple[str, ...] = ()  # the areas with nothing written in them
    zooms: dict[str, np.ndarray] = field(default_factory=dict)  # what a person must look at

    @property
    def doubtful(self) -> list[QuestionReading]:
        return [q for q in self.questions if q.answer in DOUBTFUL]


def read_page(grey: np.ndarray, lookup: LayoutLookup) -> PageReading:
    code = find_code(grey)
    if code is None:
        return PageReading(
            "review",
            [Reason("no_qr")],
            zooms={"page": _thumbnail(grey)},
        )
    if code.ref is None:
        return PageReading("refused", [Reason("not_a_sheet")], code=code.text)
    try:
        layout = lookup(code.ref)
    except UnknownSheet as exc:
        return PageReading("refused", [exc.reason], code=code.text, ref=code.ref)
    try:
        fitted = fit_page(grey, code, layout)
    except FitError as exc:
        return PageReading(
            "review",
            [exc.reason],
            code=code.text,
            ref=code.ref,
            layout=layout,
            zooms={"page": _thumbnail(grey)},
        )
    reading = PageReading("read", code=code.text, ref=code.ref, layout=layout)
    reading.questions = [read_row(fitted, row) for row in layout.rows]
    reading.areas = {area.key: crop(fitted, area.rect) for area in layout.areas}
    reading.blank = tuple(area.key for area in layout.areas if is_blank(fitted, area.rect))
    for question, row in zip(reading.questions, layout.rows, strict=True):
        if question.answer in DOUBTFUL:
            reading.zooms[question.key] = zoom(fitted, row.label, row.boxes[-1])
    if reading.zooms:
        reading.status = "review"
        questions = [
            f"{row.quiz}/{row.question}" for row in layout.rows if row.key in reading.zooms
        ]
        reading.reasons.append(
            Reason("in_doubt", {"count": len(questions), "questions": ", ".join(questions)})
        )
    return reading


def crop(fitted: FittedPage, rect: Rect, margin: float = 0.0) -> np.ndarray:
    """The fitted page's pixels inside ``rect`` (mm), as it looked."""
    return fitted.grey[fitted.pixels(rect, margin)].copy()


def zoom(fitted: FittedPage, first: Rect, last: Rect) -> np.ndarray:
    """A row from its label to its last box, enlarged for a person to judge."""
    span = Rect(
        first.x,
        min(first.y, last.y),
        last.x + last.w - first.x,
        max(first.y + first.h, last.y + last.h) - min(first.y, last.y),
    )
    pixels = crop(fitted, span, ZOOM_MARGIN_MM / 2)
    factor = ZOOM_PX_PER_MM / PX_PER_MM
    return cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def _thumbnail(grey: np.ndarray, height: int = 1200) -> np.ndarray:
    if grey.shape[0] <= height:
        return grey.copy()
    scale = height / grey.shape[0]
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
