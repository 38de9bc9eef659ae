"""Checking a bundle (folder, zip, or a stick holding bundles) against its manifests.

What a stick or zip holds is untrusted: nothing but regular files is ever opened
(a FIFO, device, socket or symbolic link is reported as ``damaged``, never read),
``manifest.json`` and the BagIt manifests are read up to ``MAX_MANIFEST_BYTES``,
zip entries are inflated only up to their declared size and an archive may not
declare much more than it could hold, and everything beside the bundles (other
files on the stick, zip entries outside a bundle's folder) is reported.

The result model: one ``Report`` per bundle (``kind="bundle"``) and, when the path
holds anything besides bundles, one for that (``kind="outside"``). A ``Difference``
fails the check unless it is ``outside`` (an ordinary file beside the bundles).
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal
from urllib.parse import unquote

from casekit.bundle import BAGIT_FILES, MANIFEST, is_approval_file
from casekit.bundle.bag import sha256
from casekit.bundle.manifest import ManifestError, parse_manifest
from casekit.diagnostics import error
from casekit.files import stream
from casekit.files.atomic import TEMP_PREFIX
from casekit.files.portable_names import AUTORUN_NAMES, EXECUTABLE_SUFFIXES
from casekit.files.stream import hash_stream
from casekit.safety.paths import file_type

TAGMANIFEST = BAGIT_FILES[-1]
#: manifest.json and the BagIt manifests are read whole, up to this size
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
#: a zip may declare at most this many times its own size, plus the manifests' limit
MAX_INFLATION = 200

Kind = Literal[
    "missing",  # listed, not there
    "extra",  # there, not listed
    "modified",  # differs from the manifest (or its zip data is corrupt)
    "damaged",  # cannot be read as a file: a FIFO, device, link, or a manifest that is not one
    "inconsistent",  # manifest.json and the BagIt manifests disagree, or list a path twice
    "outside",  # a file beside the bundles (reported; fails only as one of the below)
    "runnable",  # beside the bundles and can run a program or start by itself
    "leftover",  # a copy that casekit did not finish (a .casekit-tmp-* folder)
    "unsafe",  # a zip entry whose name climbs out of the folder it is unpacked in
]


@dataclass(frozen=True)
class Expected:
    size: int | None  # None: BagIt manifests record no size
    sha256: str


@dataclass
class Difference:
    kind: Kind
    path: str
    detail: str = ""

    @property
    def fails(self) -> bool:
        return self.kind != "outside"

    def __str__(self) -> str:
        """One line: control characters in a name are shown escaped (a zip entry named
        ``"x\\nOK: ..."`` must not print a line of its own)."""
        detail = f" ({printable(self.detail)})" if self.detail else ""
        return f"{self.kind}: {printable(self.path)}{detail}"


def printable(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


@dataclass
class Report:
    bundle: str
    files: int = 0
    fingerprint: str = ""  # SHA-256 of manifest.json ("" for the outside report)
    differences: list[Difference] = field(default_factory=list)
    kind: Literal["bundle", "outside"] = "bundle"

    @property
    def ok(self) -> bool:
        return not any(d.fails for d in self.differences)

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


class Unreadable(Exception):
    """A file that is not read: not a regular file, too large, or corrupt in the zip."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading only if it is a regular file (``files/stream.py``)."""
    try:
        return stream.open_regular(path)
    except OSError as exc:
        raise Unreadable(exc.strerror or str(exc)) from None


class Source:
    """The files of one bundle, in a folder or in a zip."""

    def __init__(self, label: str, files: dict[str, int]) -> None:
        self.label = label
        self.files = files  # path -> size, regular files only
        self.problems: list[Difference] = []  # found while listing (damaged, inconsistent)

    def open(self, path: str) -> BinaryIO:
        raise NotImplementedError

    def read(self, path: str, limit: int = MAX_MANIFEST_BYTES) -> bytes:
        """The whole file, if it is at most ``limit`` bytes; raises ``Unreadable``."""
        if self.files[path] > limit:
            raise Unreadable(f"larger than {limit // 2**20} MiB")
        try:
            with self.open(path) as handle:
                data = handle.read(limit + 1)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise Unreadable(str(exc)) from None
        if len(data) > limit:
            raise Unreadable(f"larger than {limit // 2**20} MiB")
        return data

    def read_at_most(self, path: str, limit: int) -> bytes:
        """The first ``limit`` bytes: a hostile file may be of any size."""
        with self.open(path) as handle:
            return handle.read(limit)

    def digest(self, path: str) -> str:
        """SHA-256 of a file; raises ``Unreadable`` (a zip entry whose data is corrupt)."""
        try:
            with self.open(path) as handle:
                _, digest = hash_stream(handle)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise Unreadable(str(exc)) from None
        return digest


def walk_regular(folder: Path, skip: frozenset[Path] = frozenset()) -> Iterator[tuple[str, int]]:
    """``(path, st_mode or -1 when unreadable)`` of everything under ``folder`` but the
    folders ``skip``, sorted, without following links (a link loop is one entry)."""
    entries: list[tuple[str, int]] = []

    def unreadable(exc: OSError) -> None:
        if exc.filename:
            entries.append((Path(exc.filename).relative_to(folder).as_posix(), -1))

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        kept = []
        for name in sorted(dirs):
            path = Path(root, name)
            if path in skip:
                continue
            mode = path.lstat().st_mode
            if stat.S_ISDIR(mode):
                kept.append(name)
            else:  # a link to a folder: listed, never followed
                entries.append((path.relative_to(folder).as_posix(), mode))
        dirs[:] = kept
        for name in files:
            path = Path(root, name)
            try:
                mode = path.lstat().st_mode
            except OSError:
                mode = -1
            entries.append((path.relative_to(folder).as_posix(), mode))
    yield from sorted(entries)


class FolderSource(Source):
    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder), {})
        self.folder = folder
        for path, mode in walk_regular(folder):
            if mode >= 0 and stat.S_ISREG(mode):
                self.files[path] = (folder / path).lstat().st_size
            else:
                detail = file_type(mode) if mode >= 0 else "cannot be read"
                self.problems.append(Difference("damaged", path, detail))

    def open(self, path: str) -> BinaryIO:
        return open_regular(self.folder / path)


class ZipSource(Source):
    def __init__(self, archive: zipfile.ZipFile, label: str, prefix: str) -> None:
        super().__init__(label, {})
        self.archive = archive
        self.prefix = prefix
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            if info.filename.startswith(prefix) and not info.is_dir():
                path = info.filename[len(prefix) :]
                if path in self.infos:  # unzip and Python would keep different entries
                    self.problems.append(Difference("inconsistent", path, "in the zip twice"))
                self.infos[path] = info
                self.files[path] = info.file_size

    def open(self, path: str) -> BinaryIO:
        return self.archive.open(self.infos[path])  # type: ignore[return-value]


def runnable(name: str) -> bool:
    lower = name.lower()
    suffix = PurePosixPath(lower).suffix
    return lower in AUTORUN_NAMES or suffix in EXECUTABLE_SUFFIXES


def _beside(path: str) -> Difference:
    """A file that belongs to no bundle: reported, and failing when it could run."""
    parts = path.split("/")
    if any(part.startswith(TEMP_PREFIX) for part in parts[:-1]):
        return Difference("leftover", path, "a copy that was not finished: delete it")
    if runnable(parts[-1]):
        return Difference("runnable", path)
    return Difference("outside", path)


def _climbs_out(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def _zip_bundles(path: Path) -> tuple[list[Source], Report | None]:
    try:
        archive = zipfile.ZipFile(path)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise error(str(path), f"damaged zip, cannot be read ({exc})", "bundle-damaged") from None
    declared = sum(info.file_size for info in infos)
    allowed = MAX_INFLATION * path.stat().st_size + MAX_MANIFEST_BYTES
    if declared > allowed:
        raise error(
            str(path),
            f"the zip would inflate to {declared} bytes, more than {MAX_INFLATION} times "
            "its size: not a bundle casekit wrote",
            "bundle-damaged",
        )
    names = [info.filename for info in infos]
    prefixes = sorted(
        {
            name[: -len(MANIFEST)]
            for name in names
            if (name.endswith("/" + MANIFEST) and name.count("/") == 1 or name == MANIFEST)
            and not _climbs_out(name)
            and not name.startswith(TEMP_PREFIX)
        }
    )
    if not prefixes:
        raise error(
            str(path), "this zip holds no casekit bundle (no manifest.json)", "not-a-bundle"
        )
    sources: list[Source] = [ZipSource(archive, f"{path}:{prefix}", prefix) for prefix in prefixes]
    beside = Report(str(path), kind="outside")
    for info in infos:
        name = info.filename
        if _climbs_out(name):
            beside.differences.append(Difference("unsafe", name, "climbs out of the folder"))
        elif not info.is_dir() and not any(name.startswith(p) for p in prefixes):
            beside.differences.append(_beside(name))
    if "" in prefixes:
        beside.differences = [d for d in beside.differences if d.kind == "unsafe"]
    return sources, _if_any(beside)


def _if_any(beside: Report) -> Report | None:
    beside.files = len(beside.differences)
    return beside if beside.differences else None


def _is_bundle(folder: Path) -> bool:
    return all(
        (folder / name).is_file() and not (folder / name).is_symlink()
        for name in (MANIFEST, BAGIT_FILES[0])
    )


def survey(path: Path) -> tuple[list[Source], Report | None]:
    """The bundles at ``path`` (a bundle folder, a folder such as a stick holding bundles
    at any depth, or a zip), and a ``Report`` of what lies beside them, if anything."""
    if path.is_file():
        return _zip_bundles(path)
    if not path.is_dir():
        raise error(str(path), "not a folder, a zip or a regular file", "not-a-bundle")
    if _is_bundle(path):
        return [FolderSource(path)], None
    found: list[Path] = []
    for root, dirs, _files in os.walk(path):
        dirs.sort()
        here = Path(root)
        if here != path and _is_bundle(here) and not here.name.startswith(TEMP_PREFIX):
            found.append(here)
            dirs[:] = []
    if not found:
        raise error(
            str(path), "no casekit bundle here (no manifest.json and bagit.txt)", "not-a-bundle"
        )
    beside = Report(str(path), kind="outside")
    for rel, mode in walk_regular(path, skip=frozenset(found)):
        difference = _beside(rel)
        if mode < 0 or not stat.S_ISREG(mode):  # never opened; a leftover stays one
            detail = file_type(mode) if mode >= 0 else "cannot be read"
            kind = "leftover" if difference.kind == "leftover" else "damaged"
            difference = Difference(kind, rel, detail)
        beside.differences.append(difference)
    return [FolderSource(folder) for folder in found], _if_any(beside)


def find_bundles(path: Path) -> Iterator[Source]:
    """The bundles at ``path`` (see ``survey``)."""
    yield from survey(path)[0]


def parse_bag_manifest(text: str) -> tuple[dict[str, str], list[str]]:
    """``path -> sha256`` from a BagIt manifest (RFC 8493 percent-encoding undone), and
    the paths it lists more than once."""
    entries: dict[str, str] = {}
    twice = []
    for line in text.splitlines():
        if line.strip():
            digest, _, path = line.partition(" ")
            path = unquote(path.strip())
            if path in entries:
                twice.append(path)
            entries[path] = digest.strip().lower()
    return entries, twice


def expected_files(source: Source) -> tuple[dict[str, Expected], str, list[Difference]]:
    """Every file the bundle must hold (manifest.json, then the BagIt manifests), the
    fingerprint, and where the manifests disagree; raises ``CasekitError`` when
    manifest.json is missing or damaged."""
    if MANIFEST not in source.files:
        raise error(source.label, "manifest.json is missing: not a casekit bundle", "not-a-bundle")
    try:
        data = source.read(MANIFEST)
        _, files = parse_manifest(data)
    except (Unreadable, ManifestError) as exc:
        raise error(source.label, f"manifest.json is damaged ({exc})", "manifest-damaged") from None
    expected = {path: Expected(f.size, f.sha256) for path, f in files.items()}
    problems: list[Difference] = []
    for bag_manifest in ("manifest-sha256.txt", TAGMANIFEST):
        if bag_manifest not in source.files:
            continue
        try:
            text = source.read(bag_manifest).decode("utf-8", "replace")
        except Unreadable as exc:
            problems.append(Difference("damaged", bag_manifest, str(exc)))
            continue
        entries, twice = parse_bag_manifest(text)
        problems += [Difference("inconsistent", p, f"{bag_manifest} lists it twice") for p in twice]
        for path, digest in entries.items():
            known = expected.setdefault(path, Expected(None, digest))
            if known.sha256 != digest:
                problems.append(
                    Difference("inconsistent", path, f"{bag_manifest} and manifest.json disagree")
                )
    return expected, sha256(data), problems


def verify_source(source: Source) -> Report:
    expected, fingerprint, problems = expected_files(source)
    report = Report(source.label, len(source.files), fingerprint)
    report.differences += source.problems + problems
    damaged = {d.path for d in source.problems if d.kind == "damaged"}
    for path in sorted(expected):
        want = expected[path]
        if path in damaged:
            continue
        if path not in source.files:
            report.differences.append(Difference("missing", path))
            continue
        if want.size is not None and want.size != source.files[path]:
            report.differences.append(Difference("modified", path))
            continue
        try:
            digest = source.digest(path)
        except Unreadable as exc:
            report.differences.append(Difference("modified", path, f"cannot be read: {exc}"))
            continue
        if digest != want.sha256:
            report.differences.append(Difference("modified", path))
    if TAGMANIFEST not in source.files and TAGMANIFEST not in damaged:
        report.differences.append(Difference("missing", TAGMANIFEST))
    for path in sorted(set(source.files) - set(expected) - {TAGMANIFEST}):
        if not is_approval_file(path):  # signed, outside the tag manifest they sign
            report.differences.append(Difference("extra", path))
    return report


def verify(path: Path) -> list[Report]:
    """Reports for every bundle at ``path`` (a folder, a zip, or a stick holding bundles),
    then one for what lies beside them, if anything."""
    sources, beside = survey(path)
    return [verify_source(source) for source in sources] + ([beside] if beside else [])
