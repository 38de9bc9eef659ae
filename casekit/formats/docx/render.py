"""Rendering one edition of a course as a DOCX (heavy: imports python-docx)."""

from __future__ import annotations

import io
from typing import BinaryIO

from casekit import tree as t
from casekit.formats import BuildContext, Output, output_name
from casekit.formats.docx.document import FrontPiece, header_and_footer, write_course
from casekit.formats.docx.package import write_docx
from casekit.formats.docx.page import (
    scale_for_large_print,
    set_language,
    set_right_tabs,
    set_up_page,
)
from casekit.formats.docx.pagination import bookmark_pages
from casekit.formats.docx.pieces import Assembly, ImageStore
from casekit.formats.docx.properties import set_core_properties
from casekit.formats.docx.reference import load_reference
from casekit.formats.docx.settings import prepare_settings
from casekit.formats.docx.writer import DocxWriter
from casekit.render.common import edition_label, source_date
from casekit.render.resample import Sizing


def write_edition(course: t.Course, ctx: BuildContext, out: BinaryIO) -> None:
    """Write the DOCX of one edition of ``course`` into ``out``."""
    doc = load_reference(course)
    options = ctx.options
    text_width = set_up_page(doc, options)
    set_right_tabs(doc, text_width)
    if options.large_print:
        scale_for_large_print(doc)
    tag = set_language(doc, course.config.language)
    writer = DocxWriter(course, doc, text_width, ImageStore(ctx.cache))
    writer.answer_sheets = options.answer_sheets
    writer.sizing = Sizing(ctx.cache, options.original_images)
    header_and_footer(writer)
    footnotes = writer.footnotes
    assembly = Assembly(doc, footnotes.part, footnotes.first_id, writer.images)
    try:
        front = FrontPiece(writer, assembly)
        layout = options.contents_pages and bool(front.bookmarks)
        front.write(None if layout else {})
        write_course(writer, assembly, ctx.fragments, front)
        prepare_settings(doc, tag, has_toc=bool(course.modules))
        set_core_properties(doc, course, tag, edition_label(course, writer.msg))
        assembly.mark()
        when = source_date(course)
        if layout:
            laid_out = io.BytesIO()  # with placeholder numbers as wide as the real ones
            write_docx(laid_out, doc, when, assembly.streams(front.xml))
            name = output_name(course, "docx")
            front.write(bookmark_pages(laid_out.getvalue(), front.bookmarks, name, ctx.cache))
        write_docx(out, doc, when, assembly.streams(front.xml))
    finally:
        assembly.close()


def render_docx(course: t.Course, ctx: BuildContext) -> bytes:
    """The DOCX bytes of one edition of ``course``."""
    out = io.BytesIO()
    write_edition(course, ctx, out)
    return out.getvalue()


def render_outputs(course: t.Course, ctx: BuildContext) -> list[Output]:
    def write(out: BinaryIO) -> None:
        write_edition(course, ctx, out)

    return [Output(output_name(course, "docx"), write=write)]
