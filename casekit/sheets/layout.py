"""Where everything sits on an answer sheet, in millimetres from the page's top-left
corner: the one geometry that the PDF writer draws and the scanner reads back.

A sheet page has four solid corner marks (well inside the printable area), the
QR code, the printed identity (course, item, learner code or a blank field), a
line telling how to mark, and a body: one row of boxes per quiz question (one box
per option) and an open-answer area per question without options; an
assignment's sheet is one open-answer area. A quiz sheet that does not fit one
page continues on further pages, each with its own marks and QR.

Everything here is pure and deterministic; ``SheetPage.to_json`` /
``from_json`` carry a layout into the register so a scan is read with the exact
geometry that was printed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from casekit import tree as t
from casekit.config.settings import PAPER_SIZES_MM

MARK_SIZE = 7.0  # solid corner squares
MARK_INSET = 12.0  # from the paper edge to the mark's outer edge (printers keep ~5 mm)
CONTENT_INSET = MARK_INSET + MARK_SIZE + 4.0  # nothing printed nearer the edge than this
QR_SIZE = 30.0  # a version 2-3 symbol: about 1 mm per module, read at 150 dpi
BOX = 6.0  # answer box side
BOX_GAP = 3.5  # between an option's box and the next option's letter
LETTER = 5.0  # room for "a)" before each box
ROW = 10.0  # one line of boxes
QUIZ_HEADING = 8.0
QUESTION_LABEL = 12.0  # "12." before the boxes
OPEN_AREA = 28.0  # height of a short question's writing area
WRITING_LINE = 8.0  # between the ruled lines of a writing area
RULE_INSET = 2.0  # the ruled lines stop this far inside the area's frame
SheetKind = Literal["assignment", "quiz"]


@dataclass(frozen=True)
class Rect:
    """A rectangle in mm, ``x``/``y`` its top-left corner (y grows downwards)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class Row:
    """One quiz question's boxes (one per option; several lines when they do not fit)."""

    key: str  # "<quiz anchor>/<question number>": the answer key's name for it
    quiz: str  # the quiz's number, "1.2"
    question: int
    kind: t.QuestionKind
    label: Rect  # where the question number is printed
    boxes: tuple[Rect, ...]
    letters: tuple[Rect, ...]  # where each option's letter is printed


@dataclass(frozen=True)
class OpenArea:
    """Space for a written answer; the scanner keeps a crop of it for the teacher."""

    key: str  # a question's key, or "assignment"
    label: str  # the question number as printed ("3."), or ""
    rect: Rect


@dataclass(frozen=True)
class Heading:
    """A quiz's title line on a quiz sheet."""

    quiz: str
    rect: Rect


@dataclass(frozen=True)
class SheetPage:
    """One printed page of an answer sheet: everything the writer draws and the scanner reads."""

    kind: SheetKind
    item: str  # the assignment's anchor or the module's id
    page: int  # 1-based within the sheet
    pages: int
    paper: tuple[float, float]
    marks: tuple[Rect, Rect, Rect, Rect]  # top-left, top-right, bottom-right, bottom-left
    qr: Rect
    identity: Rect  # course / item / learner lines, left of the QR
    instruction: Rect
    headings: tuple[Heading, ...] = ()
    rows: tuple[Row, ...] = ()
    areas: tuple[OpenArea, ...] = ()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SheetPage:
        data = json.loads(text)

        def rect(value: dict) -> Rect:
            return Rect(**value)

        return cls(
            kind=data["kind"],
            item=data["item"],
            page=data["page"],
            pages=data["pages"],
            paper=tuple(data["paper"]),  # type: ignore[arg-type]
            marks=tuple(rect(m) for m in data["marks"]),  # type: ignore[arg-type]
            qr=rect(data["qr"]),
            identity=rect(data["identity"]),
            instruction=rect(data["instruction"]),
            headings=tuple(Heading(h["quiz"], rect(h["rect"])) for h in data["headings"]),
            rows=tuple(
                Row(
                    key=r["key"],
                    quiz=r["quiz"],
                    question=r["question"],
                    kind=r["kind"],
                    label=rect(r["label"]),
                    boxes=tuple(rect(b) for b in r["boxes"]),
                    letters=tuple(rect(b) for b in r["letters"]),
                )
                for r in data["rows"]
            ),
            areas=tuple(OpenArea(a["key"], a["label"], rect(a["rect"])) for a in data["areas"]),
        )


def writing_lines(area: Rect) -> list[float]:
    """Where the ruled lines of a writing area are: their y (mm from the page's top),
    each from ``RULE_INSET`` inside the frame's left edge to as far inside its right."""
    return [area.y + index * WRITING_LINE for index in range(1, int(area.h // WRITING_LINE))]


def area_number(page: SheetPage, area: OpenArea) -> str:
    """The number of the question an open-answer area answers, as the scan and review
    name questions ("2.1/3": quiz 2.1, question 3); "" for an assignment's area. The
    quiz is the one whose heading is the nearest above the area: every page of a quiz
    sheet starts with the heading of the quiz it continues."""
    if page.kind != "quiz":
        return ""
    above = [h for h in page.headings if h.rect.y <= area.rect.y]
    quiz = max(above, key=lambda h: h.rect.y).quiz if above else "?"
    return f"{quiz}/{area.key.rsplit('/', 1)[-1]}"


def question_key(quiz: t.Quiz, question: t.Question) -> str:
    """How a question is named in layouts, answer keys and recorded marks."""
    return f"{quiz.anchor}/{question.number}"


def paper_size(paper: str) -> tuple[float, float]:
    return PAPER_SIZES_MM[paper]


@dataclass
class _Frame:
    """The fixed parts of a page and the body's free space."""

    paper: tuple[float, float]
    marks: tuple[Rect, Rect, Rect, Rect] = field(init=False)
    qr: Rect = field(init=False)
    identity: Rect = field(init=False)
    instruction: Rect = field(init=False)
    body_top: float = field(init=False)
    body_bottom: float = field(init=False)
    left: float = field(init=False)
    right: float = field(init=False)

    def __post_init__(self) -> None:
        w, h = self.paper
        near, far_x, far_y = MARK_INSET, w - MARK_INSET - MARK_SIZE, h - MARK_INSET - MARK_SIZE
        self.marks = (
            Rect(near, near, MARK_SIZE, MARK_SIZE),
            Rect(far_x, near, MARK_SIZE, MARK_SIZE),
            Rect(far_x, far_y, MARK_SIZE, MARK_SIZE),
            Rect(near, far_y, MARK_SIZE, MARK_SIZE),
        )
        self.left, self.right = CONTENT_INSET, w - CONTENT_INSET
        top = CONTENT_INSET
        self.qr = Rect(self.right - QR_SIZE, top, QR_SIZE, QR_SIZE)
        self.identity = Rect(self.left, top, self.right - QR_SIZE - 4 - self.left, QR_SIZE)
        self.instruction = Rect(self.left, top + QR_SIZE + 3, self.right - self.left, 12.0)
        self.body_top = self.instruction.y + self.instruction.h + 3
        self.body_bottom = h - CONTENT_INSET

    def page(self, kind: SheetKind, item: str, number: int, **body: object) -> SheetPage:
        return SheetPage(
            kind=kind,
            item=item,
            page=number,
            pages=0,  # filled in once the page count is known
            paper=self.paper,
            marks=self.marks,
            qr=self.qr,
            identity=self.identity,
            instruction=self.instruction,
            **body,  # type: ignore[arg-type]
        )


def assignment_sheet(assignment: t.Assignment, paper: str = "A4") -> list[SheetPage]:
    """An assignment's answer sheet: one page with one writing area."""
    frame = _Frame(paper_size(paper))
    area = OpenArea(
        "assignment",
        "",
        Rect(
            frame.left, frame.body_top, frame.right - frame.left, frame.body_bottom - frame.body_top
        ),
    )
    page = frame.page("assignment", assignment.anchor, 1, areas=(area,))
    return [_numbered(page, 1)]


def module_quizzes(module: t.Module) -> list[t.Quiz]:
    """The quizzes of ``module`` in reading order (a quiz answer sheet's content)."""
    return [
        block
        for lesson in module.lessons
        for block in t.iter_blocks(lesson.blocks)
        if isinstance(block, t.Quiz)
    ]


def quiz_sheet(module: t.Module, paper: str = "A4") -> list[SheetPage]:
    """A module's quiz answer sheet: the quizzes' questions in order, as many pages as
    they need (none when the module has no quiz)."""
    quizzes = module_quizzes(module)
    if not any(q.questions for q in quizzes):
        return []
    frame = _Frame(paper_size(paper))
    width = frame.right - frame.left
    per_line = max(1, int((width - QUESTION_LABEL + BOX_GAP) // (LETTER + BOX + BOX_GAP)))
    pages: list[SheetPage] = []
    y = frame.body_top
    headings: list[Heading] = []
    rows: list[Row] = []
    areas: list[OpenArea] = []

    def flush() -> None:
        nonlocal y, headings, rows, areas
        pages.append(
            frame.page(
                "quiz",
                module.id,
                len(pages) + 1,
                headings=tuple(headings),
                rows=tuple(rows),
                areas=tuple(areas),
            )
        )
        y, headings, rows, areas = frame.body_top, [], [], []

    for quiz in quizzes:
        for index, question in enumerate(quiz.questions):
            lines = -(-len(question.options) // per_line)
            needed = ROW * lines if question.options else OPEN_AREA + 2
            lead = QUIZ_HEADING if index == 0 or not (rows or areas) else 0.0
            if y + lead + needed > frame.body_bottom and (rows or areas):
                flush()
                lead = QUIZ_HEADING
            if lead:
                headings.append(Heading(quiz.number, Rect(frame.left, y, width, QUIZ_HEADING)))
                y += QUIZ_HEADING
            key = question_key(quiz, question)
            if question.options:
                boxes, letters = [], []
                for option in range(len(question.options)):
                    line, column = divmod(option, per_line)
                    x = frame.left + QUESTION_LABEL + column * (LETTER + BOX + BOX_GAP)
                    top = y + line * ROW + (ROW - BOX) / 2
                    letters.append(Rect(x, top, LETTER, BOX))
                    boxes.append(Rect(x + LETTER, top, BOX, BOX))
                rows.append(
                    Row(
                        key=key,
                        quiz=quiz.number,
                        question=question.number,
                        kind=question.kind,
                        label=Rect(frame.left, y + (ROW - BOX) / 2, QUESTION_LABEL, BOX),
                        boxes=tuple(boxes),
                        letters=tuple(letters),
                    )
                )
            else:
                label = f"{question.number}."
                rect = Rect(frame.left + QUESTION_LABEL, y + 1, width - QUESTION_LABEL, OPEN_AREA)
                areas.append(OpenArea(key, label, rect))
            y += needed
    flush()
    return [_numbered(page, len(pages)) for page in pages]


def _numbered(page: SheetPage, pages: int) -> SheetPage:
    return replace(page, pages=pages)


def course_sheets(course: t.Course, paper: str = "A4") -> list[SheetPage]:
    """Every answer sheet page of ``course`` in the order the packet prints them."""
    out: list[SheetPage] = []
    for module in course.modules:
        for lesson in module.lessons:
            for block in t.iter_blocks(lesson.blocks):
                if isinstance(block, t.Assignment):
                    out += assignment_sheet(block, paper)
        out += quiz_sheet(module, paper)
    return out
