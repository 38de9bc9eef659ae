"""The personal pages of a packet, laid out with reportlab like the course PDF.

Two small documents, never the course body:

- ``render_shared``: the study plan and the answer-sheet pages of one plan and
  print profile, rendered once for every learner who shares them. Sheets are
  drawn from ``casekit.sheets.layout`` by ``formats.pdf.sheet`` like the course's
  own, without the learner code and the QR code: those are drawn over the page
  per learner (``overlay``) at the places the layout gives;
- ``render_covers``: the group's covers (codes; names only when asked).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html import escape
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from casekit import tree as t
from casekit.formats.pdf.document import PageSetup, pdf_date
from casekit.formats.pdf.fonts import FontSet
from casekit.formats.pdf.sheet import Painter, SheetFlowable, SheetText
from casekit.formats.pdf.styles import RULE, Styles
from casekit.learners.records import Learner, SheetKind
from casekit.learners.schedule import StudyPlan
from casekit.learners.wording import Wording
from casekit.messages import Messages
from casekit.render.common import module_title
from casekit.sheets.layout import SheetPage, assignment_sheet, quiz_sheet

OVERLAY_FONT = "/CasekitHelvetica"  # learner codes are ASCII: a standard PDF font
CODE_SIZE = 10  # pt, as formats.pdf.sheet prints the identity lines


@dataclass(frozen=True)
class SheetTarget:
    """An answer sheet of the course: an assignment's, or a module's self-checks'
    (``casekit.sheets.layout``, the geometry the scanner reads back)."""

    kind: SheetKind
    item: str  # the assignment's anchor or the module's id
    title: str  # its line on the sheet: "Assignment 1.2: Title" / "Module 1: Title"
    lesson_ids: tuple[str, ...]  # whose deadlines apply
    pages: tuple[SheetPage, ...]

    def layout_json(self) -> str:
        return "[" + ",".join(page.to_json() for page in self.pages) + "]"


def sheet_targets(course: t.Course, msg: Messages, paper: str) -> list[SheetTarget]:
    """Every answer sheet in the order a packet prints them: each module's
    assignments, then the module's self-check sheet."""
    out = []
    for module in course.modules:
        quiz_lessons = []
        for lesson in module.lessons:
            for block in t.iter_blocks(lesson.blocks):
                if isinstance(block, t.Assignment):
                    title = msg("assignment", number=block.number)
                    if block.title:
                        title += ": " + t.plain_text(block.title)
                    pages = tuple(assignment_sheet(block, paper))
                    out.append(SheetTarget("assignment", block.anchor, title, (lesson.id,), pages))
                elif isinstance(block, t.Quiz):
                    quiz_lessons.append(lesson.id)
        pages = tuple(quiz_sheet(module, paper))
        if pages:
            title = module_title(module, msg)
            lessons = tuple(dict.fromkeys(quiz_lessons))
            out.append(SheetTarget("quiz", module.id, title, lessons, pages))
    return out


@dataclass
class Look:
    """Fonts, styles, page and labels of one print profile."""

    course: t.Course
    setup: PageSetup
    fonts: FontSet
    styles: Styles
    msg: Messages

    @property
    def words(self) -> Wording:
        return Wording(self.course, self.msg)

    @property
    def date(self) -> str:
        return pdf_date(self.course)

    def doc_settings(self, **extra: Any) -> dict[str, Any]:
        """What every personal document's template takes: page, margins, the embedded
        font and reportlab's byte-for-byte invariance; ``extra`` adds document info."""
        return {
            "pagesize": self.setup.size,
            "leftMargin": self.setup.margin,
            "rightMargin": self.setup.margin,
            "topMargin": self.setup.margin,
            "bottomMargin": self.setup.margin,
            "invariant": 1,
            "initialFontName": self.fonts.family,
            **extra,
        }

    def info(self, title: str) -> dict[str, Any]:
        """Document info of a stand-alone personal document (plan and sheets, issue list)."""
        return {"title": title, "creator": "casekit", "lang": self.course.config.language}

    def para(self, text: str, style: Any = None) -> Paragraph:
        return Paragraph(text, style or self.styles.body)

    def line(self, label: str, value: str) -> Paragraph:
        return self.para(f"<b>{escape(label)}:</b> {escape(value, quote=False)}")


@dataclass
class SharedPages:
    """The rendered shared document and what each of its pages is."""

    pdf: bytes
    plan_pages: int  # the first ``plan_pages`` pages are the study plan, then sheet pages
    #: per sheet page: the sheet's index among the targets and the page's layout
    sheet_pages: list[tuple[int, SheetPage]] = field(default_factory=list)


class _BlankQr(Flowable):
    """Where a sheet's QR code goes: drawn per learner over the page (``overlay``)."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        pass


class _SheetTemplate(SheetFlowable):
    """A sheet page as ``formats.pdf.sheet`` draws it, with the learner code left
    empty and no QR code: both are drawn per learner over it."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        canvas.saveState()
        Painter(canvas, self.page, self.fonts).sheet(self.text, self.msg, _BlankQr())
        canvas.restoreState()


class _SharedDoc(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, look: Look) -> None:
        super().__init__(buffer, **look.doc_settings(**look.info(look.course.config.title)))
        self.stamp = look.date
        frame = Frame(
            self.leftMargin, self.bottomMargin, self.width, self.height, id="text", showBoundary=0
        )
        self.addPageTemplates([PageTemplate("plan", [frame])])

    def handle_documentBegin(self) -> None:  # noqa: N802 (reportlab's name)
        super().handle_documentBegin()
        self.canv.setDateFormatter(lambda *_: self.stamp)


def _plan_flowables(look: Look, plan: StudyPlan, group: str) -> list[Flowable]:
    styles, words = look.styles, look.words
    out: list[Flowable] = [look.para(escape(look.msg("study_plan")), styles.headings[0])]
    out += [look.line(label, value) for label, value in words.plan_facts(plan, group)]
    out.append(Spacer(1, styles.size))
    table_text = words.plan_table(plan)
    cell, cell_head = styles.cell, styles.cell_head

    def cells(values: list[str], style: Any, bold: bool = False) -> list[Paragraph]:
        wrap = "<b>{}</b>" if bold else "{}"
        return [Paragraph(wrap.format(escape(v, quote=False)), style) for v in values]

    rows = [cells(table_text.head, cell_head)]
    rows += [cells(row, cell) for row in table_text.rows]
    rows.append(cells(table_text.total, cell, bold=True))
    width = look.setup.frame_width
    fractions = (0.06, 0.30, 0.14, 0.14, 0.22, 0.14)
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
    out += [table, Spacer(1, styles.size)]
    out += [look.line(label, value) for label, value in words.plan_notes(plan)]
    return out


def render_shared(
    look: Look, plan: StudyPlan, group: str, targets: list[SheetTarget]
) -> SharedPages:
    """Plan pages, then every page of every answer sheet (learner code and QR left out)."""
    buffer = io.BytesIO()
    doc = _SharedDoc(buffer, look)
    msg = look.msg
    story: list[Flowable] = _plan_flowables(look, plan, group)
    sheet_pages: list[tuple[int, SheetPage]] = []
    for index, target in enumerate(targets):
        deadlines = [d for d in map(plan.deadline, target.lesson_ids) if d is not None]
        item = target.title
        if deadlines:
            item += f". {msg('deadline')}: {look.words.date(max(deadlines))}"
        title = msg("answer_sheet" if target.kind == "assignment" else "quiz_sheet")
        for page in target.pages:
            text = SheetText(title, look.course.config.title, item, "", learner_code="")
            story += [PageBreak(), _SheetTemplate(page, text, look.fonts, msg)]
            sheet_pages.append((index, page))
    doc.build(story)
    plan_pages = doc.page - len(sheet_pages)
    return SharedPages(buffer.getvalue(), plan_pages, sheet_pages)


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
    doc = BaseDocTemplate(buffer, **look.doc_settings())
    stamp = look.date
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="cover")

    def on_page(canvas: Any, _doc: Any) -> None:
        canvas.setDateFormatter(lambda *_: stamp)

    doc.addPageTemplates([PageTemplate("cover", [frame], onPage=on_page)])
    story: list[Flowable] = []
    for entry in entries:
        learner = entry.learner
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
        facts = look.words.cover_facts(learner, entry.packet_id, entry.plan, names)
        flow += [look.line(label, value) for label, value in facts]
        story += [KeepInFrame(doc.width, doc.height, flow, mode="shrink"), PageBreak()]
    doc.build(story[:-1])
    return buffer.getvalue()


def overlay(page: SheetPage, fonts: FontSet, msg: Messages, code: str, payload: str) -> bytes:
    """The content stream drawn over a sheet page for one learner: the QR code
    (in the layout's square, 2 modules of white around it, as the course's sheets)
    and the learner code after its printed label."""
    height = page.paper[1]
    matrix = sheet_qr(payload)
    quiet = 2
    count = len(matrix) + 2 * quiet
    size = page.qr.w * mm
    x0, y0 = page.qr.x * mm, (height - page.qr.y - page.qr.h) * mm
    module = size / count
    parts = ["q 1 g", f"{x0:.2f} {y0:.2f} {size:.2f} {size:.2f} re f", "0 g"]
    for row_index, row in enumerate(matrix):
        y = y0 + size - (row_index + quiet + 1) * module
        col = 0
        while col < len(row):
            if row[col]:
                start = col
                while col < len(row) and row[col]:
                    col += 1
                x = x0 + (start + quiet) * module
                parts.append(f"{x:.3f} {y:.3f} {(col - start) * module:.3f} {module:.3f} re")
            else:
                col += 1
    parts.append("f")
    # the identity's fourth line holds "<learner code label>: " (formats.pdf.sheet)
    r = page.identity
    line = r.h / 5
    label = f"{msg('learner_code')}: "
    x = r.x * mm + stringWidth(label, fonts.bold.name, CODE_SIZE)
    middle = (height - r.y - 3 * line - line / 2) * mm
    parts.append(
        f"BT {OVERLAY_FONT} {CODE_SIZE} Tf {x:.2f} {middle - CODE_SIZE * 0.35:.2f} Td "
        f"({_pdf_text(code)}) Tj ET"
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
