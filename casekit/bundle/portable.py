"""Names and sizes every stick accepts (FAT32, exFAT, NTFS), and nothing executable:
the check of every file a bundle is about to hold."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from casekit.diagnostics import error
from casekit.files.limits import over_4gib
from casekit.files.portable_names import name_problem


@dataclass(frozen=True)
class PlannedFile:
    """A file the bundle will hold: its path in the bundle and where it comes from."""

    path: str  # POSIX, relative to the bundle folder
    size: int
    source: str = ""  # course-relative source path, named in errors when known


def check_files(bundle_name: str, files: Iterable[PlannedFile]) -> None:
    """Raise ``CasekitError`` for the first file no stick would take, or that could run."""
    folded: dict[str, str] = {}
    sources: dict[str, str] = {}
    for planned in sorted(files, key=lambda f: f.path):
        where = planned.source or f"{bundle_name}/{planned.path}"
        if sources.setdefault(planned.path, where) != where:
            raise error(
                where,
                f"{sources[planned.path]} and {where} would both become {planned.path}",
                "bundle-duplicate",
            )
        problem = name_problem(bundle_name, planned.path) or size_problem(planned.size)
        if problem:
            raise error(where, f"{planned.path}: {problem}", "bundle-unportable")
        parts = planned.path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            key = unicodedata.normalize("NFC", prefix).casefold()
            other = folded.setdefault(key, prefix)
            if other != prefix:
                raise error(
                    where,
                    f"{prefix} and {other} differ only by letter case; "
                    "Windows and most sticks treat them as one file: rename one",
                    "bundle-case-clash",
                )


def size_problem(size: int) -> str:
    problem = over_4gib(size)
    return f"file is {problem}" if problem else ""
