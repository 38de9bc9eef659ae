"""Reading image bytes for embedding: re-checked against the registered hash, SVG
always sanitised, and PNG/JPEG without metadata (EXIF, XMP, text; orientation kept)."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import BinaryIO

from casekit import tree as t
from casekit.diagnostics import CasekitError, error
from casekit.render.image_metadata import (
    ImageStructureError,
    copy_bytes,
    copy_stripped,
)
from casekit.safety.paths import resolve_inside
from casekit.safety.svg import sanitize_svg


class KeptBytes:
    """Images made for embedding, the most recently used first, up to ``LIMIT`` bytes in
    all, none above a quarter of it (a course's figures repeat across editions and
    formats of one process; a course with a gigabyte of pictures must not keep them
    all, and the build cache on disk has what is let go). Safe to share between
    threads (the EPUB fits its images on worker threads)."""

    LIMIT = 8 * 1024 * 1024

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def find(self, key: Hashable) -> bytes | None:
        return self.entries.get(key)

    def get(self, key: Hashable, read: Callable[[], bytes]) -> bytes:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        data = read()
        self.put(key, data)
        return data

    @classmethod
    def keeps(cls, size: int) -> bool:
        """Whether bytes of ``size`` are kept (``put``), not only made."""
        return size <= cls.LIMIT // 4

    def put(self, key: Hashable, data: bytes) -> None:
        with self.lock:
            if self.keeps(len(data)) and key not in self.entries:
                self.entries[key] = data
                self.size += len(data)
                while self.size > self.LIMIT:
                    self.size -= len(self.entries.popitem(last=False)[1])


_kept = KeptBytes()


def _changed(path: str) -> CasekitError:
    return error(
        path, "file changed while the course was being built; build again", "media-changed"
    )


def _unstrippable(path: str, exc: ImageStructureError) -> CasekitError:
    return error(path, f"cannot remove the image's metadata: {exc}", "media-invalid")


def _read(root: Path, item: t.MediaItem) -> bytes:
    """``image_bytes`` read: a PNG or JPEG without its metadata as it is read
    (``write_image``: the file and its stripped copy are never both held)."""
    if item.format in ("png", "jpeg"):
        out = io.BytesIO()
        write_image(root, item, out)
        return out.getvalue()
    real, _ = resolve_inside(root, item.path)
    data = real.read_bytes()
    if hashlib.sha256(data).hexdigest() != item.sha256:
        raise _changed(item.path)
    if item.format == "svg":
        return sanitize_svg(data)
    return data  # what ``strip_metadata`` keeps of any other format


def image_bytes(root: Path, item: t.MediaItem) -> bytes:
    """The bytes of an image to embed: sanitised SVG, or PNG/JPEG without metadata
    (what every format and the bundle embed), kept in memory for the next figure,
    edition or format showing it."""
    real, _ = resolve_inside(root, item.path)
    return _kept.get((real, item.sha256, item.format), partial(_read, root, item))


class _HashingReader:
    """A file read in order, with looks back and ahead: hashes each byte the first time
    the reading reaches it in order, so the digest is the whole file's once read through."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.hashed = 0

    def read(self, size: int = -1) -> bytes:
        start = self.handle.tell()
        data = self.handle.read(size)
        if start <= self.hashed < start + len(data):
            self.sha256.update(data[self.hashed - start :])
            self.hashed = start + len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def finish(self) -> str:
        """The whole file's digest: what the reading skipped is read now."""
        self.handle.seek(self.hashed)
        copy_bytes(self, None, -1)
        return self.sha256.hexdigest()


@contextmanager
def open_image(root: Path, item: t.MediaItem) -> Iterator[BinaryIO]:
    """The registered file of a PNG or JPEG image, to read in any order without holding
    it (the PDF carries a PNG's compressed pixels and a stripped JPEG from it). Its
    metadata is still in it: the reader takes only the pixels or strips it
    (``copy_stripped``). Leaving checks that the file was the registered one, whatever
    the reading read and however it ended (a failure of a changed file: ``media-changed``)."""
    real, _ = resolve_inside(root, item.path)
    with real.open("rb") as handle:
        reader = _HashingReader(handle)
        try:
            yield reader  # type: ignore[misc]
        except Exception as exc:
            if reader.finish() != item.sha256:
                raise _changed(item.path) from None
            if isinstance(exc, ImageStructureError):
                raise _unstrippable(item.path, exc) from None
            raise
        if reader.finish() != item.sha256:
            raise _changed(item.path)


def write_image(root: Path, item: t.MediaItem, out: BinaryIO) -> None:
    """``image_bytes`` streamed into ``out``: a PNG or JPEG is never held whole (what the
    bundle copies); an SVG is, to be parsed and sanitised."""
    if item.format not in ("png", "jpeg"):
        out.write(image_bytes(root, item))
        return
    with open_image(root, item) as reader:
        copy_stripped(reader, out, item.format)


class _Base64:
    """Bytes written to it written on to ``out`` as base64 text, in whole groups of
    three bytes (``close`` writes the last, padded)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.rest = b""

    def write(self, data: bytes) -> None:
        data = self.rest + data
        whole = len(data) - len(data) % 3
        self.out.write(base64.b64encode(data[:whole]))
        self.rest = data[whole:]

    def close(self) -> None:
        self.out.write(base64.b64encode(self.rest))


def write_data_uri(root: Path, item: t.MediaItem, out: BinaryIO) -> None:
    """The image as a ``data:`` URI (``write_image``, in base64) streamed into ``out``."""
    out.write(f"data:{item.media_type};base64,".encode("ascii"))
    encoded = _Base64(out)
    write_image(root, item, encoded)  # type: ignore[arg-type]
    encoded.close()


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
