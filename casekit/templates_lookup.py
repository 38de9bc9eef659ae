"""Finding templates: a course's own ``templates`` folder first, then casekit's."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from casekit import tree as t
from casekit.diagnostics import error
from casekit.paths import PathEscape, resolve_inside


def builtin_templates() -> Path:
    return Path(str(resources.files("casekit.templates")))


def template_path(course: t.Course, name: str) -> Path:
    """The file ``name`` (e.g. ``html/style.css``) a course overrides, or casekit's own."""
    folder = course.config.templates
    if folder:
        try:
            real, rel = resolve_inside(Path(course.root), f"{folder}/{name}")
        except PathEscape as exc:
            raise error(
                "course.toml", f"templates folder {folder!r} is refused: {exc}", "path-escape"
            ) from None
        if real.is_file():
            return real
    return builtin_templates() / name


def read_template(course: t.Course, name: str) -> str:
    return template_path(course, name).read_text("utf-8")
