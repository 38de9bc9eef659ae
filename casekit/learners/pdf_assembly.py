"""Assemble a personal packet without re-writing the course body.

A packet is the body PDF's bytes, unchanged, followed by one incremental update
(ISO 32000-1, 7.5.6) that adds the personal pages and a new page tree whose
kids are: personal front pages, the body's own page tree, answer sheets. So
the body is laid out once per edition and copied as bytes into every packet;
only the small personal objects are written per learner.

Objects shared by every packet of a batch (pages rendered once per edition and
plan) are numbered and serialised once (``Chunks``); what differs per learner
(the sheets' overlays, the page tree) is numbered after them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def ref(idnum: int) -> IndirectObject:
    return IndirectObject(idnum, 0, None)  # type: ignore[arg-type]


def serialise(idnum: int, obj: PdfObject) -> bytes:
    out = io.BytesIO()
    out.write(f"{idnum} 0 obj\n".encode())
    obj.write_to_stream(out)
    out.write(b"\nendobj\n")
    return out.getvalue()


class Numbering:
    """Hands out object numbers from ``start`` and remaps a reader's references."""

    def __init__(self, start: int) -> None:
        self.next = start

    def take(self) -> int:
        self.next += 1
        return self.next - 1

    def copy_all(
        self, reader: PdfReader, roots: Iterable[PdfObject]
    ) -> tuple[dict[int, int], list[tuple[int, PdfObject]]]:
        """Every object reachable from ``roots`` (a reader's), renumbered: the map of
        old to new numbers and the remapped objects. ``/Parent`` links are not
        followed (the caller sets them); the reader's objects are changed in place."""
        mapping: dict[int, int] = {}
        objects: list[tuple[int, PdfObject]] = []
        pending: list[IndirectObject] = []

        def visit(value: PdfObject) -> PdfObject:
            if isinstance(value, IndirectObject):
                if value.idnum not in mapping:
                    mapping[value.idnum] = self.take()
                    pending.append(value)
                return ref(mapping[value.idnum])
            if isinstance(value, DictionaryObject):  # streams too: their dictionary
                for key in list(value.keys()):
                    if key != "/Parent":
                        value[NameObject(key)] = visit(value.raw_get(key))
                return value
            if isinstance(value, ArrayObject):
                for index, item in enumerate(value):
                    value[index] = visit(item)
                return value
            return value

        for root in roots:
            visit(root)
        while pending:
            old = pending.pop(0)
            objects.append((mapping[old.idnum], visit(reader.get_object(old))))
        return mapping, objects


@dataclass
class Body:
    """The course body PDF, parsed once: its bytes and what an update needs."""

    data: bytes
    size: int  # the trailer's /Size: the first free object number
    pages_id: int
    pages: DictionaryObject
    page_count: int
    catalog: DictionaryObject
    trailer_extra: dict[str, PdfObject]  # /Info, /ID
    startxref: int

    @classmethod
    def parse(cls, data: bytes) -> Body:
        reader = PdfReader(io.BytesIO(data))
        match = _STARTXREF.search(data[-64:])
        if match is None:
            raise ValueError("the body PDF does not end with startxref")
        root_ref = reader.trailer.raw_get("/Root")
        catalog = reader.get_object(root_ref)
        pages_ref = catalog.raw_get("/Pages")
        pages = reader.get_object(pages_ref)
        extra = {
            key: reader.trailer.raw_get(key) for key in ("/Info", "/ID") if key in reader.trailer
        }
        return cls(
            data=data,
            size=int(reader.trailer["/Size"]),
            pages_id=pages_ref.idnum,
            pages=pages,
            page_count=int(pages["/Count"]),
            catalog=catalog,
            trailer_extra=extra,
            startxref=int(match[1]),
        )


#: objects already serialised: (object number, bytes of "N 0 obj ... endobj")
Chunks = list[tuple[int, bytes]]


def packet_bytes(
    body: Body,
    shared: Chunks,
    root_id: int,
    front: list[int],
    back: list[int],
    own: list[tuple[int, PdfObject]],
    page_counts: tuple[int, int],
) -> bytes:
    """The packet: body bytes + shared objects + this learner's objects + a new
    page tree (``root_id``: front pages, the body, back pages) and catalog.

    ``front``/``back``: object numbers of page dictionaries (pages, not trees);
    each must have ``/Parent root_id``. ``page_counts``: pages in front and back."""
    out = io.BytesIO()
    out.write(body.data)
    if not body.data.endswith(b"\n"):
        out.write(b"\n")
    offsets: dict[int, int] = {}
    for number, chunk in shared:
        offsets[number] = out.tell()
        out.write(chunk)
    for number, obj in own:
        offsets[number] = out.tell()
        out.write(serialise(number, obj))
    body_pages = DictionaryObject(body.pages)
    body_pages[NameObject("/Parent")] = ref(root_id)
    offsets[body.pages_id] = out.tell()
    out.write(serialise(body.pages_id, body_pages))
    root = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject(
                [ref(n) for n in front] + [ref(body.pages_id)] + [ref(n) for n in back]
            ),
            NameObject("/Count"): NumberObject(body.page_count + sum(page_counts)),
        }
    )
    offsets[root_id] = out.tell()
    out.write(serialise(root_id, root))
    catalog_id = max(offsets) + 1
    catalog = DictionaryObject(body.catalog)
    catalog[NameObject("/Pages")] = ref(root_id)
    offsets[catalog_id] = out.tell()
    out.write(serialise(catalog_id, catalog))
    xref = out.tell()
    out.write(b"xref\n")
    numbers = sorted(offsets)
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        out.write(f"{numbers[start]} {end - start + 1}\n".encode())
        for number in numbers[start : end + 1]:
            out.write(f"{offsets[number]:010d} 00000 n\r\n".encode())
        start = end + 1
    trailer = DictionaryObject(
        {
            NameObject("/Size"): NumberObject(max(catalog_id + 1, body.size)),
            NameObject("/Root"): ref(catalog_id),
            NameObject("/Prev"): NumberObject(body.startxref),
            **{NameObject(k): v for k, v in body.trailer_extra.items()},
        }
    )
    out.write(b"trailer\n")
    trailer.write_to_stream(out)
    out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def content_stream(data: bytes) -> StreamObject:
    stream = StreamObject()
    stream.set_data(data)
    return stream
