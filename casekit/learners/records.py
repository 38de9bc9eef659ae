"""Typed records of the learner register: what the register returns and takes.

The register turns rows into these and back; no other module sees a row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from casekit.sheets.grading import AnswerKey, Mark

__all__ = ["AnswerKey", "Mark"]  # records of the register, defined with the grading

#: accommodations a roster may ask for, and what casekit does with each
ACCOMMODATIONS: dict[str, str] = {
    "large-print": "the course body and personal pages in large print (18 pt or more)",
}

CODE = 64  # most characters of a learner, group, facility, packet or stick code
NAME = 200  # most characters of a name
SHEET_ID = 24  # what a sheet's QR code carries: short enough for a version 1-2 symbol

SheetKind = Literal["assignment", "quiz"]
ItemKind = Literal["packet", "stick"]


@dataclass(frozen=True)
class Learner:
    code: str  # the facility's learner code: printed on packets instead of the name
    last_name: str
    first_name: str
    group: str
    facility: str = ""
    middle_name: str = ""  # patronymic
    language: str = ""  # kk, ru or en; empty: the course's language
    accommodations: tuple[str, ...] = ()
    withdrawn_on: dt.date | None = None

    @property
    def full_name(self) -> str:
        return " ".join(
            part for part in (self.last_name, self.first_name, self.middle_name) if part
        )

    @property
    def large_print(self) -> bool:
        return "large-print" in self.accommodations


@dataclass(frozen=True)
class Consultation:
    """A weekly consultation slot: weekday 0 = Monday, and a time of day."""

    weekday: int
    time: dt.time

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.time:%H:%M}"


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Enrolment:
    learner: str  # learner code
    course_id: str
    course_version: str
    start: dt.date
    hours_per_week: float
    study_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # weekdays, 0 = Monday
    consultations: tuple[Consultation, ...] = ()
    holidays: tuple[dt.date, ...] = ()
    programme: str = ""  # the course's DLT programme type, for the credit limits
    credits: float = 0.0


@dataclass(frozen=True)
class Sheet:
    """An answer sheet handed out: its short id is what the sheet's QR code carries."""

    id: str
    learner: str
    course_id: str
    course_version: str
    kind: SheetKind
    target: str  # the assignment's anchor or the module's id (the layout's ``item``)
    packet: str = ""
    #: the printed pages as ``casekit.sheets.layout.SheetPage`` JSON objects in a list
    layout: str = ""
    #: its line on the paper, in the course's language ("Тапсырма 1.2: ..."); "" when
    #: issued by a casekit before the register kept it
    title: str = ""

    @property
    def heading(self) -> str:
        """How to name the sheet to a person: its title as printed, else its target."""
        return self.title or self.target


@dataclass(frozen=True)
class LessonLoad:
    """What a study plan needs of a lesson: its hours (None: the default) and whether
    it has assignments or self-checks to hand in (then it has a deadline)."""

    id: str
    hours: float | None
    has_work: bool


@dataclass(frozen=True)
class SheetPlan:
    """An answer sheet of a course version as packets print it: kind, item, its line
    on the paper, and the lessons whose deadlines apply."""

    kind: SheetKind
    item: str
    title: str
    lessons: tuple[str, ...]


@dataclass(frozen=True)
class CourseVersion:
    """What the register keeps of a course version when its sheets are issued, so
    the paper loop presents them without the course's sources: the course's title,
    its language (a BCP 47 tag), its own ``[labels]`` over casekit's words, the
    text of its questions and its study plan's outline."""

    course_id: str
    course_version: str
    title: str
    language: str
    labels: dict[str, str] = field(default_factory=dict)
    #: each self-check question by its layout key: (its text, the accepted answer of a
    #: short question or ""), shown to the teacher beside a written answer
    questions: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: what ``casekit report`` needs without the course's sources: the course's date
    #: (its documents' stamp), its sheets in packet order and its lessons' loads (the
    #: deadlines); empty when recorded by a casekit before 0012
    date: dt.date | None = None
    sheets: tuple[SheetPlan, ...] = ()
    lessons: tuple[LessonLoad, ...] = ()


@dataclass(frozen=True)
class IssuedItem:
    item_id: str  # packet id or stick id
    kind: ItemKind
    learner: str
    course_id: str
    course_version: str
    issued_on: dt.date
    issued_by: str = ""
    sha256: str = ""  # of the file handed out (a packet PDF), when there is one


#: every entry on a stick: path -> (size, SHA-256); the size is -1 for anything not a
#: regular file, the digest "" where the bundle's manifests cover the file (or the
#: record predates digests)
Inventory = dict[str, tuple[int, str]]
CustodyEventKind = Literal["issued", "returned"]


@dataclass(frozen=True)
class StickCustody:
    """A stick in custody: issued with a bundle (``item.sha256`` is its content
    fingerprint, the SHA-256 of the tag manifest), returned or still out."""

    item: IssuedItem
    bundle: str  # the bundle folder's name on the stick
    issued_at: dt.datetime
    files: Inventory  # every file on the stick when issued
    label: str = ""  # the file system's label, when readable
    serial: str = ""  # the device's serial number, when readable
    due_on: dt.date | None = None
    returned_at: dt.datetime | None = None
    received_by: str = ""
    problems: tuple[str, ...] = ()

    @property
    def out(self) -> bool:
        return self.returned_at is None

    def overdue(self, today: dt.date) -> bool:
        return self.out and self.due_on is not None and self.due_on < today


@dataclass(frozen=True)
class CustodyEvent:
    """One line of a stick's history: handed out, or received back."""

    stick_id: str
    event: CustodyEventKind
    at: dt.datetime
    learner: str
    course_id: str
    course_version: str
    sha256: str  # the content fingerprint issued
    by: str = ""
    label: str = ""
    serial: str = ""
    due_on: dt.date | None = None
    problems: tuple[str, ...] = ()  # a return's findings


@dataclass(frozen=True)
class RosterRow:
    """A learner as a roster gives them, with the facility's full name if stated."""

    learner: Learner
    facility_name: str = ""


@dataclass(frozen=True)
class ImportSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewSubmission:
    """A scanned sheet page to record."""

    sheet: str
    page: int
    received_at: dt.datetime
    source: str  # file and page as given on the command line
    source_sha256: str  # of the decoded page image
    marks: dict[str, Mark]
    marks_sha256: str  # what makes two scans the same submission
    #: crops of the open-answer areas kept, in the register's folder: the layout's area
    #: key (the question it answers, or "assignment") -> file
    images: dict[str, str] = field(default_factory=dict)
    #: the keys of the open-answer areas with nothing written in them
    blank: tuple[str, ...] = ()
    status: str = "ungraded"  # graded | ungraded | open (waits for the teacher)
    score: float | None = None
    max_score: float | None = None
    decided_by: str = ""
    handed_in: dt.date | None = None  # the day the learner handed the paper in, when told


@dataclass(frozen=True)
class Submission:
    id: int
    sheet: str
    learner: str
    page: int
    version: int
    received_at: dt.datetime
    source: str
    source_sha256: str
    status: str
    marks: dict[str, Mark]
    #: area key -> crop file (``unlinked-N`` for crops of a casekit that did not link them)
    images: dict[str, str]
    handed_in: dt.date | None = None  # when told (casekit scan --handed-in)
    #: open-answer areas with nothing written in them (none known when scanned before 0013)
    blank: tuple[str, ...] = ()

    @property
    def handed_in_on(self) -> dt.date:
        """The day the paper was handed in: as told, else the day it was scanned."""
        return self.handed_in or self.received_at.date()


@dataclass(frozen=True)
class Result:
    """A grade of a sheet: a quiz page's score, or the teacher's mark for an assignment."""

    sheet: str
    score: float | None
    max_score: float | None
    decided_by: str
    decided_at: dt.datetime
    submission: int | None = None
    note: str = ""
    question: str = ""  # the area key of the one written answer marked; "" for the sheet


@dataclass(frozen=True)
class Review:
    """A page or a question a person must settle before anything is recorded."""

    id: int
    created_at: dt.datetime
    source: str
    page: int
    source_sha256: str
    reason: str
    sheet: str = ""  # empty when the page could not be identified
    sheet_page: int = 1
    reading: dict[str, Mark] = field(default_factory=dict)
    doubtful: tuple[str, ...] = ()  # question keys to settle
    images: dict[str, str] = field(default_factory=dict)  # what to show -> file
    handed_in: dt.date | None = None  # as told to casekit scan, for the submission it settles
    blank: tuple[str, ...] = ()  # open-answer areas with nothing written in them
    status: str = "open"  # open | settled | dismissed
    decided_by: str = ""
    decided_at: dt.datetime | None = None
    decision: dict[str, object] = field(default_factory=dict)
