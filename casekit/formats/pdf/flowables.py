"""Small reportlab flowables the paper packet needs beyond Platypus's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.doctemplate import IndexingFlowable
from reportlab.platypus.flowables import FrameBG, Preformatted, splitLines

from casekit.formats.pdf.styles import RULE
from casekit.render.common import qr_matrix


class QrCode(Flowable):
    """A QR code drawn as vector squares (one rectangle per run of dark modules)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.matrix = qr_matrix(text)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
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


class CodeLines(Preformatted):
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


class FastParagraph(Paragraph):
    """A paragraph that keeps its line breaks for the width it was last wrapped to.

    Tables wrap their cells several times and every layout pass wraps every
    paragraph again; breaking lines is most of reportlab's work, and the result
    only depends on the width."""

    _wrapped: tuple[float, float, float] | None = None  # (avail width, width, height)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        cached = self._wrapped
        if cached is not None and cached[0] == avail_width and hasattr(self, "blPara"):
            self.width, self.height = cached[1:]
            return self.width, self.height
        width, height = super().wrap(avail_width, avail_height)
        self._wrapped = (avail_width, width, height)
        return width, height


class LazyParagraph(FastParagraph):
    """A paragraph whose markup is finished when it is laid out (``finish``), e.g.
    links to anchors written later and page numbers from the previous pass."""

    def __init__(
        self, template: str, style: ParagraphStyle, finish: Callable[[str], str], **kw: Any
    ) -> None:
        self.template = template
        self.finish = finish
        self.kw = kw
        self.markup = finish(template)
        super().__init__(self.markup, style, **kw)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        markup = self.finish(self.template)
        if markup != self.markup:
            self.markup = markup
            self._wrapped = None
            Paragraph.__init__(self, markup, self.style, **self.kw)
        return super().wrap(avail_width, avail_height)


class Marked(LazyParagraph):
    """A title that names destinations (``anchors``) and maybe a TOC/outline entry
    ``(level, title, key)``; the document template records its page when laid out."""

    anchors: tuple[str, ...] = ()
    outline: tuple[int, str, str] | None = None


class LayoutState(IndexingFlowable):
    """What one layout pass learns for the next: the total page count and the page of
    every anchor. ``multiBuild`` repeats passes until nothing changed, so "page X of Y"
    and "see page N" are right in the final pass."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.pages: dict[str, int] = {}
        self._previous: tuple[int, dict[str, int]] | None = None

    def beforeBuild(self) -> None:  # noqa: N802 (reportlab's name)
        self._previous = (self.total, self.pages)
        self.pages = {}

    def record_total(self, total: int) -> None:
        self.total = total

    def isSatisfied(self) -> bool:  # noqa: N802
        return self._previous == (self.total, self.pages)

    def last_page_of(self, anchor: str) -> int | None:
        """The page of ``anchor`` as the previous pass laid it out."""
        if self._previous is None:
            return None
        return self._previous[1].get(anchor)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass
