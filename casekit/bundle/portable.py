"""Names and sizes every stick accepts (FAT32, exFAT, NTFS), and nothing executable."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from casekit.diagnostics import error
from casekit.files.limits import over_4gib

MAX_PATH = 255  # UTF-16 units of "<bundle folder>/<path>" (Windows and FAT long names)

_BAD_CHARS = re.compile(r'[<>:"\\|?*\x00-\x1f\x7f]')
#: characters a link reads as the start of a fragment, a query or an escape
_LINK_CHARS = re.compile(r"[#%]")
_RESERVED = re.compile(r"^(con|prn|aux|nul|conin\$|conout\$|(com|lpt)[0-9¹²³])(\..*)?$", re.I)
_EXECUTABLE = (
    ".exe .com .bat .cmd .sh .bash .lnk .scr .pif .vbs .vbe .js .jse .mjs .wsf .wsh .ws .msi "
    ".msp .msc .ps1 .psm1 .psd1 .reg .hta .cpl .jar .app .dll .sys .desktop .command .run "
    ".bin .appimage .deb .rpm .apk .scf .url .inf .gadget .py .pl .elf .so .dylib .action"
)
EXECUTABLE_SUFFIXES = frozenset(_EXECUTABLE.split())
AUTORUN_NAMES = frozenset(("autorun.inf", "autorun", ".autorun", "desktop.ini", "autoexec.bat"))
#: the only place a script may live: the viewer's own assets
SCRIPT_FOLDER = "data/viewer/"


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


def name_problem(bundle_name: str, path: str) -> str:
    """Why ``path`` cannot go on a stick (or must never be written), or ""."""
    full = f"{bundle_name}/{path}" if bundle_name else path
    units = len(full.encode("utf-16-le")) // 2  # Windows counts UTF-16 code units
    if units > MAX_PATH:
        return f"path is {units} UTF-16 units long; the limit is {MAX_PATH}"
    for part in full.split("/"):
        if part in ("", ".", ".."):
            return "empty, '.' or '..' path component"
        if unicodedata.normalize("NFC", part) != part:
            return (
                f"name {part!r} is not in Unicode NFC form (letters written as base and "
                "accent, as macOS stores them); Windows would show or find it differently"
            )
        link = _LINK_CHARS.search(part)
        if link:
            return f"name {part!r} contains {link.group()!r}, which breaks links in the viewer"
        bad = _BAD_CHARS.search(part)
        if bad:
            return f"name {part!r} contains {bad.group()!r}, which FAT32/exFAT/NTFS refuse"
        if part[-1] in " .":
            return f"name {part!r} ends with a space or dot, which Windows drops"
        if _RESERVED.match(part):
            return f"name {part!r} is reserved on Windows (CON, PRN, AUX, NUL, COM1, LPT1, ...)"
    name = path.rsplit("/", 1)[-1].lower()
    if name in AUTORUN_NAMES:
        return f"{name} runs automatically on some systems; casekit never writes it"
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix in EXECUTABLE_SUFFIXES and not (suffix == ".js" and path.startswith(SCRIPT_FOLDER)):
        return f"'{suffix}' files can run programs; casekit never writes them to a bundle"
    return ""


def size_problem(size: int) -> str:
    problem = over_4gib(size)
    return f"file is {problem}" if problem else ""
