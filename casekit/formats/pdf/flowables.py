"""Small reportlab flowables the paper packet needs beyond Platypus's own."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table
from reportlab.platypus.doctemplate import FrameActionFlowable
from reportlab.platypus.flowables import FrameBG, Preformatted, splitLines

from casekit.formats.pdf.breaks import BREAK_AFTER
from casekit.formats.pdf.linebreak import break_mixed
from casekit.formats.pdf.markup import parsed_frags
from casekit.formats.pdf.styles import RULE
from casekit.render.common import qr_matrix


def is_dry(canvas: Any) -> bool:
    """True on a measuring pass, whose pages are never shown: flowables that are
    costly to draw skip drawing there."""
    return getattr(canvas, "casekit_dry", False)


class DrawnInFinalPass:
    """A mixin for flowables that are measured but not drawn in the first layout pass."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        if not is_dry(canvas):
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]


class QrCode(Flowable):
    """A QR code drawn as vector squares (one rectangle per run of dark modules)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.size = size
        self.matrix = qr_matrix(text)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        if is_dry(canvas):
            return
        count = len(self.matrix)
        module = self.size / count
        canvas.saveState()
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for row_index, row in enumerate(self.matrix):
            y = self.size - (row_index + 1) * module
            col = 0
            while col < count:
                if row[col]:
                    start = col
                    while col < count and row[col]:
                        col += 1
                    path.rect(start * module, y, (col - start) * module, module)
                else:
                    col += 1
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.restoreState()


class BoxStart(FrameBG):
    """Starts a tinted, bordered box (ended by ``FrameBG(start=False)``) that may run
    over pages; unlike ``FrameBG`` it starts at the current indentation."""

    def __init__(self, color: colors.Color, border: colors.Color | None = None) -> None:
        super().__init__(color=color, strokeColor=border, strokeWidth=0.8 if border else None)

    def draw(self) -> None:
        frame = getattr(self, "_frame", None)
        if frame is not None:
            self.left = frame._leftExtraIndent
            self.right = frame._rightExtraIndent
        super().draw()


class BoxEnd(FrameActionFlowable):
    """Ends the box ``BoxStart`` began. A frame action, so it takes effect where it
    is even at the very end of a page (a ``FrameBG`` end there moves to the next
    page and draws an empty strip of the box)."""

    def __init__(self) -> None:  # FrameActionFlowable's own __init__ refuses to run
        pass

    def frameAction(self, frame: Any) -> None:  # noqa: N802 (reportlab's name)
        if frame._frameBGs:
            frame._frameBGs.pop()


class CodeLines(DrawnInFinalPass, Preformatted):
    """Monospaced text that wraps to the width it gets (a marker starts each
    continuation line), so no line is ever cut off at the page edge."""

    def __init__(self, text: str, style: ParagraphStyle, continuation: str) -> None:
        super().__init__(text, style)
        self.source = list(self.lines)
        self.continuation = continuation
        self.columns = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        style = self.style
        char = stringWidth("M", style.fontName, style.fontSize)
        columns = max(int((avail_width - style.leftIndent - style.rightIndent) // char), 8)
        if columns != self.columns:
            self.columns = columns
            self.lines = splitLines(self.source, columns, " ", self.continuation)
        return super().wrap(avail_width, avail_height)


class RuledLines(Flowable):
    """Lines to write on: ``count`` of them, or (``count=0``) the rest of the frame."""

    def __init__(self, spacing: float, count: int = 0) -> None:
        super().__init__()
        self.spacing = spacing
        self.count = count
        self.height = 0.0
        self.width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        if self.count:
            self.height = self.count * self.spacing
        else:  # at least three lines; else the frame moves the lines to a new page
            self.height = max(avail_height, 3 * self.spacing)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        lines = int(self.height // self.spacing)
        for index in range(1, lines + 1):
            y = self.height - index * self.spacing
            canvas.line(0, y, self.width, y)
        canvas.restoreState()


#: the one text fragment reportlab's markup parser makes of plain text, per style
_PLAIN_FRAGS: weakref.WeakKeyDictionary[ParagraphStyle, Any] = weakref.WeakKeyDictionary()


def _plain_frag(style: ParagraphStyle) -> Any:
    frag = _PLAIN_FRAGS.get(style)
    if frag is None:
        frag = _PLAIN_FRAGS[style] = Paragraph("x", style).frags[0]
    return frag


def _overflows(lines: Any) -> bool:
    """Whether a line of reportlab's broken lines is wider than the width it got."""
    if lines.kind == 0:
        return any(extra < -0.01 for extra, _words in lines.lines)
    return any(line.extraSpace < -0.01 for line in lines.lines)


def _cleaned(text: str, cleaner: Callable[[str], str]) -> str:
    """``cleaner(text)``: reportlab's ``cleanBlockQuotedText`` (what ``Paragraph``
    gives), which trims the text and makes each run of white space one space. Text
    whose only white space is single inner spaces is its own result."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # printable: no white space but the ASCII space (str.isprintable)
    return cleaner(text)


#: each paragraph style without hyphenation (``FastParagraph.wrap``)
_UNHYPHENATED: weakref.WeakKeyDictionary[ParagraphStyle, ParagraphStyle] = (
    weakref.WeakKeyDictionary()
)


def _unhyphenated(style: ParagraphStyle) -> ParagraphStyle:
    if style not in _UNHYPHENATED:
        _UNHYPHENATED[style] = ParagraphStyle(
            f"{style.name}-unhyphenated", parent=style, hyphenationLang="", uriWasteReduce=0
        )
    return _UNHYPHENATED[style]


def _drop_break_hyphens(lines: Any) -> None:
    """No hyphen where a soft hyphen broke a URL or an identifier after ``/``, ``_``,
    ``.`` ... (``breaks.BREAK_AFTER``): a reader copying it would type the hyphen."""

    def unhyphenated(text: str) -> str | None:
        if len(text) > 1 and text[-1] == "-" and text[-2] in BREAK_AFTER:
            return text[:-1]
        return None

    for index, line in enumerate(lines.lines[:-1]):
        if lines.kind == 0:
            extra, words = line
            shorter = unhyphenated(words[-1]) if words else None
            if shorter is not None:
                width = stringWidth("-", lines.fontName, lines.fontSize)
                lines.lines[index] = (extra + width, [*words[:-1], shorter])
            continue
        frag = next((f for f in reversed(line.words) if getattr(f, "text", "")), None)
        shorter = unhyphenated(frag.text) if frag is not None else None
        if shorter is not None:
            frag.text = shorter
            line.extraSpace += stringWidth("-", frag.fontName, frag.fontSize)


class FastParagraph(DrawnInFinalPass, Paragraph):
    """A paragraph that does reportlab's costly work once per document, not once per
    use: parsing plain text (no markup to parse) and common markup (``markup.py``),
    breaking lines (kept for the width it was wrapped to) and splitting at a page end
    (kept for the room it was split in). Every layout pass wraps and splits the same paragraphs again, and tables
    wrap their cells several times; the results only depend on width and room."""

    #: per available width (a box's first lines are measured unindented by ``KeepTogether``,
    #: then indented by the frame): (available width, width, height, lines)
    _wrapped: tuple[tuple[float, float, float, Any], ...] = ()
    _split: tuple[float, float, Any, list[Flowable]] | None = None  # room, lines, parts

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:  # noqa: N803
        if frags is None and isinstance(text, str) and not getattr(style, "textTransform", None):
            cleaned = _cleaned(text, cleaner)
            if "<" not in text and "&" not in text:
                if cleaned:  # what the parser makes of it: one fragment in the style's font
                    frag = _plain_frag(style).clone(text=cleaned, link=[], us_lines=[])
                    super()._setup(cleaned, style, bulletText, [frag], cleaner)
                    return
            else:
                parsed = parsed_frags(cleaned, style, self.caseSensitive)
                if parsed is not None:
                    super()._setup(cleaned, style, bulletText, parsed, cleaner)
                    return
        super()._setup(text, style, bulletText, frags, cleaner)

    def breakLines(self, width: Any) -> Any:  # noqa: N802 (reportlab's name)
        lines = break_mixed(self, width)
        if lines is None:
            lines = super().breakLines(width)
        _drop_break_hyphens(lines)
        return lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        for cached in self._wrapped:
            if cached[0] == avail_width:
                # reportlab drops the lines when a split finds no room: they are still right
                _, self.width, self.height, self.blPara = cached
                return self.width, self.height
        width, height = super().wrap(avail_width, avail_height)
        if _overflows(self.blPara) and self.style.hyphenationLang:
            # reportlab hyphenates a long word or URL once and leaves the rest of it
            # unsplittable, running past the margin; without hyphenation its long-word
            # split breaks every line inside the width
            self.style = _unhyphenated(self.style)
            width, height = super().wrap(avail_width, avail_height)
        self._wrapped = (*self._wrapped, (avail_width, width, height, self.blPara))
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        cached = self._split
        lines = getattr(self, "blPara", None)
        if cached is not None and cached[:2] == (avail_width, avail_height) and cached[2] is lines:
            return list(cached[3])
        parts = super().split(avail_width, avail_height)
        self._split = (avail_width, avail_height, lines, list(parts))
        return parts


class FastTable(DrawnInFinalPass, Table):
    """A table that is only measured, not drawn, in the first layout pass, and whose
    measures are not taken again for the width they were taken at. A table with a
    caption is measured twice per pass (``keepWithNext`` groups them), each time
    wrapping every cell; its measures depend only on the width as long as the
    whole table fits (reportlab stops measuring rows past the room it has), and on
    what its "see page N" print: a pass prints the pages the pass before found, so
    "see page 9" may become "see page 10" and wrap, and the table is measured again."""

    #: the width of the last complete measure and what its cells' references printed
    _measured_at: tuple[float, tuple[str, ...]] | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        key = (avail_width, self._printed())
        if self._measured_at == key and self._height <= avail_height:
            self.availWidth = avail_width
            return self._width, self._height
        width, height = super().wrap(avail_width, avail_height)
        complete = self._hmax == self._nrows and height <= avail_height
        self._measured_at = key if complete else None
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self._measured_at = None  # splitting measures again, for the room it has
        return super().split(avail_width, avail_height)

    def _printed(self) -> tuple[str, ...]:
        """What the cells holding page references print in this pass."""
        return tuple(
            cell.finish(cell.template)
            for row in self._cellvalues
            for cell in row
            if isinstance(cell, LazyParagraph) and cell.finish and cell.template is not None
        )


class LazyParagraph(FastParagraph):
    """A paragraph whose markup is finished when it is laid out (``finish``), e.g.
    links to anchors written later and page numbers from the previous pass."""

    def __init__(
        self,
        template: str | None,
        style: ParagraphStyle,
        finish: Callable[[str], str] | None = None,
        **kw: Any,
    ) -> None:
        # reportlab's ``split`` makes the parts with ``self.__class__(None, style, frags=...)``:
        # those parts are finished already (``finish`` is None)
        self.template = template
        self.finish = finish
        self.kw = kw
        self.markup = finish(template) if finish and template is not None else template
        super().__init__(self.markup, style, **kw)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.finish is None or self.template is None:
            return super().wrap(avail_width, avail_height)
        markup = self.finish(self.template)
        if markup != self.markup:
            self.markup = markup
            self._wrapped = ()
            Paragraph.__init__(self, markup, self.style, **self.kw)
        return super().wrap(avail_width, avail_height)


class Marked(LazyParagraph):
    """A title that names destinations (``anchors``) and maybe a TOC/outline entry
    ``(level, title, key)``; the document template records its page when laid out."""

    anchors: tuple[str, ...] = ()
    outline: tuple[int, str, str] | None = None

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        parts = super().split(avail_width, avail_height)
        if parts and parts[0] is not self:
            first = parts[0]
            first.anchors, first.outline = self.anchors, self.outline  # type: ignore[attr-defined]
            for part in parts[1:]:
                part.anchors, part.outline = (), None  # type: ignore[attr-defined]
        return parts


class LayoutState:
    """The page numbers one piece's layout prints ("see page N") and learns.

    ``known`` holds the pages other pieces' anchors had in the last round (and this
    piece's own, from its previous pass); what the layout printed for each anchor is
    kept in ``asked`` (0: not known, printed as "…"), so that the build can tell when
    a piece must be laid out again (``pieces.py``)."""

    def __init__(self) -> None:
        self.known: dict[str, int] = {}
        self.asked: dict[str, int] = {}
        self.referenced: set[str] = set()  # anchors the piece's "see page N" name
        self.pages: dict[str, int] = {}  # this pass: the page of each anchor laid out
        self.dry = False  # a measuring pass: nothing is drawn

    def start(self, known: dict[str, int]) -> None:
        """A new piece, laid out with the pages ``known``."""
        self.known, self.asked, self.referenced, self.pages = dict(known), {}, set(), {}

    def last_page_of(self, anchor: str) -> int | None:
        """The page "see page N" prints for ``anchor`` (``None``: not known yet)."""
        page = self.known.get(anchor)
        self.asked[anchor] = page or 0
        return page


class DuplexBreak(Flowable):
    """Where it stands, break to a page of the given side for duplex printing.

    Before an answer sheet (which breaks to a new page itself): on a right-hand
    page, the left-hand page after it is left blank so the sheet starts on a
    right-hand page.
    ``after_sheet`` (after a sheet's last page): the sheet's back stays blank when
    it ended on a right-hand page, so no lesson text shares its sheet of paper.
    The pages left blank are recorded in the document's ``blank_pages``: they
    print no running header and footer either. Zero size; the breaks are
    generated content, as reportlab's ``CondPageBreak`` does."""

    def __init__(self, after_sheet: bool) -> None:
        super().__init__()
        self.after_sheet = after_sheet

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        frame = self._doctemplateAttr("frame")
        page = self._doctemplateAttr("page")
        blank: set[int] | None = self._doctemplateAttr("blank_pages")
        if frame is None or page is None or blank is None:
            return 0, 0
        if not self.after_sheet:
            if page % 2 == 1:  # the sheet's own page break would land on a left-hand page
                frame.add_generated_content(PageBreak())
                blank.add(page + 1)
        elif frame._atTop:  # the full sheet page pushed it onto the next page
            if page % 2 == 0:
                frame.add_generated_content(PageBreak())
                blank.add(page)
        elif page % 2 == 1:
            frame.add_generated_content(PageBreak(), PageBreak())
            blank.add(page + 1)
        else:
            frame.add_generated_content(PageBreak())
        return 0, 0

    def draw(self) -> None:
        pass
