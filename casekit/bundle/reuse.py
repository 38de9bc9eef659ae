"""Rebuilding a bundle re-copies only the media that changed.

After each build the size, mtime, inode and SHA-256 of every media file in the
bundle is recorded in the build cache. The next build hard-links a media file
from the previous bundle when the course's file has the same SHA-256 and the
bundle's copy is untouched since it was recorded (same size, mtime and inode);
anything else is copied (and hashed) again. ``--force`` reads nothing from the
cache, so it reuses nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from casekit.files.cache import BuildCache, digest

KIND = "usb-media"
#: bundle path -> size, mtime (ns), inode and SHA-256 of the file as it was written
Records = dict[str, tuple[int, int, int, str]]


class PreviousBundle:
    def __init__(self, cache: BuildCache | None, folder: Path) -> None:
        """``folder``: where the bundle is (and was last built)."""
        self.cache = cache
        self.folder = folder
        self.key = digest(KIND, str(folder))
        found = cache.load(KIND, self.key, Records) if cache is not None else None
        self.records: Records = found or {}

    def link(self, path: str, size: int, sha256: str, target: Path) -> bool:
        """Hard-link ``path`` from the previous bundle to ``target`` if it is reusable."""
        if not sha256:
            return False
        previous = self.folder / path
        try:
            st = previous.lstat()
        except OSError:
            return False
        if size != st.st_size or self.records.get(path) != (
            st.st_size,
            st.st_mtime_ns,
            st.st_ino,
            sha256,
        ):
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(previous, target)
        except OSError:
            return False
        return True

    def save(self, written: Path, media: dict[str, str]) -> None:
        """Record the media files (path -> SHA-256) of the bundle just written in
        ``written`` (its temporary folder: a rename keeps inodes and mtimes)."""
        if self.cache is None:
            return
        records: Records = {}
        for path, sha256 in sorted(media.items()):
            st = (written / path).lstat()
            records[path] = (st.st_size, st.st_mtime_ns, st.st_ino, sha256)
        self.cache.store(KIND, self.key, records)
