"""Rendering one edition of a course as a DOCX (heavy: imports python-docx)."""

from __future__ import annotations

from docx.document import Document

from casekit import tree as t
from casekit.formats import BuildContext, Output, output_name
from casekit.formats.docx.document import write_course
from casekit.formats.docx.package import docx_bytes
from casekit.formats.docx.page import (
    scale_for_large_print,
    set_language,
    set_right_tabs,
    set_up_page,
)
from casekit.formats.docx.pagination import bookmark_pages
from casekit.formats.docx.properties import set_core_properties
from casekit.formats.docx.reference import load_reference
from casekit.formats.docx.settings import prepare_settings
from casekit.formats.docx.writer import DocxWriter
from casekit.render.common import edition_label, source_date
from casekit.render.resample import Sizing


def render_docx(course: t.Course, ctx: BuildContext) -> bytes:
    """The DOCX bytes of one edition of ``course``."""
    doc = load_reference(course)
    options = ctx.options
    text_width = set_up_page(doc, options)
    set_right_tabs(doc, text_width)
    if options.large_print:
        scale_for_large_print(doc)
    tag = set_language(doc, course.config.language)
    writer = DocxWriter(course, doc, text_width)
    writer.answer_sheets = options.answer_sheets
    writer.sizing = Sizing(ctx.cache, options.original_images)
    write_course(writer)
    prepare_settings(doc, tag, has_toc=bool(course.modules))
    set_core_properties(doc, course, tag, edition_label(course, writer.msg))
    pages: dict[str, int] = {}
    if options.contents_pages and writer.contents_pages:
        laid_out = _package(doc, course)  # with placeholder numbers as wide as the real ones
        pages = bookmark_pages(
            laid_out, list(writer.contents_pages), output_name(course, "docx"), ctx.cache
        )
    for bookmark, text in writer.contents_pages.items():
        text.text = str(pages.get(bookmark, ""))
    return _package(doc, course)


def _package(doc: Document, course: t.Course) -> bytes:
    return docx_bytes(doc, source_date(course))


def render_outputs(course: t.Course, ctx: BuildContext) -> list[Output]:
    return [Output(output_name(course, "docx"), render_docx(course, ctx))]
