"""Large images are embedded at the size each output needs (print resolution for the
PDF and DOCX, screen size for the EPUB), made once per content and kept in the build
cache, or as they are when the course asks (``original_images``)."""

from __future__ import annotations

import functools
import hashlib
import io
import multiprocessing
import os
import threading
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFile, ImageStat
from pypdf import PdfReader

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import CasekitError, Diagnostics, error
from casekit.files.cache import BuildCache
from casekit.render import resample
from casekit.render.image_metadata import strip_metadata
from casekit.render.images import KeptBytes, image_bytes
from casekit.render.resample import (
    RESAMPLE_ABOVE,
    SCREEN_BOX,
    Prefit,
    Sizing,
    needs_resampling,
    print_box,
)
from tests.conftest import build, built
from tests.forked import in_forked_child

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


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """No image fitted earlier in this process (by another test)."""
    monkeypatch.setattr(resample, "_fitted", KeptBytes())


class Decoded:
    """The pixel size of every image file Pillow decodes (``ImageFile.load``), in this
    process or in the worker processes forked from it (a line each in a file)."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def sizes(self) -> list[tuple[int, int]]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return sorted((int(w), int(h)) for w, h in map(str.split, lines))

    def clear(self) -> None:
        self.log.unlink(missing_ok=True)


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Decoded:
    made = Decoded(tmp_path / "decoded.log")
    original = ImageFile.ImageFile.load

    def counting(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to make
            with made.log.open("a") as log:
                log.write(f"{self.size[0]} {self.size[1]}\n")
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return made


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
    tmp_path: Path,
) -> None:
    (tmp_path / "screen.png").write_bytes(screenshot(dpi=144))
    (tmp_path / "photo.jpg").write_bytes(photo())
    cache = BuildCache(tmp_path / "build")
    box = print_box(120 / 25.4 * 72, 80 / 25.4 * 72)  # 12 x 8 cm at print resolution
    assert box == (1418, 945)
    screen = Sizing(cache).image(tmp_path, item(tmp_path / "screen.png", "png"), box)
    with Image.open(io.BytesIO(screen)) as image:
        assert image.format == "PNG" and image.size == (1418, 945)
        assert image.info["dpi"][0] == pytest.approx(144 * 1418 / 3000, abs=0.1)
    jpeg = Sizing(cache).image(tmp_path, item(tmp_path / "photo.jpg", "jpeg"), box)
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG" and image.size == (1418, 945)
    assert cache.stats.resampled == ["screen.png 1418x945", "photo.jpg 1418x945"]
    # the same content and box again: from the cache, byte for byte
    again = BuildCache(tmp_path / "build")
    next_process = Sizing(again, remember=False)
    assert next_process.image(tmp_path, item(tmp_path / "screen.png", "png"), box) == screen
    assert again.stats.resampled == []


def test_only_an_image_half_as_large_again_as_its_box_is_resampled(tmp_path: Path) -> None:
    """Print presets leave images up to 450 ppi as they are: a 3000-pixel screenshot
    printed 17 cm wide (448 ppi) is carried whole, never decoded; on screen (1600
    pixels) it is more than 2400 pixels, so made smaller."""
    (tmp_path / "screen.png").write_bytes(screenshot())
    screen = item(tmp_path / "screen.png", "png")
    text_width = print_box(170 / 25.4 * 72, 120 / 25.4 * 72)
    assert text_width == (2008, 1418) and text_width[0] * RESAMPLE_ABOVE == 3012
    assert not needs_resampling(screen, text_width)
    assert needs_resampling(screen, print_box(160 / 25.4 * 72, 120 / 25.4 * 72))  # 476 ppi
    assert needs_resampling(screen, SCREEN_BOX)
    assert not needs_resampling(replace(screen, width=2400, height=1600), SCREEN_BOX)
    cache = BuildCache(tmp_path / "build")
    assert Sizing(cache).image(tmp_path, screen, text_width) == image_bytes(tmp_path, screen)
    assert cache.stats.resampled == []


def test_screen_images_are_area_averages_shared_by_the_jobs_of_a_process(
    tmp_path: Path,
) -> None:
    (tmp_path / "screen.png").write_bytes(screenshot())
    screen = item(tmp_path / "screen.png", "png")
    first = BuildCache(tmp_path / "build")
    made = Sizing(first).image(tmp_path, screen, SCREEN_BOX)
    with Image.open(io.BytesIO(made)) as small, Image.open(tmp_path / "screen.png") as whole:
        expected = whole.reduce(2)  # 1500x1000: within 7/8 of the 1600x1067 filling the box
        assert ImageChops.difference(small.convert("RGB"), expected).getbbox() is None
        assert small.info["dpi"] == pytest.approx((72, 72), abs=0.05)  # was 144: same inches
    # another edition or format in this process, even one reading no cache (--force)
    forced = BuildCache(tmp_path / "build", read=False)
    assert Sizing(forced).image(tmp_path, screen, SCREEN_BOX) == made
    assert Sizing(forced, remember=False).image(tmp_path, screen, SCREEN_BOX) == made
    assert (first.stats.resampled, forced.stats.resampled) == (["screen.png 1600x1600"], [])
    # a job that keeps nothing in memory (the PDF) adds nothing there; what it made is
    # read back from the build cache (which a --force build reads for what it stored)
    box = print_box(100, 100)
    small = Sizing(forced, remember=False).image(tmp_path, screen, box)
    assert resample._fitted.find((screen.sha256, box)) is None
    assert Sizing(forced, remember=False).image(tmp_path, screen, box) == small
    assert forced.stats.resampled == ["screen.png 417x417"]


@pytest.mark.parametrize(
    ("size", "fmt", "fitted", "decoded_at"),
    [
        ((3000, 2000), "png", (1500, 1000), (3000, 2000)),  # 15/16 of 1600: halved
        ((3000, 2000), "jpeg", (1500, 1000), (1500, 1000)),  # decoded at half, no resize
        ((6000, 4000), "jpeg", (1500, 1000), (1500, 1000)),  # decoded at a quarter
        ((4000, 3000), "png", (1600, 1200), (4000, 3000)),  # a third: 5/6, too small
        ((4000, 3000), "jpeg", (1600, 1200), (2000, 1500)),  # half, then averaged
        ((2600, 300), "png", (1600, 185), (2600, 300)),  # a half: 13/16, too small
    ],
)
def test_a_screen_image_is_reduced_by_a_whole_factor_when_that_nearly_fills_the_box(
    size: tuple[int, int],
    fmt: str,
    fitted: tuple[int, int],
    decoded_at: tuple[int, int],
    tmp_path: Path,
    decoded: Decoded,
) -> None:
    """Each pixel the average of a square (a JPEG decoded at that scale) when that
    leaves at least 7/8 of the size filling the box; else the fractional average.
    Either way the picture is the original's, at that size."""
    picture = Image.radial_gradient("L").resize(size).convert("RGB")
    ImageDraw.Draw(picture).rectangle((0, 0, size[0] // 2, size[1] // 2), fill="#c03020")
    name = f"picture.{'jpg' if fmt == 'jpeg' else 'png'}"
    picture.save(tmp_path / name, quality=95)
    made = Sizing().image(tmp_path, item(tmp_path / name, fmt), SCREEN_BOX)
    assert decoded.sizes() == [decoded_at]
    with Image.open(io.BytesIO(made)) as small:
        assert small.size == fitted
        expected = picture.resize(fitted, Image.Resampling.BOX)
        difference = ImageChops.difference(small.convert("RGB"), expected)
        if fmt == "png":  # lossless: at most rounding
            assert max(high for _, high in difference.getextrema()) <= 1
        else:  # re-encoded: off by a little on average
            assert max(ImageStat.Stat(difference).mean) < 1.5


def test_images_are_fitted_into_files_on_worker_threads_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Sizing.fitting`` (the EPUB's): each file holds what ``Sizing.image`` gives, made
    on worker threads while the caller goes on, an image shown twice fitted once."""
    names = []
    for n, colour in enumerate(["#a03030", "#30a030", "#3030a0"]):
        image = Image.new("RGB", (2600, 300), colour)
        ImageDraw.Draw(image).line((0, 0, 2600, 300), fill="white", width=5 + n)
        image.save(tmp_path / f"{n}.png")
        names.append(f"{n}.png")
    Image.new("RGB", (800, 600), "gray").save(tmp_path / "small.png")
    (tmp_path / "again.png").write_bytes((tmp_path / "1.png").read_bytes())
    items = [item(tmp_path / n, "png") for n in [*names, "small.png", "again.png"]]
    threads: list[int] = []
    resize = Image.Image.resize

    def recording(self: Image.Image, *args: object, **kwargs: object) -> Image.Image:
        threads.append(threading.get_ident())
        return resize(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "resize", recording)
    monkeypatch.setattr(resample, "WORKERS", 2)  # as on two cores or more
    cache = BuildCache(tmp_path / "build")
    files = [tmp_path / f"out-{n}" for n in range(len(items))]
    with Sizing(cache).fitting(tmp_path, SCREEN_BOX) as fitting:
        for one, file in zip(items, files, strict=True):
            fitting.add(one, file)
        fitting.wait()
    assert len(threads) == 3 and threading.get_ident() not in threads
    assert sorted(cache.stats.resampled) == [f"{n} 1600x1600" for n in names]
    together = [file.read_bytes() for file in files]
    resample._fitted = KeptBytes()
    alone = [Sizing(BuildCache(tmp_path / "b2")).image(tmp_path, i, SCREEN_BOX) for i in items]
    assert together == alone and together[4] == together[1]
    assert together[3] == image_bytes(tmp_path, items[3])  # fits already: as it is


def test_an_image_that_cannot_be_fitted_stops_the_fitting_with_one_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "screen.png").write_bytes(screenshot())
    whole = item(tmp_path / "screen.png", "png")
    data = screenshot()
    (tmp_path / "screen.png").write_bytes(data[: len(data) // 2])  # cut after the probe
    broken = replace(whole, sha256=hashlib.sha256(data[: len(data) // 2]).hexdigest())
    with Sizing().fitting(tmp_path, SCREEN_BOX) as fitting:
        fitting.add(broken, tmp_path / "out.png")
        with pytest.raises(CasekitError) as caught:
            fitting.wait()
    found = caught.value.diagnostic  # raised on this thread, from the worker's
    assert (found.path, found.code) == ("screen.png", "media-invalid")
    assert "\n" not in str(found)


@pytest.mark.parametrize("where", ["processes", "threads"])
def test_a_build_fits_the_screen_images_while_it_parses_the_lessons(
    where: str, make_course: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``Prefit`` (a build with an EPUB to make): each image a lesson names is probed and
    fitted in worker processes (in worker threads where another thread ran when it was
    made: a fork would be unsafe) once that lesson is parsed; the resolver probes none
    again and takes the probe's answer; a damaged image is reported once, by the
    resolver. With processes, in a forked child of one thread (``tests/forked.py``)."""
    fits = functools.partial(fits_while_parsing, where, make_course, monkeypatch, tmp_path)
    if where == "processes":
        in_forked_child(fits)
    else:
        fits()


def fits_while_parsing(
    where: str, make_course: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = screenshot()
    root = make_course(
        {
            "a.md": LESSON,
            "b.md": "# Бұзылған\n\n![Сынық](media/cut.png)\n\n![Фото](media/photo.jpg)\n",
        },
        files={
            "media/screen.png": data,
            "media/photo.jpg": photo(),
            "media/cut.png": data[: len(data) // 2],
        },
    )
    log = tmp_path / "fitted.log"  # one line a decode: process, thread, what it read
    fit = resample._resample

    def recording(*args: object) -> bytes:
        line = f"{os.getpid()} {threading.current_thread().name} {type(args[0]).__name__}\n"
        with log.open("a") as out:
            out.write(line)
        return fit(*args)  # type: ignore[arg-type]

    def fitted() -> list[tuple[int, str, str]]:
        lines = log.read_text().splitlines() if log.exists() else []
        return [(int(pid), thread, read) for pid, thread, read in map(str.split, lines)]

    monkeypatch.setattr(resample, "_resample", recording)
    other = threading.Event()  # a thread running when the first image begins: no fork
    if where == "threads":
        threading.Thread(target=other.wait, daemon=True).start()
    cache = BuildCache(root / "build", read=False)  # as --force
    diags = Diagnostics()
    prefit = Prefit(root, cache, SCREEN_BOX)
    assert prefit.workers is None  # nothing begun before an image
    try:
        course = load_course(root, diags, cache, prefit=prefit)
    finally:
        prefit.close()
        other.set()
    assert (prefit.processes is not None) == (where == "processes")
    assert course is not None
    assert [(d.path, d.line, d.code) for d in diags.items if d.severity == "error"] == [
        ("b.md", 3, "media-invalid")
    ]
    assert sorted(cache.stats.probed) == ["media/photo.jpg", "media/screen.png"]  # once
    assert sorted(cache.stats.resampled) == [
        "media/photo.jpg 1600x1600",
        "media/screen.png 1600x1600",
    ]
    made = fitted()
    assert len(made) == 2
    if where == "processes":
        assert all(pid != os.getpid() for pid, _, _ in made)
    else:
        assert all(pid == os.getpid() and n.startswith("casekit-prefit") for pid, n, _ in made)
    # the PNG from what its check inflated (a scratch file, gone), the JPEG from its
    # stripped copy in a temporary file (never whole in memory)
    assert sorted(read for _, _, read in made) == ["BufferedRandom", "PosixPath"]
    assert not Path(prefit.scratch.name).exists()
    # beyond the scratch budget the PNG is checked alone and decoded from its file, the same
    monkeypatch.setattr(resample, "SCRATCH_BUDGET", 0)
    resample._fitted = KeptBytes()
    prefit = Prefit(root, BuildCache(root / "build", read=False), SCREEN_BOX)
    try:
        assert load_course(root, Diagnostics(), prefit.cache, prefit=prefit) is not None
    finally:
        prefit.close()
    assert [read for _, _, read in fitted()[2:]] == ["BufferedRandom", "BufferedRandom"]
    # the EPUB takes them as they were made, and makes them again the same
    made_again = [Sizing(cache).image(root, i, SCREEN_BOX) for i in course.media]
    assert len(fitted()) == 4 and cache.stats.resampled[2:] == []
    resample._fitted = KeptBytes()
    again = [Sizing().image(root, i, SCREEN_BOX) for i in course.media]
    assert made_again == again and len(fitted()) == 6


def test_the_prefit_begins_with_the_images_a_lesson_text_shows_before_it_is_parsed(
    make_course: Callable[..., Path], tmp_path: Path
) -> None:
    """``Prefit.sources``: the images each lesson file's text shows are probed and fitted
    before the lesson is parsed; a guess the parse does not confirm (in a code block)
    costs its work only: the course, its media and its diagnostics are those of a load
    without a prefit. A URL, a path out of the course, a missing file and a pipe in place
    of a lesson begin nothing (and the pipe is never opened)."""
    code = "# Код\n\n```markdown\n![Мысал](media/other.png) ![Жоқ](media/none.PNG)\n```\n"
    web = "\n![Желіде](https://example.org/y.png)\n\n![Сырт](../outside.png)\n"
    root = make_course(
        {"a.md": LESSON, "b.md": code + web},
        files={"media/screen.png": screenshot(), "media/photo.jpg": photo()},
    )
    (root / "media" / "other.png").write_bytes(screenshot(dpi=72))
    (tmp_path / "outside.png").write_bytes(screenshot())
    os.mkfifo(root / "pipe.md")
    expected_diags = Diagnostics()
    expected = load_course(root, expected_diags, BuildCache(root / "plain", read=False))
    assert expected is not None
    cache = BuildCache(root / "build", read=False)
    prefit = Prefit(root, cache, SCREEN_BOX)
    try:
        looked = threading.Thread(target=prefit.sources, args=(["a.md", "b.md", "pipe.md"],))
        looked.start()
        looked.join(10)
        assert not looked.is_alive()
        assert sorted(p.name for p in prefit.probes) == [
            "none.PNG",
            "other.png",
            "photo.jpg",
            "screen.png",
        ]
        screen = prefit.probed(root / "media" / "screen.png")  # no lesson parsed yet
        assert screen is not None and (screen.width, screen.height) == WIDE
        assert prefit.probed(root / "media" / "none.PNG") is None
        diags = Diagnostics()
        course = load_course(root, diags, cache, prefit=prefit)
    finally:
        prefit.close()
    assert course is not None
    assert [m.path for m in course.media] == [m.path for m in expected.media]
    assert course.media == expected.media
    assert diags.items == expected_diags.items
    assert sorted(cache.stats.resampled) == [
        "media/other.png 1600x1600",  # the wrong guess: fitted, never shown
        "media/photo.jpg 1600x1600",
        "media/screen.png 1600x1600",
    ]


def test_a_forced_or_first_epub_build_fits_before_it_hashes_the_course(
    image_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The images are begun before the course's files are hashed when the EPUB is built
    for sure (forced, or never built); an EPUB built before waits for its check (a
    no-change build begins nothing); a build stopped by an error leaves no thread or
    process running. In a forked child of one thread: ``-j 2`` forks workers
    (``tests/forked.py``)."""
    in_forked_child(functools.partial(begins_before_hashing, image_course, tmp_path, monkeypatch))


def begins_before_hashing(
    image_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casekit.build import pipeline
    from casekit.formats.epub import book

    made: list[Prefit] = []
    begun_at_hashing: list[list[str]] = []
    prefit, hashing = pipeline._prefit, pipeline.file_digests

    def recording_prefit(*args: object) -> Prefit | None:
        found = prefit(*args)  # type: ignore[arg-type]
        made.extend([found] if found is not None else [])
        return found

    def recording_hashing(*args: object) -> object:
        begun_at_hashing.append(sorted(p.name for one in made for p in one.probes))
        return hashing(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_prefit", recording_prefit)
    monkeypatch.setattr(pipeline, "file_digests", recording_hashing)
    out = tmp_path / "out"

    def begun_and_made(**options: object) -> tuple[list[str], int]:
        made.clear()
        build(image_course, ["epub"], out, editions=("learner",), **options)
        return begun_at_hashing[-1], len(made)

    assert begun_and_made() == (["photo.jpg", "screen.png"], 1)
    assert begun_and_made() == ([], 0)  # nothing to do
    lesson = image_course / "a.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nТағы бір сөйлем.\n", "utf-8")
    assert begun_and_made() == ([], 1)  # begun after the check
    assert begun_and_made(force=True) == (["photo.jpg", "screen.png"], 1)
    assert made[0].processes is None  # one process (--jobs 1): threads
    (threads,) = built(build(image_course, ["epub"], out, editions=("learner",)), "epub").values()
    in_threads = threads.read_bytes()
    assert begun_and_made(force=True, jobs=2) == (["photo.jpg", "screen.png"], 1)
    assert made[0].processes is not None  # fitted in worker processes: the same book
    assert threads.read_bytes() == in_threads
    lesson.write_text(lesson.read_text("utf-8") + "\nТағы бір.\n", "utf-8")
    assert begun_and_made(jobs=2) == ([], 1)
    assert made[0].processes is None  # an edit: the images remembered, nothing forked

    def failing(*_args: object) -> None:
        raise error("a.md", "the book cannot be written", "test-failure")

    monkeypatch.setattr(book, "render_epub", failing)
    with pytest.raises(CasekitError):
        build(image_course, ["epub"], out, editions=("learner",), force=True, jobs=2)
    assert not [th for th in threading.enumerate() if th.name.startswith("casekit-prefit")]
    assert multiprocessing.active_children() == []  # its worker processes too


@pytest.mark.slow
def test_each_output_carries_images_at_the_size_it_needs_made_once(
    image_course: Path, tmp_path: Path, decoded: Decoded
) -> None:
    out = tmp_path / "out"
    formats = ["pdf", "docx", "epub"]
    result = build(image_course, formats, out, contents_pages=False)
    # the EPUB's two editions share one fitting of each image; the PDF and DOCX carry
    # them as they are (448 ppi at the text width); the probe decodes the JPEG at an
    # eighth of its size and makes no pixels of the PNG; the fitting decodes the JPEG
    # at half its size, what the screen takes of it
    fitted = ["media/photo.jpg 1600x1600", "media/screen.png 1600x1600"]
    assert sorted(result.cache.stats.resampled) == fitted
    assert decoded.sizes() == [(375, 250), (1500, 1000), WIDE]
    epub = built(result, "epub")
    assert epub_images(epub["learner"]) == epub_images(epub["teacher"])
    assert (
        sorted(Image.open(io.BytesIO(d)).size for d in epub_images(epub["learner"]))
        == [(1500, 1000)] * 2
    )
    media = image_course / "media"
    originals = {
        strip_metadata((media / "screen.png").read_bytes(), "png"),
        strip_metadata((media / "photo.jpg").read_bytes(), "jpeg"),
    }
    with zipfile.ZipFile(built(result, "docx")["learner"]) as document:
        carried = {document.read(n) for n in document.namelist() if n.startswith("word/media/")}
    assert carried == originals
    page = PdfReader(built(result, "pdf")["learner"])
    widths = sorted(
        int(x.get_object()["/Width"])
        for p in page.pages
        for x in p["/Resources"].get("/XObject", {}).values()
        if x.get_object()["/Subtype"] == "/Image"
    )
    assert widths == [WIDE[0]] * 2

    # an edit, built by a new process (nothing in memory): no image decoded again
    lesson = image_course / "a.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nЖаңа абзац.\n", "utf-8")
    resample._fitted = KeptBytes()
    decoded.clear()
    again = build(image_course, formats, out, contents_pages=False)
    assert again.cache.stats.resampled == [] and decoded.sizes() == []  # probes cached too
    assert epub_images(built(again, "epub")["learner"]) == epub_images(epub["learner"])

    # --force reads no cache: each image fitted once again, for both editions
    resample._fitted = KeptBytes()
    forced = build(image_course, ["epub"], out, force=True)
    assert sorted(forced.cache.stats.resampled) == fitted


def epub_images(book: Path) -> list[bytes]:
    with zipfile.ZipFile(book) as archive:
        return [
            archive.read(n)
            for n in sorted(archive.namelist())
            if n.startswith("EPUB/images/") and not n.endswith("cover.png")
        ]


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


def test_the_prefit_threads_probe_before_they_fit_and_stop_after_every_task() -> None:
    """The resolver waits for every probe, the EPUB for none of the fittings: a probe
    given after fittings is begun first; a cancelled close runs nothing that waits."""
    workers = resample._Workers("test-workers", resample.WORKERS)
    gate, ran = threading.Event(), []
    busy = [workers.submit(resample._FIT, gate.wait) for _ in range(resample.WORKERS)]
    fits = [workers.submit(resample._FIT, ran.append, f"fit {n}") for n in range(2)]
    probe = workers.submit(resample._PROBE, ran.append, "probe")
    gate.set()
    workers.shutdown(cancel=False)
    assert all(f.done() for f in [*busy, *fits, probe])
    assert ran[0] == "probe" and sorted(ran[1:]) == ["fit 0", "fit 1"]
    stopped = resample._Workers("test-workers", resample.WORKERS)
    gate.clear()
    running = [stopped.submit(resample._FIT, gate.wait) for _ in range(resample.WORKERS)]
    waiting = stopped.submit(resample._FIT, ran.append, "never")
    threading.Timer(0.2, gate.set).start()
    stopped.shutdown(cancel=True)
    assert waiting.cancelled() and "never" not in ran and all(f.done() for f in running)
