"""The viewer of one course as served: its files in memory, its media by path."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from casekit import tree as t
from casekit.build.course import load_course
from casekit.bundle.viewer import viewer_files
from casekit.diagnostics import CasekitError, Diagnostic, Diagnostics
from casekit.files.cache import BuildCache, digest, file_digests
from casekit.render.fragments import Fragments, casekit_fingerprint, lessons_context
from casekit.render.images import image_bytes
from casekit.resolve.editions import apply_edition
from casekit.safety.paths import resolve_inside


@dataclass
class Site:
    """One good build: the viewer's files, and the media files they name."""

    number: int
    files: dict[str, bytes]  # path in the viewer (as in the USB bundle) -> bytes
    media: dict[str, Path] = field(default_factory=dict)  # path -> course file, streamed


@dataclass
class Outcome:
    site: Site | None  # None: the course has errors (or cannot be read)
    diagnostics: list[Diagnostic]
    seconds: float


def build_site(
    course_dir: Path,
    cache: BuildCache,
    edition: t.Edition,
    number: int,
) -> Outcome:
    """Load the course and render the viewer of ``edition``: unchanged lessons, media
    and rendered lesson pages come from ``cache`` (the pages as the build's fragment
    cache keeps them, ``render/fragments.py``); nothing is written but the cache."""
    started = time.perf_counter()
    diags = Diagnostics()
    try:
        course = load_course(course_dir, diags, cache)
        site = None
        if course is not None and not diags.has_errors():
            site = _render(course_dir, cache, course, edition, number)
    except CasekitError as exc:  # a problem found while rendering (an unreadable image ...)
        diags.items.append(exc.diagnostic)
        site = None
    return Outcome(site, diags.sorted(), time.perf_counter() - started)


def _render(
    course_dir: Path, cache: BuildCache, course: t.Course, edition: t.Edition, number: int
) -> Site:
    root = Path(course.root)
    shared = lessons_context(casekit_fingerprint(), file_digests(course_dir, cache), course)
    job = f"serve:{edition}"
    fragments = Fragments(cache, job, digest(shared, job), course.digests)
    site = Site(number, viewer_files(apply_edition(course, edition), [], fragments=fragments))
    for item in course.media:
        if item.kind == "image":  # as the bundle carries it: SVG sanitised
            site.files[item.bundle_path] = image_bytes(root, item)
        else:
            site.media[item.bundle_path] = resolve_inside(root, item.path)[0]
    return site
