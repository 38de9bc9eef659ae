"""Fonts for the PDF: TrueType families registered with reportlab, and the
glyph-coverage check that stops a build before a character prints as a box.

The bundled DejaVu fonts (``templates/fonts``) cover Kazakh and Russian. A
course may name its own TTF files in ``course.toml`` ``[fonts]`` (regular,
bold, italic, bold_italic, mono, mono_bold; paths inside the course folder).
Faces it leaves out fall back to its regular (or mono) face, never to a font
that would change the look of the text. Only TrueType outlines work
(reportlab cannot embed CFF/OTF fonts).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from casekit import tree as t
from casekit.config.settings import COURSE_FILE
from casekit.diagnostics import error
from casekit.render.fragments import Fragments, lesson_data
from casekit.render.templates import BUNDLED_FONTS, bundled_font, template_path
from casekit.resolve.named_files import course_file

#: the face a missing course face falls back to
FALLBACK = {"bold": "regular", "italic": "regular", "bold_italic": "bold", "mono_bold": "mono"}
TEXT_FACES = ("regular", "bold", "italic", "bold_italic")
MONO_FACES = ("mono", "mono_bold")


@dataclass(frozen=True)
class Face:
    name: str  # the name registered with reportlab
    file: str  # for messages: the path as the course wrote it, or the bundled file name
    font: TTFont

    def has(self, char: str) -> bool:
        return ord(char) in self.font.face.charToGlyph


@dataclass(frozen=True)
class FontSet:
    regular: Face
    bold: Face
    italic: Face
    bold_italic: Face
    mono: Face
    mono_bold: Face

    @property
    def family(self) -> str:
        """The family name to use in paragraph styles (``<b>``/``<i>`` map inside it)."""
        return self.regular.name

    @property
    def mono_family(self) -> str:
        return self.mono.name

    def face(self, role: str) -> Face:
        return getattr(self, role)

    def distinct(self) -> list[TTFont]:
        """Each TrueType font once (a face may stand in for another)."""
        return list(self.named().values())

    def named(self) -> dict[str, TTFont]:
        """Each TrueType font once, by the name casekit registered it under (its file's
        digest: the same in every process, unlike the font reportlab draws with)."""
        fonts: dict[str, TTFont] = {}
        for role in (*TEXT_FACES, *MONO_FACES):
            face = self.face(role)
            fonts.setdefault(face.name, face.font)
        return fonts

    def symbol(self, preferred: str, fallback: str, role: str = "regular") -> str:
        """``preferred`` when the face can print it, else the plain ``fallback``."""
        return preferred if all(self.face(role).has(c) for c in preferred) else fallback


_LOADED: dict[tuple[str, str], Face] = {}


def _load(real: Path, shown: str) -> Face:
    data = real.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:16]
    key = (str(real), digest)
    if key not in _LOADED:
        name = f"ck-{digest}"
        try:
            font = TTFont(name, io.BytesIO(data))  # the bytes just hashed: one read
        except (TTFError, OSError, ValueError) as exc:
            raise error(
                COURSE_FILE,
                f"font {shown!r} cannot be used: {exc} (a TrueType .ttf file is needed)",
                "font-invalid",
            ) from None
        pdfmetrics.registerFont(font)
        # reportlab draws a name with the first font registered for the same face (the
        # DOCX's SVG rasteriser may have registered DejaVu Sans first): give the packet's
        # codes to that one, or every piece embeds a subset of its own
        _LOADED[key] = Face(name, shown, pdfmetrics.getFont(name))
    return _LOADED[key]


def bundled_face(role: str) -> Face:
    """casekit's own DejaVu face for ``role``, registered (for pages made without a course)."""
    path = bundled_font(role)
    return _load(path, path.name)


def load_fonts(course: t.Course) -> FontSet:
    """Register the course's font faces (bundled DejaVu unless ``[fonts]`` says otherwise)."""
    configured = course.config.fonts
    faces: dict[str, Face] = {}
    for role in ("regular", "mono", "bold", "italic", "bold_italic", "mono_bold"):
        rel = getattr(configured, role)
        if rel:
            faces[role] = _load(course_file(course, rel, f"fonts.{role}", "font-missing"), rel)
        elif role in FALLBACK and getattr(configured, "mono" if "mono" in role else "regular"):
            faces[role] = faces[FALLBACK[role]]
        else:
            builtin = template_path(course, BUNDLED_FONTS[role])
            faces[role] = _load(builtin, builtin.name)
    fonts = FontSet(**faces)
    # <b> and <i> in paragraph markup switch faces inside these families
    for normal, bold, italic, bold_italic in (
        (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic),
        (fonts.mono, fonts.mono_bold, fonts.mono, fonts.mono_bold),
    ):
        pdfmetrics.registerFontFamily(
            normal.name,
            normal=normal.name,
            bold=bold.name,
            italic=italic.name,
            boldItalic=bold_italic.name,
        )
    return fonts


# --------------------------------------------------------------------------- coverage


def _inline_texts(inlines: list[t.Inline]) -> Iterator[tuple[bool, str]]:
    """(is monospace, text) of every piece of an inline sequence."""
    for node in t.iter_inlines(inlines):
        if isinstance(node, t.Text):
            yield False, node.text
        elif isinstance(node, (t.Code, t.Kbd, t.RawInline)):
            yield True, node.text
        elif isinstance(node, t.InlineImage):
            yield False, node.alt


def _block_texts(block: t.Block) -> Iterator[tuple[bool, str]]:
    for inlines in t.block_inlines(block):
        yield from _inline_texts(inlines)
    if isinstance(block, (t.CodeBlock, t.RawBlock)):
        yield True, block.text
    elif isinstance(block, t.Figure):
        yield False, block.alt
    elif isinstance(block, t.MediaBlock):
        yield False, block.title
        if block.media is not None:
            yield False, block.media.title
            if block.media.transcript is not None:
                yield False, block.media.transcript.text


def course_texts(course: t.Course) -> Iterator[tuple[t.Pos, bool, str]]:
    """Every piece of text the PDF prints from the course, with where it is written."""
    yield from _settings_texts(course)
    for lesson in course.lessons():
        yield from lesson_texts(lesson)


def _settings_texts(course: t.Course) -> Iterator[tuple[t.Pos, bool, str]]:
    config = course.config
    here = t.Pos(COURSE_FILE, 1, 1)
    for text in (config.title, config.subtitle, config.organisation, config.level, config.licence):
        yield here, False, text
    for text in [*config.authors, *config.outcomes, *(m.title for m in course.modules)]:
        yield here, False, text


def settings_characters(course: t.Course) -> set[str]:
    """The characters of the course settings' texts (title, authors, modules' titles)."""
    return set().union(*(text for _pos, _mono, text in _settings_texts(course)))


def lesson_texts(lesson: t.Lesson) -> Iterator[tuple[t.Pos, bool, str]]:
    for text in (t.plain_text(lesson.title), *lesson.outcomes):
        yield lesson.pos, False, text
    blocks = list(lesson.blocks)
    for note in lesson.footnotes:
        blocks.extend(note.blocks)
    for block in t.iter_blocks(blocks):
        for mono, text in _block_texts(block):
            yield block.pos, mono, text


def _characters(texts: Iterator[tuple[t.Pos, bool, str]]) -> tuple[str, str]:
    """The characters of ``texts``: (in text, in monospace), each in code point order."""
    seen: dict[bool, set[str]] = {False: set(), True: set()}
    for _pos, mono, text in texts:
        seen[mono].update(text)
    return "".join(sorted(seen[False])), "".join(sorted(seen[True]))


def check_coverage(
    course: t.Course, fonts: FontSet, fragments: Fragments | None = None
) -> set[str]:
    """Raise a one-line error for the first character a face used for it cannot print;
    else every character the course's text has.

    Each lesson's characters are kept in the fragment cache like a rendered lesson
    (``render/fragments.py``), so an unchanged lesson is not read to check them; only
    when a face lacks one are the texts walked to say where it first appears."""
    edition = course.edition or ""
    text, mono = (set(chars) for chars in _characters(_settings_texts(course)))
    for lesson in course.lessons():
        found = lesson_data(
            fragments,
            lesson,
            edition,
            "pdf-characters",
            tuple[str, str],
            lambda lesson=lesson: _characters(lesson_texts(lesson)),
        )
        text.update(found[0])
        mono.update(found[1])
    if all(
        _covered(fonts, chars, roles) for chars, roles in ((text, TEXT_FACES), (mono, MONO_FACES))
    ):
        return text | mono
    _first_missing(course, fonts)
    return text | mono


def _covered(fonts: FontSet, chars: set[str], roles: tuple[str, ...]) -> bool:
    printed = [c for c in chars if not c.isspace() and c.isprintable()]
    return all(fonts.face(role).has(c) for role in roles for c in printed)


def _first_missing(course: t.Course, fonts: FontSet) -> None:
    """Raise the error for the first character, in reading order, a face cannot print."""
    seen: dict[bool, set[str]] = {False: set(), True: set()}
    for pos, mono, text in course_texts(course):
        new = set(text) - seen[mono]
        if not new:
            continue
        seen[mono] |= new
        for char in sorted(new, key=text.index):  # in reading order: the first is reported
            if char.isspace() or not char.isprintable():
                continue
            for role in MONO_FACES if mono else TEXT_FACES:
                face = fonts.face(role)
                if not face.has(char):
                    raise error(
                        pos.path,
                        f"the font {face.file!r} ({role.replace('_', ' ')}) has no glyph for "
                        f"{char!r} (U+{ord(char):04X}); choose a font that covers it in "
                        f"course.toml [fonts]",
                        "font-glyph",
                        pos.line,
                        pos.column,
                    )
