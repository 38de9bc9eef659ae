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
import struct
import zlib
from collections.abc import Iterator

from PIL import Image

ORIENTATION = 0x0112
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"tIME", b"eXIf"}
_JPEG_KEPT_APP = {0xE0: b"JFIF", 0xE2: b"ICC_PROFILE\0", 0xEE: b"Adobe"}


class ImageStructureError(ValueError):
    """The image's segments or chunks do not add up (the message says where)."""


def strip_metadata(data: bytes, fmt: str) -> bytes:
    """``data`` (a ``png`` or ``jpeg`` file) without metadata but its orientation."""
    if fmt == "jpeg":
        return _jpeg(data)
    if fmt == "png":
        return _png(data)
    return data


def _orientation(data: bytes) -> int:
    """A JPEG's EXIF orientation (Pillow reads it from the header, no pixels decoded)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _checked(image.getexif().get(ORIENTATION, 1))
    except Exception:  # unreadable EXIF: the picture is shown as stored
        return 1


def _png_orientation(data: bytes) -> int:
    """A PNG's orientation from its eXIf chunk (Pillow's ``getexif`` would decode every
    pixel to look for the chunk after the image data)."""
    for kind, start, end in png_chunks(data):
        if kind == b"eXIf":
            try:
                exif = Image.Exif()
                exif.load(data[start + 8 : end - 4])
                return _checked(exif.get(ORIENTATION, 1))
            except Exception:  # unreadable EXIF: the picture is shown as stored
                return 1
    return 1


def _checked(value: object) -> int:
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def png_chunks(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    """Each chunk of a PNG file, up to ``IEND``: its type and where the whole chunk
    (length, type, data, CRC) starts and ends; its data is ``data[start + 8 : end - 4]``."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ImageStructureError("not a PNG (no signature)")
    pos = len(_PNG_SIGNATURE)
    while pos < len(data):
        if pos + 12 > len(data):
            raise ImageStructureError(f"PNG chunk at byte {pos} runs past the end")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
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


def _jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise ImageStructureError("not a JPEG (no start marker)")
    kept = _jpeg_segments(data)
    orientation = _orientation(data)
    if orientation == 1 and kept[0].startswith(b"\xff\xe0"):
        return b"\xff\xd8" + b"".join(kept)
    # the orientation, or else a minimal EXIF block as the first segment: readers such
    # as python-docx recognise a JPEG by a JFIF or EXIF segment right after the start
    exif = b"Exif\0\0" + _tiff_orientation(orientation)
    return b"\xff\xd8\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + b"".join(kept)


def _jpeg_segments(data: bytes) -> list[bytes]:
    """The segments to keep after the start marker, the image data last."""
    out: list[bytes] = []
    pos = 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and data[pos + 1 : pos + 2] == b"\xff":
            pos += 1  # fill bytes
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise ImageStructureError(f"broken JPEG segment at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the image data follows, kept as it is
            out.append(data[pos:])
            return out
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise ImageStructureError(f"JPEG segment at byte {pos} runs past the end")
        payload = data[pos + 4 : end]
        app = 0xE0 <= marker <= 0xEF
        if marker == 0xFE or (app and not payload.startswith(_JPEG_KEPT_APP.get(marker, b"\0\0"))):
            pos = end  # comments, EXIF, XMP, IPTC and any other application data
            continue
        out.append(data[pos:end])
        pos = end


def _png(data: bytes) -> bytes:
    orientation = _png_orientation(data)
    out = [_PNG_SIGNATURE]
    for kind, start, end in png_chunks(data):
        if kind == b"IDAT" and orientation != 1:
            body = _tiff_orientation(orientation)
            chunk = b"eXIf" + body
            out.append(struct.pack(">I", len(body)) + chunk + struct.pack(">I", zlib.crc32(chunk)))
            orientation = 1
        if kind not in _PNG_DROPPED:
            out.append(data[start:end])
    return b"".join(out)
