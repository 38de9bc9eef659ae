"""What a re-review compares: the learner's text, media and settings of one version
of a course, read from a course folder, a bundle folder or a bundle zip.

Both sides come from the same functions: the viewer's search entries (the
learner edition's plain text per section) and the manifest's course metadata,
so a course folder and the bundle built from it read alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casekit.build.course import load_course
from casekit.bundle.bag import sha256
from casekit.bundle.manifest import ManifestError, course_metadata, parse_manifest
from casekit.bundle.verify import Source
from casekit.bundle.viewer import COURSE_SCRIPT, search_entries
from casekit.diagnostics import Diagnostics, error
from casekit.render.av_metadata import stripped_digest
from casekit.render.images import image_bytes
from casekit.resolve.editions import apply_edition
from casekit.trust.approve import approvals_in, intact_bundle

#: the viewer's search index of a large course is a few MiB; more is not one
MAX_COURSE_SCRIPT = 256 * 1024 * 1024
SECTION_SEPARATOR = "--"  # section anchors are <lesson anchor>--<heading>


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    text: str


@dataclass
class Lesson:
    anchor: str
    title: str  # "1.2 Files and folders"
    sections: list[Section] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sections)


@dataclass(frozen=True)
class Media:
    path: str  # in the bundle, data/media/...
    kind: str
    size: int
    sha256: str
    duration: float | None
    code: str = ""
    title: str = ""


@dataclass
class Snapshot:
    label: str
    kind: str  # course, bundle
    settings: dict[str, str]
    lessons: dict[str, Lesson]
    media: dict[str, Media]
    content_fingerprint: str = ""  # bundles: short SHA-256 of the tag manifest
    approvals: list[str] = field(default_factory=list)  # "reviewer (role), date"


def lessons_from_entries(entries: Iterable[dict[str, str]]) -> dict[str, Lesson]:
    """Group the viewer's search entries (one per section, in reading order) by lesson."""
    lessons: dict[str, Lesson] = {}
    current: Lesson | None = None
    for entry in entries:
        anchor = str(entry["anchor"])
        lesson_anchor = anchor.split(SECTION_SEPARATOR, 1)[0]
        if current is None or current.anchor != lesson_anchor:
            current = lessons.setdefault(lesson_anchor, Lesson(lesson_anchor, str(entry["lesson"])))
        current.sections.append(Section(anchor, str(entry["title"]), str(entry["text"])))
    return lessons


def flat_settings(metadata: dict[str, object]) -> dict[str, str]:
    """Course metadata as ``field -> text`` (lists joined, nested tables dotted)."""
    flat: dict[str, str] = {}
    for key, value in metadata.items():
        if isinstance(value, dict):
            for inner, text in flat_settings(value).items():
                flat[f"{key}.{inner}"] = text
        elif isinstance(value, list):
            flat[key] = "; ".join(
                json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else str(v) for v in value
            )
        else:
            flat[key] = "" if value is None else str(value)
    return flat


def from_course(folder: Path) -> Snapshot:
    diags = Diagnostics()
    course = load_course(folder, diags)
    if course is None or diags.has_errors():
        first = next((d for d in diags.sorted() if d.severity == "error"), None)
        where = f": {first}" if first else ""
        raise error(
            str(folder), f"the course has errors, run casekit check{where}", "course-errors"
        )
    learner = apply_edition(course, "learner")
    media = {}
    for item in course.media:
        # what learners get: SVG sanitised, photos, audio and video without metadata
        if item.kind == "image":
            data = image_bytes(Path(course.root), item)
            size, digest = len(data), sha256(data)
        else:
            size, digest = stripped_digest(Path(course.root), item)
        media[item.bundle_path] = Media(
            item.bundle_path, item.kind, size, digest, item.duration, item.code, item.title
        )
    return Snapshot(
        str(folder),
        "course",
        flat_settings(course_metadata(course)),
        lessons_from_entries(search_entries(learner)),
        media,
    )


def course_entries(source: Source) -> list[dict[str, str]]:
    """The search entries of ``data/viewer/course.js`` (``window.CASEKIT_COURSE = {...};``)."""
    where = f"{source.label}/{COURSE_SCRIPT}"
    if COURSE_SCRIPT not in source.files:
        raise error(where, "missing: the bundle has no viewer data to compare", "bundle-damaged")
    text = source.read_at_most(COURSE_SCRIPT, MAX_COURSE_SCRIPT).decode("utf-8", "replace")
    try:
        data = json.loads(text[text.index("{") : text.rindex("}") + 1])
        entries = data["search"]
        if not all(
            isinstance(e, dict) and {"anchor", "lesson", "title", "text"} <= set(e) for e in entries
        ):
            raise ValueError("a search entry lacks a field")
    except (ValueError, KeyError, TypeError) as exc:
        raise error(where, f"the viewer data cannot be read ({exc})", "bundle-damaged") from None
    return entries


def from_bundle(path: Path) -> Snapshot:
    source, facts = intact_bundle(path)
    try:
        manifest, files = parse_manifest(source.read("manifest.json"))
    except ManifestError as exc:
        raise error(source.label, str(exc), "manifest-damaged") from None
    media = {
        f.path: Media(
            f.path,
            str(f.details.get("kind", "")),
            f.size,
            f.sha256,
            f.details.get("duration"),
            str(f.details.get("code", "")),
            str(f.details.get("title", "")),
        )
        for f in files.values()
        if f.role == "media"
    }
    approvals = [
        f"{found.statement.reviewer} ({found.statement.role}), {found.statement.date}"
        for found in approvals_in(source).values()
        if not isinstance(found, Exception)
    ]
    return Snapshot(
        source.label,
        "bundle",
        flat_settings(dict(manifest.get("course", {}))),
        lessons_from_entries(course_entries(source)),
        media,
        facts.content,
        approvals,
    )


def snapshot(path: Path) -> Snapshot:
    """A course folder (it has course.toml) or a bundle (folder or zip)."""
    if path.is_dir() and (path / "course.toml").is_file():
        return from_course(path)
    return from_bundle(path)
