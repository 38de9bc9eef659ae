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

TEMP_PREFIX = ".casekit-tmp-"


@contextlib.contextmanager
def atomic_file(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a temporary sibling of ``path`` for writing; on success it replaces ``path``.

    ``durable=False`` skips the fsyncs (the rename stays atomic): for caches, whose
    loss after a power cut costs only time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_dir(path.parent)


def write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_file(path, durable) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_dir(path: Path) -> Iterator[Path]:
    """Build a folder in a temporary sibling; on success it replaces ``path`` whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=path.parent))
    try:
        yield temp
        for root, _dirs, files in os.walk(temp):
            for name in files:
                with open(os.path.join(root, name), "rb") as handle:
                    os.fsync(handle.fileno())
        os.chmod(temp, 0o755)
        old = None
        if path.exists():
            old = path.with_name(f"{TEMP_PREFIX}old-{path.name}")
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


def clean_stale_temporaries(folder: Path) -> None:
    """Remove temporaries left by a build that was killed."""
    if not folder.is_dir():
        return
    for entry in folder.rglob(f"{TEMP_PREFIX}*"):
        if entry.is_dir():
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
