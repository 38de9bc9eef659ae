"""Vetting an input document before any converter reads it.

Office documents are zip packages from outside: a zip bomb, a password-protected
file (an OLE container, not a zip), a package with macros or a damaged archive
must each end in one line, never in a converter running out of memory. Every
part is inflated here with a byte budget, so a header that lies about sizes is
caught too.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from casekit.diagnostics import error

#: what casekit imports: file extension -> (kind, pandoc's reader)
READERS = {
    ".docx": ("docx", "docx+styles"),
    ".docm": ("docx", "docx+styles"),  # macro-enabled: the macros are dropped
    ".odt": ("odt", "odt"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".md": ("md", "markdown"),
}
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_PARTS = 5000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: the stream an encrypted Office document keeps its package in (UTF-16 directory name)
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: parts that carry programs: reported, never run, never copied
MACRO_PARTS = ("vbaproject", "vbadata", "activex", "basic/", "scripts/")


@dataclass
class Vetted:
    path: Path
    reader: str  # pandoc's reader name
    kind: str  # docx, odt, html, md
    notes: list[str] = field(default_factory=list)  # warnings about the whole file


def vet(path: Path) -> Vetted:
    """Check ``path`` can be read safely; raises ``CasekitError`` with one line if not."""
    shown = str(path)
    found = READERS.get(path.suffix.lower())
    if found is None:
        known = ", ".join(sorted(READERS))
        raise error(shown, f"cannot import '{path.suffix}' files (known: {known})", "import-type")
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise error(shown, "not a regular file", "import-unreadable")
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise error(shown, f"cannot be read: {exc.strerror}", "import-unreadable") from None
    if size > MAX_FILE_BYTES:
        raise error(
            shown,
            f"is {size // 2**20} MiB; at most {MAX_FILE_BYTES // 2**20} MiB",
            "import-too-large",
        )
    kind, reader = found
    vetted = Vetted(path, reader, kind)
    if kind in ("docx", "odt"):
        _vet_package(path, head, vetted)
    return vetted


def _vet_package(path: Path, head: bytes, vetted: Vetted) -> None:
    shown = str(path)
    if head.startswith(OLE_MAGIC):
        with path.open("rb") as handle:
            whole = handle.read(MAX_FILE_BYTES)
        if ENCRYPTED_STREAM in whole:
            raise error(
                shown,
                "is password-protected: open it in Word or LibreOffice, remove the password "
                "and save it again",
                "import-encrypted",
            )
        raise error(
            shown,
            "is an old binary Word document (.doc) with a new name: save it as .docx",
            "import-damaged",
        )
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            if len(parts) > MAX_PARTS:
                raise error(
                    shown, f"has {len(parts)} parts; a document has far fewer", "import-zip-bomb"
                )
            names = {part.filename for part in parts}
            _inflate_all(package, parts, shown)
            if vetted.kind == "odt":
                _vet_odf(package, names, shown)
            elif "word/document.xml" not in names:
                raise error(shown, "is a zip file but not a Word document", "import-damaged")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
    ):
        raise error(
            shown, "is damaged: not a readable Word/LibreOffice package", "import-damaged"
        ) from None
    macros = sorted(n for n in names if any(m in n.lower() for m in MACRO_PARTS))
    if macros:
        vetted.notes.append(
            f"carries macros or controls ({', '.join(macros[:3])}): only the text is "
            "imported; the macros are neither run nor copied"
        )


def _inflate_all(package: zipfile.ZipFile, parts: list[zipfile.ZipInfo], shown: str) -> None:
    """Inflate every part within ``MAX_UNPACKED_BYTES`` (CRCs checked on the way)."""
    budget = MAX_UNPACKED_BYTES
    for part in parts:
        if part.file_size > budget:
            break
        with package.open(part) as stream:
            while chunk := stream.read(1024 * 1024):
                budget -= len(chunk)
                if budget < 0:
                    break
        if budget < 0:
            break
    else:
        return
    raise error(
        shown,
        f"unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB (a zip bomb?); refused",
        "import-zip-bomb",
    )


def _vet_odf(package: zipfile.ZipFile, names: set[str], shown: str) -> None:
    if "content.xml" not in names or "META-INF/manifest.xml" not in names:
        raise error(shown, "is a zip file but not an OpenDocument text", "import-damaged")
    manifest = package.read("META-INF/manifest.xml")
    if b"encryption-data" in manifest:
        raise error(
            shown,
            "is password-protected: open it in LibreOffice, remove the password and save it again",
            "import-encrypted",
        )
