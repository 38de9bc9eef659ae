"""Personal packets as DOCX, on request (``casekit packets --docx``; the packet format
``docx`` of ``packet_formats.py``): the same
cover, study plan and answer sheets as the PDF packet around the course's learner
DOCX, for facilities that must edit or print from a word processor.

The body is rendered once per print profile by the docx format; each packet is
that document with the personal pages added (python-docx), written in the same
normalised zip form as every casekit DOCX. Answer sheets carry the learner code
and the same QR codes; the boxes of the PDF's sheets (the geometry the scanner
reads) are printed here as rows of ☐ per question.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from casekit import tree as t
from casekit.formats import BuildContext
from casekit.formats.docx import DocxOptions
from casekit.formats.docx.package import docx_bytes
from casekit.formats.docx.render import render_docx
from casekit.formats.options import resolve_options
from casekit.learners.packet_formats import PersonalPages
from casekit.learners.personal_pages import SheetTarget
from casekit.learners.records import Learner
from casekit.learners.schedule import StudyPlan
from casekit.learners.wording import Fact, Wording
from casekit.render.common import option_letter, qr_png, source_date
from casekit.sheets.payload import register_payload

QR_SIZE_MM = 30
ANSWER_LINES = 12


def render_body(course: t.Course, scratch: Path, large_print: bool) -> bytes:
    """The learner edition as DOCX without its blank answer sheets. Its contents carry
    no page numbers: the personal pages put before the body would shift them (Word
    fills them in when it updates the field on opening)."""
    given = {"large_print": large_print, "answer_sheets": False, "contents_pages": False}
    options = resolve_options("docx", DocxOptions, course.config, given)
    return render_docx(course, BuildContext(out_dir=scratch, options=options))


def packet_docx(body: bytes, pages: PersonalPages) -> bytes:
    """One learner's DOCX packet: cover and plan before the body, sheets after it."""
    words, learner, plan, names = pages.words, pages.learner, pages.plan, pages.names
    msg = words.msg
    doc = Document(io.BytesIO(body))
    body_element = doc.element.body
    first = len(body_element) - 1  # paragraphs added now go before sectPr; moved below

    def facts(items: list[Fact], style: str = "Cover Info") -> None:
        for label, value in items:
            paragraph = doc.add_paragraph(style=style)
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)

    def page_break() -> None:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    config = words.course.config
    doc.add_paragraph(config.title, style="Title")
    doc.add_paragraph(msg("personal_packet"), style="Subtitle")
    code = doc.add_paragraph(style="Subtitle")
    code.add_run(f"{msg('learner_id')}: ")
    code.add_run(learner.code).bold = True
    facts(words.cover_facts(learner, pages.packet_id, plan, names))
    page_break()
    doc.add_paragraph(msg("study_plan"), style="Heading 1")
    facts(words.plan_facts(plan, pages.group))
    table_text = words.plan_table(plan)
    table = doc.add_table(rows=0, cols=len(table_text.head))
    table.style = doc.styles["Casekit Table"]  # the docx format's table style
    for values, style in (
        (table_text.head, "Table Heading"),
        *((row, "Table Text") for row in table_text.rows),
        (table_text.total, "Table Heading"),
    ):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.paragraphs[0].style = doc.styles[style]
            cell.paragraphs[0].add_run(value)
    facts(words.plan_notes(plan))
    page_break()
    front = list(body_element)[first:-1]
    for offset, element in enumerate(front):  # to the top, in order
        body_element.insert(offset, element)
    for target, sheet in zip(pages.targets, pages.sheet_ids, strict=True):
        _sheet(doc, words, target, sheet, learner, plan)
    return docx_bytes(doc, source_date(words.course))


def _sheet(
    doc: Document,
    words: Wording,
    target: SheetTarget,
    sheet_id: str,
    learner: Learner,
    plan: StudyPlan,
) -> None:
    msg = words.msg
    for page in target.pages:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        title = msg("answer_sheet" if target.kind == "assignment" else "quiz_sheet")
        doc.add_paragraph(title, style="Answer Sheet Title")
        qr = doc.add_paragraph()
        qr.add_run().add_picture(
            io.BytesIO(qr_png(register_payload(sheet_id, page.page))), width=Mm(QR_SIZE_MM)
        )
        deadlines = [d for d in map(plan.deadline, target.lesson_ids) if d is not None]
        lines = [
            (msg("course"), words.course.config.title),
            ("", target.title),
            (msg("learner_code"), learner.code),
        ]
        if deadlines:
            lines.append((msg("deadline"), words.date(max(deadlines))))
        for label, value in lines:
            paragraph: Paragraph = doc.add_paragraph(style="Cover Info")
            if label:
                paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(value)
        for row in page.rows:
            boxes = "   ".join(f"☐ {option_letter(i)}" for i in range(len(row.boxes)))
            doc.add_paragraph(f"{row.question}.   {boxes}", style="Answer Line")
        for area in page.areas:
            if area.label:
                doc.add_paragraph(area.label, style="Answer Line")
            for _ in range(ANSWER_LINES if area.key == "assignment" else 3):
                doc.add_paragraph(style="Answer Line")
