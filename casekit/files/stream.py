"""Streaming copies that hash every byte in the same pass."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

CHUNK = 4 * 1024 * 1024


class NotRegularFile(OSError):
    """A path that is not a regular file: never read."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading only if it is a regular file (never a FIFO, a device
    or a link, whose reads could block or never end); ``OSError`` otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile("not a regular file")
    return os.fdopen(fd, "rb")


#: progress(bytes just copied)
Advance = Callable[[int], None]


def _no_progress(_count: int) -> None:
    return None


def copy_hashed(
    source: BinaryIO, target: BinaryIO, advance: Advance = _no_progress
) -> tuple[int, str]:
    """Copy ``source`` to ``target`` in chunks; return the size and SHA-256 of what was copied."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    size = 0
    while count := source.readinto(buffer):  # type: ignore[attr-defined]
        chunk = view[:count]
        digest.update(chunk)
        target.write(chunk)
        size += count
        advance(count)
    return size, digest.hexdigest()


class _Nowhere:
    """A target that keeps nothing: hashing is copying without the copy."""

    def write(self, data: bytes) -> int:
        return len(data)


def hash_stream(source: BinaryIO, advance: Advance = _no_progress) -> tuple[int, str]:
    """Size and SHA-256 of a stream, read in chunks."""
    return copy_hashed(source, _Nowhere(), advance)  # type: ignore[arg-type]


class ChangedWhileCopying(Exception):
    """The source file's size or modification time changed during the copy."""


def copy_file_hashed(
    source: Path, target: BinaryIO, advance: Advance = _no_progress
) -> tuple[int, str]:
    """``copy_hashed`` from a file that must not change meanwhile (else ``ChangedWhileCopying``)."""
    with source.open("rb") as handle:
        before = os.fstat(handle.fileno())
        result = copy_hashed(handle, target, advance)
        after = os.fstat(handle.fileno())
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise ChangedWhileCopying(str(source))
    return result


def drop_cache(handle: BinaryIO) -> None:
    """Ask the kernel to forget the file's cached pages so the next read hits the device."""
    if hasattr(os, "posix_fadvise"):
        os.fsync(handle.fileno())
        os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def hash_file(file: Path) -> tuple[int, str]:
    """Size and SHA-256 of ``file``, read in chunks."""
    with file.open("rb") as handle:
        return hash_stream(handle)
