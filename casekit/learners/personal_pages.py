"""The personal pages of a packet, laid out with reportlab like the course PDF.

Two small documents, never the course body:

- ``render_shared``: the study plan and the answer-sheet pages of one plan and
  print profile, rendered once for every learner who shares them; what differs
  per learner on a sheet (learner code, sheet id, QR code) is left blank at
  fixed places (``SheetHeader``) and drawn over it per learner (``overlay``);
- ``render_cover``: a learner's cover (code, and the name only when asked).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casekit import tree as t
from casekit.formats.pdf.document import PageSetup
from casekit.formats.pdf.flowables import RuledLines
from casekit.formats.pdf.fonts import FontSet
from casekit.formats.pdf.styles import MUTED, RULE, Styles
from casekit.learners.records import Learner, SheetKind
from casekit.learners.schedule import StudyPlan
from casekit.messages import Messages
from casekit.render.common import option_letter, source_date

OVERLAY_FONT = "/CasekitHelvetica"  # codes and sheet ids are ASCII: a standard PDF font


@dataclass(frozen=True)
class SheetTarget:
    """An assignment or self-check that gets an answer sheet."""

    kind: SheetKind
    number: str
    title: str
    lesson_id: str
    questions: tuple[t.Question, ...] = ()


def sheet_targets(course: t.Course) -> list[SheetTarget]:
    out = []
    for lesson in course.lessons():
        for block in t.iter_blocks(lesson.blocks):
            if isinstance(block, t.Assignment):
                out.append(
                    SheetTarget("assignment", block.number, t.plain_text(block.title), lesson.id)
                )
            elif isinstance(block, t.Quiz):
                out.append(
                    SheetTarget(
                        "quiz",
                        block.number,
                        t.plain_text(block.title),
                        lesson.id,
                        tuple(block.questions),
                    )
                )
    return out


@dataclass
class Look:
    """Fonts, styles, page and labels of one print profile."""

    course: t.Course
    setup: PageSetup
    fonts: FontSet
    styles: Styles
    msg: Messages

    def date(self, day: dt.date) -> str:
        return self.msg("date_format", year=day.year, month=day.month, day=day.day)

    def number(self, value: float | Fraction) -> str:
        text = f"{float(value):.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if self.msg("decimal_comma") == "yes" else text

    def para(self, text: str, style: Any = None) -> Paragraph:
        return Paragraph(text, style or self.styles.body)

    def line(self, label: str, value: str) -> Paragraph:
        return self.para(f"<b>{escape(label)}:</b> {escape(value, quote=False)}")


@dataclass(frozen=True)
class SheetHeader:
    """Where the per-learner marks go on every answer-sheet page (points from the
    bottom-left corner): the QR code, the learner code, the sheet id under the QR."""

    qr_x: float
    qr_y: float
    qr_size: float
    code_x: float
    code_y: float
    code_size: float
    id_y: float
    id_size: float
    height: float  # the band the header takes at the top of the frame

    @classmethod
    def of(cls, look: Look) -> SheetHeader:
        setup, size = look.setup, look.styles.size
        qr = max(30 * mm, size * 8)
        top = setup.size[1] - setup.margin
        right = setup.size[0] - setup.margin
        return cls(
            qr_x=right - qr,
            qr_y=top - qr,
            qr_size=qr,
            code_x=setup.margin,
            code_y=top - size * 4.6,
            code_size=size * 1.6,
            id_y=top - qr - size * 1.2,
            id_size=size * 0.9,
            height=qr + size * 2,
        )


@dataclass
class SharedPages:
    """The rendered shared document and what each of its pages is."""

    pdf: bytes
    plan_pages: int  # the first ``plan_pages`` pages are the study plan
    sheet_of_page: list[int] = field(default_factory=list)  # later pages -> sheet index
    header: SheetHeader | None = None


class _SheetMark(Flowable):
    """Zero-size marker: the pages from here on belong to sheet ``index``."""

    def __init__(self, doc: _SharedDoc, index: int) -> None:
        super().__init__()
        self.doc, self.index = doc, index

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.doc.current_sheet = self.index


class _SharedDoc(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, look: Look, header: SheetHeader) -> None:
        setup = look.setup
        config = look.course.config
        super().__init__(
            buffer,
            pagesize=setup.size,
            leftMargin=setup.margin,
            rightMargin=setup.margin,
            topMargin=setup.margin,
            bottomMargin=setup.margin,
            title=config.title,
            creator="casekit",
            lang=config.language,
            invariant=1,
            initialFontName=look.fonts.family,
        )
        self.look, self.header = look, header
        self.current_sheet = -1
        self.page_sheets: list[int] = []  # per page: sheet index, -1 on plan pages
        stamp = source_date(look.course).strftime("D:%Y%m%d%H%M%S+00'00'")
        self.stamp = stamp
        plain = Frame(
            self.leftMargin, self.bottomMargin, self.width, self.height, id="plan", showBoundary=0
        )
        sheet = Frame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height - header.height,
            id="sheet",
            showBoundary=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("plan", [plain]),
                PageTemplate("sheet", [sheet], onPage=self.sheet_header),
            ]
        )

    def handle_documentBegin(self) -> None:  # noqa: N802 (reportlab's name)
        super().handle_documentBegin()
        self.canv.setDateFormatter(lambda *_: self.stamp)

    def handle_pageEnd(self) -> None:  # noqa: N802
        template = self.pageTemplate.id
        self.page_sheets.append(self.current_sheet if template == "sheet" else -1)
        super().handle_pageEnd()

    def sheet_header(self, canvas: Any, doc: BaseDocTemplate) -> None:
        """The fixed part of every answer-sheet page; the learner's marks go over it."""
        look, h = self.look, self.header
        fonts, size = look.fonts, look.styles.size
        top = look.setup.size[1] - look.setup.margin
        canvas.saveState()
        canvas.setFont(fonts.bold.name, size * 1.5)
        canvas.drawString(look.setup.margin, top - size * 1.5, look.msg("answer_sheet"))
        canvas.setFont(fonts.regular.name, size)
        canvas.setFillColor(MUTED)
        canvas.drawString(h.code_x, h.code_y + h.code_size * 1.3, look.msg("learner_id") + ":")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(h.code_x, h.code_y - size * 0.4, h.qr_x - size, h.code_y - size * 0.4)
        canvas.drawRightString(h.qr_x - size * 0.5, h.id_y, look.msg("sheet_id") + ":")
        canvas.restoreState()


def _plan_flowables(look: Look, plan: StudyPlan, group: str) -> list[Flowable]:
    msg, styles, course = look.msg, look.styles, look.course
    enrolment = plan.enrolment
    out: list[Flowable] = [look.para(escape(msg("study_plan")), styles.headings[0])]
    days = ", ".join(msg(f"weekday_{d}") for d in enrolment.study_days)
    consultations = ", ".join(
        f"{msg(f'weekday_{c.weekday}')} {c.time:%H:%M}" for c in enrolment.consultations
    )
    for label, value in (
        (msg("course"), course.config.title),
        (msg("version"), course.config.version),
        (msg("group"), group),
        (msg("study_period"), f"{look.date(enrolment.start)} – {look.date(plan.end)}"),
        (msg("hours_per_week"), look.number(enrolment.hours_per_week)),
        (msg("study_days"), days),
        (msg("consultations"), consultations or msg("none")),
        (msg("hours"), look.number(plan.hours)),
        (msg("credits"), look.number(plan.credits)),
    ):
        out.append(look.line(label, value))
    out.append(Spacer(1, styles.size))
    head = [
        msg("number_sign"),
        msg("lesson_column"),
        msg("hours"),
        msg("credits"),
        msg("planned_dates"),
        msg("deadline"),
    ]
    cell, cell_head = styles.cell, styles.cell_head
    rows: list[list[Any]] = [[Paragraph(escape(h), cell_head) for h in head]]
    for planned in plan.lessons:
        lesson = planned.lesson
        dates = look.date(planned.start)
        if planned.end != planned.start:
            dates += f" – {look.date(planned.end)}"
        rows.append(
            [
                Paragraph(escape(lesson.number), cell),
                Paragraph(escape(t.plain_text(lesson.title), quote=False), cell),
                Paragraph(look.number(planned.hours), cell),
                Paragraph(look.number(planned.credits), cell),
                Paragraph(dates, cell),
                Paragraph(look.date(planned.deadline) if planned.deadline else "", cell),
            ]
        )
    rows.append(
        [
            Paragraph("", cell),
            Paragraph(f"<b>{escape(msg('total'))}</b>", cell),
            Paragraph(f"<b>{look.number(plan.hours)}</b>", cell),
            Paragraph(f"<b>{look.number(plan.credits)}</b>", cell),
            Paragraph("", cell),
            Paragraph("", cell),
        ]
    )
    width = look.setup.frame_width
    fractions = (0.07, 0.33, 0.12, 0.12, 0.22, 0.14)
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, -1), (-1, -1), 1, RULE),
            ]
        )
    )
    out.append(table)
    if plan.consultations:
        out.append(Spacer(1, styles.size))
        dates = ", ".join(f"{look.date(d)} {time:%H:%M}" for d, time in plan.consultations)
        out.append(look.line(msg("consultation_dates"), dates))
    if enrolment.holidays:
        out.append(look.line(msg("holidays"), ", ".join(look.date(d) for d in enrolment.holidays)))
    return out


def _sheet_flowables(look: Look, target: SheetTarget, deadline: dt.date | None) -> list[Flowable]:
    msg, styles = look.msg, look.styles
    label = msg("assignment" if target.kind == "assignment" else "quiz", number=target.number)
    out: list[Flowable] = [
        look.para(
            f"<b>{escape(label)}</b>"
            + (f": {escape(target.title, quote=False)}" if target.title else ""),
            styles.box_title,
        ),
        look.line(msg("course"), f"{look.course.config.title} ({look.course.config.version})"),
    ]
    if deadline is not None:
        out.append(look.line(msg("deadline"), look.date(deadline)))
    blank = "_" * 14
    out.append(
        look.para(
            f"<b>{escape(msg('date'))}:</b> {blank}    <b>{escape(msg('signature'))}:</b> {blank}"
        )
    )
    out.append(Spacer(1, styles.size * 0.8))
    if target.kind == "quiz":
        out.append(look.para(escape(msg("mark_answers")), styles.small))
        box = "☐" if look.fonts.regular.has("☐") else "[ ]"
        rows = []
        for question in target.questions:
            if question.kind == "short":
                answer = "_" * 40
            else:
                answer = "   ".join(
                    f"{box} {option_letter(i)}" for i in range(len(question.options))
                )
            rows.append(
                [Paragraph(f"{question.number}.", styles.cell), Paragraph(answer, styles.body)]
            )
        if rows:
            width = look.setup.frame_width
            table = Table(rows, colWidths=[width * 0.1, width * 0.9])
            table.setStyle(
                TableStyle(
                    [
                        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("TOPPADDING", (0, 0), (-1, -1), styles.size * 0.5),
                    ]
                )
            )
            out.append(table)
        out.append(Spacer(1, styles.size))
    out.append(RuledLines(styles.size * 2.2))
    return out


def render_shared(
    look: Look, plan: StudyPlan, group: str, targets: list[SheetTarget]
) -> SharedPages:
    """Plan pages, then one answer sheet (one page or more) per target."""
    buffer = io.BytesIO()
    header = SheetHeader.of(look)
    doc = _SharedDoc(buffer, look, header)
    story: list[Flowable] = _plan_flowables(look, plan, group)
    for index, target in enumerate(targets):
        story += [NextPageTemplate("sheet"), PageBreak(), _SheetMark(doc, index)]
        story += _sheet_flowables(look, target, plan.deadline(target.lesson_id))
    doc.build(story)
    plan_pages = doc.page_sheets.count(-1)
    return SharedPages(buffer.getvalue(), plan_pages, doc.page_sheets[plan_pages:], header)


@dataclass(frozen=True)
class CoverEntry:
    learner: Learner
    packet_id: str
    plan: StudyPlan


def render_covers(look: Look, entries: list[CoverEntry], names: bool) -> bytes:
    """One cover page per entry, in order, in one document (its fonts are embedded
    once and shared by every packet; each packet gets only its own page): the
    course, the learner's code (the name only with ``names``), the packet id."""
    msg, styles, config = look.msg, look.styles, look.course.config
    buffer = io.BytesIO()
    setup = look.setup
    doc = BaseDocTemplate(
        buffer,
        pagesize=setup.size,
        leftMargin=setup.margin,
        rightMargin=setup.margin,
        topMargin=setup.margin,
        bottomMargin=setup.margin,
        invariant=1,
        initialFontName=look.fonts.family,
    )
    stamp = source_date(look.course).strftime("D:%Y%m%d%H%M%S+00'00'")
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="cover")

    def on_page(canvas: Any, _doc: Any) -> None:
        canvas.setDateFormatter(lambda *_: stamp)

    doc.addPageTemplates([PageTemplate("cover", [frame], onPage=on_page)])
    story: list[Flowable] = []
    for entry in entries:
        learner, enrolment = entry.learner, entry.plan.enrolment
        flow: list[Flowable] = [
            look.para(escape(config.organisation, quote=False), styles.small),
            Spacer(1, doc.height * 0.12),
            look.para(escape(config.title, quote=False), styles.cover_title),
        ]
        if config.subtitle:
            flow.append(look.para(escape(config.subtitle, quote=False), styles.cover_subtitle))
        flow.append(look.para(f"<b>{escape(msg('personal_packet'))}</b>", styles.cover_subtitle))
        code = f"{escape(msg('learner_id'))}: <b>{escape(learner.code)}</b>"
        flow.append(look.para(code, styles.cover_title))
        if names:
            flow.append(look.line(msg("learner_name"), learner.full_name))
        flow.append(look.line(msg("group"), learner.group))
        if learner.facility:
            flow.append(look.line(msg("facility"), learner.facility))
        flow.append(Spacer(1, styles.size))
        flow.append(look.line(msg("version"), config.version))
        period = f"{look.date(enrolment.start)} – {look.date(entry.plan.end)}"
        flow.append(look.line(msg("study_period"), period))
        flow.append(look.line(msg("packet_id"), entry.packet_id))
        story += [KeepInFrame(doc.width, doc.height, flow, mode="shrink"), PageBreak()]
    doc.build(story[:-1])
    return buffer.getvalue()


def overlay(header: SheetHeader, code: str, sheet_id: str) -> bytes:
    """The content stream drawn over an answer-sheet page for one learner: the
    learner code, the sheet id and its QR code (vector squares)."""
    h = header
    matrix = sheet_qr(sheet_id)
    quiet = 2  # modules of white around the symbol, inside the white square
    count = len(matrix) + 2 * quiet
    module = h.qr_size / count
    parts = [
        "q 1 g",
        f"{h.qr_x:.2f} {h.qr_y:.2f} {h.qr_size:.2f} {h.qr_size:.2f} re f",
        "0 g",
    ]
    size = len(matrix)
    for row_index, row in enumerate(matrix):
        y = h.qr_y + h.qr_size - (row_index + quiet + 1) * module
        col = 0
        while col < size:
            if row[col]:
                start = col
                while col < size and row[col]:
                    col += 1
                x = h.qr_x + (start + quiet) * module
                parts.append(f"{x:.3f} {y:.3f} {(col - start) * module:.3f} {module:.3f} re")
            else:
                col += 1
    parts.append("f")
    parts.append(
        f"BT {OVERLAY_FONT} {h.code_size:.2f} Tf {h.code_x:.2f} {h.code_y:.2f} Td "
        f"({_pdf_text(code)}) Tj ET"
    )
    parts.append(
        f"BT {OVERLAY_FONT} {h.id_size:.2f} Tf {h.qr_x:.2f} {h.id_y:.2f} Td "
        f"({_pdf_text(sheet_id)}) Tj ET"
    )
    parts.append("Q")
    return "\n".join(parts).encode("ascii")


def sheet_qr(text: str) -> list[list[bool]]:
    """The modules of a sheet's QR code (error correction M, no quiet zone).

    zxing-cpp encodes in C++ in under a millisecond; the qrcode package used for
    the course's media codes took about 20 ms a symbol, minutes for a prison's
    worth of answer sheets."""
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = zxingcpp.write_barcode_to_image(code, scale=1, add_quiet_zones=False)
    width = image.shape[1]
    data = bytes(image)
    return [[data[r * width + c] < 128 for c in range(width)] for r in range(image.shape[0])]


def _pdf_text(text: str) -> str:
    """An ASCII string for a PDF literal (codes and ids are ASCII by construction)."""
    return (
        text.encode("ascii").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    )
