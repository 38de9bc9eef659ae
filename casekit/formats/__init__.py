"""The registry of output formats.

A format is a module that calls ``register`` at import time. Adding a format
means adding its module name to ``FORMAT_MODULES``; the CLI and the build
pipeline only ever look formats up here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from casekit import tree as t
from casekit.config import PrintOptions

FORMAT_MODULES = (
    "casekit.formats.html",
    "casekit.formats.pdf",
    "casekit.formats.epub",
    "casekit.formats.docx",
    "casekit.formats.usb",
)


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

    def print_options(self, course: t.Course) -> PrintOptions:
        """The course's print settings with command-line overrides applied."""
        overrides = {
            key: self.options[key]
            for key in ("paper", "margins_mm", "booklet", "large_print")
            if self.options.get(key) is not None
        }
        return replace(course.config.print, **overrides)


#: build(course, context) -> the files written
Builder = Callable[[t.Course, BuildContext], list[Path]]


@dataclass(frozen=True)
class Format:
    name: str
    build: Builder
    summary: str
    per_edition: bool = True  # False: the format gets the full course once (usb)


_REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    _REGISTRY[fmt.name] = fmt
    return fmt


def formats() -> dict[str, Format]:
    """Every registered format, by name. Each format module is imported (once: Python
    caches modules), even when another one was imported directly before."""
    for module in FORMAT_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def output_name(course: t.Course, extension: str) -> str:
    """File name of one edition's output: ``<course-id>-<edition>.<ext>``."""
    return f"{course.config.id}-{course.edition or 'full'}.{extension}"
