"""The viewer of one course as served: its files in memory, its media by path."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from casekit import tree as t
from casekit.build.course import load_course
from casekit.bundle.viewer import LessonPages, viewer_files
from casekit.diagnostics import CasekitError, Diagnostic, Diagnostics
from casekit.files.cache import BuildCache
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
    pages: LessonPages | None = None,
) -> Outcome:
    """Load the course (unchanged lessons and media come from ``cache``) and render
    the viewer of ``edition`` (unchanged lesson pages come from ``pages``); nothing is
    written but the cache."""
    started = time.perf_counter()
    diags = Diagnostics()
    try:
        course = load_course(course_dir, diags, cache)
        site = None
        if course is not None and not diags.has_errors():
            site = _render(course, edition, number, pages)
    except CasekitError as exc:  # a problem found while rendering (an unreadable image ...)
        diags.items.append(exc.diagnostic)
        site = None
    return Outcome(site, diags.sorted(), time.perf_counter() - started)


def _render(course: t.Course, edition: t.Edition, number: int, pages: LessonPages | None) -> Site:
    root = Path(course.root)
    site = Site(number, viewer_files(apply_edition(course, edition), [], rendered=pages))
    for item in course.media:
        if item.kind == "image":  # as the bundle carries it: SVG sanitised
            site.files[item.bundle_path] = image_bytes(root, item)
        else:
            site.media[item.bundle_path] = resolve_inside(root, item.path)[0]
    return site
