"""The ``html`` format: one self-contained page per edition (no external resources)."""

from __future__ import annotations

from casekit import tree as t
from casekit.formats import BuildContext, Format, Output, output_name


def render_html(course: t.Course, ctx: BuildContext) -> list[Output]:
    from casekit.render.page import SinglePageWriter, render_page  # Jinja: only when built

    html = render_page(course, SinglePageWriter(course, ctx.fragments), ctx.course_dir)
    return [Output(output_name(course, "html"), html.encode("utf-8"))]


FORMAT = Format("html", "one self-contained HTML page per edition", render_html)
