"""Whether a PNG or JPEG file is whole, checked without making its pixels where a
cheaper reading finds the same faults.

The media probe refuses a truncated or damaged image before any format runs, because
the PDF carries a PNG's compressed data and a JPEG's as they are and the DOCX copies
the file: nothing else would notice. A full decode (``Image.load``) found those faults
and cost as much as the resampling that follows it in the EPUB, so every large image
was decoded twice. Here a PNG's chunks are checked against their CRCs and its image
data inflated (not unfiltered into pixels): it must give exactly the rows its header
declares, each with a known row filter, which is what a decoder needs of it (inflated
by ISA-L, ``isal``: two to three times zlib's speed, the same stream). A JPEG is
decoded at an eighth of its size (libjpeg reads every coefficient, so a cut or broken
scan fails as a full decode would, at a fraction of the work).

A PNG about to be resampled would be inflated a second time by Pillow's decode (which
costs twice what the check does): ``decodable_png`` checks it and keeps what the check
inflated, as a PNG whose image data is stored (deflate's uncompressed blocks), which
Pillow decodes at half the cost.

Callers have opened the file with Pillow first (format, size and pixel limits).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from isal import isal_zlib
from PIL import Image

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PIECE = 1024 * 1024  # bytes read, and inflated, at a time
#: bytes inflated at a time for ``decodable_png``: each piece lets go of Python's lock
#: (inflated, checked and written) and waits to take it back, up to 5 ms while another
#: thread runs Python
_COPIED_PIECE = 4 * _PIECE
#: channels of each PNG colour type, and the bit depths it allows
_COLOUR_TYPES = {
    0: (1, {1, 2, 4, 8, 16}),
    2: (3, {8, 16}),
    3: (1, {1, 2, 4, 8}),
    4: (2, {8, 16}),
    6: (4, {8, 16}),
}
ADAM7_PASSES = (  # interlaced rows: x start, y start, x step, y step
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
)
_LAST_FILTER = 4  # Paeth
_STORED_BLOCK = 65535  # the most bytes a stored deflate block holds


class RasterDamaged(ValueError):
    """The file does not hold the image its header declares (the message says where)."""


def check_raster(file: Path, fmt: str) -> None:
    """Raise ``RasterDamaged`` unless ``file`` (``png`` or ``jpeg``) decodes whole."""
    if fmt == "png":
        with file.open("rb") as handle:
            _check_png(handle)
    else:
        _check_jpeg(file)


def _check_jpeg(file: Path) -> None:
    try:
        with Image.open(file) as image:
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise RasterDamaged(str(exc)) from None


def decodable_png(file: Path, into: BinaryIO) -> str:
    """Check the PNG ``file`` as ``check_raster`` does (``RasterDamaged``), writing into
    ``into`` (seekable) the same PNG, every chunk kept, with its image data as one IDAT
    chunk of stored blocks of the rows the check inflated: Pillow only copies and
    unfilters them. Returns the SHA-256 of the file read."""
    with file.open("rb") as handle:
        reader = _HashingReader(handle)
        copy = _StoredCopy(into)
        _check_png(reader, copy)  # type: ignore[arg-type]
    return reader.sha256.hexdigest()


class _HashingReader:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.sha256 = handle, hashlib.sha256()

    def read(self, size: int) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        return data


class _StoredCopy:
    """A PNG written as its check reads it: its chunks, and its image data as it is
    inflated (no more than the rows need) in stored deflate blocks, zlib-wrapped."""

    def __init__(self, into: BinaryIO) -> None:
        self.into = into
        into.write(_SIGNATURE)
        self.data_at = 0  # where the IDAT chunk begins (0: not yet)
        self.data_crc = self.data_size = 0
        self.adler = 1
        self.left = 0  # inflated bytes the rows still need

    def chunk(self, kind: bytes, pieces: list[bytes], crc: int) -> None:
        """A chunk other than IDAT, as read (``pieces``: its body)."""
        body = b"".join(pieces)
        if kind == b"IHDR":
            self.left = sum(_rows(body))
        if self.data_at and self.left == 0:
            self._end_data()
        self.into.write(struct.pack(">I4s", len(body), kind) + body + struct.pack(">I", crc))

    def rows(self, data: bytes) -> None:
        if not self.left:
            return
        view = memoryview(data)[: self.left]
        self.left -= len(view)
        self.adler = isal_zlib.adler32(view, self.adler)
        parts: list[bytes | memoryview] = []
        if not self.data_at:
            self.data_at, self.data_crc = self.into.tell(), isal_zlib.crc32(b"IDAT")
            self.into.write(struct.pack(">I4s", 0, b"IDAT"))  # its length: in ``_end_data``
            parts.append(b"\x78\x01")  # zlib: deflate, 32 KiB window, no dictionary
        for at in range(0, len(view), _STORED_BLOCK):
            block = view[at : at + _STORED_BLOCK]
            parts += [struct.pack("<BHH", 0, len(block), len(block) ^ 0xFFFF), block]
        if not self.left:
            parts += [b"\x01\x00\x00\xff\xff", struct.pack(">I", self.adler)]  # final
        self._write(b"".join(parts))

    def _write(self, data: bytes) -> None:
        self.data_crc = isal_zlib.crc32(data, self.data_crc)
        self.data_size += len(data)
        self.into.write(data)

    def _end_data(self) -> None:
        self.into.write(struct.pack(">I", self.data_crc))
        end = self.into.tell()
        self.into.seek(self.data_at)
        self.into.write(struct.pack(">I", self.data_size))
        self.into.seek(end)
        self.data_at = 0


def _rows(header: bytes) -> Iterator[int]:
    """The length of each row of image data (its filter byte included), in order."""
    width, height, bits, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    channels, depths = _COLOUR_TYPES.get(colour, (0, set()))
    if bits not in depths or compression or filtering or interlace > 1:
        raise RasterDamaged(f"PNG header is invalid (colour type {colour}, {bits} bits)")
    passes = ADAM7_PASSES if interlace else ((0, 0, 1, 1),)
    for x0, y0, dx, dy in passes:
        columns = (width - x0 + dx - 1) // dx if width > x0 else 0
        lines = (height - y0 + dy - 1) // dy if height > y0 else 0
        if columns:
            row = 1 + (columns * channels * bits + 7) // 8
            for _ in range(lines):
                yield row


class _Rows:
    """Image data checked as it is inflated: each row's first byte a known filter."""

    def __init__(self, header: bytes) -> None:
        self.lengths = _rows(header)
        self.seen = 0  # bytes of image data inflated so far
        self.at = 0  # where the next row starts (its filter byte)
        self.length = next(self.lengths, None)  # that row's length; None: no row left

    @property
    def complete(self) -> bool:
        return self.length is None and self.seen >= self.at

    def feed(self, data: bytes) -> None:
        base = self.seen
        self.seen += len(data)
        while self.length is not None and self.at < self.seen:
            kind = data[self.at - base]
            if kind > _LAST_FILTER:
                raise RasterDamaged(f"PNG row filter {kind} is unknown")
            self.at += self.length
            self.length = next(self.lengths, None)


def _pieces(handle: BinaryIO, size: int) -> Iterator[bytes]:
    """The next ``size`` bytes, a bounded piece at a time."""
    while size:
        piece = handle.read(min(size, _PIECE))
        if not piece:
            raise RasterDamaged("PNG file ends inside a chunk")
        size -= len(piece)
        yield piece


def _read(handle: BinaryIO, size: int) -> bytes:
    return b"".join(_pieces(handle, size))


def _check_png(handle: BinaryIO, copy: _StoredCopy | None = None) -> None:
    if handle.read(len(_SIGNATURE)) != _SIGNATURE:
        raise RasterDamaged("not a PNG (no signature)")
    rows: _Rows | None = None
    inflater = isal_zlib.decompressobj()
    data_began = data_ended = False  # IDAT chunks came; another kind followed them
    while True:
        length, kind = struct.unpack(">I4s", _read(handle, 8))
        if kind == b"IHDR" and (rows is not None or length != 13):
            raise RasterDamaged("PNG header chunk is invalid")
        if kind == b"IDAT" and (rows is None or data_ended):
            raise RasterDamaged("PNG image data is out of place")
        data_ended = data_began and kind != b"IDAT"
        data_began = data_began or kind == b"IDAT"
        crc, header, kept = zlib.crc32(kind), b"", []
        for piece in _pieces(handle, length):
            crc = zlib.crc32(piece, crc)
            if rows is not None and kind == b"IDAT":
                _inflate(inflater, rows, piece, copy)
            elif kind == b"IHDR":
                header = piece
            if copy is not None and kind != b"IDAT":
                kept.append(piece)
        (stored,) = struct.unpack(">I", _read(handle, 4))
        if stored != crc:
            raise RasterDamaged(f"PNG {kind.decode('latin-1')!r} chunk is damaged (CRC)")
        if copy is not None and kind != b"IDAT":
            copy.chunk(kind, kept, crc)
        if header:
            rows = _Rows(header)
            if rows.complete:
                raise RasterDamaged("PNG image has no pixels")
        if kind == b"IEND":
            break
    if rows is None or not rows.complete:
        raise RasterDamaged("PNG image data ends before its last row")


def _inflate(inflater: Any, rows: _Rows, piece: bytes, copy: _StoredCopy | None) -> None:
    """Inflate ``piece`` into ``rows`` (and ``copy``), no more than they need, a bounded
    piece at a time."""
    while piece and not rows.complete:
        if inflater.eof:
            raise RasterDamaged("PNG image data ends before its last row")
        try:
            out = inflater.decompress(piece, _PIECE if copy is None else _COPIED_PIECE)
        except isal_zlib.error as exc:
            raise RasterDamaged(f"PNG image data is damaged ({exc})") from None
        rows.feed(out)
        if copy is not None:
            copy.rows(out)
        piece = inflater.unconsumed_tail
