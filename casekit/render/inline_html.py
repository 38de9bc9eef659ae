"""A course's raw inline HTML (``allow_html = true``) as nested spans for the print
writers (PDF, DOCX), which draw each allowed tag instead of printing it.

The safe subset decides what is kept (``safety.sanitize.HtmlSubset``, the same
filter the HTML writers use); this module only nests what it keeps, so a writer
walks spans instead of tags. The look of each tag is named once here (``LOOK``);
each writer says how it draws a look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Union

from casekit import tree as t
from casekit.messages import Messages
from casekit.safety.sanitize import HtmlSubset

Look = Literal[
    "bold",
    "italic",
    "underline",
    "strike",
    "subscript",
    "superscript",
    "small",
    "mark",
    "code",
    "key",
    "quote",
    "abbreviation",
    "plain",
    "line-break",
    "break-opportunity",
]

#: how print shows each tag of ``sanitize.ALLOWED_TAGS``
LOOK: dict[str, Look] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "cite": "italic",
    "dfn": "italic",
    "var": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "del": "strike",
    "sub": "subscript",
    "sup": "superscript",
    "small": "small",
    "mark": "mark",
    "code": "code",
    "samp": "code",
    "kbd": "key",
    "q": "quote",
    "abbr": "abbreviation",
    "span": "plain",
    "br": "line-break",
    "wbr": "break-opportunity",
}


_SPACES = re.compile(r"[ \t\r\n\f]+")


@dataclass
class Span:
    """An allowed tag and what it encloses; ``title`` is its ``title=`` (an
    abbreviation's expansion)."""

    look: Look
    title: str = ""
    children: list[Piece] = field(default_factory=list)


Piece = Union[t.Inline, Span]


def html_spans(nodes: list[t.Inline]) -> list[Piece]:
    """``nodes`` with their ``RawInline`` tags turned into nested ``Span``s: text
    inside a tag the subset hides (``<script>``) is left out, tags are balanced
    within the sequence, as the HTML writers do. A raw HTML block is the sequence
    ``[RawInline(block.text)]``."""
    subset = HtmlSubset()
    root: list[Piece] = []
    stack = [root]
    for node in nodes:
        if not isinstance(node, t.RawInline):
            if not subset.hidden:
                stack[-1].append(node)
            continue
        for kind, value, attributes in subset.kept(node.text):
            if kind == "text":  # white space in HTML is one space
                stack[-1].append(t.Text(_SPACES.sub(" ", value)))
            elif kind == "close":
                if len(stack) > 1:
                    stack.pop()
            else:
                span = Span(LOOK[value], dict(attributes).get("title", ""))
                stack[-1].append(span)
                if kind == "open":
                    stack.append(span.children)
    return root


def around(msg: Messages, key: str, slot: str, **values: object) -> tuple[str, str]:
    """The words of message ``key`` before and after its ``{slot}``: quotation marks
    around a ``<q>``, an abbreviation's expansion after it."""
    before, _, after = msg(key, **{slot: "\x00"}, **values).partition("\x00")
    return before, after
