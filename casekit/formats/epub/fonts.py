"""Fonts embedded in the EPUB, for readers whose own fonts lack Kazakh letters.

Default: Kazakh courses carry the bundled DejaVu faces (many e-reader fonts
have Cyrillic but not Ә Ғ Қ Ң Ө Ұ Ү Һ І); Russian and English courses rely on
the reader's fonts and stay small. A course that names font files in
``[fonts]`` always gets them embedded, each replacing its DejaVu face.

TrueType and OpenType faces are subset to the characters the book uses (with
HarfBuzz's subsetter, as the PDF's fonts are by reportlab): a DejaVu face shrinks from about
700 KB to about 45 KB. A font whose licence flags forbid subsetting is embedded
whole.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from casekit import tree as t
from casekit.config.settings import COURSE_FILE, config_field_line
from casekit.diagnostics import error
from casekit.files.cache import BuildCache, code_fingerprint, digest
from casekit.render.templates import bundled_font
from casekit.resolve.named_files import course_file

#: (FontOptions field, CSS family, weight, style): the bundled file is BUNDLED_FONTS[field]
FACES = (
    ("regular", "DejaVu Sans", "normal", "normal"),
    ("bold", "DejaVu Sans", "bold", "normal"),
    ("italic", "DejaVu Sans", "normal", "italic"),
    ("bold_italic", "DejaVu Sans", "bold", "italic"),
    ("mono", "DejaVu Sans Mono", "normal", "normal"),
)
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
EMBED_BY_DEFAULT = ("kk",)
SUBSET_TYPES = (".ttf", ".otf")
#: always kept, whatever the book's text: the alphabets of the course languages and
#: the punctuation a reader may show around the text
ALWAYS_KEPT = (
    string.printable
    + "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    + "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
    + "\u00a0«»‹›„“”‘’–—…·•№"
)
NO_SUBSETTING = 0x0100  # OS/2 fsType bit: the font may only be embedded whole


@dataclass(frozen=True)
class BookFont:
    family: str
    weight: str
    style: str
    file: str  # inside the book, e.g. fonts/regular.ttf
    data: bytes
    field: str  # the face, as named in [fonts]: regular, bold ...
    source: str = ""  # the course's own font file, "" for a bundled DejaVu face

    @property
    def media_type(self) -> str:
        return FONT_TYPES[PurePosixPath(self.file).suffix]


def book_fonts(course: t.Course) -> list[BookFont]:
    """The fonts to embed (none for a ru/en course that names no font files)."""
    chosen = course.config.fonts
    named = {field: getattr(chosen, field) for field, *_ in FACES if getattr(chosen, field)}
    if not named and course.config.language not in EMBED_BY_DEFAULT:
        return []
    fonts = []
    for field, family, weight, style in FACES:
        if field in named:
            data, suffix = _course_font(course, field, named[field])
        else:
            data, suffix = bundled_font(field).read_bytes(), ".ttf"
        file = f"fonts/{field}{suffix}"
        fonts.append(BookFont(family, weight, style, file, data, field, named.get(field, "")))
    return fonts


def _course_font(course: t.Course, field: str, path: str) -> tuple[bytes, str]:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in FONT_TYPES:
        raise error("course.toml", f"font {path!r} is not a TTF, OTF or WOFF file", "font-type")
    return course_file(course, path, f"fonts.{field}", "font-missing").read_bytes(), suffix


def used_characters(data: bytes, cache: BuildCache | None) -> set[str]:
    """The characters of the UTF-8 text ``data`` (a document of the book), kept in the
    cache by content: finding them in a long chapter costs more than reading them."""
    if cache is None:
        return set(data.decode("utf-8"))
    key = digest("characters", data)
    known = cache.load("characters", key, str)
    if known is None:
        known = "".join(sorted(set(data.decode("utf-8"))))
        cache.store("characters", key, known)
    return set(known)


def subset_fonts(
    fonts: list[BookFont], seen: set[str], course_root: Path, cache: BuildCache | None = None
) -> list[BookFont]:
    """``fonts`` cut down to the glyphs of the characters ``seen`` in either case (the
    stylesheet may transform them: module labels are upper case) and ``ALWAYS_KEPT``.
    The results are kept in the build cache, by font and characters, so a rebuild
    after an edit usually reuses them."""
    used = seen | {c.upper() for c in seen} | {c.lower() for c in seen} | set(ALWAYS_KEPT)
    characters = "".join(sorted(used))
    out = []
    for font in fonts:
        if PurePosixPath(font.file).suffix not in SUBSET_TYPES:
            out.append(font)
            continue
        key = digest("font-subset", code_fingerprint(), font.data, characters)
        data = cache.load("font", key, bytes) if cache else None
        if data is None:
            data = _subset(font, characters, course_root)
            if cache:
                cache.store("font", key, data)
        out.append(replace(font, data=data))
    return out


def _subset(font: BookFont, characters: str, course_root: Path) -> bytes:
    """HarfBuzz's subsetter (``uharfbuzz``): the same glyphs, names and layout features
    as fontTools' subsetter gave, in about a millisecond per face where fontTools took
    0.06-0.2 s (it decompiles the kerning and substitution tables in Python)."""
    import uharfbuzz as hb  # imported only on a cache miss

    face = hb.Face(font.data)
    os2 = face.reference_table("OS/2").data
    if len(os2) >= 10 and int.from_bytes(os2[8:10], "big") & NO_SUBSETTING:
        return font.data
    kept = hb.SubsetInput()
    kept.sets(hb.SubsetInputSets.UNICODE).update(ord(c) for c in characters)
    # every name (family, copyright, licence) in every language, and every layout
    # feature (kerning, marks, ligatures as the designer set them)
    for every in (
        hb.SubsetInputSets.NAME_ID,
        hb.SubsetInputSets.NAME_LANG_ID,
        hb.SubsetInputSets.LAYOUT_FEATURE_TAG,
    ):
        chosen = kept.sets(every)
        chosen.clear()
        chosen.invert()
    kept.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    try:
        if face.glyph_count == 0:
            raise ValueError("no glyphs: not a TrueType or OpenType font")
        return bytes(hb.subset(face, kept).blob.data)
    except (RuntimeError, ValueError) as exc:  # HarfBuzz refuses a font it cannot sanitize
        raise error(
            COURSE_FILE,
            f"fonts.{font.field}: font {font.source or font.file!r} cannot be read: "
            f"{exc or type(exc).__name__}",
            "font-invalid",
            line=config_field_line(course_root, f"fonts.{font.field}"),
        ) from None


def font_face_css(fonts: list[BookFont]) -> str:
    return "".join(
        f'@font-face {{ font-family: "{f.family}"; font-weight: {f.weight}; '
        f'font-style: {f.style}; src: url("{f.file}"); }}\n'
        for f in fonts
    )
