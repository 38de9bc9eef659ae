"""Images read as they are used, never held whole: the single HTML page carries each as
a data URI written from the image's file as the page is written (``render/page.
write_page``), a platform package zips each from its file (``formats/lms.images``), and
an image is fitted from a stripped copy on disk (``render/resample``). The PDF's join:
``test_pdf_images.py``."""

from __future__ import annotations

import base64
import io
import re
import tracemalloc
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, PngImagePlugin

from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.formats.cc.render import cartridge
from casekit.formats.lms import write_package
from casekit.render.image_metadata import strip_metadata
from casekit.render.page import SinglePageWriter, StreamedPageWriter, page_parts, write_page
from casekit.render.resample import SCREEN_BOX, Sizing
from casekit.resolve.editions import apply_edition

LESSON = """---
title: Суреттер
---

Бірінші сурет:

![Үлкен сурет](media/big.png)

Сол сурет қайтадан: ![Үлкен сурет](media/big.png)
"""


def big_png(size: tuple[int, int] = (2000, 1500)) -> bytes:
    """A PNG of ``size`` stored, not compressed (9 MB), with a text chunk of metadata."""
    image = Image.new("RGB", size, "#e8eef4")
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 50):
        draw.rectangle((x, 200, x + 30, size[1] - 200), fill=(x % 256, 120, 200 - x % 200))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Айгүл Серікқызы")
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0, pnginfo=info)
    return out.getvalue()


def test_the_page_streams_each_image_from_its_file(make_course, tmp_path: Path) -> None:
    data = big_png()
    root = make_course({"a.md": LESSON}, files={"media/big.png": data})
    loaded = load_course(root, Diagnostics())
    assert loaded is not None
    course = apply_edition(loaded, "learner")
    writer = StreamedPageWriter(course)
    (lesson,) = course.lessons()
    assert len(writer.lesson(lesson)) < 10_000  # what the fragment cache keeps

    page = tmp_path / "page.html"
    tracemalloc.start()
    try:
        with page.open("wb") as out:
            write_page(course, writer, out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) // 2, f"{peak} bytes traced for a {len(data)}-byte image"

    written = page.read_bytes()
    uris = re.findall(rb'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', written)
    assert len(uris) == 2
    stripped = strip_metadata(data, "png")
    assert b"Author" in data and b"Author" not in stripped
    assert all(base64.b64decode(uri) == stripped for uri in uris)
    assert b"\0" not in written
    # the same bytes as the page with the data URIs in the lessons' markup
    whole = "".join(page_parts(course, SinglePageWriter(course))).encode("utf-8")
    assert written == whole


def test_an_image_is_fitted_without_holding_its_file(make_course) -> None:
    """A 36 MB PNG fitted to the screen outside a build (no scratch file of its check):
    stripped into a temporary file as it is read and decoded from there; what Python
    holds meanwhile (tracemalloc: the fitted image's encoding) stays under half the
    file, and the result is the picture at screen size."""
    data = big_png((4000, 3000))
    root = make_course({"a.md": LESSON}, files={"media/big.png": data})
    loaded = load_course(root, Diagnostics())
    assert loaded is not None
    (item,) = loaded.media
    tracemalloc.start()
    try:
        fitted = Sizing(remember=False).image(root, item, SCREEN_BOX)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) // 2, f"{peak} bytes traced for a {len(data)}-byte image"
    with Image.open(io.BytesIO(fitted)) as small:
        assert small.size == (1600, 1200)
        assert small.getpixel((10, 600)) == (0, 120, 200)  # the first band


def test_a_cartridge_zips_each_image_from_its_file(make_course, tmp_path: Path) -> None:
    """The Common Cartridge (as SCORM, ``formats/lms.images``) writes each picture into
    its entry from the file as the package is written: tracemalloc's peak stays under
    half the image, and the entry is the image without its metadata."""
    data = big_png()
    root = make_course({"a.md": LESSON}, files={"media/big.png": data})
    course = load_course(root, Diagnostics())
    assert course is not None
    package = tmp_path / "course.imscc"
    tracemalloc.start()
    try:
        with package.open("wb") as out:
            write_package(course, cartridge(course), out)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(data) // 2, f"{peak} bytes traced for a {len(data)}-byte image"
    with zipfile.ZipFile(package) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".png")]
        assert archive.read(name) == strip_metadata(data, "png")
