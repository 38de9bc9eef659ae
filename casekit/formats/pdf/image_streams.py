"""Raster images as PDF image XObjects, carrying their compressed data as it is
wherever PDF can read it.

A JPEG's DCT data and a PNG's zlib stream (with its row filters: PDF's PNG predictors)
go into the PDF unchanged, so embedding them decodes and compresses nothing. reportlab
(``Canvas.drawImage``) decodes every image to hash its pixels, compresses PNG pixels
again and writes both as ASCII85 text, a quarter larger. Only what PDF cannot carry
directly is decoded, once: transparency (an ``SMask`` of its own), interlaced or 16-bit
PNG, and JPEG that is neither baseline nor progressive. The data is read from a stream
when the packet writes it (``Copied``): a photo's megabytes pass through in bounded
pieces, never gathered.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO

from PIL import Image
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFDocument,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFString,
)
from reportlab.pdfbase.pdfutils import readJPEGInfo

from casekit.render.image_metadata import (
    ImageStructureError,
    copy_bytes,
    copy_stripped,
    png_walk,
)

_GREY, _RGB, _PALETTE = 0, 2, 3  # PNG colour types PDF reads as they are
_COLOURS = {_GREY: 1, _RGB: 3, _PALETTE: 1}
_SPACES = {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}


class _Raw(PDFObject):
    """PDF syntax written as it is (a palette's hex string, a reference of the packet)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


Write = Callable[[bytes], object]


class Copied:
    """A stream's data, ``length`` bytes, copied from where it is when the packet writes
    it (``copy`` writes them and says how many it wrote)."""

    def __init__(self, length: int, copy: Callable[[Write], int]) -> None:
        self.length = length
        self.copy = copy

    def __len__(self) -> int:
        return self.length

    def write(self, write: Write) -> None:
        if self.copy(write) != self.length:
            raise ImageStructureError("the image changed while it was written")


class _Counted:
    """A sink that counts what is written to it (and passes it on to ``write``)."""

    def __init__(self, write: Write | None = None) -> None:
        self.size = 0
        self.passed = write

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.passed is not None:
            self.passed(data)


@dataclass
class ImageStream(PDFObject):
    """One image XObject: its dictionary entries and already encoded data."""

    width: int
    height: int
    colour_space: Any  # a PDFName or an indexed colour space's PDFArray
    bits: int
    data: bytes | Copied  # ``Copied``: only for ``dictionary`` (``format`` writes bytes)
    filter: str = "FlateDecode"
    parameters: dict[str, int] | None = None  # DecodeParms
    decode: list[int] | None = None
    smask: PDFObjectReference | None = None
    reference: str = ""  # ``REFERENCE``: which image the packet puts in its place

    def entries(self) -> dict[str, Any]:
        """The image dictionary's entries but /SMask and ``REFERENCE``."""
        entries: dict[str, Any] = {
            "Type": PDFName("XObject"),
            "Subtype": PDFName("Image"),
            "Width": self.width,
            "Height": self.height,
            "BitsPerComponent": self.bits,
            "ColorSpace": self.colour_space,
            "Filter": PDFName(self.filter),
        }
        if self.parameters:
            entries["DecodeParms"] = PDFDictionary(self.parameters)
        if self.decode:
            entries["Decode"] = PDFArray(self.decode)
        return entries

    def format(self, document: Any) -> bytes:
        entries = self.entries()
        if self.smask is not None:
            entries["SMask"] = self.smask
        if self.reference:
            entries[REFERENCE[1:]] = PDFString(self.reference)
        assert isinstance(self.data, bytes), "an image read when written is the packet's"
        return PDFStream(PDFDictionary(entries), self.data, filters=()).format(document)

    def dictionary(self, smask: int | None = None) -> bytes:
        """The image's dictionary as an object the packet writes itself (``join.py``),
        with its soft mask, object number ``smask``."""
        entries = self.entries() | {"Length": len(self.data)}
        if smask is not None:
            entries["SMask"] = _Raw(b"%d 0 R" % smask)
        return pdfdoc.format(PDFDictionary(entries), PDFDocument())


#: the entry of a stand-in image XObject that names the image it stands for
REFERENCE = "/CasekitImage"


def embed_reference(canvas: Any, name: str, key: str) -> None:
    """Make a stand-in for image ``key`` the canvas's XObject ``name``: a piece of the
    packet names its images, and the joined packet carries each once (``join.py``)."""
    stand_in = ImageStream(1, 1, PDFName("DeviceGray"), 8, zlib.compress(b"\0"), reference=key)
    canvas._doc.addForm(name, stand_in)


def image_streams(source: BinaryIO, strip: bool) -> tuple[ImageStream, ImageStream | None]:
    """The image XObject of a PNG or JPEG read from ``source`` (seekable, at its start;
    read again when written), and its soft mask if it has one. ``strip``: a JPEG's
    metadata is removed as it is copied (``source`` is the course's file)."""
    jpeg = source.read(2) == b"\xff\xd8"
    source.seek(0)
    direct = _jpeg(source, strip) if jpeg else _png(source)
    source.seek(0)
    return (direct, None) if direct is not None else _decoded(source)


def _jpeg(source: BinaryIO, strip: bool) -> ImageStream | None:
    try:
        width, height, components, _dpi = readJPEGInfo(source)
    except Exception:  # not baseline, extended or progressive 8-bit: decoded instead
        return None
    if components not in _SPACES:
        return None
    source.seek(0)
    if strip:
        length = _stripped_jpeg(source, None)
        data = Copied(length, partial(_stripped_jpeg, source))
    else:
        length = source.seek(0, 2)
        data = Copied(length, partial(_copied, source))
    # CMYK JPEGs come from Adobe software, which stores the channels inverted
    decode = [1, 0] * 4 if components == 4 else None
    space = PDFName(_SPACES[components])
    return ImageStream(width, height, space, 8, data, "DCTDecode", decode=decode)


def _stripped_jpeg(source: BinaryIO, write: Write | None) -> int:
    """The JPEG in ``source`` without metadata (``copy_stripped``) to ``write``; its size."""
    source.seek(0)
    out = _Counted(write)
    copy_stripped(source, out, "jpeg")  # type: ignore[arg-type]
    return out.size


def _copied(source: BinaryIO, write: Write) -> int:
    source.seek(0)
    return copy_bytes(source, write, -1)


def _png(source: BinaryIO) -> ImageStream | None:
    header = b""
    palette = b""
    length = 0
    for kind, start, end in png_walk(source):
        if kind == b"IHDR":
            header = source.read(end - start - 12)
        elif kind == b"PLTE":
            palette = source.read(end - start - 12)
        elif kind == b"tRNS":
            return None  # transparency: an SMask, which needs the pixels
        elif kind == b"IDAT":
            length += end - start - 12
    if len(header) != 13:
        return None
    width, height, bits, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", header
    )
    if colour not in _COLOURS or interlace or bits == 16 or (colour == _RGB and bits != 8):
        return None
    space: Any = PDFName(_SPACES[_COLOURS[colour]])
    if colour == _PALETTE:
        if not palette:
            return None
        space = PDFArray(
            [
                PDFName("Indexed"),
                PDFName("DeviceRGB"),
                len(palette) // 3 - 1,
                _Raw(b"<%s>" % palette.hex().encode()),
            ]
        )
    parameters = {"Predictor": 15, "Colors": _COLOURS[colour], "BitsPerComponent": bits}
    parameters["Columns"] = width
    data = Copied(length, partial(_png_data, source))
    return ImageStream(width, height, space, bits, data, parameters=parameters)


def _png_data(source: BinaryIO, write: Write) -> int:
    """The PNG's compressed pixels (its IDAT chunks' data, one zlib stream) to ``write``;
    how many bytes. Every byte of ``source`` is read, in order (a reader that hashes
    what it reads sees the whole file)."""
    source.seek(0)
    written = 0
    for kind, start, end in png_walk(source):
        body = end - start - 12
        if kind == b"IDAT":
            written += copy_bytes(source, write, body)
        else:
            copy_bytes(source, None, body)
        source.read(4)  # its CRC
    return written


def _decoded(source: BinaryIO) -> tuple[ImageStream, ImageStream | None]:
    """Pixels compressed again: colour, and the alpha channel as a soft mask."""
    with Image.open(source) as image:
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        if transparent:
            image = image.convert("RGBA")
            alpha: Image.Image | None = image.getchannel("A")
            image = image.convert("RGB")
        else:
            alpha = None
            if image.mode not in ("L", "RGB", "CMYK"):
                image = image.convert("L" if image.mode in ("1", "I", "I;16", "F") else "RGB")
        colours = {"L": 1, "RGB": 3, "CMYK": 4}[image.mode]
        main = _flate(image, colours)
    mask = _flate(alpha, 1) if alpha is not None else None
    return main, mask


def _flate(image: Image.Image, colours: int) -> ImageStream:
    space = PDFName(_SPACES[colours])
    return ImageStream(image.width, image.height, space, 8, zlib.compress(image.tobytes()))
