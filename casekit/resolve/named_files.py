"""Files that ``course.toml`` names (templates folder, fonts): resolved inside the
course folder, checked to exist and to be of bounded size, with refusals reported at
the field's line in ``course.toml``."""

from __future__ import annotations

from pathlib import Path

from casekit import tree as t
from casekit.config.settings import COURSE_FILE, CourseConfig, config_field_line
from casekit.diagnostics import CasekitError, Diagnostics, error
from casekit.safety.paths import MAX_NAMED_FILE_BYTES, PathEscape, resolve_inside


def course_file(course: t.Course, ref: str, field: str, missing_code: str = "file-missing") -> Path:
    """The real path of a file that the ``course.toml`` field ``field`` (e.g.
    ``fonts.regular``) names. Formats use this for any file a course names; it
    raises ``CasekitError`` at the field's line when the path is refused or missing."""
    return _named_path(Path(course.root), ref, field, False, missing_code)


def check_named_paths(root: Path, config: CourseConfig, diags: Diagnostics) -> None:
    """At check time: the templates folder and font files ``course.toml`` names
    are inside the course folder and exist."""
    named = [("templates", config.templates, True)] + [
        (f"fonts.{name}", ref, False) for name, ref in vars(config.fonts).items()
    ]
    for field, ref, folder in named:
        if ref:
            try:
                _named_path(root, ref, field, folder, "file-missing" if folder else "font-missing")
            except CasekitError as exc:
                diags.items.append(exc.diagnostic)


def _named_path(root: Path, ref: str, field: str, folder: bool, missing_code: str) -> Path:
    def refused(message: str, code: str) -> CasekitError:  # course.toml is read only then
        return error(COURSE_FILE, f"{field}{message}", code, config_field_line(root, field))

    try:
        real, rel = resolve_inside(root, ref)
    except PathEscape as exc:
        raise refused(f" = {ref!r} is refused: {exc}", "path-escape") from None
    if not (real.is_dir() if folder else real.is_file()):
        kind = "folder" if folder else "file"
        raise refused(f": {kind} not found: {rel}", missing_code)
    size = 0 if folder else real.stat().st_size
    if size > MAX_NAMED_FILE_BYTES:
        limit = MAX_NAMED_FILE_BYTES // 2**20
        raise refused(f": {rel} is {size // 2**20} MiB; at most {limit} MiB", "file-too-large")
    return real
