"""The ``html`` format: one self-contained page per edition (no external resources)."""

from __future__ import annotations

import base64
from pathlib import Path

from casekit import tree as t
from casekit.formats import BuildContext, Format, Output, output_name
from casekit.render.fragments import Fragments
from casekit.render.html import HtmlWriter
from casekit.render.images import image_bytes
from casekit.render.page import render_page


class SinglePageWriter(HtmlWriter):
    """Images become data URIs so the page carries everything it shows."""

    def __init__(self, course: t.Course, fragments: Fragments | None = None) -> None:
        super().__init__(course, fragments)
        self.root = Path(course.root)

    def image_src(self, item: t.MediaItem) -> str:
        data = base64.b64encode(image_bytes(self.root, item)).decode("ascii")
        return f"data:{item.media_type};base64,{data}"


def render_html(course: t.Course, ctx: BuildContext) -> list[Output]:
    html = render_page(course, SinglePageWriter(course, ctx.fragments), ctx.course_dir)
    return [Output(output_name(course, "html"), html.encode("utf-8"))]


FORMAT = Format("html", "one self-contained HTML page per edition", render_html)
