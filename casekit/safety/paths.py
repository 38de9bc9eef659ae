"""Containment: every path a course names is resolved inside the course folder.

Sources are untrusted. A path is refused before anything is opened when it is
absolute, has a drive letter or backslashes, is a URL, climbs out with ``..``,
or reaches outside through a symlink at any depth; and it is never opened when it
is not a regular file or a folder (a FIFO would hang a read, a device never end one).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from casekit.files.sources import build_folder_of, source_files

_DRIVE = re.compile(r"^[A-Za-z]:")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


MAX_NAME_BYTES = 255  # what Linux file systems accept; longer names raise ENAMETOOLONG
MAX_PATH_BYTES = 1024
#: a font file named in course.toml (the largest real fonts, CJK, are about 20 MiB)
MAX_NAMED_FILE_BYTES = 64 * 1024 * 1024


def file_type(mode: int) -> str:
    """What a file that is not a regular file or a folder is, for a message."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def is_special(mode: int) -> bool:
    """Neither a regular file nor a folder: never to be opened."""
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def special_files(root: Path) -> list[tuple[str, str]]:
    """``(path, what it is)`` of every FIFO, device or socket under ``root`` (without
    following links), sorted: ``check`` names them, nothing ever opens them."""
    found = []
    for path, rel in source_files(root):  # the files the build's fingerprint reads
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if is_special(mode) and not stat.S_ISLNK(mode):
            found.append((rel, file_type(mode)))
    return sorted(found)


class PathEscape(ValueError):
    """A path that is refused: it would leave the course folder, or cannot name a
    file there at all (the message says why)."""


#: the only external links casekit keeps; javascript:, data:, file: and the rest are dropped
SAFE_SCHEMES = ("http://", "https://", "mailto:")


def is_url(ref: str) -> bool:
    """True for ``http:``, ``mailto:``, ``file:`` and other scheme-prefixed references."""
    return bool(_SCHEME.match(ref)) and not _DRIVE.match(ref)


def resolve_inside(root: Path, ref: str, base: str = "") -> tuple[Path, str]:
    """Resolve ``ref`` (relative to the folder ``base`` inside ``root``).

    Returns the real path and the normalised POSIX path relative to ``root``.
    Raises ``PathEscape`` when the path leaves ``root`` by any means; the target
    is never opened here.
    """
    if "\x00" in ref:
        raise PathEscape("path contains a NUL character")
    if ref.startswith("file:"):
        raise PathEscape("file: URLs are not allowed")
    if "\\" in ref:
        raise PathEscape("backslashes are not allowed in paths (use /)")
    if _DRIVE.match(ref) or ref.startswith("/") or ref.startswith("~"):
        raise PathEscape("absolute paths are not allowed")
    parts: list[str] = [p for p in PurePosixPath(base).parts if p not in ("", ".")]
    for part in PurePosixPath(ref).parts:
        if part == "..":
            if not parts:
                raise PathEscape("path climbs out of the course folder")
            parts.pop()
        elif part != ".":
            parts.append(part)
    if any(len(part.encode()) > MAX_NAME_BYTES for part in parts):
        raise PathEscape(f"a file or folder name is longer than {MAX_NAME_BYTES} bytes")
    rel = "/".join(parts)
    if len(rel.encode()) > MAX_PATH_BYTES:
        raise PathEscape(f"path is longer than {MAX_PATH_BYTES} bytes")
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(real_root / rel)) if rel else real_root
    if real != real_root and real_root not in real.parents:
        raise PathEscape("path leads outside the course folder through a symlink")
    output = build_folder_of(real_root, real.relative_to(real_root).as_posix())
    if output:
        raise PathEscape(f"{rel} is in {output}/, a casekit build folder: outputs are not sources")
    try:
        mode = real.stat().st_mode
    except OSError:
        mode = stat.S_IFREG  # missing: the caller says so
    if is_special(mode):
        raise PathEscape(f"{rel} is {file_type(mode)}, not a file; casekit never opens it")
    return real, rel


class RememberedPaths:
    """``resolve_inside`` one course folder, each (reference, base) answered once: a
    course names the same files hundreds of times, and each answer costs a walk of the
    file system (``os.path.realpath``, ``stat``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.found: dict[tuple[str, str], tuple[Path, str] | PathEscape] = {}

    def __call__(self, ref: str, base: str = "") -> tuple[Path, str]:
        key = (ref, base)
        if key not in self.found:
            try:
                self.found[key] = resolve_inside(self.root, ref, base)
            except PathEscape as exc:
                self.found[key] = exc
        found = self.found[key]
        if isinstance(found, PathEscape):
            raise found
        return found

    def written_in(self, lesson_path: str, ref: str) -> tuple[Path, str]:
        """``ref`` as the lesson at ``lesson_path`` (in the course) names it: from the
        lesson's folder, percent-decoded (markdown-it encodes URLs; the file's name is
        the decoded form)."""
        return self(unquote(ref), str(PurePosixPath(lesson_path).parent))
