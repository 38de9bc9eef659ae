"""The outline of a whole course edition, which every writer that assembles a whole
course follows (the single page, the EPUB, the USB viewer, the PDF, the DOCX, the
Braille edition): the modules in order, each with its heading and lessons, then the
back matter this edition has, in a fixed order.

A writer decides how a part looks, never which parts there are or their order: a
glossary appendix exists when a lesson defines a term, a media index when any media
has a short code, the answer key when the learner edition asks for one
(``answers_appendix``; ``resolve/editions.py`` fills it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from casekit import tree as t
from casekit.messages import Messages
from casekit.render.common import module_title

GLOSSARY = "glossary"
MEDIA_INDEX = "media_index"
ANSWER_KEY = "answers_appendix"

#: the back matter, in order: (key, whether the edition has it). The key is also the
#: message key of the section's title.
BACK_MATTER: tuple[tuple[str, Callable[[t.Course], bool]], ...] = (
    (GLOSSARY, lambda course: bool(course.glossary())),
    (MEDIA_INDEX, lambda course: any(m.code for m in course.media)),
    (ANSWER_KEY, lambda course: bool(course.answer_key)),
)


@dataclass(frozen=True)
class Part:
    """One module: its heading ("Module 1. Title", in the course's words) and lessons."""

    module: t.Module
    title: str

    @property
    def lessons(self) -> list[t.Lesson]:
        return self.module.lessons


@dataclass(frozen=True)
class Appendix:
    """One section of the back matter this edition has."""

    key: str  # GLOSSARY, MEDIA_INDEX or ANSWER_KEY
    title: str


@dataclass(frozen=True)
class Outline:
    parts: list[Part]
    back: list[Appendix]

    def has(self, key: str) -> bool:
        return any(appendix.key == key for appendix in self.back)


def course_outline(course: t.Course, msg: Messages) -> Outline:
    """The outline of one edition of ``course`` (as ``apply_edition`` left it)."""
    return Outline(
        parts=[Part(module, module_title(module, msg)) for module in course.modules],
        back=[Appendix(key, msg(key)) for key, present in BACK_MATTER if present(course)],
    )
