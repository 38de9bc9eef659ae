"""The diff for people: a terminal summary and a self-contained HTML report (inline
style, no script, no remote resource) that a reviewer reads offline."""

from __future__ import annotations

from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from casekit import __version__
from casekit.messages import messages
from casekit.render.templates import builtin_templates
from casekit.trust.diff import CourseDiff

SIGNS = {"added": "+", "removed": "-", "changed": "~"}


def summary_lines(diff: CourseDiff) -> list[str]:
    lines = [
        f"lessons: {diff.count('added')} added, {diff.count('removed')} removed, "
        f"{diff.count('changed')} changed, {diff.unchanged_lessons} unchanged"
    ]
    for lesson in diff.lessons:
        words = f" (+{lesson.words_added} -{lesson.words_removed} words)"
        lines.append(
            f"  {SIGNS[lesson.change]} {lesson.anchor}: {lesson.new_title or lesson.old_title}{words}"
        )
    lines.append(f"media: {len(diff.media)} changed")
    for item in diff.media:
        details = ", ".join(f"{what} {before} -> {after}" for what, before, after in item.details)
        lines.append(f"  {SIGNS[item.change]} {item.path}" + (f": {details}" if details else ""))
    lines.append(f"settings: {len(diff.settings)} changed")
    for setting in diff.settings:
        lines.append(f"  ~ {setting.name}: {setting.old!r} -> {setting.new!r}")
    if diff.changed:
        lines.append("an approval never carries over: review and approve the new version")
    return lines


def html_report(diff: CourseDiff) -> bytes:
    language = diff.new.settings.get("language") or "en"
    if language not in ("kk", "ru", "en"):
        language = "en"
    env = SandboxedEnvironment(
        loader=FileSystemLoader(builtin_templates() / "diff"), autoescape=True
    )
    page = env.get_template("report.html.j2").render(
        diff=diff,
        old=diff.old,
        new=diff.new,
        language=language,
        msg=messages(language),
        version=__version__,
    )
    return page.encode("utf-8")
