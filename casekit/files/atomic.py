"""The one place that writes output files: temporary sibling, fsync, rename.

A failed or interrupted build leaves the previous output intact and never a
partial file under its final name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from casekit.diagnostics import error

TEMP_PREFIX = ".casekit-tmp-"
_OLD_PREFIX = f"{TEMP_PREFIX}old-"  # a previous output moved aside by atomic_dir


@contextlib.contextmanager
def write_errors(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` while writing ``path`` (disk full, no permission, a file
    where a folder should be) into one diagnostic line."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise error(str(path), f"cannot write the output: {reason}", "write-failed") from None


@contextlib.contextmanager
def atomic_file(
    path: Path, durable: bool = True, mode: int = 0o644, temp_dir: Path | None = None
) -> Iterator[BinaryIO]:
    """Open a temporary sibling of ``path`` for writing; on success it replaces ``path``.

    ``durable=False`` skips the fsyncs (the rename stays atomic): for caches, whose
    loss after a power cut costs only time. ``mode=0o600`` for personal data and secret
    keys (the temporary file is owner-only from its creation). ``temp_dir``: where the
    temporary file is made instead, on the same file system (the build cache keeps all
    of its temporaries in one folder, which ``clean_stale_temporaries`` need not search
    below)."""
    with write_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = temp_dir or path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=folder)
    try:
        with os.fdopen(fd, "w+b") as handle:  # readable too: a zip appends in place
            yield handle
            with write_errors(path):
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
        with write_errors(path):
            os.chmod(temp, mode)
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_dir(path.parent)


def write_bytes(
    path: Path, data: bytes, durable: bool = True, mode: int = 0o644, temp_dir: Path | None = None
) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_file(path, durable, mode, temp_dir) as handle, write_errors(path):
        handle.write(data)


@contextlib.contextmanager
def atomic_dir(path: Path, mode: int = 0o755) -> Iterator[Path]:
    """Build a folder in a temporary sibling; on success it replaces ``path`` whole
    (``mode=0o700`` for personal data)."""
    with write_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=path.parent))
    try:
        yield temp
        for root, _dirs, files in os.walk(temp):
            for name in files:
                with open(os.path.join(root, name), "rb") as handle:
                    os.fsync(handle.fileno())
        with contextlib.suppress(OSError):  # FAT sticks have no permissions to set
            os.chmod(temp, mode)
        old = None
        if path.exists():
            old = path.with_name(f"{_OLD_PREFIX}{path.name}")
            if old.exists():
                shutil.rmtree(old)
            os.replace(path, old)
        os.replace(temp, path)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _fsync_dir(path.parent)


def clean_stale_temporaries(
    folder: Path, recursive: bool = True, shallow: tuple[str, ...] = ()
) -> None:
    """Undo what a killed build (or copy) left behind under ``folder`` (only in
    ``folder`` itself when not ``recursive``: a stick is not searched through; only at
    the top of the folders ``shallow`` names relative to ``folder``, which keep their
    temporaries there).

    A folder that ``atomic_dir`` had moved aside but not yet replaced is put
    back under its name; every other temporary is removed."""
    if not folder.is_dir():
        return
    stale: list[Path] = []
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            if name.startswith(TEMP_PREFIX):
                stale.append(Path(root, name))
        searched = recursive and os.path.relpath(root, folder) not in shallow
        dirs[:] = [d for d in dirs if not d.startswith(TEMP_PREFIX)] if searched else []
    for entry in stale:
        final = entry.with_name(entry.name.removeprefix(_OLD_PREFIX))
        if entry.name.startswith(_OLD_PREFIX) and not final.exists():
            os.replace(entry, final)
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
