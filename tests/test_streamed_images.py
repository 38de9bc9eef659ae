"""The single HTML page carries each image as a data URI written from the image's file
as the page is written (``render/page.write_page``): no lesson's markup, cached
fragment or memory holds its pictures, and the page is the same bytes as one made
with the images in the markup."""

from __future__ import annotations

import base64
import io
import re
import tracemalloc
from pathlib import Path

from PIL import Image, ImageDraw, PngImagePlugin

from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.render.image_metadata import strip_metadata
from casekit.render.page import SinglePageWriter, StreamedPageWriter, page_parts, write_page
from casekit.resolve.editions import apply_edition

LESSON = """---
title: Суреттер
---

Бірінші сурет:

![Үлкен сурет](media/big.png)

Сол сурет қайтадан: ![Үлкен сурет](media/big.png)
"""


def big_png() -> bytes:
    """A 9 MB PNG (stored, not compressed) with a text chunk of metadata."""
    image = Image.new("RGB", (2000, 1500), "#e8eef4")
    draw = ImageDraw.Draw(image)
    for x in range(0, 2000, 50):
        draw.rectangle((x, 200, x + 30, 1300), fill=(x % 256, 120, 200 - x % 200))
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
