"""Answer sheets on sheets of paper of their own, for duplex printing.

Word and LibreOffice start a section of type ``oddPage`` on a right-hand page,
inserting a blank page (no header, no footer) when needed: each answer sheet
is a section of that type, and so is the lesson text after it, so the sheet's
back stays blank. A section's properties (``w:sectPr``) sit in its last
paragraph; each is a copy of the document's own (paper, margins, header and
footer), the sheet's with a first-page header of its own, which is empty, as the
PDF prints no running header on a sheet.
"""

from __future__ import annotations

import copy

from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import el


class SheetSections:
    """Ends sections around answer sheets in the body whose final ``w:sectPr`` is
    ``body_end`` (the last section's properties)."""

    def __init__(self, body_end: BaseOxmlElement) -> None:
        self.body_end = body_end
        self.sheets = 0
        #: no running header on the cover (unless the reference is a letterhead)
        self.cover_blank = body_end.find(qn("w:titlePg")) is not None

    def _properties(self, odd_page: bool, first_page_blank: bool) -> BaseOxmlElement:
        properties = copy.deepcopy(self.body_end)
        for old in properties.findall(qn("w:type")) + properties.findall(qn("w:titlePg")):
            properties.remove(old)
        # w:type comes after the header and footer references and footnote settings
        references = properties.findall(qn("w:headerReference")) + properties.findall(
            qn("w:footerReference")
        )
        after = references[-1] if references else None
        for name in ("w:footnotePr", "w:endnotePr"):
            found = properties.find(qn(name))
            if found is not None:
                after = found
        if odd_page:
            kind = el("w:type", val="oddPage")
            if after is None:
                properties.insert(0, kind)
            else:
                after.addnext(kind)
        if first_page_blank:  # w:titlePg sits after w:pgNumType, w:cols, w:formProt ...
            title_page = el("w:titlePg")
            following = [qn(t) for t in ("w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid")]
            anchor = next((c for c in properties if c.tag in following), None)
            if anchor is None:
                properties.append(title_page)
            else:
                anchor.addprevious(title_page)
        return properties

    def end_section(self, last: CT_P, odd_page: bool, first_page_blank: bool) -> None:
        """Make ``last`` the last paragraph of a section with these properties."""
        ppr = last.get_or_add_pPr()
        ppr.append(self._properties(odd_page, first_page_blank))

    def before_sheet(self, last: CT_P) -> None:
        """End the section of lesson text before a sheet (the first one keeps the
        cover's blank first page)."""
        first = self.sheets == 0
        self.end_section(last, odd_page=not first, first_page_blank=first and self.cover_blank)

    def after_sheet(self, last: CT_P) -> None:
        self.sheets += 1
        self.end_section(last, odd_page=True, first_page_blank=True)

    def finish(self) -> None:
        """The text after the last sheet starts on a right-hand page too."""
        if not self.sheets:
            return
        final = self._properties(odd_page=True, first_page_blank=False)
        self.body_end.getparent().replace(self.body_end, final)
        self.body_end = final
