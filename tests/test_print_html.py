"""With ``allow_html = true`` every tag of the safe subset is drawn in the PDF and
the DOCX (subscript, highlight, key cap ...), never printed as a literal tag.

The PDF is read back with pypdf (sizes and baselines of the text) and pypdfium2
(the highlight's pixels); the DOCX with python-docx (run properties and styles)."""

from __future__ import annotations

from pathlib import Path

import docx
import numpy
import pypdfium2
import pytest
from pypdf import PdfReader

from casekit.build.pipeline import build_course
from casekit.safety.sanitize import ALLOWED_TAGS
from tests.conftest import MINIMAL_TOML

pytestmark = pytest.mark.slow

LINE = (
    "Water H<sub>2</sub>O, area m<sup>3</sup>, <mark>marked</mark>, <u>under</u>, "
    "<ins>inserted</ins>, <s>struck</s>, <del>deleted</del>, <small>smallish</small>, "
    '<abbr title="Kazakhstan Republic">KR</abbr>, <q>quoted</q>, <span title="t">spanned</span>, '
    "<b>bolded</b>, <strong>strong</strong>, <i>leaning</i>, <em>emphatic</em>, "
    "<cite>Cited</cite>, <dfn>defined</dfn>, <var>x1</var>, <code>coded</code>, "
    "<samp>sampled</samp>, <kbd>Ctrl</kbd>, long<wbr>word, first<br>second."
)
BLOCK = "<div>\n<b>blockbold</b> and <i>blockitalic\n</div>\n"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("print-html")
    course = root / "course"
    course.mkdir()
    toml = MINIMAL_TOML.format(lessons='"a.md"').replace(
        'licence = "CC0"', 'licence = "CC0"\nallow_html = true'
    )
    (course / "course.toml").write_text(toml, "utf-8")
    (course / "a.md").write_text(f"# Lesson\n\n{LINE}\n\n{BLOCK}\nAfter.\n", "utf-8")
    result = build_course(course, ["pdf", "docx"], ("learner",), root / "out")
    assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
    return {record.format: record.paths[0] for record in result.outputs}


def test_every_allowed_tag_has_a_look() -> None:
    from casekit.render.inline_html import LOOK

    assert set(LOOK) == ALLOWED_TAGS


def lesson_page(pdf: Path) -> int:
    reader = PdfReader(pdf)
    return next(n for n, page in enumerate(reader.pages) if "Water" in page.extract_text())


def test_pdf_draws_the_tags(outputs: dict[str, Path]) -> None:
    reader = PdfReader(outputs["pdf"])
    page = reader.pages[lesson_page(outputs["pdf"])]
    text = page.extract_text()
    assert "<" not in text and "&lt;" not in text, text
    flat = text.replace("-\n", "").replace("\n", " ")  # lines joined, hyphens gone
    for shown in ("KR (Kazakhstan Republic)", "“quoted”", "spanned", "first", "second"):
        assert shown in flat, shown
    assert "blockbold and blockitalic" in text  # the raw block as a paragraph
    runs: list[tuple[str, float, float, str]] = []

    def visit(piece, cm, tm, font, size):
        if piece.strip():
            font_name = str(font.get("/BaseFont", "")) if font else ""
            runs.append((piece, round(size * tm[0] * cm[0], 1), tm[5] * cm[3] + cm[5], font_name))

    page.extract_text(visitor_text=visit)

    def run(start: str) -> tuple[str, float, float, str]:
        return next(r for r in runs if start in r[0])

    body_size = run("Water")[1]
    assert run("2")[1] < body_size and run("3")[1] < body_size
    # below and above the baseline: glyph boxes as pdfium finds them (reportlab's rise)
    textpage = pypdfium2.PdfDocument(str(outputs["pdf"]))[
        lesson_page(outputs["pdf"])
    ].get_textpage()
    chars = textpage.get_text_range()

    def bottom(word: str, offset: int) -> float:
        return textpage.get_charbox(chars.index(word) + offset)[1]

    assert bottom("H2", 1) < bottom("H2", 0) - 1  # subscript
    assert bottom("m3", 1) > bottom("m3", 0) + 1  # superscript
    assert run("smallish")[1] < body_size
    assert "Bold" in run("bolded")[3] and "Bold" in run("strong")[3]
    for leaning in ("leaning", "emphatic", "Cited", "defined"):
        assert "Oblique" in run(leaning)[3] or "Italic" in run(leaning)[3], leaning
    for mono in ("coded", "sampled", "Ctrl"):
        assert "Mono" in run(mono)[3], mono
    assert run("second")[2] < run("first")[2]  # <br>: a new line


def test_pdf_highlights_marked_text(outputs: dict[str, Path]) -> None:
    pdf = pypdfium2.PdfDocument(str(outputs["pdf"]))
    pixels = numpy.asarray(pdf[lesson_page(outputs["pdf"])].render(scale=2).to_pil())
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    yellow = (r > 240) & (g > 225) & (b < 190)
    assert yellow.sum() > 200  # the <mark> background


def test_docx_run_properties(outputs: dict[str, Path]) -> None:
    document = docx.Document(str(outputs["docx"]))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("Water"))
    assert "<" not in paragraph.text
    assert "KR (Kazakhstan Republic)" in paragraph.text and "“quoted”" in paragraph.text
    runs = {run.text: run for run in paragraph.runs if run.text.strip()}
    assert runs["2"].font.subscript and runs["3"].font.superscript
    for name in ("under", "inserted"):
        assert runs[name].font.underline, name
    for name in ("struck", "deleted"):
        assert runs[name].font.strike, name
    for name in ("bolded", "strong"):
        assert runs[name].bold, name
    for name in ("leaning", "emphatic", "Cited", "defined", "x1"):
        assert runs[name].italic, name
    styles = {
        "marked": "Marked Text",
        "smallish": "Small Text",
        "coded": "Verbatim Char",
        "sampled": "Verbatim Char",
        "Ctrl": "Keyboard",
    }
    for name, style in styles.items():
        assert runs[name].style.name == style, name
    breaks = paragraph._p.xpath(".//w:r/w:br")
    assert len(breaks) == 1
    block = next(p for p in document.paragraphs if "blockbold" in p.text)
    assert block.text.strip() == "blockbold and blockitalic"
    assert {r.text: r for r in block.runs}["blockbold"].bold
