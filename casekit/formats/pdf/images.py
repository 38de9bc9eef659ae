"""Images as flowables: SVG stays vector (svglib); raster images are drawn at the size
``media.probe`` found when it checked them whole and within bounds (a corrupt file or a
decompression bomb is a diagnostic of the check, before any format runs)."""

from __future__ import annotations

import io
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from reportlab.platypus import Flowable

from casekit import tree as t
from casekit.diagnostics import error
from casekit.formats.pdf.flowables import is_dry
from casekit.formats.pdf.fonts import FontSet
from casekit.formats.pdf.image_streams import embed_reference
from casekit.render.images import figure_size, image_bytes, open_image
from casekit.render.resample import FITTED, Sizing, print_box
from casekit.render.svg_fonts import FaceFonts
from casekit.render.svg_markers import svglib_svg

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing


def svg_drawing(data: bytes, item: t.MediaItem, pos: t.Pos, fonts: FontSet) -> Drawing:
    """A sanitised SVG as a reportlab drawing, its text in the course's fonts."""
    drawing = _svg(data, item, pos, CourseFonts(fonts))
    drawing.initialFontName = fonts.regular.name  # the renderer's first setFont
    return drawing


def _svg(data: bytes, item: t.MediaItem, pos: t.Pos, font_map: FaceFonts) -> Drawing:
    # svglib and reportlab's graphics (a tenth of the PDF's imports) only when an SVG
    # is drawn: an edit whose module shows none does not import them
    from svglib.svglib import svg2rlg

    try:
        drawing = svg2rlg(io.BytesIO(svglib_svg(data)), font_map=font_map)
    except Exception as exc:  # svglib raises whatever lxml or its own parser raises
        raise error(
            pos.path, f"SVG image {item.path} cannot be read: {exc}", "image-invalid", pos.line
        ) from None
    if drawing is None or not drawing.width or not drawing.height:
        raise error(pos.path, f"SVG image {item.path} has no size", "image-invalid", pos.line)
    return drawing


class CourseFonts(FaceFonts):
    """SVG text in the course's embedded faces (svglib would pick base-14 fonts,
    which print Cyrillic as boxes and are not embedded)."""

    def __init__(self, fonts: FontSet) -> None:
        super().__init__()
        self.fonts = fonts

    def font_for(self, role: str) -> str:
        return self.fonts.face(role).name


#: each SVG parsed once per build (by the build's fonts), however many figures show it
_DRAWINGS: weakref.WeakKeyDictionary[FontSet, dict[str, Drawing]] = weakref.WeakKeyDictionary()


class _Figure(Flowable):
    """A centred figure of a size fixed when it is made."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width = width
        self.height = height
        self.hAlign = "CENTER"

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height


class VectorImage(_Figure):
    """An SVG drawing at the size of one figure: the build's one parsed drawing of that
    SVG, scaled (not drawn at all in the measuring pass). Drawn in the page itself,
    not in a shared form XObject: text extraction (pypdf) sees its real size there."""

    def __init__(self, drawing: Drawing, width: float, height: float) -> None:
        super().__init__(width, height)
        self.drawing = drawing

    def draw(self) -> None:
        canvas = self.canv
        if is_dry(canvas):
            return
        from reportlab.graphics import renderPDF  # imported by ``_svg`` already

        drawing = self.drawing
        canvas.saveState()
        canvas.scale(self.width / drawing.width, self.height / drawing.height)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.restoreState()


class RasterImage(_Figure):
    """A raster image, drawn by every use of it. A piece of the packet carries a
    stand-in named by ``key`` (``embed_reference``); the joined packet carries the image
    once (``raster_images``): no piece reads, holds or caches the image's data."""

    def __init__(self, key: str, width: float, height: float) -> None:
        super().__init__(width, height)
        self.key = key

    def draw(self) -> None:
        canvas = self.canv
        if is_dry(canvas):
            return
        name = f"img-{self.key}"
        if not canvas.hasForm(name):
            embed_reference(canvas, name, self.key)
        canvas.saveState()
        canvas.scale(self.width, self.height)
        canvas.doForm(name)
        canvas.restoreState()


#: an image to embed, opened: its bytes to read, and whether its metadata is still in
#: them (the course's file, read as the packet writes it)
Embedded = AbstractContextManager[tuple[BinaryIO, bool]]


def raster_images(course: t.Course, sizing: Sizing) -> Callable[[str], Embedded]:
    """The image a ``RasterImage`` key names, opened: the course's media item of that
    SHA-256, its file (``open_image``: never held whole), or fitted to the box the key
    gives (``sizing``: no larger than print resolution needs)."""
    root = Path(course.root)
    media = {item.sha256: item for item in course.media}

    @contextmanager
    def original(item: t.MediaItem) -> Iterator[tuple[BinaryIO, bool]]:
        with open_image(root, item) as source:
            yield source, True

    def image(key: str) -> Embedded:
        sha256, _, box = key.partition("-")
        item = media[sha256]
        if not box:
            return original(item)
        width, height = box.split("x")
        fitted = sizing.image(root, item, (int(width), int(height)))
        return nullcontext((io.BytesIO(fitted), False))

    return image


def image_flowable(
    root: Path,
    figure: t.Figure,
    item: t.MediaItem,
    fonts: FontSet,
    max_width: float,
    max_height: float,
    sizing: Sizing = FITTED,
) -> Flowable:
    """The figure's image at its ``width=``/``height=``, else the text width, within
    ``max_width`` x ``max_height`` (``render.images.figure_size``); a raster image
    no larger than print resolution needs (``sizing``)."""
    if item.format == "svg":
        known = _DRAWINGS.setdefault(fonts, {})
        if item.sha256 not in known:
            known[item.sha256] = svg_drawing(image_bytes(root, item), item, figure.pos, fonts)
        drawing = known[item.sha256]
        width, height = figure_size(figure, drawing.width, drawing.height, max_width, max_height)
        return VectorImage(drawing, width, height)
    # the probe decoded it fully, with bounds, and image_bytes checked it is that file
    width, height = figure_size(figure, item.width or 1, item.height or 1, max_width, max_height)
    box = print_box(width, height)
    key = item.sha256 + (f"-{box[0]}x{box[1]}" if sizing.resamples(item, box) else "")
    return RasterImage(key, width, height)
