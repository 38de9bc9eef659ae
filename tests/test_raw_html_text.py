"""Without ``allow_html`` (the default) raw HTML is read for its text at parse
time: every format shows the words, never a tag, and one ``raw-html`` warning
per line names the tags. Each output is read back by a real reader: Chromium
(HTML), the EPUB's XHTML text, pypdf (PDF), python-docx (DOCX), liblouis
back-translation (BRF)."""

from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from casekit import tree as t
from casekit.build.pipeline import build_course
from casekit.diagnostics import Diagnostics
from casekit.parse.lesson import parse_lesson
from casekit.render.liblouis import translator
from tests.conftest import MINIMAL_TOML

LESSON = """# Lesson

Water H<sub>2</sub>O boils, first<br>second, <span class="x">spanned</span> word<script>alert('inline-secret')</script>.

<div class="note">
<p>Block one</p><p>Block <b>two</b> &amp; more</p>
<script>alert('block-secret')</script>
<style>.x { color: crimson }</style>
</div>

<!-- comment-secret -->

After <!-- inline-comment --> the end.
"""
#: anything a reader would take for a tag: "<sub>", "</p>", "<br/>", "<div class"
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s|/?>)")
SECRETS = ("secret", "crimson", "inline-comment")


def parsed(text: str, allow_html: bool = False) -> tuple[t.Lesson, Diagnostics]:
    diags = Diagnostics()
    return parse_lesson("a.md", text, diags, allow_html=allow_html), diags


def test_inline_tags_leave_their_text() -> None:
    lesson, diags = parsed(LESSON)
    first = lesson.blocks[0]
    assert isinstance(first, t.Paragraph)
    assert not any(isinstance(n, t.RawInline) for n in t.iter_inlines(first.children))
    text = t.plain_text(first.children)
    assert text.startswith("Water H2O boils, first second, spanned word.")
    assert sum(isinstance(n, t.LineBreak) for n in first.children) == 1
    warnings = [d for d in diags.items if d.code == "raw-html"]
    assert [d.line for d in warnings] == [3, 5], "one warning per line"
    assert "<sub>, <br>, <span>, <script>" in warnings[0].message
    assert "allow_html = true" in warnings[0].message


def test_a_block_becomes_a_paragraph_of_its_text() -> None:
    lesson, diags = parsed(LESSON)
    block = lesson.blocks[1]
    assert isinstance(block, t.Paragraph) and not any(
        isinstance(b, t.RawBlock) for b in lesson.blocks
    )
    lines = [n.text for n in block.children if isinstance(n, t.Text)]
    assert lines == ["Block one", "Block two & more"]
    # the comment-only block is nothing at all, and says nothing
    assert [t.plain_text(b.children) for b in lesson.blocks[2:]] == ["After  the end."]  # type: ignore[union-attr]
    assert all(d.line != 11 for d in diags.items)


def test_with_allow_html_the_tags_stay_for_the_writers() -> None:
    lesson, diags = parsed(LESSON, allow_html=True)
    assert any(isinstance(n, t.RawInline) for n in t.iter_inlines(lesson.blocks[0].children))  # type: ignore[union-attr]
    assert isinstance(lesson.blocks[1], t.RawBlock)
    # plain text (titles, search index) never shows the tags nor a script's text
    assert t.plain_text(lesson.blocks[0].children).startswith("Water H2O boils")  # type: ignore[union-attr]
    assert "secret" not in t.plain_text(lesson.blocks[0].children)  # type: ignore[union-attr]
    assert {d.line for d in diags.items if d.code == "raw-html"} == {3, 5}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.skip += tag in ("head", "script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("head", "script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def xhtml_text(markup: str) -> str:
    reader = _Text()
    reader.feed(markup)
    return " ".join("".join(reader.parts).split())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("raw-html-text")
    course = root / "course"
    course.mkdir()
    toml = MINIMAL_TOML.format(lessons='"a.md"')
    (course / "course.toml").write_text(toml, "utf-8")
    (course / "a.md").write_text(LESSON, "utf-8")
    result = build_course(
        course, ["html", "epub", "pdf", "docx", "brf"], ("learner",), root / "out"
    )
    assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
    found: dict[str, Path] = {}
    for record in result.outputs:
        for path in record.paths:
            if record.format != "brf" or path.suffix == ".brf":
                found.setdefault(record.format, path)
    return found


def assert_reads_clean(text: str, where: str) -> None:
    flat = " ".join(text.split())
    assert "H2O" in flat and "spanned word" in flat, (where, flat)
    assert "Block one" in flat and "Block two & more" in flat, (where, flat)
    assert not TAG.search(flat), (where, TAG.search(flat))
    for secret in SECRETS:
        assert secret not in flat, (where, secret)


@pytest.mark.slow
def test_html_in_chromium(outputs: dict[str, Path], browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(outputs["html"].resolve().as_uri())
    text = page.inner_text("body")
    page.close()
    assert_reads_clean(text, "html")
    assert "first\nsecond" in text


@pytest.mark.slow
def test_epub_text(outputs: dict[str, Path]) -> None:
    with zipfile.ZipFile(outputs["epub"]) as book:
        text = " ".join(
            xhtml_text(book.read(name).decode("utf-8"))
            for name in book.namelist()
            if name.endswith(".xhtml")
        )
    assert_reads_clean(text, "epub")


@pytest.mark.slow
def test_pdf_text(outputs: dict[str, Path]) -> None:
    text = "\n".join(page.extract_text() for page in PdfReader(outputs["pdf"]).pages)
    assert_reads_clean(text, "pdf")
    assert re.search(r"first\s*\n\s*second", text)


@pytest.mark.slow
def test_docx_text(outputs: dict[str, Path]) -> None:
    document = docx.Document(str(outputs["docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert_reads_clean(text, "docx")
    assert "first\nsecond" in text  # python-docx reads a <w:br/> as a new line


@pytest.mark.slow
def test_brf_back_translation(outputs: dict[str, Path]) -> None:
    lines = outputs["brf"].read_bytes().decode("ascii").replace("\f", "\r\n").split("\r\n")
    back = translator("en").back_translate(" ".join(line for line in lines if line.strip()))
    flat = " ".join(back.split())
    assert "h2o" in flat.lower() and "block two" in flat.lower(), flat
    assert not TAG.search(flat), TAG.search(flat)
    assert not any(secret in flat for secret in SECRETS)


def test_raw_attribute_blocks_are_raw_html_or_left_out() -> None:
    """pandoc's ` ```{=html} ` is raw HTML (its text, never its tags, shown as code);
    a block for another format is left out with a warning, as pandoc leaves it out."""
    text = (
        "# L\n\n```{=html}\n<p>Raw <b>bold</b> words</p>\n```\n\n"
        "```{=latex}\n\\newpage\n```\n\n```html\n<p>shown as code</p>\n```\n"
    )
    lesson, diags = parsed(text)
    assert [type(b).__name__ for b in lesson.blocks] == ["Paragraph", "CodeBlock"]
    assert t.plain_text(lesson.blocks[0].children) == "Raw bold words"
    assert lesson.blocks[1].text == "<p>shown as code</p>"  # a code block of HTML stays one
    found = sorted((d.line, d.code, d.message) for d in diags.items)
    assert [(line, code) for line, code, _ in found] == [(3, "raw-html"), (7, "raw-format")]
    assert "{=latex}" in found[1][2]
    allowed, _ = parsed(text, allow_html=True)
    assert isinstance(allowed.blocks[0], t.RawBlock) and "<b>bold</b>" in allowed.blocks[0].text
