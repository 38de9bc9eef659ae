"""A python-docx document as deterministic DOCX bytes, compressed once.

``Document.save`` deflates every part into a zip that ``files/zips`` must then inflate
and deflate again to fix the entries' order and times (a large course's document.xml
is tens of megabytes). ``write_docx`` takes the parts as python-docx's package writer
lists them and writes the deterministic zip directly, streaming the members given as
writers (the body and pictures of ``pieces.py``) instead of python-docx's blobs. It
calls three private helpers of ``docx.opc.pkgwriter.PackageWriter`` (what
``OpcPackage.save`` runs, with a writer that collects instead of zipping);
``tests/test_docx_package.py`` fails if they change, by comparing the result with what
``Document.save`` writes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import IO

from docx.document import Document
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter

from casekit.files.zips import Writer, write_zip

CONTENT_TYPES = "[Content_Types].xml"  # the part Word expects first in the package
#: zlib's level 3 deflates a long course's document.xml (tens of MB) in a third of the
#: time of its default (6), for a file about a sixth larger
LEVEL = 3


class _Entries:
    """Stands in for python-docx's zip writer: keeps each member's bytes, or the writer
    that streams it."""

    def __init__(self, streams: Mapping[str, Writer]) -> None:
        self.streams = streams
        self.members: dict[str, bytes | Writer] = {}

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        name = pack_uri.membername
        self.members[name] = self.streams.get(name, blob)


def package_members(doc: Document, streams: Mapping[str, Writer] = {}) -> dict[str, bytes | Writer]:
    """Every member of the DOCX package ``doc`` would save, by name (``streams``
    instead of the parts they name: python-docx's blob of such a part, serialised
    here anyway, is the small skeleton the stream splices into)."""
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:  # as OpcPackage.save does before writing
        part.before_marshal()
    entries = _Entries(streams)
    PackageWriter._write_content_types_stream(entries, parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, parts)
    return entries.members


def write_docx(
    out: IO[bytes], doc: Document, when: datetime, streams: Mapping[str, Writer] = {}
) -> None:
    """The DOCX into ``out``, its entries stamped ``when``, the content types first."""
    write_zip(out, package_members(doc, streams), when, first=(CONTENT_TYPES,), level=LEVEL)


def docx_bytes(doc: Document, when: datetime) -> bytes:
    out = io.BytesIO()
    write_docx(out, doc, when)
    return out.getvalue()
