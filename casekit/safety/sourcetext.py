"""Reading source text: UTF-8 only, bounded in size, errors with a position."""

from __future__ import annotations

from pathlib import Path

from casekit.diagnostics import Diagnostics

# A lesson of 2 MB is about 600 pages of Kazakh text; larger files are refused
# before they are read, so a hostile 50 MB lesson costs nothing (parsing
# grows at least linearly: about 4 s per MB of dense markup).
MAX_SOURCE_BYTES = 2 * 1024 * 1024


def read_source_text(file: Path, path: str, diags: Diagnostics) -> str | None:
    """The text of ``file`` (shown as ``path``), or ``None`` with a diagnostic.

    Invalid UTF-8 is reported with its line, column and byte offset. A UTF-8
    byte-order mark is dropped and CRLF line ends become LF.
    """
    try:
        size = file.stat().st_size
        if size > MAX_SOURCE_BYTES:
            diags.error(
                path,
                f"file is {size / 2**20:.1f} MB; a source file may be at most "
                f"{MAX_SOURCE_BYTES // 2**20} MB: split it into smaller lessons and keep "
                "pictures and data in media files",
                "source-too-large",
            )
            return None
        data = file.read_bytes()
    except OSError as exc:
        diags.error(path, f"cannot read file: {exc.strerror}", "source-unreadable")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        diags.error(
            path,
            f"invalid UTF-8 at byte offset {exc.start} (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8",
            "utf8-invalid",
            line,
            column,
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
