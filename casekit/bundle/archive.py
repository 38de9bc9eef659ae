"""The bundle as one deterministic zip: fixed order, times, permissions and compression."""

from __future__ import annotations

import os
import zipfile
from datetime import datetime
from pathlib import Path

from casekit.atomic import atomic_file
from casekit.bundle.stream import CHUNK

#: already compressed: storing them again costs time and saves nothing
STORED_SUFFIXES = frozenset(
    [
        ".mp4",
        ".m4v",
        ".webm",
        ".mp3",
        ".ogg",
        ".oga",
        ".m4a",
        ".png",
        ".jpg",
        ".jpeg",
        ".pdf",
        ".epub",
        ".docx",
        ".ttf",
        ".zip",
    ]
)


def bundle_files(folder: Path) -> list[str]:
    """Every file under ``folder`` as sorted POSIX paths."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            found.append(Path(root, name).relative_to(folder).as_posix())
    return sorted(found)


def write_zip(folder: Path, target: Path, date: datetime) -> Path:
    """Zip ``folder`` (entries under ``<folder name>/``) atomically into ``target``."""
    stamp = max(date, date.replace(year=1980, month=1, day=1)).timetuple()[:6]
    with atomic_file(target) as handle, zipfile.ZipFile(handle, "w") as archive:
        for rel in bundle_files(folder):
            source = folder / rel
            info = zipfile.ZipInfo(f"{folder.name}/{rel}", date_time=stamp)
            info.create_system = 3  # Unix, whatever system builds it
            info.external_attr = 0o100644 << 16
            stored = Path(rel).suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.file_size = source.stat().st_size
            with source.open("rb") as src, archive.open(info, "w") as out:
                while chunk := src.read(CHUNK):
                    out.write(chunk)
    return target
