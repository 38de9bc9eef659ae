"""The registry of output formats.

Each format is one entry in ``FORMATS``: its name, summary and the function that
builds it, named as ``module:function`` and imported only when that format is
built (reportlab, ebooklib and python-docx cost a quarter of a second to import:
``casekit check`` and single-format builds should not pay for all of them).
Adding a format means adding its entry; the CLI and the build pipeline only ever
look formats up here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from casekit import tree as t
from casekit.config.settings import BrailleOptions, PrintOptions
from casekit.files.cache import BuildCache


@dataclass
class BuildContext:
    """What a format needs besides the (edition-filtered) course tree."""

    out_dir: Path  # the format's own folder, e.g. build/<course-id>/pdf
    options: dict[str, Any] = field(default_factory=dict)  # format options from the CLI
    course_dir: Path = Path(".")
    build_root: Path = Path("build")  # build/<course-id>, shared by all formats
    #: outputs of this build's other jobs, by (format, edition): a packaging format
    #: (usb) copies these instead of rendering the editions again
    built: dict[tuple[str, str], list[Path]] = field(default_factory=dict)
    #: the course's build cache, for what a format derives from unchanged inputs
    #: (subset fonts); ``None`` outside a build
    cache: BuildCache | None = None

    def print_options(self, course: t.Course) -> PrintOptions:
        """The course's print settings with command-line overrides applied."""
        overrides = {
            key: self.options[key]
            for key in ("paper", "margins_mm", "booklet", "large_print")
            if self.options.get(key) is not None
        }
        return replace(course.config.print, **overrides)

    def narrate(self, course: t.Course) -> bool:
        """Lessons are spoken: ``--narrate`` or ``[narration] enabled`` in course.toml."""
        flag = self.options.get("narrate")
        return course.config.narration.enabled if flag is None else bool(flag)

    def braille_options(self, course: t.Course) -> BrailleOptions:
        """The course's Braille settings with command-line overrides applied."""
        overrides = {
            key: self.options[f"braille_{key}"]
            for key in ("cells", "lines", "grade")
            if self.options.get(f"braille_{key}") is not None
        }
        return replace(course.config.braille, **overrides)


#: build(course, context) -> the files written
Builder = Callable[[t.Course, BuildContext], list[Path]]


@dataclass(frozen=True)
class Format:
    name: str
    builder: str  # "module:function" of the Builder, imported on first use
    summary: str
    per_edition: bool = True  # False: the format gets the full course once (usb)

    def build(self, course: t.Course, ctx: BuildContext) -> list[Path]:
        module, function = self.builder.split(":")
        builder: Builder = getattr(importlib.import_module(module), function)
        return builder(course, ctx)


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(
            "html", "casekit.formats.html:build_html", "one self-contained HTML page per edition"
        ),
        Format(
            "pdf",
            "casekit.formats.pdf:build_pdf",
            "print-ready PDF packet per edition (A4, A5, Letter, booklet)",
        ),
        Format(
            "epub",
            "casekit.formats.epub.book:build_epub",
            "one EPUB 3 per edition (validated, accessible)",
        ),
        Format("docx", "casekit.formats.docx:build_docx", "an editable Word document per edition"),
        Format(
            "brf",
            "casekit.formats.brf:build_brf",
            "Braille-ready file per edition for embossers (liblouis), and a Unicode-Braille .txt",
        ),
        Format(
            "cc",
            "casekit.formats.cc:build_cc",
            "IMS Common Cartridge 1.1 (.imscc) for Moodle and other platforms: learner pages, graded quizzes",
            per_edition=False,
        ),
        Format(
            "scorm12",
            "casekit.formats.scorm12:build_scorm12",
            "SCORM 1.2 package: one SCO per lesson (or per course), status and quiz score",
            per_edition=False,
        ),
        Format(
            "moodle-questions",
            "casekit.formats.moodle_questions:build_moodle_questions",
            "the quizzes as a Moodle question bank: Moodle XML and GIFT (with the answers)",
            per_edition=False,
        ),
        Format(
            "usb",
            "casekit.bundle.usb:build_usb",
            "USB bundle: offline viewer, media, learner editions, manifest.json and BagIt files",
            per_edition=False,
        ),
    )
}


def formats() -> dict[str, Format]:
    """Every format, by name."""
    return dict(FORMATS)


def output_name(course: t.Course, extension: str) -> str:
    """File name of one edition's output: ``<course-id>-<edition>.<ext>``."""
    return f"{course.config.id}-{course.edition or 'full'}.{extension}"
