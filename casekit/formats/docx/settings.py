"""Document settings: update fields on opening, footnote separators, proofing."""

from __future__ import annotations

from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import el

# the tail of w:settings' schema sequence, from w:updateFields on: Word refuses
# settings whose children are out of order
_TAIL = (
    "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
    "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
    "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
    "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
    "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
    "w:listSeparator",
)  # fmt: skip


def _put(settings: BaseOxmlElement, element: BaseOxmlElement, tag: str) -> None:
    """Replace or insert the setting ``tag`` at its place in the schema order."""
    old = settings.find(qn(tag))
    if old is not None:
        settings.replace(old, element)
        return
    for later in _TAIL[_TAIL.index(tag) + 1 :]:
        anchor = settings.find(qn(later))
        if anchor is not None:
            anchor.addprevious(element)
            return
    settings.append(element)


def prepare_settings(doc: Document, language_tag: str, has_toc: bool) -> None:
    settings = doc.settings.element
    proof_state = settings.find(qn("w:proofState"))
    if proof_state is not None:  # "already checked" would hide spelling marks
        settings.remove(proof_state)
    if has_toc:  # Word offers to fill the contents (page numbers) when the file opens
        _put(settings, el("w:updateFields", val="true"), "w:updateFields")
    if settings.find(qn("w:footnotePr")) is None:  # Word looks for the separator notes here
        _put(
            settings,
            el("w:footnotePr", el("w:footnote", id=-1), el("w:footnote", id=0)),
            "w:footnotePr",
        )
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), language_tag)
