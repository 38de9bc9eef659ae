"""``manifest.json``: what the bundle holds, for people, ``casekit verify`` and verify.html."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from casekit import __version__
from casekit import tree as t
from casekit.render.common import source_date

FORMAT_VERSION = 1


@dataclass
class BundleFile:
    """One file of the bundle as the manifest records it."""

    path: str  # POSIX, relative to the bundle folder
    role: str  # viewer, verifier, readme, media, transcript, edition
    size: int
    sha256: str
    details: dict[str, Any] = field(default_factory=dict)  # media: kind, code, duration, ...

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "role": self.role, "size": self.size,
                "sha256": self.sha256, **self.details}  # fmt: skip


def course_metadata(course: t.Course) -> dict[str, Any]:
    config = course.config
    return {
        "id": config.id,
        "title": config.title,
        "subtitle": config.subtitle,
        "language": config.language,
        "version": config.version,
        "date": config.date.isoformat(),
        "organisation": config.organisation,
        "authors": config.authors,
        "licence": config.licence,
        "credits": config.credits,
    }


def manifest_bytes(course: t.Course, files: list[BundleFile], codes: dict[str, str]) -> bytes:
    """The manifest as UTF-8 JSON; the same inputs always give the same bytes."""
    data = {
        "casekit_bundle": FORMAT_VERSION,
        "generator": f"casekit {__version__}",
        "created": source_date(course).isoformat(),
        "course": course_metadata(course),
        "files": [f.as_json() for f in sorted(files, key=lambda f: f.path)],
        "codes": dict(sorted(codes.items())),
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class ManifestError(ValueError):
    """manifest.json is missing pieces or is not JSON (the message says what)."""


def parse_manifest(data: bytes) -> tuple[dict[str, Any], dict[str, BundleFile]]:
    """The manifest's data and its files by path; raises ``ManifestError``."""
    try:
        manifest = json.loads(data.decode("utf-8"))
        files = {}
        for entry in manifest["files"]:
            details = {
                k: v for k, v in entry.items() if k not in ("path", "role", "size", "sha256")
            }
            if not isinstance(entry["path"], str) or not isinstance(entry["sha256"], str):
                raise TypeError("a path or sha256 is not a string")
            if entry["path"] in files:  # tools would disagree on which entry counts
                raise ValueError(f"{entry['path']} is listed twice")
            files[entry["path"]] = BundleFile(
                entry["path"], entry["role"], int(entry["size"]), entry["sha256"], details
            )
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise ManifestError(f"manifest.json is damaged ({type(exc).__name__}: {exc})") from None
    return manifest, files
