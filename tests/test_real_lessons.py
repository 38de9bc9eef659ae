"""Lessons written for the Carpentries Workbench, Quarto and plain pandoc (one in
Ukrainian) check and build with only a ``course.toml`` added (tests/data/lessons-*).

Every output is read back with real tools: pypdf, EPUBCheck, python-docx's XML,
headless Chromium for the SVG figures."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from lxml import etree

from casekit import tree as t
from casekit.build.pipeline import build_course
from tests.conftest import ROOT, casekit
from tests.validators import epubcheck

CORPUS = ROOT / "tests" / "data"
COURSES = {
    "carpentries": CORPUS / "lessons-carpentries-en",
    "quarto": CORPUS / "lessons-quarto-en",
    "uk": CORPUS / "lessons-pandoc-uk",
}
FORMATS = ["pdf", "epub", "docx", "html", "usb"]
#: text only the teacher may see, in each course
TEACHER_ONLY = {
    "carpentries": [
        "INSTRUCTOR-ONLY-CARPENTRIES",
        "SOLUTION-ONLY-CARPENTRIES",
        "SOLUTION-ONLY-JEKYLL",
    ],
    "quarto": [],
    "uk": ["НОТАТКА-ЛИШЕ-ДЛЯ-ВИКЛАДАЧА", "РОЗВ'ЯЗОК-ЛИШЕ-ДЛЯ-ВИКЛАДАЧА"],
}
#: the figures of each course and the text Chromium draws in each (checked below)
FIGURES = {
    "carpentries": ["episodes/fig/workflow-inkscape.svg", "episodes/fig/terminal-drawio.svg"],
    "quarto": ["figures/backup-illustrator.svg"],
    "uk": ["media/files-libreoffice.svg"],
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, Path]]]:
    """course -> format -> edition -> output path (the usb bundle: its folder)."""
    out = tmp_path_factory.mktemp("real-lessons")
    result: dict[str, dict[str, dict[str, Path]]] = {}
    for name, course in COURSES.items():
        built = build_course(course, FORMATS, ("learner", "teacher"), out / name)
        assert not built.stopped, built.diagnostics.items
        result[name] = {}
        for output in built.outputs:
            result[name].setdefault(output.format, {})[output.edition] = output.paths[0]
    return result


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def docx_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def docx_text(path: Path) -> str:
    return "\n".join("".join(p.itertext()) for p in docx_xml(path).iter(f"{W}p"))


def zip_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.endswith((".xhtml", ".html", ".opf", ".ncx", ".xml", ".js"))
        )


def bundle_text(folder: Path) -> str:
    """Every text file of a USB bundle (pages, viewer data and search index), and the
    text of the editions it carries."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".html", ".js", ".json", ".txt", ".css", ".vtt"):
            parts.append(path.read_text("utf-8", "replace"))
        elif path.suffix == ".pdf":
            parts.append(pdf_text(path))
        elif path.suffix == ".epub":
            parts.append(zip_text(path))
        elif path.suffix == ".docx":
            parts.append(docx_text(path))
    return "\n".join(parts)


def output_text(fmt: str, path: Path) -> str:
    return {
        "pdf": pdf_text,
        "epub": zip_text,
        "docx": docx_text,
        "html": lambda p: p.read_text("utf-8"),
        "usb": bundle_text,
    }[fmt](path)


def usb_folder(built: dict, name: str) -> Path:
    path = next(iter(built[name]["usb"].values()))
    return path if path.is_dir() else path.parent


# --------------------------------------------------------------------------- check


@pytest.mark.parametrize("name", COURSES)
def test_check_passes_with_only_a_course_toml(name: str) -> None:
    run = casekit("check", COURSES[name])
    assert run.returncode == 0, run.stderr
    assert " error: " not in run.stderr


# --------------------------------------------------------------------------- content


@pytest.mark.slow
@pytest.mark.parametrize("name", COURSES)
def test_teacher_only_text_is_in_no_learner_output(built: dict, name: str) -> None:
    for fmt in FORMATS:
        outputs = built[name][fmt]
        if fmt == "usb":  # the bundle is the learner's stick
            text = output_text(fmt, usb_folder(built, name))
            for secret in TEACHER_ONLY[name]:
                assert secret not in text, (fmt, secret)
            continue
        learner = output_text(fmt, outputs["learner"])
        teacher = output_text(fmt, outputs["teacher"])
        for secret in TEACHER_ONLY[name]:
            assert secret not in learner, (fmt, secret)
            assert secret in teacher, (fmt, secret)


@pytest.mark.slow
def test_every_box_is_labelled_in_every_format(built: dict) -> None:
    labels = [
        "Questions",
        "Prerequisites",
        "Discussion",
        "Checklist",
        "Testimonial",
        "Hint",
        "Caution",
        "More details",
        "Command",
        "Output",
        "Error",
    ]
    for fmt in ("pdf", "epub", "docx", "html"):
        text = output_text(fmt, built["carpentries"][fmt]["teacher"])
        for label in labels + ["Instructor note", "Solution"]:
            assert label in text, (fmt, label)
        # a solution's own "## Solution" heading is not a second title
        assert "Solution: Solution" not in text
        assert "Prerequisites: Prerequisites" not in text
        # kramdown attribute lines are applied, never printed
        assert "{:" not in text and ".language-bash" not in text
        assert "SOLUTION-ONLY-JEKYLL" in text
        learner = output_text(fmt, built["carpentries"][fmt]["learner"])
        assert "Instructor note" not in learner
    uk = output_text("pdf", built["uk"]["pdf"]["teacher"])
    for label in ("Цілі навчання", "Увага", "Розв'язок", "Нотатка для викладача", "Глосарій"):
        assert label in uk


@pytest.mark.slow
def test_docx_code_blocks_stay_apart_and_show_their_role(built: dict) -> None:
    body = docx_xml(built["carpentries"]["docx"]["learner"]).find(f"{W}body")
    styles = [
        (
            p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
            if p.find(f"{W}pPr/{W}pStyle") is not None
            else ""
        )
        for p in body
        if p.tag == f"{W}p"
    ]
    code = [i for i, s in enumerate(styles) if s.startswith("SourceCode")]
    assert {"SourceCode", "SourceCodeOutput", "SourceCodeError"} <= {styles[i] for i in code}
    assert all(b - a > 1 for a, b in zip(code, code[1:], strict=False)), "two code blocks touch"


# --------------------------------------------------------------------------- figures


def count_figures(fmt: str, path: Path) -> int:
    if fmt == "pdf":
        return len(re.findall(r"Figure \d+\.\d+|Рисунок \d+\.\d+", pdf_text(path)))
    if fmt == "epub":
        return len(re.findall(r"<img [^>]*src=\"[^\"]+\.svg\"", zip_text(path)))
    if fmt == "docx":
        return len(
            list(docx_xml(path).iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
        )
    if fmt == "html":
        return len(re.findall(r"<img [^>]*src=\"[^\"]+\"", path.read_text("utf-8")))
    raise AssertionError(fmt)


@pytest.mark.slow
@pytest.mark.parametrize("name", COURSES)
def test_every_figure_is_in_every_format(built: dict, name: str) -> None:
    figures = len(FIGURES[name])
    for fmt in ("pdf", "epub", "docx", "html"):
        for edition in ("learner", "teacher"):
            assert count_figures(fmt, built[name][fmt][edition]) == figures, (fmt, edition)
    media = [p for p in (usb_folder(built, name) / "data" / "media").rglob("*.svg")]
    assert len(media) == figures
    with zipfile.ZipFile(built[name]["epub"]["learner"]) as z:
        assert len([n for n in z.namelist() if n.endswith(".svg")]) == figures


@pytest.mark.slow
def test_epubcheck_reports_no_error(built: dict) -> None:
    books = [built[name]["epub"][edition] for name in COURSES for edition in ("learner", "teacher")]
    for path, messages in epubcheck(books).items():
        assert not [m for m in messages if m.startswith(("ERROR", "FATAL"))], (path, messages)


@pytest.mark.slow
def test_image_sizes_are_honoured(built: dict) -> None:
    """``width=8cm`` and ``width=70%`` in the DOCX (EMU), the HTML and the PDF."""
    extents = [
        int(e.get("cx"))
        for e in docx_xml(built["quarto"]["docx"]["learner"]).iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent"
        )
    ]
    assert extents == [8 * 360000]
    assert 'style="width:8cm;height:auto"' in built["quarto"]["html"]["learner"].read_text("utf-8")
    assert 'style="width:70%;height:auto"' in built["uk"]["html"]["learner"].read_text("utf-8")


@pytest.mark.slow
def test_language_tags_are_the_course_own(built: dict) -> None:
    epub = zip_text(built["quarto"]["epub"]["learner"])
    assert "<dc:language>en-GB</dc:language>" in epub
    assert 'lang="en-GB"' in built["quarto"]["html"]["learner"].read_text("utf-8")
    reader = pypdf.PdfReader(built["uk"]["pdf"]["learner"])
    assert reader.trailer["/Root"]["/Lang"] == "uk"
    with zipfile.ZipFile(built["uk"]["docx"]["learner"]) as z:
        assert b'w:val="uk-UA"' in z.read("word/styles.xml")
    with zipfile.ZipFile(built["quarto"]["docx"]["learner"]) as z:
        assert b'w:val="en-GB"' in z.read("word/styles.xml")


@pytest.mark.slow
def test_ukrainian_glossary_in_ukrainian_order(built: dict) -> None:
    text = pdf_text(built["uk"]["pdf"]["learner"])
    glossary = text[text.index("Глосарій\nАдреса") :]
    assert glossary.index("Адреса") < glossary.index("Ґудзик") < glossary.index("Папка")


# --------------------------------------------------------------------------- SVG vs Chromium

#: every text leaf Chromium draws: its text and its box, as fractions of the figure
CHROMIUM_TEXTS = """() => {
  const svg = document.documentElement, box = svg.getBoundingClientRect();
  const out = [];
  // draw.io's labels are HTML in a foreignObject, which Chromium draws instead of the
  // plain <text> fallback beside it
  for (const node of svg.querySelectorAll('text, tspan, foreignObject *')) {
    const own = [...node.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join('');
    if (!own.trim()) continue;
    const r = node.getBoundingClientRect();
    if (!r.width) continue;
    out.push([own.replace(/\\s+/g, ' ').trim(), (r.left - box.left) / box.width,
              (r.bottom - box.top) / box.height, r.height / box.height,
              parseInt(getComputedStyle(node).fontWeight) >= 600]);
  }
  return out;
}"""


def pdf_texts(drawing: object) -> list[tuple[str, float, float, bool]]:
    """Each text run of the drawing rendered to PDF by casekit: its text and where
    its baseline starts, as fractions of the figure (from the top)."""
    from reportlab.graphics import renderPDF

    page = pypdf.PdfReader(io.BytesIO(renderPDF.drawToString(drawing))).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    runs: list[tuple[str, float, float, bool]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict, *_: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            bold = "Bold" in str((font or {}).get("/BaseFont", ""))
            runs.append((" ".join(text.split()), x / width, 1 - y / height, bold))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.slow
@pytest.mark.parametrize(("name", "figure"), [(n, f) for n, fs in FIGURES.items() for f in fs])
def test_svg_text_matches_chromium(browser: object, name: str, figure: str) -> None:
    """The text of every figure, where Chromium draws it, is text in casekit's PDF
    (no glyph outside the figure; fonts the SVG names but this machine lacks fall
    back to the bundled ones, Cyrillic and Kazakh included)."""
    from casekit.build.course import load_course
    from casekit.diagnostics import Diagnostics
    from casekit.formats.pdf.fonts import load_fonts
    from casekit.formats.pdf.images import svg_drawing
    from casekit.safety.svg import sanitize_svg

    course = load_course(COURSES[name], Diagnostics())
    assert course is not None
    item = next(m for m in course.media if m.path.endswith(figure))
    source = COURSES[name] / figure
    drawing = svg_drawing(
        sanitize_svg(source.read_bytes()), item, t.Pos(figure), load_fonts(course)
    )
    ours = pdf_texts(drawing)

    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(source.as_uri())
        theirs = page.evaluate(CHROMIUM_TEXTS)
    finally:
        page.close()
    assert theirs, "Chromium draws no text"
    assert sorted(text for text, *_ in ours) == sorted(text for text, *_ in theirs)
    for text, left, bottom, line, bold in theirs:
        x, y, ours_bold = next((x, y, b) for t_, x, y, b in ours if t_ == text)
        assert ours_bold == bold, (text, "bold" if bold else "regular")
        assert 0 <= x <= 1 and 0 <= y <= 1, (text, x, y)
        # the baseline lies within the line box Chromium draws, the start near its left
        assert bottom - line - 0.02 <= y <= bottom + 0.02, (text, y, bottom, line)
        assert abs(x - left) < 0.06, (text, x, left)


@pytest.mark.slow
def test_viewer_contents_are_numbered_once(built: dict, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto((usb_folder(built, "uk") / "index.html").as_uri())
        items = page.evaluate(
            """() => [...document.querySelectorAll('.toc ol > li')].map(li =>
                [getComputedStyle(li).listStyleType, li.innerText.split('\\n')[0]])"""
        )
    finally:
        page.close()
    assert items and all(style == "none" for style, _ in items)
    assert any(text.startswith("1.1 ") for _, text in items)


@pytest.mark.slow
def test_kbd_is_a_key_cap_in_every_format(built: dict) -> None:
    outputs = built["carpentries"]
    for fmt in ("pdf", "epub", "docx", "html"):
        text = output_text(fmt, outputs[fmt]["learner"])
        assert "Ctrl" in text and "&lt;kbd&gt;" not in text, fmt
        if fmt in ("pdf", "docx"):
            assert "<kbd>" not in text, fmt
    assert "<kbd>Tab</kbd>" in outputs["html"]["learner"].read_text("utf-8")
    runs = [
        r
        for r in docx_xml(outputs["docx"]["learner"]).iter(f"{W}r")
        if "".join(r.itertext()) == "Tab"
    ]
    assert [r.find(f"{W}rPr/{W}rStyle").get(f"{W}val") for r in runs] == ["Keyboard"]
