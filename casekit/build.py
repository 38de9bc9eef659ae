"""The build pipeline: load and check a course, then run each requested format."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casekit import tree as t
from casekit.atomic import clean_stale_temporaries
from casekit.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.editions import apply_edition
from casekit.formats import BuildContext, formats
from casekit.lock import hold_build_lock


@dataclass
class OutputRecord:
    format: str
    edition: str
    paths: list[Path]
    seconds: float


@dataclass
class BuildResult:
    course_id: str
    diagnostics: Diagnostics
    outputs: list[OutputRecord] = field(default_factory=list)
    stopped: bool = False  # check found errors: nothing was built


Progress = Callable[[str], None]


def build_course(
    course_dir: Path,
    format_names: list[str],
    editions: tuple[t.Edition, ...],
    out_root: Path,
    options: dict[str, Any] | None = None,
    strict: bool = False,
    progress: Progress = lambda _message: None,
) -> BuildResult:
    """Check the course, then build every format/edition into ``out_root/<course-id>``.

    Raises ``CasekitError`` for a problem that stops a format (one diagnostic);
    check errors are returned in the result with ``stopped`` set."""
    diags = Diagnostics()
    progress(f"checking {course_dir}")
    course = load_course(course_dir, diags)
    course_id = course.config.id if course else course_dir.name
    result = BuildResult(course_id, diags)
    if course is None or diags.has_errors(strict):
        result.stopped = True
        return result
    registry = formats()
    build_root = out_root / course_id
    hold_build_lock(build_root)
    clean_stale_temporaries(build_root)
    for name in format_names:
        fmt = registry[name]
        ctx = BuildContext(
            out_dir=build_root / name,
            options=dict(options or {}),
            course_dir=Path(course.root),
            build_root=build_root,
        )
        targets: list[t.Edition | None] = list(editions) if fmt.per_edition else [None]
        for edition in targets:
            started = time.perf_counter()
            progress(f"building {name}" + (f" ({edition})" if edition else ""))
            tree = apply_edition(course, edition) if edition else course
            paths = fmt.build(tree, ctx)
            result.outputs.append(
                OutputRecord(name, edition or "-", paths, time.perf_counter() - started)
            )
    return result
