"""Removing metadata from raster images before they reach a learner.

A teacher's phone photo carries EXIF (camera, owner, date, GPS position), XMP,
IPTC and comments; a PNG may carry text chunks. None of it is needed to show the
picture, and some of it is personal data, so every output (bundle, EPUB, DOCX,
HTML, PDF) embeds images only through ``copy_stripped`` (``strip_metadata`` in
memory), or, in the PDF, only a PNG's pixel data (its IDAT chunks). The one thing kept is
the EXIF orientation, written back as a minimal EXIF block of that single tag,
so a photo taken sideways still shows upright.

JPEG: APP0 (JFIF), APP2 ICC profile and APP14 (Adobe colour transform) are kept;
every other APPn segment and comments are dropped; the image data is untouched.
PNG: tEXt, zTXt, iTXt, tIME and eXIf chunks are dropped; the pixels are untouched.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from PIL import Image

ORIENTATION = 0x0112
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"}
_JPEG_KEPT_APP = {0xE0: b"JFIF", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
CHUNK = 1024 * 1024


class ImageStructureError(ValueError):
    """The image's segments or chunks do not add up (the message says where)."""


def strip_metadata(data: bytes, fmt: str) -> bytes:
    """``data`` (a ``png`` or ``jpeg`` file) without metadata but its orientation."""
    out = io.BytesIO()
    copy_stripped(io.BytesIO(data), out, fmt)
    return out.getvalue()


def copy_stripped(source: BinaryIO, out: BinaryIO, fmt: str) -> None:
    """``strip_metadata`` from a seekable stream to another: only a JPEG's segments before
    its image data are held, a PNG's chunks are copied through a bounded buffer, so a
    bundle never holds a picture in memory. Every byte of ``source`` is read once
    in order, though some are read again (a reader that hashes what it reads first sees
    the whole file once)."""
    if fmt == "jpeg":
        _jpeg(source, out)
    elif fmt == "png":
        _png(source, out)
    else:
        shutil.copyfileobj(source, out, CHUNK)


def _orientation(source: BinaryIO) -> int:
    """A JPEG's EXIF orientation (Pillow reads it from the header, no pixels decoded)."""
    try:
        with Image.open(source) as image:
            return _checked(image.getexif().get(ORIENTATION, 1))
    except Exception:  # unreadable EXIF: the picture is shown as stored
        return 1


def _png_orientation(source: BinaryIO) -> int:
    """A PNG's orientation from its eXIf chunk (Pillow's ``getexif`` would decode every
    pixel to look for the chunk after the image data); the other chunks are skipped."""
    for kind, start, end in png_walk(source):
        if kind == b"eXIf":
            try:
                exif = Image.Exif()
                exif.load(source.read(end - start - 12))
                return _checked(exif.get(ORIENTATION, 1))
            except Exception:  # unreadable EXIF: the picture is shown as stored
                return 1
    return 1


def _checked(value: object) -> int:
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def png_chunks(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """Each chunk of a PNG file, up to ``IEND``: its type and where the whole chunk
    (length, type, data, CRC) starts and ends; its data is ``data[start + 8 : end - 4]``."""
    return png_walk(io.BytesIO(data))


def png_walk(source: BinaryIO) -> Iterator[tuple[bytes, int, int]]:
    """``png_chunks`` of a seekable stream at the file's start. Each chunk is yielded with
    the stream at its data, which the caller may read; the walk then goes on from the
    chunk's end (seeking: a caller that must see every byte reads them)."""
    base = source.tell()
    size = source.seek(0, os.SEEK_END) - base
    source.seek(base)
    if source.read(len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
        raise ImageStructureError("not a PNG (no signature)")
    pos = len(_PNG_SIGNATURE)
    while pos < size:
        if pos + 12 > size:
            raise ImageStructureError(f"PNG chunk at byte {pos} runs past the end")
        source.seek(base + pos)
        (length,) = struct.unpack(">I", source.read(4))
        kind = source.read(4)
        end = pos + 12 + length
        if end > size:
            raise ImageStructureError(f"PNG chunk at byte {pos} runs past the end")
        yield kind, pos, end
        pos = end
        if kind == b"IEND":
            break


def _tiff_orientation(value: int) -> bytes:
    """A big-endian TIFF header with one IFD holding only the orientation."""
    return b"MM\x00\x2a\x00\x00\x00\x08" + struct.pack(
        ">HHHIHHI", 1, ORIENTATION, 3, 1, value, 0, 0
    )


class _Head:
    """The bytes of a stream read so far, read on as far as asked."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.data = bytearray()

    def has(self, end: int) -> bool:
        """Whether the stream has ``end`` bytes (reading up to there)."""
        while len(self.data) < end:
            more = self.source.read(max(end - len(self.data), 65536))
            if not more:
                return False
            self.data += more
        return True

    def byte(self, pos: int) -> int | None:
        return self.data[pos] if self.has(pos + 1) else None


def _jpeg(source: BinaryIO, out: BinaryIO) -> None:
    start = source.tell()
    head = _Head(source)
    if not head.has(2) or head.data[:2] != b"\xff\xd8":
        raise ImageStructureError("not a JPEG (no start marker)")
    kept, scan = _jpeg_segments(head)
    source.seek(start)
    orientation = _orientation(source)  # Pillow reads the segments (and an MPO's index)
    source.seek(start + len(head.data))
    if orientation != 1 or not kept or not kept[0].startswith(b"\xff\xe0"):
        # the orientation, or else a minimal EXIF block as the first segment: readers such
        # as python-docx recognise a JPEG by a JFIF or EXIF segment right after the start
        exif = b"Exif\0\0" + _tiff_orientation(orientation)
        out.write(b"\xff\xd8\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    else:
        out.write(b"\xff\xd8")
    out.write(b"".join(kept))
    out.write(head.data[scan:])  # the image data, kept as it is
    shutil.copyfileobj(source, out, CHUNK)


def _jpeg_segments(head: _Head) -> tuple[list[bytes], int]:
    """The segments to keep after the start marker, and where the image data starts."""
    out: list[bytes] = []
    pos = 2
    while True:
        while head.byte(pos) == 0xFF and head.byte(pos + 1) == 0xFF:
            pos += 1  # fill bytes
        if not head.has(pos + 4) or head.data[pos] != 0xFF:
            raise ImageStructureError(f"broken JPEG segment at byte {pos}")
        marker = head.data[pos + 1]
        (length,) = struct.unpack(">H", head.data[pos + 2 : pos + 4])
        if marker == 0xDA:  # start of scan: Pillow reads its header; the image data follows
            head.has(pos + 2 + length)
            return out, pos
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            out.append(bytes(head.data[pos : pos + 2]))
            pos += 2
            continue
        end = pos + 2 + length
        if length < 2 or not head.has(end):
            raise ImageStructureError(f"JPEG segment at byte {pos} runs past the end")
        payload = head.data[pos + 4 : end]
        app = 0xE0 <= marker <= 0xEF
        if marker == 0xFE or (app and not payload.startswith(_JPEG_KEPT_APP.get(marker, b"\0\0"))):
            pos = end  # comments, EXIF, XMP, IPTC and any other application data
            continue
        out.append(bytes(head.data[pos:end]))
        pos = end


def _png(source: BinaryIO, out: BinaryIO) -> None:
    start = source.tell()
    orientation = _png_orientation(source)
    source.seek(start)
    out.write(_PNG_SIGNATURE)
    for kind, begin, end in png_walk(source):
        if kind == b"IDAT" and orientation != 1:
            body = _tiff_orientation(orientation)
            chunk = b"eXIf" + body
            out.write(struct.pack(">I", len(body)) + chunk + struct.pack(">I", zlib.crc32(chunk)))
            orientation = 1
        keep = kind not in _PNG_DROPPED
        if keep:
            out.write(struct.pack(">I", end - begin - 12) + kind)
        copy_bytes(source, out.write if keep else None, end - begin - 8)  # read if dropped
    copy_bytes(source, None, -1)  # what follows the end: read (and hashed), never written


def copy_bytes(source: BinaryIO, write: Callable[[bytes], object] | None, count: int) -> int:
    """Copy ``count`` bytes (-1: to the end) to ``write`` in bounded pieces, or read them
    past with ``None``; the number of bytes there were."""
    done = 0
    while count < 0 or done < count:
        chunk = source.read(CHUNK if count < 0 else min(CHUNK, count - done))
        if not chunk:
            break
        if write is not None:
            write(chunk)
        done += len(chunk)
    return done
