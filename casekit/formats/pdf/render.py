"""Rendering one edition of a course as a PDF packet (heavy: imports reportlab)."""

from __future__ import annotations

from casekit import tree as t
from casekit.formats import BuildContext, Output, output_name
from casekit.formats.pdf import speedups
from casekit.formats.pdf.document import Packet, PageSetup, render
from casekit.formats.pdf.flowables import LayoutState
from casekit.formats.pdf.fonts import check_coverage, load_fonts
from casekit.formats.pdf.styles import make_styles
from casekit.formats.pdf.writer import PdfWriter
from casekit.messages import course_messages
from casekit.render.resample import Sizing


def render_pdf(course: t.Course, ctx: BuildContext) -> list[Output]:
    with speedups.installed():
        return _render_pdf(course, ctx)


def _render_pdf(course: t.Course, ctx: BuildContext) -> list[Output]:
    options = ctx.options
    fonts = load_fonts(course)
    check_coverage(course, fonts)
    setup = PageSetup.from_options(options)
    styles = make_styles(fonts, options.large_print, course.config.language)
    state = LayoutState()
    writer = PdfWriter(
        course, fonts, styles, state, setup.frame_width, setup.frame_height, setup.paper
    )
    writer.answer_sheets = options.answer_sheets
    writer.sizing = Sizing(ctx.cache, options.original_images, remember=False)
    packet = Packet(course, setup, fonts, styles, course_messages(course.config), state)
    story = writer.story()  # the build runs formats without full collections (gc_tuning)
    data = render(packet, story, writer.outline)
    if options.booklet:  # pypdf is imported for booklets only
        from casekit.formats.pdf.booklet import impose

        data = impose(data)
    return [Output(output_name(course, "pdf"), data)]
