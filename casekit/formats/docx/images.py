"""Images for Word: PNG and JPEG as they are, SVG rasterised at print resolution.

SVG is drawn by svglib into a reportlab PDF page with casekit's bundled DejaVu
fonts for the usual families (so Kazakh labels inside a chart survive) and that page is rendered by
pdfium: no system libraries, and the same pixels on every machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2
from lxml import etree
from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from svglib.fonts import FontMap
from svglib.svglib import svg2rlg

from casekit import tree as t
from casekit.diagnostics import error
from casekit.render.images import image_bytes
from casekit.templates_lookup import builtin_templates

PRINT_DPI = 200
SCREEN_DPI = 96  # the size a bitmap without its own resolution is meant to have
MAX_RASTER_PIXELS = 4000  # longest side of a rasterised SVG

_FACES = {
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}
_MONO = {("normal", "normal"): "DejaVuSansMono.ttf", ("bold", "normal"): "DejaVuSansMono-Bold.ttf"}
DEFAULT_FAMILY = "Casekit Sans"  # what SVG text without a font-family is drawn in
_SANS_NAMES = (
    DEFAULT_FAMILY,
    "sans-serif",
    "Arial",
    "DejaVu Sans",
    "serif",
    "Times New Roman",
    "Times-Roman",
    "Verdana",
)
_MONO_NAMES = ("monospace", "Courier", "Courier New", "DejaVu Sans Mono")


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


@lru_cache(maxsize=1)
def _font_map() -> FontMap:
    """svglib's fonts for SVG text, all resolved to the bundled DejaVu files."""
    fonts = builtin_templates() / "fonts"
    font_map = FontMap()
    for table, names, prefix in (
        (_FACES, _SANS_NAMES, "CasekitSvgSans"),
        (_MONO, _MONO_NAMES, "CasekitSvgMono"),
    ):
        for (weight, style), filename in table.items():
            rl_name = f"{prefix}-{weight}-{style}"
            if rl_name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(rl_name, str(fonts / filename)))
            for family in names:
                font_map.register_font(family, weight=weight, style=style, rlgFontName=rl_name)
    return font_map


def _with_default_font(svg: bytes) -> bytes:
    """svglib draws text without a font-family in Helvetica (no Cyrillic): name ours."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(svg, parser)
    if root.get("font-family") is None:
        root.set("font-family", DEFAULT_FAMILY)
    return etree.tostring(root)


@lru_cache(maxsize=64)
def rasterise_svg(svg: bytes, path: str) -> tuple[bytes, float]:
    """PNG bytes of a (sanitised) SVG at print resolution (lower for a huge drawing),
    and that resolution."""
    try:
        drawing = svg2rlg(io.BytesIO(_with_default_font(svg)), font_map=_font_map())
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


def picture(root: Path, item: t.MediaItem) -> Picture:
    """The bytes Word embeds for ``item`` and its natural size."""
    data = image_bytes(root, item)
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
