"""The ``pdf`` format: a print-ready paper packet per edition, laid out with
reportlab Platypus straight from the document tree.

Modules: ``fonts`` (embedded TrueType families and the glyph check), ``styles``,
``flowables`` (QR codes, ruled lines, lazily finished paragraphs), ``images``,
``writer`` (tree -> flowables), ``document`` (cover, contents, header/footer,
outline, layout passes) and ``booklet`` (A5 pages imposed two-up on A4).
"""

from __future__ import annotations

from dataclasses import dataclass

from casekit.formats import Format
from casekit.formats.options import PageOptions, option


@dataclass(frozen=True)
class PdfOptions(PageOptions):
    booklet: bool = option(
        False,
        "A5 pages imposed two-up on A4 for saddle-stitch duplex printing",
        course="print.booklet",
    )


FORMAT = Format(
    "pdf",
    "print-ready PDF packet per edition (A4, A5, Letter, booklet)",
    "casekit.formats.pdf.render:render_pdf",
    PdfOptions,
)
