"""Raster images in the PDF carry their compressed data as it is where PDF can read it
(JPEG, PNG without transparency) and are decoded once otherwise; pdfium, a real PDF
reader, draws every kind as the source pixels."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tracemalloc
from typing import BinaryIO

import pikepdf
import pypdfium2
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from pypdf import PdfReader

from casekit import tree as t
from casekit.diagnostics import CasekitError
from casekit.formats.pdf.join import _Output, write_image
from casekit.render.image_metadata import png_chunks
from casekit.render.images import open_image
from tests.conftest import COURSE_TOML, build, built

SIZE = (96, 64)


def picture(mode: str) -> Image.Image:
    """Colour bands and a diagonal, with a transparent corner in modes with alpha."""
    image = Image.new("RGB", SIZE, "#f0f0f0")
    draw = ImageDraw.Draw(image)
    for x in range(0, SIZE[0], 12):
        draw.rectangle((x, 0, x + 11, SIZE[1]), fill=(x * 2 % 256, 90 + x % 120, 200 - x))
    draw.line((0, 0, *SIZE), fill="black", width=5)
    if mode == "RGBA":
        image = image.convert("RGBA")
        image.paste((0, 0, 0, 0), (0, 0, 30, 20))
        return image
    if mode == "P":
        return image.quantize(16)
    return image.convert(mode)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def compressed(data: bytes) -> bytes:
    """A JPEG file itself, or a PNG's zlib stream (its IDAT chunks' data)."""
    if data.startswith(b"\xff\xd8"):
        return data
    return b"".join(data[s + 8 : e - 4] for kind, s, e in png_chunks(data) if kind == b"IDAT")


def pdf_of(data: bytes) -> bytes:
    """One page showing ``data`` at its pixel size on white, the image written as the
    packet writes it (``join.write_image``)."""
    buffer = io.BytesIO()
    write_pdf(buffer, io.BytesIO(data), False, SIZE)
    return buffer.getvalue()


def write_pdf(
    stream: BinaryIO, source: BinaryIO, strip: bool, size: tuple[int, int]
) -> tuple[int, int]:
    """A page of ``size`` points showing the image in ``source`` into ``stream``; the
    peak of memory traced while the image was written, and its data's size."""
    out = _Output(stream, 4)  # 1: the catalogue, 2: the page tree, 3: the page
    out.write(b"%PDF-1.4\n")
    tracemalloc.start()
    before = out.offset
    try:
        image = write_image(out, source, strip)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    written = out.offset - before
    drawing = b"q %d 0 0 %d 0 0 cm /img Do Q" % size
    content = out.take()
    out.object(content, b"<</Length %d>>" % len(drawing), drawing)
    resources = b"<</XObject <</img %d 0 R>>>>" % image
    out.object(
        3,
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R>>"
        % (*size, resources, content),
    )
    out.object(2, b"<</Type /Pages /Kids [3 0 R] /Count 1>>")
    out.object(1, b"<</Type /Catalog /Pages 2 0 R>>")
    out.end(None)
    return peak, written


def shown(pdf: bytes) -> Image.Image:
    page = pypdfium2.PdfDocument(pdf)[0]
    return page.render(scale=1).to_pil().convert("RGB")


def on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


CASES = [
    ("png", "RGB", {}, "FlateDecode", True),
    ("png", "L", {}, "FlateDecode", True),
    ("png", "P", {}, "FlateDecode", True),
    ("png", "1", {}, "FlateDecode", True),
    ("png", "RGBA", {}, "FlateDecode", False),
    ("png", "RGB", {"transparency": (240, 240, 240)}, "FlateDecode", False),
    ("png", "P", {"transparency": 0}, "FlateDecode", False),
    ("png", "I;16", {}, "FlateDecode", False),
    ("jpeg", "RGB", {"quality": 95}, "DCTDecode", True),
    ("jpeg", "L", {"quality": 95}, "DCTDecode", True),
    ("jpeg", "RGB", {"quality": 95, "progressive": True}, "DCTDecode", True),
]


@pytest.mark.parametrize(("fmt", "mode", "options", "pdf_filter", "as_is"), CASES)
def test_every_kind_of_raster_image_shows_its_pixels(
    fmt: str, mode: str, options: dict[str, object], pdf_filter: str, as_is: bool
) -> None:
    source = picture(mode if mode != "I;16" else "L")
    if mode == "I;16":
        source = source.convert("I;16")
    data = encoded(source, fmt.upper(), **options)
    pdf = pdf_of(data)
    (image,) = [
        x.get_object()
        for x in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/XObject"].values()
    ]
    assert image["/Filter"] == f"/{pdf_filter}"
    # as is: the file's own compressed data in the PDF, not decoded and compressed again
    assert (compressed(data) in pdf) == as_is
    assert ("/SMask" in image) == (mode == "RGBA" or "transparency" in options)
    with Image.open(io.BytesIO(data)) as original:
        expected = on_white(original if mode != "I;16" else original.convert("L"))
    difference = ImageStat.Stat(ImageChops.difference(shown(pdf), expected)).mean
    tolerance = 3 if fmt == "jpeg" else 1  # pdfium and Pillow decode JPEG slightly apart
    assert max(difference) < tolerance, difference


def test_an_image_shown_in_two_modules_is_carried_once(make_course, tmp_path) -> None:
    """Each module is laid out as a PDF of its own and the pieces are joined
    (``join.py``): an image both show, with its soft mask, is one object of the packet,
    and no piece carries it."""
    toml = COURSE_TOML.format(lessons='"a.md"') + '\n[[modules]]\ntitle = "N"\nlessons = ["b.md"]\n'
    lesson = "---\ntitle: {0}\n---\n\n![Сурет](media/p.png)\n\n![Фото](media/f.jpg)\n"
    course = make_course(
        {"a.md": lesson.format("A"), "b.md": lesson.format("B")},
        toml=toml,
        files={
            "media/p.png": encoded(picture("RGBA"), "PNG"),
            "media/f.jpg": encoded(picture("RGB"), "JPEG", quality=90),
        },
    )
    result = build(course, ["pdf"], tmp_path / "out", editions=("learner",))
    with pikepdf.open(built(result, "pdf")["learner"]) as pdf:
        shown = [
            (page.index, xobject.objgen)
            for page in pdf.pages
            for xobject in (page.obj.Resources.get("/XObject") or {}).values()
            if xobject.get("/Subtype") == "/Image"
        ]
        images = {objgen for _, objgen in shown}
        every = [
            o
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
        ]
    assert len({index for index, _ in shown}) >= 2  # shown on pages of both modules
    assert len(images) == 2  # the PNG and the JPEG, once each
    assert len(every) == 3  # and the PNG's soft mask
    # the pieces name their images: neither they nor their cache entries carry them
    jpeg = (course / "media" / "f.jpg").read_bytes()
    assert compressed(jpeg)[-2000:] in built(result, "pdf")["learner"].read_bytes()
    pieces = [f for f in (tmp_path / "out").glob("*/.cache/pdf-piece/**/*") if f.is_file()]
    assert len(pieces) >= 3  # the front and the two modules
    assert not any(compressed(jpeg)[-2000:] in piece.read_bytes() for piece in pieces)


def _item(path: str, data: bytes, size: tuple[int, int], digest: str = "") -> t.MediaItem:
    return t.MediaItem(
        path=path,
        kind="image",
        format="png",
        size=len(data),
        sha256=digest or hashlib.sha256(data).hexdigest(),
        bundle_path="",
        target_url="",
        width=size[0],
        height=size[1],
    )


def test_a_large_png_is_joined_from_its_file_in_bounded_pieces(tmp_path) -> None:
    """The join copies a PNG's compressed pixels from the course's file as it writes
    them (``image_streams.Copied``, ``render.images.open_image``): the memory traced
    while a 12 MB PNG is written stays a small part of its data. qpdf finds the PDF
    sound and pdfium draws the picture's pixels."""
    size = (2000, 2000)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 40):
        draw.rectangle((x, 0, x + 39, size[1]), fill=(x % 256, 90 + x % 120, 200 - x % 200))
    draw.line((0, 0, *size), fill="black", width=25)
    data = encoded(image, "PNG", compress_level=0)  # stored: 12 MB of IDAT data
    (tmp_path / "p.png").write_bytes(data)
    pdf = tmp_path / "p.pdf"
    with pdf.open("wb") as stream, open_image(tmp_path, _item("p.png", data, size)) as source:
        peak, written = write_pdf(stream, source, True, size)
    assert len(data) > written > 12_000_000  # the IDAT data, the whole of it
    assert peak < 4 * 1024 * 1024, f"{peak} bytes traced while writing {len(data)}"
    check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert compressed(data) in pdf.read_bytes()
    difference = ImageStat.Stat(ImageChops.difference(shown(pdf.read_bytes()), image)).mean
    assert max(difference) < 1, difference


def test_an_image_changed_since_it_was_checked_is_not_joined(tmp_path) -> None:
    """The file the join reads is the one the build checked (its SHA-256, over every
    byte, however little of it the PDF takes): else ``media-changed``."""
    data = encoded(picture("RGB"), "PNG")
    (tmp_path / "p.png").write_bytes(data)
    item = _item("p.png", data, SIZE, hashlib.sha256(b"what was checked").hexdigest())
    with pytest.raises(CasekitError, match="changed"), open_image(tmp_path, item) as source:
        write_pdf(io.BytesIO(), source, True, SIZE)
