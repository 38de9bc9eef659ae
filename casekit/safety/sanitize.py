"""The safe subset of raw HTML a course may use with ``allow_html = true``.

Only text-level tags pass (bold, subscript, keyboard keys, abbreviations...),
with no attribute but ``title``; everything else is left out: the tag itself,
and for ``<script>``, ``<style>``, ``<iframe>`` and the like their content too.
Output is always balanced, so the XHTML of an EPUB stays well-formed.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    [
        "b",
        "i",
        "em",
        "strong",
        "sub",
        "sup",
        "br",
        "wbr",
        "kbd",
        "abbr",
        "span",
        "small",
        "mark",
        "u",
        "s",
        "ins",
        "del",
        "q",
        "cite",
        "code",
        "dfn",
        "var",
        "samp",
    ]
)
VOID_TAGS = frozenset({"br", "wbr"})
ALLOWED_ATTRIBUTES = frozenset({"title"})
# tags whose content is code or a document of its own, never text for the reader
HIDDEN_CONTENT = frozenset(
    [
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "textarea",
        "title",
        "svg",
        "math",
        "select",
        "xmp",
        "plaintext",
        "frameset",
        "head",
    ]
)

_Event = tuple[str, str, list[tuple[str, str | None]]]


class _Tokenizer(HTMLParser):
    """Splits raw HTML into start tags, end tags and text (comments are dropped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[_Event] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, attrs))
        if tag not in VOID_TAGS:
            self.events.append(("end", tag, []))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag, []))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data, []))


Attributes = tuple[tuple[str, str], ...]
#: what the subset keeps of raw HTML, in order: ("open", tag, attributes),
#: ("void", tag, attributes), ("close", tag, ()), ("text", text, ()); text and
#: attribute values unescaped
Kept = tuple[str, str, Attributes]


class HtmlSubset:
    """Filters raw HTML fed piece by piece (one inline tag at a time, or a whole
    block); ``close`` ends what is still open. ``hidden`` is true inside an
    element whose content is left out; ``dropped`` names what was left out.
    ``feed`` gives the kept markup, ``kept`` the same as a list of ``Kept``."""

    def __init__(self) -> None:
        self.open: list[str] = []
        self.hidden_depth = 0
        self.dropped: list[str] = []

    @property
    def hidden(self) -> bool:
        return self.hidden_depth > 0

    def feed(self, raw: str) -> str:
        return "".join(_markup(item) for item in self.kept(raw))

    def kept(self, raw: str) -> list[Kept]:
        tokenizer = _Tokenizer()
        tokenizer.feed(raw)
        tokenizer.close()
        return [item for event in tokenizer.events for item in self._event(*event)]

    def close(self) -> str:
        return "".join(_markup(item) for item in self.close_kept())

    def close_kept(self) -> list[Kept]:
        closing: list[Kept] = [("close", tag, ()) for tag in reversed(self.open)]
        self.open.clear()
        return closing

    def _event(self, kind: str, value: str, attrs: list[tuple[str, str | None]]) -> list[Kept]:
        if kind == "data":
            return [] if self.hidden else [("text", value, ())]
        if value in HIDDEN_CONTENT:
            if kind == "start":
                self.hidden_depth += 1
                self._drop(f"<{value}>")
            else:
                self.hidden_depth = max(0, self.hidden_depth - 1)
            return []
        if value not in ALLOWED_TAGS or self.hidden:
            if kind == "start":
                self._drop(f"<{value}>")
            return []
        if kind == "end":
            if value not in self.open:
                return []
            closing: list[Kept] = []
            while self.open:
                tag = self.open.pop()
                closing.append(("close", tag, ()))
                if tag == value:
                    break
            return closing
        kept: Attributes = ()
        for name, attr_value in attrs:
            if name in ALLOWED_ATTRIBUTES and attr_value is not None:
                kept += ((name, attr_value),)
            else:
                self._drop(f"{name}= on <{value}>")
        if value in VOID_TAGS:
            return [("void", value, kept)]
        self.open.append(value)
        return [("open", value, kept)]

    def _drop(self, what: str) -> None:
        if what not in self.dropped:
            self.dropped.append(what)


def _markup(item: Kept) -> str:
    kind, value, attributes = item
    if kind == "text":
        return escape(value, quote=False)
    if kind == "close":
        return f"</{value}>"
    shown = "".join(f' {name}="{escape(text, quote=True)}"' for name, text in attributes)
    return f"<{value}{shown}/>" if kind == "void" else f"<{value}{shown}>"


def sanitize_html(raw: str) -> str:
    """A whole raw HTML fragment reduced to the safe subset (balanced)."""
    subset = HtmlSubset()
    return subset.feed(raw) + subset.close()


def dropped_markup(raw: str) -> list[str]:
    """What the safe subset leaves out of ``raw`` (for a warning at check time)."""
    subset = HtmlSubset()
    subset.feed(raw)
    return subset.dropped


#: elements whose edges break the line when raw HTML is read for its text alone
BLOCK_TAGS = frozenset(
    [
        *(f"h{level}" for level in range(1, 7)),
        "address",
        "article",
        "aside",
        "blockquote",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tr",
        "ul",
    ]
)
#: elements read apart from their neighbours (table cells)
SPACED_TAGS = frozenset({"td", "th"})
#: a line break in ``HtmlText``'s pieces
LINE_BREAK = None


class HtmlText:
    """Raw HTML read for its text alone (``allow_html = false``): every tag is left
    out and named in ``tags``; comments and the content of ``HIDDEN_CONTENT``
    elements go too; ``<br>`` and the edges of block elements are line breaks.
    Fed piece by piece (one inline tag at a time, or a whole block), like
    ``HtmlSubset``; ``hidden`` is true inside an element whose content is left out."""

    def __init__(self) -> None:
        self.hidden_depth = 0
        self.tags: list[str] = []

    @property
    def hidden(self) -> bool:
        return self.hidden_depth > 0

    def feed(self, raw: str) -> list[str | None]:
        """The text of ``raw`` (unescaped), ``LINE_BREAK`` where a line breaks."""
        tokenizer = _Tokenizer()
        tokenizer.feed(raw)
        tokenizer.close()
        pieces: list[str | None] = []
        for kind, value, _attrs in tokenizer.events:
            if kind == "data":
                if not self.hidden:
                    pieces.append(value)
                continue
            if f"<{value}>" not in self.tags:
                self.tags.append(f"<{value}>")
            if value in HIDDEN_CONTENT:
                change = 1 if kind == "start" else -1
                self.hidden_depth = max(0, self.hidden_depth + change)
            elif self.hidden:
                continue
            elif value == "br" or value in BLOCK_TAGS:
                pieces.append(LINE_BREAK)
            elif value in SPACED_TAGS:
                pieces.append(" ")
        return pieces


def html_block_lines(raw: str) -> tuple[list[str], list[str]]:
    """A raw HTML block's text as lines (white space collapsed as a browser would,
    no empty line), and the tags left out of it."""
    reader = HtmlText()
    lines = [""]
    for piece in reader.feed(raw):
        if piece is LINE_BREAK:
            lines.append("")
        else:
            lines[-1] += piece
    return [" ".join(line.split()) for line in lines if line.strip()], reader.tags
