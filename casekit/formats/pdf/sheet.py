"""Answer sheet pages drawn from their layout (``casekit.sheets.layout``) at the exact
millimetre positions the scanner reads back: corner marks, QR, identity lines,
the marking instruction with example boxes, quiz rows and writing areas."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from casekit.formats.pdf.flowables import QrCode, is_dry
from casekit.formats.pdf.fonts import FontSet
from casekit.formats.pdf.styles import MUTED, RULE
from casekit.messages import Messages
from casekit.render.common import option_letter
from casekit.sheets.layout import RULE_INSET, Rect, SheetPage, writing_lines

BOX_LINE = 0.8  # pt: survives photocopying, thin beside a pencil mark


@dataclass(frozen=True)
class SheetText:
    """The words printed on one sheet (all from the message files or the course)."""

    title: str  # "Answer sheet" / "Self-check answer sheet"
    course: str  # the course title
    item: str  # "Assignment 1.2: Title" / "Module 1. Title"
    payload: str  # the QR code's text
    learner_code: str | None = None  # None: a blank field to fill in by hand
    learner_name: str | None = None  # printed only when asked for


class SheetFlowable(Flowable):
    """One answer sheet page. It fills its frame (it always follows a page break onto
    the undecorated ``sheet`` page template) and draws in page coordinates."""

    def __init__(self, page: SheetPage, text: SheetText, fonts: FontSet, msg: Messages) -> None:
        super().__init__()
        self.page = page
        self.text = text
        self.fonts = fonts
        self.msg = msg
        self.qr = QrCode(text.payload, page.qr.w * mm)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return avail_width, avail_height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        if is_dry(canvas):
            return
        canvas.saveState()
        Painter(canvas, self.page, self.fonts).sheet(self.text, self.msg, self.qr)
        canvas.restoreState()


class Painter:
    """Draws layout rectangles (mm from the top-left) on a reportlab canvas."""

    def __init__(self, canvas: Any, page: SheetPage, fonts: FontSet) -> None:
        self.canvas = canvas
        self.page = page
        self.fonts = fonts
        self.height = page.paper[1]

    def box(self, r: Rect) -> tuple[float, float, float, float]:
        """``r`` as reportlab's (x, y, width, height) in points from the bottom-left."""
        return r.x * mm, (self.height - r.y - r.h) * mm, r.w * mm, r.h * mm

    def style(self, size: float, bold: bool = False, colour: Any = colors.black) -> ParagraphStyle:
        face = self.fonts.bold if bold else self.fonts.regular
        return ParagraphStyle(
            "sheet", fontName=face.name, fontSize=size, leading=size * 1.2, textColor=colour
        )

    def text(self, r: Rect, markup: str, style: ParagraphStyle, middle: bool = True) -> None:
        """``markup`` in ``r``: one paragraph, shrunk until it fits."""
        x, y, w, h = self.box(r)
        size = style.fontSize
        while True:
            para = Paragraph(markup, style)
            _, needed = para.wrap(w, h)
            if needed <= h or size <= 5:
                break
            size *= 0.9
            style = ParagraphStyle("sheet", parent=style, fontSize=size, leading=size * 1.2)
        top = y + h - (h - needed) / 2 if middle else y + h
        para.drawOn(self.canvas, x, top - needed)

    def sheet(self, text: SheetText, msg: Messages, qr: QrCode) -> None:
        canvas, page = self.canvas, self.page
        canvas.setFillColor(colors.black)
        for mark in page.marks:
            canvas.rect(*self.box(mark), stroke=0, fill=1)
        x, y, _, _ = self.box(page.qr)
        qr.drawOn(canvas, x, y)
        self.identity(text, msg)
        self.instruction(msg)
        for heading in page.headings:
            self.text(
                heading.rect, f"<b>{escape(msg('quiz', number=heading.quiz))}</b>", self.style(10.5)
            )
        for row in page.rows:
            self.text(row.label, f"<b>{row.question}.</b>", self.style(10))
            for index, (box, letter) in enumerate(zip(row.boxes, row.letters, strict=True)):
                self.text(letter, escape(option_letter(index)), self.style(9))
                self.answer_box(box)
        for area in page.areas:
            self.writing_area(area.rect, area.label)
        if page.pages > 1:
            bottom = Rect(
                page.marks[3].x + page.marks[3].w + 4,
                page.marks[3].y,
                page.marks[2].x - page.marks[3].x - page.marks[3].w - 8,
                page.marks[3].h,
            )
            label = escape(msg("sheet_page", page=page.page, pages=page.pages))
            self.text(
                bottom, f'<para alignment="center">{label}</para>', self.style(9, colour=MUTED)
            )

    def identity(self, text: SheetText, msg: Messages) -> None:
        r = self.page.identity
        lines = [
            f"<b>{escape(text.title)}</b>",
            f"<b>{escape(msg('course'))}:</b> {escape(text.course, quote=False)}",
            escape(text.item, quote=False),
        ]
        code_label = f"<b>{escape(msg('learner_code'))}:</b> "
        if text.learner_code is not None:
            lines.append(code_label + escape(text.learner_code))
        line_height = r.h / 5
        for index, markup in enumerate(lines):
            size = 13 if index == 0 else 10
            self.text(
                Rect(r.x, r.y + index * line_height, r.w, line_height), markup, self.style(size)
            )
        if text.learner_code is None:  # a blank field, and the name to write by hand
            row = Rect(r.x, r.y + 3 * line_height, r.w, line_height)
            self.field(row, msg("learner_code"))
            self.field(Rect(r.x, r.y + 4 * line_height, r.w, line_height), msg("learner_name"))
        else:
            name = text.learner_name
            label = f"<b>{escape(msg('learner_name'))}:</b> "
            if name:
                self.text(
                    Rect(r.x, r.y + 4 * line_height, r.w, line_height),
                    label + escape(name, quote=False),
                    self.style(10),
                )
            else:
                self.field(Rect(r.x, r.y + 4 * line_height, r.w, line_height), msg("date"))

    def field(self, r: Rect, label: str) -> None:
        """``label:`` and a line to write on."""
        style = self.style(10, bold=True)
        width = stringWidth(f"{label}: ", style.fontName, style.fontSize) / mm + 1
        self.text(Rect(r.x, r.y, width, r.h), f"{escape(label)}:", style)
        x, y, w, _ = self.box(r)
        canvas = self.canvas
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(x + width * mm, y + 2, x + w, y + 2)

    def instruction(self, msg: Messages) -> None:
        r = self.page.instruction
        size = 5.0
        examples = [
            ("cross", msg("sheet_marked")),
            ("shade", msg("sheet_marked")),
            ("black", msg("sheet_cancelled")),
        ]
        x = r.x
        for kind, label in examples:
            box = Rect(x, r.y + 1, size, size)
            self.answer_box(box)
            self.example_mark(box, kind)
            self.text(
                Rect(x - 4, r.y + size + 1.5, size + 8, 4),
                f'<para alignment="center">{escape(label)}</para>',
                self.style(7, colour=MUTED),
            )
            x += size + 10
        words = Rect(x + 2, r.y, r.x + r.w - x - 2, r.h)
        self.text(
            words,
            f"{escape(msg('sheet_instruction'))} <i>{escape(msg('sheet_keep_clear'))}</i>",
            self.style(9),
        )

    def answer_box(self, r: Rect) -> None:
        canvas = self.canvas
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(BOX_LINE)
        canvas.rect(*self.box(r), stroke=1, fill=0)

    def example_mark(self, r: Rect, kind: str) -> None:
        canvas = self.canvas
        x, y, w, h = self.box(r)
        inset = w * 0.18
        canvas.setStrokeColor(colors.black)
        if kind == "cross":
            canvas.setLineWidth(1.2)
            canvas.line(x + inset, y + inset, x + w - inset, y + h - inset)
            canvas.line(x + inset, y + h - inset, x + w - inset, y + inset)
        elif kind == "shade":
            canvas.setLineWidth(0.7)
            step = w / 6
            for i in range(1, 6):
                canvas.line(x + i * step, y + inset, x + i * step, y + h - inset)
        else:
            canvas.setFillColor(colors.black)
            canvas.rect(x, y, w, h, stroke=0, fill=1)

    def writing_area(self, r: Rect, label: str) -> None:
        canvas = self.canvas
        if label:
            self.text(Rect(r.x - 12, r.y, 11, 5), f"<b>{escape(label)}</b>", self.style(9))
        x, y, w, h = self.box(r)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(x, y, w, h, stroke=1, fill=0)
        canvas.setLineWidth(0.4)
        for line in writing_lines(r):
            line_y = y + h - (line - r.y) * mm
            canvas.line(x + RULE_INSET * mm, line_y, x + w - RULE_INSET * mm, line_y)
