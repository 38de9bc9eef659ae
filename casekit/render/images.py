"""Reading image bytes for embedding: re-checked against the registered hash,
and SVG always sanitised."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from casekit import tree as t
from casekit.diagnostics import error
from casekit.safety.paths import resolve_inside
from casekit.safety.svg import sanitize_svg


@lru_cache(maxsize=256)
def _read(real: Path, sha256: str, path: str, fmt: str) -> bytes:
    data = real.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise error(
            path, "file changed while the course was being built; build again", "media-changed"
        )
    return sanitize_svg(data) if fmt == "svg" else data


def image_bytes(root: Path, item: t.MediaItem) -> bytes:
    """The bytes of an image to embed (sanitised SVG, or the file as it is)."""
    real, _ = resolve_inside(root, item.path)
    return _read(real, item.sha256, item.path, item.format)
