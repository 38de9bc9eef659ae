"""Which files under a course folder are sources: one rule for every walk and lookup.

A build folder (``--out``, ``build/<course-id>/``) may lie inside the course folder (the
default ``build`` when casekit runs in the course folder). Its files are outputs, never
sources: the build's fingerprint, ``check``'s survey and every path a course names leave
it out, so writing outputs never makes the course look changed. A build folder is known
by the marker every build keeps in it (``build/lock.py`` locks that file), so an out
folder of an earlier build with another ``--out`` is left out too. Hidden folders
(``.git``, ``.cache``) are not sources either.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

#: the file every build folder holds from its first build on (its lock)
BUILD_FOLDER_MARKER = ".casekit-lock"


def is_build_folder(folder: Path | str) -> bool:
    return os.path.lexists(os.path.join(folder, BUILD_FOLDER_MARKER))


def source_files(root: Path) -> Iterator[tuple[Path, str]]:
    """``(path, POSIX path relative to root)`` of every non-folder entry under ``root``
    that is a source (special files and symlinks included: callers decide), in a stable
    order, without following links to folders."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and not is_build_folder(os.path.join(folder, d))
        )
        for name in sorted(files):
            path = Path(folder, name)
            yield path, path.relative_to(root).as_posix()


def build_folder_of(root: Path, rel: str) -> str:
    """The folder (relative to ``root``) of a build that ``rel`` lies in, or ""."""
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        prefix = "/".join(parts[:depth])
        if is_build_folder(root / prefix):
            return prefix
    return ""
