"""Core properties from the course (never python-docx's defaults) and a fixed date."""

from __future__ import annotations

from docx.document import Document

from casekit import tree as t
from casekit.formats.docx.oxml import xml_text
from casekit.render.common import source_date


def set_core_properties(doc: Document, course: t.Course, language_tag: str, edition: str) -> None:
    config = course.config
    props = doc.core_properties
    date = source_date(course).replace(tzinfo=None)
    props.title = xml_text(config.title)
    props.subject = xml_text(config.subtitle or config.title)
    props.author = xml_text("; ".join(config.authors))
    props.last_modified_by = xml_text(config.organisation)
    props.language = language_tag
    props.created = props.modified = date
    props.revision = 1
    props.version = xml_text(config.version)
    props.identifier = config.id
    props.category = edition
    props.keywords = ""
    props.comments = ""
    props.content_status = ""
