"""Large raster images made no larger than an output shows them, once per content.

A 3000x2000 screenshot printed 17 cm wide needs 2000 pixels at print resolution, and an
e-reader screen fewer still; embedding it whole makes every PDF, DOCX and EPUB slower
to write and larger to carry. ``fitted_image`` gives an image's bytes (metadata already
removed by ``image_bytes``) resampled to fit a box of pixels, in its own format (PNG
stays lossless, JPEG is re-encoded at high quality), with its resolution scaled so its
natural size in inches is unchanged. Images that already fit, SVG, and images whose
EXIF orientation turns them (their pixels would have to move) are left as they are;
a format whose option ``original_images`` is set asks for none of it.

Results are kept in the build cache under the image's SHA-256 and the box, so a rebuild
never decodes or re-encodes an unchanged image.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import PIL
from PIL import Image

from casekit import tree as t
from casekit.diagnostics import error
from casekit.files.cache import BuildCache, code_fingerprint, digest
from casekit.render.image_metadata import ORIENTATION
from casekit.render.images import image_bytes

#: print resolution (PDF, DOCX): pixels per inch of the printed size
PRINT_DPI = 300
#: the longest side an e-reader or the viewer needs (EPUB)
SCREEN_PIXELS = 1600
#: what an image without a stated resolution is meant to have (Word's assumption)
DEFAULT_DPI = 96.0
JPEG_QUALITY = 90
#: zlib level of a resampled PNG: as small as level 6 for screenshots, twice as fast
PNG_LEVEL = 3
#: fitted images a job keeps in memory (a course's figures, not its every image)
REMEMBERED = 64
_MODES = {"RGB", "RGBA", "L", "LA", "P", "CMYK"}


def print_box(width_pt: float, height_pt: float) -> tuple[int, int]:
    """The pixels a printed box of ``width_pt`` x ``height_pt`` points needs."""
    return math.ceil(width_pt / 72 * PRINT_DPI), math.ceil(height_pt / 72 * PRINT_DPI)


SCREEN_BOX = (SCREEN_PIXELS, SCREEN_PIXELS)


@dataclass
class Sizing:
    """How one output embeds raster images: fitted (the default) or as they are."""

    cache: BuildCache | None = None
    original: bool = False  # the format's ``original_images`` option
    #: images fitted in this job, by SHA-256 and box: a figure used again is not read again
    made: dict[tuple[str, tuple[int, int]], bytes] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: whether to keep them in ``made`` (the PDF embeds each image once: it keeps none)
    remember: bool = True

    def resamples(self, item: t.MediaItem, box: tuple[int, int]) -> bool:
        return not self.original and needs_resampling(item, box)

    def image(self, root: Path, item: t.MediaItem, box: tuple[int, int]) -> bytes:
        if not self.resamples(item, box):
            return image_bytes(root, item)
        key = (item.sha256, box)
        if not self.remember:
            return fitted_image(root, item, box, self.cache)
        if key not in self.made:
            if len(self.made) >= REMEMBERED:
                self.made.clear()
            self.made[key] = fitted_image(root, item, box, self.cache)
        return self.made[key]


#: fitted, without a cache (outside a build)
FITTED = Sizing(made={})


def needs_resampling(item: t.MediaItem, box: tuple[int, int]) -> bool:
    return (
        item.format in ("png", "jpeg")
        and item.width is not None
        and item.height is not None
        and (item.width > box[0] or item.height > box[1])
    )


def fitted_image(
    root: Path, item: t.MediaItem, box: tuple[int, int], cache: BuildCache | None
) -> bytes:
    """``image_bytes(root, item)``, resampled to fit ``box`` (pixels) if larger."""
    if not needs_resampling(item, box):
        return image_bytes(root, item)
    key = digest(
        "fitted-image", code_fingerprint(), item.sha256, f"{box[0]}x{box[1]}", PIL.__version__
    )
    if cache is not None:
        known = cache.load("image", key, bytes)
        if known is not None:
            return known
    data = _resample(image_bytes(root, item), item, box)
    if cache is not None:
        cache.store("image", key, data)
    return data


def _resample(data: bytes, item: t.MediaItem, box: tuple[int, int]) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.mode not in _MODES or image.getexif().get(ORIENTATION, 1) != 1:
                return data
            scale = min(box[0] / image.width, box[1] / image.height)
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            dpi = float(image.info.get("dpi", (DEFAULT_DPI,))[0] or DEFAULT_DPI) * scale
            icc = image.info.get("icc_profile")
            if image.mode == "P":
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            small = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise error(item.path, f"cannot read this image: {exc}", "image-unreadable") from None
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if item.format == "jpeg":
        small.save(out, "JPEG", quality=JPEG_QUALITY, dpi=(dpi, dpi), **extra)
    else:
        small.save(out, "PNG", dpi=(dpi, dpi), compress_level=PNG_LEVEL, **extra)
    return out.getvalue()
