"""Large images are embedded at the size each output needs (print resolution for the
PDF and DOCX, screen size for the EPUB), made once per content and kept in the build
cache, or as they are when the course asks (``original_images``)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from casekit import tree as t
from casekit.files.cache import BuildCache
from casekit.render import resample
from casekit.render.resample import PRINT_DPI, SCREEN_PIXELS, fitted_image, print_box
from tests.conftest import build, built

WIDE = (3000, 2000)


def screenshot(dpi: int = 144) -> bytes:
    image = Image.new("RGB", WIDE, "#f3f3f3")
    draw = ImageDraw.Draw(image)
    for y in range(0, WIDE[1], 40):
        draw.line((0, y, WIDE[0], y + 300), fill=(y % 255, 90, 160), width=7)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def photo() -> bytes:
    image = Image.radial_gradient("L").resize(WIDE).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


LESSON = """\
---
title: Суреттер
---

![Экран суреті](media/screen.png)

![Фото](media/photo.jpg)
"""


@pytest.fixture
def image_course(make_course: Callable[..., Path]) -> Path:
    return make_course(
        {"a.md": LESSON}, files={"media/screen.png": screenshot(), "media/photo.jpg": photo()}
    )


@pytest.fixture
def resamplings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every image really decoded and re-encoded, by the box it was fitted to."""
    done: list[tuple[int, int]] = []
    original = resample._resample

    def counting(data: bytes, item: t.MediaItem, box: tuple[int, int]) -> bytes:
        done.append(box)
        return original(data, item, box)

    monkeypatch.setattr(resample, "_resample", counting)
    return done


def item(path: Path, fmt: str) -> t.MediaItem:
    import hashlib

    data = path.read_bytes()
    with Image.open(path) as image:
        width, height = image.size
    return t.MediaItem(
        path=path.name,
        kind="image",
        format=fmt,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        bundle_path="",
        target_url="",
        width=width,
        height=height,
    )


def test_a_large_image_fits_the_box_keeps_its_printed_size_and_is_made_once(
    tmp_path: Path, resamplings: list[tuple[int, int]]
) -> None:
    (tmp_path / "screen.png").write_bytes(screenshot(dpi=144))
    (tmp_path / "photo.jpg").write_bytes(photo())
    cache = BuildCache(tmp_path / "build")
    box = print_box(170 / 25.4 * 72, 120 / 25.4 * 72)  # 17 x 12 cm at print resolution
    assert box == (2008, 1418)
    screen = fitted_image(tmp_path, item(tmp_path / "screen.png", "png"), box, cache)
    with Image.open(io.BytesIO(screen)) as image:
        assert image.format == "PNG" and image.size == (2008, 1339)
        assert image.info["dpi"][0] == pytest.approx(144 * 2008 / 3000, abs=0.1)
    jpeg = fitted_image(tmp_path, item(tmp_path / "photo.jpg", "jpeg"), box, cache)
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == (2008, 1339)
    assert resamplings == [box, box]
    # the same content and box again: from the cache, byte for byte
    assert fitted_image(tmp_path, item(tmp_path / "screen.png", "png"), box, cache) == screen
    assert resamplings == [box, box]
    # an image that already fits is embedded as it is (metadata removed only)
    small = item(tmp_path / "screen.png", "png")
    assert fitted_image(tmp_path, small, (3000, 2000), cache)[:8] == b"\x89PNG\r\n\x1a\n"
    assert resamplings == [box, box]
    # a job that embeds each image once (the PDF) keeps none of them in memory
    once = resample.Sizing(cache, remember=False)
    assert once.image(tmp_path, small, box) == screen and not once.made
    kept = resample.Sizing(cache)
    assert kept.image(tmp_path, small, box) == screen and list(kept.made) == [(small.sha256, box)]


@pytest.mark.slow
def test_each_output_carries_images_at_the_size_it_needs(
    image_course: Path, tmp_path: Path, resamplings: list[tuple[int, int]]
) -> None:
    out = tmp_path / "out"
    result = build(
        image_course, ["pdf", "docx", "epub"], out, editions=("learner",), contents_pages=False
    )
    print_width = 170 / 25.4 * PRINT_DPI  # A4 with 20 mm margins
    with zipfile.ZipFile(built(result, "epub")["learner"]) as book:
        sizes = [
            Image.open(io.BytesIO(book.read(n))).size
            for n in book.namelist()
            if n.startswith("EPUB/images/") and not n.endswith("cover.png")
        ]
    assert sorted(sizes) == [(SCREEN_PIXELS, 1067)] * 2
    with zipfile.ZipFile(built(result, "docx")["learner"]) as document:
        sizes = [
            Image.open(io.BytesIO(document.read(n))).size
            for n in document.namelist()
            if n.startswith("word/media/")
        ]
    assert len(sizes) == 2 and all(abs(w - print_width) < 2 and h < 2000 for w, h in sizes)
    page = PdfReader(built(result, "pdf")["learner"])
    widths = sorted(
        int(x.get_object()["/Width"])
        for p in page.pages
        for x in p["/Resources"].get("/XObject", {}).values()
        if x.get_object()["/Subtype"] == "/Image"
    )
    assert widths and all(w <= print_width + 1 for w in widths)
    made = len(resamplings)
    assert made == len(set(resamplings)) * 2  # each image once per size needed

    lesson = image_course / "a.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nЖаңа абзац.\n", "utf-8")
    build(image_course, ["pdf", "docx", "epub"], out, editions=("learner",), contents_pages=False)
    assert len(resamplings) == made  # unchanged images: none decoded again


@pytest.mark.slow
def test_original_images_are_carried_as_they_are(image_course: Path, tmp_path: Path) -> None:
    result = build(image_course, ["epub"], tmp_path / "out", original_images=True)
    with zipfile.ZipFile(built(result, "epub")["learner"]) as book:
        sizes = {
            Image.open(io.BytesIO(book.read(n))).size
            for n in book.namelist()
            if n.startswith("EPUB/images/") and not n.endswith("cover.png")
        }
    assert sizes == {WIDE}
