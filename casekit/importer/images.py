"""The document's pictures, copied into the course's ``media/`` folder.

PNG, JPEG and SVG are kept as they are (after casekit's own bounded probe); GIF,
BMP and TIFF become PNG; Word's vector formats (EMF, WMF) cannot be drawn by
casekit and are left out with a note. The same picture used twice is stored once.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from casekit.diagnostics import error
from casekit.resolve.media import (
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    MediaError,
    probe,
    sniff,
)
from casekit.safety.paths import PathEscape, resolve_inside
from casekit.tree import FORMAT_KIND

CONVERTED = {"GIF": "gif", "BMP": "bmp", "TIFF": "tiff"}


@dataclass
class MediaSet:
    """Pictures of one import: ``files`` maps a media path (``media/<doc>/x.png``) to bytes."""

    folder: str  # media/<document slug>
    source_dir: Path  # where relative picture paths of HTML/Markdown are looked up
    files: dict[str, bytes] = field(default_factory=dict)
    by_source: dict[str, str | None] = field(default_factory=dict)
    by_hash: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    shown: str = ""  # the document, for error lines
    naming: Callable[[str], str] = str  # a file name part from a description
    course: Path | None = None  # the course the pictures go into, when it exists

    def add(self, src: str, alt: str = "") -> str | None:
        """The media path of the picture ``src`` (as pandoc names it), or ``None``;
        the file is named after its description ``alt`` when it has one."""
        if src not in self.by_source:
            self.by_source[src] = self._add(src, alt)
        return self.by_source[src]

    def _add(self, src: str, alt: str) -> str | None:
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) and not src.lower().startswith("file:"):
            self.notes.append(f"picture {src[:60]} is not in the document: left out")
            return None
        path = Path(src)
        if not path.is_absolute():
            try:
                path, _rel = resolve_inside(self.source_dir, src)
            except PathEscape:
                self.notes.append(f"picture {src[:60]} is outside the document's folder: left out")
                return None
        if not path.is_file():
            self.notes.append(f"picture {src[:60]} is missing: left out")
            return None
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise error(
                self.shown,
                f"picture {path.name} is {size // 2**20} MiB; at most {MAX_IMAGE_BYTES // 2**20} MiB",
                "import-image",
            )
        data = path.read_bytes()
        name = self.naming(alt) if alt else re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
        name = name or "image"
        found = sniff(data[:512])
        if found is not None and FORMAT_KIND.get(found) == "image":
            suffix = ".jpg" if found == "jpeg" else f".{found}"
        else:
            data = self._convert(data, path.name)
            if data is None:
                return None
            suffix = ".png"
        digest = hashlib.sha256(data).hexdigest()
        if digest in self.by_hash:
            return self.by_hash[digest]
        target = f"{self.folder}/{name}{suffix}"
        counter = 2
        while target in self.files or self._other_file(target, data):
            target = f"{self.folder}/{name}-{counter}{suffix}"
            counter += 1
        self._check(data, suffix, path.name)
        self.files[target] = data
        self.by_hash[digest] = target
        return target

    def _other_file(self, target: str, data: bytes) -> bool:
        """Whether the course already has a different file at ``target``."""
        if self.course is None or not (self.course / target).exists():
            return False
        existing = self.course / target
        return not existing.is_file() or existing.read_bytes() != data

    def _check(self, data: bytes, suffix: str, name: str) -> None:
        """casekit's own bounded probe: what passes here passes ``casekit check``."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            probe_path = Path(folder) / f"probe{suffix}"
            probe_path.write_bytes(data)
            try:
                probe(probe_path)
            except MediaError as exc:
                raise error(self.shown, f"picture {name}: {exc}", "import-image") from None

    def _convert(self, data: bytes, name: str) -> bytes | None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    if image.format not in CONVERTED:
                        raise OSError(image.format)
                    width, height = image.size
                    if width * height > MAX_IMAGE_PIXELS:
                        raise error(
                            self.shown,
                            f"picture {name} is {width}x{height} pixels; at most {MAX_IMAGE_PIXELS} pixels",
                            "import-image",
                        )
                    out = io.BytesIO()
                    image.convert("RGBA").save(out, "PNG")
                    return out.getvalue()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise error(
                self.shown, f"picture {name} is too large to decode safely", "import-image"
            ) from None
        except (OSError, SyntaxError, ValueError):
            kind = Path(name).suffix.lstrip(".").upper() or "unknown"
            self.notes.append(
                f"picture {name} ({kind}) cannot be shown by casekit: save it as PNG and insert it again"
            )
            return None
