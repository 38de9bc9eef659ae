"""The named styles casekit's DOCX uses, and how to add one to a document.

Every paragraph, run and table casekit writes refers to one of these styles
instead of carrying direct formatting, so a teacher restyles a whole packet by
editing a style (or by pointing the course at a reference document of their own).
Names are Word's internal names ("heading 1", "footnote text"), so Word treats
the built-in ones as its own and localises them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import el

BODY_FONT = "Arial"  # has every Kazakh letter on Windows; Liberation Sans elsewhere
MONO_FONT = "Courier New"


@dataclass(frozen=True)
class Box:
    """Border colour and shading of a paragraph or a table style."""

    border: str = ""  # hex colour, "" for none
    fill: str = ""  # hex colour, "" for none
    border_size: int = 8  # eighths of a point


@dataclass(frozen=True)
class StyleSpec:
    name: str
    kind: str = "paragraph"  # paragraph, character, table
    base: str = ""  # style name
    next: str = ""  # style name
    font: str = ""
    size: float = 0  # points
    bold: bool = False
    italic: bool = False
    color: str = ""
    before: int = -1  # points; -1: inherit
    after: int = -1
    indent: float = 0  # left indent, centimetres
    align: str = ""  # left, center, right, both
    keep_next: bool = False
    page_break: bool = False
    outline: int = -1  # outline level of a heading (0-based)
    box: Box = field(default_factory=Box)
    underline: bool = False
    tab_leader: str = ""  # right tab at the text width with this leader (answer lines)

    @property
    def style_id(self) -> str:
        """Word matches built-in styles by name; the id only has to be unique."""
        return self.name.title().replace(" ", "")


HEADING_SIZES = (18, 15, 13, 12, 11, 11)


def box_style(name: str, border: str, fill: str, size: int) -> StyleSpec:
    """A table style drawn as a bordered (and shaded) box: tables, callouts, media cards."""
    return StyleSpec(name, kind="table", box=Box(border, fill, size))


SPECS: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", font=BODY_FONT, size=11, after=6),
    StyleSpec("Body Text", base="Normal", after=8),
    StyleSpec(
        "Title",
        base="Normal",
        size=26,
        bold=True,
        color="1F3864",
        after=12,
        before=96,
    ),
    StyleSpec("Subtitle", base="Normal", size=16, color="2F5496", after=24),
    *(
        StyleSpec(
            f"heading {n}",
            base="Normal",
            next="Body Text",
            size=size,
            bold=True,
            color="1F3864" if n < 3 else "2F5496",
            before=18 if n > 1 else 0,
            after=6,
            keep_next=True,
            outline=n - 1,
            page_break=n == 1,
        )
        for n, size in enumerate(HEADING_SIZES, start=1)
    ),
    StyleSpec("List Bullet", base="Normal", after=3),
    StyleSpec("List Bullet 2", base="List Bullet"),
    StyleSpec("List Bullet 3", base="List Bullet"),
    StyleSpec("List Number", base="Normal", after=3),
    StyleSpec("List Number 2", base="List Number"),
    StyleSpec("List Number 3", base="List Number"),
    StyleSpec("List Continue", base="Normal", indent=0.63, after=3),
    StyleSpec("List Continue 2", base="List Continue", indent=1.27),
    StyleSpec("List Continue 3", base="List Continue", indent=1.9),
    StyleSpec(
        "Quote",
        base="Normal",
        italic=True,
        indent=1,
        color="404040",
        box=Box(border="A6A6A6", border_size=18),
    ),
    StyleSpec(
        "Source Code",
        base="Normal",
        font=MONO_FONT,
        size=9.5,
        after=8,
        box=Box(border="BFBFBF", fill="F2F2F2", border_size=4),
    ),
    # what a program printed: framed on white; an error: a heavier frame
    StyleSpec(
        "Source Code Output",
        base="Source Code",
        box=Box(border="808080", fill="FFFFFF", border_size=6),
    ),
    StyleSpec(
        "Source Code Error",
        base="Source Code",
        box=Box(border="7F0000", fill="FFFFFF", border_size=12),
    ),
    StyleSpec("Code Label", base="Normal", size=8.5, bold=True, keep_next=True, after=1),
    StyleSpec("Verbatim Char", kind="character", font=MONO_FONT),
    # a key to press: a framed, shaded key cap
    StyleSpec(
        "Keyboard",
        kind="character",
        font=MONO_FONT,
        box=Box(border="555555", fill="EEEEEE", border_size=4),
    ),
    StyleSpec("Hyperlink", kind="character", color="0563C1", underline=True),
    # raw HTML a course allows: <small> and <mark>
    StyleSpec("Small Text", kind="character", size=9),
    StyleSpec("Marked Text", kind="character", box=Box(fill="FFF0A0")),
    StyleSpec("caption", base="Normal", size=10, italic=True, color="404040", after=12),
    StyleSpec("Table Caption", base="caption", keep_next=True, after=4),
    StyleSpec("Figure", base="Normal", align="center", keep_next=True, after=3),
    StyleSpec("footnote text", base="Normal", size=9, after=0),
    StyleSpec("footnote reference", kind="character"),
    StyleSpec("header", base="Normal", size=9, color="595959", after=0),
    StyleSpec("footer", base="Normal", size=9, color="595959", after=0),
    StyleSpec("Course Header", base="header", align="center"),
    StyleSpec("Page Footer", base="footer", align="center"),
    StyleSpec("TOC Heading", base="heading 1", outline=9),
    StyleSpec("toc 1", base="Normal", bold=True, before=6, after=2, tab_leader="dot"),
    StyleSpec("toc 2", base="Normal", indent=0.5, after=2, tab_leader="dot"),
    StyleSpec("Cover Edition", base="Normal", bold=True, size=13, after=8),
    StyleSpec("Cover Info", base="Normal", after=2),
    StyleSpec("Lesson Info", base="Normal", italic=True, color="404040"),
    StyleSpec("Box Title", base="Normal", bold=True, keep_next=True, after=4),
    StyleSpec("Table Heading", base="Normal", bold=True, after=0),
    StyleSpec("Table Text", base="Normal", after=0),
    StyleSpec("Separator", base="Normal", after=12, box=Box(border="A6A6A6")),
    StyleSpec("Glossary Term", base="Normal", bold=True, keep_next=True, after=0),
    StyleSpec("Glossary Definition", base="Normal", indent=1),
    StyleSpec("Quiz Instructions", base="Normal", italic=True, size=10, indent=0.63, after=3),
    StyleSpec("Quiz Option", base="Normal", indent=1.2, after=2),
    StyleSpec("Media Hint", base="Normal", italic=True, size=9, color="404040", after=0),
    StyleSpec("Media Code", base="Normal", bold=True, size=14, after=2),
    StyleSpec("Transcript", base="Normal", size=10, indent=0.5, after=2),
    StyleSpec(
        "Answer Sheet Title",
        base="heading 3",
        page_break=True,
        outline=9,
    ),
    StyleSpec(
        "Answer Line",
        base="Normal",
        before=14,
        after=0,
        tab_leader="underscore",
    ),
    *(
        box_style(name, border, fill, size)
        for name, border, fill, size in (
            ("Casekit Table", "808080", "", 4),
            ("Media Card", "808080", "", 4),
            ("Callout Note", "2F5496", "EAF1FB", 12),
            ("Callout Tip", "38761D", "EDF7E9", 12),
            ("Callout Warning", "B45F06", "FFF2E0", 12),
            ("Callout Important", "990000", "FBEAEA", 12),
            ("Callout", "595959", "F2F2F2", 12),
            ("Objectives Box", "2F5496", "F3F6FC", 8),
            ("Key Points Box", "38761D", "F4FAF1", 8),
            ("Solution Box", "7F6000", "FFF9E5", 8),
            ("Answer Box", "7F6000", "", 8),
        )
    ),
)

CALLOUT_STYLES = {
    "note": "Callout Note",
    "tip": "Callout Tip",
    "warning": "Callout Warning",
    "important": "Callout Important",
    "callout": "Callout",
}
#: the paragraph style of a code block, by its role (``tree.CodeRole``)
CODE_STYLES = {
    "": "Source Code",
    "command": "Source Code",
    "output": "Source Code Output",
    "error": "Source Code Error",
}
TEXT_WIDTH_TWIPS_A4 = 9638  # right tab stops; moved to the real text width at build time
RIGHT_TAB_STYLES = tuple(spec.name for spec in SPECS if spec.tab_leader)


def _border(side: str, box: Box) -> BaseOxmlElement:
    return el(f"w:{side}", val="single", sz=box.border_size, space=4, color=box.border)


def _ppr(spec: StyleSpec) -> BaseOxmlElement | None:
    ppr = el("w:pPr")
    if spec.keep_next:
        ppr.append(el("w:keepNext"))
    if spec.page_break:
        ppr.append(el("w:pageBreakBefore"))
    if spec.box.border:
        sides = ("left",) if spec.name == "Quote" else ("top", "left", "bottom", "right")
        if spec.name == "Separator":
            sides = ("bottom",)
        ppr.append(el("w:pBdr", *(_border(side, spec.box) for side in sides)))
    if spec.box.fill:
        ppr.append(el("w:shd", val="clear", color="auto", fill=spec.box.fill))
    if spec.tab_leader:
        ppr.append(
            el("w:tabs", el("w:tab", val="right", leader=spec.tab_leader, pos=TEXT_WIDTH_TWIPS_A4))
        )
    if spec.before >= 0 or spec.after >= 0:
        spacing = el("w:spacing")
        if spec.before >= 0:
            spacing.set(qn("w:before"), str(spec.before * 20))
        if spec.after >= 0:
            spacing.set(qn("w:after"), str(spec.after * 20))
        ppr.append(spacing)
    if spec.indent:
        ppr.append(el("w:ind", left=round(spec.indent * 567)))
    if spec.align:
        ppr.append(el("w:jc", val=spec.align))
    if spec.outline >= 0:
        ppr.append(el("w:outlineLvl", val=spec.outline))
    return ppr if len(ppr) else None


def run_properties(spec: StyleSpec) -> BaseOxmlElement | None:
    rpr = el("w:rPr")
    if spec.font:
        rpr.append(
            el("w:rFonts", ascii=spec.font, hAnsi=spec.font, cs=spec.font, eastAsia=spec.font)
        )
    if spec.bold:
        rpr.extend([el("w:b"), el("w:bCs")])
    if spec.italic:
        rpr.extend([el("w:i"), el("w:iCs")])
    if spec.color:
        rpr.append(el("w:color", val=spec.color))
    if spec.size:
        half_points = round(spec.size * 2)
        rpr.extend([el("w:sz", val=half_points), el("w:szCs", val=half_points)])
    if spec.underline:
        rpr.append(el("w:u", val="single"))
    if spec.kind == "character" and spec.box.border:
        rpr.append(
            el("w:bdr", val="single", sz=spec.box.border_size, space=0, color=spec.box.border)
        )
    if spec.kind == "character" and spec.box.fill:
        rpr.append(el("w:shd", val="clear", color="auto", fill=spec.box.fill))
    if spec.name == "footnote reference":
        rpr.append(el("w:vertAlign", val="superscript"))
    return rpr if len(rpr) else None


def _table_properties(spec: StyleSpec) -> list[BaseOxmlElement]:
    box = spec.box
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    tblpr = el(
        "w:tblPr",
        el("w:tblBorders", *(_border(side, box) for side in sides)),
        el(
            "w:tblCellMar",
            el("w:top", w=80, type="dxa"),
            el("w:left", w=115, type="dxa"),
            el("w:bottom", w=80, type="dxa"),
            el("w:right", w=115, type="dxa"),
        ),
    )
    parts = [tblpr]
    if box.fill:
        parts.append(el("w:tcPr", el("w:shd", val="clear", color="auto", fill=box.fill)))
    if spec.name == "Casekit Table":
        parts.append(
            el(
                "w:tblStylePr",
                el("w:rPr", el("w:b"), el("w:bCs")),
                el("w:tcPr", el("w:shd", val="clear", color="auto", fill="D9E2F3")),
                type="firstRow",
            )
        )
    return parts


def style_element(spec: StyleSpec, style_id: str, ids: dict[str, str]) -> BaseOxmlElement:
    """A complete ``w:style`` for ``spec``; ``ids`` maps style names to the document's ids."""
    style = el("w:style", type=spec.kind, styleId=style_id)
    if spec.name == "Normal":
        style.set(qn("w:default"), "1")
    style.append(el("w:name", val=spec.name))
    if spec.base in ids:
        style.append(el("w:basedOn", val=ids[spec.base]))
    if spec.next in ids:
        style.append(el("w:next", val=ids[spec.next]))
    style.append(el("w:uiPriority", val=1 if spec.kind != "table" else 59))
    style.append(el("w:qFormat"))
    if spec.kind == "table":
        style.append(el("w:pPr", el("w:spacing", before=0, after=0)))
        style.extend(_table_properties(spec))
        return style
    ppr = _ppr(spec) if spec.kind == "paragraph" else None
    if ppr is not None:
        style.append(ppr)
    rpr = run_properties(spec)
    if rpr is not None:
        style.append(rpr)
    return style


def find_style(doc: Document, name: str) -> BaseOxmlElement | None:
    """The style named ``name``, ignoring case: Word writes "heading 1", LibreOffice
    "Heading 1" for the same built-in style."""
    return styles_by_name(doc).get(name.lower())


def styles_by_name(doc: Document) -> dict[str, BaseOxmlElement]:
    """Every style of ``doc`` by its name in lower case (the first of a name): one pass,
    where looking each name up scans all the styles."""
    index: dict[str, BaseOxmlElement] = {}
    for style in doc.styles.element.findall(qn("w:style")):
        found = style.find(qn("w:name"))
        if found is not None:
            index.setdefault(found.get(qn("w:val"), "").lower(), style)
    return index


def add_missing_styles(doc: Document) -> None:
    """Add every casekit style ``doc`` lacks (a user's reference document)."""
    index = styles_by_name(doc)
    for spec in SPECS:
        if spec.name.lower() not in index:
            index[spec.name.lower()] = _append_style(doc, spec, index)


def replace_styles(doc: Document) -> None:
    """Make every casekit style exactly as specified (building casekit's own reference)."""
    for spec in SPECS:
        old = find_style(doc, spec.name)
        if old is None:
            old = doc.styles.element.get_by_id(spec.style_id)
        if old is not None:
            old.getparent().remove(old)
        _append_style(doc, spec, styles_by_name(doc))


def _append_style(
    doc: Document, spec: StyleSpec, index: dict[str, BaseOxmlElement]
) -> BaseOxmlElement:
    styles = doc.styles.element
    ids = {
        name: found.styleId
        for name in (spec.base, spec.next)
        if name and (found := index.get(name.lower())) is not None
    }
    style_id = spec.style_id
    if styles.get_by_id(style_id) is not None:  # a user's style already uses the id
        style_id += "Casekit"
    style = style_element(spec, style_id, ids)
    styles.append(style)
    return style
