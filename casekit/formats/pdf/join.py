"""The pieces of a packet joined into one PDF, written out piece by piece.

Each piece is a PDF of its own (``pieces.py``). The packet is written as a stream:
the object numbers of the catalogue, the page tree and every page are known before
anything is written (each piece's page count is in its layout), so each piece is
opened in turn (pikepdf reads it), its pages and the objects they reach written out
renumbered, and the piece closed before the next is opened; the packet never lives
whole in memory, whatever its number of pages or the size of its images. The first
piece (cover and contents) gives the packet's metadata and catalogue entries. What
spans pieces is made as the pages are written:

- internal links: a piece writes them as links to ``document.DESTINATION`` URIs
  (the destination may be in another piece); each becomes a link to the page and
  place of its anchor, or is dropped when the packet has no such anchor;
- fonts: every piece gives the same characters the same codes (``codes.py``), and the
  packet's font subsets, made once, take the place of each piece's (a piece laid out in
  an earlier build carries the subsets of the characters the course printed then); a
  piece that keeps its own (a character no tier foresaw) shares them by ``_font_key``;
- images: a piece names each image it shows (a stand-in); the packet carries it once,
  written when a page first shows it, its data copied from the file (or the fitted
  image) in bounded pieces (``image_streams.Copied``);
- the running header and footer ("page X of Y"), drawn over the body pages;
- the outline (bookmarks) of modules, lessons and appendices;
- a /ID made from the content: the same pieces give the same bytes.

The pieces' streams are copied as reportlab compressed them (with Flate alone:
``flate_only``), never decoded.
"""

from __future__ import annotations

import hashlib
import io
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import BinaryIO

import pikepdf
from reportlab import rl_config

from casekit.formats.pdf import speedups
from casekit.formats.pdf.document import DESTINATION, Packet, running_heads
from casekit.formats.pdf.image_streams import REFERENCE, Copied, image_streams
from casekit.formats.pdf.images import Embedded
from casekit.formats.pdf.pieces import Laid, PieceStore


@contextmanager
def flate_only() -> Iterator[None]:
    """reportlab's streams compressed with Flate alone while the packet is made, not also
    written as ASCII85 text (a quarter larger, and decoded again to be joined); its own
    setting restored after."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


class Joined:
    """The joined packet, written when the build writes its file (``write``): the image
    course's PDF is tens of MB, and no more than one piece of it is held at a time."""

    def __init__(
        self,
        packet: Packet,
        laid: list[Laid],
        images: Callable[[str], Embedded],
        store: PieceStore,
    ) -> None:
        self.packet = packet
        self.laid = laid
        self.images = images
        self.store = store

    def write(self, stream: BinaryIO) -> None:
        # the running heads and images are drawn as the pieces were laid out
        with speedups.installed(), flate_only():
            _Writer(self, stream).write()

    def data(self) -> bytes:
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()


def join(
    packet: Packet, laid: list[Laid], images: Callable[[str], Embedded], store: PieceStore
) -> Joined:
    """The pieces as one packet; ``images`` opens each image they name
    (``images.raster_images``); ``store`` keeps the running heads drawn."""
    return Joined(packet, laid, images, store)


CATALOG, PAGES = 1, 2  # object numbers; page N of the packet is object PAGES + N

Place = tuple[int, float, float]  # the packet's page index (from 0), left, top


def _number(value: float | int | Decimal) -> bytes:
    """A PDF number: an integer, or a real without exponent or trailing zeros."""
    if isinstance(value, int):
        return b"%d" % value
    text = f"{value:.6f}" if isinstance(value, float) else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if text not in ("", "-", "-0") else "0").encode("ascii")


_NAMES: dict[str, bytes] = {}


def _name(name: str) -> bytes:
    found = _NAMES.get(name)
    if found is None:
        found = _NAMES[name] = pikepdf.Name(name).unparse()
    return found


def _dictionary(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """A dictionary of already serialised values, its keys sorted (the same bytes in
    every build)."""
    return b"<<" + b"".join(_name(key) + b" " + value for key, value in sorted(entries)) + b">>"


def _destination(place: Place) -> bytes:
    index, left, top = place
    return b"[%d 0 R /XYZ %s %s 0]" % (PAGES + 1 + index, _number(left), _number(top))


class _Output:
    """The packet's bytes as they are written: where each object starts, and the
    digest its /ID is made from."""

    def __init__(self, stream: BinaryIO, first: int) -> None:
        """``first``: the first object number not given in advance."""
        self.stream = stream
        self.offset = 0
        self.offsets: dict[int, int] = {}
        self.digest = hashlib.md5(usedforsecurity=False)
        self.next = first

    def take(self) -> int:
        """A new object number."""
        self.next += 1
        return self.next - 1

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.digest.update(data)
        self.offset += len(data)

    def object(self, number: int, body: bytes, data: bytes | Copied | None = None) -> None:
        """Object ``number``: ``body``, or a stream's dictionary ``body`` and ``data``."""
        self.offsets[number] = self.offset
        self.write(b"%d 0 obj\n" % number + body)
        if data is not None:
            self.write(b"\nstream\n")
            if isinstance(data, Copied):
                data.write(self.write)
            else:
                self.write(data)
            self.write(b"\nendstream")
        self.write(b"\nendobj\n")

    def end(self, info: int | None) -> None:
        """The cross-reference table and the trailer."""
        size = self.next
        missing = [number for number in range(1, size) if number not in self.offsets]
        if missing:
            raise AssertionError(f"objects numbered but not written: {missing[:5]}")
        start = self.offset
        table = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        table += [b"%010d 00000 n \n" % self.offsets[number] for number in range(1, size)]
        self.write(b"".join(table))
        digest = self.digest.hexdigest().encode("ascii")
        entries = [
            ("/Size", b"%d" % size),
            ("/Root", b"%d 0 R" % CATALOG),
            ("/ID", b"[<" + digest + b"><" + digest + b">]"),
        ]
        if info is not None:
            entries.append(("/Info", b"%d 0 R" % info))
        self.write(b"trailer\n" + _dictionary(entries) + b"\nstartxref\n%d\n%%%%EOF\n" % start)


class _Source:
    """One PDF the packet takes objects from (a piece, its running heads, an image):
    its objects' numbers in the packet, and those numbered but not written yet.
    ``printed``: the characters it drew outside the first subsets, per font (``None``:
    it draws no text, or its fonts are the packet's)."""

    def __init__(
        self,
        writer: _Writer,
        pdf: pikepdf.Pdf,
        numbers: dict[tuple[int, int], int] | None = None,
        printed: dict[str, str] | None = None,
    ) -> None:
        self.writer = writer
        self.pdf = pdf
        self.numbers = numbers or {}
        self.pending: deque[pikepdf.Object] = deque()
        codes = writer.joined.packet.codes
        self.foreseen = printed is not None and codes.foreseen(printed)
        self.drawn = codes.subsets_drawn(printed) if self.foreseen and printed else set()

    def ref(self, obj: pikepdf.Object) -> int:
        """The packet's number of indirect object ``obj`` (numbered, and written later
        by ``drain``, the first time it is met; a font or an image the packet has
        already is not written again)."""
        number = self.numbers.get(obj.objgen)
        if number is None:
            number = self.numbers[obj.objgen] = self.writer.shared(obj, self)
        return number

    def value(self, value: object) -> bytes:
        """A value as the packet writes it, its references renumbered."""
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return b"%d 0 R" % self.ref(value)
        return self.direct(value)

    def direct(self, value: object) -> bytes:
        """A value written in place (an indirect object's own, not a reference to it)."""
        if isinstance(value, pikepdf.Object):
            if isinstance(value, pikepdf.Dictionary):
                return self.dictionary(value)
            if isinstance(value, pikepdf.Array):
                return b"[" + b" ".join(self.value(each) for each in value) + b"]"
            return value.unparse()
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int | float | Decimal):
            return _number(value)
        if value is None:
            return b"null"
        raise TypeError(f"not a PDF value: {value!r}")

    def dictionary(self, obj: pikepdf.Object, **replaced: bytes) -> bytes:
        """``obj``'s entries (``replaced``: those to write otherwise; ``b""``: left out)."""
        skipped = _SKIPPED.get(str(obj.get("/Type", "")), ())
        entries = [
            (
                key,
                self.fonts(value)
                if key == "/Font" and isinstance(value, pikepdf.Dictionary)
                else self.value(value),
            )
            for key, value in obj.items()
            if key not in skipped and key[1:] not in replaced
        ]
        entries += [("/" + key, value) for key, value in replaced.items() if value]
        return _dictionary(entries)

    def fonts(self, fonts: pikepdf.Object, *more: tuple[str, bytes]) -> bytes:
        """A /Font resource dictionary (and the entries ``more``), written in place."""
        return _dictionary([*self.font_entries(fonts), *more])

    def font_entries(self, fonts: pikepdf.Object) -> list[tuple[str, bytes]]:
        """The entries of a /Font resource dictionary: the packet's subset in place of
        each font drawn with the packet's codes, or no entry for a subset but the first
        that nothing was drawn with (reportlab names every subset of a face used, and a
        piece laid out before the course printed a character of a later subset names
        fewer); any other font as it is (one object for the same font: ``shared``)."""
        entries = []
        for name, font in fonts.items():
            found = self.writer.subsets.get(_base_font(font)) if self.foreseen else None
            if found is None:
                entries.append((name, self.value(font)))
                continue
            subset, face, number = found
            if not number or (face, number) in self.drawn:
                entries.append((name, b"%d 0 R" % self.writer.subsets_source.ref(subset)))
        return entries

    def drain(self) -> None:
        """Every object numbered and not yet written, and those they reach."""
        while self.pending:
            obj = self.pending.popleft()
            number = self.numbers[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                data = obj.read_raw_bytes()
                head = self.dictionary(obj, Length=b"%d" % len(data))
                self.writer.out.object(number, head, data)
            else:
                self.writer.out.object(number, self.direct(obj))


#: entries left out of objects of a /Type: a font's /Name is obsolete, and the piece's own
_SKIPPED = {"/Font": ("/Name",)}


def _base_font(font: pikepdf.Object) -> str:
    """A font's PDF name (its ``/BaseFont``) without the slash."""
    return str(font.get("/BaseFont", "")).removeprefix("/")


class _Writer:
    """One packet written out (``Joined.write``)."""

    def __init__(self, joined: Joined, stream: BinaryIO) -> None:
        self.joined = joined
        self.total = sum(each.layout.pages for each in joined.laid)
        self.out = _Output(stream, PAGES + self.total + 1)
        self.places: dict[str, Place] = {}
        for each in joined.laid:
            for anchor, (index, left, top) in each.layout.places.items():
                self.places.setdefault(anchor, (each.start - 1 + index, left, top))
        self.fonts: dict[str, int] = {}
        self.images: dict[str, int] = {}
        #: the packet's font subsets (``codes.subsets_pdf``) by their PDF name: the
        #: subset, its font's name and its number (0: the first)
        self.subsets: dict[str, tuple[pikepdf.Object, str, int]] = {}
        self.subsets_source: _Source  # the PDF of the packet's subsets, while it is open
        self.before, self.after = self.out.take(), self.out.take()  # "q" and "Q"
        self.catalog = b""
        self.info: int | None = None
        self.outline_root: int | None = None

    def write(self) -> None:
        laid = self.joined.laid
        store = self.joined.store
        version = max((_version(store.pdf(each, 16)) for each in laid), default="1.4")
        self.out.write(b"%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n" % max(version, "1.4").encode())
        self.out.object(self.before, b"<</Length 2>>", b"q\n")  # the page's state kept
        self.out.object(self.after, b"<</Length 3>>", b"\nQ\n")
        if any(each.layout.outline for each in laid):
            self.outline_root = self.out.take()
        with pikepdf.open(io.BytesIO(self.joined.store.subsets())) as subsets:
            self.subsets_source = _Source(self, subsets)
            named = self.joined.packet.codes.subset_names()
            resources = subsets.pages[0].Resources.Font
            for name in sorted(resources.keys()):
                found = named.get(_base_font(resources[name]))
                if found is not None:
                    self.subsets[_base_font(resources[name])] = (resources[name], *found)
            for each, heads in zip(laid, _heads(self.joined, self.total), strict=True):
                self.piece(each, heads)
        kids = b" ".join(b"%d 0 R" % (PAGES + page) for page in range(1, self.total + 1))
        self.out.object(PAGES, b"<</Count %d /Kids [%s] /Type /Pages>>" % (self.total, kids))
        self.outline()
        self.out.object(CATALOG, self.catalog)
        self.out.end(self.info)

    def piece(self, each: Laid, heads: _Heads | None) -> None:
        """The piece's pages and what they reach, written; the piece closed after."""
        with ExitStack() as opened:
            pdf = opened.enter_context(pikepdf.open(io.BytesIO(self.joined.store.pdf(each))))
            numbers = {
                page.objgen: PAGES + each.start + index for index, page in enumerate(pdf.pages)
            }
            source = _Source(self, pdf, numbers, each.layout.printed)
            if each.start == 1:
                outline = self.outline_root
                self.catalog = source.dictionary(
                    pdf.Root,
                    Pages=b"%d 0 R" % PAGES,
                    Outlines=b"%d 0 R" % outline if outline is not None else b"",
                )
                info = pdf.trailer.get("/Info")
                self.info = source.ref(info) if info is not None else None
            overlays: dict[int, pikepdf.Page] = {}
            head_source = None
            if heads is not None:
                head_pdf = opened.enter_context(pikepdf.open(io.BytesIO(heads.data)))
                head_source = _Source(self, head_pdf, printed=heads.printed)
                overlays = dict(zip(heads.numbers, head_pdf.pages, strict=True))
            for index, page in enumerate(pdf.pages):
                number = each.start + index
                self.page(source, page.obj, PAGES + number, overlays.get(number), head_source)
                source.drain()
                if head_source is not None:
                    head_source.drain()
                self.subsets_source.drain()

    def page(
        self,
        source: _Source,
        page: pikepdf.Object,
        number: int,
        overlay: pikepdf.Page | None,
        head_source: _Source | None,
    ) -> None:
        replaced = {"Parent": b"%d 0 R" % PAGES, "Annots": self.links(source, page)}
        if overlay is not None and head_source is not None:
            body = page.Contents
            drawn = list(body) if isinstance(body, pikepdf.Array) else [body]
            streams = [self.before, *map(source.ref, drawn), self.after]
            streams.append(head_source.ref(overlay.obj.Contents))
            replaced["Contents"] = b"[" + b" ".join(b"%d 0 R" % each for each in streams) + b"]"
            resources = page.Resources
            fonts = source.fonts(
                resources.get("/Font", pikepdf.Dictionary()),
                *head_source.font_entries(overlay.obj.Resources.Font),
            )
            replaced["Resources"] = source.dictionary(resources, Font=fonts)
        self.out.object(number, source.dictionary(page, **replaced))

    def links(self, source: _Source, page: pikepdf.Object) -> bytes:
        """The page's annotations, its internal links made links to their anchors' pages
        (and left out when the packet has no such anchor)."""
        annots = page.get("/Annots")
        if annots is None:
            return b""
        kept: list[bytes] = []
        for annot in annots:
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(DESTINATION):
                kept.append(source.value(annot))
                continue
            place = self.places.get(uri.removeprefix(DESTINATION))
            if place is None:
                continue  # the anchor is not in this packet (an edition left it out)
            number = self.out.take()
            self.out.object(number, source.dictionary(annot, A=b"", Dest=_destination(place)))
            kept.append(b"%d 0 R" % number)
        return b"[" + b" ".join(kept) + b"]"

    def shared(self, obj: pikepdf.Object, source: _Source) -> int:
        """A number for ``source``'s indirect object ``obj``: a font or an image the
        packet has already, or a new one (``obj`` then written by ``source.drain``)."""
        if isinstance(obj, pikepdf.Stream) and REFERENCE in obj:
            key = str(obj[REFERENCE])
            if key not in self.images:
                self.images[key] = self.image(key)
            return self.images[key]
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font:
            key = _font_key(obj)
            if key in self.fonts:
                return self.fonts[key]
            number = self.fonts[key] = self.out.take()
        else:
            number = self.out.take()
        source.pending.append(obj)
        return number

    def image(self, key: str) -> int:
        """Image ``key`` written, read as it is written: no image whole in memory but
        one that must be decoded (``image_streams``)."""
        with self.joined.images(key) as (source, strip):
            return write_image(self.out, source, strip)

    def outline(self) -> None:
        """The outline of modules (level 0) and what is under them, written."""
        tree: list[tuple[bytes, bytes, list[tuple[bytes, bytes]]]] = []
        for each in self.joined.laid:
            for level, title, anchor in each.layout.outline:
                item = (pikepdf.String(title).unparse(), _destination(self.places[anchor]))
                if level == 0 or not tree:
                    tree.append((*item, []))
                else:
                    tree[-1][2].append(item)
        root = self.outline_root
        if root is None:
            return
        numbers = [self.out.take() for _ in tree]
        count = len(tree)
        for index, (title, dest, children) in enumerate(tree):
            entries = self.sibling(numbers, index, root, title, dest)
            if children:
                kids = [self.out.take() for _ in children]
                entries += [
                    ("/First", b"%d 0 R" % kids[0]),
                    ("/Last", b"%d 0 R" % kids[-1]),
                    ("/Count", b"%d" % len(kids)),
                ]
                for at, (child_title, child_dest) in enumerate(children):
                    child = self.sibling(kids, at, numbers[index], child_title, child_dest)
                    self.out.object(kids[at], _dictionary(child))
                count += len(kids)
            self.out.object(numbers[index], _dictionary(entries))
        self.out.object(
            root,
            b"<</Count %d /First %d 0 R /Last %d 0 R /Type /Outlines>>"
            % (count, numbers[0], numbers[-1]),
        )

    @staticmethod
    def sibling(
        numbers: list[int], index: int, parent: int, title: bytes, dest: bytes
    ) -> list[tuple[str, bytes]]:
        entries = [("/Title", title), ("/Dest", dest), ("/Parent", b"%d 0 R" % parent)]
        if index:
            entries.append(("/Prev", b"%d 0 R" % numbers[index - 1]))
        if index + 1 < len(numbers):
            entries.append(("/Next", b"%d 0 R" % numbers[index + 1]))
        return entries


def write_image(out: _Output, source: BinaryIO, strip: bool) -> int:
    """The PNG or JPEG in ``source`` written as an image XObject (``image_streams``: its
    data as it is wherever PDF can read it; ``strip``: a JPEG's metadata removed) after
    its soft mask, if any; the image's number."""
    image, mask = image_streams(source, strip)
    smask = None
    if mask is not None:
        smask = out.take()
        out.object(smask, mask.dictionary(), mask.data)
    number = out.take()
    out.object(number, image.dictionary(smask), image.data)
    return number


def _version(data: bytes) -> str:
    """The PDF version a piece's header names."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return head[5:8].decode("ascii", "replace")
    return "1.4"


@dataclass
class _Heads:
    """The running header and footer of a piece's body pages: their PDF, the pages
    they go on, the characters drawn outside the first subsets (``codes.py``)."""

    data: bytes
    numbers: list[int]
    printed: dict[str, str]


def _heads(joined: Joined, total: int) -> Iterator[_Heads | None]:
    """For each piece, the running header and footer of its body pages (``None``: it
    has none). Each piece's are drawn apart and cached (``PieceStore.running_heads``):
    an edit draws those of the pieces whose pages or sections moved."""
    section = ""
    for each in joined.laid:
        sections: list[str] = []
        numbers: list[int] = []
        for index, head in enumerate(each.layout.heads):
            if head is None:
                continue
            section = head or section  # a piece goes on under the section before it
            sections.append(section)
            numbers.append(each.start + index)
        if not numbers:
            yield None
            continue
        draw = partial(running_heads, joined.packet, sections, numbers, total)
        data, printed = joined.store.running_heads(each.piece.name, sections, numbers, total, draw)
        yield _Heads(data, numbers, printed)


def _font_key(font: pikepdf.Object) -> str:
    """What makes two font objects the same font: their names, widths and data."""
    digest = hashlib.sha256()
    digest.update(repr(font.get("/BaseFont")).encode())
    digest.update(repr(font.get("/Widths")).encode())
    for stream in (font.get("/ToUnicode"), (font.get("/FontDescriptor") or {}).get("/FontFile2")):
        if isinstance(stream, pikepdf.Stream):
            digest.update(stream.read_raw_bytes())
    return digest.hexdigest()
