"""The ``pdf`` format: a print-ready paper packet per edition, laid out with
reportlab Platypus straight from the document tree.

Modules: ``fonts`` (embedded TrueType families and the glyph check), ``styles``,
``flowables`` (QR codes, ruled lines, lazily finished paragraphs), ``images``,
``writer`` (tree -> flowables), ``document`` (cover, contents, header/footer,
outline, layout passes) and ``booklet`` (A5 pages imposed two-up on A4).
"""

from __future__ import annotations

from pathlib import Path

from casekit import tree as t
from casekit.files.atomic import write_bytes
from casekit.formats import BuildContext, output_name
from casekit.formats.pdf import speedups
from casekit.formats.pdf.booklet import impose
from casekit.formats.pdf.document import Packet, PageSetup, render
from casekit.formats.pdf.flowables import LayoutState
from casekit.formats.pdf.fonts import check_coverage, load_fonts
from casekit.formats.pdf.styles import make_styles
from casekit.formats.pdf.writer import PdfWriter
from casekit.messages import course_messages


def build_pdf(course: t.Course, ctx: BuildContext) -> list[Path]:
    speedups.install()
    options = ctx.print_options(course)
    fonts = load_fonts(course)
    check_coverage(course, fonts)
    setup = PageSetup.from_options(options)
    styles = make_styles(fonts, options.large_print, course.config.language)
    state = LayoutState()
    writer = PdfWriter(
        course, fonts, styles, state, setup.frame_width, setup.frame_height, setup.paper
    )
    # personal packets (casekit.learners) print each learner's own sheets instead
    writer.answer_sheets = ctx.options.get("answer_sheets", True)
    packet = Packet(course, setup, fonts, styles, course_messages(course.config), state)
    story = writer.story()  # the build runs formats without full collections (gc_tuning)
    data = render(packet, story, writer.outline)
    if options.booklet:
        data = impose(data)
    target = ctx.out_dir / output_name(course, "pdf")
    write_bytes(target, data)
    return [target]
