"""The EPUB flavour of ``HtmlWriter``: book-internal images and media.

Only the hooks differ from the HTML page: links go to ``<chapter>.xhtml#anchor`` (the
chapter split of ``render/chapters.py``), images and (when the book carries them) audio
and video point to files inside the book. The markup itself is ``HtmlWriter``'s, with
``epub:type`` beside ARIA roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from casekit import tree as t
from casekit.render.chapters import ChapterFiles, SplitWriter
from casekit.render.common import media_caption
from casekit.render.fragments import Fragments
from casekit.render.html import attr

ANSWERS_FILE = "answers.xhtml"


@dataclass
class BookFiles(ChapterFiles):
    """Where each part of the course lives inside the book (paths relative to the OPF)."""

    media: dict[str, str] = field(default_factory=dict)  # course path -> file in the book

    def layout(self) -> list[dict[str, str]]:
        return [self.chapters, self.media]


class EpubWriter(SplitWriter):
    """Renders one document of the book at a time (``current`` is its file name)."""

    epub = True
    files: BookFiles

    def __init__(
        self, course: t.Course, files: BookFiles, fragments: Fragments | None = None
    ) -> None:
        super().__init__(course, files, fragments)

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
