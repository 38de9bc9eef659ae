"""The page layout: cover, table of contents, running header and footer, outline,
metadata; and the layout passes that make page numbers right."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from html import escape
from typing import Any

from reportlab.lib.pagesizes import A4, A5, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
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
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.tableofcontents import TableOfContents

from casekit import tree as t
from casekit.diagnostics import error
from casekit.formats.pdf import PdfOptions
from casekit.formats.pdf.flowables import FastParagraph, LayoutState, Marked, is_dry
from casekit.formats.pdf.fonts import FontSet
from casekit.formats.pdf.styles import MUTED, RULE, Styles
from casekit.messages import Messages
from casekit.render.common import edition_label, source_date

PAPER = {"A4": A4, "A5": A5, "Letter": LETTER}
MAX_PASSES = 6


def pdf_date(course: t.Course) -> str:
    """The course's source date as a PDF date string (no wall clock in any PDF)."""
    return source_date(course).strftime("D:%Y%m%d%H%M%S+00'00'")


@dataclass(frozen=True)
class PageSetup:
    paper: str  # a key of PAPER
    margin: float

    @classmethod
    def from_options(cls, options: PdfOptions) -> PageSetup:
        paper = "A5" if options.booklet else options.paper
        return cls(paper, options.margins_mm * mm)

    @property
    def size(self) -> tuple[float, float]:
        return PAPER[self.paper]

    @property
    def frame_width(self) -> float:
        return self.size[0] - 2 * self.margin

    @property
    def frame_height(self) -> float:
        return self.size[1] - 2 * self.margin - self.header_room

    @property
    def header_room(self) -> float:
        """Space for the running header above the text (the footer sits in the margin)."""
        return 6 * mm


@dataclass(frozen=True)
class Packet:
    """Everything the page layout of one edition needs besides the flowables."""

    course: t.Course
    setup: PageSetup
    fonts: FontSet
    styles: Styles
    msg: Messages
    state: LayoutState


class TextFrame(Frame):
    """The text frame of every page. reportlab deep-copies the current frame each
    time it measures a ``KeepTogether`` (to simulate it without side effects); a
    copy with its own lists is enough and avoids copying every open box's
    background record (``_frameBGs``) with all it refers to."""

    def __deepcopy__(self, memo: dict[int, Any]) -> TextFrame:
        clone = copy.copy(self)
        for name, value in vars(self).items():
            if isinstance(value, list):
                setattr(clone, name, list(value))
        return clone


class PacketTemplate(BaseDocTemplate):
    """Cover page without header; body pages with header (course / module) and
    footer (edition, page X of Y); modules and lessons in the outline and TOC."""

    def __init__(self, buffer: io.BytesIO, packet: Packet) -> None:
        course, setup, msg = packet.course, packet.setup, packet.msg
        config = course.config
        super().__init__(
            buffer,
            pagesize=setup.size,
            leftMargin=setup.margin,
            rightMargin=setup.margin,
            topMargin=setup.margin + setup.header_room,
            bottomMargin=setup.margin,
            title=config.title,
            author=", ".join(config.authors),
            subject=" — ".join(x for x in (config.subtitle, edition_label(course, msg)) if x),
            creator="casekit",
            keywords=[config.id, config.version],
            lang=config.language,
            invariant=1,
            initialFontName=packet.fonts.family,
            displayDocTitle=1,
        )
        self.course = course
        self.fonts = packet.fonts
        self.styles = packet.styles
        self.msg = msg
        self.state = packet.state
        self.section = ""
        self.blank_pages: set[int] = set()  # backs of answer sheets (``DuplexBreak``)
        self.last_pos: t.Pos | None = None
        self.date_string = pdf_date(course)
        frame = TextFrame(
            self.leftMargin,
            self.bottomMargin,
            self.width,
            self.height,
            id="text",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate("cover", [frame]),
                PageTemplate("body", [frame], onPageEnd=self.decorate),
                PageTemplate("sheet", [frame]),  # answer sheets: no header, no footer
            ]
        )

    # ---------------------------------------------------------------- hooks

    def handle_documentBegin(self) -> None:  # noqa: N802 (reportlab's name)
        super().handle_documentBegin()
        self.section = ""
        self.blank_pages = set()
        # the first pass only measures: its pages are never shown
        self.canv.casekit_dry = self.state.total == 0
        stamp = self.date_string
        self.canv.setDateFormatter(lambda *_: stamp)

    def handle_frameBegin(self, *args: Any, **kwargs: Any) -> None:  # noqa: N802
        """A box still open at the top of a page (a callout, solution, quiz, code or
        quote running over) starts there with a "(continued)" mark."""
        super().handle_frameBegin(*args, **kwargs)
        if self.frame._frameBGs and self.page > 1:
            self._hanging.append(
                FastParagraph(escape(self.msg("continued")), self.styles.continued)
            )

    def handle_flowable(self, flowables: list[Flowable]) -> None:  # noqa: N802
        if flowables:
            pos = getattr(flowables[0], "casekit_pos", None)
            if pos is not None:
                self.last_pos = pos
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802
        if not isinstance(flowable, Marked):
            return
        for anchor in flowable.anchors:
            self.state.pages.setdefault(anchor, self.page)
        if flowable.outline is not None:
            level, title, key = flowable.outline
            if level == 0:
                self.section = title
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)
            self.notify("TOCEntry", (level, escape(title, quote=False), self.page, key))

    def build(self, flowables: list[Flowable], **kw: Any) -> None:
        super().build(flowables, **kw)
        self.state.record_total(self.page)

    def decorate(self, canvas: Any, doc: BaseDocTemplate) -> None:
        """Running header and footer of a body page (not drawn in the measuring pass,
        nor on a page left blank for duplex printing)."""
        if is_dry(canvas) or self.page in self.blank_pages:
            return
        size = self.styles.header.fontSize
        top = self.pagesize[1] - self.topMargin + size * 0.9
        left, right = self.leftMargin, self.leftMargin + self.width
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(self.fonts.family, size)
        title = self.course.config.title
        if self.section:
            canvas.drawRightString(
                right, top, _clip(self.section, self.fonts, size, self.width / 2)
            )
            title = _clip(title, self.fonts, size, self.width / 2 - size)
        canvas.drawString(left, top, title)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, top - size * 0.5, right, top - size * 0.5)
        bottom = self.bottomMargin - size * 2.2
        total = self.state.total or self.page
        page = self.msg("page_x_of_y", page=self.page, total=total)
        room = self.width - stringWidth(page, self.fonts.family, size) - size
        canvas.drawString(
            left, bottom, _clip(edition_label(self.course, self.msg), self.fonts, size, room)
        )
        canvas.drawRightString(right, bottom, page)
        canvas.restoreState()


def _clip(text: str, fonts: FontSet, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width``."""
    if stringWidth(text, fonts.family, size) <= width:
        return text
    while text and stringWidth(text + "…", fonts.family, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def cover(
    course: t.Course, styles: Styles, msg: Messages, frame_width: float, frame_height: float
) -> list[Flowable]:
    """The cover page (shrunk to fit one page whatever the titles' length)."""
    config = course.config

    def line(label: str, value: str) -> Paragraph:
        return Paragraph(f"<b>{escape(label)}:</b> {escape(value, quote=False)}", styles.cover_line)

    titles = [Paragraph(escape(config.title, quote=False), styles.cover_title)]
    if config.subtitle:
        titles.append(Paragraph(escape(config.subtitle, quote=False), styles.cover_subtitle))
    titles.append(Paragraph(f"<b>{escape(edition_label(course, msg))}</b>", styles.cover_subtitle))
    lines = [line(msg("authors"), ", ".join(config.authors))]
    if config.level:
        lines.append(line(msg("level"), config.level))
    if config.credits is not None:
        lines.append(line(msg("credits"), f"{config.credits:g}"))
    lines.append(line(msg("version"), config.version))
    lines.append(line(msg("date"), source_date(course).date().isoformat()))
    lines.append(line(msg("licence"), config.licence))
    organisation = Paragraph(escape(config.organisation, quote=False), styles.small)
    # the gaps take what the text leaves: large print shrinks them before the text
    text = [organisation, *titles, *lines]
    used = sum(p.wrap(frame_width, frame_height)[1] + p.getSpaceAfter() for p in text)
    room = max(frame_height - used - styles.size, 0)
    gaps = [Spacer(1, min(frame_height * share, room * share / 0.3)) for share in (0.18, 0.12)]
    out: list[Flowable] = [organisation, gaps[0], *titles, gaps[1], *lines]
    return [KeepInFrame(frame_width, frame_height, out, mode="shrink")]


def contents(
    styles: Styles, fonts: FontSet, msg: Messages, entries: list[tuple[int, str, int, str]]
) -> list[Flowable]:
    """The table of contents, sized from the start: ``entries`` (with unknown pages) fill
    it in the first pass, so filling in the page numbers does not move any page."""
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), fonts.family, styles.size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    toc = TableOfContents(levelStyles=styles.toc_levels, dotsMinLevel=0, tableStyle=table_style)
    toc._entries = list(entries)
    return [Paragraph(escape(msg("contents")), styles.toc_title), toc]


def render(
    packet: Packet, body: list[Flowable], toc_entries: list[tuple[int, str, int, str]]
) -> bytes:
    """Lay out cover, contents and ``body`` until page numbers settle; the PDF bytes."""
    course, setup, styles, msg = packet.course, packet.setup, packet.styles, packet.msg
    buffer = io.BytesIO()
    doc = PacketTemplate(buffer, packet)
    story: list[Flowable] = [
        packet.state,
        *cover(course, styles, msg, doc.width, doc.height),
        NextPageTemplate("body"),
        PageBreak(),
        *contents(styles, packet.fonts, msg, toc_entries),
        *body,
    ]
    try:
        doc.multiBuild(story, maxPasses=MAX_PASSES)
    except IndexError as exc:  # multiBuild: page numbers still changing after MAX_PASSES
        if "not resolved" not in str(exc):
            raise
        raise error(
            "course.toml",
            f"page numbers did not settle after {MAX_PASSES} layout passes; "
            "please report this course to the casekit developers",
            "pdf-layout",
        ) from None
    except LayoutError:
        pos = doc.last_pos or course.lessons()[0].pos
        size = "×".join(str(round(v / mm)) for v in setup.size)
        raise error(
            pos.path,
            f"this block cannot be laid out on a {size} mm page: it is taller than the page "
            "and cannot be split; shorten it or split it",
            "pdf-layout",
            pos.line,
            pos.column,
        ) from None
    return buffer.getvalue()
