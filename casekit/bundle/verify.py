"""Checking a bundle (folder, zip, or a stick holding bundles) against its manifests."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal
from urllib.parse import unquote

from casekit.bundle import BAGIT_FILES, MANIFEST, is_approval_file
from casekit.bundle.archive import bundle_files
from casekit.bundle.bag import sha256
from casekit.bundle.manifest import ManifestError, parse_manifest
from casekit.diagnostics import error
from casekit.files.stream import hash_stream

TAGMANIFEST = BAGIT_FILES[-1]


@dataclass(frozen=True)
class Expected:
    size: int | None  # None: BagIt manifests record no size
    sha256: str


@dataclass
class Difference:
    kind: Literal["missing", "extra", "modified"]
    path: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}"


@dataclass
class Report:
    bundle: str
    files: int = 0
    fingerprint: str = ""  # SHA-256 of manifest.json
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


class Source:
    """The files of one bundle, in a folder or in a zip."""

    def __init__(self, label: str, files: dict[str, int]) -> None:
        self.label = label
        self.files = files  # path -> size

    def open(self, path: str) -> BinaryIO:
        raise NotImplementedError

    def read(self, path: str) -> bytes:
        with self.open(path) as handle:
            return handle.read()

    def read_at_most(self, path: str, limit: int) -> bytes:
        """The first ``limit`` bytes: a hostile file may be of any size."""
        with self.open(path) as handle:
            return handle.read(limit)


class FolderSource(Source):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            str(folder), {p: (folder / p).stat().st_size for p in bundle_files(folder)}
        )
        self.folder = folder

    def open(self, path: str) -> BinaryIO:
        return (self.folder / path).open("rb")


class ZipSource(Source):
    def __init__(self, archive: zipfile.ZipFile, label: str, prefix: str) -> None:
        files = {
            info.filename[len(prefix) :]: info.file_size
            for info in archive.infolist()
            if info.filename.startswith(prefix) and not info.is_dir()
        }
        super().__init__(label, files)
        self.archive = archive
        self.prefix = prefix

    def open(self, path: str) -> BinaryIO:
        return self.archive.open(self.prefix + path)  # type: ignore[return-value]


def find_bundles(path: Path) -> Iterator[Source]:
    """The bundles at ``path``: the folder itself, its sub-folders (a stick), or a zip's."""
    if path.is_file() and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        prefixes = sorted(
            name[: -len(MANIFEST)]
            for name in archive.namelist()
            if name.endswith("/" + MANIFEST) and name.count("/") == 1 or name == MANIFEST
        )
        for prefix in prefixes:
            yield ZipSource(archive, f"{path}:{prefix}", prefix)
        if not prefixes:
            raise error(
                str(path), "this zip holds no casekit bundle (no manifest.json)", "not-a-bundle"
            )
        return
    if not path.is_dir():
        raise error(str(path), "no such folder or zip file", "not-a-bundle")
    if (path / MANIFEST).is_file():
        yield FolderSource(path)
        return
    found = sorted(
        p for p in path.iterdir() if (p / MANIFEST).is_file() and (p / BAGIT_FILES[0]).is_file()
    )
    if not found:
        raise error(
            str(path), "no casekit bundle here (no manifest.json and bagit.txt)", "not-a-bundle"
        )
    for folder in found:
        yield FolderSource(folder)


def parse_bag_manifest(text: str) -> dict[str, str]:
    """``path -> sha256`` from a BagIt manifest (RFC 8493 percent-encoding undone)."""
    entries = {}
    for line in text.splitlines():
        if line.strip():
            digest, _, path = line.partition(" ")
            entries[unquote(path.strip())] = digest.strip().lower()
    return entries


def expected_files(source: Source) -> tuple[dict[str, Expected], str]:
    """Every file the bundle must hold (manifest.json, then the BagIt manifests) and the
    fingerprint; raises ``CasekitError`` when manifest.json is missing or damaged."""
    if MANIFEST not in source.files:
        raise error(source.label, "manifest.json is missing: not a casekit bundle", "not-a-bundle")
    data = source.read(MANIFEST)
    try:
        _, files = parse_manifest(data)
    except ManifestError as exc:
        raise error(source.label, str(exc), "manifest-damaged") from None
    expected = {path: Expected(f.size, f.sha256) for path, f in files.items()}
    for bag_manifest in ("manifest-sha256.txt", TAGMANIFEST):
        if bag_manifest in source.files:
            text = source.read(bag_manifest).decode("utf-8", "replace")
            for path, digest in parse_bag_manifest(text).items():
                expected.setdefault(path, Expected(None, digest))
    return expected, sha256(data)


def verify_source(source: Source) -> Report:
    expected, fingerprint = expected_files(source)
    report = Report(source.label, len(source.files), fingerprint)
    for path in sorted(expected):
        want = expected[path]
        if path not in source.files:
            report.differences.append(Difference("missing", path))
            continue
        if want.size is not None and want.size != source.files[path]:
            report.differences.append(Difference("modified", path))
            continue
        with source.open(path) as handle:
            _, digest = hash_stream(handle)
        if digest != want.sha256:
            report.differences.append(Difference("modified", path))
    if TAGMANIFEST not in source.files:
        report.differences.append(Difference("missing", TAGMANIFEST))
    for path in sorted(set(source.files) - set(expected) - {TAGMANIFEST}):
        if not is_approval_file(path):  # signed, outside the tag manifest they sign
            report.differences.append(Difference("extra", path))
    return report


def verify(path: Path) -> list[Report]:
    """Reports for every bundle at ``path`` (a folder, a zip, or a stick holding bundles)."""
    return [verify_source(source) for source in find_bundles(path)]
