"""Booklet imposition: A5 pages two-up on landscape A4 sheets in saddle-stitch order.

Printed duplex (flip on the short edge), folded and stapled in the middle, the
sheets read in page order. Blank pages pad the document to a multiple of 4.
"""

from __future__ import annotations

import io

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from reportlab.lib.pagesizes import A4, landscape

SHEET_WIDTH, SHEET_HEIGHT = landscape(A4)


def saddle_stitch_order(pages: int) -> list[tuple[int, int]]:
    """(left, right) page indexes (0-based) of each sheet side; ``pages`` % 4 == 0.

    For 8 pages: (7, 0), (1, 6), (5, 2), (3, 4)."""
    sides = []
    for sheet in range(pages // 4):
        front = (pages - 1 - 2 * sheet, 2 * sheet)
        back = (2 * sheet + 1, pages - 2 - 2 * sheet)
        sides += [front, back]
    return sides


def impose(pdf: bytes) -> bytes:
    """The A5 document ``pdf`` imposed as a booklet on A4."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = list(reader.pages)
    while len(pages) % 4:
        pages.append(None)  # type: ignore[arg-type]
    writer = PdfWriter()
    for left, right in saddle_stitch_order(len(pages)):
        sheet = PageObject.create_blank_page(width=SHEET_WIDTH, height=SHEET_HEIGHT)
        for slot, index in enumerate((left, right)):
            page = pages[index]
            if page is None:
                continue
            width = float(page.mediabox.width)
            height = float(page.mediabox.height)
            scale = min(SHEET_WIDTH / 2 / width, SHEET_HEIGHT / height)
            x = slot * SHEET_WIDTH / 2 + (SHEET_WIDTH / 2 - width * scale) / 2
            y = (SHEET_HEIGHT - height * scale) / 2
            sheet.merge_transformed_page(page, Transformation().scale(scale).translate(x, y))
        writer.add_page(sheet)
    info = reader.metadata or {}
    writer.add_metadata({key: str(value) for key, value in info.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
