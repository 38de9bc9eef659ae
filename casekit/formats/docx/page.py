"""Page set-up: paper, margins, large print, document language."""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Emu, Mm

from casekit.config.settings import PAPER_SIZES_MM
from casekit.formats.docx import DocxOptions
from casekit.formats.docx.oxml import el
from casekit.formats.docx.styles import RIGHT_TAB_STYLES, find_style

LARGE_PRINT_PT = 18
#: Word's language for spell-checking; other languages keep the course's own tag
LANGUAGE_TAGS = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-US", "uk": "uk-UA"}


def set_up_page(doc: Document, options: DocxOptions) -> Emu:
    """Paper size and margins of every section; returns the text width."""
    width, height = PAPER_SIZES_MM[options.paper]
    for section in doc.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(options.margins_mm))
        section.header_distance = section.footer_distance = Mm(options.margins_mm / 2)
    section = doc.sections[0]
    return Emu(section.page_width - section.left_margin - section.right_margin)


def set_right_tabs(doc: Document, text_width: Emu) -> None:
    """Answer lines and contents entries end in a right tab with a leader: at the margin."""
    for name in RIGHT_TAB_STYLES:
        style = find_style(doc, name)
        if style is None:
            continue
        for tab in style.iterfind(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}"):
            if tab.get(qn("w:val")) == "right":
                tab.set(qn("w:pos"), str(int(text_width.twips) - 1))


def scale_for_large_print(doc: Document) -> None:
    """Scale every font size in the styles so body text is 18 pt (headings keep their
    ratio); no style stays smaller than that (tables, captions, notes, code, footers)."""
    styles = doc.styles.element
    normal = find_style(doc, "Normal")
    size = normal.find(f"{qn('w:rPr')}/{qn('w:sz')}") if normal is not None else None
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
    base = size if size is not None else defaults
    half_points = int(base.get(qn("w:val"))) if base is not None else 22
    factor = max(LARGE_PRINT_PT * 2 / half_points, 1.0)
    for element in styles.iter(qn("w:sz"), qn("w:szCs")):
        scaled = round(int(element.get(qn("w:val"))) * factor)
        element.set(qn("w:val"), str(max(scaled, LARGE_PRINT_PT * 2)))
    if base is None:
        set_default_run_property(doc, el("w:sz", val=LARGE_PRINT_PT * 2))


def set_default_run_property(doc: Document, prop: BaseOxmlElement) -> None:
    """Replace one property of the document-wide default run properties."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = el("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = el("w:rPr")
        rpr_default.append(rpr)
    old = rpr.find(prop.tag)
    if old is not None:
        rpr.replace(old, prop)
        return
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.addprevious(prop)  # w:lang is the last run property in the schema order
    else:
        rpr.append(prop)


def set_language(doc: Document, language: str) -> str:
    """The document's default language (spell-checking); returns the BCP 47 tag."""
    tag = LANGUAGE_TAGS.get(language, language)
    set_default_run_property(doc, el("w:lang", val=tag, eastAsia=tag, bidi=tag))
    return tag
