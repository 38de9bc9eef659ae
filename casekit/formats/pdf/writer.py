"""The document tree as reportlab flowables: one method per block node.

Text goes through reportlab's paragraph markup, so everything from the source
is escaped here. Links into the course become internal PDF links (made when the
pieces are joined, ``join.py``); a link to another lesson also prints "see page
N", taken from the previous layout round (``LayoutState``), which is why such
paragraphs are built lazily at wrap time. The packet is laid out in pieces
(``pieces``): each module and each appendix on pages of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Indenter,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import NotAtTopPageBreak
from reportlab.platypus.flowables import FrameBG, HRFlowable

from casekit import tree as t
from casekit.formats.pdf.breaks import soft_hyphens
from casekit.formats.pdf.document import Story
from casekit.formats.pdf.flowables import (
    BoxEnd,
    BoxStart,
    CodeLines,
    DuplexBreak,
    FastParagraph,
    FastTable,
    LayoutState,
    LazyParagraph,
    Marked,
    QrCode,
    RuledLines,
)
from casekit.formats.pdf.fonts import FontSet
from casekit.formats.pdf.images import image_flowable
from casekit.formats.pdf.sheet import SheetFlowable, SheetText
from casekit.formats.pdf.styles import (
    BOX_COLOURS,
    CODE_BG,
    LINK,
    RULE,
    SHADE,
    Styles,
    hyphenation_language,
)
from casekit.messages import Messages, course_messages
from casekit.render.common import (
    CALLOUT_LOOK,
    callout_label,
    code_label,
    correct_options,
    lesson_title,
    media_caption,
    module_title,
    option_instructions,
    option_letter,
    safe_href,
    sorted_glossary,
)
from casekit.render.inline_html import Piece, Span, around, html_spans
from casekit.render.outline import ANSWER_KEY, GLOSSARY, MEDIA_INDEX, Part, course_outline
from casekit.render.resample import Sizing
from casekit.render.walk import TreeWriter
from casekit.resolve.vtt import format_time
from casekit.sheets.layout import SheetPage, assignment_sheet, quiz_sheet
from casekit.sheets.payload import course_payload

MAX_INDENT_LEVELS = 6  # deeper lists and quotes keep the indentation of level 6
RECORD_TABLE_COLUMNS = 10  # wider tables print each row as a list of "header: value"
_REF = re.compile("\x00(L|R|E)([^\x00]*)\x00")
#: reportlab markup of each look of an allowed HTML tag (``render.inline_html.LOOK``);
#: quotes, abbreviations and keys take words or a key cap (``PdfWriter.piece``)
PDF_LOOK = {
    "bold": "<b>{inner}</b>",
    "italic": "<i>{inner}</i>",
    "underline": "<u>{inner}</u>",
    "strike": "<strike>{inner}</strike>",
    "subscript": "<sub>{inner}</sub>",
    "superscript": "<super>{inner}</super>",
    "small": '<font size="{small}">{inner}</font>',
    "mark": '<font backColor="#fff0a0">{inner}</font>',
    "code": '<font face="{mono}">{inner}</font>',
    "quote": "{inner}",
    "abbreviation": "{inner}",
    "key": "{inner}",
    "plain": "{inner}",
    "line-break": "<br/>",
    "break-opportunity": "",  # reportlab breaks lines at spaces only
}


@dataclass(frozen=True)
class PdfPiece:
    """A part of the packet laid out on pages of its own (``pieces.py``)."""

    name: str  # the module's id ("module-2"), or the appendix's key
    #: the lessons it prints whole (their digests key its cached layout)
    lessons: tuple[str, ...]
    flowables: Callable[[], list[Flowable]]
    anchor: str = ""  # the anchor on its first page: where it started last time
    #: it ends with an answer sheet: the next piece starts on a right-hand page
    right_after: bool = False
    #: what else it prints, drawn from any lesson (an appendix's glossary entries, media
    #: or answers: ``tree.printed_text``), also in its key
    prints: str = ""


def _key(where: str, made_from: object) -> str:
    """A story segment's key: what its flowables are made from (the resolved tree:
    numbers, anchors, media digests), in the lesson or module ``where``."""
    return hashlib.blake2b(f"{where}\n{made_from!r}".encode(), digest_size=16).hexdigest()


class PdfWriter(TreeWriter):
    """Turns lessons into flowables for one page size and style set."""

    def __init__(
        self,
        course: t.Course,
        fonts: FontSet,
        styles: Styles,
        state: LayoutState,
        frame_width: float,
        frame_height: float,
        paper: str = "A4",
    ) -> None:
        self.course = course
        self.root = Path(course.root)
        self.fonts = fonts
        self.styles = styles
        self.state = state
        self.msg: Messages = course_messages(course.config)
        self.width = frame_width
        self.height = frame_height
        self.paper = paper
        self.answer_sheets = True  # blank answer sheets after assignments and modules
        self.sizing = Sizing()  # how raster images are embedded
        self.depth = 0  # list / quote nesting
        self.lesson_id = ""
        self.derived: dict[str, ParagraphStyle] = {}  # styles made from the base styles
        #: whether pyphen hyphenates the course's words (else ``breaks.soft_hyphens`` does)
        self.dictionary = hyphenation_language(course.config.language) is not None
        self.unchecked = fonts.symbol("☐", "[ ]")
        self.checked = fonts.symbol("☑", "[x]")
        self.bullet = fonts.symbol("•", "-")
        self.continuation = fonts.symbol("↪", ">", "mono")

    def symbols(self) -> tuple[str, ...]:
        """The marks the writer draws besides words (or their plain stand-ins)."""
        return (self.unchecked, self.checked, self.bullet, self.continuation)

    # ---------------------------------------------------------------- text

    def inlines(self, nodes: list[t.Inline]) -> str:
        if any(isinstance(n, t.RawInline) for n in nodes):  # allow_html: tags drawn
            return "".join(self.piece(p) for p in html_spans(nodes))
        return "".join(self.inline(n) for n in nodes)

    def piece(self, p: Piece) -> str:
        """An inline node, or an allowed HTML tag drawn as its look (``allow_html``)."""
        if not isinstance(p, Span):
            return self.inline(p)
        inner = "".join(self.piece(child) for child in p.children)
        if p.look == "quote":
            before, after = around(self.msg, "quotation", "text")
            return f"{escape(before)}{inner}{escape(after)}"
        if p.look == "abbreviation" and p.title:
            before, after = around(self.msg, "abbreviation", "abbr", title=p.title)
            return f"{escape(before)}{inner}{escape(after)}"
        if p.look == "key":
            return self.key_cap(inner)
        return PDF_LOOK[p.look].format(
            inner=inner, mono=self.fonts.mono_family, small=self.styles.small.fontSize
        )

    def key_cap(self, markup: str) -> str:
        """A key cap: reportlab frames no inline text, so a shaded key."""
        return (
            f'<font face="{self.fonts.mono_family}" backColor="#d9d9d9">\u00a0{markup}\u00a0</font>'
        )

    def inline(self, n: t.Inline) -> str:
        if isinstance(n, t.Text):
            return escape(soft_hyphens(n.text, self.dictionary), quote=False)
        if isinstance(n, t.Emph):
            return f"<i>{self.inlines(n.children)}</i>"
        if isinstance(n, t.Strong):
            return f"<b>{self.inlines(n.children)}</b>"
        if isinstance(n, t.Strike):
            return f"<strike>{self.inlines(n.children)}</strike>"
        if isinstance(n, t.Code):
            code = escape(soft_hyphens(n.text, dictionary=False), quote=False)
            return f'<font face="{self.fonts.mono_family}">{code}</font>'
        if isinstance(n, t.Kbd):
            return self.key_cap(escape(n.text, quote=False))
        if isinstance(n, t.RawInline):  # a lone tag (allow_html): drawn as in a sequence
            return self.inlines([n])
        if isinstance(n, t.LineBreak):
            return "<br/>"
        if isinstance(n, t.Link):
            return self.link(n)
        if isinstance(n, t.InlineImage):
            return f"[{escape(n.alt, quote=False)}]"
        if isinstance(n, t.FootnoteRef):
            mark = f'<a name="{escape(n.anchor)}"/>' if n.anchor else ""
            return f"{mark}<super>{self.internal(str(n.number), n.note)}</super>"
        raise TypeError(f"unknown inline node {type(n).__name__}")

    def internal(self, inner: str, anchor: str) -> str:
        """A link to ``anchor`` (which may be in another piece: ``join.py`` makes the
        link, or drops it when the packet has no such destination)."""
        return f"\x00L{anchor}\x00{inner}\x00E\x00"

    def link(self, n: t.Link) -> str:
        inner = self.inlines(n.children)
        if n.target is not None:
            anchor = n.target.anchor or n.target.lesson_id
            text = self.internal(inner, anchor)
            if n.target.lesson_id != self.lesson_id:
                self.state.referenced.add(anchor)
                text += f" (\x00R{anchor}\x00)"
            return text
        href = safe_href(n.href)
        if not href:
            return inner
        shown = href.removeprefix("mailto:")
        text = f'<a href="{escape(href)}" color="{LINK.hexval()}">{inner}</a>'
        if t.plain_text(n.children).strip() != shown:
            text += f" ({escape(soft_hyphens(shown, dictionary=False), quote=False)})"
        return text

    def finish(self, template: str) -> str:
        """Resolve the link and page-reference placeholders of ``template``."""
        out: list[str] = []
        last = 0
        for match in _REF.finditer(template):
            out.append(template[last : match.start()])
            last = match.end()
            kind, anchor = match.group(1), match.group(2)
            if kind == "L":
                out.append(f'<a href="#{escape(anchor)}" color="{LINK.hexval()}">')
            elif kind == "E":
                out.append("</a>")
            else:
                page = self.state.last_page_of(anchor)
                out.append(escape(self.msg("see_page", page=page if page else "…")))
        out.append(template[last:])
        return "".join(out)

    def para(
        self, markup: str, style: ParagraphStyle | None = None, bullet: str | None = None
    ) -> Paragraph:
        style = style or self.styles.body
        if "\x00" in markup:
            return LazyParagraph(markup, style, self.finish, bulletText=bullet)
        return FastParagraph(markup, style, bulletText=bullet)

    def marked(
        self,
        markup: str,
        style: ParagraphStyle,
        anchor: str = "",
        outline: tuple[int, str] | None = None,
    ) -> Marked:
        """A title paragraph that is a link destination and maybe a TOC/outline entry."""
        if anchor:
            markup = f'<a name="{escape(anchor)}"/>{markup}'
        flow = Marked(markup, style, self.finish)
        flow.anchors = (anchor,) if anchor else ()
        flow.outline = (outline[0], outline[1], anchor) if outline and anchor else None
        return flow

    def labelled(self, label: str, title: list[t.Inline]) -> str:
        text = escape(label, quote=False)
        if title:
            text += ": " + self.inlines(title)
        return text

    def table(
        self,
        data: list[list[object]],
        widths: list[float | None],
        commands: list[tuple],
        **kw: object,
    ) -> Table:
        """A reportlab table in the course font (reportlab's default is an
        unembedded Helvetica, referenced even when every cell is a paragraph)."""
        font = ("FONT", (0, 0), (-1, -1), self.fonts.family, self.styles.size)
        return FastTable(data, colWidths=widths, style=TableStyle([font, *commands]), **kw)

    # ---------------------------------------------------------------- blocks

    def blocks(self, blocks: list[t.Block]) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            out.extend(self.block(block))
        return out

    def block(self, block: t.Block) -> list[Flowable]:
        flows: list[Flowable] = self.block_handler(block)(block)
        for flow in flows:
            if not hasattr(flow, "casekit_pos"):
                flow.casekit_pos = block.pos  # type: ignore[attr-defined]
        return flows

    def block_heading(self, b: t.Heading) -> list[Flowable]:
        style = self.styles.headings[min(b.level, 6) - 1]
        return [self.marked(self.inlines(b.children), style, b.anchor)]

    def block_paragraph(self, b: t.Paragraph) -> list[Flowable]:
        return [self.para(self.inlines(b.children))]

    def indented(self, flows: list[Flowable], width: float) -> list[Flowable]:
        """``flows`` indented one level (deep nesting stops adding indentation)."""
        if self.depth > MAX_INDENT_LEVELS:
            width = 0
        return [Indenter(left=width), *flows, Indenter(left=-width)]

    def derive(self, name: str, parent: ParagraphStyle, **changes: object) -> ParagraphStyle:
        """A variant of ``parent``, made once per writer."""
        if name not in self.derived:
            self.derived[name] = ParagraphStyle(name, parent=parent, **changes)
        return self.derived[name]

    def item_style(self, tight: bool) -> ParagraphStyle:
        """The style of a list item's first paragraph (its marker hangs to the left)."""
        body = self.styles.body
        return self.derive(
            f"item-{tight}",
            body,
            bulletIndent=-self.styles.indent,
            bulletFontName=self.fonts.family,
            bulletFontSize=body.fontSize,
            spaceAfter=body.fontSize * (0.2 if tight else 0.5),
        )

    def list_items(
        self, items: list[t.ListItem], markers: list[str], tight: bool
    ) -> list[Flowable]:
        out: list[Flowable] = []
        self.depth += 1
        for item, marker in zip(items, markers, strict=True):
            if item.checked is not None:
                marker = self.checked if item.checked else self.unchecked
            inner: list[Flowable] = []
            blocks = list(item.blocks)
            if blocks and isinstance(blocks[0], t.Paragraph):
                first = blocks.pop(0)
                inner.append(
                    self.para(self.inlines(first.children), self.item_style(tight), marker)
                )
            else:
                inner.append(self.para("", self.item_style(tight), marker))
            inner.extend(self.blocks(blocks))
            out.extend(self.indented(inner, self.styles.indent))
        self.depth -= 1
        return out

    def block_bulletlist(self, b: t.BulletList) -> list[Flowable]:
        return self.list_items(b.items, [self.bullet] * len(b.items), b.tight)

    def block_orderedlist(self, b: t.OrderedList) -> list[Flowable]:
        markers = [f"{b.start + i}." for i in range(len(b.items))]
        return self.list_items(b.items, markers, b.tight)

    def cell(self, c: t.TableCell, head: bool) -> Paragraph:
        style = self.styles.cell_head if head else self.styles.cell
        if c.align:
            style = self.aligned(style, c.align)
        return self.para(self.inlines(c.children), style)

    def aligned(self, style: ParagraphStyle, align: str) -> ParagraphStyle:
        alignment = {"left": 0, "center": 1, "right": 2}[align]
        return self.derive(f"{style.name}-{align}", style, alignment=alignment)

    def column_widths(self, b: t.Table) -> list[float]:
        """Widths by content: each column gets room for its longest word (URLs aside,
        at most an equal share), the rest goes to longer columns."""
        rows = [b.header, *b.rows]
        style, pad = self.styles.cell_head, 12  # reportlab's cell padding, both sides
        weights, floors = [], []
        for col in range(len(b.header)):
            texts = [t.plain_text(row[col].children) for row in rows if col < len(row)]
            longest = max((len(text) for text in texts), default=1)
            weights.append(min(max(longest, 4), 40))
            words = [w for text in texts for w in text.split() if "/" not in w]
            word = max(words, key=len, default="")
            needed = stringWidth(word, style.fontName, style.fontSize) + pad
            floors.append(min(needed, self.width / len(b.header)))
        rest, total = self.width - sum(floors), sum(weights)
        return [floor + rest * w / total for floor, w in zip(floors, weights, strict=True)]

    def block_table(self, b: t.Table) -> list[Flowable]:
        caption = self.marked(
            self.labelled(self.msg("table", number=b.number), b.caption),
            self.styles.box_title,
            b.anchor,
        )
        caption.keepWithNext = 1
        if len(b.header) > RECORD_TABLE_COLUMNS:
            return [caption, *self.record_table(b)]
        data = [[self.cell(c, True) for c in b.header]]
        data += [[self.cell(c, False) for c in row] for row in b.rows]
        table = self.table(
            data,
            self.column_widths(b),
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
            repeatRows=1,
            splitInRow=1,
            hAlign="LEFT",
        )
        return [caption, table, Spacer(1, self.styles.size * 0.8)]

    def record_table(self, b: t.Table) -> list[Flowable]:
        """A table too wide for the page: each row as "header: value" lines."""
        out: list[Flowable] = []
        heads = [self.inlines(c.children) for c in b.header]
        for index, row in enumerate(b.rows, start=1):
            lines = [
                f"<b>{head}:</b> {self.inlines(c.children)}"
                for head, c in zip(heads, row, strict=False)
            ]
            out.append(self.para(f"<b>{index}.</b>", self.styles.body))
            out.extend(
                self.indented(
                    [self.para(line, self.styles.cell) for line in lines], self.styles.indent
                )
            )
            out.append(Spacer(1, self.styles.size * 0.4))
        return out

    def code(self, text: str, role: t.CodeRole = "", label: str = "") -> list[Flowable]:
        """A code block; output and errors are framed on white, not tinted, and a
        label above says which it is (both survive black-and-white print)."""
        lines = CodeLines(
            text.expandtabs(4).rstrip("\n"), self.styles.code, f"{self.continuation} "
        )
        pad = self.styles.size * 0.4
        box = BoxStart(CODE_BG) if role in ("", "command") else BoxStart(colors.white, RULE)
        head = [self.para(escape(label), self.styles.code_label)] if label else []
        return [
            Spacer(1, pad),
            *head,
            box,
            Spacer(1, pad),
            lines,
            BoxEnd(),
            Spacer(1, self.styles.size * 0.8),
        ]

    def block_codeblock(self, b: t.CodeBlock) -> list[Flowable]:
        return self.code(b.text, b.role, code_label(b, self.msg))

    def block_rawblock(self, b: t.RawBlock) -> list[Flowable]:
        """(``allow_html``) the safe subset, drawn as in the HTML."""
        return [self.para(self.inlines([t.RawInline(b.text)]))]

    def block_blockquote(self, b: t.BlockQuote) -> list[Flowable]:
        self.depth += 1
        inner = self.blocks(b.blocks)
        self.depth -= 1
        pad = self.styles.size * 0.5
        box = [BoxStart(SHADE), Spacer(1, pad), *self.indented(inner, pad), BoxEnd()]
        return self.indented(box, self.styles.indent)

    def block_thematicbreak(self, b: t.ThematicBreak) -> list[Flowable]:
        return [HRFlowable(width="60%", thickness=0.7, color=RULE, spaceBefore=6, spaceAfter=10)]

    def block_figure(self, b: t.Figure) -> list[Flowable]:
        caption = self.marked(
            self.labelled(self.msg("figure", number=b.number), b.caption),
            self.styles.caption,
            b.anchor,
        )
        if b.media is None:
            image: Flowable = self.para(f"[{escape(b.alt, quote=False)}]", self.styles.caption)
        else:
            image = image_flowable(
                self.root, b, b.media, self.fonts, self.width, self.height * 0.55, self.sizing
            )
        return [KeepTogether([Spacer(1, 4), image, caption]), Spacer(1, self.styles.size * 0.5)]

    def box(
        self,
        kind: str,
        label: str,
        inner: list[Flowable],
        title: list[t.Inline] | None = None,
    ) -> list[Flowable]:
        """A bordered, tinted box that may run over pages (``FrameBG``)."""
        border, background = (colors.HexColor(c) for c in BOX_COLOURS[kind])
        pad = self.styles.size * 0.6
        head = (
            [self.para(self.labelled(label, title or []), self.styles.box_title)] if label else []
        )
        # the top of the box stays with its first content: no empty box at a page end
        lead: list[Flowable] = [
            Spacer(1, pad * 0.5),
            BoxStart(background, border),
            Indenter(left=pad, right=pad),
            Spacer(1, pad),
            *head,
        ]
        rest = list(inner)
        while rest:
            flow = rest.pop(0)
            lead.append(flow)
            if not isinstance(flow, (Indenter, Spacer, FrameBG)):
                break
        return [
            KeepTogether(lead),
            *rest,
            Indenter(left=-pad, right=-pad),
            BoxEnd(),
            Spacer(1, pad),
        ]

    def block_callout(self, b: t.Callout) -> list[Flowable]:
        label = callout_label(b.kind, self.msg)
        return self.box(CALLOUT_LOOK[b.kind], label, self.blocks(b.blocks), b.title)

    def block_objectives(self, b: t.Objectives) -> list[Flowable]:
        return self.box("objectives", self.msg("objectives"), self.blocks(b.blocks))

    def block_keypoints(self, b: t.KeyPoints) -> list[Flowable]:
        return self.box("keypoints", self.msg("keypoints"), self.blocks(b.blocks))

    def block_solution(self, b: t.Solution) -> list[Flowable]:
        return self.box("solution", self.msg("solution"), self.blocks(b.blocks), b.title)

    def block_div(self, b: t.Div) -> list[Flowable]:
        return self.box("callout", "", self.blocks(b.blocks))

    def block_mediablock(self, b: t.MediaBlock) -> list[Flowable]:
        item = b.media
        if item is None:
            text = f"{escape(b.title, quote=False)} — {escape(self.msg('media_unavailable'))}"
            return [self.marked(text, self.styles.body, b.anchor)]
        size = self.styles.size * 9
        text = [
            self.marked(escape(item.code), self.styles.media_code, b.anchor),
            self.para(escape(media_caption(item, self.msg), quote=False), self.styles.box_title),
            self.para(escape(self.msg("media_hint"), quote=False), self.styles.small),
        ]
        if self.width - size - 12 < self.width * 0.45:  # small or large-print pages
            cards: list[Flowable] = [QrCode(item.target_url, size), Spacer(1, 4), *text]
        else:
            cards = [
                self.table(
                    [[QrCode(item.target_url, size), text]],
                    [size + 12, None],
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (0, 0), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ],
                )
            ]
        inner: list[Flowable] = [*cards, *self.blocks(b.caption), *self.transcript(item)]
        return self.box("media", "", inner)

    def transcript(self, item: t.MediaItem) -> list[Flowable]:
        if item.transcript is None or not item.transcript.cues:
            return []
        out: list[Flowable] = [self.para(escape(self.msg("transcript")), self.styles.box_title)]
        for cue in item.transcript.cues:
            out.append(
                self.para(
                    f'<font color="#666666">{format_time(cue.start)}</font>  '
                    + escape(cue.text, quote=False),
                    self.styles.small,
                )
            )
        return out

    def task_heading(self, label: str, b: t.Assignment | t.Exercise | t.Quiz) -> Marked:
        return self.marked(self.labelled(label, b.title), self.styles.headings[1], b.anchor)

    def block_assignment(self, b: t.Assignment) -> list[Flowable]:
        label = self.msg("assignment", number=b.number)
        return [self.task_heading(label, b), *self.blocks(b.blocks), *self.answer_sheet(b)]

    def block_exercise(self, b: t.Exercise) -> list[Flowable]:
        label = self.msg("exercise", number=b.number)
        return [self.task_heading(label, b), *self.blocks(b.blocks)]

    def block_quiz(self, b: t.Quiz) -> list[Flowable]:
        out = [self.task_heading(self.msg("quiz", number=b.number), b), *self.blocks(b.intro)]
        for question in b.questions:
            out.extend(self.question(question))
        return out

    def question(self, q: t.Question) -> list[Flowable]:
        prompt = list(q.prompt)
        out: list[Flowable] = []
        number = f"<b>{q.number}.</b>"
        if q.anchor:
            number = f'<a name="{escape(q.anchor)}"/>' + number
        if prompt and isinstance(prompt[0], t.Paragraph):
            out.append(self.para(f"{number} {self.inlines(prompt.pop(0).children)}"))
        else:
            out.append(self.para(number))
        out.extend(self.blocks(prompt))
        inner: list[Flowable] = [
            self.para(f"<i>{escape(option_instructions(q, self.msg))}</i>", self.styles.small)
        ]
        options: list[Flowable] = []
        for index, option in enumerate(q.options):
            mark = self.checked if option.correct else self.unchecked
            text = f"{option_letter(index)} {self.inlines(option.children)}"
            if option.correct:
                text = f"<b>{text} ({escape(self.msg('correct_answer'))})</b>"
            options.append(self.para(text, self.item_style(True), mark))
        inner.extend(self.indented(options, self.styles.indent))
        if not q.options:
            if q.answer:
                inner.extend(self.box("answer", self.msg("answer"), self.blocks(q.answer)))
            else:
                inner.append(RuledLines(self.styles.size * 2.2, count=3))
                inner.append(Spacer(1, self.styles.size * 0.5))
        if q.solution is not None:
            inner.extend(self.block_solution(q.solution))
        return out + self.indented(inner, self.styles.indent)

    def block_glossary(self, b: t.Glossary) -> list[Flowable]:
        out: list[Flowable] = []
        for entry in b.entries:
            term = self.marked(f"<b>{self.inlines(entry.term)}</b>", self.styles.body, entry.anchor)
            term.keepWithNext = 1
            out.append(term)
            out.extend(self.indented(self.blocks(entry.definition), self.styles.indent))
        return out

    # ---------------------------------------------------------------- answer sheets

    def sheet_text(self, page: SheetPage, title: str, item: str) -> SheetText:
        """The words and QR text of a course build's sheet: no learner, a blank code
        field (personal packets give the learner's code and register sheet id)."""
        payload = course_payload(self.course, page.item, page.page)
        return SheetText(title, self.course.config.title, item, payload)

    def sheet_pages(self, pages: list[SheetPage], title: str, item: str) -> list[Flowable]:
        """Each page of a sheet on its own undecorated page."""
        if not self.answer_sheets:
            return []
        out: list[Flowable] = [DuplexBreak(after_sheet=False)]  # duplex: a right-hand page
        for page in pages:
            text = self.sheet_text(page, title, item)
            out += [
                NextPageTemplate("sheet"),
                PageBreak(),
                NextPageTemplate("body"),
                SheetFlowable(page, text, self.fonts, self.msg),
            ]
        # and shares no sheet of paper with the lesson that goes on
        return [*out, DuplexBreak(after_sheet=True)]

    def answer_sheet(self, b: t.Assignment) -> list[Flowable]:
        """A detachable page to write the assignment on, read back by ``casekit scan``."""
        item = self.msg("assignment", number=b.number)
        if b.title:
            item += ": " + t.plain_text(b.title)
        pages = assignment_sheet(b, self.paper)
        return self.sheet_pages(pages, self.msg("answer_sheet"), item)

    def quiz_sheet(self, module: t.Module, pages: list[SheetPage]) -> list[Flowable]:
        """The module's quiz answer sheet (``pages``: a row of boxes per question)."""
        item = module_title(module, self.msg)
        return self.sheet_pages(pages, self.msg("quiz_sheet"), item)

    # ---------------------------------------------------------------- lessons

    def lesson(self, story: Story, lesson: t.Lesson) -> None:
        """The lesson's flowables added to ``story``: its heading, each block and its
        notes a segment, keyed by what it is made from."""
        self.lesson_id = lesson.id
        title_text = escape(lesson.number) + " " + self.inlines(lesson.title)
        outline = (1, lesson_title(lesson))
        out: list[Flowable] = [
            CondPageBreak(self.height * 0.3),
            self.marked(title_text, self.styles.lesson, lesson.anchor, outline),
        ]
        if lesson.hours is not None:
            out.append(
                self.para(f"{escape(self.msg('hours'))}: {lesson.hours:g}", self.styles.small)
            )
        if lesson.outcomes:
            items = [
                self.para(escape(o, quote=False), self.item_style(True), self.bullet)
                for o in lesson.outcomes
            ]
            out.extend(
                self.box(
                    "objectives", self.msg("outcomes"), self.indented(items, self.styles.indent)
                )
            )
        head = (lesson.number, lesson.title, lesson.anchor, lesson.hours, lesson.outcomes)
        story.add(_key(lesson.id, head), out)
        for block in lesson.blocks:
            story.add(_key(lesson.id, block), self.block(block))
        story.add(_key(lesson.id, lesson.footnotes), self.footnotes(lesson))

    def footnotes(self, lesson: t.Lesson) -> list[Flowable]:
        if not lesson.footnotes:
            return []
        out: list[Flowable] = [
            HRFlowable(width="30%", thickness=0.5, color=RULE, hAlign="LEFT", spaceBefore=6),
            self.para(escape(self.msg("footnotes")), self.styles.box_title),
        ]
        for note in lesson.footnotes:
            blocks = list(note.blocks)
            number = f"{note.number}."
            if note.ref_anchor:
                number = self.internal(number, note.ref_anchor)
            first = ""
            if blocks and isinstance(blocks[0], t.Paragraph):
                first = self.inlines(blocks.pop(0).children)
            out.append(self.marked(f"{number} {first}", self.styles.small, note.anchor))
            out.extend(self.indented(self.blocks(blocks), self.styles.indent))
        return out

    def module(self, part: Part) -> Story:
        module, title = part.module, part.title
        heading = self.marked(escape(title, quote=False), self.styles.module, module.id, (0, title))
        story = Story()
        story.add(_key(module.id, title), [NotAtTopPageBreak(), heading])
        for lesson in module.lessons:
            self.lesson(story, lesson)
        sheet = quiz_sheet(module, self.paper)
        story.add(_key(module.id, (title, sheet)), self.quiz_sheet(module, sheet))
        return story

    # ---------------------------------------------------------------- appendices

    def appendix_title(self, key: str) -> Marked:
        title = self.msg(key)
        return self.marked(escape(title), self.styles.module, f"appendix-{key}", (0, title))

    def glossary(self) -> list[Flowable]:
        out: list[Flowable] = [NotAtTopPageBreak(), self.appendix_title(GLOSSARY)]
        for entry in sorted_glossary(self.course):
            term = self.para(self.internal(f"<b>{self.inlines(entry.term)}</b>", entry.anchor))
            term.keepWithNext = 1
            out.append(term)
            out.extend(self.indented(self.blocks(entry.definition), self.styles.indent))
        return out

    def indexed_media(self) -> list[t.MediaItem]:
        """The media the media index lists: those with a short code."""
        return [m for m in self.course.media if m.code]

    def media_index(self) -> list[Flowable]:
        items = self.indexed_media()
        size = self.styles.size * 7.5
        rows = [
            [
                QrCode(m.target_url, size),
                [
                    self.para(f"<b>{escape(m.code)}</b>", self.styles.media_code),
                    self.para(escape(media_caption(m, self.msg), quote=False)),
                ],
            ]
            for m in items
        ]
        table = self.table(
            rows,
            [size + 14, self.width - size - 14],
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ],
            hAlign="LEFT",
        )
        return [NotAtTopPageBreak(), self.appendix_title(MEDIA_INDEX), table]

    def answer_key(self) -> list[Flowable]:
        """The learner's answers appendix (only when the course asks for it)."""
        out: list[Flowable] = [NotAtTopPageBreak(), self.appendix_title(ANSWER_KEY)]
        for entry in self.course.answer_key:
            label = f"{self.msg('quiz', number=entry.quiz.number)}, {self.msg('question', number=entry.question.number)}"
            out.append(self.para(f"<b>{escape(label)}:</b> {self.answer_text(entry.question)}"))
        return out

    def answers(self) -> list[tuple[str, int, list[t.Block], list[t.Option]]]:
        """What the answer key prints of each entry (not the questions' wording)."""
        return [
            (e.quiz.number, e.question.number, e.question.answer, e.question.options)
            for e in self.course.answer_key
        ]

    def answer_text(self, q: t.Question) -> str:
        if q.options:
            return "; ".join(
                f"{letter} {self.inlines(text)}" for letter, text in correct_options(q)
            )
        return " ".join(
            self.inlines(b.children) for b in t.iter_blocks(q.answer) if isinstance(b, t.Paragraph)
        )

    def pieces(self) -> list[PdfPiece]:
        """Every module, then the appendices (``render/outline.py``), each a piece."""
        outline = course_outline(self.course, self.msg)
        appendix = {
            GLOSSARY: (self.glossary, lambda: sorted_glossary(self.course)),
            MEDIA_INDEX: (self.media_index, self.indexed_media),
            ANSWER_KEY: (self.answer_key, self.answers),
        }
        out = [
            PdfPiece(
                part.module.id,
                tuple(lesson.id for lesson in part.module.lessons),
                lambda part=part: self.module(part),
                part.module.id,
                self.answer_sheets and any(lesson.holds(t.Quiz) for lesson in part.module.lessons),
            )
            for part in outline.parts
        ]
        for section in outline.back:
            flowables, drawn = appendix[section.key]
            prints = t.printed_text(drawn())
            out.append(
                PdfPiece(section.key, (), flowables, f"appendix-{section.key}", prints=prints)
            )
        return out

    def contents_entries(self) -> list[tuple[int, str, str]]:
        """The contents and the outline: ``(level, title, anchor)`` of every module,
        lesson and appendix, as ``module``, ``lesson`` and ``appendix_title`` mark them."""
        outline = course_outline(self.course, self.msg)
        out: list[tuple[int, str, str]] = []
        for part in outline.parts:
            out.append((0, part.title, part.module.id))
            out.extend((1, lesson_title(lesson), lesson.anchor) for lesson in part.module.lessons)
        for section in outline.back:
            out.append((0, self.msg(section.key), f"appendix-{section.key}"))
        return [entry for entry in out if entry[2]]
