"""The styles of an OpenDocument text that pandoc's ODT reader does not carry.

pandoc reads DOCX with ``+styles`` (every styled paragraph in a Div naming its style,
which ``shape`` maps to callouts and assignments), but its ODT reader has no such
extension, and it ignores bold and italic set on a paragraph's automatic style (what
Writer does when a whole paragraph is made bold). Before pandoc reads the document:

- a paragraph whose style, or whose whole text's character style, is one ``shape``
  recognises (Note, Ескерту, Тапсырма, Задание, Exercise ...) is put between two
  marker paragraphs that name the style; after reading, ``styled_divs`` turns each
  marked run into the Div that ``+styles`` would have made;
- a body paragraph drawn as a box by its background colour (Word's paragraph shading,
  as LibreOffice writes it) is marked as ``vocabulary.SHADED_STYLE``, a callout, as the
  DOCX import does;
- a paragraph's own bold or italic is moved onto a span around its content, which
  pandoc reads as strong or emphasis.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from casekit.importer import vocabulary as v
from casekit.importer.ast import Node, node, plain_text

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
#: private-use characters no document text uses: open (style name in hex) close, end
OPEN, CLOSE, END = "\ue000", "\ue001", "\ue002"
MARKED = re.compile(f"^{OPEN}([0-9a-f]+){CLOSE}$")
#: Word names the character twin of a paragraph style "<name> Char"
LINKED = re.compile(r"\s+char$", re.I)
#: backgrounds that draw no box
UNSHADED = {"", "transparent", "#ffffff"}
#: the automatic text styles added for a paragraph's own emphasis
EMPHASIS = {
    (True, False): ("casekit_20_bold", {f"{{{FO}}}font-weight": "bold"}),
    (False, True): ("casekit_20_italic", {f"{{{FO}}}font-style": "italic"}),
    (True, True): (
        "casekit_20_bold_20_italic",
        {f"{{{FO}}}font-weight": "bold", f"{{{FO}}}font-style": "italic"},
    ),
}


def _display_name(name: str) -> str:
    """An ODF style name as written for people: ``_20_`` and the like are characters."""
    return re.sub(r"_([0-9A-Fa-f]{2,4})_", lambda m: chr(int(m[1], 16)), name)


def _named(styles: etree._Element | None) -> dict[str, str]:
    """Named style -> its display name (``styles.xml``)."""
    found: dict[str, str] = {}
    for style in styles.iter(f"{{{STYLE}}}style") if styles is not None else ():
        name = style.get(f"{{{STYLE}}}name", "")
        found[name] = style.get(f"{{{STYLE}}}display-name") or _display_name(name)
    return found


def _automatic(content: etree._Element) -> dict[str, etree._Element]:
    holder = content.find(f"{{{OFFICE}}}automatic-styles")
    if holder is None:
        return {}
    return {s.get(f"{{{STYLE}}}name", ""): s for s in holder.iter(f"{{{STYLE}}}style")}


def _recognised(name: str) -> bool:
    return bool(v.box_kind_of_style(name) or v.task_kind_of_style(name))


class Marker:
    def __init__(self, content: etree._Element, styles: etree._Element | None) -> None:
        self.content = content
        self.named = _named(styles)
        self.automatic = _automatic(content)

    def style_of(self, name: str) -> str:
        """The named style behind ``name`` (an automatic style's parent), for people."""
        automatic = self.automatic.get(name)
        if automatic is not None:
            name = automatic.get(f"{{{STYLE}}}parent-style-name", "")
        return self.named.get(name) or _display_name(name)

    def paragraph_style(self, paragraph: etree._Element) -> str:
        """The recognised style of ``paragraph``: its own, that of all its text, or the
        shaded-box style; "" for none."""
        for style in (
            self.style_of(paragraph.get(f"{{{TEXT}}}style-name", "")),
            self.text_style(paragraph),
        ):
            if _recognised(style):
                return style
        return v.SHADED_STYLE if self.shaded(paragraph) else ""

    def text_style(self, paragraph: etree._Element) -> str:
        """The one character style all of the paragraph's text has, or ""."""
        pieces: set[str] = set()
        if (paragraph.text or "").strip():
            return ""
        for child in paragraph:
            if child.tag != f"{{{TEXT}}}span":
                if "".join(child.itertext()).strip():
                    return ""
            elif "".join(child.itertext()).strip():
                name = self.style_of(child.get(f"{{{TEXT}}}style-name", ""))
                pieces.add(LINKED.sub("", name))
            if (child.tail or "").strip():
                return ""
        (only,) = pieces if len(pieces) == 1 else ("",)
        return only

    def shaded(self, paragraph: etree._Element) -> bool:
        """Whether the paragraph's own style gives it a background (not in a list)."""
        style = self.automatic.get(paragraph.get(f"{{{TEXT}}}style-name", ""))
        props = style.find(f"{{{STYLE}}}paragraph-properties") if style is not None else None
        if props is None or props.get(f"{{{FO}}}background-color", "").lower() in UNSHADED:
            return False
        return not any(a.tag == f"{{{TEXT}}}list-item" for a in paragraph.iterancestors())

    def emphasis(self, paragraph: etree._Element) -> tuple[bool, bool]:
        """Bold and italic set on the paragraph's own (automatic) style."""
        style = self.automatic.get(paragraph.get(f"{{{TEXT}}}style-name", ""))
        props = style.find(f"{{{STYLE}}}text-properties") if style is not None else None
        if props is None:
            return False, False
        weight = props.get(f"{{{FO}}}font-weight", "normal")
        bold = weight == "bold" or (weight.isdigit() and int(weight) >= 600)
        return bold, props.get(f"{{{FO}}}font-style", "normal") in ("italic", "oblique")

    def add_style(self, name: str, properties: dict[str, str]) -> None:
        if name in self.automatic:
            return
        holder = self.content.find(f"{{{OFFICE}}}automatic-styles")
        if holder is None:
            holder = etree.Element(f"{{{OFFICE}}}automatic-styles")
            self.content.insert(0, holder)
        style = etree.SubElement(holder, f"{{{STYLE}}}style")
        style.set(f"{{{STYLE}}}name", name)
        style.set(f"{{{STYLE}}}family", "text")
        etree.SubElement(style, f"{{{STYLE}}}text-properties", properties)
        self.automatic[name] = style

    def embolden(self, paragraph: etree._Element) -> None:
        found = self.emphasis(paragraph)
        if found == (False, False):
            return
        name, properties = EMPHASIS[found]
        self.add_style(name, properties)
        span = etree.Element(f"{{{TEXT}}}span")
        span.set(f"{{{TEXT}}}style-name", name)
        span.text, paragraph.text = paragraph.text, None
        for child in list(paragraph):
            span.append(child)
        paragraph.append(span)

    def mark(self, paragraph: etree._Element, style: str) -> None:
        before = etree.Element(f"{{{TEXT}}}p")
        before.text = f"{OPEN}{style.encode('utf-8').hex()}{CLOSE}"
        after = etree.Element(f"{{{TEXT}}}p")
        after.text = END
        before.tail, after.tail = paragraph.tail, paragraph.tail
        paragraph.addprevious(before)
        paragraph.addnext(after)


def mark_styles(content: etree._Element, styles: etree._Element | None) -> None:
    """Prepare ``content`` (``content.xml``, changed in place) for pandoc: recognised
    paragraph styles between markers, a paragraph's own bold or italic on a span."""
    marker = Marker(content, styles)
    for paragraph in list(content.iter(f"{{{TEXT}}}p")):
        style = marker.paragraph_style(paragraph)
        marker.embolden(paragraph)
        if style:
            marker.mark(paragraph, style)


def _marked(block: Any) -> str | None:
    if not isinstance(block, dict) or block.get("t") not in ("Para", "Plain"):
        return None
    text = plain_text([block])
    if text == END:
        return ""
    match = MARKED.match(text)
    return bytes.fromhex(match[1]).decode("utf-8") if match else None


def styled_divs(value: Any) -> Any:
    """pandoc's AST of a marked document with each marked run as a ``custom-style``
    Div, as pandoc's ``+styles`` makes them; markers left alone (damaged) are dropped."""
    if isinstance(value, dict):
        return {**value, "c": styled_divs(value["c"])} if "c" in value else value
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    index = 0
    while index < len(value):
        item = value[index]
        index += 1
        style = _marked(item)
        if style is None:
            out.append(styled_divs(item))
            continue
        if not style:
            continue  # an end without its start
        inner: list[Node] = []
        while index < len(value) and _marked(value[index]) is None:
            inner.append(styled_divs(value[index]))
            index += 1
        index += 1  # the end marker
        out.append(node("Div", [["", [], [["custom-style", style]]], inner]))
    return out
