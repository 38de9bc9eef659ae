"""One hostile course through every format: deep nesting, raw HTML (allowed
subset), an SVG full of live content, a long table, many footnotes. Every
format builds, and no output carries the SVG's outside references or live
markup from the lesson."""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from casekit.formats import formats
from tests.conftest import MINI, MINIMAL_TOML
from tests.hostile_build import build_formats
from tests.hostile_inputs import SVG, VECTORS, XSS

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

LESSON = (
    "# Қауіпті сабақ\n\n"
    "![Диаграмма](media/bad.svg)\n\n"
    + "".join("  " * i + "- деңгей\n" for i in range(15))
    + "\n"
    + ">" * 30
    + " дәйексөз\n\n"
    + "*а " * 60
    + "x"
    + "*" * 60
    + "\n\n"
    + "\n\n".join(XSS)
    + "\n\n| № | Ат |\n|---|---|\n"
    + "".join(f"| {i} | Қ{i} |\n" for i in range(100))
    + "\n"
    + "".join(f"Мәтін[^{i}].\n\n" for i in range(50))
    + "".join(f"[^{i}]: Ескерту {i}\n" for i in range(50))
)


class LiveMarkup(HTMLParser):
    """Start tags with event handlers, script URLs or references to the SVG's
    outside server (the lesson's own text may mention it: that is inert)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = (value or "").lower()
            if name.startswith("on") or "javascript:" in value or "evil.example" in value:
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")


def output_texts(path: Path) -> dict[str, bytes]:
    """Every file an output consists of (zip members of DOCX/zip bundles included)."""
    if path.is_dir():
        return {str(p): p.read_bytes() for p in path.rglob("*") if p.is_file()}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {f"{path}!{n}": archive.read(n) for n in archive.namelist()}
    return {str(path): path.read_bytes()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list[Path]]:
    root = tmp_path_factory.mktemp("hostile-all") / "course"
    (root / "media").mkdir(parents=True)
    (root / "media" / "bad.svg").write_text(
        SVG.format("".join(VECTORS.values()) + '<rect width="5" height="5"/>'), "utf-8"
    )
    (root / "media" / "diagram.png").write_bytes((MINI / "media" / "diagram.png").read_bytes())
    toml = MINIMAL_TOML.format(lessons='"a.md"').replace(
        'licence = "CC0"', 'licence = "CC0"\nallow_html = true'
    )
    (root / "course.toml").write_text(toml, "utf-8")
    (root / "a.md").write_text(LESSON, "utf-8")
    names = tuple(sorted(formats()))
    diags, outputs = build_formats(root, root.parent / "out", names)
    assert not diags.has_errors(), diags.sorted()[:5]
    return outputs, [p for record in outputs for p in record.paths]


def test_every_format_builds_the_whole_lesson(built: tuple[list, list[Path]]) -> None:
    outputs, paths = built
    assert {record.format for record in outputs} == set(formats())
    html = next(p for p in paths if p.suffix == ".html").read_text("utf-8")
    assert "Қ99" in html and "Ескерту 49" in html  # nothing after the nesting was lost


def test_no_output_refers_outside_or_runs_lesson_code(built: tuple[list, list[Path]]) -> None:
    _, paths = built
    checked = 0
    for path in paths:
        for name, data in output_texts(path).items():
            checked += 1
            if name.endswith((".rels", ".svg", ".png", ".css")):
                assert b"evil.example" not in data, name  # no outside reference or resource
            if name.endswith((".html", ".xhtml", ".htm")):
                parser = LiveMarkup()
                parser.feed(data.decode("utf-8"))
                assert parser.found == [], (name, parser.found[:3])
                assert b"xss-1'" not in data and b"xss-10'" not in data, name
    assert checked >= len(paths)


def test_epub_with_the_allowed_html_subset_passes_epubcheck(
    built: tuple[list, list[Path]],
) -> None:
    from tests.validators import epubcheck

    books = [p for p in built[1] if p.suffix == ".epub"]
    assert len(books) == 2
    assert epubcheck(books) == {book: [] for book in books}
