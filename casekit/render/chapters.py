"""A course edition as several HTML documents: one per lesson, then one per back-matter
section, with links that cross from one document to another.

Any output made of chapter files (the EPUB today) renders through ``SplitWriter`` and
``split_course``: which document holds each lesson and each element id, a link to an
anchor in another document (``lesson-03.xhtml#fig-2``), a link to an element this
edition lacks sent to the start of its lesson instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from casekit import tree as t
from casekit.render.common import lesson_title
from casekit.render.html import HtmlWriter
from casekit.render.outline import Outline

_ID = re.compile(r'\sid="([^"]+)"')


@dataclass
class ChapterFiles:
    """Which document holds each lesson and each element id."""

    chapters: dict[str, str] = field(default_factory=dict)  # lesson id -> document
    anchors: dict[str, str] = field(default_factory=dict)  # element id -> document

    def record_ids(self, document: str, markup: str) -> None:
        """Remember which document holds every ``id`` in ``markup``."""
        for anchor in _ID.findall(markup):
            self.anchors.setdefault(anchor, document)


class SplitWriter(HtmlWriter):
    """An ``HtmlWriter`` that renders one document at a time (``current``)."""

    def __init__(self, course: t.Course, files: ChapterFiles) -> None:
        super().__init__(course)
        self.files = files
        self.current = ""

    def lesson_href(self, lesson_id: str, anchor: str | None) -> str:
        """The anchor in its chapter; the lesson's start when this edition lacks it."""
        chapter = self.files.chapters[lesson_id]
        if anchor and self.files.anchors.get(anchor) == chapter:
            return f"{chapter}#{anchor}"
        return f"{chapter}#{lesson_id}"

    def self_href(self, anchor: str) -> str:
        document = self.files.anchors.get(anchor, self.current)
        return f"#{anchor}" if document == self.current else f"{document}#{anchor}"


@dataclass
class Document:
    """One document of the split course, in reading order."""

    file: str
    title: str
    body: str
    matter: str  # frontmatter, bodymatter or backmatter
    landmark: str = ""  # its kind among the landmarks of the navigation, if listed there


def split_course(
    outline: Outline,
    writer: SplitWriter,
    chapter_file: Callable[[int], str],
    back: dict[str, tuple[str, str]],
    appendix: Callable[[t.Course, SplitWriter, str, int], str],
) -> list[Document]:
    """The lessons (``chapter_file(n)`` names the n-th, from 1), then the back-matter
    sections of ``outline``, each in the (file, landmark) ``back`` gives its key, its
    body by ``appendix(course, writer, key, heading level)``.

    Lessons are rendered twice: the first pass records which chapter holds every id,
    so that the second can tell a link to an element this edition lacks (a heading
    inside a teacher-only solution) and send it to the start of its lesson instead."""
    lessons = [(part, lesson) for part in outline.parts for lesson in part.lessons]
    for number, (_part, lesson) in enumerate(lessons, start=1):
        writer.files.chapters[lesson.id] = chapter_file(number)
    for _ in range(2):
        documents = []
        for part, lesson in lessons:
            writer.current = writer.files.chapters[lesson.id]
            label = f'<p class="module-label">{escape(part.title)}</p>\n'
            body = label + writer.lesson(lesson, level=1)
            writer.files.record_ids(writer.current, body)
            landmark = "" if documents else "bodymatter"
            documents.append(
                Document(writer.current, lesson_title(lesson), body, "bodymatter", landmark)
            )
    for section in outline.back:
        file, landmark = back[section.key]
        writer.current = file
        body = appendix(writer.course, writer, section.key, 1)
        writer.files.record_ids(file, body)
        documents.append(Document(file, section.title, body, "backmatter", landmark))
    return documents
