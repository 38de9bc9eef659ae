"""The packet laid out in pieces: the cover with the contents, each module, each
appendix, each on pages of its own (modules and appendices start on a new page).

A piece's pages depend only on its content, on whether it starts on a left- or a
right-hand page (answer sheets start on right-hand pages) and on the page numbers
its "see page N" print. So a piece is laid out as a reportlab document of its own
(only one piece's flowables and line breaks live at a time), and kept in the build
cache under its lessons' digests (``render/fragments.py``), its start page's parity
and the numbers it printed: editing one lesson lays out its module again, and the
pieces whose printed numbers moved. Rounds repeat, as reportlab's ``multiBuild``
repeats passes, until every piece printed the pages the anchors ended on. The
running header and footer ("page X of Y") are drawn when the pieces are joined
(``join.py``), so a page count that changes invalidates no other piece.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from casekit.files import typed_json
from casekit.files.cache import digest
from casekit.formats.pdf.document import (
    MAX_PASSES,
    Packet,
    PieceLayout,
    front,
    lay_out_piece,
    unsettled,
)
from casekit.formats.pdf.writer import PdfPiece, PdfWriter
from casekit.render.fragments import Fragments

FRONT = "front"  # the cover and the contents: the first piece


@dataclass
class Laid:
    """A piece laid out from page ``start`` (``data``: its PDF; ``None``: only measured)."""

    piece: PdfPiece
    start: int
    layout: PieceLayout
    data: bytes | None

    def printed_right(self, pages: dict[str, int]) -> bool:
        """Whether its "see page N" printed the pages ``pages`` gives."""
        return self.data is not None and all(
            pages.get(anchor, 0) == page for anchor, page in self.layout.asked.items()
        )

    def own_pages(self) -> Iterator[tuple[str, int]]:
        for anchor, page in self.layout.anchors.items():
            yield anchor, self.start + page


def _usable(layout: PieceLayout, start: int, known: dict[str, int]) -> bool:
    """Whether a layout made from page ``start`` printed what ``known`` gives (its own
    anchors where it put them)."""
    for anchor, printed in layout.asked.items():
        page = layout.anchors.get(anchor)
        if printed != (start + page if page is not None else known.get(anchor, 0)):
            return False
    return True


class PieceStore:
    """Pieces laid out in this build and, through the build cache, in earlier ones."""

    def __init__(self, fragments: Fragments | None, edition: str) -> None:
        self.fragments = fragments
        self.edition = edition
        self.laid: dict[tuple[str, int], tuple[PieceLayout, bytes]] = {}

    def key(self, piece: PdfPiece, parity: int, extra: str) -> str | None:
        fragments = self.fragments
        if fragments is None:
            return None
        lessons = fragments.digests if piece.lessons is None else piece.lessons
        digests = []
        for lesson in lessons:
            known = fragments.digests.get(lesson)
            if known is None:
                return None
            digests.append(f"{lesson}={known}")
        return digest(
            "pdf-piece",
            fragments.context,
            self.edition,
            piece.name,
            str(parity),
            extra,
            *sorted(digests),
        )

    def find(
        self, piece: PdfPiece, start: int, known: dict[str, int], extra: str
    ) -> tuple[PieceLayout, bytes] | None:
        got = self.laid.get((piece.name, start % 2))
        if got is not None and _usable(got[0], start, known):
            return got
        key = self.key(piece, start % 2, extra)
        if key is None or self.fragments is None:
            return None
        entry = self.fragments.cache.load("pdf-piece", key, bytes)
        if entry is None:
            return None
        head, _, data = entry.partition(b"\n")
        try:
            layout = typed_json.decode(head, PieceLayout)
        except typed_json.TypedJsonError:
            return None
        if not _usable(layout, start, known):
            return None
        self.laid[(piece.name, start % 2)] = (layout, data)
        return layout, data

    def keep(
        self, piece: PdfPiece, start: int, layout: PieceLayout, data: bytes, extra: str
    ) -> None:
        self.laid[(piece.name, start % 2)] = (layout, data)
        key = self.key(piece, start % 2, extra)
        if key is not None and self.fragments is not None:
            self.fragments.cache.store("pdf-piece", key, typed_json.encode(layout) + b"\n" + data)
            self.fragments.cache.stats.rendered.append(f"{self.fragments.job} pdf {piece.name}")

    def pages_key(self) -> str | None:
        if self.fragments is None:
            return None
        return digest("pdf-pages", self.fragments.context, self.edition)

    def last_pages(self) -> dict[str, int]:
        """The anchors' pages of the last build of this job: where to start the rounds."""
        key = self.pages_key()
        if key is None or self.fragments is None:
            return {}
        return self.fragments.cache.load("pdf-pages", key, dict[str, int]) or {}

    def remember_pages(self, pages: dict[str, int]) -> None:
        key = self.pages_key()
        if key is not None and self.fragments is not None:
            self.fragments.cache.store("pdf-pages", key, pages)


def lay_out_packet(packet: Packet, writer: PdfWriter, store: PieceStore) -> list[Laid]:
    """Every piece laid out from the page it starts on, with the page numbers settled."""
    entries = writer.contents_entries()
    pieces = [PdfPiece(FRONT, (), lambda: front(packet, entries)), *writer.pieces()]
    extra = {FRONT: typed_json.encode(entries).decode("utf-8")}
    known = store.last_pages()
    for _ in range(MAX_PASSES):
        laid: list[Laid] = []
        start = 1
        for piece in pieces:
            laid.append(_one(packet, store, piece, start, known, extra.get(piece.name, "")))
            start += laid[-1].layout.pages
        pages: dict[str, int] = {}
        for each in laid:
            for anchor, page in each.own_pages():
                pages.setdefault(anchor, page)
        if all(each.printed_right(pages) for each in laid):
            store.remember_pages(pages)
            return laid
        known = pages
    raise unsettled()


def _one(
    packet: Packet,
    store: PieceStore,
    piece: PdfPiece,
    start: int,
    known: dict[str, int],
    extra: str,
) -> Laid:
    found = store.find(piece, start, known, extra)
    if found is not None:
        return Laid(piece, start, *found)
    layout, data = lay_out(packet, piece.flowables, start, known, piece.name == FRONT)
    if data is not None:
        store.keep(piece, start, layout, data, extra)
    return Laid(piece, start, layout, data)


def lay_out(
    packet: Packet,
    flowables: Callable[[], list],
    start: int,
    known: dict[str, int],
    first: bool,
) -> tuple[PieceLayout, bytes | None]:
    packet.state.start(known)
    story = flowables()  # made after ``start``: the writer notes what it refers to
    return lay_out_piece(packet, story, start, known, "cover" if first else "body")
