"""Rebuilding a bundle re-copies only the media that changed.

After each build the size, mtime, inode and SHA-256 of every media file in the
bundle is recorded in the build cache. The next build hard-links a media file
from the previous bundle when the course's file has the same SHA-256 and the
bundle's copy is untouched since it was recorded (same size, mtime and inode);
anything else is copied (and hashed) again.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from casekit.files.cache import CACHE_DIR

RECORD = "usb-media.json"


class PreviousBundle:
    def __init__(self, build_root: Path, folder: Path) -> None:
        self.record_file = build_root / CACHE_DIR / RECORD
        self.folder = folder
        try:
            data = json.loads(self.record_file.read_text("utf-8"))
        except (OSError, ValueError):
            data = {}
        self.records: dict[str, list[object]] = data if isinstance(data, dict) else {}

    def link(self, path: str, size: int, sha256: str, target: Path) -> bool:
        """Hard-link ``path`` from the previous bundle to ``target`` if it is reusable."""
        if not sha256:
            return False
        previous = self.folder / path
        try:
            st = previous.lstat()
        except OSError:
            return False
        if size != st.st_size or self.records.get(path) != [
            st.st_size,
            st.st_mtime_ns,
            st.st_ino,
            sha256,
        ]:
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(previous, target)
        except OSError:
            return False
        return True

    def save(self, media: dict[str, str]) -> None:
        """Record the bundle's media files (path -> SHA-256) as they are now on disk."""
        records = {}
        for path, sha256 in sorted(media.items()):
            st = (self.folder / path).lstat()
            records[path] = [st.st_size, st.st_mtime_ns, st.st_ino, sha256]
        self.record_file.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            self.record_file.write_text(json.dumps(records, indent=1), "utf-8")
