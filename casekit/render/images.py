"""Reading image bytes for embedding: re-checked against the registered hash, SVG
always sanitised, and PNG/JPEG without metadata (EXIF, XMP, text; orientation kept)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from casekit import tree as t
from casekit.diagnostics import error
from casekit.render.image_metadata import ImageStructureError, strip_metadata
from casekit.safety.paths import resolve_inside
from casekit.safety.svg import sanitize_svg


@lru_cache(maxsize=256)
def _read(real: Path, sha256: str, path: str, fmt: str) -> bytes:
    data = real.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise error(
            path, "file changed while the course was being built; build again", "media-changed"
        )
    if fmt == "svg":
        return sanitize_svg(data)
    try:
        return strip_metadata(data, fmt)
    except ImageStructureError as exc:
        raise error(path, f"cannot remove the image's metadata: {exc}", "media-invalid") from None


def image_bytes(root: Path, item: t.MediaItem) -> bytes:
    """The bytes of an image to embed: sanitised SVG, or PNG/JPEG without metadata
    (what every format and the bundle embed)."""
    real, _ = resolve_inside(root, item.path)
    return _read(real, item.sha256, item.path, item.format)


_POINTS = {"": 0.75, "px": 0.75, "pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4}


def _points(value: str, whole: float) -> float:
    """``value`` in points; a percentage is of ``whole``. 0 when unset."""
    match = t.IMAGE_LENGTH.match(value)
    if not match:
        return 0.0
    number, unit = float(match.group(1)), match.group(2) or ""
    return whole * number / 100 if unit == "%" else number * _POINTS[unit]


def figure_size(
    figure: t.Figure, width: float, height: float, max_width: float, max_height: float
) -> tuple[float, float]:
    """The size (points) of a figure whose image is ``width`` x ``height``: its
    ``width=``/``height=`` when given (the other side kept in proportion), else the
    text width; never more than ``max_width`` x ``max_height``."""
    width, height = max(width, 1e-6), max(height, 1e-6)
    wanted_w = _points(figure.width, max_width)
    wanted_h = _points(figure.height, max_height)
    if wanted_w and wanted_h:
        out_w, out_h = wanted_w, wanted_h
    elif wanted_w:
        out_w, out_h = wanted_w, height * wanted_w / width
    elif wanted_h:
        out_w, out_h = width * wanted_h / height, wanted_h
    else:
        out_w, out_h = max_width, height * max_width / width
    shrink = min(1.0, max_width / out_w, max_height / out_h)
    return out_w * shrink, out_h * shrink


def css_size(figure: t.Figure) -> str:
    """The figure's size as inline CSS for HTML and EPUB (bare numbers are pixels)."""
    rules = []
    for name, value in (("width", figure.width), ("height", figure.height)):
        match = t.IMAGE_LENGTH.match(value)
        if match:
            rules.append(f"{name}:{match.group(1)}{match.group(2) or 'px'}")
    if rules and not figure.height:
        rules.append("height:auto")
    return ";".join(rules)
