"""The EPUB flavour of ``HtmlWriter``: chapter files, book-internal images and media.

Only the hooks differ from the HTML page: links go to ``<chapter>.xhtml#anchor``,
images and (when the book carries them) audio and video point to files inside the
book. The markup itself is ``HtmlWriter``'s, with ``epub:type`` beside ARIA roles.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import escape

from casekit import tree as t
from casekit.files.cache import digest
from casekit.render.common import media_caption
from casekit.render.fragments import Fragments, Lookups
from casekit.render.html import HtmlWriter, attr

_ID = re.compile(r'\sid="([^"]+)"')
ANSWERS_FILE = "answers.xhtml"


@dataclass
class BookFiles:
    """Where each part of the course lives inside the book (paths relative to the OPF)."""

    chapters: dict[str, str] = field(default_factory=dict)  # lesson id -> chapter file
    media: dict[str, str] = field(default_factory=dict)  # course path -> file in the book
    anchors: dict[str, str] = field(default_factory=dict)  # element id -> document file

    def record_ids(self, document: str, markup: str) -> None:
        """Remember which document holds every ``id`` in ``markup``."""
        self.record(document, _ID.findall(markup))

    def record(self, document: str, ids: list[str]) -> None:
        for anchor in ids:
            self.anchors.setdefault(anchor, document)

    def digest(self) -> str:
        """A hash of where lessons and media are: what every chapter's links and images
        point to (ids are looked up one by one: ``EpubWriter.anchor_document``)."""
        return digest(json.dumps([self.chapters, self.media]))


class EpubWriter(HtmlWriter):
    """Renders one document of the book at a time (``current`` is its file name)."""

    epub = True

    def __init__(
        self, course: t.Course, files: BookFiles, fragments: Fragments | None = None
    ) -> None:
        super().__init__(course, fragments)
        self.files = files
        self.current = ""
        self.lookups = Lookups(files.anchors)

    def anchor_document(self, anchor: str) -> str:
        """The document that holds ``anchor`` ("" when none does)."""
        return self.lookups.get(anchor)

    def fragment_parts(self) -> tuple[str, ...]:
        """Links and images point into the book: its file map and the document written."""
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

    def answer_href(self, question: t.Question) -> str:
        return f"{ANSWERS_FILE}#key-{question.anchor}"

    def image_src(self, item: t.MediaItem) -> str:
        return self.files.media[item.path]

    def media(self, block: t.MediaBlock) -> str:
        if block.media is None or block.media.path not in self.files.media:
            return super().media(block)
        return self.media_figure(block, player=self.player(block.media))

    def player(self, item: t.MediaItem) -> str:
        """An EPUB 3 ``<video>``/``<audio>`` element; the text inside is the fallback
        for readers that cannot play it (the transcript follows in the figure)."""
        caption = media_caption(item, self.msg)
        track = ""
        if item.kind == "video" and item.transcript is not None:
            track = (
                f'<track kind="captions" src="{attr(self.files.media[item.transcript.path])}"'
                f' srclang="{attr(self.course.config.language)}"'
                f' label="{attr(self.msg("transcript"))}"/>'
            )
        return (
            f'<{item.kind} class="player" controls="controls"'
            f' src="{attr(self.files.media[item.path])}" aria-label="{attr(caption)}">'
            f'{track}<p class="media-fallback">{escape(caption)}</p></{item.kind}>\n'
        )
