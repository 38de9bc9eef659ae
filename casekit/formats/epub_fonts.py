"""Fonts embedded in the EPUB, for readers whose own fonts lack Kazakh letters.

Default: Kazakh courses carry the bundled DejaVu faces (many e-reader fonts
have Cyrillic but not Ә Ғ Қ Ң Ө Ұ Ү Һ І); Russian and English courses rely on
the reader's fonts and stay small. A course that names font files in
``[fonts]`` always gets them embedded, each replacing its DejaVu face.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from casekit import tree as t
from casekit.diagnostics import error
from casekit.paths import course_file
from casekit.templates_lookup import builtin_templates

#: (FontOptions field, CSS family, weight, style, bundled file)
FACES = (
    ("regular", "DejaVu Sans", "normal", "normal", "DejaVuSans.ttf"),
    ("bold", "DejaVu Sans", "bold", "normal", "DejaVuSans-Bold.ttf"),
    ("italic", "DejaVu Sans", "normal", "italic", "DejaVuSans-Oblique.ttf"),
    ("bold_italic", "DejaVu Sans", "bold", "italic", "DejaVuSans-BoldOblique.ttf"),
    ("mono", "DejaVu Sans Mono", "normal", "normal", "DejaVuSansMono.ttf"),
)
FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
EMBED_BY_DEFAULT = ("kk",)


@dataclass(frozen=True)
class BookFont:
    family: str
    weight: str
    style: str
    file: str  # inside the book, e.g. fonts/regular.ttf
    data: bytes

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
    for field, family, weight, style, bundled in FACES:
        if field in named:
            data, suffix = _course_font(course, field, named[field])
        else:
            data, suffix = (builtin_templates() / "fonts" / bundled).read_bytes(), ".ttf"
        fonts.append(BookFont(family, weight, style, f"fonts/{field}{suffix}", data))
    return fonts


def _course_font(course: t.Course, field: str, path: str) -> tuple[bytes, str]:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in FONT_TYPES:
        raise error("course.toml", f"font {path!r} is not a TTF, OTF or WOFF file", "font-type")
    return course_file(course, path, f"fonts.{field}", "font-missing").read_bytes(), suffix


def font_face_css(fonts: list[BookFont]) -> str:
    return "".join(
        f'@font-face {{ font-family: "{f.family}"; font-weight: {f.weight}; '
        f'font-style: {f.style}; src: url("{f.file}"); }}\n'
        for f in fonts
    )
