"""Assembling a bundle folder: plan and check every file, then write it in one pass."""

from __future__ import annotations

import shutil
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
from casekit.files.atomic import atomic_dir
from casekit.files.stream import ChangedWhileCopying, copy_file_hashed, hash_stream
from casekit.formats import BuildContext, Format, formats
from casekit.render.images import image_bytes
from casekit.resolve.editions import apply_edition
from casekit.safety.paths import PathEscape, resolve_inside

EDITION_FORMATS = ("pdf", "epub", "docx")
FALLBACK_EDITION_FORMAT = "html"
EDITIONS_DIR = f"{PAYLOAD}/editions"
#: room left in the stick-size check for manifest.json and the BagIt files
METADATA_ALLOWANCE = 256 * 1024


def bundle_name(course: t.Course) -> str:
    return f"{course.config.id}-{course.config.version}"


def edition_formats(registry: dict[str, Format]) -> list[Format]:
    """The registered PDF/EPUB/DOCX formats, or the HTML page when none is registered."""
    found = [registry[name] for name in EDITION_FORMATS if name in registry]
    if not found and FALLBACK_EDITION_FORMAT in registry:
        found = [registry[FALLBACK_EDITION_FORMAT]]
    return found


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
        self.linked: list[str] = []  # media taken unchanged from the previous bundle

    def write(self, path: str, data: bytes) -> str:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return sha256(data)

    def add_bytes(self, path: str, data: bytes, role: str, **details: object) -> None:
        self.files.append(BundleFile(path, role, len(data), self.write(path, data), details))

    def add_written(self, path: str, role: str, **details: object) -> None:
        with (self.folder / path).open("rb") as handle:
            size, digest = hash_stream(handle)
        self.files.append(BundleFile(path, role, size, digest, details))

    def add_copy(self, course_root: Path, copy: MediaCopy, role: str, **details: object) -> None:
        try:
            real, _ = resolve_inside(course_root, copy.source)
        except PathEscape as exc:
            raise error(copy.source, f"media file is refused: {exc}", "path-escape") from None
        target = self.folder / copy.path
        if self.previous is not None and self.previous.link(
            copy.path, copy.size, copy.sha256, target
        ):
            self.linked.append(copy.path)
            self.files.append(BundleFile(copy.path, role, copy.size, copy.sha256, details))
            return
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


def build_editions(course: t.Course, ctx: BuildContext, folder: Path) -> list[EditionLink]:
    """Build the editions into ``folder/data/editions`` through the format registry.

    Every file a format writes there is recorded, whether or not it returns it,
    so the manifests always match the folder."""
    wanted: list[t.Edition] = (
        ["learner", "teacher"] if ctx.options.get("bundle_teacher") else ["learner"]
    )
    out_dir = folder / EDITIONS_DIR
    links: list[EditionLink] = []
    for fmt in edition_formats(formats()):
        edition_ctx = BuildContext(
            out_dir, dict(ctx.options), ctx.course_dir, ctx.build_root, cache=ctx.cache
        )
        for edition in wanted:
            before = set(out_dir.rglob("*"))
            ready = ctx.built.get((fmt.name, edition))
            if ready:  # this build made it already: copy, don't render it twice
                out_dir.mkdir(parents=True, exist_ok=True)
                for path in ready:
                    shutil.copyfile(path, out_dir / path.name)
            else:
                fmt.build(apply_edition(course, edition), edition_ctx)
            for path in sorted(set(out_dir.rglob("*")) - before):
                if path.is_file():
                    rel = path.relative_to(folder).as_posix()
                    links.append(EditionLink(rel, fmt.name, edition, path.stat().st_size))
    order = [*EDITION_FORMATS, FALLBACK_EDITION_FORMAT]
    return sorted(links, key=lambda link: (order.index(link.format), link.edition, link.path))


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


def assemble_bundle(course: t.Course, ctx: BuildContext) -> Path:
    """Write ``ctx.out_dir/<course-id>-<version>/`` atomically and return it."""
    name = bundle_name(course)
    check_files("", [PlannedFile(name, 0, "course.toml")])
    target = ctx.out_dir / name
    root = Path(course.root)
    previous = PreviousBundle(ctx.build_root, target)
    with atomic_dir(target) as folder:
        editions = build_editions(course, ctx, folder)
        learner = apply_edition(course, "learner")  # learners read it
        pages = viewer_files(learner, editions, ctx.narrate(course), ctx.cache)
        readme = readme_bytes(course, editions, name)
        copies = media_copies(course)
        planned = (
            [PlannedFile(c.path, c.size, c.source) for c in copies]
            + [PlannedFile(e.path, e.size) for e in editions]
            + [PlannedFile(path, len(data)) for path, data in pages.items()]
            + [PlannedFile("README.txt", len(readme))]
        )
        check_files(name, planned)
        stick = ctx.options.get("stick_size") or course.config.stick_size
        if stick:
            where = "course.toml" if not ctx.options.get("stick_size") else "--stick-size"
            check_fits(stick, where, [*planned, PlannedFile(MANIFEST, METADATA_ALLOWANCE)])
        writer = BundleWriter(folder, previous)
        for path, data in sorted(pages.items()):
            writer.add_bytes(path, data, "verifier" if path in VERIFIER_FILES else "viewer")
        writer.add_bytes("README.txt", readme, "readme")
        for link in editions:
            writer.add_written(link.path, "edition", format=link.format, edition=link.edition)
        for copy in copies:
            if copy.item is None:
                writer.add_copy(root, copy, "transcript")
            elif copy.item.kind == "image":  # SVG sanitised, photos without EXIF/GPS
                data = image_bytes(root, copy.item)
                writer.add_bytes(copy.path, data, "media", **media_details(copy.item))
            else:
                writer.add_copy(root, copy, "media", **media_details(copy.item))
        media = {c.path for c in copies if c.item is not None and c.item.kind != "image"}
        codes = {c.item.code: c.path for c in copies if c.item is not None and c.item.code}
        manifest = manifest_bytes(course, writer.files, codes)
        script = manifest_script(manifest)
        script_file = BundleFile(
            MANIFEST_SCRIPT, "verifier", len(script), writer.write(MANIFEST_SCRIPT, script)
        )
        tag_hashes = {
            f.path: f.sha256 for f in writer.files if not f.path.startswith(PAYLOAD + "/")
        }
        tag_hashes[MANIFEST] = writer.write(MANIFEST, manifest)
        write_bag(course, [*writer.files, script_file], tag_hashes, writer.write)
    previous.save({f.path: f.sha256 for f in writer.files if f.role == "media" and f.path in media})
    return target
