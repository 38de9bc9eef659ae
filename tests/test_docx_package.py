"""formats/docx/package.py calls private helpers of python-docx's package writer: the
DOCX it writes must hold exactly what ``Document.save`` writes, member for member."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import docx

from casekit.formats.docx.package import docx_bytes, package_members, write_docx


def test_the_package_holds_what_python_docx_saves() -> None:
    doc = docx.Document()
    doc.add_heading("Сабақ", level=1)
    doc.add_paragraph("Қазақ тілі — мәтін.")
    doc.add_picture(io.BytesIO(_png()))
    saved = io.BytesIO()
    doc.save(saved)
    with zipfile.ZipFile(saved) as archive:
        expected = {name: archive.read(name) for name in archive.namelist()}
    assert package_members(doc) == expected
    when = datetime(2026, 1, 1)
    written = docx_bytes(doc, when)
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert archive.namelist()[1:] == sorted(archive.namelist()[1:])
        assert {name: archive.read(name) for name in archive.namelist()} == expected
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    # a member streamed into its entry (pieces.py: the body, pictures) is the same bytes
    body = expected["word/document.xml"]
    streamed = io.BytesIO()
    write_docx(streamed, doc, when, {"word/document.xml": lambda out: out.write(body)})
    assert streamed.getvalue() == written


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "#0b5394").save(out, "PNG")
    return out.getvalue()
