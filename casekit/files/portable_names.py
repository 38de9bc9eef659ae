"""Names every stick accepts (FAT32, exFAT, NTFS) and that never run anything: one source
for ``check`` (which names each media file the bundle would refuse) and the bundle."""

from __future__ import annotations

import re
import unicodedata

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
