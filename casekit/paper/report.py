"""Each learner's footprint in one course version: per answer sheet what was
issued, handed in (scanned), graded, and what is late against the individual
plan; as CSV and as a printable PDF with a chart.

The CSV's columns are those of Kolibri's summary-log export (``username``,
``facility_name``, ``channel_id`` ... ``progress``, ``kind``) so tools that read
those read this, followed by casekit's own (the version, group, dates, grade).
Column names are identifiers for tools, not words for people; the PDF's words
come from the message files. Names appear only when asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from casekit import tree as t
from casekit.config.settings import CourseConfig
from casekit.formats.pdf.styles import RULE
from casekit.learners.personal_pages import Look, SheetTarget, sheet_targets
from casekit.learners.records import (
    CourseVersion,
    Learner,
    LessonLoad,
    Result,
    Sheet,
    StickCustody,
    Submission,
)
from casekit.learners.register import Register
from casekit.learners.schedule import deadlines, lesson_loads
from casekit.messages import course_messages
from casekit.paper.answers import WrittenAnswer, answered
from casekit.paper.intake import layouts_of
from casekit.resolve.editions import apply_edition
from casekit.sheets.layout import SheetPage

Status = Literal["graded", "handed_in", "missing"]
KOLIBRI = [
    "username",
    "facility_name",
    "channel_id",
    "channel_name",
    "content_id",
    "content_title",
    "start_timestamp",
    "end_timestamp",
    "completion_timestamp",
    "time_spent",
    "progress",
    "kind",
]
CASEKIT = [
    "course_version",
    "group",
    "issued",
    "handed_in",
    "deadline",
    "late",
    "score",
    "max_score",
    "graded_by",
    "status",
    # the open-answer areas scanned with writing in them: questions "2.1/3 2.2/1",
    # "assignment", "unlinked-1"; then those with nothing written
    "written_answers",
    "blank_answers",
]
KINDS = {"quiz": "exercise", "assignment": "assignment"}  # Kolibri's kind for a self-check
CHART_COLOURS = (colors.HexColor("#2b6cb0"), colors.HexColor("#90cdf4"), colors.HexColor("#e2e8f0"))


@dataclass(frozen=True)
class Line:
    """One answer sheet of one learner."""

    learner: Learner
    target: SheetTarget
    sheet: Sheet | None
    issued: dt.date | None
    first: dt.datetime | None  # first scanned
    last: dt.datetime | None  # last scanned
    handed_in: dt.date | None  # the day first handed in (as told at the scan, else scanned)
    deadline: dt.date | None
    late: bool
    score: float | None
    max_score: float | None
    graded_by: str
    graded_at: dt.datetime | None
    #: the written answers scanned (newest scan of each page), kept in the register
    written: tuple[WrittenAnswer, ...] = ()

    @property
    def status(self) -> Status:
        if self.score is not None:
            return "graded"
        return "handed_in" if self.first is not None else "missing"


@dataclass(frozen=True)
class Subject:
    """The course version a report is about: read from its sources, or as the
    register recorded it when its packets were issued."""

    course_id: str
    version: str
    title: str
    targets: list[SheetTarget]  # in packet order; no pages: each sheet's printed ones
    loads: list[LessonLoad]  # what the deadlines are planned from


def course_subject(course: t.Course) -> Subject:
    config = course.config
    learner_course = apply_edition(course, "learner")
    targets = sheet_targets(learner_course, course_messages(config), config.print.paper)
    return Subject(config.id, config.version, config.title, targets, lesson_loads(learner_course))


def recorded_subject(
    register: Register, group: str, learner: str | None, course_id: str | None
) -> tuple[Subject, t.Course]:
    """The course version ``group`` (or ``learner``) is enrolled in (only ``course_id``
    when given), as the register recorded it at issue, and a stand-in course for the
    report's look (``recorded_course``)."""
    register.require_group(group)
    enrolled = register.enrolments(course_id=course_id, group=group, learner=learner)
    versions = sorted({(e.course_id, e.course_version) for e in enrolled})
    who = learner or group
    if not versions:
        raise register.fail(f"{who} is not enrolled in {course_id or 'any course'}", "not-enrolled")
    if len(versions) > 1:
        listed = ", ".join(" ".join(v) for v in versions)
        raise register.fail(
            f"{who} is enrolled in {listed}: give the course folder of the one to report on"
            + ("" if course_id else " (or --course)"),
            "several-courses",
        )
    [(wanted_id, version)] = versions
    course = register.course_version(wanted_id, version)
    if course is None or not course.sheets:
        raise register.fail(
            f"the register does not hold the sheets and study plan of {wanted_id} {version} "
            "(its packets were issued before casekit recorded them): give the course "
            "folder, or issue the packets again",
            "course-not-recorded",
        )
    targets = [SheetTarget(p.kind, p.item, p.title, p.lessons, ()) for p in course.sheets]
    subject = Subject(wanted_id, version, course.title, targets, list(course.lessons))
    return subject, recorded_course(course)


def recorded_course(course: CourseVersion) -> t.Course:
    """A stand-in for a course known only from the register, for the report's look:
    its title, language, labels and date; casekit's fonts and paper."""
    config = CourseConfig(
        id=course.course_id,
        title=course.title,
        language=course.language,
        version=course.course_version,
        date=course.date,  # type: ignore[arg-type]  # recorded with the sheets
        organisation="",
        authors=[],
        licence="",
        modules=[],
        labels=dict(course.labels),
    )
    return t.Course(config, root="", modules=[])


def progress(
    subject: Subject,
    register: Register,
    group: str,
    as_of: dt.date,
    learner: str | None = None,
) -> list[Line]:
    """Every sheet of every enrolled learner of ``group`` (or one ``learner``)."""
    register.require_group(group)
    enrolments = {
        e.learner: e
        for e in register.enrolments(course_id=subject.course_id, group=group)
        if e.course_version == subject.version
    }
    people = [p for p in register.learners(group) if p.code in enrolments]
    if learner is not None:
        people = [p for p in people if p.code == learner]
        if not people:
            raise register.fail(
                f"{learner} is not a learner of {group} enrolled in "
                f"{subject.course_id} {subject.version}",
                "unknown-learner",
            )
    this = (subject.course_id, subject.version)
    lines = []
    for person in people:
        due = deadlines(subject.loads, enrolments[person.code])
        sheets = {
            (s.kind, s.target): s
            for s in register.sheets(person.code)
            if (s.course_id, s.course_version) == this
        }
        issued = {
            i.item_id: i.issued_on
            for i in register.issued(learner=person.code, kind="packet")
            if (i.course_id, i.course_version) == this
        }
        submissions = register.submissions(learner=person.code)
        results = register.results(learner=person.code)
        for target in subject.targets:
            sheet = sheets.get((target.kind, target.item))
            handed = [s for s in submissions if sheet is not None and s.sheet == sheet.id]
            lesson_deadlines = [d for d in map(due.get, target.lesson_ids) if d is not None]
            deadline = max(lesson_deadlines) if lesson_deadlines else None
            first = handed[0].received_at if handed else None
            handed_in = min((s.handed_in_on for s in handed), default=None)
            late = deadline is not None and (
                (handed_in > deadline) if handed_in is not None else as_of > deadline
            )
            mine = [r for r in results if sheet and r.sheet == sheet.id]
            pages = target.pages or (tuple(layouts_of(sheet)) if sheet else ())
            grade = sheet_grade(target.kind, pages, handed, mine)
            lines.append(
                Line(
                    learner=person,
                    target=target,
                    sheet=sheet,
                    issued=issued.get(sheet.packet) if sheet else None,
                    first=first,
                    last=handed[-1].received_at if handed else None,
                    handed_in=handed_in,
                    deadline=deadline,
                    late=late,
                    score=grade[0] if grade else None,
                    max_score=grade[1] if grade else None,
                    graded_by=grade[2] if grade else "",
                    graded_at=grade[3] if grade else None,
                    written=tuple(answered(sheet, handed)) if sheet else (),
                )
            )
    return lines


def sheet_grade(
    kind: str, pages: Sequence[SheetPage], handed: list[Submission], results: list[Result]
) -> tuple[float, float, str, dt.datetime] | None:
    """A sheet's grade: the newest of an assignment's; for a self-check sheet the sum
    over its pages of each page's newest (its score when scanned, or a person's) and
    of the teacher's newest mark of each written answer (none missing)."""
    marks = {r.question: r for r in results if r.question}  # oldest first: the newest wins
    results = [r for r in results if not r.question]
    if not results:
        return None
    written = [a.key for page in pages for a in page.areas] if kind == "quiz" else []
    if any(key not in marks for key in written):
        return None  # a written answer waits for the teacher
    if kind == "assignment" or len(pages) == 1:
        chosen = [results[-1]]
    else:
        page_of = {s.id: s.page for s in handed}
        per_page: dict[int, Result] = {}
        for result in results:
            if result.submission in page_of:
                per_page[page_of[result.submission]] = result
        if len(per_page) < len(pages):
            return None  # a page not handed in or not graded yet
        chosen = [per_page[p] for p in sorted(per_page)]
    chosen += [marks[key] for key in written]
    if any(r.score is None or r.max_score is None for r in chosen):
        return None
    return (
        sum(r.score for r in chosen),  # type: ignore[misc]
        sum(r.max_score for r in chosen),  # type: ignore[misc]
        ", ".join(sorted({r.decided_by for r in chosen})),
        max(r.decided_at for r in chosen),
    )


# ---------------------------------------------------------------------- CSV


def csv_bytes(subject: Subject, lines: list[Line], group: str, names: bool) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    head = KOLIBRI[:1] + (["full_name"] if names else []) + KOLIBRI[1:] + CASEKIT
    writer.writerow(head)
    for line in lines:
        row = [line.learner.code] + ([line.learner.full_name] if names else [])
        row += [
            line.learner.facility,
            subject.course_id,
            subject.title,
            line.target.item,
            line.target.title,
            _stamp(line.first),
            _stamp(line.last),
            _stamp(line.graded_at) if line.status == "graded" else "",
            "",  # time spent: paper does not tell
            "1.0" if line.first is not None else "0.0",
            KINDS[line.target.kind],
            subject.version,
            group,
            line.issued.isoformat() if line.issued else "",
            line.handed_in.isoformat() if line.handed_in else "",
            line.deadline.isoformat() if line.deadline else "",
            "yes" if line.late else "no",
            _number(line.score),
            _number(line.max_score),
            line.graded_by,
            line.status,
            " ".join(a.number or a.key for a in line.written if not a.blank),
            " ".join(a.number or a.key for a in line.written if a.blank),
        ]
        writer.writerow(row)
    return text.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 with the mark


def _stamp(moment: dt.datetime | None) -> str:
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# ---------------------------------------------------------------------- PDF


def sticks_of(register: Register, subject: Subject) -> dict[str, list[StickCustody]]:
    """The sticks with this course version each learner was handed, by learner code
    (each stick's latest issue and the return that followed it)."""
    found: dict[str, list[StickCustody]] = {}
    for stick in register.custody():
        item = stick.item
        if (item.course_id, item.course_version) == (subject.course_id, subject.version):
            found.setdefault(item.learner, []).append(stick)
    return found


def pdf_bytes(
    look: Look,
    lines: list[Line],
    group: str,
    as_of: dt.date,
    names: bool,
    sticks: dict[str, list[StickCustody]] | None = None,
) -> bytes:
    msg, styles, config = look.msg, look.styles, look.course.config
    words = look.words
    buffer = io.BytesIO()
    title = f"{msg('report_title')}: {config.title}, {group}"
    info = {**look.info(title), "lang": msg.language}  # the language of its words
    doc = SimpleDocTemplate(buffer, **look.doc_settings(**info))
    story: list = [Paragraph(escape(msg("report_title")), styles.headings[0])]
    for label, value in (
        (msg("course"), f"{config.title} ({config.version})"),
        (msg("group"), group),
    ):
        story.append(look.line(label, value))
    story.append(look.para(escape(msg("report_as_of", date=words.date(as_of)))))
    story.append(Spacer(1, styles.size))
    learners = _learners(lines)
    story.append(Paragraph(escape(msg("report_chart")), styles.headings[1]))
    story.append(_chart(look, learners, lines, names))
    for person in learners:
        heading = person.code + (f" — {person.full_name}" if names else "")
        story.append(Paragraph(escape(heading, quote=False), styles.headings[1]))
        story.append(_table(look, [line for line in lines if line.learner == person]))
        handed = (sticks or {}).get(person.code)
        if handed:
            story.append(Spacer(1, styles.size / 2))
            story.append(
                look.line(msg("report_sticks"), "; ".join(_stick(look, s) for s in handed))
            )
    stamp = look.date

    def on_page(canvas: object, _doc: object) -> None:
        canvas.setDateFormatter(lambda *_: stamp)  # type: ignore[attr-defined]

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _stick(look: Look, stick: StickCustody) -> str:
    issued = look.words.date(stick.issued_at.date())
    if stick.returned_at is None:
        return look.msg("report_stick_out", stick=stick.item.item_id, issued=issued)
    returned = look.words.date(stick.returned_at.date())
    return look.msg("report_stick_back", stick=stick.item.item_id, issued=issued, returned=returned)


def _learners(lines: list[Line]) -> list[Learner]:
    seen: dict[str, Learner] = {}
    for line in lines:
        seen.setdefault(line.learner.code, line.learner)
    return list(seen.values())


def _table(look: Look, lines: list[Line]) -> Table:
    msg, styles, words = look.msg, look.styles, look.words
    cell, head = styles.cell, styles.cell_head
    columns = [
        msg("report_item"),
        msg("report_issued"),
        msg("deadline"),
        msg("report_handed_in"),
        msg("report_grade"),
    ]
    rows = [[Paragraph(escape(c), head) for c in columns]]
    for line in lines:
        handed = words.date(line.handed_in) if line.handed_in else msg("report_not_handed_in")
        if line.late:
            handed += f" ({msg('report_late')})"
        if line.score is not None and line.max_score is not None:
            grade = f"{words.number(line.score)} / {words.number(line.max_score)}"
        else:
            grade = msg("report_waits") if line.first else ""
        values = [
            line.target.title,
            words.date(line.issued) if line.issued else "",
            words.date(line.deadline) if line.deadline else "",
            handed,
            grade,
        ]
        row = [Paragraph(escape(v, quote=False), cell) for v in values]
        notes = [escape(line.target.title)]
        # the self-check's written answers the teacher reads (casekit grade --show), and
        # the questions left blank
        for key, blank in (("report_written", False), ("report_blank", True)):
            numbers = [a.number for a in line.written if a.number and a.blank == blank]
            if numbers:
                notes.append(f"<i>{escape(msg(key))}: {escape(', '.join(numbers))}</i>")
        if len(notes) > 1:
            row[0] = Paragraph("<br/>".join(notes), cell)
        rows.append(row)
    width = look.setup.frame_width
    widths = [width * f for f in (0.30, 0.15, 0.15, 0.22)]
    widths.append(width - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    )
    return table


def _chart(look: Look, learners: list[Learner], lines: list[Line], names: bool) -> Drawing:
    """Per learner a bar of their sheets: graded, handed in and waiting, not handed in."""
    msg = look.msg
    width = look.setup.frame_width
    bar = 16
    height = max(80, bar * 1.6 * len(learners) + 50)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = width * 0.28, 40
    chart.width, chart.height = width * 0.68, height - 50
    statuses: tuple[Status, ...] = ("graded", "handed_in", "missing")
    chart.data = [
        [sum(1 for ln in lines if ln.learner == p and ln.status == s) for p in learners][::-1]
        for s in statuses
    ]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [(p.full_name if names else p.code)[:40] for p in learners][
        ::-1
    ]
    chart.categoryAxis.labels.fontName = look.fonts.family
    chart.valueAxis.labels.fontName = look.fonts.family
    chart.valueAxis.valueMin = 0
    total = max((sum(column) for column in zip(*chart.data, strict=True)), default=1)
    chart.valueAxis.valueMax = max(total, 1)
    chart.valueAxis.valueStep = max(1, total // 10)
    for index, colour in enumerate(CHART_COLOURS):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = colors.black
        chart.bars[index].strokeWidth = 0.3
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 0, 12
    legend.fontName = look.fonts.family
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = width / 3.2
    legend.colorNamePairs = list(
        zip(
            CHART_COLOURS,
            [msg(f"report_legend_{s}") for s in ("graded", "handed_in", "missing")],
            strict=True,
        )
    )
    drawing.add(legend)
    return drawing
