"""The ``docx`` format: one editable Word document per edition.

Teachers restyle it (every element has a named style from the reference
document), and print it: page size, margins and large print come from the
course's print options.
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit.formats import Format
from casekit.formats.options import PageOptions


@dataclass(frozen=True)
class DocxOptions(PageOptions):
    """Page settings only (a DOCX has no booklet imposition)."""


FORMAT = Format(
    "docx",
    "an editable Word document per edition",
    "casekit.formats.docx.render:render_outputs",
    DocxOptions,
)
