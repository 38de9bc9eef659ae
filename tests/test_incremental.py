"""Incremental and parallel builds: the cache skips what did not change, never trusts
a damaged entry, and parallel builds give the same bytes as serial ones."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from casekit.build.pipeline import build_course
from casekit.files.cache import CACHE_DIR
from tests.conftest import MINI, built, snapshot
from tests.conftest import build as build_formats


def build(course: Path, out: Path, force: bool = False, jobs: int = 1, **options: object):
    return build_formats(course, ["html"], out, force=force, jobs=jobs, **options)


def test_no_change_rebuild_writes_nothing(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build(mini_course, out)
    assert sorted(first.cache.stats.parsed) == [
        "lessons/01-computer.md",
        "lessons/02-files.md",
        "lessons/03-safety.md",
    ]
    before = snapshot(out)
    second = build(mini_course, out)
    assert snapshot(out) == before
    assert second.cache.stats.parsed == [] and second.cache.stats.reused == []  # not even loaded
    assert all(record.cached for record in second.outputs)
    assert second.cache.stats.skipped_outputs == ["html:learner", "html:teacher"]


def test_one_lesson_edit_reparses_only_that_lesson(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_course, out)
    page = out / "mini-kk" / "html" / "mini-kk-learner.html"
    before = page.read_bytes()
    lesson = mini_course / "lessons" / "03-safety.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nЖаңа абзац: өзгеріс.\n", "utf-8")
    result = build(mini_course, out)
    assert result.cache.stats.parsed == ["lessons/03-safety.md"]
    assert len(result.cache.stats.reused) == 2
    assert result.cache.stats.probed == []  # media unchanged: not hashed again
    assert not any(record.cached for record in result.outputs)
    assert page.read_bytes() != before and "Жаңа абзац: өзгеріс." in page.read_text("utf-8")


def test_media_and_option_changes_rebuild(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_course, out)
    (mini_course / "media" / "intro.vtt").write_text(
        (mini_course / "media" / "intro.vtt")
        .read_text("utf-8")
        .replace("Сәлеметсіз", "Қайырлы күн"),
        "utf-8",
    )
    changed = build(mini_course, out)
    assert not any(record.cached for record in changed.outputs)
    assert "Қайырлы күн" in (out / "mini-kk" / "html" / "mini-kk-teacher.html").read_text("utf-8")


@pytest.mark.slow
def test_an_option_rebuilds_only_the_formats_that_read_it(
    mini_course: Path, tmp_path: Path
) -> None:
    """A job's fingerprint holds the options of its own format only: --paper rebuilds
    the DOCX, not the HTML page; --embed-media (EPUB) and --zip (USB) rebuild neither."""
    out = tmp_path / "out"

    def cached(**options: object) -> dict[str, bool]:
        result = build_course(mini_course, ["html", "docx"], ("learner",), out, options=options)
        assert not result.stopped, result.diagnostics.sorted()
        return {record.format: record.cached for record in result.outputs}

    assert cached() == {"html": False, "docx": False}
    assert cached(embed_media=True, zip=True) == {"html": True, "docx": True}
    assert cached(paper="A5") == {"html": True, "docx": False}
    assert cached(paper="A5", margins_mm=30.0) == {"html": True, "docx": False}
    (mini_course / "course.toml").write_text(
        (mini_course / "course.toml")
        .read_text("utf-8")
        .replace("[docx]\n", "[docx]\nlarge_print = true\n"),
        "utf-8",
    )
    assert cached(paper="A5", margins_mm=30.0) == {"html": False, "docx": False}


def test_deleted_output_is_rebuilt(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_course, out)
    page = out / "mini-kk" / "html" / "mini-kk-teacher.html"
    page.unlink()
    result = build(mini_course, out)
    assert page.is_file()
    assert [r.cached for r in result.outputs] == [True, False]


def test_corrupt_cache_entries_are_rebuilt(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_course, out)
    cached = out / "mini-kk" / CACHE_DIR
    entries = [p for kind in ("lesson", "summary") for p in (cached / kind).rglob("*")]
    entries = [p for p in entries if p.is_file()]
    assert len(entries) == 6
    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[-5] ^= 0xFF
        entry.write_bytes(bytes(data))
    (out / "mini-kk" / CACHE_DIR / "outputs.json").write_text("{not json", "utf-8")
    lesson = mini_course / "lessons" / "01-computer.md"
    os.utime(lesson)  # same bytes: the course fingerprint is unchanged, the outputs record is not
    result = build(mini_course, out)
    assert result.cache.stats.rejected == 3  # the summaries: each lesson parsed again
    assert len(result.cache.stats.parsed) == 3
    assert not any(record.cached for record in result.outputs)


def test_force_ignores_the_cache(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_course, out)
    result = build(mini_course, out, force=True)
    assert len(result.cache.stats.parsed) == 3
    assert not any(record.cached for record in result.outputs)


@pytest.mark.slow
def test_parallel_build_is_identical_to_serial(tmp_path: Path) -> None:
    serial = build(MINI, tmp_path / "serial", jobs=1, force=True)
    parallel = build(MINI, tmp_path / "parallel", jobs=2, force=True)
    for a, b in zip(serial.outputs, parallel.outputs, strict=True):
        assert [p.read_bytes() for p in a.paths] == [p.read_bytes() for p in b.paths]


@pytest.mark.slow
def test_catalogue_build_with_summary(tmp_path: Path) -> None:
    from tests.conftest import casekit

    catalogue = tmp_path / "courses"
    shutil.copytree(MINI, catalogue / "mini")
    shutil.copytree(MINI, catalogue / "second")
    toml = catalogue / "second" / "course.toml"
    toml.write_text(toml.read_text("utf-8").replace('id = "mini-kk"', 'id = "second-kk"'), "utf-8")
    (catalogue / "notes").mkdir()  # not a course: ignored
    result = casekit("build", str(catalogue), "-f", "html", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[2:]]
    assert [(r[0], r[1], r[2], r[-1]) for r in rows] == [
        ("mini-kk", "html", "learner", "built"),
        ("mini-kk", "html", "teacher", "built"),
        ("second-kk", "html", "learner", "built"),
        ("second-kk", "html", "teacher", "built"),
    ]
    assert (tmp_path / "out" / "second-kk" / "html" / "second-kk-teacher.html").is_file()


def test_forced_build_is_remembered(mini_course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(mini_course, out, force=True)
    again = build(mini_course, out)
    assert all(record.cached for record in again.outputs)


@pytest.mark.slow
def test_bundle_rebuild_recopies_only_changed_media(mini_course: Path, tmp_path: Path) -> None:
    """An unchanged image, video or SVG is hard-linked from the previous bundle; the
    PDF the bundle carries is the one the same build made for ``-f pdf`` (built once)."""
    import bagit

    out = tmp_path / "out"
    first = build_course(mini_course, ["pdf", "usb"], ("learner",), out)
    assert not first.stopped
    assert [(r.format, r.edition) for r in first.outputs if r.format == "pdf"] == [
        ("pdf", "learner")
    ]
    bundle = out / "mini-kk" / "usb" / "mini-kk-1.0.0"
    (pdf,) = built(first, "pdf").values()
    assert (bundle / "data/editions" / pdf.name).read_bytes() == pdf.read_bytes()
    kept = ("intro.mp4", "diagram.png", "chart.svg")
    inode = {name: (bundle / "data/media" / name).stat().st_ino for name in kept}
    (mini_course / "media" / "photo.jpg").write_bytes((MINI / "media" / "diagram.png").read_bytes())
    (mini_course / "media" / "photo.jpg").rename(mini_course / "media" / "photo.png")
    lesson = mini_course / "lessons" / "01-computer.md"
    lesson.write_text(lesson.read_text("utf-8").replace("photo.jpg", "photo.png"), "utf-8")
    second = build_course(mini_course, ["usb"], ("learner",), out)
    assert not second.stopped
    assert second.cache.stats.skipped_outputs == []  # the lesson changed: every edition too
    for name in kept:  # linked, not copied
        assert (bundle / "data/media" / name).stat().st_ino == inode[name], name
    assert not (bundle / "data/media/photo.jpg").exists()
    assert (bundle / "data/media/photo.png").read_bytes() == (
        MINI / "media/diagram.png"
    ).read_bytes()
    bagit.Bag(str(bundle)).validate()


@pytest.mark.slow
def test_subset_fonts_are_reused_after_an_edit(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Subsetting the five faces of a Kazakh EPUB is most of its build time: an edit that
    brings no new character reuses the cached subsets, and the book is the same bytes as
    one built with --force (which does not read the cache)."""
    from casekit.formats.epub import fonts as epub_fonts

    calls: list[str] = []
    subset = epub_fonts._subset
    monkeypatch.setattr(
        epub_fonts, "_subset", lambda font, *args: calls.append(font.file) or subset(font, *args)
    )
    out = tmp_path / "out"
    build_course(mini_course, ["epub"], ("learner",), out)
    assert len(calls) == 5
    lesson = mini_course / "lessons" / "03-safety.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nҚауіпсіздік туралы тағы бір сөз.\n", "utf-8")
    calls.clear()
    build_course(mini_course, ["epub"], ("learner",), out)
    assert calls == []
    book = out / "mini-kk" / "epub" / "mini-kk-learner.epub"
    cached = book.read_bytes()
    build_course(mini_course, ["epub"], ("learner",), out, force=True)
    assert len(calls) == 5
    assert book.read_bytes() == cached


def test_casekit_code_in_every_package_counts_in_the_fingerprint() -> None:
    """Cache keys hash casekit's code: every package's modules and the message files,
    so that a changed renderer never reuses what the old one rendered."""
    from casekit.files.cache import PACKAGE, code_files

    hashed = set(code_files())
    assert all((PACKAGE / path).is_file() for path in hashed)
    for path in ("render/html.py", "formats/pdf/render.py", "bundle/viewer.py", "messages/kk.toml"):
        assert path in hashed, path
    assert not any("__pycache__" in path for path in hashed)


def test_sources_are_known_by_their_stat_and_every_write_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build reads again only the course files whose stat changed since the last build
    (``files/cache.file_digests``); an edit that keeps the size and puts the mtime back
    still changes the ctime, and is seen."""
    import hashlib
    import time

    from casekit.files import cache as cache_module
    from casekit.files.cache import BuildCache, file_digests

    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)  # record the files just written too
    read: list[str] = []
    real_digest = cache_module.file_digest

    def reading(path: Path, cache: BuildCache | None) -> str:
        read.append(path.name)
        return real_digest(path, cache)

    monkeypatch.setattr(cache_module, "file_digest", reading)
    folder = tmp_path / "course"
    folder.mkdir()
    for name, text in (("a.md", "one"), ("b.md", "two")):
        (folder / name).write_text(text)
    first = dict(file_digests(folder, BuildCache(tmp_path / "build")))
    assert sorted(read) == ["a.md", "b.md"]
    time.sleep(0.05)  # past the file system clock's tick
    before = (folder / "a.md").stat()
    (folder / "a.md").write_text("ONE")
    os.utime(folder / "a.md", ns=(before.st_atime_ns, before.st_mtime_ns))
    read.clear()
    second = dict(file_digests(folder, BuildCache(tmp_path / "build")))
    assert read == ["a.md"]
    assert second == {"a.md": hashlib.sha256(b"ONE").hexdigest(), "b.md": first["b.md"]}


def test_a_large_media_file_rewritten_in_place_is_read_again(
    mini_course: Path, tmp_path: Path
) -> None:
    """Files over 1 MiB are hashed once and then known by their stat (``media_key``): a
    rewrite that keeps the size and puts the mtime back still changes the ctime, so the
    next build probes the file again and its output carries the new image."""
    import base64
    import re
    import time

    from PIL import Image

    def png(pixels: np.ndarray) -> bytes:
        data = io.BytesIO()
        Image.fromarray(pixels).save(data, "PNG", compress_level=0)  # size fixed by the shape
        return data.getvalue()

    def shown(page: Path) -> np.ndarray:
        """The pixels of the page's first PNG (the diagram, embedded in the page)."""
        found = re.search(r'src="data:image/png;base64,([^"]+)"', page.read_text("utf-8"))
        assert found
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(found[1]))))

    first, second = (
        np.random.default_rng(seed).integers(0, 256, (640, 640, 3), np.uint8) for seed in (1, 2)
    )
    assert len(png(first)) == len(png(second)) > 1 << 20
    image = mini_course / "media" / "diagram.png"
    image.write_bytes(png(first))
    out = tmp_path / "out"
    page = out / "mini-kk" / "html" / "mini-kk-learner.html"
    build(mini_course, out)
    assert np.array_equal(shown(page), first)
    time.sleep(0.05)  # past the file system clock's tick
    before = image.stat()
    with image.open("r+b") as handle:  # in place: the same inode
        handle.write(png(second))
    os.utime(image, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = image.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    result = build(mini_course, out)
    assert result.cache.stats.probed == ["media/diagram.png"]
    assert np.array_equal(shown(page), second)
