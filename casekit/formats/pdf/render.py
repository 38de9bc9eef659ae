"""Rendering one edition of a course as a PDF packet (heavy: imports reportlab)."""

from __future__ import annotations

from casekit import tree as t
from casekit.formats import BuildContext, Output, output_name
from casekit.formats.pdf import speedups
from casekit.formats.pdf.codes import Codes
from casekit.formats.pdf.document import Packet, PageSetup
from casekit.formats.pdf.flowables import LayoutState
from casekit.formats.pdf.fonts import check_coverage, load_fonts, settings_characters
from casekit.formats.pdf.images import raster_images
from casekit.formats.pdf.join import flate_only, join
from casekit.formats.pdf.pieces import PieceStore, lay_out_packet
from casekit.formats.pdf.styles import make_styles
from casekit.formats.pdf.writer import PdfWriter
from casekit.messages import Messages, course_messages
from casekit.render.resample import Sizing


def render_pdf(course: t.Course, ctx: BuildContext) -> list[Output]:
    with speedups.installed(), flate_only():
        return _render_pdf(course, ctx)


def casekit_characters(course: t.Course, msg: Messages, writer: PdfWriter) -> set[str]:
    """What casekit prints besides the lessons' text: its words and symbols, and the
    course settings' titles (``codes.py``: their codes come before the lessons')."""
    chars = settings_characters(course).union(*writer.symbols())
    for text in msg.table.values():
        chars.update(text)
    return chars


def _render_pdf(course: t.Course, ctx: BuildContext) -> list[Output]:
    options = ctx.options
    fonts = load_fonts(course)
    text = check_coverage(course, fonts, ctx.fragments)
    setup = PageSetup.from_options(options)
    styles = make_styles(fonts, options.large_print, course.config.language)
    state = LayoutState()
    writer = PdfWriter(
        course, fonts, styles, state, setup.frame_width, setup.frame_height, setup.paper
    )
    writer.answer_sheets = options.answer_sheets
    writer.sizing = Sizing(ctx.cache, options.original_images, remember=False)
    msg = course_messages(course.config)
    codes = Codes(fonts.named(), casekit_characters(course, msg, writer), text)
    packet = Packet(course, setup, fonts, styles, msg, state, codes)
    store = PieceStore(ctx.fragments, course.edition or "", codes)
    laid = lay_out_packet(packet, writer, store, workers=ctx.jobs)
    joined = join(packet, laid, raster_images(course, writer.sizing), store)
    if options.booklet:  # pypdf is imported for booklets only
        from casekit.formats.pdf.booklet import impose

        return [Output(output_name(course, "pdf"), impose(joined.data()))]
    return [Output(output_name(course, "pdf"), write=joined.write)]
