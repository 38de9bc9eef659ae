"""An edited module laid out again only where its pages must move.

A module's story is in segments (``document.Story``: a lesson's heading, each block,
its notes, the quiz sheet), each keyed by what it is made from. The layout of the
module notes the pages that begin with a fresh flowable of the story and nothing
carried over from the page before (``document.PageTop``): laying out the same rest of
the story from such a page, on the same side, gives the same pages. So when a
module changed, its last layout (``PieceStore.previous``) gives

- the pages before the first changed segment: the layout starts at the last page top
  before it, in the state the earlier pages left (anchors, outline, running head,
  the fonts' resource names in the order they were given);
- the pages after the last changed segment: at each new page top in the unchanged
  rest of the story, the layout stops if the earlier layout had a page top there
  on the same side of the paper with the same template, running head and fonts
  named; the earlier pages from there follow, their anchors shifted.

The pages are joined into one PDF with pikepdf, every page naming the fonts of one
dictionary as a clean layout's do, and what each page drew outside the first font
subsets (``PieceLayout.drawn``) gives what the whole piece drew, so the joined packet
is byte for byte a clean build's. A layout whose characters got font codes while drawn
(``Codes.foreseen``: in the order drawn) is laid out whole. Whatever does not fit these conditions (a split table or paragraph, an open
box, an indent or a duplex blank page carried over a page break, a keepWithNext
group begun before the page) is not a page top: the layout goes on to the next one,
or to the end of the module. A "see page N" a reused page printed that is no longer
right makes the caller lay the whole module out again (``lay_out_piece``).
"""

from __future__ import annotations

import io
from dataclasses import replace
from itertools import accumulate

import pikepdf
from reportlab.platypus.doctemplate import LayoutError

from casekit.formats.pdf.document import (
    Packet,
    PacketTemplate,
    PageTop,
    PieceLayout,
    Resume,
    Resynced,
    Story,
    printed_on,
    too_big,
)
from casekit.formats.pdf.flowables import DuplexBreak


def lay_out_moved(
    packet: Packet,
    story: Story,
    start: int,
    known: dict[str, int],
    first: str,
    previous: tuple[PieceLayout, bytes],
) -> tuple[PieceLayout, bytes, int] | None:
    """``document.lay_out_piece`` of a module that has a ``previous`` layout (and PDF):
    its pages laid out from page ``start`` where they move, the others taken, in one
    pass that prints the pages ``known`` for "see page N", and the number of pages laid
    out. ``None`` when that cannot be done or does not settle at once (a page taken or
    laid out printed a number that moved): the caller lays it out whole."""
    state = packet.state
    if any(anchor not in known for anchor in state.referenced):
        return None  # measured first
    asked = dict(state.asked)
    changed = _lay_out_changed(packet, story, start, dict(known), first, previous)
    if changed is not None:
        layout = changed[0]
        values = {**known, **{a: start + page for a, page in layout.anchors.items()}}
        if all(values.get(anchor, 0) == page for anchor, page in layout.asked.items()):
            return changed
    state.asked = asked  # what the whole layout prints, from its first page
    return None


def _lay_out_changed(
    packet: Packet,
    story: Story,
    start: int,
    values: dict[str, int],
    first: str,
    previous: tuple[PieceLayout, bytes],
) -> tuple[PieceLayout, bytes, int] | None:
    """The module ``story`` laid out from page ``start`` (printing ``values`` for "see
    page N") reusing the pages of its ``previous`` layout that do not move, and the
    number of pages laid out; ``None`` when nothing can be reused."""
    old, data = previous
    keys = [key for key, _ in story.segments]
    if not keys or not _sane(old) or old.printed != printed_on(old.drawn):
        return None
    if not packet.codes.foreseen(old.printed):
        return None  # codes given while drawn, in the order drawn: laid out whole
    same = 0  # segments the same from the start
    while same < min(len(keys), len(old.segments)) and keys[same] == old.segments[same]:
        same += 1
    tail = 0  # and from the end (not counting any twice)
    while (
        tail < min(len(keys), len(old.segments)) - same
        and keys[-1 - tail] == old.segments[-1 - tail]
    ):
        tail += 1
    sizes = [n for _, n in story.segments]
    starts = [0, *accumulate(sizes)]
    before = [
        top
        for top in old.tops
        if top.page > 0 and top.segment < same and top.offset < sizes[top.segment]
    ]
    resume = _resume(old, max(before, key=lambda top: top.page), starts) if before else None
    shift = len(keys) - len(old.segments)
    resync = {
        starts[top.segment + shift] + top.offset: top
        for top in old.tops
        if top.segment >= len(old.segments) - tail and top.offset < sizes[top.segment + shift]
    }
    reach = _reach(story, resync)
    parts: list[tuple[bytes | None, int, int]] = []  # (None: the earlier PDF, first, end)
    begun = resume.top.page if resume is not None else 0
    if begun:
        parts.append((None, 0, begun))
    layout, met, new = _run(packet, story, start, first, values, resume, resync, reach, old)
    if resume is not None and layout.fonts[: len(resume.fonts)] != resume.fonts:
        return None  # not named as they were: laid out whole
    parts.append((new, 0, 0))
    laid = layout.pages - begun
    tops = [top for top in old.tops if top.page < begun] + layout.tops
    asked = {**old.asked, **layout.asked}  # the reused pages' too
    if met is not None:
        moved = met.page - met.top.page
        index = starts[met.top.segment + shift] + met.top.offset
        upto = reach.get(index) if moved % 2 else None  # an answer sheet after it
        end = upto.page if upto is not None else old.pages
        parts.append((None, met.top.page, end))
        _append(layout, old, met.top, upto, moved, shift)
        tops += [
            replace(top, page=top.page + moved, segment=top.segment + shift)
            for top in old.tops
            if met.top.page < top.page < end
        ]
        if upto is None:
            layout.fonts = list(old.fonts)
        else:  # from there on, laid out again
            shifted = replace(
                upto,
                page=upto.page + moved,
                segment=upto.segment + shift,
                outline=len(layout.outline),
            )
            rest = _resume(layout, shifted, starts)
            rest.fonts = old.fonts[: upto.fonts]
            layout, _, new = _run(packet, story, start, first, values, rest, {}, {}, old)
            if layout.fonts[: len(rest.fonts)] != rest.fonts:
                return None
            parts.append((new, 0, 0))
            laid += layout.pages - shifted.page
            tops += layout.tops
    layout.tops = tops
    layout.asked = {**asked, **layout.asked}
    layout.segments = keys
    layout.printed = printed_on(layout.drawn)
    if not packet.codes.foreseen(layout.printed):
        return None
    layout.codes = packet.codes.fingerprint(layout.printed)
    return layout, _spliced(data, parts), laid


def _run(
    packet: Packet,
    story: Story,
    start: int,
    first: str,
    values: dict[str, int],
    resume: Resume | None,
    resync: dict[int, PageTop],
    reach: dict[int, PageTop | None],
    old: PieceLayout,
) -> tuple[PieceLayout, Resynced | None, bytes]:
    """The story laid out from ``resume`` (or its start) until one of ``resync``
    (``Resynced``) or its end: the layout so far, where it stopped, its PDF."""
    buffer = io.BytesIO()
    template = resume.top.template if resume is not None else first
    odd = {index for index in resync if reach.get(index, resync[index]) is not None}
    doc = PacketTemplate(buffer, packet, start, template, resume, resync, old.fonts, odd)
    packet.state.known, packet.state.dry = values, False
    try:
        return doc.lay_out(story), None, buffer.getvalue()
    except Resynced as stop:
        return doc.layout(), stop, buffer.getvalue()
    except LayoutError:
        raise too_big(packet, doc.last_pos) from None


def _reach(story: Story, resync: dict[int, PageTop]) -> dict[int, PageTop | None]:
    """For the page tops of ``resync`` with an answer sheet after them (where the side
    of the paper matters: ``DuplexBreak``), the last one before it: the earlier pages
    can be taken on the other side of the paper only up to it. ``None``: no such top
    (taken on the same side only); tops without a sheet after them are left out."""
    duplex = [index for index, flowable in enumerate(story) if isinstance(flowable, DuplexBreak)]
    out: dict[int, PageTop | None] = {}
    for index in resync:
        sheet = next((at for at in duplex if at >= index), None)
        if sheet is None:
            continue
        within = [top for at, top in resync.items() if index < at <= sheet]
        out[index] = max(within, key=lambda top: top.page) if within else None
    return out


def _append(
    layout: PieceLayout,
    old: PieceLayout,
    top: PageTop,
    upto: PageTop | None,
    moved: int,
    shift: int,
) -> None:
    """The earlier layout's pages from ``top`` to ``upto`` (``None``: its end) added
    to ``layout``, ``moved`` pages on."""
    end = upto.page if upto is not None else old.pages
    for anchor, page in old.anchors.items():
        if top.page <= page < end:
            layout.anchors.setdefault(anchor, page + moved)
    for anchor, (page, left, down) in old.places.items():
        if top.page <= page < end:
            layout.places.setdefault(anchor, (page + moved, left, down))
    layout.outline += old.outline[top.outline : upto.outline if upto is not None else None]
    layout.heads += old.heads[top.page : end]
    layout.drawn += old.drawn[top.page : end]
    layout.pages = len(layout.heads)


def _sane(old: PieceLayout) -> bool:
    """Whether the earlier layout (a cache entry: untrusted) describes pages and
    segments that can be: page tops in order, inside its pages and segments (whose
    sizes the story gives: the same key, the same flowables)."""
    pages, fonts, outline = old.pages, len(old.fonts), len(old.outline)
    if len(old.heads) != pages or len(old.drawn) != pages or len(set(old.fonts)) != fonts:
        return False
    last = -1
    for top in old.tops:
        if not (last < top.page < pages and 0 <= top.segment < len(old.segments)):
            return False
        if not (top.offset >= 0 and 0 <= top.outline <= outline and 0 <= top.fonts <= fonts):
            return False
        if top.template not in ("cover", "body", "sheet"):
            return False
        last = top.page
    return True


def _resume(old: PieceLayout, top: PageTop, starts: list[int]) -> Resume:
    """The state the pages of ``old`` before ``top`` leave."""
    return Resume(
        top,
        starts[top.segment] + top.offset,
        {anchor: page for anchor, page in old.anchors.items() if page < top.page},
        {anchor: place for anchor, place in old.places.items() if place[0] < top.page},
        old.outline[: top.outline],
        old.heads[: top.page],
        old.fonts[: top.fonts],
        old.drawn[: top.page],
    )


def _spliced(old: bytes, parts: list[tuple[bytes | None, int, int]]) -> bytes:
    """One PDF of ``parts``: the pages ``first`` to ``end`` of the earlier PDF (``None``)
    or all pages of a new one, every page naming its fonts in one dictionary: the last
    new part's (it named every font of the pages before it first, in their order), or
    the earlier PDF's when its pages end it (the same fonts were named in the same
    order by then)."""
    with pikepdf.open(io.BytesIO(old)) as earlier:
        out = pikepdf.new()
        opened = [earlier]
        fonts = None
        for source, first, end in parts:
            if source is None:
                pages = list(earlier.pages)[first:end]
                fonts = earlier.pages[first].obj.Resources.Font if pages else fonts
            else:
                made = pikepdf.open(io.BytesIO(source))
                opened.append(made)
                pages = list(made.pages)
                fonts = made.pages[0].obj.Resources.Font if pages else fonts
            out.pages.extend(pages)
        shared = out.copy_foreign(fonts) if fonts is not None else None
        for page in out.pages:
            page.obj.Resources.Font = shared
        buffer = io.BytesIO()
        out.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
        )
        for each in opened[1:]:
            each.close()
    return buffer.getvalue()
