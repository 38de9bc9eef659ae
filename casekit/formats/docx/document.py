"""The whole DOCX of one edition: cover, contents, modules and lessons, appendices."""

from __future__ import annotations

import re
from collections.abc import Callable

from docx.blkcntnr import BlockItemContainer
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P

from casekit import tree as t
from casekit.formats.docx.fields import field_begin, field_end, simple_field
from casekit.formats.docx.links import internal_link
from casekit.formats.docx.oxml import el
from casekit.formats.docx.pieces import Assembly, Bases, Piece, Story
from casekit.formats.docx.writer import DocxWriter, RunFormat
from casekit.messages import Messages
from casekit.render.common import (
    correct_options,
    edition_label,
    lesson_title,
    sorted_glossary,
    source_date,
)
from casekit.render.fragments import Fragments
from casekit.render.outline import ANSWER_KEY, GLOSSARY, MEDIA_INDEX, course_outline
from casekit.render.outline import Part as OutlinePart

#: the page number of a contents entry until the layout gives the real one: as wide as
#: three digits, so putting the number in moves no line of the contents
PAGE_PLACEHOLDER = "000"
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
FOOTER_FIELDS = {"{page}": "PAGE", "{total}": "NUMPAGES"}


def contents_entries(course: t.Course, msg: Messages) -> list[tuple[int, str, str]]:
    """(level, text, bookmark anchor) of every module, lesson and appendix: what the
    TOC field lists once a word processor updates it."""
    outline = course_outline(course, msg)
    entries = []
    for part in outline.parts:
        entries.append((1, part.title, part.module.id))
        for lesson in part.lessons:
            entries.append((2, lesson_title(lesson), lesson.anchor))
    return entries + [(1, a.title, APPENDICES[a.key][0]) for a in outline.back]


def write_course(
    writer: DocxWriter, assembly: Assembly, fragments: Fragments | None, front: FrontPiece
) -> None:
    """The whole body into ``assembly``, piece by piece (``pieces.py``), the lessons
    from ``fragments`` where they were rendered before, after ``front`` (written)."""
    doc, course, msg = writer.doc, writer.course, writer.msg
    outline = course_outline(course, msg)

    def module_heading(part: OutlinePart) -> None:
        writer.text(writer.heading(doc, 1, part.module.id), part.title)

    for part in outline.parts:
        assembly.add(render_piece(writer, assembly, lambda part=part: module_heading(part)))
        for lesson in part.lessons:
            assembly.add(lesson_piece(writer, assembly, lesson, fragments))

    def back() -> None:
        for section in outline.back:
            anchor, write = APPENDICES[section.key]
            writer.text(writer.heading(doc, 1, anchor), section.title)
            write(writer)

    assembly.add(render_piece(writer, assembly, back))
    writer.finish(assembly.sheets)


def render_piece(writer: DocxWriter, assembly: Assembly, write: Callable[[], None]) -> Piece:
    """What ``write()`` writes, as a piece numbered after the sheets placed before it."""
    writer.begin_piece(
        Story(writer.doc.element.nsmap, writer.footnotes.part.element.nsmap), assembly.sheets
    )
    write()
    return writer.end_piece()


def lesson_piece(
    writer: DocxWriter, assembly: Assembly, lesson: t.Lesson, fragments: Fragments | None
) -> Piece:
    """A lesson's piece, from the fragment cache when it was rendered before. Whether
    an answer sheet came before it is part of the key: the first sheet's section
    differs (``sections.py``)."""

    if fragments is None:
        return render_piece(writer, assembly, lambda: write_lesson(writer, lesson))
    made: list[Piece] = []

    def render() -> bytes:
        made.append(render_piece(writer, assembly, lambda: write_lesson(writer, lesson)))
        return made[-1].encode()

    def usable(data: bytes) -> bool:
        piece = Piece.decode(data)
        if piece is None or not assembly.store.keeps(piece):
            return False
        made.append(piece)
        return True

    parts = ("docx-lesson", "sheets before" if assembly.sheets else "first sheet")
    fragments.data(lesson, writer.course.edition or "", parts, render, usable)
    return made[-1]


class FrontPiece:
    """The cover and the contents: the first piece, written again with the contents'
    page numbers once they are known."""

    def __init__(self, writer: DocxWriter, assembly: Assembly) -> None:
        self.writer, self.assembly = writer, assembly
        self.bases: Bases | None = None
        self.xml = b""
        self.entries = contents_entries(writer.course, writer.msg)
        #: the bookmark of every contents entry, whose page number the contents show
        self.bookmarks = [writer.bookmarks.name(anchor) for _level, _text, anchor in self.entries]

    def write(self, pages: dict[str, int] | None) -> None:
        """Cover and contents, with the page numbers ``pages`` (by bookmark; ``None``:
        placeholders as wide as the numbers)."""

        def write() -> None:
            cover(self.writer)
            contents(self.writer, self.entries, pages)

        piece = render_piece(self.writer, self.assembly, write)
        if self.bases is None:
            self.bases = self.assembly.place(piece)
        self.xml = self.bases.renumber(piece.body, piece.body_sites)


def running_paragraph(story: BlockItemContainer, style_id: str) -> tuple[CT_P, bool]:
    """casekit's paragraph (style ``style_id``) in a header or footer, below whatever a
    letterhead reference document has there, and whether it had anything. One left by
    an earlier build (a reference saved from a casekit document) is replaced."""
    element = story._element
    for p in element.findall(qn("w:p")):
        if p.style == style_id:
            element.remove(p)
    first = element.find(qn("w:p"))
    blank = len(element) == 1 and first is not None and not first.xpath("./w:r | ./w:hyperlink")
    p = first if blank else story.add_paragraph()._p  # reuse the empty paragraph of a new header
    p.style = style_id
    return p, not blank


def header_and_footer(writer: DocxWriter) -> None:
    """Course title and edition in the header, "page X of Y" in the footer; none on
    the cover unless the reference document is a letterhead."""
    section = writer.doc.sections[0]
    section.header.is_linked_to_previous = section.footer.is_linked_to_previous = False
    header, letterhead = running_paragraph(section.header, writer.sid("Course Header"))
    label = edition_label(writer.course, writer.msg)
    writer.text(header, f"{writer.course.config.title} · {label}")
    footer, letterfoot = running_paragraph(section.footer, writer.sid("Page Footer"))
    for part in re.split(r"(\{page\}|\{total\})", writer.msg.table["page_x_of_y"]):
        if part in FOOTER_FIELDS:
            footer.extend(simple_field(FOOTER_FIELDS[part], "1", writer.rpr(RunFormat())))
        elif part:
            writer.text(footer, part)
    if not (letterhead or letterfoot):
        section.different_first_page_header_footer = True  # an empty first-page header


def cover(writer: DocxWriter) -> None:
    doc, config, msg = writer.doc, writer.course.config, writer.msg
    writer.text(writer.para(doc, "Title"), config.title)
    if config.subtitle:
        writer.text(writer.para(doc, "Subtitle"), config.subtitle)
    lines = [
        edition_label(writer.course, msg),
        f"{msg('organisation')}: {config.organisation}",
        f"{msg('authors')}: {', '.join(config.authors)}",
    ]
    if config.level:
        lines.append(f"{msg('level')}: {config.level}")
    if config.credits is not None:
        lines.append(f"{msg('credits')}: {config.credits:g}")
    lines.append(f"{msg('version')}: {config.version}")
    lines.append(f"{msg('date')}: {source_date(writer.course).date().isoformat()}")
    lines.append(f"{msg('licence')}: {config.licence}")
    for index, line in enumerate(lines):
        writer.text(writer.para(doc, "Cover Edition" if index == 0 else "Cover Info"), line)


def contents(
    writer: DocxWriter, entries: list[tuple[int, str, str]], pages: dict[str, int] | None
) -> None:
    """A TOC field whose result is already filled in: the modules, lessons and
    appendices, linked, each ending in a ``PAGEREF`` field to its heading. The page
    numbers (``pages``, by bookmark) are put in after the document is laid out
    (``pagination``; placeholders while ``pages`` is ``None``), so the contents show
    them before a word processor updates the field: Word offers to on
    opening (``updateFields``); LibreOffice keeps the result until "Update index"."""
    doc = writer.doc
    writer.text(writer.para(doc, "TOC Heading"), writer.msg("contents"))
    paragraphs = []
    for level, text, anchor in entries:
        p = writer.para(doc, f"toc {level}")
        link = internal_link(writer.bookmarks, anchor)
        p.append(link)
        writer.text(link, text)
        link.append(el("w:r", writer.rpr(RunFormat()), el("w:tab")))
        name = writer.bookmarks.name(anchor)
        number = PAGE_PLACEHOLDER if pages is None else str(pages.get(name, ""))
        link.extend(simple_field(f"PAGEREF {name} \\h", number, writer.rpr(RunFormat())))
        paragraphs.append(p)
    if not paragraphs:
        return
    first = paragraphs[0]
    ppr = first.find(qn("w:pPr"))
    for run in reversed(field_begin(TOC_INSTRUCTION, dirty=True)):
        ppr.addnext(run)
    paragraphs[-1].append(field_end())


def write_lesson(writer: DocxWriter, lesson: t.Lesson) -> None:
    doc, msg = writer.doc, writer.msg
    heading = writer.heading(doc, 2, lesson.anchor)
    writer.text(heading, f"{lesson.number} ")
    writer.inlines(heading, lesson.title)
    if lesson.hours is not None:
        writer.text(writer.para(doc, "Lesson Info"), f"{msg('hours')}: {lesson.hours:g}")
    if lesson.outcomes:
        pos = lesson.pos
        items = [t.ListItem(pos, [t.Paragraph(pos, [t.Text(o)])]) for o in lesson.outcomes]
        writer.box(doc, "Objectives Box", msg("outcomes"), [t.BulletList(pos, items)])
    writer.notes = {note.anchor: note for note in lesson.footnotes}
    writer.blocks(doc, lesson.blocks)
    writer.notes = {}


def glossary(writer: DocxWriter) -> None:
    entries = sorted_glossary(writer.course)
    for entry in entries:
        writer.glossary_entry(writer.doc, entry)


def media_index(writer: DocxWriter) -> None:
    for item in writer.course.media:
        if item.code:
            writer.media_card(writer.doc, item)


def answer_key(writer: DocxWriter) -> None:
    """The learner edition's answers appendix, when the course asks for it."""
    msg, doc = writer.msg, writer.doc
    for entry in writer.course.answer_key:
        p = writer.para(doc, "Body Text")
        label = f"{msg('quiz', number=entry.quiz.number)}, "
        label += f"{msg('question', number=entry.question.number)}: "
        writer.text(p, label, RunFormat(bold=True))
        q = entry.question
        if q.options:
            writer.text(
                p,
                "; ".join(
                    f"{letter} {t.plain_text(children)}" for letter, children in correct_options(q)
                ),
            )
        else:
            writer.text(
                p,
                " ".join(
                    t.plain_text(b.children)
                    for b in t.iter_blocks(q.answer)
                    if isinstance(b, t.Paragraph)
                ),
            )


#: the back matter (``render/outline.py``): its bookmark anchor and writer, by key
APPENDICES: dict[str, tuple[str, Callable[[DocxWriter], None]]] = {
    GLOSSARY: ("appendix-glossary", glossary),
    MEDIA_INDEX: ("appendix-media-index", media_index),
    ANSWER_KEY: ("appendix-answer-key", answer_key),
}
