"""Deterministic zip archives: fixed entry order, times and attributes.

Libraries that write zips (ebooklib, python-docx) stamp entries with the
wall clock and their own order; ``normalize_zip`` rewrites such an archive so
the same sources always give the same bytes. ``zip_entry`` is the one way an
entry's header is made (also for the USB bundle's zip).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from casekit.files.cache import BuildCache
from casekit.files.deflated import deflating_from
from casekit.files.stream import CHUNK

#: formats already compressed (media, zip containers, PDF with its compressed streams):
#: deflating them again costs time for little (a course's PDF: a fifth smaller). Not
#: fonts: a TrueType font deflates to half its size.
STORED_SUFFIXES = frozenset(
    (".png", ".jpg", ".jpeg", ".mp4", ".m4v", ".webm", ".mp3", ".ogg", ".oga", ".m4a")
    + (".zip", ".epub", ".docx", ".pdf")
)
ZIP_EPOCH = datetime(1980, 1, 1)


def zip_entry(name: str, when: datetime, stored: bool) -> zipfile.ZipInfo:
    """An entry header that depends on nothing but its arguments (not on the clock,
    the builder's system or umask)."""
    when = max(when.replace(tzinfo=None), ZIP_EPOCH)
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.create_system = 3  # Unix, whatever system builds it
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def normalize_zip(
    source: Path,
    target: IO[bytes],
    when: datetime,
    first: Sequence[str] = (),
    stored: Sequence[str] = (),
    cache: BuildCache | None = None,
    files: Mapping[str, Path] | None = None,
) -> None:
    """Rewrite the zip file ``source`` into ``target`` (seekable) as ``deterministic_zip``
    writes its entries, an entry at a time (never the archive whole in memory), with
    the members ``files`` (name: the file holding its bytes) added."""
    with zipfile.ZipFile(source) as archive, ExitStack() as stack:
        level = stack.enter_context(deflating_from(cache)) if cache else None

        def copy(name: str) -> Writer:
            def write(entry: IO[bytes]) -> None:
                with archive.open(name) as member:
                    shutil.copyfileobj(member, entry, CHUNK)

            return write

        members: dict[str, Writer | Path] = {name: copy(name) for name in archive.namelist()}
        write_zip(target, members | dict(files or {}), when, first, stored, level)


def deterministic_zip(
    members: Mapping[str, bytes],
    when: datetime,
    first: Sequence[str] = (),
    stored: Sequence[str] = (),
    cache: BuildCache | None = None,
) -> bytes:
    """A zip of ``members``: entries ``first`` (in that order), then the rest sorted by
    name; every entry stamped ``when``; ``stored`` names and compressed media kept
    uncompressed, everything else deflated (with a ``cache``, an entry whose bytes were
    deflated before is not deflated again: ``files/deflated.py``)."""
    out = io.BytesIO()
    with ExitStack() as stack:
        level = stack.enter_context(deflating_from(cache)) if cache else None
        write_zip(out, members, when, first, stored, level)
    return out.getvalue()


#: writes an entry's bytes into its open (compressing) stream
Writer = Callable[[IO[bytes]], None]


def write_zip(
    target: IO[bytes],
    members: Mapping[str, bytes | Writer | Path],
    when: datetime,
    first: Sequence[str] = (),
    stored: Sequence[str] = (),
    level: int | None = None,
) -> None:
    """``deterministic_zip`` into ``target`` (seekable), a member given as a writer or
    as a file streamed into its entry instead of held whole (a file's size decides
    whether its entry needs ZIP64); ``level``: zlib's compression level (its default,
    6, when ``None``)."""
    order = [n for n in first if n in members] + sorted(n for n in members if n not in first)
    with zipfile.ZipFile(target, "w") as archive:
        for name in order:
            keep = name in stored or PurePosixPath(name).suffix.lower() in STORED_SUFFIXES
            info = zip_entry(name, when, keep)
            info._compresslevel = level  # type: ignore[attr-defined]  # what writestr sets
            member = members[name]
            if isinstance(member, bytes):
                archive.writestr(info, member)
            elif isinstance(member, Path):
                info.file_size = member.stat().st_size
                with member.open("rb") as source, archive.open(info, "w") as entry:
                    shutil.copyfileobj(source, entry, CHUNK)
            else:
                with archive.open(info, "w") as entry:
                    member(entry)
