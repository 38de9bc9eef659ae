"""Real Word footnotes: the footnotes part, and a container to write a note into
(``settings.py`` names the separator notes).

python-docx has no footnote API. A document made by Word already has a
footnotes part (with the separator notes), casekit's reference may not: either
way notes are appended to it, and each reference in the text is a
``w:footnoteReference`` to the note's id.
"""

from __future__ import annotations

from docx.blkcntnr import BlockItemContainer
from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory, XmlPart
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import parse_xml, register_element_cls
from docx.oxml.xmlchemy import BaseOxmlElement, ZeroOrMore

from casekit.formats.docx.oxml import el


class CT_Footnote(BaseOxmlElement):
    """``w:footnote``: holds paragraphs and tables like a table cell does."""

    p = ZeroOrMore("w:p")
    tbl = ZeroOrMore("w:tbl")


register_element_cls("w:footnote", CT_Footnote)
# parse an existing footnotes part (from a Word reference document) as XML
PartFactory.part_type_for.setdefault(CT.WML_FOOTNOTES, XmlPart)

_EMPTY = (
    f"<w:footnotes {nsdecls('w', 'r')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240"'
    ' w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0"'
    ' w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:footnote></w:footnotes>"
)


class _PartHolder:
    """The parent python-docx proxies ask for ``.part`` (for relationships)."""

    def __init__(self, part: XmlPart) -> None:
        self.part = part


class FootnoteContainer(BlockItemContainer):
    """A note's body, written to with ``add_paragraph`` like a table cell."""


class Footnotes:
    """The footnotes part of a document, emptied of the reference document's notes;
    notes are written per piece (``pieces.Story.new_note``) and numbered from
    ``first_id`` on."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.part = self._part(doc)
        for note in self.part.element.findall(qn("w:footnote")):
            if note.get(qn("w:type")) is None:  # a note of the reference document's text
                self.part.element.remove(note)
        ids = [int(n.get(qn("w:id"))) for n in self.part.element.findall(qn("w:footnote"))]
        self.first_id = max([0, *ids]) + 1

    @staticmethod
    def _part(doc: Document) -> XmlPart:
        """The reference document's footnotes part (parsed as XML thanks to the
        ``PartFactory`` entry above), or a new one."""
        document_part = doc.part
        for rel in document_part.rels.values():
            if rel.reltype == RT.FOOTNOTES and isinstance(rel.target_part, XmlPart):
                return rel.target_part
        part = XmlPart(
            PackURI("/word/footnotes.xml"),
            CT.WML_FOOTNOTES,
            parse_xml(_EMPTY),
            document_part.package,
        )
        document_part.relate_to(part, RT.FOOTNOTES)
        return part

    def container(self, note: BaseOxmlElement) -> FootnoteContainer:
        """A container to write the paragraphs of ``note`` into."""
        return FootnoteContainer(note, _PartHolder(self.part))  # type: ignore[arg-type]


def footnote_mark(style_id: str, note_id: int | None = None) -> BaseOxmlElement:
    """The superscript number: a reference in the text, or the note's own mark."""
    run = el("w:r", el("w:rPr", el("w:rStyle", val=style_id)))
    run.append(
        el("w:footnoteReference", id=note_id) if note_id is not None else el("w:footnoteRef")
    )
    return run
