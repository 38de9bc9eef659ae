"""Shared rendering helpers: labels, media captions, QR codes, safe links.

Every format module uses these so that a media block, a callout label or a
quiz instruction reads the same on paper, in the EPUB and in the viewer.
"""

from __future__ import annotations

import io
import os
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

from casekit import tree as t
from casekit.messages import BUILT_IN, Messages, messages
from casekit.render.collation import sort_key
from casekit.resolve.vtt import format_time
from casekit.safety.paths import SAFE_SCHEMES

if TYPE_CHECKING:
    import qrcode


def safe_href(href: str) -> str:
    """``href`` when it is a safe external link, else "" (never javascript:, data:, file:)."""
    return href if href.lower().startswith(SAFE_SCHEMES) else ""


#: the colours a box kind borrows: every format styles the five base looks only
CALLOUT_LOOK: dict[t.CalloutKind, str] = {
    "note": "note",
    "tip": "tip",
    "warning": "warning",
    "important": "important",
    "callout": "callout",
    "hint": "tip",
    "caution": "warning",
    "questions": "note",
    "prereq": "note",
    "discussion": "callout",
    "spoiler": "callout",
    "checklist": "tip",
    "testimonial": "callout",
    "instructor": "important",
}


def callout_label(kind: t.CalloutKind, msg: Messages) -> str:
    return msg(kind)


def code_label(block: t.CodeBlock, msg: Messages) -> str:
    """``Command``, ``Output``, ``Error``: the words that tell a code block's role in
    black-and-white print; "" for plain code."""
    return msg(f"code_{block.role}") if block.role else ""


def option_instructions(question: t.Question, msg: Messages) -> str:
    return {
        "single": msg("select_one"),
        "multiple": msg("select_all"),
        "short": msg("write_answer"),
    }[question.kind]


def module_title(module: t.Module, msg: Messages) -> str:
    """``1-модуль: Title``: a module's heading in every format."""
    return f"{msg('module', number=module.index)}: {module.title}"


def lesson_title(lesson: t.Lesson) -> str:
    """``1.2 Title`` as plain text: a lesson in contents, outlines and navigation."""
    return f"{lesson.number} {t.plain_text(lesson.title)}"


def sorted_glossary(course: t.Course) -> list[t.GlossaryEntry]:
    """Every glossary entry of the course in its language's alphabetical order."""
    language = course.config.language
    return sorted(course.glossary(), key=lambda e: sort_key(t.plain_text(e.term), language))


def option_letter(index: int) -> str:
    """``a)``, ``b)``...: how options are labelled on paper and in answer keys."""
    return f"{chr(ord('a') + index)})"


def correct_options(question: t.Question) -> list[tuple[str, list[t.Inline]]]:
    """(letter, text) of each option marked correct."""
    return [(option_letter(i), o.children) for i, o in enumerate(question.options) if o.correct]


def true_false(question: t.Question, msg: Messages) -> bool | None:
    """The correct value when ``question`` is a true/false question, else None: its two
    options are ``option_true`` and ``option_false`` of the course's messages (``msg``,
    its ``[labels]`` included) or of any built-in language, whatever their case."""
    if question.kind != "single" or len(question.options) != 2:
        return None
    texts = tuple(
        t.plain_text(o.children).strip().rstrip(".!").casefold() for o in question.options
    )
    for words in [msg, *(messages(language) for language in BUILT_IN)]:
        pair = (words("option_true").casefold(), words("option_false").casefold())
        if sorted(texts) == sorted(pair):
            chosen = next(
                text for text, o in zip(texts, question.options, strict=True) if o.correct
            )
            return chosen == pair[0]
    return None


def short_answer(question: t.Question) -> str:
    """The accepted answer of a short question, as one line of plain text."""
    return t.blocks_text(question.answer)


def media_caption(item: t.MediaItem, msg: Messages, with_code: bool = True) -> str:
    """``Video V2.3: Title (Duration 1:05)``: the same words in every format.

    ``with_code=False`` leaves the short code out, for layouts that show it as a badge."""
    kind = msg("video") if item.kind == "video" else msg("audio")
    code = f" {item.code}" if with_code else ""
    text = f"{kind}{code}: {item.title or item.name}"
    if item.duration:
        text += f" ({msg('duration')} {format_time(item.duration)})"
    return text


QR_QUIET_MODULES = 2  # the white border of every QR code casekit prints, in modules


def _code(**options: int) -> qrcode.QRCode:
    """An empty QR code of casekit's error correction and border; qrcode (and the lxml
    its SVG images need) are imported with the first code, not with every writer."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    return qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_QUIET_MODULES, **options)


def _qr(text: str) -> qrcode.QRCode:
    code = _code(box_size=10)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    return code


@lru_cache(maxsize=4096)
def qr_svg(text: str) -> str:
    """A QR code for ``text`` as inline SVG markup (one path, deterministic)."""
    from qrcode.image.svg import SvgPathImage

    image = _qr(text).make_image(image_factory=SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg).replace(' id="qr-path"', "")  # ids must be unique
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


@lru_cache(maxsize=4096)
def qr_png(text: str, box_size: int = 8) -> bytes:
    """A QR code for ``text`` as PNG bytes (black on white, quiet zone included)."""
    code = _qr(text)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white").get_image()
    out = io.BytesIO()
    image.convert("1").save(out, format="PNG", optimize=False)
    return out.getvalue()


@lru_cache(maxsize=4096)
def qr_modules(text: str) -> int:
    """The side of ``text``'s QR code in modules, quiet zone included (no drawing)."""
    code = _code()
    code.add_data(text.encode("utf-8"))
    return 17 + 4 * code.best_fit() + 2 * QR_QUIET_MODULES


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules of ``text`` (quiet zone included), for vector drawing."""
    return _qr(text).get_matrix()


def source_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a time, when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), tz=timezone.utc) if epoch.isdigit() else None


def source_date(course: t.Course) -> datetime:
    """The date stamped into outputs: ``SOURCE_DATE_EPOCH`` if set, else the course date."""
    epoch = source_epoch()
    if epoch is not None:
        return epoch
    date = course.config.date
    return datetime(date.year, date.month, date.day, tzinfo=timezone.utc)


def edition_label(course: t.Course, msg: Messages) -> str:
    return msg("edition_teacher") if course.edition == "teacher" else msg("edition_learner")
