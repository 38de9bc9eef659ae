"""Assembling a bundle folder: plan and check every file, then write it in one pass."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from casekit import tree as t
from casekit.bundle import MANIFEST, MANIFEST_SCRIPT, PAYLOAD
from casekit.bundle.bag import sha256, write_bag
from casekit.bundle.capacity import check_fits
from casekit.bundle.manifest import BundleFile, manifest_bytes
from casekit.bundle.portable import PlannedFile, check_files
from casekit.bundle.readme import readme_bytes
from casekit.bundle.reuse import PreviousBundle
from casekit.bundle.viewer import VERIFIER_FILES, EditionLink, manifest_script, viewer_files
from casekit.diagnostics import error
from casekit.files.cache import BuildCache, code_fingerprint, digest
from casekit.files.stream import (
    ChangedWhileCopying,
    copy_file_hashed,
    copy_hashed,
    hash_file,
    hash_stream,
)
from casekit.formats import BuildContext
from casekit.render.av_metadata import ffmpeg_version, stripped_copy
from casekit.render.images import write_image
from casekit.resolve.editions import apply_edition
from casekit.resolve.layout import EDITION_FORMATS, bundle_name
from casekit.safety.paths import PathEscape, resolve_inside

EDITIONS_DIR = f"{PAYLOAD}/editions"
#: room left in the stick-size check for manifest.json and the BagIt files
METADATA_ALLOWANCE = 256 * 1024


@dataclass
class MediaCopy:
    """A course file to stream into the bundle, with the hash resolve recorded."""

    item: t.MediaItem | None  # None for a transcript
    source: str  # course-relative
    path: str  # in the bundle
    size: int
    sha256: str = ""  # expected; "" when resolve did not hash it (transcripts)


class BundleWriter:
    """Writes files into the (temporary) bundle folder and records them for the manifest."""

    def __init__(self, folder: Path, previous: PreviousBundle | None = None) -> None:
        self.folder = folder
        self.files: list[BundleFile] = []
        self.previous = previous

    def write(self, path: str, data: bytes) -> str:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return sha256(data)

    def add_bytes(self, path: str, data: bytes, role: str, **details: object) -> None:
        self.files.append(BundleFile(path, role, len(data), self.write(path, data), details))

    def add_written(self, path: str, role: str, size: int, sha256: str, **details: object) -> None:
        """A file already in the folder, of that size and SHA-256."""
        self.files.append(BundleFile(path, role, size, sha256, details))

    def add_copy(self, course_root: Path, copy: MediaCopy, role: str, **details: object) -> None:
        """A course file streamed in as it is (a transcript), hashed on the way."""
        try:
            real, _ = resolve_inside(course_root, copy.source)
        except PathEscape as exc:
            raise error(copy.source, f"media file is refused: {exc}", "path-escape") from None
        target = self.folder / copy.path
        target.parent.mkdir(parents=True, exist_ok=True)
        changed = error(
            copy.source,
            "file changed while the bundle was being built (its hash no longer matches); "
            "build again",
            "media-changed",
        )
        try:
            with target.open("wb") as handle:
                size, digest = copy_file_hashed(real, handle)
        except ChangedWhileCopying:
            raise changed from None
        if size != copy.size or (copy.sha256 and digest != copy.sha256):
            raise changed
        self.files.append(BundleFile(copy.path, role, size, digest, details))

    def add_media(
        self, course_root: Path, item: t.MediaItem, cache: BuildCache | None, **details: object
    ) -> None:
        """A media file without its metadata: an image streamed in (SVG sanitised, photos
        without EXIF/GPS, ``render/images.write_image``), audio and video without titles,
        GPS, dates, chapters or cover art (``render/av_metadata``). Hard-linked from the
        previous bundle when stripping the same file gave that copy and it is intact."""
        if item.kind == "image":
            kind, tool = "image-stripped", ""
            strip = functools.partial(_stripped_image, course_root, item)
        else:
            kind, tool = "av-stripped", ffmpeg_version()
            strip = functools.partial(stripped_copy, course_root, item)
        key = digest(kind, tool, code_fingerprint(), item.format, item.sha256)
        if not item.sha256:  # not hashed by resolve: nothing to know it by
            cache = None
        known = cache.load(kind, key, tuple[int, str]) if cache is not None else None
        target = self.folder / item.bundle_path
        if not (known and self.previous and self.previous.link(item.bundle_path, *known, target)):
            target.parent.mkdir(parents=True, exist_ok=True)
            known = strip(target)
            if cache is not None:
                cache.store(kind, key, known)
        self.files.append(BundleFile(item.bundle_path, "media", *known, details))


def _stripped_image(course_root: Path, item: t.MediaItem, target: Path) -> tuple[int, str]:
    with target.open("wb") as handle:
        write_image(course_root, item, handle)
    with target.open("rb") as handle:
        return hash_stream(handle)


def copy_editions(ctx: BuildContext, folder: Path) -> tuple[list[EditionLink], dict[str, str]]:
    """Copy the editions the build made for the bundle (``ctx.inputs``) into
    ``folder/data/editions``, in the order the viewer lists them; and the SHA-256 of
    each, by its path in the bundle (hashed on the way)."""
    out_dir = folder / EDITIONS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    links: list[EditionLink] = []
    hashes: dict[str, str] = {}
    for (fmt, edition), paths in ctx.inputs.items():
        for path in paths:
            rel = f"{EDITIONS_DIR}/{path.name}"
            with path.open("rb") as source, (out_dir / path.name).open("wb") as target:
                size, hashes[rel] = copy_hashed(source, target)
            links.append(EditionLink(rel, fmt, edition, size))
    links.sort(key=lambda link: (EDITION_FORMATS.index(link.format), link.edition, link.path))
    return links, hashes


def media_copies(course: t.Course) -> list[MediaCopy]:
    copies = []
    root = Path(course.root)
    for item in course.media:
        copies.append(MediaCopy(item, item.path, item.bundle_path, item.size, item.sha256))
        if item.transcript is not None:
            real, rel = resolve_inside(root, item.transcript.path)
            vtt = str(PurePosixPath(item.bundle_path).with_suffix(".vtt"))
            copies.append(MediaCopy(None, rel, vtt, real.stat().st_size))
    return copies


def media_details(item: t.MediaItem) -> dict[str, object]:
    details: dict[str, object] = {
        "kind": item.kind,
        "media_type": item.media_type,
        "source": item.path,
    }
    if item.code:
        details.update(code=item.code, title=item.title, duration=item.duration)
    if item.width and item.height:
        details.update(width=item.width, height=item.height)
    details["qr_target"] = item.target_url
    return details


def size_of(data: bytes | Path) -> int:
    return data.stat().st_size if isinstance(data, Path) else len(data)


def fill_bundle(
    course: t.Course, ctx: BuildContext, folder: Path, previous: PreviousBundle
) -> None:
    """Write the bundle ``ctx.out_dir/<course-id>-<version>/`` into the empty ``folder``
    (the build renames it into place), hard-linking intact media of ``previous``."""
    name = bundle_name(course.config)
    root = Path(course.root)
    editions, edition_hashes = copy_editions(ctx, folder)
    learner = apply_edition(course, "learner")  # learners read it
    pages = viewer_files(
        learner, editions, ctx.options.narrate, ctx.cache, ctx.fragments, folder=folder
    )
    readme = readme_bytes(course, editions, name)
    copies = media_copies(course)
    planned = (
        [PlannedFile(c.path, c.size, c.source) for c in copies]
        + [PlannedFile(e.path, e.size) for e in editions]
        + [PlannedFile(path, size_of(data)) for path, data in pages.items()]
        + [PlannedFile("README.txt", len(readme))]
    )
    check_files(name, planned)
    stick = ctx.options.stick_size
    if stick:
        in_toml = (course.config.stick_size, course.config.tables.get("usb", {}).get("stick_size"))
        where = "course.toml" if stick in in_toml else "--stick-size"
        check_fits(stick, where, [*planned, PlannedFile(MANIFEST, METADATA_ALLOWANCE)])
    writer = BundleWriter(folder, previous)
    for path, data in sorted(pages.items()):
        role = "verifier" if path in VERIFIER_FILES else "viewer"
        if isinstance(data, Path):  # written in place
            writer.add_written(path, role, *hash_file(data))
        else:
            writer.add_bytes(path, data, role)
    writer.add_bytes("README.txt", readme, "readme")
    for link in editions:
        writer.add_written(
            link.path,
            "edition",
            link.size,
            edition_hashes[link.path],
            format=link.format,
            edition=link.edition,
        )
    for copy in copies:
        if copy.item is None:
            writer.add_copy(root, copy, "transcript")
        else:
            writer.add_media(root, copy.item, ctx.cache, **media_details(copy.item))
    codes = {c.item.code: c.path for c in copies if c.item is not None and c.item.code}
    manifest = manifest_bytes(course, writer.files, codes)
    script = manifest_script(manifest)
    script_file = BundleFile(
        MANIFEST_SCRIPT, "verifier", len(script), writer.write(MANIFEST_SCRIPT, script)
    )
    tag_hashes = {f.path: f.sha256 for f in writer.files if not f.path.startswith(PAYLOAD + "/")}
    tag_hashes[MANIFEST] = writer.write(MANIFEST, manifest)
    write_bag(course, [*writer.files, script_file], tag_hashes, writer.write)
