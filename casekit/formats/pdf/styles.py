"""Paragraph styles and colours of the paper packet (standard and large print)."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from casekit.formats.pdf.fonts import FontSet

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
LINK = colors.HexColor("#0b4f8a")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#f1f1ee")
CODE_BG = colors.HexColor("#f4f4f4")
#: callout kind -> (border, background); printed in grey scale they stay distinct
BOX_COLOURS = {
    "note": ("#3b6ea8", "#eef3f9"),
    "tip": ("#3d8a4a", "#eef6ef"),
    "warning": ("#b06a00", "#fbf3e6"),
    "important": ("#a8323b", "#f9ecec"),
    "callout": ("#555555", "#f2f2f2"),
    "objectives": ("#3b6ea8", "#eef3f9"),
    "keypoints": ("#3d8a4a", "#eef6ef"),
    "solution": ("#6b4fa0", "#f3effa"),
    "answer": ("#6b4fa0", "#f3effa"),
    "media": ("#444444", "#f7f7f7"),
}


@dataclass
class Styles:
    """Every paragraph style the writer uses; sizes follow ``body.fontSize``."""

    body: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    code: ParagraphStyle
    code_label: ParagraphStyle
    continued: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    module: ParagraphStyle
    lesson: ParagraphStyle
    headings: list[ParagraphStyle]  # h1.. inside a lesson
    box_title: ParagraphStyle
    media_code: ParagraphStyle
    cover_title: ParagraphStyle
    cover_subtitle: ParagraphStyle
    cover_line: ParagraphStyle
    toc_title: ParagraphStyle
    toc_levels: list[ParagraphStyle]
    header: ParagraphStyle
    indent: float  # one list level
    size: float


def hyphenation_language(language: str) -> str | None:
    """pyphen's dictionary for a BCP 47 tag (``uk-UA`` → ``uk``), or None (Kazakh has
    none: its long words are split where the line ends, as before)."""
    import pyphen

    for candidate in (language.replace("-", "_"), language.split("-")[0].lower()):
        if candidate in pyphen.LANGUAGES:
            return candidate
    return None


def make_styles(fonts: FontSet, large_print: bool, language: str = "") -> Styles:
    size = 18.0 if large_print else 10.5
    hyphenate = hyphenation_language(language) if language else None
    lead = 1.5 if large_print else 1.35
    family, mono = fonts.family, fonts.mono_family

    def style(name: str, scale: float = 1.0, line: float = lead, **kw: object) -> ParagraphStyle:
        """A style ``scale`` times the body size, its lines ``line`` times its size."""
        if large_print:  # nothing smaller than the body: tables, captions, notes, code
            scale = max(scale, 1.0)
        base: dict[str, object] = {
            "fontName": family,
            "fontSize": size * scale,
            "leading": size * scale * line,
            "textColor": INK,
            "spaceAfter": size * 0.5,
            "splitLongWords": 1,
            "allowWidows": 0,
            "allowOrphans": 0,
            # reportlab's default (0.05) re-measures every word of the line for each word
            # of a paragraph with mixed fonts: quadratic, and most of the line breaking time
            "spaceShrinkage": 0,
            # long words break at a syllable, with a hyphen, where pyphen has a dictionary
            # (reportlab's uriWasteReduce splits a URL once and lets the rest overflow:
            # long URLs keep splitLongWords' break at the line end)
            "hyphenationLang": hyphenate or "",
        }
        base.update(kw)
        return ParagraphStyle(name, **base)  # type: ignore[arg-type]

    def heading(name: str, scale: float, before: float) -> ParagraphStyle:
        return style(
            name,
            scale,
            line=1.25,
            fontName=fonts.bold.name,
            spaceBefore=size * before,
            spaceAfter=size * 0.6,
            keepWithNext=1,
        )

    return Styles(
        body=style("body"),
        small=style("small", 0.85, textColor=MUTED, spaceAfter=size * 0.3),
        caption=style("caption", 0.9, alignment=TA_CENTER, textColor=MUTED, spaceBefore=2),
        code=style(
            "code",
            0.85,
            fontName=mono,
            line=1.3,
            leftIndent=size * 0.5,
            rightIndent=size * 0.5,
            spaceAfter=size * 0.4,
        ),
        code_label=style("code_label", 0.8, fontName=fonts.bold.name, spaceAfter=2, keepWithNext=1),
        continued=style("continued", 0.8, textColor=MUTED, spaceAfter=size * 0.2),
        cell=style("cell", 0.9, 1.25, spaceAfter=0),
        cell_head=style("cell_head", 0.9, 1.25, fontName=fonts.bold.name, spaceAfter=0),
        module=heading("module", 1.9, 0),
        lesson=heading("lesson", 1.5, 0.5),
        headings=[
            heading("h1", 1.3, 1.0),
            heading("h2", 1.15, 0.9),
            heading("h3", 1.05, 0.8),
            heading("h4", 1.0, 0.7),
            heading("h5", 1.0, 0.6),
            heading("h6", 1.0, 0.6),
        ],
        box_title=style(
            "box_title", 1.0, fontName=fonts.bold.name, spaceAfter=size * 0.3, keepWithNext=1
        ),
        media_code=style("media_code", 1.6, fontName=fonts.bold.name, spaceAfter=2),
        cover_title=style("cover_title", 2.4, 1.25, fontName=fonts.bold.name, alignment=TA_LEFT),
        cover_subtitle=style("cover_subtitle", 1.4, textColor=MUTED, spaceAfter=size * 2),
        cover_line=style("cover_line", 1.0, spaceAfter=size * 0.25),
        toc_title=heading("toc_title", 1.6, 0),
        toc_levels=[
            style("toc0", 1.05, fontName=fonts.bold.name, spaceBefore=size * 0.5, spaceAfter=2),
            style("toc1", 1.0, leftIndent=size * 1.5, spaceAfter=1),
        ],
        header=style("header", 0.75, textColor=MUTED, alignment=TA_RIGHT),
        indent=size * 1.6,
        size=size,
    )
