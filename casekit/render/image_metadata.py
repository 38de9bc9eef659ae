"""Removing metadata from raster images before they reach a learner.

A teacher's phone photo carries EXIF (camera, owner, date, GPS position), XMP,
IPTC and comments; a PNG may carry text chunks. None of it is needed to show the
picture, and some of it is personal data, so every output (bundle, EPUB, DOCX,
HTML, PDF) embeds images only through ``strip_metadata``. The one thing kept is
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
from typing import BinaryIO

from PIL import Image

ORIENTATION = 0x0112
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"}
_JPEG_KEPT_APP = {0xE0: b"JFIF", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}
_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
#: text keywords Pillow reads an orientation from (EXIF, raw EXIF profile, XMP)
_PNG_EXIF_KEYWORDS = {b"exif", b"Raw profile type exif", b"XML:com.adobe.xmp"}
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
    """The EXIF orientation as Pillow reads it (a PNG's pixels may be decoded for it)."""
    try:
        with Image.open(source) as image:
            value = image.getexif().get(ORIENTATION, 1)
    except Exception:  # unreadable EXIF: the picture is shown as stored
        return 1
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


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
    if source.read(len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
        raise ImageStructureError("not a PNG (no signature)")
    orientation = 1
    if _png_orientation_possible(source):
        source.seek(start)
        orientation = _orientation(source)
    source.seek(start + len(_PNG_SIGNATURE))
    out.write(_PNG_SIGNATURE)
    pos = len(_PNG_SIGNATURE)
    while header := source.read(8):
        length, kind = _png_chunk(header, pos)
        if kind == b"IDAT" and orientation != 1:
            body = _tiff_orientation(orientation)
            chunk = b"eXIf" + body
            out.write(struct.pack(">I", len(body)) + chunk + struct.pack(">I", zlib.crc32(chunk)))
            orientation = 1
        keep = kind not in _PNG_DROPPED
        if keep:
            out.write(header)
        if _copy(source, out if keep else None, length + 4) < length + 4:
            raise ImageStructureError(f"PNG chunk at byte {pos} runs past the end")
        pos += 12 + length
        if kind == b"IEND":
            break
    _copy(source, None, -1)  # what follows the end: read (and hashed), never written


def _png_chunk(header: bytes, pos: int) -> tuple[int, bytes]:
    if len(header) < 8:
        raise ImageStructureError(f"PNG chunk at byte {pos} runs past the end")
    (length,) = struct.unpack(">I", header[:4])
    return length, header[4:8]


def _png_orientation_possible(source: BinaryIO) -> bool:
    """Whether a PNG has a chunk Pillow reads an orientation from (``eXIf``, or text
    under a keyword Pillow takes EXIF or XMP from), seen from the chunks' headers and
    keywords only. Without one, Pillow would decode the whole picture to find none."""
    pos = len(_PNG_SIGNATURE)
    while len(header := source.read(8)) == 8:
        length, kind = _png_chunk(header, pos)
        skip = length + 4
        if kind == b"eXIf":
            return True
        if kind in _PNG_TEXT:
            start = source.read(min(length, 80))  # a keyword has 1-79 bytes and a NUL
            if start.split(b"\0", 1)[0] in _PNG_EXIF_KEYWORDS:
                return True
            skip -= len(start)
        source.seek(skip, os.SEEK_CUR)
        pos += 12 + length
        if kind == b"IEND":
            break
    return False


def _copy(source: BinaryIO, out: BinaryIO | None, count: int) -> int:
    """Copy (or with ``out`` None skip by reading) ``count`` bytes, -1: to the end; the
    number of bytes there were."""
    done = 0
    while count < 0 or done < count:
        chunk = source.read(CHUNK if count < 0 else min(CHUNK, count - done))
        if not chunk:
            break
        if out is not None:
            out.write(chunk)
        done += len(chunk)
    return done
