"""The reference document: where every style of a casekit DOCX comes from.

casekit ships ``templates/docx/reference.docx``, made by ``make_reference``
below (python-docx's blank document with casekit's styles). A course may put
its own ``docx/reference.docx`` (letterhead, fonts, colours) in its templates
folder; whatever styles that document lacks are added, so a build never fails
on a missing style. Regenerate the bundled file with
``python scripts/make-docx-reference.py``.
"""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError

from casekit import tree as t
from casekit.diagnostics import error
from casekit.formats.docx.package import docx_bytes
from casekit.formats.docx.styles import add_missing_styles, replace_styles
from casekit.render.templates import template_path

REFERENCE = "docx/reference.docx"
REFERENCE_DATE = datetime(2026, 1, 1)
#: a reference document holds styles and perhaps a letterhead: far below these
MAX_REFERENCE_PARTS = 1000
MAX_REFERENCE_BYTES = 64 * 1024 * 1024  # unpacked: a zip bomb is refused before it is read
#: parts that carry code or other programs' objects (macros, ActiveX, OLE embeddings)
ACTIVE_PARTS = ("vbaproject", "activex", "oleobject", "embeddings/", "macrosheet")


def load_reference(course: t.Course) -> Document:
    """The course's (or casekit's) reference document, emptied, with every casekit style."""
    path = template_path(course, REFERENCE)
    shown = str(path.relative_to(course.root) if path.is_relative_to(course.root) else path)
    refused = _refusal(path)
    if refused:
        raise error(shown, refused, "docx-reference")
    try:
        doc = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise error(
            shown, "not a Word document (.docx) that can be opened", "docx-reference"
        ) from None
    clear_body(doc)
    add_missing_styles(doc)
    return doc


def _refusal(path: Path) -> str:
    """Why the package at ``path`` is not read (too many or too large parts once
    unpacked, macros or embedded objects, which the editions would carry onto the
    learners' sticks), or ``""``."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "not a Word document (.docx) that can be opened"
    if len(parts) > MAX_REFERENCE_PARTS:
        return f"has {len(parts)} parts; a reference document has a few dozen"
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_REFERENCE_BYTES:
        return f"unpacks to {unpacked // 2**20} MiB; at most {MAX_REFERENCE_BYTES // 2**20} MiB"
    for part in parts:
        if any(marker in part.filename.lower() for marker in ACTIVE_PARTS):
            return f"carries {part.filename} (macros or embedded objects are refused)"
    return ""


def clear_body(doc: Document) -> None:
    """Drop the reference document's text, keeping its final section (page set-up)."""
    body = doc.element.body
    section = body.sectPr
    for child in list(body):
        if child is not section:
            body.remove(child)
    rels = doc.part.rels
    for r_id, rel in list(rels.items()):  # the pictures and links of the removed text
        if rel.reltype in (RT.IMAGE, RT.HYPERLINK):
            del rels[r_id]


def make_reference() -> bytes:
    """casekit's own reference document, byte for byte the same on every run."""
    doc = docx.Document()
    clear_body(doc)
    replace_styles(doc)
    package_rels = doc.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[r_id]
    props = doc.core_properties
    props.title = "casekit reference document"
    props.author = props.last_modified_by = "casekit"
    props.comments = props.keywords = props.subject = ""
    props.created = props.modified = REFERENCE_DATE
    props.revision = 1
    return docx_bytes(doc, REFERENCE_DATE)
