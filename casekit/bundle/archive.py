"""The bundle as one deterministic zip: fixed order, times, permissions and compression."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from casekit.files.zips import write_zip as zip_members


def bundle_files(folder: Path) -> list[str]:
    """Every file under ``folder`` as sorted POSIX paths."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            found.append(Path(root, name).relative_to(folder).as_posix())
    return sorted(found)


def write_zip(folder: Path, handle: BinaryIO, date: datetime) -> None:
    """Zip ``folder`` (entries under ``<folder name>/``) into the open file ``handle``."""
    files = {f"{folder.name}/{rel}": folder / rel for rel in bundle_files(folder)}
    zip_members(handle, files, date)
