"""A python-docx document as deterministic DOCX bytes, compressed once.

``Document.save`` deflates every part into a zip that ``files/zips`` must then inflate
and deflate again to fix the entries' order and times (a large course's document.xml
is tens of megabytes). ``docx_bytes`` takes the parts as python-docx's package writer
lists them and writes the deterministic zip directly. It calls three private helpers of
``docx.opc.pkgwriter.PackageWriter`` (what ``OpcPackage.save`` runs, with a writer that
collects instead of zipping); ``tests/test_docx_package.py`` fails if they change, by
comparing the result with what ``Document.save`` writes.
"""

from __future__ import annotations

from datetime import datetime

from docx.document import Document
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter

from casekit.files.zips import deterministic_zip

CONTENT_TYPES = "[Content_Types].xml"  # the part Word expects first in the package


class _Entries:
    """Stands in for python-docx's zip writer: keeps each member's bytes."""

    def __init__(self) -> None:
        self.members: dict[str, bytes] = {}

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self.members[pack_uri.membername] = blob


def package_members(doc: Document) -> dict[str, bytes]:
    """Every member of the DOCX package ``doc`` would save, by name."""
    package = doc.part.package
    for part in package.parts:  # as OpcPackage.save does before writing
        part.before_marshal()
    entries = _Entries()
    PackageWriter._write_content_types_stream(entries, package.parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, package.parts)
    return entries.members


def docx_bytes(doc: Document, when: datetime) -> bytes:
    """The DOCX, its entries stamped ``when``, the content types first."""
    return deterministic_zip(package_members(doc), when, first=(CONTENT_TYPES,))
