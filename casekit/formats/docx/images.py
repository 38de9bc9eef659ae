"""Images for Word: PNG and JPEG as they are (resampled to print resolution), SVG
rasterised at print resolution (``svg.py``, imported only for an SVG: its libraries
cost a rebuild more than the rest of the writer's imports)."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from casekit import tree as t
from casekit.diagnostics import error
from casekit.files.cache import BuildCache, code_fingerprint, digest
from casekit.render.images import image_bytes
from casekit.render.resample import FITTED, Sizing

SCREEN_DPI = 96  # the size a bitmap without its own resolution is meant to have
PRINT_DPI = 200  # of a rasterised SVG
SVG_KIND = "docx-svg"  # the build cache's kind for rasterised SVG


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


def rasterised(svg: bytes, item: t.MediaItem, cache: BuildCache | None) -> tuple[bytes, float]:
    """``svg.rasterise_svg``, kept in the build cache by the SVG's bytes (with its
    resolution, which the PNG holds only rounded): an edited lesson does not draw its
    charts again, nor import what draws them."""
    key = digest(SVG_KIND, code_fingerprint(), svg)
    found = cache.load(SVG_KIND, key, bytes) if cache is not None else None
    if found is not None and len(found) > 8:
        (dpi,) = struct.unpack(">d", found[:8])
        if 0 < dpi <= PRINT_DPI:
            return found[8:], dpi
    from casekit.formats.docx.svg import rasterise_svg

    png, dpi = rasterise_svg(svg, item.path, PRINT_DPI)
    if cache is not None:
        cache.store(SVG_KIND, key, struct.pack(">d", dpi) + png)
    return png, dpi


def picture(
    root: Path, item: t.MediaItem, box: tuple[int, int] = (0, 0), sizing: Sizing = FITTED
) -> Picture:
    """The bytes Word embeds for ``item`` and its natural size; a raster image no
    larger than print resolution needs for a ``box`` of pixels (``sizing``)."""
    data = sizing.image(root, item, box) if box[0] else image_bytes(root, item)
    dpi: float = SCREEN_DPI
    if item.format == "svg":
        data, dpi = rasterised(data, item, sizing.cache)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if item.format != "svg":
                dpi = max(float(image.info.get("dpi", (SCREEN_DPI,))[0] or SCREEN_DPI), 72.0)
            return Picture(data, image.width, image.height, dpi)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise error(item.path, f"cannot read this image: {exc}", "image-unreadable") from None
