"""A course edition as several HTML documents: one per lesson, then one per back-matter
section, with links that cross from one document to another.

Any output made of chapter files (the EPUB today) renders through ``SplitWriter`` and
``split_course``: which document holds each lesson and each element id, a link to an
anchor in another document (``lesson-03.xhtml#fig-2``), a link to an element this
edition lacks sent to the start of its lesson instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape

from casekit import tree as t
from casekit.files.cache import digest
from casekit.render.common import lesson_title
from casekit.render.fragments import Fragments, Lookups
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
        self.record(document, _ID.findall(markup))

    def record(self, document: str, ids: list[str]) -> None:
        for anchor in ids:
            self.anchors.setdefault(anchor, document)

    def layout(self) -> list[dict[str, str]]:
        """Where lessons (and, in a subclass, other files) are."""
        return [self.chapters]

    def digest(self) -> str:
        """A hash of the layout: what every chapter's links point to (ids are looked up
        one by one: ``SplitWriter.anchor_document``)."""
        return digest(json.dumps(self.layout()))


class SplitWriter(HtmlWriter):
    """An ``HtmlWriter`` that renders one document at a time (``current``)."""

    def __init__(
        self, course: t.Course, files: ChapterFiles, fragments: Fragments | None = None
    ) -> None:
        super().__init__(course, fragments)
        self.files = files
        self.current = ""
        self.lookups = Lookups(files.anchors)

    def anchor_document(self, anchor: str) -> str:
        """The document that holds ``anchor`` ("" when none does)."""
        return self.lookups.get(anchor)

    def fragment_parts(self) -> tuple[str, ...]:
        """Links point into other documents: the file map and the document written."""
        return (*super().fragment_parts(), self.current, self.files.digest())

    def lesson_ids(self, lesson: t.Lesson, level: int) -> list[str]:
        """Every ``id`` the lesson's markup holds: they do not depend on the file map
        (only links do), so they are known before the other chapters are written."""
        self.lesson_level = level

        def ids() -> str:
            return "\n".join(_ID.findall(self.render_lesson(lesson)))

        if self.fragments is None:
            return ids().split("\n")
        parts = ("ids", *HtmlWriter.fragment_parts(self), self.current)
        return self.fragments.text(lesson, self.course.edition or "", parts, ids).split("\n")

    def lesson_href(self, lesson_id: str, anchor: str | None) -> str:
        """The anchor in its chapter; the lesson's start when this edition lacks it."""
        chapter = self.files.chapters[lesson_id]
        if anchor and self.anchor_document(anchor) == chapter:
            return f"{chapter}#{anchor}"
        return f"{chapter}#{lesson_id}"

    def self_href(self, anchor: str) -> str:
        document = self.anchor_document(anchor) or self.current
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
) -> Iterator[Document]:
    """The lessons (``chapter_file(n)`` names the n-th, from 1), then the back-matter
    sections of ``outline``, each in the (file, landmark) ``back`` gives its key, its
    body by ``appendix(course, writer, key, heading level)``.

    Which chapter holds every id is known first (``SplitWriter.lesson_ids``), so that a
    link to an element this edition lacks (a heading inside a teacher-only solution)
    goes to the start of its lesson instead. Each document is made when the one before
    has been taken: only one is in memory."""
    lessons = [(part, lesson) for part in outline.parts for lesson in part.lessons]
    for number, (_part, lesson) in enumerate(lessons, start=1):
        writer.files.chapters[lesson.id] = chapter_file(number)
    for _part, lesson in lessons:
        writer.current = writer.files.chapters[lesson.id]
        writer.files.record(writer.current, writer.lesson_ids(lesson, level=1))
    for index, (part, lesson) in enumerate(lessons):
        writer.current = writer.files.chapters[lesson.id]
        label = f'<p class="module-label">{escape(part.title)}</p>\n'
        body = label + writer.lesson(lesson, level=1)
        landmark = "" if index else "bodymatter"
        yield Document(writer.current, lesson_title(lesson), body, "bodymatter", landmark)
    for section in outline.back:
        file, landmark = back[section.key]
        writer.current = file
        body = appendix(writer.course, writer, section.key, 1)
        writer.files.record_ids(file, body)
        yield Document(file, section.title, body, "backmatter", landmark)
