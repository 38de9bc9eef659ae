"""The packet laid out in pieces: the cover with the contents, each module, each
appendix, each on pages of its own (modules and appendices start on a new page).

A piece's pages depend only on its content, on whether it starts on a left- or a
right-hand page (answer sheets start on right-hand pages) and on the page numbers
its "see page N" print. So a piece is laid out as a reportlab document of its own
(only one piece's flowables and line breaks live at a time), and kept in the build
cache under its lessons' digests (``render/fragments.py``), its start page's parity
and the numbers it printed: editing one lesson lays out its module again (only the
pages that move, from the module's last layout: ``partial.py``), and the pieces whose
printed numbers moved. Rounds repeat, as reportlab's ``multiBuild``
repeats passes, until every piece printed the pages the anchors ended on. The
running header and footer ("page X of Y") are drawn when the pieces are joined
(``join.py``), so a page count that changes invalidates no other piece. With
``--jobs``, pieces are laid out side by side in forked worker processes (``_round``).
"""

from __future__ import annotations

import gc
import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pikepdf

from casekit.files import typed_json
from casekit.files.cache import digest
from casekit.formats.pdf import speedups
from casekit.formats.pdf.codes import Codes, subsets_pdf
from casekit.formats.pdf.document import (
    MAX_PASSES,
    Packet,
    PieceLayout,
    Story,
    front,
    lay_out_piece,
    unsettled,
)
from casekit.formats.pdf.partial import lay_out_moved
from casekit.formats.pdf.spill import Spill, Spilled
from casekit.formats.pdf.writer import PdfPiece, PdfWriter
from casekit.render.fragments import Fragments
from casekit.runtime.gc_tuning import older_objects_frozen
from casekit.runtime.workers import process_pool

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

FRONT = "front"  # the cover and the contents: the first piece


@dataclass
class Laid:
    """A piece laid out from page ``start`` (``data``: its PDF, or where it lies once
    the store has it: ``PieceStore.pdf``; ``None``: only measured)."""

    piece: PdfPiece
    start: int
    layout: PieceLayout
    data: bytes | Spilled | None

    def printed_right(self, pages: dict[str, int]) -> bool:
        """Whether its "see page N" printed the pages ``pages`` gives."""
        return self.data is not None and all(
            pages.get(anchor, 0) == page for anchor, page in self.layout.asked.items()
        )


def _pdf_of(data: bytes, pages: int) -> bool:
    """Whether ``data`` is a PDF of ``pages`` pages (a cache entry is untrusted input:
    one that is not is laid out again rather than joined)."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages) == pages
    except (pikepdf.PdfError, ValueError):
        return False


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

    def __init__(self, fragments: Fragments | None, edition: str, codes: Codes) -> None:
        self.fragments = fragments
        self.edition = edition
        #: ``Packet.codes``: a piece from the cache is used if the characters it drew have
        #: the codes they had when it was laid out (``Codes.fingerprint``)
        self.codes = codes
        self.laid: dict[tuple[str, int], tuple[PieceLayout, bytes | Spilled]] = {}
        #: the pieces' PDFs, on disk until the join reads them
        self.spill = Spill(fragments.cache.folder if fragments is not None else None)

    def key(self, piece: PdfPiece, parity: int, extra: str) -> str | None:
        fragments = self.fragments
        if fragments is None:
            return None
        digests = []
        for lesson in piece.lessons:
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
            piece.prints,
            *sorted(digests),
        )

    def find(
        self, piece: PdfPiece, start: int, known: dict[str, int], extra: str
    ) -> tuple[PieceLayout, bytes | Spilled] | None:
        got = self.laid.get((piece.name, start % 2))
        if got is not None and _usable(got[0], start, known):
            return got
        key = self.key(piece, start % 2, extra)
        if self.fragments is None:
            return None
        if key is None:
            return self._missed(piece, start, "a lesson of it has no digest")
        found = self._entry(key)
        if isinstance(found, str):
            return self._missed(piece, start, found)
        layout, data = found
        if not _usable(layout, start, known):
            return self._missed(piece, start, "the page numbers it printed moved")
        found = self.laid[(piece.name, start % 2)] = (layout, self.spill.put(data))
        return found

    def _missed(self, piece: PdfPiece, start: int, why: str) -> None:
        """Note why ``piece`` is laid out again (``CacheStats.pdf_missed``)."""
        assert self.fragments is not None
        self.fragments.cache.stats.pdf_missed.append(
            f"{self.fragments.job} {piece.name} from page {start}: {why}"
        )

    def keep(
        self, piece: PdfPiece, start: int, layout: PieceLayout, data: bytes, extra: str
    ) -> Spilled | bytes:
        """Keep a piece laid out in this build; where its PDF now lies."""
        spilled = self.spill.put(data)
        self.laid[(piece.name, start % 2)] = (layout, spilled)
        key = self.key(piece, start % 2, extra)
        if key is not None and self.fragments is not None:
            self.fragments.cache.store("pdf-piece", key, typed_json.encode(layout) + b"\n" + data)
            self.fragments.cache.store("pdf-piece-last", self._last(piece, start % 2), key)
            self.fragments.cache.stats.rendered.append(f"{self.fragments.job} pdf {piece.name}")
        return spilled

    def _last(self, piece: PdfPiece, parity: int) -> str:
        assert self.fragments is not None
        fragments = self.fragments
        return digest(
            "pdf-piece-last",
            fragments.context,
            self.edition,
            piece.name,
            str(parity),
        )

    def previous(self, piece: PdfPiece, parity: int) -> tuple[PieceLayout, bytes] | None:
        """The piece's last layout from a page of ``parity``, whatever its lessons were
        (``partial.py`` lays out only what moved), or ``None``."""
        if self.fragments is None or not piece.lessons:
            return None
        key = self.fragments.cache.load("pdf-piece-last", self._last(piece, parity), str)
        if key is None:
            return None
        found = self._entry(key)
        return None if isinstance(found, str) else found

    def _entry(self, key: str) -> tuple[PieceLayout, bytes] | str:
        """The layout and PDF cached under ``key``, checked (untrusted input: one that
        is not a layout and a PDF of its pages is laid out again), or why not."""
        assert self.fragments is not None
        entry = self.fragments.cache.load("pdf-piece", key, bytes)
        if entry is None:
            return "not in the build cache (new content, or no earlier build of it)"
        head, _, data = entry.partition(b"\n")
        try:
            layout = typed_json.decode(head, PieceLayout)
        except typed_json.TypedJsonError:
            layout = None
        if layout is None or not _pdf_of(data, layout.pages):
            self.fragments.cache.stats.rejected += 1  # laid out again
            return "its cache entry is damaged"
        if layout.codes != self.codes.fingerprint(layout.printed):
            return "a character it drew has another font code now"
        return layout, data

    def pdf(self, each: Laid, size: int | None = None) -> bytes:
        """The PDF of a piece laid out (its first ``size`` bytes only if given)."""
        if each.data is None:
            raise ValueError(f"piece {each.piece.name} was only measured")
        return self.spill.get(each.data, size)

    def running_heads(
        self,
        name: str,
        sections: list[str],
        numbers: list[int],
        total: int,
        draw: Callable[[], bytes],
    ) -> tuple[bytes, dict[str, str]]:
        """The running heads' PDF of piece ``name`` (``document.running_heads``) from the
        cache, or drawn and kept: an edit draws those of the pieces whose pages moved.
        With it, the characters it drew outside the first subsets (``codes.py``)."""
        fragments = self.fragments
        if fragments is None:
            with speedups.recording() as recorded:
                data = draw()
            return data, self.codes.printed(recorded)
        key = digest(
            "pdf-heads",
            fragments.context,
            self.edition,
            typed_json.encode([sections, numbers, total]).decode("utf-8"),
        )
        entry = fragments.cache.load("pdf-heads", key, bytes)
        if entry is not None:
            head, _, data = entry.partition(b"\n")
            try:
                printed, fingerprint = typed_json.decode(head, tuple[dict[str, str], str])
            except typed_json.TypedJsonError:
                printed, fingerprint = {}, None
            if fingerprint == self.codes.fingerprint(printed) and _pdf_of(data, len(numbers)):
                return data, printed
        with speedups.recording() as recorded:
            data = draw()
        printed = self.codes.printed(recorded)
        head = typed_json.encode((printed, self.codes.fingerprint(printed)))
        fragments.cache.store("pdf-heads", key, head + b"\n" + data)
        fragments.cache.stats.rendered.append(f"{fragments.job} pdf-heads {name}")
        return data, printed

    def subsets(self) -> bytes:
        """The packet's font subsets (``codes.subsets_pdf``), from the cache or made."""
        fragments = self.fragments
        if fragments is None:
            return subsets_pdf(self.codes)
        key = digest("pdf-subsets", fragments.context, self.codes.digest)
        data = fragments.cache.load("pdf-subsets", key, bytes)
        if data is None or not _pdf_of(data, 1):
            data = subsets_pdf(self.codes)
            fragments.cache.store("pdf-subsets", key, data)
        return data

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


def lay_out_packet(
    packet: Packet, writer: PdfWriter, store: PieceStore, workers: int = 1
) -> list[Laid]:
    """Every piece laid out from the page it starts on, with the page numbers settled;
    with more than one of ``workers``, pieces are laid out side by side in as many
    processes, each from the page it is expected to start on (``_round``)."""
    entries = writer.contents_entries()
    pieces = [PdfPiece(FRONT, (), lambda: front(packet, entries)), *writer.pieces()]
    extra = {FRONT: typed_json.encode(entries).decode("utf-8")}
    known = store.last_pages()
    global _SHARED
    _SHARED = (packet, pieces)  # what forked workers lay out
    pool: ProcessPoolExecutor | None = None
    # each piece's flowables are cycles of objects: collected after each piece, by a
    # collection that does not walk the course tree (made before: frozen)
    with older_objects_frozen():
        try:
            for _ in range(MAX_PASSES):
                if pool is None and workers > 1 and _can_fork():
                    pool = process_pool(workers)  # forked: it has ``_SHARED``
                laid = _round(packet, store, pieces, known, extra, pool)
                pages: dict[str, int] = {}
                start, settled = 1, True
                for each in laid:
                    settled = settled and each.start == start  # else it starts elsewhere
                    for anchor, page in each.layout.anchors.items():
                        pages.setdefault(anchor, start + page)  # where it really is
                    start += each.layout.pages
                if settled and all(each.printed_right(pages) for each in laid):
                    store.remember_pages(pages)
                    return laid
                known = pages
        finally:
            _SHARED = None
            if pool is not None:
                pool.shutdown(cancel_futures=True)
    raise unsettled()


def _round(
    packet: Packet,
    store: PieceStore,
    pieces: list[PdfPiece],
    known: dict[str, int],
    extra: dict[str, str],
    pool: ProcessPoolExecutor | None,
) -> list[Laid]:
    """One round: each piece from the cache or laid out. A piece starts where the one
    before it ends once that one is laid out. Pieces laid out in other processes go
    side by side: after a module that ends with an answer sheet (after which the text
    goes on on a right-hand page) the next piece is expected where it started in the
    last round (or the last build) or else on the next right-hand page, without waiting
    for the module; one that started elsewhere than expected is laid out again in the
    next round, from where it really starts."""
    laid: list[Laid | None] = []
    waiting: dict[int, tuple[int, Future[tuple[PieceLayout, bytes | None, int]]]] = {}

    def done(index: int, start: int, layout: PieceLayout, data: bytes | None, pages: int) -> None:
        laid[index] = Laid(pieces[index], start, layout, data)
        _keep(store, laid[index], extra)
        if store.fragments is not None:
            store.fragments.cache.stats.pdf_pages_laid += pages

    def wait(index: int) -> None:
        start, future = waiting.pop(index)
        done(index, start, *future.result())

    start = 1
    for index, piece in enumerate(pieces):
        if index:
            if laid[index - 1] is None and not pieces[index - 1].right_after:
                wait(index - 1)  # where it ends is anyone's guess
            before = laid[index - 1]
            if before is not None:
                start = before.start + before.layout.pages
            else:
                last = known.get(piece.anchor, 0)
                start = last if last > start and last % 2 else start + 1 + start % 2
        found = store.find(piece, start, known, extra.get(piece.name, ""))
        if found is not None:
            laid.append(Laid(piece, start, *found))
        elif pool is None or piece.name == FRONT:  # the front first: where modules start
            laid.append(None)
            done(index, start, *_lay_out(index, start, known, store.previous(piece, start % 2)))
        else:
            laid.append(None)
            previous = store.previous(piece, start % 2)
            waiting[index] = (start, pool.submit(_lay_out, index, start, known, previous))
    for index in sorted(waiting):
        wait(index)
    return [each for each in laid if each is not None]


def _keep(store: PieceStore, each: Laid, extra: dict[str, str]) -> None:
    if isinstance(each.data, bytes):
        name = each.piece.name
        each.data = store.keep(each.piece, each.start, each.layout, each.data, extra.get(name, ""))


def _can_fork() -> bool:
    """Whether workers can be forked (not where some thread may hold a lock: a Dask
    worker, say)."""
    return os.name == "posix" and threading.active_count() == 1


#: the packet and its pieces, for workers forked while ``lay_out_packet`` runs
_SHARED: tuple[Packet, list[PdfPiece]] | None = None


def _lay_out(
    index: int, start: int, known: dict[str, int], previous: tuple[PieceLayout, bytes] | None
) -> tuple[PieceLayout, bytes | None, int]:
    """Piece ``index`` laid out from page ``start`` (here or in a forked worker), with
    its ``previous`` layout if any; ``None`` for bytes: only measured, it names pages
    not known yet; and the number of pages laid out."""
    assert _SHARED is not None
    packet, pieces = _SHARED
    piece = pieces[index]
    packet.state.start(known)
    story = piece.flowables()  # made after ``start``: the writer notes its references
    first = "cover" if piece.name == FRONT else "body"
    result = None
    if previous is not None and isinstance(story, Story):
        result = lay_out_moved(packet, story, start, known, first, previous)
    if result is None:
        result = lay_out_piece(packet, story, start, known, first)
    del story
    gc.collect()  # the flowables' cycles
    return result
