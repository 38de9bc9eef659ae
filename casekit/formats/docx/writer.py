"""Renders the document tree into a python-docx document, with styles only.

Blocks are written into a *target*: the document body, a table cell (boxes,
media cards) or a footnote. Paragraph and run properties are named styles
from ``styles.py``; the only direct properties are what the source says
(emphasis, table cell alignment), list membership and each run's language.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Union

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Emu
from docx.table import Table, _Cell

from casekit import tree as t
from casekit.formats.docx.footnotes import FootnoteContainer, Footnotes, footnote_mark
from casekit.formats.docx.images import Picture, picture
from casekit.formats.docx.links import Bookmarks, external_link, internal_link
from casekit.formats.docx.numbering import number_paragraph
from casekit.formats.docx.oxml import (
    Prototypes,
    StyledParagraphs,
    el,
    set_paragraph_style,
    text_run,
    xml_text,
)
from casekit.formats.docx.page import LANGUAGE_TAGS
from casekit.formats.docx.pieces import ImageStore, PieceImage, Story
from casekit.formats.docx.pieces import Piece as BodyPiece
from casekit.formats.docx.sections import SheetSections
from casekit.formats.docx.styles import CALLOUT_STYLES, CODE_STYLES, styles_by_name
from casekit.messages import Messages, course_messages
from casekit.render.common import (
    CALLOUT_LOOK,
    callout_label,
    code_label,
    media_caption,
    option_instructions,
    option_letter,
    qr_png,
    safe_href,
)
from casekit.render.images import figure_size
from casekit.render.inline_html import Piece, Span, around, html_spans
from casekit.render.resample import Sizing, print_box
from casekit.render.walk import TreeWriter
from casekit.resolve.vtt import format_time

Target = Union[Document, _Cell, FootnoteContainer]
W_TR, W_TC = qn("w:tr"), qn("w:tc")

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
QR_SIZE = Cm(3.2)
INLINE_IMAGE_HEIGHT = Cm(0.5)
MAX_FIGURE_HEIGHT = Cm(12)
EMU_PER_PT = 12700
ANSWER_LINES_SHORT = 3
ANSWER_LINES_SHEET = 16


@dataclass(frozen=True)
class RunFormat:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    underline: bool = False
    position: str = ""  # "superscript" or "subscript" (w:vertAlign)
    style: str = ""  # character style name


#: the run format of each look of an allowed HTML tag (``render.inline_html.LOOK``);
#: quotes and abbreviations add words (``DocxWriter.piece``)
DOCX_LOOK: dict[str, dict[str, object]] = {
    "bold": {"bold": True},
    "italic": {"italic": True},
    "underline": {"underline": True},
    "strike": {"strike": True},
    "subscript": {"position": "subscript"},
    "superscript": {"position": "superscript"},
    "small": {"style": "Small Text"},
    "mark": {"style": "Marked Text"},
    "code": {"style": "Verbatim Char"},
    "key": {"style": "Keyboard"},
    "quote": {},
    "abbreviation": {},
    "plain": {},
}


class StyleIds:
    """The id of each style of ``doc``, by style name (looked up once each)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._ids: dict[str, str] = {}
        self._styles: dict[str, BaseOxmlElement] | None = None

    def __call__(self, name: str) -> str:
        if name not in self._ids:
            if self._styles is None:
                self._styles = styles_by_name(self.doc)
            style = self._styles.get(name.lower())
            if style is None:
                raise KeyError(f"style {name!r} missing: add_missing_styles was not run")
            self._ids[name] = style.styleId
        return self._ids[name]


class RunProperties(Prototypes[RunFormat]):
    """Run properties: a character style, emphasis from the source, the language."""

    def __init__(self, style_ids: StyleIds, lang: str) -> None:
        super().__init__()
        self.style_ids = style_ids
        self.lang = lang

    def build(self, key: RunFormat) -> BaseOxmlElement:
        rpr = el("w:rPr")
        if key.style:
            rpr.append(el("w:rStyle", val=self.style_ids(key.style)))
        if key.bold:
            rpr.extend([el("w:b"), el("w:bCs")])
        if key.italic:
            rpr.extend([el("w:i"), el("w:iCs")])
        if key.strike:
            rpr.append(el("w:strike"))
        if key.underline:
            rpr.append(el("w:u", val="single"))
        if key.position:
            rpr.append(el("w:vertAlign", val=key.position))
        rpr.append(el("w:lang", val=self.lang, eastAsia=self.lang, bidi=self.lang))
        return rpr


class TextRuns(Prototypes[RunFormat]):
    """Runs of one format holding one ``w:t``, whose text the caller sets."""

    def __init__(self, run_properties: RunProperties) -> None:
        super().__init__()
        self.run_properties = run_properties

    def build(self, key: RunFormat) -> BaseOxmlElement:
        return text_run("-", self.run_properties.build(key))


class CellParagraphs(Prototypes[tuple[str, str]]):
    """Empty paragraphs by style id and alignment ("": the style's own)."""

    def build(self, key: tuple[str, str]) -> BaseOxmlElement:
        style, align = key
        p = el("w:p", el("w:pPr", el("w:pStyle", val=style)))
        if align:
            p[0].append(el("w:jc", val=ALIGN[align].xml_value))
        return p


class PictureInlines(Prototypes[str]):
    """``wp:inline`` pictures as python-docx writes them, by file extension (its
    ``new_pic_inline`` parses two XML templates for every picture); ``set_picture``
    and ``set_picture_size`` fill one in."""

    def build(self, key: str) -> BaseOxmlElement:
        return CT_Inline.new_pic_inline(0, "", f"image.{key}", Emu(0), Emu(0))


def set_picture(inline: BaseOxmlElement, shape_id: int, r_id: str) -> None:
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("id", str(shape_id))
    doc_pr.set("name", f"Picture {shape_id}")
    inline.find(f".//{qn('a:blip')}").set(qn("r:embed"), r_id)


def set_picture_size(inline: BaseOxmlElement, cx: int, cy: int) -> None:
    for extent in (inline.find(qn("wp:extent")), inline.find(f".//{qn('a:ext')}")):
        extent.set("cx", str(cx))
        extent.set("cy", str(cy))


class Tables(Prototypes[tuple[int, int]]):
    """Tables of one row, by column count and width, as python-docx writes them."""

    def build(self, key: tuple[int, int]) -> BaseOxmlElement:
        cols, width = key
        return CT_Tbl.new_tbl(1, cols, Emu(width))


def level_suffix(level: int) -> str:
    """Word's list styles come in levels: "List Bullet", "List Bullet 2", "List Bullet 3"."""
    return "" if level == 0 else f" {min(level + 1, 3)}"


class DocxWriter(TreeWriter):
    """Writes lessons, boxes and appendices of one edition into ``doc``."""

    def __init__(
        self, course: t.Course, doc: Document, text_width: Emu, images: ImageStore
    ) -> None:
        self.course = course
        self.doc = doc
        self.root = Path(course.root)
        self.msg: Messages = course_messages(course.config)
        self.lang = LANGUAGE_TAGS.get(course.config.language, course.config.language)
        self.text_width = text_width
        self.answer_sheets = True  # a blank answer sheet after each assignment
        self.sizing = Sizing()  # how raster images are embedded
        self.footnotes = Footnotes(doc)
        self.bookmarks = Bookmarks()
        self.body_style = "Body Text"
        self.list_level = -1
        self.notes: dict[str, t.Footnote] = {}  # the current lesson's notes, by anchor
        self.in_note = False  # writing a footnote (its links belong to the notes part)
        #: the piece being written (``pieces.py``): its body, notes and local ids
        self.story: Story | None = None
        self._sections: SheetSections | None = None  # answer sheets in sections of their own
        self.sid = StyleIds(doc)  # the id of a style, by name
        self.rpr = RunProperties(self.sid, self.lang)  # run properties, by RunFormat
        self._runs = TextRuns(self.rpr)
        self._paragraphs = StyledParagraphs()
        self._tables = Tables()
        self._inlines = PictureInlines()
        self._cell_paragraphs = CellParagraphs()
        #: pictures by media item and box (``placed``), and where their bytes are kept
        self._placed: dict[tuple[str, str | None, tuple[int, int]], tuple[Picture, PieceImage]]
        self._placed = {}
        self.images = images
        self._derived: dict[tuple[RunFormat, str, object], RunFormat] = {}

    # ---------------------------------------------------------------- styles and runs

    def text(self, parent: BaseOxmlElement, text: str, fmt: RunFormat = RunFormat()) -> None:
        clean = xml_text(text)
        if clean and "\t" not in clean:  # the common case: one w:t
            run = self._runs(fmt)
            run[-1].text = clean
        else:
            run = text_run(clean, self.rpr(fmt))
        parent.append(run)

    def derived(self, fmt: RunFormat, name: str, value: object) -> RunFormat:
        """``fmt`` with one field changed (``dataclasses.replace`` once per change)."""
        key = (fmt, name, value)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = replace(fmt, **{name: value})
        return found

    def add_paragraph(self, target: Target, p: CT_P) -> CT_P:
        """Put ``p`` at the end of ``target``: the document stands for the body of the
        piece being written (``pieces.py``)."""
        if isinstance(target, Document):
            self.piece_body.append(p)
        else:
            target._element.append(p)  # cells and notes end with their paragraphs
        return p

    @property
    def piece_body(self) -> BaseOxmlElement:
        return self.piece_story.body

    @property
    def sections(self) -> SheetSections:
        if self._sections is None:
            body = self.doc.element.body
            final = body.sectPr if body.sectPr is not None else body.add_sectPr()
            self._sections = SheetSections(final)
        return self._sections

    def begin_piece(self, story: Story, sheets_before: int) -> None:
        """Write into ``story`` from now on, with bookmarks and sheets counted afresh."""
        self.story = story
        self.bookmarks.placed = set()
        self.sections.sheets = sheets_before
        self._sheets_before = sheets_before

    def end_piece(self) -> BodyPiece:
        story, self.story = self.story, None
        assert story is not None
        return story.piece(len(self.bookmarks.placed), self.sections.sheets - self._sheets_before)

    def finish(self, sheets: int) -> None:
        """After the last piece (``sheets`` answer sheets in all): the text after the
        last sheet on a right-hand page."""
        if sheets:
            self.sections.sheets = sheets
            self.sections.finish()

    def para(self, target: Target, style: str, anchor: str = "") -> CT_P:
        p = self.add_paragraph(target, self._paragraphs(self.sid(style)))
        if anchor:
            self.bookmarks.mark(p, anchor)
        return p

    @property
    def can_draw(self) -> bool:
        """Pictures and notes belong to the document part: not inside a footnote."""
        return not self.in_note

    def page_break(self, target: Target) -> None:
        self.add_paragraph(target, el("w:p", el("w:r", el("w:br", type="page"))))

    @contextlib.contextmanager
    def styled(self, body_style: str) -> Iterator[None]:
        """Write paragraphs in ``body_style`` (a quote, a definition, a list item's rest)."""
        saved, self.body_style = self.body_style, body_style
        try:
            yield
        finally:
            self.body_style = saved

    # ---------------------------------------------------------------- inlines

    def inlines(
        self, parent: BaseOxmlElement, nodes: list[t.Inline], fmt: RunFormat = RunFormat()
    ) -> None:
        if t.RawInline in {type(n) for n in nodes}:  # allow_html: tags drawn
            for piece in html_spans(nodes):
                self.piece(parent, piece, fmt)
            return
        for node in nodes:
            self.inline(parent, node, fmt)

    def piece(self, parent: BaseOxmlElement, p: Piece, fmt: RunFormat) -> None:
        """An inline node, or an allowed HTML tag drawn as its look (``allow_html``)."""
        if not isinstance(p, Span):
            self.inline(parent, p, fmt)
            return
        if p.look == "line-break":
            parent.append(el("w:r", self.rpr(fmt), el("w:br")))
            return
        if p.look == "break-opportunity":  # a zero-width space: Word and LibreOffice break there
            self.text(parent, "\u200b", fmt)
            return
        before = after = ""
        if p.look == "quote":
            before, after = around(self.msg, "quotation", "text")
        elif p.look == "abbreviation" and p.title:
            before, after = around(self.msg, "abbreviation", "abbr", title=p.title)
        if before:
            self.text(parent, before, fmt)
        inner = replace(fmt, **DOCX_LOOK[p.look])  # type: ignore[arg-type]
        for child in p.children:
            self.piece(parent, child, inner)
        if after:
            self.text(parent, after, fmt)

    def inline(self, parent: BaseOxmlElement, n: t.Inline, fmt: RunFormat) -> None:
        if isinstance(n, t.Text):
            self.text(parent, n.text, fmt)
        elif isinstance(n, t.Emph):
            self.inlines(parent, n.children, self.derived(fmt, "italic", True))
        elif isinstance(n, t.Strong):
            self.inlines(parent, n.children, self.derived(fmt, "bold", True))
        elif isinstance(n, t.Strike):
            self.inlines(parent, n.children, self.derived(fmt, "strike", True))
        elif isinstance(n, t.Code):
            self.text(parent, n.text, self.derived(fmt, "style", "Verbatim Char"))
        elif isinstance(n, t.Kbd):
            self.text(parent, n.text, self.derived(fmt, "style", "Keyboard"))
        elif isinstance(n, t.RawInline):  # a lone tag (allow_html): drawn as in a sequence
            self.inlines(parent, [n], fmt)
        elif isinstance(n, t.LineBreak):
            parent.append(el("w:r", self.rpr(fmt), el("w:br")))
        elif isinstance(n, t.Link):
            self.link(parent, n, fmt)
        elif isinstance(n, t.InlineImage):
            self.inline_image(parent, n, fmt)
        elif isinstance(n, t.FootnoteRef):
            self.footnote_ref(parent, n, fmt)
        else:
            raise TypeError(f"unknown inline node {type(n).__name__}")

    def link(self, parent: BaseOxmlElement, n: t.Link, fmt: RunFormat) -> None:
        if n.target is not None:
            hyperlink = internal_link(self.bookmarks, n.target.anchor or n.target.lesson_id)
        elif safe_href(n.href):
            hyperlink = external_link(self.piece_story.link(n.href, self.in_note))
        else:
            self.inlines(parent, n.children, fmt)
            return
        parent.append(hyperlink)
        self.inlines(hyperlink, n.children, replace(fmt, style="Hyperlink"))

    def inline_image(self, parent: BaseOxmlElement, n: t.InlineImage, fmt: RunFormat) -> None:
        if n.media is None or not self.can_draw:
            self.text(parent, n.alt, fmt)
            return
        height = INLINE_IMAGE_HEIGHT
        box = print_box(self.text_width / EMU_PER_PT, height / EMU_PER_PT)
        pic, image = self.placed(n.media, box)
        width = Emu(int(height * pic.width_px / max(pic.height_px, 1)))
        parent.append(self.drawing(image, width, height))

    @property
    def piece_story(self) -> Story:
        assert self.story is not None, "writing outside a piece"
        return self.story

    def placed(self, item: t.MediaItem, box: tuple[int, int]) -> tuple[Picture, PieceImage]:
        """The picture of ``item`` fitted to ``box`` (without its bytes) and the stored
        image, worked out once per build: a figure used again is not read again."""
        key = (item.path, item.sha256, box)
        if key not in self._placed:
            pic = picture(self.root, item, box, self.sizing)
            self._placed[key] = (replace(pic, data=b""), self.images.add(pic.data))
        return self._placed[key]

    def drawing(self, image: PieceImage, width: Emu, height: Emu) -> BaseOxmlElement:
        inline = self._inlines(image.ext)
        set_picture(inline, self.piece_story.next_shape(), self.piece_story.image(image))
        set_picture_size(inline, width, height)
        return el("w:r", el("w:rPr", el("w:noProof")), el("w:drawing", inline))

    def footnote_ref(self, parent: BaseOxmlElement, n: t.FootnoteRef, fmt: RunFormat) -> None:
        note = self.notes.get(n.note)
        if note is None or not self.can_draw:  # a reference inside a note
            self.text(parent, str(n.number), replace(fmt, style="footnote reference"))
            return
        element = self.piece_story.new_note()
        note_id = int(element.get(qn("w:id")))
        container = self.footnotes.container(element)
        saved, self.in_note = self.in_note, True
        try:
            with self.styled("footnote text"):
                self.blocks(container, note.blocks)
            first = (
                container.paragraphs[0]._p
                if container.paragraphs
                else self.para(container, "footnote text")
            )
            mark = footnote_mark(self.sid("footnote reference"))
            ppr = first.find(qn("w:pPr"))
            if ppr is not None:
                ppr.addnext(mark)
            else:
                first.insert(0, mark)
            mark.addnext(text_run(" ", self.rpr(RunFormat())))
        finally:
            self.in_note = saved
        parent.append(footnote_mark(self.sid("footnote reference"), note_id))

    # ---------------------------------------------------------------- blocks

    def blocks(self, target: Target, blocks: list[t.Block]) -> None:
        for block in blocks:
            self.block(target, block)

    def block(self, target: Target, block: t.Block) -> None:
        self.block_handler(block)(target, block)

    def heading(self, target: Target, level: int, anchor: str = "") -> CT_P:
        return self.para(target, f"heading {max(1, min(level, 6))}", anchor)

    def labelled(self, p: CT_P, label: str, title: list[t.Inline]) -> None:
        self.text(p, label + (": " if title else ""))
        self.inlines(p, title)

    def block_heading(self, target: Target, b: t.Heading) -> None:
        # "#" and "##" in a lesson are its sections (Heading 3), "###" Heading 4 ...
        p = self.heading(target, 2 + max(1, b.level - 1), b.anchor)
        self.inlines(p, b.children)

    def block_paragraph(self, target: Target, b: t.Paragraph) -> None:
        self.inlines(self.para(target, self.body_style), b.children)

    def block_bulletlist(self, target: Target, b: t.BulletList) -> None:
        self.list_block(target, b, ordered=False)

    def block_orderedlist(self, target: Target, b: t.OrderedList) -> None:
        self.list_block(target, b, ordered=True)

    def list_block(self, target: Target, b: t.BulletList | t.OrderedList, ordered: bool) -> None:
        level = self.list_level + 1
        start = b.start if isinstance(b, t.OrderedList) else 1
        num_id = self.piece_story.new_list(ordered, min(level, 8), start)
        style = ("List Number" if ordered else "List Bullet") + level_suffix(level)
        saved, self.list_level = self.list_level, level
        try:
            for item in b.items:
                p = self.para(target, style)
                number_paragraph(p[0], num_id, min(level, 8))  # a styled p has a w:pPr
                if item.checked is not None:
                    self.text(p, "☑ " if item.checked else "☐ ")
                rest = item.blocks
                if rest and isinstance(rest[0], t.Paragraph):
                    self.inlines(p, rest[0].children)
                    rest = rest[1:]
                with self.styled("List Continue" + level_suffix(level)):
                    self.blocks(target, rest)
        finally:
            self.list_level = saved

    def new_table(self, target: Target, rows: int, cols: int, style: str) -> Table:
        """A table of the text's width (a cell's width in a cell), as python-docx makes
        one, in table style ``style``; copied from a prototype rather than parsed from
        python-docx's XML template for each table."""
        if isinstance(target, _Cell):
            tbl = target.add_table(rows, cols)._tbl
            parent: object = target
        else:
            tbl = self._tables((cols, self.text_width))
            for _ in range(rows - 1):
                tbl.append(tbl[-1].__copy__())
            self.add_paragraph(target, tbl)
            parent = target._body if isinstance(target, Document) else target
        tbl[0].insert(0, el("w:tblStyle", val=self.sid(style)))  # first in w:tblPr
        return Table(tbl, parent)  # type: ignore[arg-type]

    def fill_cell(self, cell: _Cell, write: Callable[[_Cell], None]) -> None:
        """Write into a cell, dropping the empty paragraph a new cell starts with."""
        first = cell.paragraphs[0]._p
        write(cell)
        if len(cell._tc) > 2 and not first.text:
            cell._tc.remove(first)
        if cell._tc[-1].tag == qn("w:tbl"):
            cell.add_paragraph()

    def block_table(self, target: Target, b: t.Table) -> None:
        caption = self.para(target, "Table Caption", b.anchor)
        self.labelled(caption, self.msg("table", number=b.number), b.caption)
        cols = max(len(b.header), *(len(row) for row in b.rows)) if b.rows else len(b.header)
        table = self.new_table(target, 1 + len(b.rows), cols, "Casekit Table")
        # rows read straight from the XML: table.cell(r, c) rescans the whole table each
        # time, and table.rows would keep the lesson's whole XML tree alive in a
        # reference cycle (Table <-> _Rows) until a full garbage collection
        rows = table._tbl.findall(W_TR)
        rows[0].insert(0, el("w:trPr", el("w:tblHeader")))  # before the row's cells
        for r, (row, tr) in enumerate(zip([b.header, *b.rows], rows, strict=True)):
            style = self.sid("Table Heading" if r == 0 else "Table Text")
            cells = tr.findall(W_TC)
            for c, cell_node in enumerate(row[:cols]):
                p = self._cell_paragraphs((style, cell_node.align))
                cells[c].replace(cells[c][-1], p)  # the new cell's empty paragraph
                self.inlines(p, cell_node.children)
        self.spacer(target)

    def spacer(self, target: Target) -> None:
        """An empty paragraph after a table, so the next table or list does not touch it."""
        self.para(target, "Table Text")

    def block_codeblock(self, target: Target, b: t.CodeBlock) -> None:
        label = code_label(b, self.msg)
        if label:
            self.text(self.para(target, "Code Label"), label)
        self.code(target, b.text, CODE_STYLES[b.role])

    def code(self, target: Target, text: str, style: str = "Source Code") -> None:
        p = self.para(target, style)
        previous = p.getprevious()
        code_ids = {self.sid(name) for name in CODE_STYLES.values()}
        if previous is not None and previous.tag == qn("w:p") and previous.style in code_ids:
            # Word joins neighbouring paragraphs of one bordered style into one box
            p.addprevious(self._paragraphs(self.sid("Table Text")))
        for index, line in enumerate(text.rstrip("\n").split("\n")):
            if index:
                p.append(el("w:r", el("w:br")))
            self.text(p, line)

    def block_rawblock(self, target: Target, b: t.RawBlock) -> None:
        """(``allow_html``) the safe subset, drawn as in the HTML."""
        self.inlines(self.para(target, self.body_style), [t.RawInline(b.text)])

    def block_blockquote(self, target: Target, b: t.BlockQuote) -> None:
        with self.styled("Quote"):
            self.blocks(target, b.blocks)

    def block_thematicbreak(self, target: Target, b: t.ThematicBreak) -> None:
        self.para(target, "Separator")

    def block_div(self, target: Target, b: t.Div) -> None:
        self.box(target, CALLOUT_STYLES["callout"], "", b.blocks)

    # ---------------------------------------------------------------- figures and media

    def fit(
        self, pic: Picture, max_width: Emu, max_height: Emu, figure: t.Figure | None = None
    ) -> tuple[Emu, Emu]:
        """The figure's ``width=``/``height=`` if given (``render.images.figure_size``),
        else the picture's natural size; shrunk to fit ``max_width`` x ``max_height``."""
        width, height = Emu(int(pic.width_inches * 914400)), Emu(int(pic.height_inches * 914400))
        if figure is not None and (figure.width or figure.height):
            w, h = figure_size(
                figure,
                width / EMU_PER_PT,
                height / EMU_PER_PT,
                max_width / EMU_PER_PT,
                max_height / EMU_PER_PT,
            )
            return Emu(int(w * EMU_PER_PT)), Emu(int(h * EMU_PER_PT))
        scale = min(1.0, max_width / max(width, 1), max_height / max(height, 1))
        return Emu(int(width * scale)), Emu(int(height * scale))

    def block_figure(self, target: Target, b: t.Figure) -> None:
        p = self.para(target, "Figure")
        if b.media is None or not self.can_draw:
            self.text(p, b.alt)
        else:
            box = print_box(self.text_width / EMU_PER_PT, MAX_FIGURE_HEIGHT / EMU_PER_PT)
            pic, image = self.placed(b.media, box)
            width, height = self.fit(pic, self.text_width, MAX_FIGURE_HEIGHT, b)
            p.append(self.drawing(image, width, height))
            self.set_alt_text(p, b.alt)
        caption = self.para(target, "caption", b.anchor)
        self.labelled(caption, self.msg("figure", number=b.number), b.caption)

    @staticmethod
    def set_alt_text(p: CT_P, alt: str) -> None:
        """Screen readers read ``descr`` of the drawing."""
        for doc_pr in p.iter(qn("wp:docPr")):
            doc_pr.set("descr", xml_text(alt))

    def media_card(self, target: Target, item: t.MediaItem, anchor: str = "") -> None:
        """QR code beside the short code, the caption and how to open the media."""
        if not self.can_draw:
            p = self.para(target, self.body_style, anchor)
            self.text(p, f"{item.code} ", RunFormat(bold=True))
            self.text(p, media_caption(item, self.msg))
            return
        table = self.new_table(target, 1, 2, "Media Card")
        qr_cell, text_cell = table.cell(0, 0), table.cell(0, 1)
        widths = (Emu(QR_SIZE + Cm(0.5)), Emu(self.text_width - QR_SIZE - Cm(0.5)))
        columns = table._tbl.tblGrid.gridCol_lst  # not table.columns: see block_table
        for column, cell, width in zip(columns, (qr_cell, text_cell), widths, strict=True):
            column.w = cell.width = width
        p = qr_cell.paragraphs[0]._p
        set_paragraph_style(p, self.sid("Figure"))
        p.append(self.drawing(self.images.add(qr_png(item.target_url)), QR_SIZE, QR_SIZE))
        self.set_alt_text(p, f"QR: {item.code}")

        def write_text(cell: _Cell) -> None:
            self.text(self.para(cell, "Media Code", anchor), item.code)
            self.text(self.para(cell, "Body Text"), media_caption(item, self.msg))
            self.text(self.para(cell, "Media Hint"), self.msg("media_hint"))

        self.fill_cell(text_cell, write_text)
        self.spacer(target)

    def block_mediablock(self, target: Target, b: t.MediaBlock) -> None:
        item = b.media
        if item is None:
            self.text(
                self.para(target, self.body_style, b.anchor),
                f"{b.title} — {self.msg('media_unavailable')}",
            )
            return
        self.media_card(target, item, b.anchor)
        self.blocks(target, b.caption)
        if item.transcript is not None and item.transcript.cues:
            self.text(self.para(target, "Box Title"), self.msg("transcript"))
            for cue in item.transcript.cues:
                p = self.para(target, "Transcript")
                self.text(p, format_time(cue.start), RunFormat(bold=True))
                self.text(p, "  " + cue.text)

    # ---------------------------------------------------------------- boxes

    def box(
        self,
        target: Target,
        style: str,
        label: str,
        blocks: list[t.Block],
        title: list[t.Inline] | None = None,
    ) -> None:
        """A shaded, bordered box: a one-cell table in a table style of its own."""
        table = self.new_table(target, 1, 1, style)

        def write(cell: _Cell) -> None:
            if label or title:
                self.labelled(self.para(cell, "Box Title"), label, title or [])
            with self.styled("Body Text"):
                self.blocks(cell, blocks)

        self.fill_cell(table.cell(0, 0), write)
        self.spacer(target)

    def block_callout(self, target: Target, b: t.Callout) -> None:
        style = CALLOUT_STYLES[CALLOUT_LOOK[b.kind]]
        self.box(target, style, callout_label(b.kind, self.msg), b.blocks, b.title)

    def block_objectives(self, target: Target, b: t.Objectives) -> None:
        self.box(target, "Objectives Box", self.msg("objectives"), b.blocks)

    def block_keypoints(self, target: Target, b: t.KeyPoints) -> None:
        self.box(target, "Key Points Box", self.msg("keypoints"), b.blocks)

    def block_solution(self, target: Target, b: t.Solution) -> None:
        self.box(target, "Solution Box", self.msg("solution"), b.blocks, b.title)

    # ---------------------------------------------------------------- tasks and quizzes

    def block_exercise(self, target: Target, b: t.Exercise) -> None:
        self.labelled(
            self.heading(target, 3, b.anchor), self.msg("exercise", number=b.number), b.title
        )
        self.blocks(target, b.blocks)

    def block_assignment(self, target: Target, b: t.Assignment) -> None:
        label = self.msg("assignment", number=b.number)
        self.labelled(self.heading(target, 3, b.anchor), label, b.title)
        self.blocks(target, b.blocks)
        if self.answer_sheets:
            self.answer_sheet(target, label, b.title)

    def answer_sheet(self, target: Target, label: str, title: list[t.Inline]) -> None:
        """A page of its own the learner fills in and hands back: in the body, a
        section on a right-hand page, with the lesson going on on the next one."""
        in_body = isinstance(target, Document)
        if in_body:
            previous = self.piece_body[-1] if len(self.piece_body) else None
            if (
                previous is None
                or previous.tag != qn("w:p")
                or previous.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
            ):
                previous = self.para(target, "Table Text")
            self.sections.before_sheet(previous)
        p = self.para(target, "Answer Sheet Title")
        self.text(p, f"{self.msg('answer_sheet')}: ")
        self.labelled(p, label, title)
        self.text(
            self.para(target, "Cover Info"), f"{self.msg('course')}: {self.course.config.title}"
        )
        for key in ("learner_name", "learner_id", "date", "signature"):
            line = self.para(target, "Answer Line")
            self.text(line, f"{self.msg(key)}: ")
            line.append(el("w:r", el("w:tab")))
        self.para(target, "Answer Line")
        self.answer_lines(target, ANSWER_LINES_SHEET)
        if in_body:
            self.sections.after_sheet(self.piece_body[-1])
        else:
            self.page_break(target)

    def answer_lines(self, target: Target, count: int) -> None:
        for _ in range(count):
            self.para(target, "Answer Line").append(el("w:r", el("w:tab")))

    def block_quiz(self, target: Target, b: t.Quiz) -> None:
        self.labelled(self.heading(target, 3, b.anchor), self.msg("quiz", number=b.number), b.title)
        self.blocks(target, b.intro)
        num_id = self.piece_story.new_list(True, 0, 1)
        for q in b.questions:
            self.question(target, q, num_id)

    def question(self, target: Target, q: t.Question, num_id: int) -> None:
        p = self.para(target, "List Number", q.anchor)
        number_paragraph(p[0], num_id, 0)
        rest = q.prompt
        if rest and isinstance(rest[0], t.Paragraph):
            self.inlines(p, rest[0].children)
            rest = rest[1:]
        with self.styled("List Continue"):
            self.blocks(target, rest)
        self.text(self.para(target, "Quiz Instructions"), option_instructions(q, self.msg))
        for index, option in enumerate(q.options):
            p = self.para(target, "Quiz Option")
            self.text(p, f"{'☑' if option.correct else '☐'} {option_letter(index)} ")
            self.inlines(p, option.children)
            if option.correct:
                self.text(p, f" ({self.msg('correct_answer')})", RunFormat(bold=True))
        if not q.options:
            if q.answer:
                self.box(target, "Answer Box", self.msg("answer"), q.answer)
            else:
                self.answer_lines(target, ANSWER_LINES_SHORT)
        if q.solution is not None:
            self.block_solution(target, q.solution)

    def block_glossary(self, target: Target, b: t.Glossary) -> None:
        for entry in b.entries:
            self.glossary_entry(target, entry, entry.anchor)

    def glossary_entry(self, target: Target, entry: t.GlossaryEntry, anchor: str = "") -> None:
        self.inlines(self.para(target, "Glossary Term", anchor), entry.term)
        with self.styled("Glossary Definition"):
            self.blocks(target, entry.definition)
