"""Scanned pages into the register: read each page (``casekit.scan``), identify
the learner's sheet through the register, grade quiz pages with the key of the
version the sheet was printed from, and record a submission; or put the page
on the review list.

Nothing is guessed and nothing is dropped: a page that cannot be read or
identified, and a page with a question in doubt, goes to the review list with
the images a person needs (kept in the register's owner-only folder), and is
reported in one line naming its file and page. Scanning the same pages again
records nothing new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from casekit.diagnostics import Diagnostic, diagnostic
from casekit.learners.records import NewSubmission, Review, Sheet
from casekit.learners.register import Register
from casekit.messages import Messages
from casekit.scan import reasons
from casekit.scan.page import PageReading, UnknownSheet, read_page
from casekit.scan.reasons import Reason
from casekit.scan.sources import PageImage, pages
from casekit.sheets.grading import AnswerKey, Mark, marks_digest, score
from casekit.sheets.layout import SheetPage
from casekit.sheets.payload import SheetRef

Outcome = Literal["recorded", "again", "review", "problem"]
READER = "casekit scan"  # who decided the marks of a page read without doubt
AREA = "area:"  # a review's images: zooms by question key, open-answer crops by AREA + key


@dataclass(frozen=True)
class PageOutcome:
    source: str
    page: int
    outcome: Outcome
    reasons: tuple[Reason, ...] = ()  # why a page waits for review
    learner: str = ""
    sheet: Sheet | None = None
    score: tuple[float, float] | None = None

    def diagnostic(self, msg: Messages) -> Diagnostic:
        """The page's line for the terminal, in casekit's diagnostic style."""
        code = "scan-review" if self.outcome == "review" else "scan-unread"
        severity = "warning" if self.outcome == "review" else "error"
        text = reasons.texts(list(self.reasons), msg)
        return diagnostic(self.source, text, code, self.page, 1, severity)


class RegisterSheets:
    """The layouts of the sheets the scanned QR codes name, from the register."""

    def __init__(self, register: Register, course: str | None = None) -> None:
        self.register = register
        self.course = course
        self.sheets: dict[str, tuple[Sheet, list[SheetPage]] | None] = {}

    def __call__(self, ref: SheetRef) -> SheetPage:
        if not ref.personal:
            raise UnknownSheet("course_build", course=ref.course_id, version=ref.version)
        if ref.sheet_id not in self.sheets:
            sheet = self.register.sheet(ref.sheet_id)
            self.sheets[ref.sheet_id] = None if sheet is None else (sheet, layouts_of(sheet))
        found = self.sheets[ref.sheet_id]
        if found is None:
            raise UnknownSheet("unknown_sheet", sheet=ref.sheet_id)
        sheet, layouts = found
        if self.course is not None and sheet.course_id != self.course:
            raise UnknownSheet(
                "other_course", sheet=sheet.id, course=sheet.course_id, wanted=self.course
            )
        if ref.page > len(layouts):
            raise UnknownSheet("no_such_page", sheet=sheet.id, pages=len(layouts), page=ref.page)
        return layouts[ref.page - 1]

    def sheet(self, sheet_id: str) -> Sheet:
        found = self.sheets[sheet_id]
        assert found is not None
        return found[0]


def layouts_of(sheet: Sheet) -> list[SheetPage]:
    """The pages of ``sheet`` as printed (the register keeps their layout)."""
    return [SheetPage.from_json(json.dumps(page)) for page in json.loads(sheet.layout)]


@dataclass
class Intake:
    """Scanned pages into one register."""

    register: Register
    course: str | None = None
    handed_in: dt.date | None = None  # the day the pages were handed in, when told
    keys: dict[tuple[str, str], dict[str, AnswerKey]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lookup = RegisterSheets(self.register, self.course)

    def scan(self, paths: list[Path], now: dt.datetime) -> Iterator[PageOutcome]:
        for image in pages(paths):
            yield self.page(image, now)

    def page(self, image: PageImage, now: dt.datetime) -> PageOutcome:
        source, number = str(image.source), image.page
        if image.grey is None:
            problem = image.problem or Reason("no_file")
            self._review(now, source, number, _file_digest(image.source, number), [problem])
            return PageOutcome(source, number, "problem", (problem,))
        digest = image.digest()
        reading = read_page(image.grey, self.lookup)
        ref = reading.ref
        if reading.status == "refused" or ref is None or not ref.personal or not reading.layout:
            first = reading.reasons[:1]
            self._review(now, source, number, digest, first, reading)
            return PageOutcome(source, number, "problem", tuple(first))
        sheet = self.lookup.sheet(ref.sheet_id)
        if reading.status == "review" and not reading.doubtful:
            # the sheet is known but the page could not be fitted: no marks at all
            first = reading.reasons[:1]
            self._review(now, source, number, digest, first, reading, sheet)
            return PageOutcome(source, number, "problem", tuple(first), sheet.learner, sheet)
        if reading.status == "review":
            _id, status = self._review(now, source, number, digest, reading.reasons, reading, sheet)
            if status in ("settled", "dismissed"):  # a person decided this page already
                return PageOutcome(source, number, "again", (), sheet.learner, sheet)
            why = tuple(reading.reasons)
            return PageOutcome(source, number, "review", why, sheet.learner, sheet)
        areas = {key: self.register.keep_image(png(crop)) for key, crop in reading.areas.items()}
        marks = marks_of(reading)
        new = self.submission(
            sheet, ref.page, marks, source, number, digest, areas, READER, now, reading.blank
        )
        _recorded, fresh = self.register.record_submission(new)
        got = None if new.score is None or new.max_score is None else (new.score, new.max_score)
        outcome: Outcome = "recorded" if fresh else "again"
        return PageOutcome(source, number, outcome, (), sheet.learner, sheet, got)

    def submission(
        self,
        sheet: Sheet,
        sheet_page: int,
        marks: dict[str, Mark],
        source: str,
        number: int,
        digest: str,
        images: dict[str, str],  # area key -> crop file
        decided_by: str,
        now: dt.datetime,
        blank: tuple[str, ...] = (),  # the areas with nothing written in them
    ) -> NewSubmission:
        """The submission of a page whose marks are settled, graded when it is a quiz
        page and its version's key is recorded."""
        graded = None
        if marks:
            key = (sheet.course_id, sheet.course_version)
            if key not in self.keys:
                self.keys[key] = self.register.answer_keys(*key)
            graded = score(marks, self.keys[key])
        return NewSubmission(
            sheet=sheet.id,
            page=sheet_page,
            received_at=now,
            source=f"{source}:{number}",
            source_sha256=digest,
            marks=marks,
            # a quiz page is the same when its marks are; any other page when its pixels are
            marks_sha256=marks_digest(marks) if marks else digest,
            images=dict(sorted(images.items())),
            blank=blank,
            status="graded" if graded else ("open" if not marks else "ungraded"),
            score=graded[0] if graded else None,
            max_score=graded[1] if graded else None,
            decided_by=decided_by,
            handed_in=self.handed_in,
        )

    def _review(
        self,
        now: dt.datetime,
        source: str,
        number: int,
        digest: str,
        why: list[Reason],
        reading: PageReading | None = None,
        sheet: Sheet | None = None,
    ) -> tuple[int, str]:
        images = {}
        if reading is not None:
            images = {
                key: self.register.keep_image(png(zoom)) for key, zoom in reading.zooms.items()
            }
            images |= {
                f"{AREA}{key}": self.register.keep_image(png(crop))
                for key, crop in reading.areas.items()
            }
        return self.register.add_review(
            Review(
                id=0,
                created_at=now,
                source=source,
                page=number,
                source_sha256=digest,
                reason=reasons.dump(why),
                sheet=sheet.id if sheet else "",
                sheet_page=reading.ref.page if reading and reading.ref else 1,
                reading=marks_of(reading) if reading else {},
                doubtful=tuple(q.key for q in reading.doubtful) if reading else (),
                images=images,
                handed_in=self.handed_in,
                blank=reading.blank if reading else (),
            )
        )


def marks_of(reading: PageReading) -> dict[str, Mark]:
    return {
        q.key: {
            "answer": q.answer,
            "chosen": list(q.chosen),
            "boxes": [box.state for box in q.boxes],
        }
        for q in reading.questions
    }


def png(pixels: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", pixels)
    assert ok
    return data.tobytes()


def _file_digest(path: Path, page: int) -> str:
    """A file that could not be decoded: its bytes (streamed) and the page number."""
    digest = hashlib.sha256(f"{page}:".encode())
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        digest.update(str(path).encode())
    return digest.hexdigest()
