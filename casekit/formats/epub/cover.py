"""The cover image readers show in their library: title, organisation and edition
drawn with the bundled DejaVu fonts (they have every Kazakh letter)."""

from __future__ import annotations

import io

import PIL
from PIL import Image, ImageDraw, ImageFont

from casekit.files.cache import BuildCache, code_fingerprint, digest
from casekit.render.templates import bundled_font

SIZE = (1200, 1600)
MARGIN = 100
ACCENT = (11, 83, 148)
INK = (27, 27, 27)


def _font(face: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(bundled_font(face)), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> list[str]:
    width = SIZE[0] - 2 * MARGIN
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def cached_cover(
    cache: BuildCache | None, title: str, subtitle: str, organisation: str, edition: str
) -> bytes:
    """``cover_png``, kept in the build cache (drawing and compressing it costs a
    quarter of a second per edition; its words rarely change)."""
    key = digest(
        "cover", code_fingerprint(), PIL.__version__, title, subtitle, organisation, edition
    )
    data = cache.load("cover", key, bytes) if cache else None
    if data is None:
        data = cover_png(title, subtitle, organisation, edition)
        if cache:
            cache.store("cover", key, data)
    return data


def cover_png(title: str, subtitle: str, organisation: str, edition: str) -> bytes:
    """A PNG cover (deterministic: no metadata, fixed fonts and layout)."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 360), fill=ACCENT)
    small = _font("regular", 44)
    y = 140
    for line in _wrap(draw, organisation, small):
        draw.text((MARGIN, y), line, font=small, fill="white")
        y += 60
    y = 480
    size = 88
    big = _font("bold", size)
    while len(_wrap(draw, title, big)) > 6 and size > 40:  # long titles: smaller type
        size -= 8
        big = _font("bold", size)
    for line in _wrap(draw, title, big)[:8]:
        draw.text((MARGIN, y), line, font=big, fill=INK)
        y += size * 5 // 4
    y += 30
    for line in _wrap(draw, subtitle, small):
        draw.text((MARGIN, y), line, font=small, fill=(85, 85, 85))
        y += 60
    bold = _font("bold", 48)
    draw.text((MARGIN, SIZE[1] - 200), edition, font=bold, fill=ACCENT)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
