"""Load a course folder: settings, every lesson parsed, then resolved."""

from __future__ import annotations

from pathlib import Path

from casekit import tree as t
from casekit.config import COURSE_FILE, load_config
from casekit.diagnostics import Diagnostics
from casekit.parse.lesson import lesson_id_for, parse_lesson
from casekit.paths import PathEscape, check_named_paths, resolve_inside
from casekit.resolve import resolve
from casekit.sourcetext import read_source_text


def load_course(root: Path, diags: Diagnostics) -> t.Course | None:
    """The resolved course tree of the folder ``root``, or ``None`` when the
    settings cannot be read. Problems are added to ``diags``; nothing is printed."""
    root = root.resolve()
    config = load_config(root, diags)
    if config is None:
        return None
    check_named_paths(root, config, diags)
    course = t.Course(config=config, root=str(root), modules=[])
    seen_ids: dict[str, str] = {}
    for index, module_config in enumerate(config.modules, start=1):
        module = t.Module(index, module_config.title, [])
        for ref in module_config.lessons:
            where = t.Pos(COURSE_FILE, module_config.line, 1)
            try:
                real, rel = resolve_inside(root, ref)
            except PathEscape as exc:
                diags.error(where, "path-escape", f"lesson path {ref!r} is refused: {exc}")
                continue
            if not real.is_file():
                diags.error(where, "lesson-missing", f"lesson file not found: {rel or ref!r}")
                continue
            lesson_id = lesson_id_for(rel)
            if lesson_id in seen_ids:
                diags.error(
                    where,
                    "duplicate-id",
                    f"lessons {seen_ids[lesson_id]} and {rel} have the same id "
                    f"'{lesson_id}': rename one file",
                )
                continue
            seen_ids[lesson_id] = rel
            text = read_source_text(real, rel, diags)
            if text is None:
                continue
            module.lessons.append(parse_lesson(rel, text, diags, allow_html=config.allow_html))
        course.modules.append(module)
    resolve(course, diags)
    return course
