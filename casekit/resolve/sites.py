"""Where resolve writes into a lesson: its sites, found by one walk of the parsed tree.

Resolve gives each lesson numbers and anchors, media items and link targets that depend
on the other lessons of the course. A lesson's *sites* are what resolve needs to know
about it for that (the anchors it asks for, the media files and links it names, in
order), and its ``Resolution`` is what resolve answers, site by site. Sites depend only
on the parsed lesson, so an unchanged lesson's sites come from the build cache without
its tree (``resolve/lazy.py``); ``apply`` writes a resolution into a tree, now or when the
tree is first read. Each walk below is the one place its order is defined: the sites
are listed and the answers written back by the same walk.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from casekit import tree as t

#: the blocks resolve numbers per module ("2.3") and gives an anchor
NUMBERED = (t.Figure, t.Table, t.Quiz, t.Assignment, t.Exercise)


@dataclass
class AnchorSite:
    """An anchor a lesson asks for: ``heading``, ``media`` and ``term`` get one;
    a numbered block (``figure``, ``table``, ``quiz``, ``assignment``, ``exercise``)
    gets its number first, then an anchor (``local`` empty: named after the number) and
    one per question; ``id`` (a callout, solution or div with an id) only reserves it."""

    kind: str
    local: str
    explicit: bool
    pos: t.Pos
    questions: list[t.Pos] = field(default_factory=list)


@dataclass
class MediaSite:
    """A media file a lesson names: a ``figure``, a video or audio ``block``, or an
    ``inline`` image (``kind``: what the lesson uses it as)."""

    site: Literal["figure", "block", "inline"]
    src: str
    pos: t.Pos
    kind: Literal["image", "video", "audio"]
    title: str = ""
    alt: str = ""


@dataclass
class LinkSite:
    href: str
    pos: t.Pos


@dataclass
class LessonSites:
    anchors: list[AnchorSite]
    media: list[MediaSite]
    links: list[LinkSite]


@dataclass
class Resolution:
    """What resolve answered for each site of a lesson, in the order of its sites:
    per anchor site the anchor (numbered blocks: number, anchor, question anchors),
    per media site the item (``None``: refused), per link its href and target."""

    number: str
    anchors: list[list[str]] = field(default_factory=list)
    media: list[t.MediaItem | None] = field(default_factory=list)
    links: list[tuple[str, t.InternalTarget | None]] = field(default_factory=list)


def _anchor_walk(lesson: t.Lesson) -> Iterator[tuple[AnchorSite, Callable[[list[str]], None]]]:
    for block in t.iter_blocks(lesson.blocks):
        if isinstance(block, t.Heading):
            local = block.id or slugify(t.plain_text(block.children))
            yield AnchorSite("heading", local, bool(block.id), block.pos), _setter(block)
        elif isinstance(block, NUMBERED):
            questions = [q.pos for q in block.questions] if isinstance(block, t.Quiz) else []
            kind = type(block).__name__.lower()
            site = AnchorSite(kind, block.id, bool(block.id), block.pos, questions)
            yield site, _numbered_setter(block)
        elif isinstance(block, t.MediaBlock):
            local = block.id or f"media-{block.pos.line}"
            yield AnchorSite("media", local, bool(block.id), block.pos), _setter(block)
        elif isinstance(block, t.Glossary):
            for entry in block.entries:
                local = "term-" + slugify(t.plain_text(entry.term))
                yield AnchorSite("term", local, False, block.pos), _setter(entry)
        elif isinstance(block, (t.Callout, t.Solution, t.Div)) and block.id:
            yield AnchorSite("id", block.id, True, block.pos), lambda _answer: None


def _setter(node: object) -> Callable[[list[str]], None]:
    def put(answer: list[str]) -> None:
        node.anchor = answer[0]  # type: ignore[attr-defined]

    return put


def _numbered_setter(block: t.Block) -> Callable[[list[str]], None]:
    def put(answer: list[str]) -> None:
        block.number, block.anchor = answer[0], answer[1]  # type: ignore[union-attr]
        if isinstance(block, t.Quiz):
            for index, (question, anchor) in enumerate(
                zip(block.questions, answer[2:], strict=True), 1
            ):
                question.number, question.anchor = index, anchor

    return put


def inline_sequences(lesson: t.Lesson) -> list[list[t.Inline]]:
    """The lesson's inline sequences: its title first, then those of its blocks and of
    its footnotes' blocks."""
    seqs: list[list[t.Inline]] = [lesson.title]
    blocks = list(t.iter_blocks(lesson.blocks))
    for note in lesson.footnotes:
        blocks.extend(t.iter_blocks(note.blocks))
    for block in blocks:
        seqs.extend(t.block_inlines(block))
    return seqs


def _inlines(lesson: t.Lesson) -> Iterator[t.Inline]:
    for seq in inline_sequences(lesson):
        yield from t.iter_inlines(seq)


def _media_walk(
    lesson: t.Lesson, inlines: list[t.Inline]
) -> Iterator[tuple[MediaSite, Callable[[t.MediaItem | None], None]]]:
    """Figures and media blocks first, then inline images (the order media are
    registered in, which is the order of ``Course.media``)."""
    for block in t.iter_blocks(lesson.blocks):
        if isinstance(block, t.Figure):
            yield MediaSite("figure", block.src, block.pos, "image", alt=block.alt), _media(block)
        elif isinstance(block, t.MediaBlock):
            site = MediaSite("block", block.src, block.pos, block.kind, block.title)
            yield site, _media(block)
    for node in inlines:
        if isinstance(node, t.InlineImage):
            site = MediaSite("inline", node.src, node.pos or lesson.pos, "image", alt=node.alt)
            yield site, _media(node)


def _media(node: object) -> Callable[[t.MediaItem | None], None]:
    def put(item: t.MediaItem | None) -> None:
        node.media = item  # type: ignore[attr-defined]

    return put


def _link_walk(
    lesson: t.Lesson, inlines: list[t.Inline]
) -> Iterator[tuple[LinkSite, Callable[[tuple[str, t.InternalTarget | None]], None]]]:
    for node in inlines:
        if isinstance(node, t.Link):
            yield LinkSite(node.href, node.pos or lesson.pos), _link(node)


def _link(link: t.Link) -> Callable[[tuple[str, t.InternalTarget | None]], None]:
    def put(answer: tuple[str, t.InternalTarget | None]) -> None:
        link.href, link.target = answer

    return put


def lesson_sites(lesson: t.Lesson) -> LessonSites:
    """The sites of a parsed lesson."""
    inlines = list(_inlines(lesson))
    return LessonSites(
        [site for site, _ in _anchor_walk(lesson)],
        [site for site, _ in _media_walk(lesson, inlines)],
        [site for site, _ in _link_walk(lesson, inlines)],
    )


def apply(lesson: t.Lesson, resolution: Resolution) -> t.Lesson:
    """Write ``resolution`` (resolve's answers for this lesson's sites) into ``lesson``,
    with what depends on the lesson alone (footnote anchors); returns it."""
    inlines = list(_inlines(lesson))
    lesson.number, lesson.anchor = resolution.number, lesson.id
    for (_, put_anchor), anchor in zip(_anchor_walk(lesson), resolution.anchors, strict=True):
        put_anchor(anchor)
    media = _media_walk(lesson, inlines)
    for (_, put_media), item in zip(media, resolution.media, strict=True):
        put_media(item)
    for (_, put_link), answer in zip(_link_walk(lesson, inlines), resolution.links, strict=True):
        put_link(answer)
    _footnote_anchors(lesson, inlines)
    return lesson


def apply_to_title(
    lesson: t.Lesson, sites: LessonSites, resolution: Resolution, notes: list[int]
) -> None:
    """Write into ``lesson.title`` what ``apply`` would (its links, images, footnote
    references) without its body: the title's inline sites come first among the inline
    ones (``notes``: the numbers of the lesson's footnotes, which references point to)."""
    title = t.Lesson(lesson.id, lesson.path, lesson.title, [], [t.Footnote(n, []) for n in notes])
    inlines = list(t.iter_inlines(lesson.title))
    inline_media = [
        item
        for site, item in zip(sites.media, resolution.media, strict=True)
        if site.site == "inline"
    ]
    for (_, put_media), item in zip(_media_walk(title, inlines), inline_media, strict=False):
        put_media(item)
    for (_, put_link), answer in zip(_link_walk(title, inlines), resolution.links, strict=False):
        put_link(answer)
    _footnote_anchors(title, inlines)


def _footnote_anchors(lesson: t.Lesson, inlines: list[t.Inline]) -> None:
    refs_seen: dict[int, int] = defaultdict(int)
    notes = {note.number: note for note in lesson.footnotes}
    for note in lesson.footnotes:
        note.anchor = f"{lesson.id}--fn-{note.number}"
    for node in inlines:
        if isinstance(node, t.FootnoteRef):
            refs_seen[node.number] += 1
            suffix = "" if refs_seen[node.number] == 1 else f"-{refs_seen[node.number]}"
            node.anchor = f"{lesson.id}--fnref-{node.number}{suffix}"
            note = notes.get(node.number)
            node.note = note.anchor if note else ""
            if note and not note.ref_anchor:
                note.ref_anchor = node.anchor


def slugify(text: str) -> str:
    """Pandoc-style identifier: lower case, letters/digits kept (any script), spaces to '-'."""
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"[^\w\s.-]", "", text, flags=re.UNICODE)
    text = re.sub(r"\s+", "-", text.strip())
    return text.strip("-.") or "section"
