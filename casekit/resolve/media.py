"""Probing media files: real format (by content, not name), size, hash, pixel
size of images, duration of audio and video. Files are streamed, never read
whole; images are checked whole without making their pixels (``raster_check``)."""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from PIL import Image

from casekit.files.cache import BuildCache, file_digest
from casekit.files.stream import hash_file
from casekit.resolve.raster_check import check_raster, decodable_png
from casekit.runtime.workers import run_in
from casekit.safety.svg import SvgError, sanitize_svg, svg_size
from casekit.tree import EXTENSION_FORMATS

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

MAX_IMAGE_PIXELS = 40_000_000  # about 6300 x 6300: far beyond print resolution
MAX_IMAGE_BYTES = 64 * 1024 * 1024


class MediaError(ValueError):
    """A media file that cannot be used (the message says why)."""


@dataclass
class Probe:
    format: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None


def sniff(head: bytes) -> str | None:
    """The format that the first bytes of a file show, or ``None``."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "m4a" if brand in (b"M4A ", b"M4B ") else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in head.lower():
        return "svg"
    return None


def probe(
    file: Path, sha256: str = "", hashed: bool = True, decodable: BinaryIO | None = None
) -> Probe:
    """Everything casekit needs to know about a media file; raises ``MediaError``.
    ``sha256``: the file's hash when the caller has it (the build fingerprint hashes
    every course file), so a large video is not read twice; ``hashed=False``: none needed;
    ``decodable``: a PNG is checked by writing into it the file as ``decodable_png``
    makes it (for a decode that follows), left empty unless the file read is the one
    hashed."""
    expected = EXTENSION_FORMATS.get(file.suffix.lower())
    if expected is None:
        known = ", ".join(sorted(EXTENSION_FORMATS))
        raise MediaError(f"unsupported media type '{file.suffix}' (supported: {known})")
    with file.open("rb") as handle:
        head = handle.read(512)
    found = sniff(head)
    compatible = {expected} | ({"mp4", "m4a"} if expected in ("mp4", "m4a") else set())
    if found not in compatible:
        shown = found.upper() if found else "an unknown format"
        raise MediaError(f"file content is {shown}, not {expected.upper()} as its name says")
    size, sha = (file.stat().st_size, sha256) if sha256 or not hashed else hash_file(file)
    result = Probe(expected, size, sha)
    if expected in ("png", "jpeg"):
        result.width, result.height = _raster_size(file, size, expected, decodable, sha)
    elif expected == "svg":
        data = file.read_bytes() if size <= MAX_IMAGE_BYTES else b""
        try:
            width, height = svg_size(sanitize_svg(data))
        except SvgError as exc:
            raise MediaError(str(exc)) from None
        result.width, result.height = round(width), round(height)
    else:
        result.duration = _duration(file)
    return result


def probe_into(file: Path, sha256: str, decodable: Path | None) -> Probe:
    """``probe`` writing a PNG's decodable copy into the file ``decodable`` (made or
    emptied; a path, not an open file: this may run in another process)."""
    with decodable.open("w+b") if decodable is not None else nullcontext() as into:
        return probe(file, sha256, decodable=into)


def cached_probe(
    real: Path,
    rel: str,
    cache: BuildCache,
    decodable: Path | None = None,
    workers: ProcessPoolExecutor | None = None,
) -> Probe:
    """``probe`` of the file ``real`` (``rel`` in the course), remembered by the build
    cache while the file is unchanged; raises ``MediaError`` (or ``OSError``);
    ``decodable`` as ``probe_into``'s (not made when the probe was remembered);
    the probe itself made in one of ``workers`` when given."""
    key = BuildCache.media_key(real)
    found = None if key is None else cache.load("probe", key, Probe)
    if found is None:
        found = run_in(workers, probe_into, real, file_digest(real, cache), decodable)
        cache.stats.probed.append(rel)
        if key is not None:
            cache.store("probe", key, found)
    return found


def _raster_size(
    file: Path, size: int, fmt: str, decodable: BinaryIO | None = None, sha256: str = ""
) -> tuple[int, int]:
    """The pixel size of a PNG or JPEG that is whole (``check_raster``) and within bounds
    (``decodable``: as ``probe``'s, kept when what was read has the hash ``sha256``)."""
    if size > MAX_IMAGE_BYTES:
        raise MediaError(f"image is {size} bytes; the limit is {MAX_IMAGE_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise MediaError(
                        f"image is {width}x{height} pixels; the limit is {MAX_IMAGE_PIXELS} pixels"
                    )
            if decodable is not None and fmt == "png":
                if decodable_png(file, decodable) != sha256:  # changed since it was hashed
                    decodable.seek(0)
                    decodable.truncate()
            else:
                check_raster(file, fmt)
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(f"image is too large to decode safely ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:  # RasterDamaged too
        raise MediaError(f"image is corrupt or truncated ({exc})") from None
    return width, height


def _duration(file: Path) -> float | None:
    """Duration in seconds from the container's header (mutagen), if it says."""
    import mutagen

    try:
        info = mutagen.File(file)
    except Exception:  # mutagen raises many types for damaged files; duration is optional
        return None
    length = getattr(getattr(info, "info", None), "length", None)
    return round(float(length), 3) if length else None
