"""The page layout of one piece of the packet (``pieces.py``): cover, table of
contents, body and answer sheet pages, metadata, the layout passes that make its
page numbers right; and the running header and footer, drawn over the joined pages."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field
from html import escape
from typing import Any

from reportlab.lib.pagesizes import A4, A5, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
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
from reportlab.platypus.doctemplate import LayoutError, PageBegin
from reportlab.platypus.tableofcontents import TableOfContents

from casekit import tree as t
from casekit.diagnostics import error
from casekit.formats.pdf import PdfOptions, speedups
from casekit.formats.pdf.codes import Codes
from casekit.formats.pdf.flowables import FastParagraph, LayoutState, Marked
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
    #: the fonts' codes of every character the packet may print, the same in each piece
    codes: Codes


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


#: internal links are written as links to this URI scheme, made into links to the
#: destination when the pieces are joined (``join.py``): the destination may be in
#: another piece, which reportlab, laying out one piece, cannot point to
DESTINATION = "casekit-destination:"
#: the resource names of the running head's fonts (the pieces' are F1, F2, ...)
HEAD_FONTS = "CasekitHead"


class PieceCanvas(Canvas):
    """A canvas that keeps where each destination is (``places``: anchor -> page index
    in the piece, left, top) and writes internal links as ``DESTINATION`` links."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places: dict[str, tuple[int, float, float]] = {}

    def bookmarkPage(  # noqa: N802 (reportlab's name)
        self,
        key: str,
        fit: str = "Fit",
        left: float | None = None,
        top: float | None = None,
        bottom: float | None = None,
        right: float | None = None,
        zoom: float | None = None,
    ) -> None:
        if key not in self.places:
            self.places[key] = (self.getPageNumber() - 1, left or 0.0, top or 0.0)

    def linkRect(  # noqa: N802
        self,
        contents: str,
        destinationname: str,
        Rect: Any = None,
        addtopage: int = 1,  # noqa: N803
        name: str | None = None,
        relative: int = 1,
        **kw: Any,
    ) -> None:
        self.linkURL(DESTINATION + destinationname, Rect, relative=relative, **kw)


@dataclass
class PieceLayout:
    """One piece laid out: what joining it and placing the other pieces need."""

    pages: int
    #: the page (index in the piece) of each anchor a title names: "see page N"
    anchors: dict[str, int]
    #: where each destination is: anchor -> (page index, left, top)
    places: dict[str, tuple[int, float, float]]
    #: the outline entries (level, title, anchor) in order
    outline: list[tuple[int, str, str]]
    #: per page: the module title of its running head ("": the piece has none yet,
    #: the previous piece's goes on), or ``None``: no running head and footer
    heads: list[str | None]
    #: what its "see page N" printed, per anchor (0: "…"; ``LayoutState.asked``)
    asked: dict[str, int]
    #: per font, the characters it drew outside the first subset (``codes.py``)
    printed: dict[str, str] = field(default_factory=dict)
    #: ``Codes.fingerprint`` of ``printed`` when it was laid out
    codes: str = ""
    #: ``printed`` page by page (what a layout taking over some pages draws)
    drawn: list[dict[str, str]] = field(default_factory=list)
    #: the story's segments (``Story.segments``: their keys) and the pages that begin
    #: with a state another layout can take over (``partial.py``)
    segments: list[str] = field(default_factory=list)
    tops: list[PageTop] = field(default_factory=list)
    #: the fonts' resource names in the order the piece gave them (``fontMapping``)
    fonts: list[str] = field(default_factory=list)


class Story(list[Flowable]):
    """A piece's flowables, in segments of the same content from build to build (a
    lesson's heading, each of its blocks, its notes): ``segments`` holds each one's
    key (a digest of what it is made from) and number of flowables."""

    def __init__(self) -> None:
        super().__init__()
        self.segments: list[tuple[str, int]] = []

    def add(self, key: str, flowables: list[Flowable]) -> None:
        self.extend(flowables)
        self.segments.append((key, len(flowables)))


@dataclass(frozen=True)
class PageTop:
    """A page of a piece that begins with the story's flowable ``offset`` of segment
    ``segment`` as it is (not the rest of one split), nothing carried over from the
    page before (no open box, indent, pending template or blank page): laying out
    the same story from here gives the same pages, whatever came before."""

    page: int  # index in the piece
    segment: int
    offset: int
    template: str
    section: str  # the running head's module title so far
    outline: int  # outline entries before it
    fonts: int  # fonts named before it (the first of ``PieceLayout.fonts``)


@dataclass
class Resume:
    """What a layout starting at ``top`` (``partial.py``) takes from the pages before it."""

    top: PageTop
    story: int  # the story's index of its first flowable
    anchors: dict[str, int]  # (page index in the piece)
    places: dict[str, tuple[int, float, float]]
    outline: list[tuple[int, str, str]]
    heads: list[str | None]
    fonts: list[str]
    drawn: list[dict[str, str]]


class Resynced(Exception):  # noqa: N818 (not an error: where a layout stops)
    """The layout reached page ``page`` in the state of ``top`` of the earlier layout."""

    def __init__(self, page: int, top: PageTop) -> None:
        super().__init__(page)
        self.page, self.top = page, top


class PacketTemplate(BaseDocTemplate):
    """One piece of the packet, numbered from its ``start`` page: cover pages, body
    pages (with running head and footer, drawn when the pieces are joined) and
    answer sheet pages; every TrueType face given the course's character codes."""

    def __init__(
        self,
        buffer: io.BytesIO,
        packet: Packet,
        start: int = 1,
        first: str = "body",
        resume: Resume | None = None,
        resync: dict[int, PageTop] | None = None,
        resync_fonts: list[str] | None = None,
        odd: set[int] | None = None,
    ) -> None:
        """``resume``: start at that page top of an earlier layout; ``resync``: stop at
        a page beginning with the story's flowable of a key in the state of its value
        (``Resynced``) with the fonts named
        as the first of ``resync_fonts``, on the same side of the paper (or either
        for those of ``odd``)."""
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
        self.packet = packet
        self.fonts = packet.fonts
        self.styles = packet.styles
        self.msg = msg
        self.state = packet.state
        self.start = start
        self.section = ""
        self.blank_pages: set[int] = set()  # backs of answer sheets (``DuplexBreak``)
        self.heads: list[str | None] = []
        self.outline: list[tuple[int, str, str]] = []
        self.last_pos: t.Pos | None = None
        self.date_string = pdf_date(course)
        self.resume = resume
        self.resync = resync or {}
        self.resync_fonts = resync_fonts or []
        self.odd = odd or set()
        self.queue: list[Flowable] = []  # what is left to lay out
        self.story: dict[int, int] = {}  # id of each story flowable -> its index
        self.keys: list[str] = []  # the story's segments' keys
        self.segments: list[tuple[int, int]] = []  # each flowable's (segment, offset)
        self.tops: list[PageTop] = []
        self.drawn: list[dict[str, str]] = []  # per page: ``PieceLayout.drawn``
        self.printing: dict[TTFont, set[str]] = {}  # what the page drew so far
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
        names = ["cover", "body", "sheet"]  # sheet: answer sheets, no header, no footer
        names.remove(first)
        self.addPageTemplates(
            [PageTemplate(name, [frame], onPageEnd=self.page_end) for name in [first, *names]]
        )

    # ---------------------------------------------------------------- hooks

    def handle_documentBegin(self) -> None:  # noqa: N802 (reportlab's name)
        super().handle_documentBegin()
        self.page = self.start - 1
        self.section = ""
        self.blank_pages = set()
        self.heads = []
        self.outline = []
        self.state.pages = {}
        self.canv.casekit_dry = self.state.dry
        stamp = self.date_string
        self.canv.setDateFormatter(lambda *_: stamp)
        for font in self.fonts.distinct():  # the same codes in every piece: one font subset
            self.packet.codes.assign(font, self.canv._doc)
        if self.resume is not None:
            self._restore(self.resume)

    def _restore(self, resume: Resume) -> None:
        """The state of the page top ``resume`` starts at, as the pages before left it."""
        top = resume.top
        self.page = self.start - 1 + top.page
        self.section = top.section
        self.heads = list(resume.heads)
        self.drawn = list(resume.drawn)
        self.outline = list(resume.outline)
        self.state.pages = {a: self.start + page for a, page in resume.anchors.items()}
        self.canv.places.update(resume.places)
        self.canv._pageNumber = top.page + 1
        doc = self.canv._doc
        for name in resume.fonts:  # their resource names in the same order
            font = pdfmetrics.getFont(name)
            if font._dynamicFont:
                font.getSubsetInternalName(0, doc)
            else:
                doc.getInternalFontName(name)

    def clean_hanging(self) -> None:
        """Before a page begins: note it (``tops``) if it begins as a layout of the
        same story from here would, and stop if it is one of ``resync``'s."""
        if len(self._hanging) == 1 and self._hanging[0] is PageBegin and self.queue:
            self._page_top()
        super().clean_hanging()

    def _page_top(self) -> None:
        queue = self.queue
        index = self.story.get(id(queue[0]))
        if (
            index is None
            or len(queue) != len(self.segments) - index
            or getattr(self, "_frameBGs", None)
            or getattr(self, "_leftExtraIndent", 0)
            or getattr(self, "_rightExtraIndent", 0)
            or hasattr(self, "_nextPageTemplateIndex")
            or self.page + 1 in self.blank_pages
        ):
            return  # the rest of a split flowable, or something carried over
        segment, offset = self.segments[index]
        top = PageTop(
            self.page + 1 - self.start,
            segment,
            offset,
            self.pageTemplate.id,
            self.section,
            len(self.outline),
            len(self.canv._doc.fontMapping),
        )
        self.tops.append(top)
        earlier = self.resync.get(index)
        if (
            earlier is not None
            and top.page > (self.resume.top.page if self.resume else 0)
            and ((top.page - earlier.page) % 2 == 0 or index in self.odd)
            and (top.template, top.section) == (earlier.template, earlier.section)
            and list(self.canv._doc.fontMapping) == self.resync_fonts[: earlier.fonts]
        ):
            raise Resynced(top.page, earlier)

    def handle_frameBegin(self, *args: Any, **kwargs: Any) -> None:  # noqa: N802
        """A box still open at the top of a page (a callout, solution, quiz, code or
        quote running over) starts there with a "(continued)" mark."""
        super().handle_frameBegin(*args, **kwargs)
        if self.frame._frameBGs and self.page > self.start:
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
            self.outline.append((level, title, key))

    def page_end(self, canvas: Any, doc: BaseDocTemplate) -> None:
        """Note the running head of the page ending (drawn when the pieces are joined):
        body pages only, not a page left blank for duplex printing."""
        body = self.pageTemplate.id == "body" and self.page not in self.blank_pages
        self.heads.append(self.section if body else None)
        self.drawn.append(self.packet.codes.printed(self.printing))
        self.printing.clear()

    def lay_out(self, flowables: list[Flowable]) -> PieceLayout:
        """One layout pass of ``flowables`` (which another pass may lay out again), from
        the page top ``resume`` gives; raises ``Resynced`` (the pages so far saved)
        where the layout meets one of ``resync``."""
        # what a pass changes on the flowables, undone after it as ``multiBuild`` does
        edits: list[tuple[Any, ...]] = []
        self._multiBuildEdits = edits.append
        segments = getattr(flowables, "segments", [])
        self.keys = [key for key, _ in segments]
        self.segments = [(s, o) for s, (_, n) in enumerate(segments) for o in range(n)]
        if len(self.segments) == len(flowables):
            self.story = {id(f): i for i, f in enumerate(flowables)}
        first = self.resume.story if self.resume is not None else 0
        self.queue = list(flowables[first:])
        try:
            with speedups.recording() as self.printing:
                self.build(self.queue, canvasmaker=PieceCanvas)
        except Resynced:
            self.canv._doc.info = self._savedInfo
            self.canv.save()
            raise
        finally:
            for undo, *args in edits:
                undo(*args)
        return self.layout()

    def layout(self) -> PieceLayout:
        """What the pages laid out so far give."""
        drawn = printed_on(self.drawn)
        return PieceLayout(
            pages=len(self.heads),
            anchors={anchor: page - self.start for anchor, page in self.state.pages.items()},
            places=dict(self._places),
            outline=list(self.outline),
            heads=list(self.heads),
            asked=dict(self.state.asked),
            segments=list(self.keys),
            tops=list(self.tops),
            fonts=list(self.canv._doc.fontMapping),
            printed=drawn,
            codes=self.packet.codes.fingerprint(drawn),
            drawn=list(self.drawn),
        )

    def _makeCanvas(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        canvas = super()._makeCanvas(*args, **kwargs)
        self._places = canvas.places
        return canvas


def printed_on(pages: list[dict[str, str]]) -> dict[str, str]:
    """What ``pages`` (``PieceLayout.drawn``) drew, per font."""
    found: dict[str, set[str]] = {}
    for page in pages:
        for font, chars in page.items():
            found.setdefault(font, set()).update(chars)
    return {font: "".join(sorted(chars)) for font, chars in sorted(found.items())}


def running_heads(packet: Packet, heads: list[str], first_page: list[int], total: int) -> bytes:
    """A PDF with the running head and footer of each body page: ``heads[i]`` (the
    module title) on page ``first_page[i]`` of ``total``; laid over the pages when the
    pieces are joined, so a piece's pages do not depend on the page count."""
    setup, fonts, styles, msg, course = (
        packet.setup,
        packet.fonts,
        packet.styles,
        packet.msg,
        packet.course,
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=setup.size, invariant=1, initialFontName=fonts.family)
    stamp = pdf_date(course)
    canvas.setDateFormatter(lambda *_: stamp)
    for font in fonts.distinct():  # resource names of their own: drawn into the pages
        packet.codes.assign(font, canvas._doc, HEAD_FONTS)
    size = styles.header.fontSize
    width = setup.frame_width
    top = setup.size[1] - setup.margin - setup.header_room + size * 0.9
    left, right = setup.margin, setup.margin + width
    edition = edition_label(course, msg)
    for section, page in zip(heads, first_page, strict=True):
        canvas.setFillColor(MUTED)
        canvas.setFont(fonts.family, size)
        title = course.config.title
        if section:
            canvas.drawRightString(right, top, _clip(section, fonts, size, width / 2))
            title = _clip(title, fonts, size, width / 2 - size)
        canvas.drawString(left, top, title)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, top - size * 0.5, right, top - size * 0.5)
        bottom = setup.margin - size * 2.2
        number = msg("page_x_of_y", page=page, total=total)
        room = width - stringWidth(number, fonts.family, size) - size
        canvas.drawString(left, bottom, _clip(edition, fonts, size, room))
        canvas.drawRightString(right, bottom, number)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


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
    """The table of contents: ``(level, title markup, page, anchor)`` entries. The page
    numbers are drawn beside the titles, not laid out: they do not move any page."""
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), fonts.family, styles.size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ]
    )
    toc = TableOfContents(levelStyles=styles.toc_levels, dotsMinLevel=0, tableStyle=table_style)
    toc._lastEntries = list(entries)  # what reportlab's multiBuild would give it
    return [Paragraph(escape(msg("contents")), styles.toc_title), toc]


def front(packet: Packet, entries: list[tuple[int, str, str]]) -> list[Flowable]:
    """The cover and the contents, with the pages ``packet.state`` knows for
    ``entries`` (level, title, anchor), as the first piece; its pages do not depend
    on those numbers."""
    setup, styles, msg = packet.setup, packet.styles, packet.msg
    state = packet.state
    numbered = []
    for level, title, anchor in entries:
        page = state.known.get(anchor, 0)
        state.asked[anchor] = page
        numbered.append((level, escape(title, quote=False), page, anchor))
    return [
        *cover(packet.course, styles, msg, setup.frame_width, setup.frame_height),
        NextPageTemplate("body"),
        PageBreak(),
        *contents(styles, packet.fonts, msg, numbered),
    ]


def lay_out_piece(
    packet: Packet,
    flowables: list[Flowable],
    start: int,
    known: dict[str, int],
    first: str = "body",
) -> tuple[PieceLayout, bytes | None, int]:
    """Lay out one piece from page ``start``, printing the pages ``known`` for "see
    page N" (its own anchors' pages from its previous pass), until they settle. A
    piece whose "see page N" name pages no one knows yet is measured first (its
    drawing is skipped), and only measured (``None`` for bytes) while another
    piece's pages are needed. Also returns the number of pages laid out."""
    state = packet.state
    values = dict(known)
    dry = any(anchor not in values for anchor in state.referenced)
    laid = 0
    for _ in range(MAX_PASSES):
        layout, data = _one_pass(packet, flowables, start, values, first, dry)
        laid += layout.pages
        values = {**values, **{a: start + page for a, page in layout.anchors.items()}}
        if dry and any(anchor not in values for anchor in state.referenced):
            return layout, None, laid  # another piece's pages are needed first
        if all(values.get(anchor, 0) == page for anchor, page in layout.asked.items()):
            if not dry:
                return layout, data, laid
            dry = False  # the same numbers drawn: the last pass
    raise unsettled()


def _one_pass(
    packet: Packet,
    flowables: list[Flowable],
    start: int,
    values: dict[str, int],
    first: str,
    dry: bool,
) -> tuple[PieceLayout, bytes]:
    buffer = io.BytesIO()
    doc = PacketTemplate(buffer, packet, start, first)
    state = packet.state
    state.known, state.dry = values, dry  # ``asked`` goes on: the contents asked when made
    try:
        layout = doc.lay_out(flowables)
    except LayoutError:
        raise too_big(packet, doc.last_pos) from None
    return layout, buffer.getvalue()


def unsettled() -> Exception:
    return error(
        "course.toml",
        f"page numbers did not settle after {MAX_PASSES} layout passes; "
        "please report this course to the casekit developers",
        "pdf-layout",
    )


def too_big(packet: Packet, pos: t.Pos | None) -> Exception:
    pos = pos or packet.course.lessons()[0].pos
    size = "×".join(str(round(v / mm)) for v in packet.setup.size)
    return error(
        pos.path,
        f"this block cannot be laid out on a {size} mm page: it is taller than the page "
        "and cannot be split; shorten it or split it",
        "pdf-layout",
        pos.line,
        pos.column,
    )
