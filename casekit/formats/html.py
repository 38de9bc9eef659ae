"""The ``html`` format: one self-contained page per edition (no external resources)."""

from __future__ import annotations

from typing import BinaryIO

from casekit import tree as t
from casekit.formats import BuildContext, Format, Output, output_name


def render_html(course: t.Course, ctx: BuildContext) -> list[Output]:
    """The page is written lesson by lesson: never whole in memory."""
    from casekit.render.page import SinglePageWriter, page_parts  # Jinja: only when built

    writer = SinglePageWriter(course, ctx.fragments)

    def write(handle: BinaryIO) -> None:
        for part in page_parts(course, writer):
            handle.write(part.encode("utf-8"))

    return [Output(output_name(course, "html"), write=write)]


FORMAT = Format("html", "one self-contained HTML page per edition", render_html)
