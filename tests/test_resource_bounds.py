"""Resource bounds: huge, deep or pathological sources build in reasonable time
and memory, or stop with one clear diagnostic line. Inputs are generated here,
at test time (nothing big is committed)."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from casekit.diagnostics import Diagnostics
from casekit.parse.lesson import parse_lesson
from casekit.safety.sourcetext import MAX_SOURCE_BYTES
from tests.conftest import MINI, MINIMAL_TOML
from tests.hostile_build import build_html, codes

MakeCourse = Callable[..., Path]


def png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A PNG declaring ``width`` x ``height`` whose pixel data may be tiny."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(rows if rows is not None else b"\0" * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def build(make_course: MakeCourse, tmp_path: Path, body: str, **files: bytes) -> tuple:
    course = make_course({"a.md": "# Сабақ\n\n" + body}, files=files)
    started = time.perf_counter()
    diags, pages = build_html(course, tmp_path / "out")
    return diags, pages, time.perf_counter() - started


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("".join("  " * i + "- x\n" for i in range(1000)), id="list-1000-levels"),
        pytest.param("".join("   " * i + "1. x\n" for i in range(700)), id="ordered-700-levels"),
        pytest.param(">" * 5000 + " цитата\n", id="quote-5000-levels"),
        pytest.param("::: note\n" * 3000 + "x\n" + ":::\n" * 3000, id="div-3000-levels"),
        pytest.param("*a " * 5000 + "x" + "*" * 5000 + "\n", id="emphasis-5000-levels"),
        pytest.param("[" * 5000 + "x" + "](a.md)" * 5000 + "\n", id="links-5000-levels"),
        pytest.param("- " * 3000 + "> " * 3000 + "**" * 3000 + "x\n", id="mixed-levels"),
        pytest.param("1. " * 5000 + "x\n", id="same-line-lists"),
    ],
)
def test_deep_nesting_stops_with_one_error_or_builds(
    make_course: MakeCourse, tmp_path: Path, body: str
) -> None:
    """Blocks nested past markdown-it's limit cannot be read (for lists, nor can the
    rest of the lesson), so the build stops at an error instead of losing content
    silently; inline nesting is flattened and builds."""
    diags, pages, seconds = build(make_course, tmp_path, body + "\nКейінгі абзац.\n")
    if pages:
        assert "Кейінгі абзац." in pages["learner"]
        assert {d.code for d in diags.items} <= {"inline-nesting-too-deep", "link-broken"}
    else:
        [found] = [d for d in diags.sorted() if d.code == "nesting-too-deep"][:1]
        assert (found.path, found.severity) == ("a.md", "error")
    assert seconds < 30


def test_emphasis_nesting_is_flattened_below_the_recursion_limit(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    diags, pages, _ = build(make_course, tmp_path, "*a " * 5000 + "x" + "*" * 5000 + "\n")
    warning = next(d for d in diags.items if d.code == "inline-nesting-too-deep")
    assert (warning.path, warning.line) == ("a.md", 3)
    assert pages["learner"].count("<em>") == 20


def test_a_50_mb_lesson_is_refused_before_it_is_read(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    course = make_course({"a.md": "# x\n"})
    with (course / "a.md").open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    started = time.perf_counter()
    diags, pages = build_html(course, tmp_path / "out")
    assert time.perf_counter() - started < 5
    assert pages == {}
    assert [str(d) for d in diags.sorted()] == [
        "a.md:1:1: error: file is 50.0 MB; a source file may be at most 2 MB: split it into "
        "smaller lessons and keep pictures and data in media files [source-too-large]"
    ]


@pytest.mark.parametrize(
    ("size", "accepted"), [(MAX_SOURCE_BYTES, True), (MAX_SOURCE_BYTES + 1, False)]
)
def test_the_size_limit_is_exact(
    make_course: MakeCourse, tmp_path: Path, size: int, accepted: bool
) -> None:
    """A lesson of ``size`` bytes (one long paragraph) builds or is refused."""
    head = "# Сабақ\n\n"
    filler = size - len(head.encode())
    course = make_course({"a.md": head + "ә" * (filler // 2) + "x" * (filler % 2)})
    assert (course / "a.md").stat().st_size == size
    diags, pages = build_html(course, tmp_path / "out")
    assert bool(pages) is accepted
    assert ("source-too-large" in codes(diags)) is not accepted


def test_a_one_megabyte_line(make_course: MakeCourse, tmp_path: Path) -> None:
    line = ("Сәлем, әлем! Ә Ғ Қ Ң Ө Ұ Ү Һ І. " * 200 + "*мәтін* [сілтеме](#h) ") * 150
    diags, pages, seconds = build(make_course, tmp_path, line + "\n\n## H {#h}\n")
    assert len(line.encode()) > 1_000_000
    assert not diags.has_errors(), diags.sorted()[:3]
    assert pages["learner"].count('class="internal"') == 150
    assert seconds < 60


@pytest.mark.slow
def test_ten_thousand_links_on_one_line_stay_linear(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    """Each link's position is searched for in the source: within a budget, so
    distinct links on one long line do not make the search quadratic."""
    line = " ".join(f"[сілтеме {i}](#h{i % 50})" for i in range(10_000))
    headings = "".join(f"\n\n## H {i} {{#h{i}}}" for i in range(50))
    diags, pages, seconds = build(make_course, tmp_path, line + headings)
    assert not diags.has_errors(), diags.sorted()[:3]
    assert pages["learner"].count('class="internal"') == 10_000
    assert seconds < 60


def test_positions_on_a_long_line_stay_exact_where_it_matters(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    line = "x" * 10_000 + " [a](missing.md) " + "y" * 500_000 + " [b](gone.md)"
    diags, _, _ = build(make_course, tmp_path, line)
    broken = [d for d in diags.sorted() if d.code == "link-broken"]
    # the first is found exactly; the second lies beyond the search budget
    assert [(d.line, d.column) for d in broken] == [(3, 1), (3, 10_004)]


@pytest.mark.slow
def test_table_with_10000_rows(make_course: MakeCourse, tmp_path: Path) -> None:
    rows = "".join(f"| {i} | Қ{i} | ә |\n" for i in range(10_000))
    diags, pages, seconds = build(make_course, tmp_path, "| № | Ат | Ә |\n|---|:-:|--:|\n" + rows)
    assert not diags.has_errors()
    assert pages["learner"].count("<tr>") == 10_001
    assert "Қ9999" in pages["learner"]
    assert seconds < 60


@pytest.mark.slow
def test_thousands_of_footnotes(make_course: MakeCourse, tmp_path: Path) -> None:
    body = "".join(f"Мәтін[^{i}].\n\n" for i in range(3000))
    body += "".join(f"[^{i}]: Ескерту {i}\n" for i in range(3000))
    diags, pages, seconds = build(make_course, tmp_path, body)
    assert not diags.has_errors()
    page = pages["learner"]
    assert page.count('class="footnote-ref"') == 3000 and 'id="a--fn-3000"' in page
    assert seconds < 60


@pytest.mark.slow
def test_thousands_of_equal_headings_get_unique_anchors_fast(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    diags, pages, seconds = build(make_course, tmp_path, "## Бөлім\n\nмәтін\n\n" * 8000)
    page = pages["learner"]
    assert 'id="a--бөлім"' in page and 'id="a--бөлім-8000"' in page
    assert 'id="a--бөлім-8001"' not in page
    assert seconds < 60


def test_a_huge_data_uri_is_refused_in_one_short_line(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    diags, pages, _ = build(
        make_course, tmp_path, "![сурет](data:image/png;base64," + "A" * 1_500_000 + ")\n"
    )
    assert pages == {}
    [found] = [d for d in diags.items if d.code == "media-scheme"]
    assert (found.path, found.line, found.column) == ("a.md", 3, 1)
    assert len(str(found)) < 400 and "…" in str(found)


def test_a_ten_megabyte_data_uri_lesson_is_refused_by_size(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    diags, pages, seconds = build(
        make_course, tmp_path, "![x](data:image/png;base64," + "A" * 10_000_000 + ")\n"
    )
    assert pages == {} and codes(diags) == {"source-too-large"}
    assert seconds < 5


def test_quadratic_markdown_stops_at_the_time_limit() -> None:
    diags = Diagnostics()
    started = time.perf_counter()
    lesson = parse_lesson("a.md", "# T\n\n" + "![" * 300_000, diags, parse_seconds=1)
    assert time.perf_counter() - started < 5
    assert lesson.blocks == []
    [found] = diags.sorted()
    assert (found.path, found.line, found.code) == ("a.md", 1, "lesson-too-complex")
    assert "took more than 1 s" in found.message


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.png", png(100_000, 100_000), "image is too large to decode safely"),
        ("wide.png", png(2**31 - 1, 1), "image is too large to decode safely"),
        ("big.png", png(8000, 8000), "image is 8000x8000 pixels; the limit is 40000000 pixels"),
        ("truncated.png", png(4, 4)[:40], "image is corrupt or truncated"),
        ("zero.png", png(0, 0), "image is corrupt or truncated"),
        ("garbage.png", png(4, 4)[:33] + b"\xff" * 200, "image is corrupt or truncated"),
        ("short.jpg", (MINI / "media" / "photo.jpg").read_bytes()[:300], "corrupt or truncated"),
        ("header.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 40, "image is corrupt or truncated"),
        ("text.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file content is SVG, not PNG"),
    ],
)
def test_hostile_images_are_refused_with_the_reason(
    make_course: MakeCourse, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    diags, pages, seconds = build(make_course, tmp_path, f"![сурет]({name})\n", **{name: data})
    assert pages == {}
    [found] = [d for d in diags.items if d.code == "media-invalid"]
    assert (found.path, found.line) == ("a.md", 3)
    assert message in found.message, found.message
    assert seconds < 10


def test_huge_font_and_template_files_are_refused_unread(
    make_course: MakeCourse, tmp_path: Path
) -> None:
    """Files course.toml names (fonts) and a course's templates are bounded like the
    lessons: one line each, nothing read into memory (the files here are sparse)."""
    toml = MINIMAL_TOML.format(lessons='"a.md"').replace(
        'licence = "CC0"\n', 'licence = "CC0"\ntemplates = "tpl"\n\n[fonts]\nregular = "big.ttf"\n'
    )
    course = make_course({"a.md": "# Сабақ\n\nМәтін.\n"}, toml=toml)
    with (course / "big.ttf").open("wb") as font:
        font.truncate(65 * 2**20)
    (course / "tpl" / "html").mkdir(parents=True)
    diags, pages = build_html(course, tmp_path / "out")
    assert pages == {}
    [found] = diags.sorted()
    assert (found.path, found.line, found.code) == ("course.toml", 12, "file-too-large"), found
    assert found.message == "fonts.regular: big.ttf is 65 MiB; at most 64 MiB"

    (course / "course.toml").write_text(toml.replace('\n[fonts]\nregular = "big.ttf"\n', ""))
    with (course / "tpl" / "html" / "page.html.j2").open("wb") as template:
        template.truncate(MAX_SOURCE_BYTES + 1)
    diags, pages = build_html(course, tmp_path / "out")
    assert pages == {}
    [found] = diags.sorted()
    assert (found.path, found.code) == ("tpl/html/page.html.j2", "source-too-large"), found
