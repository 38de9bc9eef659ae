"""Sentences of rendered XHTML: marked with ids, and read out as the narration script.

Narration works on what the reader sees: an XHTML fragment rendered by the HTML
writer (an EPUB chapter, a viewer lesson). ``mark_sentences`` wraps every sentence
of every text block in ``<span class="sentence" id="...">`` and returns the script,
the (id, text) of each sentence in reading order, so that the ids the audio is tied
to (EPUB Media Overlays, the viewer's highlight) are the ids in the page. A sentence
ends at ``.``, ``!``, ``?`` or ``…`` followed by a space and a capital, digit or
opening quote; inline elements are never split. A code block is one "sentence"
whose script is announced, not spelled out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
_NS = {"h": XHTML}
#: elements whose text is read; an element holding one of these is read through them
TEXT_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "th", "td"} | {
    "figcaption",
    "caption",
}
CONTAINERS = TEXT_BLOCKS | {"div", "section", "table", "ul", "ol", "dl", "blockquote", "figure"}
#: never read aloud: hidden decoration, the QR code, code (announced instead)
SKIPPED = {"svg", "script", "style", "pre"}
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"»”)]?\s+(?=[\"«“(]?[0-9A-ZА-ЯЁӘҒҚҢӨҰҮҺІЄЇҐ]|$)")


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str  # as displayed
    code_lines: int = 0  # > 0: a code block of this many lines (announced)


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _hidden(element: etree._Element) -> bool:
    """Not read: decoration, the QR code, a footnote's way back (↩)."""
    return (
        element.get("aria-hidden") == "true"
        or element.get("role") == "doc-backlink"
        or _local(element) in SKIPPED
    )


def mark_sentences(fragment: str, prefix: str) -> tuple[str, list[Sentence]]:
    """``fragment`` (XHTML body content) with its sentences wrapped in spans whose ids
    start with ``prefix``, and the sentences in reading order."""
    root = etree.fromstring(
        f'<body xmlns="{XHTML}" xmlns:epub="http://www.idpf.org/2007/ops">{fragment}</body>'
    )
    sentences: list[Sentence] = []

    def new_id() -> str:
        return f"{prefix}{len(sentences) + 1}"

    def visit(element: etree._Element) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.get("aria-hidden") == "true":
                continue
            name = _local(child)
            if name == "pre":
                lines = max(1, len(child.xpath("string()").rstrip("\n").split("\n")))
                child.set("id", child.get("id") or new_id())
                sentences.append(Sentence(child.get("id"), _text(child), lines))
            elif name in SKIPPED:
                continue
            elif any(_local(d) in CONTAINERS | {"pre"} for d in child.iterdescendants()):
                _wrap_loose_text(child, sentences, new_id)
                visit(child)
            elif name in TEXT_BLOCKS:
                _wrap(child, sentences, new_id)
            else:
                visit(child)

    visit(root)
    out = etree.tostring(root, encoding="unicode")
    body = out[out.index(">") + 1 : out.rindex("</body>")]
    return body, sentences


def _wrap_loose_text(element: etree._Element, sentences: list[Sentence], new_id) -> None:
    """Text directly inside a block that also holds blocks (a list item with a nested
    list): read as one sentence before its blocks."""
    if _local(element) in TEXT_BLOCKS and (element.text or "").strip():
        span = etree.Element(f"{{{XHTML}}}span", {"class": "sentence", "id": new_id()})
        span.text, element.text = element.text, None
        moved = []
        for child in element:
            if _local(child) in CONTAINERS | {"pre"}:
                break
            moved.append(child)
        for child in moved:
            span.append(child)  # moves it, with its tail
        element.insert(0, span)
        if _text(span):
            sentences.append(Sentence(span.get("id"), _text(span)))
        else:
            element.remove(span)


def _wrap(element: etree._Element, sentences: list[Sentence], new_id) -> None:
    """Split the top-level text of ``element`` into sentences and wrap each in a span."""
    items: list[str | etree._Element] = []
    if element.text:
        items.append(element.text)
    for child in element:
        tail, child.tail = child.tail, None
        items.append(child)
        if tail:
            items.append(tail)
    groups: list[list[str | etree._Element]] = [[]]
    for item in items:
        if isinstance(item, str):
            parts = _BOUNDARY.split(item)
            groups[-1].append(parts[0])
            for part in parts[1:]:
                groups.append([part])
        else:
            groups[-1].append(item)
    element.text = None
    for child in list(element):
        element.remove(child)
    previous: etree._Element | None = None
    for group in groups:
        text = " ".join(
            "".join(g if isinstance(g, str) else "".join(g.itertext()) for g in group).split()
        )
        visible = [g for g in group if not isinstance(g, str) and not _hidden(g)]
        if not text or not (any(isinstance(g, str) and g.strip() for g in group) or visible):
            _append_loose(element, previous, group)
            continue
        span = etree.SubElement(element, f"{{{XHTML}}}span", {"class": "sentence", "id": new_id()})
        span.tail = " " if group is not groups[-1] else None
        last: etree._Element | None = None
        for g in group:
            if isinstance(g, str):
                if last is None:
                    span.text = (span.text or "") + g
                else:
                    last.tail = (last.tail or "") + g
            else:
                span.append(g)
                last = g
        sentences.append(Sentence(span.get("id"), _read_text(span)))
        previous = span


def _append_loose(element: etree._Element, previous: etree._Element | None, group: list) -> None:
    """Content that is no sentence (a hidden mark, white space) stays where it was."""
    for g in group:
        if isinstance(g, str):
            if previous is None and len(element) == 0:
                element.text = (element.text or "") + g
            else:
                target = element[-1]
                target.tail = (target.tail or "") + g
        else:
            element.append(g)


def _read_text(span: etree._Element) -> str:
    """The words of a sentence as read: hidden marks (☐, ↩) left out."""
    parts: list[str] = [span.text or ""]
    for child in span:
        if not _hidden(child):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())
