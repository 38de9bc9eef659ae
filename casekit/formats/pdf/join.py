"""The pieces of a packet joined into one PDF, with pikepdf (qpdf).

Each piece is a PDF of its own (``pieces.py``). Joining appends their pages to the
first piece's (cover and contents: its metadata and catalogue are the packet's),
then makes what spans pieces:

- internal links: a piece writes them as links to ``document.DESTINATION`` URIs
  (the destination may be in another piece); each becomes a link to the page and
  place of its anchor, or is dropped when the packet has no such anchor;
- fonts: every piece gives the same characters the same codes (``codes.py``), and the
  packet's font subsets, made once, take the place of each piece's (a piece laid out in
  an earlier build carries the subsets of the characters the course printed then);
- images: a piece names each image it shows (a stand-in); the packet carries it once;
- the running header and footer ("page X of Y"), drawn over the body pages;
- the outline (bookmarks) of modules, lessons and appendices;
- a /ID made from the content (``deterministic_id``): the same pieces give the
  same bytes.

The pieces' streams are written as reportlab compressed them (with Flate alone:
``flate_only``): qpdf copies them rather than decoding and compressing every page again
(0.4 s of a thousand pages).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import BinaryIO

import pikepdf
from reportlab import rl_config

from casekit.formats.pdf.codes import Codes
from casekit.formats.pdf.document import DESTINATION, Packet, running_heads
from casekit.formats.pdf.image_streams import REFERENCE, image_pdf
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
    """The joined packet, written when the build writes its file (not held as bytes
    beside the pieces: the image course's PDF is tens of MB)."""

    def __init__(self, out: pikepdf.Pdf, sources: list[pikepdf.Pdf]) -> None:
        self.out = out
        self.sources = sources  # open until saved: the pages' objects are read from them

    def write(self, stream: BinaryIO) -> None:
        try:
            self.out.save(
                stream,
                deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                # every stream as it is: the pieces' and images' are compressed already
                compress_streams=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
            )
        finally:
            for source in self.sources:
                source.close()

    def data(self) -> bytes:
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()


def join(
    packet: Packet, laid: list[Laid], images: Callable[[str], bytes], store: PieceStore
) -> Joined:
    """The pieces as one packet; ``images`` gives the bytes of each image they name;
    ``store`` keeps the running heads drawn."""
    sources = [pikepdf.open(io.BytesIO(each.data or b"")) for each in laid]
    out = sources[0]
    for source in sources[1:]:
        out.pages.extend(source.pages)
    pages = list(out.pages)
    places: dict[str, tuple[int, float, float]] = {}
    for each in laid:
        for anchor, (index, left, top) in each.layout.places.items():
            places.setdefault(anchor, (each.start - 1 + index, left, top))
    _link(pages, places)
    subsets = pikepdf.open(io.BytesIO(store.subsets()))
    sources.append(subsets)
    packet_fonts = PacketFonts(out, subsets, packet.codes)
    sources += _overlay_heads(packet, out, pages, laid, store, packet_fonts)
    _share_fonts(packet, pages, laid, packet_fonts)
    sources += _fill_images(out, pages, images)
    _outline(out, laid, places)
    return Joined(out, sources)


def _link(pages: list[pikepdf.Page], places: dict[str, tuple[int, float, float]]) -> None:
    for page in pages:
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        kept = []
        for annot in annots:
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(DESTINATION):
                kept.append(annot)
                continue
            place = places.get(uri.removeprefix(DESTINATION))
            if place is None:
                continue  # the anchor is not in this packet (an edition left it out)
            index, left, top = place
            del annot["/A"]
            annot.Dest = pikepdf.Array([pages[index].obj, pikepdf.Name.XYZ, left, top, 0])
            kept.append(annot)
        page.obj.Annots = pikepdf.Array(kept)


def _base_font(font: pikepdf.Object) -> str:
    """A font's PDF name (its ``/BaseFont``) without the slash."""
    return str(font.get("/BaseFont", "")).removeprefix("/")


class PacketFonts:
    """The packet's font subsets (``codes.subsets_pdf``) as objects of the packet, put in
    place of the subsets of the pieces and running heads drawn with its codes."""

    def __init__(self, out: pikepdf.Pdf, subsets: pikepdf.Pdf, codes: Codes) -> None:
        named = codes.subset_names()
        #: by the subset's name (``/BaseFont``): its object, its font's name, its number
        self.fonts: dict[str, tuple[pikepdf.Object, str, int]] = {}
        resources = subsets.pages[0].Resources.Font
        for name in sorted(resources.keys()):
            font = resources[name]
            found = named.get(_base_font(font))
            if found is not None:
                copied = out.copy_foreign(font)
                del copied["/Name"]  # obsolete, and the resource name in the PDF it comes from
                self.fonts[_base_font(font)] = (copied, *found)
        self.objects = {each.objgen for each, _, _ in self.fonts.values()}

    def replace(
        self,
        fonts: pikepdf.Dictionary,
        name: str,
        font: pikepdf.Object,
        drawn: set[tuple[str, int]],
    ) -> bool:
        """Put the packet's subset in place of ``font`` as resource ``name`` of ``fonts``,
        or leave the name out when it is a subset but the first that nothing was drawn
        with (``drawn``: ``Codes.subsets_drawn``; reportlab names every subset of a face
        used, and a piece laid out before the course printed a character of a later
        subset names fewer). False for a font not drawn with the packet's codes
        (reportlab's standard fonts, say)."""
        found = self.fonts.get(_base_font(font))
        if found is None:
            return False
        packet_font, face, subset = found
        if subset and (face, subset) not in drawn:
            if name in fonts:
                del fonts[name]
        else:
            fonts[name] = packet_font
        return True


def _overlay_heads(
    packet: Packet,
    out: pikepdf.Pdf,
    pages: list[pikepdf.Page],
    laid: list[Laid],
    store: PieceStore,
    packet_fonts: PacketFonts,
) -> list[pikepdf.Pdf]:
    """Draw the running header and footer on every body page (their drawing appended
    to the page's, their fonts' resource names apart: ``document.HEAD_FONTS``). Each
    piece's are drawn apart and cached (``PieceStore.running_heads``): an edit draws
    those of the pieces whose pages or sections moved. Their drawings are moved into
    the packet and their fonts taken once, so that each heads PDF but the one whose
    fonts are taken is closed at once (its objects would stay in memory until the
    packet is saved: 8 KB a page). Returns the PDFs still needed until then."""
    before = pikepdf.Stream(out, b"q\n")  # the page's graphics state ends where it began
    after = pikepdf.Stream(out, b"\nQ\n")
    needed: list[pikepdf.Pdf] = []
    fonts_by_key: dict[str, pikepdf.Object] = {}
    section = ""
    for each in laid:
        sections: list[str] = []
        numbers: list[int] = []
        for index, head in enumerate(each.layout.heads):
            if head is None:
                continue
            section = head or section  # a piece goes on under the section before it
            sections.append(section)
            numbers.append(each.start + index)
        if not numbers:
            continue
        draw = partial(running_heads, packet, sections, numbers, len(pages))
        data, printed = store.running_heads(each.piece.name, sections, numbers, len(pages), draw)
        foreseen = packet.codes.foreseen(printed)
        subsets = packet.codes.subsets_drawn(printed)
        heads = pikepdf.open(io.BytesIO(data))
        copied = False
        for number, overlay in zip(numbers, heads.pages, strict=True):
            page = pages[number - 1].obj
            fonts = page.Resources.Font
            for name, font in overlay.obj.Resources.Font.items():
                if foreseen and packet_fonts.replace(fonts, name, font, subsets):
                    continue
                key = _font_key(font)
                if key not in fonts_by_key:
                    fonts_by_key[key] = out.copy_foreign(font)
                    copied = True
                fonts[name] = fonts_by_key[key]
            body = page.Contents
            drawn = list(body) if isinstance(body, pikepdf.Array) else [body]
            page.Contents = pikepdf.Array([before, *drawn, after, _moved(out, overlay)])
        if copied:
            needed.append(heads)  # the fonts' data is read from it when the packet is saved
        else:
            heads.close()
    return needed


def _moved(out: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Stream:
    """The content stream of a one-stream ``page`` as a stream of ``out``: its encoded
    bytes and filters (reportlab's take no parameters), no reference to the PDF it
    comes from."""
    contents = page.obj.Contents
    moved = pikepdf.Stream(out, contents.read_raw_bytes())
    filters = contents.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        moved.Filter = pikepdf.Array([pikepdf.Name(str(each)) for each in filters])
    elif filters is not None:
        moved.Filter = pikepdf.Name(str(filters))
    return moved


def _resources(pages: list[pikepdf.Page], kind: str) -> Iterator[pikepdf.Dictionary]:
    """Every ``kind`` (/Font, /XObject) resource dictionary of the pages and of their
    form XObjects."""
    seen: set[tuple[int, int]] = set()

    def walk(resources: pikepdf.Object | None) -> Iterator[pikepdf.Dictionary]:
        if resources is None:
            return
        found = resources.get(kind)
        if found is not None and (not found.is_indirect or found.objgen not in seen):
            if found.is_indirect:
                seen.add(found.objgen)
            yield found
        xobjects = resources.get("/XObject") or {}
        for name in sorted(xobjects.keys()):
            xobject = xobjects[name]
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                seen.add(xobject.objgen)
                yield from walk(xobject.get("/Resources"))

    for page in pages:
        yield from walk(page.obj.get("/Resources"))


def _font_key(font: pikepdf.Object) -> str:
    """What makes two font objects the same font: their names, widths and data."""
    digest = hashlib.sha256()
    digest.update(repr(font.get("/BaseFont")).encode())
    digest.update(repr(font.get("/Widths")).encode())
    for stream in (font.get("/ToUnicode"), (font.get("/FontDescriptor") or {}).get("/FontFile2")):
        if isinstance(stream, pikepdf.Stream):
            digest.update(stream.read_raw_bytes())
    return digest.hexdigest()


def _share_fonts(
    packet: Packet,
    pages: list[pikepdf.Page],
    laid: list[Laid],
    packet_fonts: PacketFonts,
) -> None:
    """The packet's font subsets in place of each piece's; one font object for the same
    font of the pieces that keep their own (a character no tier of ``codes.py``
    foresaw was given its code while drawn)."""
    shared: dict[str, pikepdf.Object] = {}
    keys: dict[tuple[int, int], str] = {}
    for each in laid:
        foreseen = packet.codes.foreseen(each.layout.printed)
        subsets = packet.codes.subsets_drawn(each.layout.printed)
        first = each.start - 1
        for fonts in _resources(pages[first : first + each.layout.pages], "/Font"):
            for name in sorted(fonts.keys()):  # a set: in the same order in every build
                font = fonts[name]
                if not font.is_indirect or font.objgen in packet_fonts.objects:
                    continue  # the running heads' fonts: in place already
                if foreseen and packet_fonts.replace(fonts, name, font, subsets):
                    continue
                key = keys.get(font.objgen)
                if key is None:
                    if "/Name" in font:  # obsolete, and the piece's own resource name
                        del font["/Name"]
                    key = keys[font.objgen] = _font_key(font)
                fonts[name] = shared.setdefault(key, font)


def _fill_images(
    out: pikepdf.Pdf, pages: list[pikepdf.Page], images: Callable[[str], bytes]
) -> list[pikepdf.Pdf]:
    """Each image the pieces name (``image_streams.embed_reference``) made once, in
    place of every stand-in for it. Returns the PDFs its objects come from (open until
    the packet is saved)."""
    made: dict[str, pikepdf.Object] = {}
    sources: list[pikepdf.Pdf] = []
    for xobjects in _resources(pages, "/XObject"):
        for name in sorted(xobjects.keys()):
            key = xobjects[name].get(REFERENCE)
            if key is None:
                continue
            key = str(key)
            if key not in made:
                source = pikepdf.open(io.BytesIO(image_pdf(images(key))))
                sources.append(source)
                (image,) = source.pages[0].obj.Resources.XObject.values()
                made[key] = out.copy_foreign(image)
            xobjects[name] = made[key]
    return sources


def _outline(
    out: pikepdf.Pdf, laid: list[Laid], places: dict[str, tuple[int, float, float]]
) -> None:
    with out.open_outline() as outline:
        parent: pikepdf.OutlineItem | None = None
        for each in laid:
            for level, title, anchor in each.layout.outline:
                index, left, top = places[anchor]
                item = pikepdf.OutlineItem(title, index, "XYZ", left=left, top=top, zoom=0)
                if level == 0 or parent is None:
                    outline.root.append(item)
                    parent = item
                else:
                    parent.children.append(item)
