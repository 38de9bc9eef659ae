"""EPUB 3 Media Overlays: each lesson spoken, each sentence's clip tied to its text.

Every lesson chapter gets its sentences marked (``render/sentences.py``), an Ogg Opus
file of the lesson read aloud (``render/narration.py``) and a SMIL document whose
``<par>`` elements pair each sentence with its clip. Reading systems then play the
lesson and highlight the sentence being read with the ``-epub-media-overlay-active``
class (``templates/epub/epub.css``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath

from ebooklib import epub

from casekit import tree as t
from casekit.files.cache import BuildCache
from casekit.messages import Messages
from casekit.render.narration import AUDIO_TYPE, Clip, clock, narrate
from casekit.render.sentences import mark_sentences

ACTIVE_CLASS = "-epub-media-overlay-active"


#: makes a member of the book waiting in a file: (uid, file name, media type, bytes)
KeepItem = Callable[[str, str, str, bytes], epub.EpubItem]


@dataclass
class Overlay:
    chapter: str  # the chapter's file, e.g. lesson-01.xhtml
    clips: list[Clip]
    audio: epub.EpubItem | None = None  # the chapter read aloud, set by ``narrate_chapter``

    @property
    def stem(self) -> str:
        return PurePosixPath(self.chapter).stem

    @property
    def smil_id(self) -> str:
        return f"smil-{self.stem}"

    @property
    def smil_file(self) -> str:
        return f"overlays/{self.stem}.smil"

    @property
    def audio_file(self) -> str:
        return f"audio/{self.stem}.ogg"

    @property
    def duration(self) -> float:
        return self.clips[-1].end if self.clips else 0.0


def narrate_chapter(
    course: t.Course,
    file: str,
    body: str,
    msg: Messages,
    cache: BuildCache | None,
    keep: KeepItem,
) -> tuple[str, Overlay | None]:
    """``body`` with its sentences marked, and the chapter's overlay (``None`` when
    nothing in it is read); its audio goes to ``keep`` as soon as it is made: the
    lessons' audio is never all in memory."""
    marked, sentences = mark_sentences(body, "sentence-")
    if not sentences:
        return body, None
    spoken = narrate(sentences, course.config.language, msg, cache)
    overlay = Overlay(file, spoken.clips)
    overlay.audio = keep(f"audio-{overlay.stem}", overlay.audio_file, AUDIO_TYPE, spoken.audio)
    return marked, overlay


def smil(overlay: Overlay) -> bytes:
    pars = "".join(
        f'<par id="par-{n}"><text src="../{escape(overlay.chapter)}#{escape(clip.id)}"/>'
        f'<audio src="../{escape(overlay.audio_file)}" clipBegin="{clock(clip.begin)}"'
        f' clipEnd="{clock(clip.end)}"/></par>\n'
        for n, clip in enumerate(overlay.clips, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<smil xmlns="http://www.w3.org/ns/SMIL" xmlns:epub="http://www.idpf.org/2007/ops"'
        ' version="3.0">\n<body>\n'
        f'<seq id="seq-1" epub:textref="../{escape(overlay.chapter)}" epub:type="chapter">\n'
        f"{pars}</seq>\n</body>\n</smil>\n"
    ).encode()


def add_overlays(book: epub.EpubBook, overlays: list[Overlay], items: list[epub.EpubItem]) -> None:
    """The audio, SMIL documents and ``media:*`` metadata; chapters point at their SMIL."""
    by_file = {overlay.chapter: overlay for overlay in overlays}
    for item in items:
        overlay = by_file.get(item.file_name)
        if overlay is not None:
            item.media_overlay = overlay.smil_id
    total_ms = 0
    for overlay in overlays:
        book.add_item(overlay.audio)
        book.add_item(epub.EpubSMIL(overlay.smil_id, overlay.smil_file, smil(overlay)))
        duration = clock(overlay.duration)
        book.add_metadata(
            None, "meta", duration, {"property": "media:duration", "refines": f"#{overlay.smil_id}"}
        )
        total_ms += round(overlay.duration * 1000)
    if overlays:  # the sum of the rounded durations, as EPUBCheck adds them up
        book.add_metadata(None, "meta", clock(total_ms / 1000), {"property": "media:duration"})
        book.add_metadata(None, "meta", ACTIVE_CLASS, {"property": "media:active-class"})
