"""The document body in pieces, each rendered apart with ids of its own.

The lessons of a DOCX share one set of ids: list numbering instances (``w:numId``),
footnotes, bookmarks, drawings (``wp:docPr``), and the relationships of pictures and
links. A piece (the cover and contents, a module heading, a lesson, the appendices) is
rendered into XML text with local ids (1, 2 ...; relationships ``L1``, ``L2`` ...), and
what it numbers is listed beside it. ``Assembly`` puts the pieces in document order and
adds to each local id what the pieces before it used. A lesson's XML therefore does not
depend on the lessons before it: it is kept in the fragment cache (``render/fragments.py``),
and editing one lesson renders that lesson again, even when the edit adds a footnote or a
list and so moves every id after it. The assembled body goes to a temporary file, never
held whole, and is streamed into the package (``package.py``).

Ids are found in the XML by their element's start (``<w:numId w:val="``): a ``<`` is
always escaped in text and attribute values, so no text can look like one.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import struct
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from docx.document import Document
from docx.image.image import Image as DocxImage
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from docx.oxml.xmlchemy import BaseOxmlElement
from lxml import etree

from casekit.files import typed_json
from casekit.files.cache import BuildCache
from casekit.formats.docx.numbering import ListNumbering

#: the build cache's kind for the pictures a cached lesson names by SHA-256
IMAGE_KIND = "docx-image"
BODY_MARK = "casekit-body"  # where the pieces go in document.xml
NOTES_MARK = "casekit-notes"  # where their notes go in footnotes.xml

#: the start of each element and attribute that holds a local id, by kind (``Bases``)
KINDS = (
    b"<w:numId w:val",
    b"<w:footnoteReference w:id",
    b"<w:footnote w:id",
    b"<w:bookmarkStart w:id",
    b"<w:bookmarkEnd w:id",
    b"<wp:docPr id",
    b"<a:blip r:embed",
    b"<w:hyperlink r:id",
)
DRAWING = KINDS.index(b"<wp:docPr id")  # its name repeats the id: "Picture 3"
_IDS = re.compile(
    b"(" + b"|".join(re.escape(kind) for kind in KINDS) + rb')="L?(\d+)"( name="Picture \d+")?'
)


@dataclass
class PieceImage:
    sha256: str
    content_type: str
    ext: str


@dataclass
class PieceInfo:
    """What a piece numbers, besides its XML."""

    lists: list[tuple[bool, int, int]] = field(default_factory=list)  # ordered, level, start
    images: list[PieceImage] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # external links of the text
    note_links: list[str] = field(default_factory=list)  # ... and of its footnotes
    notes: int = 0
    bookmarks: int = 0
    shapes: int = 0
    sheets: int = 0  # answer sheets, each a section of its own
    body_size: int = 0
    notes_size: int = 0
    body_sites: int = 0  # how many of the sites (``Sites``) are the body's


class Sites(array):
    """Where the local ids of some XML are: (start, end, kind, local id) for each, flat,
    so that numbering a piece takes slices instead of searching its text again."""

    @classmethod
    def find(cls, xml: bytes) -> Sites:
        sites = cls("Q")
        for match in _IDS.finditer(xml):
            sites.extend((match.start(), match.end(), KINDS.index(match[1]), int(match[2])))
        return sites

    def each(self) -> Iterator[tuple[int, int, int, int]]:
        return zip(self[0::4], self[1::4], self[2::4], self[3::4], strict=True)

    def fit(self, size: int) -> bool:
        """Whether these sites can be those of ``size`` bytes of XML, in order (a cache
        entry is untrusted: numbering must not fail on one)."""
        if not self:
            return True
        starts, ends = self[0::4], self[1::4]
        return (
            len(self) % 4 == 0
            and max(self[2::4]) < len(KINDS)
            and min(self[3::4]) >= 1
            and ends[-1] <= size
            and all(start < end for start, end in zip(starts, ends, strict=True))
            and all(end <= start for end, start in zip(ends, starts[1:], strict=False))
        )


@dataclass
class Piece:
    info: PieceInfo
    body: bytes  # the body's elements as XML, ids local
    notes: bytes  # its ``w:footnote`` elements, ids local
    body_sites: Sites
    note_sites: Sites

    @classmethod
    def made(cls, info: PieceInfo, body: bytes, notes: bytes) -> Piece:
        return cls(info, body, notes, Sites.find(body), Sites.find(notes))

    def encode(self) -> bytes:
        """Bytes for the fragment cache: the info's length, the info, body, notes, and
        the sites of their ids (little-endian)."""
        self.info.body_size, self.info.notes_size = len(self.body), len(self.notes)
        self.info.body_sites = len(self.body_sites)
        sites = Sites("Q", self.body_sites) + Sites("Q", self.note_sites)
        if sys.byteorder != "little":
            sites.byteswap()
        info = typed_json.encode(self.info)
        return struct.pack("<Q", len(info)) + info + self.body + self.notes + sites.tobytes()

    @classmethod
    def decode(cls, data: bytes) -> Piece | None:
        """The piece ``encode`` wrote, or ``None`` for bytes that are not one."""
        try:
            (size,) = struct.unpack("<Q", data[:8])
            info = typed_json.decode(data[8 : 8 + size], PieceInfo)
        except (struct.error, typed_json.TypedJsonError):
            return None
        middle = 8 + size + info.body_size
        end = middle + info.notes_size
        if end > len(data) or (len(data) - end) % 8 or info.body_sites > (len(data) - end) // 8:
            return None
        sites = Sites("Q")
        sites.frombytes(data[end:])
        if sys.byteorder != "little":
            sites.byteswap()
        piece = cls(
            info,
            data[8 + size : middle],
            data[middle:end],
            Sites("Q", sites[: info.body_sites]),
            Sites("Q", sites[info.body_sites :]),
        )
        if not (piece.body_sites.fit(len(piece.body)) and piece.note_sites.fit(len(piece.notes))):
            return None
        return piece


class ImageStore:
    """Picture bytes by SHA-256. A piece names its pictures; their bytes are read only
    when written into the package, one at a time. Pictures of this build are kept in a
    temporary folder (and in the build cache, for the lessons a later build takes from
    the cache); older ones come from the build cache."""

    def __init__(self, cache: BuildCache | None) -> None:
        self.cache = cache
        self._folder = tempfile.TemporaryDirectory(prefix="casekit-docx-images-")

    def add(self, data: bytes) -> PieceImage:
        """Keep ``data`` (once) and say what it is."""
        sha = hashlib.sha256(data).hexdigest()
        try:
            with open(f"{self._folder.name}/{sha}", "xb") as file:
                file.write(data)
        except FileExistsError:
            pass
        else:
            if self.cache is not None:
                self.cache.store(IMAGE_KIND, sha, data)
        image = DocxImage.from_blob(data)
        return PieceImage(sha, image.content_type, image.ext)

    def keeps(self, piece: Piece) -> bool:
        """Whether every picture ``piece`` names can be had."""
        return all(self.get(image.sha256) is not None for image in piece.info.images)

    def copy(self, sha256: str, out: IO[bytes]) -> bool:
        """Write picture ``sha256`` into ``out`` (one of this build's copied in pieces);
        whether it could be had."""
        try:
            with open(f"{self._folder.name}/{sha256}", "rb") as file:
                shutil.copyfileobj(file, out, 1 << 20)
                return True
        except FileNotFoundError:
            data = self._cached(sha256)
        if data is not None:
            out.write(data)
        return data is not None

    def get(self, sha256: str) -> bytes | None:
        try:
            with open(f"{self._folder.name}/{sha256}", "rb") as file:
                return file.read()
        except FileNotFoundError:
            return self._cached(sha256)

    def _cached(self, sha256: str) -> bytes | None:
        """Picture ``sha256`` from the build cache (an earlier build's)."""
        return self.cache.load(IMAGE_KIND, sha256, bytes) if self.cache else None

    def close(self) -> None:
        self._folder.cleanup()


def _element(tag: str, nsmap: dict[str | None, str]) -> BaseOxmlElement:
    return oxml_parser.makeelement(qn(tag), nsmap=nsmap)


class Story:
    """Where a piece is being written: its body and footnotes (detached elements with
    the namespaces of the parts they will be spliced into) and its local ids."""

    def __init__(self, body_nsmap: dict, notes_nsmap: dict) -> None:
        self.body = _element("w:body", body_nsmap)
        self.notes = _element("w:footnotes", notes_nsmap)
        self.info = PieceInfo()
        self._images: dict[str, int] = {}

    def new_list(self, ordered: bool, level: int, start: int) -> int:
        self.info.lists.append((ordered, level, start))
        return len(self.info.lists)

    def new_note(self) -> BaseOxmlElement:
        self.info.notes += 1
        note = _element("w:footnote", self.notes.nsmap)
        note.set(qn("w:id"), str(self.info.notes))
        self.notes.append(note)
        return note

    def link(self, url: str, in_note: bool) -> str:
        """The local relationship id of an external link."""
        links = self.info.note_links if in_note else self.info.links
        links.append(url)
        return f"L{len(links)}"

    def image(self, image: PieceImage) -> str:
        """The local relationship id of a picture (``ImageStore.add``)."""
        if image.sha256 not in self._images:
            self.info.images.append(image)
            self._images[image.sha256] = len(self.info.images)
        return f"L{self._images[image.sha256]}"

    def next_shape(self) -> int:
        self.info.shapes += 1
        return self.info.shapes

    def piece(self, bookmarks: int, sheets: int) -> Piece:
        self.info.bookmarks, self.info.sheets = bookmarks, sheets
        return Piece.made(self.info, _children_xml(self.body), _children_xml(self.notes))


def _children_xml(element: BaseOxmlElement) -> bytes:
    """The XML of ``element``'s children, in the namespace context of ``element``."""
    if len(element) == 0:
        return b""
    data = etree.tostring(element, encoding="UTF-8", xml_declaration=False)
    return data[data.index(b">") + 1 : data.rindex(b"</")]


@dataclass
class Bases:
    """What the pieces before one used: added to its local ids."""

    num: int
    note: int
    bookmark: int
    shape: int
    images: list[str]  # relationship ids, by local id - 1
    links: list[str]
    note_links: list[str]

    def renumber(self, xml: bytes, sites: Sites) -> bytes:
        """``xml`` with the local ids at ``sites`` made the document's."""
        numbers = (self.num, self.note, self.note, self.bookmark, self.bookmark, self.shape)
        names = {6: self.images, 7: self.links}
        out, done = [], 0
        for start, end, kind, local in sites.each():
            out.append(xml[done:start])
            if kind in names:
                value = names[kind][local - 1].encode("ascii")
            else:
                value = b"%d" % (numbers[kind] + local)
            if kind == DRAWING:
                out.append(b'<wp:docPr id="%s" name="Picture %s"' % (value, value))
            else:
                out.append(b'%s="%s"' % (KINDS[kind], value))
            done = end
        out.append(xml[done:])
        return b"".join(out)


class Assembly:
    """Puts pieces into ``doc`` in document order: their lists into the numbering
    part, their pictures and links into relationships, their notes and text into
    spliced streams (``body``: a temporary file)."""

    def __init__(self, doc: Document, notes_part: Part, first_note: int, store: ImageStore):
        self.doc = doc
        self.notes_part = notes_part
        self.numbering = ListNumbering(doc)
        self.store = store
        self.note = first_note - 1
        self.bookmark = 0
        self.shape = doc.part.next_id - 1
        self.sheets = 0
        self.images: dict[str, str] = {}  # SHA-256 -> relationship id
        self.image_parts: dict[str, str] = {}  # part name -> SHA-256
        self.notes: list[bytes] = []
        self.body: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # closed by close()

    def place(self, piece: Piece) -> Bases:
        """Number ``piece`` after everything placed before it."""
        info = piece.info
        nums = [self.numbering.new_list(*entry) for entry in info.lists]
        bases = Bases(
            num=nums[0] - 1 if nums else 0,
            note=self.note,
            bookmark=self.bookmark,
            shape=self.shape,
            images=[self._image(image) for image in info.images],
            links=[self.doc.part.relate_to(u, RT.HYPERLINK, is_external=True) for u in info.links],
            note_links=[
                self.notes_part.relate_to(u, RT.HYPERLINK, is_external=True)
                for u in info.note_links
            ],
        )
        self.note += info.notes
        self.bookmark += info.bookmarks
        self.shape += info.shapes
        self.sheets += info.sheets
        if piece.notes:
            notes = Bases(**{**bases.__dict__, "links": bases.note_links})
            self.notes.append(notes.renumber(piece.notes, piece.note_sites))
        return bases

    def add(self, piece: Piece) -> None:
        """Place ``piece`` and append its text to the body."""
        self.body.write(self.place(piece).renumber(piece.body, piece.body_sites))

    def _image(self, image: PieceImage) -> str:
        if image.sha256 not in self.images:
            package = self.doc.part.package
            name = package.next_partname(f"/word/media/image%d.{image.ext}")
            part = Part(PackURI(name), image.content_type, b"", package)
            self.images[image.sha256] = self.doc.part.relate_to(part, RT.IMAGE)
            self.image_parts[name.membername] = image.sha256
        return self.images[image.sha256]

    def streams(self, front: bytes) -> dict[str, Callable[[IO[bytes]], None]]:
        """How package.py writes the members the pieces make: document.xml (``front``,
        then the body) and footnotes.xml spliced into python-docx's serialisation of
        the rest, and the pictures from the store."""
        doc_part = self.doc.part

        def document(out: IO[bytes]) -> None:
            head, tail = _split(doc_part.blob, BODY_MARK)
            out.write(head)
            out.write(front)
            self.body.seek(0)
            while chunk := self.body.read(1 << 20):
                out.write(chunk)
            out.write(tail)

        def notes(out: IO[bytes]) -> None:
            head, tail = _split(self.notes_part.blob, NOTES_MARK)
            out.write(head)
            for xml in self.notes:
                out.write(xml)
            out.write(tail)

        def picture(sha256: str) -> Callable[[IO[bytes]], None]:
            def write(out: IO[bytes]) -> None:
                if not self.store.copy(sha256, out):
                    raise RuntimeError(f"picture {sha256} vanished while building")

            return write

        streams = {
            doc_part.partname.membername: document,
            self.notes_part.partname.membername: notes,
        }
        for name, sha in self.image_parts.items():
            streams[name] = picture(sha)
        return streams

    def mark(self) -> None:
        """Put the splice marks into python-docx's tree (once all sections are final)."""
        self.doc.element.body.sectPr.addprevious(etree.Comment(BODY_MARK))
        self.notes_part.element.append(etree.Comment(NOTES_MARK))

    def close(self) -> None:
        self.body.close()
        self.store.close()


def _split(blob: bytes, mark: str) -> tuple[bytes, bytes]:
    head, found, tail = blob.partition(f"<!--{mark}-->".encode("ascii"))
    assert found, mark
    return head, tail
