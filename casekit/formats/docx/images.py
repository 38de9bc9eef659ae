"""Images for Word: PNG and JPEG as they are, SVG rasterised at print resolution.

SVG is drawn by svglib into a reportlab PDF page with casekit's bundled DejaVu
fonts (so Kazakh labels inside a chart survive) and that page is rendered by
pdfium: no system libraries, and the same pixels on every machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2
from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from svglib.svglib import svg2rlg

from casekit import tree as t
from casekit.diagnostics import error
from casekit.render.images import image_bytes
from casekit.render.resample import FITTED, Sizing
from casekit.render.svg_fonts import FaceFonts
from casekit.render.svg_markers import svglib_svg
from casekit.render.templates import bundled_font

PRINT_DPI = 200
SCREEN_DPI = 96  # the size a bitmap without its own resolution is meant to have
MAX_RASTER_PIXELS = 4000  # longest side of a rasterised SVG


@dataclass(frozen=True)
class Picture:
    data: bytes
    width_px: int
    height_px: int
    dpi: float

    @property
    def width_inches(self) -> float:
        return self.width_px / self.dpi

    @property
    def height_inches(self) -> float:
        return self.height_px / self.dpi


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
def rasterise_svg(svg: bytes, path: str) -> tuple[bytes, float]:
    """PNG bytes of a (sanitised) SVG at print resolution (lower for a huge drawing),
    and that resolution."""
    try:
        drawing = svg2rlg(io.BytesIO(svglib_svg(svg)), font_map=BundledFonts())
    except Exception as exc:  # svglib raises whatever its parsing hits
        raise error(path, f"cannot draw this SVG: {exc}", "svg-unreadable") from None
    if drawing is None or drawing.width <= 0 or drawing.height <= 0:
        raise error(path, "this SVG has no drawable size", "svg-unreadable")
    dpi = min(PRINT_DPI, MAX_RASTER_PIXELS * 72 / max(drawing.width, drawing.height))
    document = pypdfium2.PdfDocument(renderPDF.drawToString(drawing))
    try:
        image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, dpi=(dpi, dpi))
    return out.getvalue(), dpi


def picture(
    root: Path, item: t.MediaItem, box: tuple[int, int] = (0, 0), sizing: Sizing = FITTED
) -> Picture:
    """The bytes Word embeds for ``item`` and its natural size; a raster image no
    larger than print resolution needs for a ``box`` of pixels (``sizing``)."""
    data = sizing.image(root, item, box) if box[0] else image_bytes(root, item)
    dpi: float = SCREEN_DPI
    if item.format == "svg":
        data, dpi = rasterise_svg(data, item.path)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if item.format != "svg":
                dpi = max(float(image.info.get("dpi", (SCREEN_DPI,))[0] or SCREEN_DPI), 72.0)
            return Picture(data, image.width, image.height, dpi)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise error(item.path, f"cannot read this image: {exc}", "image-unreadable") from None
