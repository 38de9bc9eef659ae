"""Every print variant of every shipped course builds (paper x large print x booklet),
and a box taller than the page runs over with a "(continued)" mark."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from casekit.build.pipeline import build_course
from tests.conftest import COURSES, require_tool

PAPERS_PT = {"A4": (595, 842), "A5": (420, 595), "Letter": (612, 792)}
VARIANTS = list(itertools.product(PAPERS_PT, (False, True), (False, True)))


@pytest.mark.slow
@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.name)
def test_every_print_variant_builds_and_passes_qpdf(course: Path, tmp_path: Path) -> None:
    qpdf = require_tool("qpdf")
    for paper, large, booklet in VARIANTS:
        options = {"paper": paper, "large_print": large, "booklet": booklet}
        result = build_course(course, ["pdf"], ("learner", "teacher"), tmp_path / "out", options)
        assert not result.stopped, (options, [str(d) for d in result.diagnostics.sorted()])
        for record in result.outputs:
            pdf = record.paths[0]
            subprocess.run([qpdf, "--check", str(pdf)], check=True, capture_output=True)
            box = PdfReader(pdf).pages[1].mediabox
            size = (round(float(box.width)), round(float(box.height)))
            # a booklet puts two A5 pages on one sheet of the chosen paper (landscape)
            expected = PAPERS_PT[paper if not booklet else "A4"]
            if booklet:
                assert size[0] > size[1], options
            else:
                assert size == expected, options


LONG_BOX = (
    "::: tip\n" + "\n\n".join(f"Paragraph {n} of a very long tip." for n in range(80)) + "\n:::\n"
)


def test_a_box_taller_than_the_page_runs_over_with_a_continued_mark(
    make_course, tmp_path: Path
) -> None:
    course = make_course(
        {
            "a.md": "# A\n\n"
            + LONG_BOX
            + "\n```\n"
            + "\n".join(f"line {n}" for n in range(120))
            + "\n```\n"
        }
    )
    result = build_course(course, ["pdf"], ("learner",), tmp_path / "out", {"paper": "A5"})
    assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
    pages = [p.extract_text() for p in PdfReader(result.outputs[0].paths[0]).pages]
    running = [text for text in pages if "Paragraph" in text or "line 1" in text]
    assert len(running) >= 3
    # every page the box or the code runs onto starts with the mark, the first does not
    continued = [text for text in pages if "(continued)" in text]
    assert len(continued) >= 2
    first = next(text for text in pages if "Paragraph 0 " in text)
    assert "(continued)" not in first


@pytest.mark.slow
@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.name)
def test_answer_sheets_start_on_a_right_hand_page_of_their_own(
    course: Path, tmp_path: Path
) -> None:
    """Duplex printing: each answer sheet starts on a right-hand (odd) page, and the
    back of its last page carries no lesson text. A page left blank is blank: no
    running header or footer either."""
    result = build_course(course, ["pdf"], ("learner",), tmp_path / "out", {})
    assert not result.stopped
    reader = PdfReader(result.outputs[0].paths[0])
    texts = [page.extract_text() for page in reader.pages]
    sheet_titles = ("Answer sheet", "Жауап парағы", "answer sheet", "жауап парағы")
    starts = [
        n
        for n, text in enumerate(texts, 1)
        if any(title in text.splitlines()[0] for title in sheet_titles if text.strip())
    ]
    assert starts, "the course has answer sheets"
    for number in starts:
        assert number % 2 == 1, f"answer sheet on left-hand page {number}"
        previous = texts[number - 2]
        if number - 1 >= 3 and not previous.strip():
            assert (number - 1) % 2 == 0  # only a left-hand page is left blank before it
    for number in starts:
        end = number
        while end < len(texts) and any(t in texts[end] for t in ("Course:", "Курс:")):
            end += 1  # later pages of the same sheet
        if end % 2 == 1 and end < len(texts):
            back = texts[end]
            assert not _lesson_text(back), f"lesson text on the back of page {end}"
    blank = [n for n, text in enumerate(texts, 1) if not _lesson_text(text)]
    assert blank, "the course leaves pages blank for duplex printing"
    for number in blank:
        assert not texts[number - 1].strip(), f"page {number} is blank but for its decoration"


def _lesson_text(text: str) -> bool:
    """Whether a page has more than the running header and footer."""
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) > 4


def test_long_words_are_hyphenated_where_a_dictionary_exists(make_course, tmp_path: Path) -> None:
    words = "uncharacteristically internationalisation incomprehensibilities " * 6
    course = make_course({"a.md": f"# A\n\n{words}\n"})
    options = {"paper": "A5", "large_print": True}
    result = build_course(course, ["pdf"], ("learner",), tmp_path / "out", options)
    assert not result.stopped
    text = "\n".join(p.extract_text() for p in PdfReader(result.outputs[0].paths[0]).pages)
    # some line ends inside a word at a syllable, with a hyphen
    assert any(line.endswith("-") and line[-2].isalpha() for line in text.splitlines())


LONG_URL = "https://example.org/" + "/".join(f"segment{n}" for n in range(16)) + "/index.html"
#: in a narrow table column a piece may still not fit a line: it is cut at the line end
CELL_URL = "https://example.net/" + "/".join(f"part{n}" for n in range(16)) + "/cell.html"
LONG_WORDS = (
    "Қазақстанреспубликасыныңбілімжәнеғылымминистрлігініңбұйрығымен",
    "configuration_file_for_the_learning_management_system_backup_v2",
)
LONG_LESSON = f"""# A

See {LONG_URL} and {LONG_WORDS[0]} and {LONG_WORDS[1]} end.

A [link]({LONG_URL}) with its address.

::: note
In a box: {LONG_URL} {LONG_WORDS[0]}
:::

| Name | Address |
|---|---|
| Other | {CELL_URL} |
| {LONG_WORDS[1]} | x |

`{LONG_WORDS[1]}_{LONG_WORDS[1]}`
"""


def glyphs_outside(pdf: Path, margin_pt: float) -> list[tuple[int, str]]:
    """Characters drawn beyond the left or right margin, by page (pdfium's glyph boxes)."""
    document = pypdfium2.PdfDocument(str(pdf))
    outside = []
    for index in range(len(document)):
        page = document[index]
        width = page.get_size()[0]
        text = page.get_textpage()
        for char in range(text.count_chars()):
            left, _bottom, right, _top = text.get_charbox(char)
            shown = text.get_text_range(char, 1)
            if shown.strip() and (right > width - margin_pt + 0.5 or left < margin_pt - 0.5):
                outside.append((index + 1, shown))
    return outside


@pytest.mark.slow
@pytest.mark.parametrize("large", [False, True], ids=["standard", "large-print"])
def test_long_urls_and_words_stay_inside_the_margins(
    make_course, tmp_path: Path, large: bool
) -> None:
    course = make_course({"a.md": LONG_LESSON})
    options = {"paper": "A5", "large_print": large}
    result = build_course(course, ["pdf", "docx"], ("learner",), tmp_path / "out", options)
    assert not result.stopped, [str(d) for d in result.diagnostics.sorted()]
    built = {record.format: record.paths[0] for record in result.outputs}
    pdf, docx_file = built["pdf"], built["docx"]
    margin = 20 * 72 / 25.4
    assert glyphs_outside(pdf, margin) == []
    # a long word is cut with a hyphen (or after its own _), never silently
    lines = [line.strip() for p in PdfReader(pdf).pages for line in p.extract_text().splitlines()]
    for word in LONG_WORDS:
        pieces = [line for line in lines if line and line.rstrip("-") in word and len(line) > 3]
        assert len(pieces) >= 2, (word, lines)
        assert all(piece[-1] in "-_" for piece in pieces if not word.endswith(piece)), pieces
    # a URL breaks after a slash (or ? & = . #), with no hyphen a reader would type
    pieces = [line for line in lines if len(line) > 8 and line in LONG_URL]
    assert len(pieces) >= 2, lines
    assert all(piece[-1] in "/?&=.#" for piece in pieces if not LONG_URL.endswith(piece))
    # the DOCX as LibreOffice lays it out
    soffice = require_tool("soffice")
    subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "lo-pdf"), str(docx_file)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    assert glyphs_outside(tmp_path / "lo-pdf" / f"{docx_file.stem}.pdf", margin) == []
