"""The ``docx`` format: one editable Word document per edition.

Teachers restyle it (every element has a named style from the reference
document), and print it: page size, margins and large print come from the
course's print options.
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit.formats import Format
from casekit.formats.options import PageOptions, option


@dataclass(frozen=True)
class DocxOptions(PageOptions):
    """Page settings (a DOCX has no booklet imposition), and how the contents get
    their page numbers."""

    contents_pages: bool = option(
        True,
        "page numbers in the contents, from a LibreOffice layout of the document "
        "(a few seconds per edition; false leaves them to the word processor's field update)",
    )


FORMAT = Format(
    "docx",
    "an editable Word document per edition",
    "casekit.formats.docx.render:render_outputs",
    DocxOptions,
)
