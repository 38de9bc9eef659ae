"""The ``docx`` format: one editable Word document per edition.

Teachers restyle it (every element has a named style from the reference
document), and print it: page size, margins and large print come from the
course's print options.
"""

from __future__ import annotations

import io
from pathlib import Path

from casekit import tree as t
from casekit.files.atomic import write_bytes
from casekit.files.zips import normalize_zip
from casekit.formats import BuildContext, output_name
from casekit.formats.docx.document import write_course
from casekit.formats.docx.page import (
    scale_for_large_print,
    set_language,
    set_right_tabs,
    set_up_page,
)
from casekit.formats.docx.properties import set_core_properties
from casekit.formats.docx.reference import CONTENT_TYPES, load_reference
from casekit.formats.docx.settings import prepare_settings
from casekit.formats.docx.writer import DocxWriter
from casekit.render.common import edition_label, source_date


def render_docx(course: t.Course, ctx: BuildContext) -> bytes:
    """The DOCX bytes of one edition of ``course``."""
    doc = load_reference(course)
    options = ctx.print_options(course)
    text_width = set_up_page(doc, options)
    set_right_tabs(doc, text_width)
    if options.large_print:
        scale_for_large_print(doc)
    tag = set_language(doc, course.config.language)
    writer = DocxWriter(course, doc, text_width)
    # personal packets (casekit.learners) print each learner's own sheets instead
    writer.answer_sheets = ctx.options.get("answer_sheets", True)
    write_course(writer)
    prepare_settings(doc, tag, has_toc=bool(course.modules))
    set_core_properties(doc, course, tag, edition_label(course, writer.msg))
    out = io.BytesIO()
    doc.save(out)
    return normalize_zip(out.getvalue(), source_date(course), first=(CONTENT_TYPES,))


def build_docx(course: t.Course, ctx: BuildContext) -> list[Path]:
    target = ctx.out_dir / output_name(course, "docx")
    write_bytes(target, render_docx(course, ctx))
    return [target]
