"""The ``pdf`` format: a print-ready paper packet per edition, laid out with
reportlab Platypus straight from the document tree.

Modules: ``fonts`` (embedded TrueType families and the glyph check), ``styles``,
``flowables`` (QR codes, ruled lines, lazily finished paragraphs), ``images``,
``writer`` (tree -> flowables), ``document`` (cover, contents, header/footer,
outline, layout passes) and ``booklet`` (A5 pages imposed two-up on A4).
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit.config.settings import PAPERS
from casekit.formats import Format
from casekit.formats.options import option


@dataclass(frozen=True)
class PdfOptions:
    paper: str = option("A4", "paper size", choices=PAPERS, course="print.paper")
    margins_mm: float = option(
        20.0,
        "page margins in millimetres",
        minimum=5,
        maximum=60,
        flag="margins",
        course="print.margins_mm",
    )
    booklet: bool = option(
        False,
        "A5 pages imposed two-up on A4 for saddle-stitch duplex printing",
        course="print.booklet",
    )
    large_print: bool = option(
        False,
        "body text of 18 pt or more for learners with low vision",
        course="print.large_print",
    )


FORMAT = Format(
    "pdf",
    "print-ready PDF packet per edition (A4, A5, Letter, booklet)",
    "casekit.formats.pdf.render:render_pdf",
    PdfOptions,
)
