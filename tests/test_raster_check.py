"""The media probe checks that a PNG or JPEG is whole without making its pixels
(``resolve/raster_check.py``): every PNG Pillow decodes is accepted, and a damaged one,
whatever the damage, is refused in one line, though its pixels are never decoded."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from casekit.resolve.media import MediaError, probe
from casekit.resolve.raster_check import (
    ADAM7_PASSES,
    RasterDamaged,
    check_raster,
    decodable_png,
)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(
    width: int,
    height: int,
    rows: bytes,
    colour: int = 2,
    bits: int = 8,
    interlace: int = 0,
    split: int = 0,
    extra: bytes = b"",
) -> bytes:
    """A PNG of ``rows`` (filter bytes included) deflated, in IDAT chunks of ``split``
    bytes if given, ``extra`` chunks before the end."""
    header = struct.pack(">IIBBBBB", width, height, bits, colour, 0, 0, interlace)
    data = zlib.compress(rows)
    pieces = [data[i : i + split] for i in range(0, len(data), split)] if split else [data]
    palette = chunk(b"PLTE", bytes(range(48))) if colour == 3 else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + palette
        + b"".join(chunk(b"IDAT", p) for p in pieces)
        + extra
        + chunk(b"IEND", b"")
    )


def rows(count: int, length: int, filters: Iterator[int] | None = None) -> bytes:
    """``count`` rows of ``length`` bytes of pixels, each after its filter byte."""
    kinds = filters or iter(lambda: 0, None)
    return b"".join(
        bytes([next(kinds)]) + bytes((i * 7 + j) % 251 for j in range(length)) for i in range(count)
    )


def adam7(width: int, height: int, channels: int) -> bytes:
    """Interlaced image data: the seven passes' rows, unfiltered."""
    out = b""
    for x0, y0, dx, dy in ADAM7_PASSES:  # a wrong table makes PNGs Pillow refuses
        columns = len(range(x0, width, dx))
        lines = len(range(y0, height, dy))
        if columns:
            out += rows(lines, columns * channels)
    return out


def pillow_decodes(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, SyntaxError, ValueError):
        return False
    return True


WHOLE = {
    "rgb": png(9, 5, rows(5, 27)),
    "rgb, filters 0-4": png(9, 5, rows(5, 27, iter([0, 1, 2, 3, 4]))),
    "grey, 1 bit": png(13, 3, rows(3, 2), colour=0, bits=1),
    "palette, 4 bits": png(5, 4, rows(4, 3), colour=3, bits=4),
    "grey and alpha, 16 bits": png(3, 3, rows(3, 12), colour=4, bits=16),
    "rgba": png(4, 2, rows(2, 16), colour=6),
    "interlaced rgb": png(11, 9, adam7(11, 9, 3), interlace=1),
    "interlaced, 1x1": png(1, 1, adam7(1, 1, 3), interlace=1),
    "data in 7-byte chunks": png(40, 30, rows(30, 120), split=7),
    "text after the data": png(9, 5, rows(5, 27), extra=chunk(b"tEXt", b"a\0b")),
}


@pytest.mark.parametrize("name", list(WHOLE))
def test_whole_pngs_of_every_kind_are_accepted(tmp_path: Path, name: str) -> None:
    data = WHOLE[name]
    assert pillow_decodes(data)  # the builder makes real PNGs
    (tmp_path / "a.png").write_bytes(data)
    check_raster(tmp_path / "a.png", "png")


def photo_like_rgba(width: int, height: int) -> bytes:
    """A real PNG that Pillow writes in many IDAT chunks, every row filter used."""
    image = Image.radial_gradient("L").resize((width, height)).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((width, height)))
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150), icc_profile=b"not a real profile")
    return out.getvalue()


@pytest.mark.parametrize("name", [*WHOLE, "pillow's rgba"])
def test_the_decodable_copy_of_a_png_has_its_pixels_and_chunks(tmp_path: Path, name: str) -> None:
    """``decodable_png`` checks as ``check_raster`` does and writes the PNG with its image
    data stored, not deflated: a whole PNG (its CRCs and zlib checksum right) of the
    same pixels, resolution and profile; the hash is the file's."""
    data = WHOLE[name] if name in WHOLE else photo_like_rgba(300, 200)
    (tmp_path / "a.png").write_bytes(data)
    with (tmp_path / "copy.png").open("w+b") as into:
        assert decodable_png(tmp_path / "a.png", into) == hashlib.sha256(data).hexdigest()
    copy = (tmp_path / "copy.png").read_bytes()
    check_raster(tmp_path / "copy.png", "png")  # CRCs, rows and zlib stream whole
    assert zlib.decompress(idat(copy)) == zlib.decompress(idat(data))
    assert idat(copy)[:2] == b"\x78\x01" and len(idat(copy)) > len(zlib.decompress(idat(data)))
    with Image.open(io.BytesIO(data)) as original, Image.open(io.BytesIO(copy)) as made:
        assert made.tobytes() == original.tobytes() and made.mode == original.mode
        assert made.info == original.info


def idat(data: bytes) -> bytes:
    """The image data of every IDAT chunk of ``data``, joined."""
    out, at = b"", 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        out += data[at + 8 : at + 8 + length] if kind == b"IDAT" else b""
        at += 12 + length
    return out


def with_crc_of(data: bytes, kind: bytes, change: Callable[[bytes], bytes]) -> bytes:
    """``data`` with the body of its first ``kind`` chunk changed, and its CRC made right."""
    at = data.index(kind) - 4
    (length,) = struct.unpack(">I", data[at : at + 4])
    body = change(data[at + 8 : at + 8 + length])
    return data[:at] + chunk(kind, body) + data[at + 12 + length :]


def text_between_data_chunks() -> bytes:
    data = png(9, 5, rows(5, 27), split=20)
    second = data.index(b"IDAT", data.index(b"IDAT") + 4) - 4
    return data[:second] + chunk(b"tEXt", b"a\0b") + data[second:]


GOOD = png(9, 5, rows(5, 27))
DAMAGED = {
    "a byte changed": (GOOD[:60] + bytes([GOOD[60] ^ 1]) + GOOD[61:], "damaged"),
    "cut in the data": (GOOD[:70], "ends inside a chunk"),
    "no end chunk": (GOOD[: -len(chunk(b"IEND", b""))], "ends inside a chunk"),
    "a row short": (png(9, 5, rows(4, 27)), "ends before its last row"),
    "an unknown row filter": (png(9, 5, rows(5, 27, iter([0, 0, 5, 0, 0]))), "filter 5"),
    "data not deflated": (
        with_crc_of(GOOD, b"IDAT", lambda b: b"\x78\x9c" + b"\xff" * 40),
        "damaged",
    ),
    "data cut, CRC right": (with_crc_of(GOOD, b"IDAT", lambda b: b[: len(b) // 2]), "last row"),
    "data around a text chunk": (text_between_data_chunks(), "out of place"),
    "a bit depth RGB lacks": (png(9, 5, rows(5, 14), bits=4), "header is invalid"),
}


@pytest.mark.parametrize("name", list(DAMAGED))
def test_damaged_pngs_are_refused_with_the_reason(tmp_path: Path, name: str) -> None:
    data, reason = DAMAGED[name]
    (tmp_path / "a.png").write_bytes(data)
    with pytest.raises(RasterDamaged, match=reason):
        check_raster(tmp_path / "a.png", "png")
    with pytest.raises(RasterDamaged, match=reason), (tmp_path / "copy.png").open("w+b") as into:
        decodable_png(tmp_path / "a.png", into)


def test_an_unknown_row_filter_is_what_pillow_refuses_too() -> None:
    data, _ = DAMAGED["an unknown row filter"]
    assert not pillow_decodes(data)


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[int, int]]]:
    """Every image Pillow makes pixels of (``ImageFile.load``): format and pixel size."""
    made: list[tuple[str, tuple[int, int]]] = []
    original = ImageFile.ImageFile.load

    def counting(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to make
            made.append((str(self.format), self.size))
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return made


def test_the_probe_makes_no_pixels_of_a_png_and_an_eighth_of_a_jpeg(
    tmp_path: Path, decoded: list[tuple[str, tuple[int, int]]]
) -> None:
    image = Image.radial_gradient("L").resize((1600, 800)).convert("RGB")
    image.save(tmp_path / "a.png")
    image.save(tmp_path / "a.jpg", quality=90)
    assert (probe(tmp_path / "a.png").width, probe(tmp_path / "a.jpg").width) == (1600, 1600)
    assert decoded == [("JPEG", (200, 100))]

    whole = (tmp_path / "a.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(MediaError, match="corrupt or truncated"):
        probe(tmp_path / "cut.jpg")
    (tmp_path / "cut.png").write_bytes((tmp_path / "a.png").read_bytes()[:-400])
    with pytest.raises(MediaError, match="corrupt or truncated"):
        probe(tmp_path / "cut.png")
