"""The ``docx`` format: one editable Word document per edition.

Teachers restyle it (every element has a named style from the reference
document), and print it: page size, margins and large print come from the
course's print options.
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit.config.settings import PAPERS
from casekit.formats import Format
from casekit.formats.options import option


@dataclass(frozen=True)
class DocxOptions:
    paper: str = option("A4", "paper size", choices=PAPERS, course="print.paper")
    margins_mm: float = option(
        20.0,
        "page margins in millimetres",
        minimum=5,
        maximum=60,
        flag="margins",
        course="print.margins_mm",
    )
    large_print: bool = option(
        False,
        "body text of 18 pt or more for learners with low vision",
        course="print.large_print",
    )


FORMAT = Format(
    "docx",
    "an editable Word document per edition",
    "casekit.formats.docx.render:render_outputs",
    DocxOptions,
)
