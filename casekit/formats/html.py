"""The ``html`` format: one self-contained page per edition (no external resources)."""

from __future__ import annotations

from typing import BinaryIO

from casekit import tree as t
from casekit.formats import BuildContext, Format, Output, output_name


def render_html(course: t.Course, ctx: BuildContext) -> list[Output]:
    """The page is written lesson by lesson, and each image from its file: never whole
    in memory."""
    from casekit.render.page import StreamedPageWriter, write_page  # Jinja: only when built

    writer = StreamedPageWriter(course, ctx.fragments)

    def write(handle: BinaryIO) -> None:
        write_page(course, writer, handle)

    return [Output(output_name(course, "html"), write=write)]


FORMAT = Format("html", "one self-contained HTML page per edition", render_html)
