"""What a build may trust of the bundle the previous build left: nothing unverified.

Once a bundle is in place, every file's size, mtime, ctime, inode and SHA-256 (as its
manifests list it) is recorded in the build cache. The next build

- calls the bundle up to date only after checking it against its manifests as
  ``casekit verify`` does (``damage``): a file damaged in place is reported and the
  bundle rebuilt;
- hard-links an unchanged media file into the new bundle only when the old copy still
  has the SHA-256 the course's file has (``PreviousBundle.link``); a damaged copy is
  reported and copied afresh.

A file counts as unchanged by its stat alone only where that is safe: size, mtime,
ctime and inode all as recorded, on a file system with sub-second timestamps. Every
write, truncation or restored mtime through the kernel changes the ctime, which no
program can set back; a file system whose clock ticks in whole seconds could hide a
write in the same second. Anything else is hashed again, streamed. What bypasses the
kernel (bit rot on the disk) only hashing finds: ``casekit verify`` or ``--force``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from casekit.bundle.verify import (
    FolderSource,
    Unreadable,
    expected_files,
    open_regular,
    verify_source,
)
from casekit.diagnostics import CasekitError
from casekit.files.cache import BuildCache, digest, fine_clock
from casekit.files.stream import hash_stream

KIND = "usb-inventory"


@dataclass(frozen=True)
class Recorded:
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str


#: bundle path -> the file as it was when the bundle was put in place
Records = dict[str, Recorded]


def _recorded(st: os.stat_result, sha256: str) -> Recorded:
    return Recorded(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, sha256)


def _vouches(st: os.stat_result, record: Recorded) -> bool:
    """The stat shows the file untouched since it was recorded, and the file system's
    timestamps are fine enough for that to be safe."""
    fine = fine_clock(record.mtime_ns, record.ctime_ns)
    return fine and stat.S_ISREG(st.st_mode) and _recorded(st, record.sha256) == record


def _digest(folder: Path, path: str, records: Records) -> str:
    """SHA-256 of ``folder/path``: the recorded one where the stat vouches for it, else
    read (streamed, regular files only); a match refreshes the record in ``records`` (a
    hard link removed elsewhere changes the ctime of an intact file). Raises
    ``Unreadable``."""
    record = records.get(path)
    try:
        st = (folder / path).lstat()
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if record is not None and _vouches(st, record):
        return record.sha256
    try:
        with open_regular(folder / path) as handle:
            _, found = hash_stream(handle)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None
    if record is not None and found == record.sha256:
        records[path] = _recorded(st, found)
    return found


class RecordedBundle(FolderSource):
    """A bundle folder as the last build left it, read through its records."""

    def __init__(self, folder: Path, records: Records) -> None:
        super().__init__(folder)
        self.records = records
        self.digests: dict[str, str] = {}

    def digest(self, path: str) -> str:
        if path not in self.digests:
            self.digests[path] = _digest(self.folder, path, self.records)
        return self.digests[path]

    def unlike_records(self) -> list[str]:
        """The files whose content is not what the last build wrote (the tag manifest,
        which no manifest lists, included)."""
        changed = []
        for path, record in sorted(self.records.items()):
            if path in self.files:
                try:
                    if self.digest(path) != record.sha256:
                        changed.append(path)
                except Unreadable:
                    changed.append(path)
        return changed


class PreviousBundle:
    """The bundle at ``folder`` that the last build wrote, and its record."""

    def __init__(self, cache: BuildCache | None, folder: Path) -> None:
        self.cache = cache
        self.folder = folder
        self.key = digest(KIND, str(folder))
        found = cache.load(KIND, self.key, Records) if cache is not None else None
        self.records: Records = found or {}

    def damage(self) -> list[tuple[str, str]]:
        """``(path, what)`` of every difference between the bundle and its manifests (and
        the manifest.json the last build wrote), or ``[]``; with no record, the bundle is
        not vouched for at all."""
        if not self.records:
            return [(str(self.folder), "no record of the bundle the last build wrote")]
        before = dict(self.records)
        source = RecordedBundle(self.folder, self.records)
        try:
            report = verify_source(source)
        except CasekitError as exc:
            return [(exc.diagnostic.path, exc.diagnostic.message)]
        found = [
            (
                str(self.folder / d.path),
                _WHAT.get(d.kind, d.kind) + (f" ({d.detail})" if d.detail else ""),
            )
            for d in report.differences
        ]
        listed = {d.path for d in report.differences}
        found += [
            (str(self.folder / path), "rewritten since the last build, manifests and all")
            for path in source.unlike_records()
            if path not in listed
        ]
        if not found and self.records != before:
            self._store(self.records)
        return found

    def link(self, path: str, size: int, sha256: str, target: Path) -> bool:
        """Hard-link ``path`` from the previous bundle to ``target`` if the old copy is
        intact; an old copy that is not is reported (``BuildCache.stats.damaged``)."""
        record = self.records.get(path)
        if not sha256 or record is None or record.sha256 != sha256 or record.size != size:
            return False
        old = self.folder / path
        try:
            if _digest(self.folder, path, self.records) != sha256:
                self._report(old, "modified since the last build (its SHA-256 no longer matches)")
                return False
        except Unreadable as exc:
            if os.path.lexists(old):
                self._report(old, f"cannot be read ({exc})")
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(old, target)
        except OSError:
            return False
        return True

    def _report(self, old: Path, what: str) -> None:
        found = self.cache.stats.damaged if self.cache is not None else []
        if all(path != str(old) for path, _what in found):  # once: the check may have said it
            found.append((str(old), f"{what}; not reused, copied afresh"))

    def record(self, bundle: Path) -> None:
        """Record every file of ``bundle`` (in place, after the build renamed it there)
        with the SHA-256 its manifests list; the tag manifest, which none lists, hashed."""
        if self.cache is None:
            return
        source = FolderSource(bundle)
        try:
            expected, _, problems = expected_files(source)
        except CasekitError:
            return
        if problems or source.problems:  # never vouch for what does not verify
            return
        records: Records = {}
        for path in source.files:
            want = expected.get(path)
            sha = want.sha256 if want is not None else source.digest(path)
            records[path] = _recorded((bundle / path).lstat(), sha)
        self._store(records)

    def _store(self, records: Records) -> None:
        if self.cache is not None:
            self.cache.store(KIND, self.key, dict(sorted(records.items())))


#: how a difference from ``verify`` reads in a build's report
_WHAT = {
    "missing": "missing since the last build",
    "extra": "added since the last build",
    "modified": "modified since the last build (its SHA-256 no longer matches the manifest)",
    "damaged": "damaged since the last build",
    "inconsistent": "its manifests no longer agree",
}


def damaged_bundles(paths: list[Path], cache: BuildCache) -> list[tuple[str, str]]:
    """What differs from its manifests in the bundles a build left, ``(path, what)``."""
    return [
        problem
        for path in paths
        if path.is_dir()  # the zip: its size, mtime and ctime vouch for it
        for problem in PreviousBundle(cache, path).damage()
    ]


def record_bundles(paths: list[Path], cache: BuildCache) -> None:
    """Bundles copied from the shared cache, recorded as a build records what it wrote."""
    for path in paths:
        if path.is_dir():
            PreviousBundle(cache, path).record(path)
