"""SVG for Word, rasterised at print resolution.

SVG is drawn by svglib into a reportlab PDF page with casekit's bundled DejaVu
fonts (so Kazakh labels inside a chart survive) and that page is rendered by
pdfium: no system libraries, and the same pixels on every machine.
"""

from __future__ import annotations

import io
from functools import lru_cache

import pypdfium2
from reportlab.graphics import renderPDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from svglib.svglib import svg2rlg

from casekit.diagnostics import error
from casekit.render.svg_fonts import FaceFonts
from casekit.render.svg_markers import svglib_svg
from casekit.render.templates import bundled_font

MAX_RASTER_PIXELS = 4000  # longest side of a rasterised SVG


class BundledFonts(FaceFonts):
    """Every SVG font drawn in the bundled DejaVu faces: the same glyphs on every
    machine, Kazakh letters included, never a system font found by fontconfig nor a
    base-14 font without Cyrillic."""

    def font_for(self, role: str) -> str:
        prefix = "CasekitSvgMono" if role.startswith("mono") else "CasekitSvgSans"
        return _registered(prefix, role)


def _registered(prefix: str, face: str) -> str:
    """The reportlab name of a bundled face, registered on first use."""
    file = bundled_font(face)
    name = f"{prefix}-{file.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(file)))
    return name


@lru_cache(maxsize=64)
def rasterise_svg(svg: bytes, path: str, print_dpi: float) -> tuple[bytes, float]:
    """PNG bytes of a (sanitised) SVG at ``print_dpi`` (lower for a huge drawing),
    and that resolution."""
    try:
        drawing = svg2rlg(io.BytesIO(svglib_svg(svg)), font_map=BundledFonts())
    except Exception as exc:  # svglib raises whatever its parsing hits
        raise error(path, f"cannot draw this SVG: {exc}", "svg-unreadable") from None
    if drawing is None or drawing.width <= 0 or drawing.height <= 0:
        raise error(path, "this SVG has no drawable size", "svg-unreadable")
    dpi = min(print_dpi, MAX_RASTER_PIXELS * 72 / max(drawing.width, drawing.height))
    document = pypdfium2.PdfDocument(renderPDF.drawToString(drawing))
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, dpi=(dpi, dpi))
    return out.getvalue(), dpi
