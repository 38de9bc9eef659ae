"""Answer sheets: one layout that the PDF draws and the scanner reads. Checked on the
layout itself and on real PDF pages rendered by pypdfium2 and decoded by zxing-cpp."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from casekit.build.course import load_course
from casekit.build.pipeline import build_course
from casekit.config.settings import PAPER_SIZES_MM
from casekit.diagnostics import Diagnostics
from casekit.sheets.layout import (
    MARK_INSET,
    Rect,
    SheetPage,
    assignment_sheet,
    quiz_sheet,
)
from casekit.sheets.payload import course_payload, parse_payload, register_payload

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

DPI = 150


def many_questions(count: int, options: int = 4) -> str:
    lines = ['::: {.quiz #big title="Big"}']
    for number in range(1, count + 1):
        lines.append(f"{number}. Question {number}?")
        if number % 7 == 0:  # a short answer: a writing area
            lines += ["", "   ::: answer", "   yes", "   :::"]
            continue
        for option in range(options):
            lines.append(f"   - [{'x' if option == 1 else ' '}] option {option}")
    lines.append(":::")
    return "---\ntitle: Lesson\n---\n\n" + "\n".join(lines) + "\n"


def rects(page: SheetPage) -> list[Rect]:
    out = [page.qr, page.identity, page.instruction]
    out += [h.rect for h in page.headings]
    out += [r for row in page.rows for r in (row.label, *row.boxes, *row.letters)]
    out += [a.rect for a in page.areas]
    return out


def overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


@pytest.mark.parametrize("paper", sorted(PAPER_SIZES_MM))
def test_layout_keeps_marks_inside_and_everything_apart(make_course, paper):
    course = load_course(make_course({"a.md": many_questions(60, options=14)}), Diagnostics())
    pages = quiz_sheet(course.modules[0], paper)
    assert len(pages) >= 3
    width, height = PAPER_SIZES_MM[paper]
    questions = []
    for page in pages:
        assert page.pages == len(pages) and page.paper == (width, height)
        for mark in page.marks:
            edges = (mark.x, mark.y, width - mark.x - mark.w, height - mark.y - mark.h)
            assert min(edges) >= 10 and min(edges) == MARK_INSET
            for r in rects(page):
                assert not overlaps(mark, r)
        inner = Rect(
            page.marks[0].x + page.marks[0].w,
            page.marks[0].y + page.marks[0].h,
            page.marks[2].x - page.marks[0].x - page.marks[0].w,
            page.marks[2].y - page.marks[0].y - page.marks[0].h,
        )
        for r in rects(page):  # inside the marks: the fitted image holds all of it
            assert inner.x < r.x and r.x + r.w < inner.x + inner.w
            assert inner.y < r.y and r.y + r.h < inner.y + inner.h
        boxes = [b for row in page.rows for b in row.boxes] + [a.rect for a in page.areas]
        for a, b in itertools.combinations(boxes, 2):
            assert not overlaps(a, b)
        for row in page.rows:
            assert not overlaps(row.label, page.qr)
        questions += [row.key for row in page.rows] + [a.key for a in page.areas]
        assert SheetPage.from_json(page.to_json()) == page
    # every question once; the rows with 14 options wrap onto two lines
    assert sorted(questions, key=lambda k: int(k.split("/")[1])) == [
        f"a--big/{n}" for n in range(1, 61)
    ]
    assert all(len(row.boxes) == 14 for page in pages for row in page.rows)


def test_payloads_round_trip_and_foreign_codes_are_refused(make_course):
    course = load_course(make_course({"a.md": many_questions(3)}), Diagnostics())
    assert course_payload(course, "module-1") == "t|1|module-1"
    assert parse_payload("t|1|module-1|2").page == 2
    ref = parse_payload(course_payload(course, "module-1", 3))
    assert (ref.course_id, ref.version, ref.item, ref.page, ref.personal) == (
        "t",
        "1",
        "module-1",
        3,
        False,
    )
    assert parse_payload(register_payload("K7QF2M", 2)).sheet_id == "K7QF2M"
    for foreign in ("https://example.org/x", "", "a|b", "a||c", "t|1|m|1", "t|1|m|x", "K7/0"):
        assert parse_payload(foreign) is None, foreign
    with pytest.raises(ValueError):
        register_payload("no spaces")


def dark(image: np.ndarray, x_mm: float, y_mm: float) -> bool:
    px = DPI / 25.4
    return bool(image[round(y_mm * px), round(x_mm * px)] < 100)


def test_printed_sheets_match_their_layout(tmp_path):
    """Every sheet page of the English example: its QR decodes to the course payload,
    its marks and boxes are printed exactly where the layout says."""
    root = Path(__file__).resolve().parent.parent / "courses" / "job-search-en"
    result = build_course(root, ["pdf"], ["learner"], tmp_path, {})
    assert not result.stopped
    pdf = result.outputs[0].paths[0]
    course = load_course(root, Diagnostics())
    expected = {course_payload(course, m.id): quiz_sheet(m)[0] for m in course.modules}
    for lesson in course.lessons():
        for block in lesson.blocks:
            if type(block).__name__ == "Assignment":
                expected[course_payload(course, block.anchor)] = assignment_sheet(block)[0]
    found = {}
    texts = [page.extract_text() for page in PdfReader(pdf).pages]
    for index, page in enumerate(pypdfium2.PdfDocument(str(pdf))):
        image = np.asarray(page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L"))
        codes = [c.text for c in zxingcpp.read_barcodes(image) if c.text in expected]
        if not codes:
            continue
        layout = expected[codes[0]]
        found[codes[0]] = index
        for mark in layout.marks:
            assert dark(image, *mark.centre)
            assert not dark(image, mark.x - 1.5, mark.y + mark.h / 2)  # white around it
        for row in layout.rows:
            for box in row.boxes:
                assert not dark(image, *box.centre)  # empty inside
                assert dark(image, box.x, box.y + box.h / 2)  # its printed edge
        text = texts[index]
        assert "Learner code:" in text and "Name:" in text  # blank fields: no register
        assert "To cancel a mark, black out the whole box." in text.replace("\n", " ")
        assert ("Self-check answer sheet" in text) == (layout.kind == "quiz")
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", ("Білім алушының коды", "Белгіні жою үшін ұяшықты толық қара түске бояңыз.")),
        ("ru", ("Код обучающегося", "Чтобы отменить отметку, полностью зачерните клетку.")),
    ],
)
def test_sheet_words_come_from_the_message_files(make_course, tmp_path, language, words):
    root = make_course({"a.md": many_questions(3)})
    toml = root / "course.toml"
    toml.write_text(toml.read_text("utf-8").replace('"en"', f'"{language}"'), "utf-8")
    result = build_course(root, ["pdf"], ["learner"], tmp_path / "out", {})
    assert not result.stopped
    text = " ".join(p.extract_text() for p in PdfReader(result.outputs[0].paths[0]).pages)
    text = text.replace("\n", " ")
    for word in words:
        assert word in text
