"""PNG files of fitted images: every row with the Up filter, deflated by ISA-L.

Pillow's PNG encoder tries every row filter on every row and deflates with zlib: 70 ms
for a screenshot fitted to 1600x1067 and 220 ms for a photo. The Up filter (each byte
less the one above it) is one Pillow operation on the whole image, and ISA-L (``isal``,
already the probe's inflater) deflates at level 1 in a few milliseconds: 8 and 20 ms,
the screenshot 5-8 % larger, the photo 8 % smaller (benchmarks/README.md, issue 18,
fifth round). OpenCV's libpng encoder with the Up filter alone took 31 and 102 ms. The
file states the resolution and carries the colour profile as Pillow writes them.
"""

from __future__ import annotations

import struct
import zlib

import isal
from isal import isal_zlib
from PIL import Image, ImageChops

#: PNG colour type of each mode written (8 bits a sample); ``png_bytes`` converts others
COLOUR_TYPES = {"L": 0, "RGB": 2, "LA": 4, "RGBA": 6}
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_UP = b"\x02"  # the Up row filter
_LEVEL = 1  # ISA-L's levels are 0-3: 2 and 3 gain nothing here for 1.2-3x the time
#: what makes the bytes, for cache keys: a rebuild never reuses another encoder's files
VERSION = f"up-filter, ISA-L {isal.__version__} level {_LEVEL}"


def png_bytes(image: Image.Image, dpi: float, icc: bytes | None) -> bytes:
    """``image`` (a mode of ``COLOUR_TYPES``) as a PNG file stating ``dpi`` pixels per
    inch and carrying the colour profile ``icc`` (when it has one)."""
    width, height = image.size
    above = Image.new(image.mode, image.size)  # each row's upper neighbour; zero above row 1
    above.paste(image.crop((0, 0, width, height - 1)), (0, 1))
    raw = ImageChops.subtract_modulo(image, above).tobytes()
    stride = len(raw) // height
    rows = b"".join(_UP + raw[at : at + stride] for at in range(0, len(raw), stride))
    del raw
    per_metre = int(dpi / 0.0254 + 0.5)  # as Pillow rounds it
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[image.mode], 0, 0, 0)
    return b"".join(
        [
            _SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            _chunk(b"iCCP", b"ICC Profile\0\0" + zlib.compress(icc)) if icc else b"",
            _chunk(b"IDAT", isal_zlib.compress(rows, _LEVEL)),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
