"""Pandoc attribute syntax: ``{.class #id key="value"}`` and trailing ``{#id}``."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

_TRAILING = re.compile(r"\s*\{([^{}]*)\}\s*$")
_LEADING = re.compile(r"^\{([^{}]*)\}")
# what an attribute block starts with: #id, .class, pandoc's "-" (unnumbered), key=value
_ATTRIBUTE_START = re.compile(r"^\s*(?:[#.]|-(?:\s|$)|[\w-]+=)")


@dataclass
class Attributes:
    classes: list[str] = field(default_factory=list)
    id: str = ""
    values: dict[str, str] = field(default_factory=dict)
    rest: str = ""  # words after a bare class name: ``::: warning Mind the cable``


class AttributeError_(ValueError):
    pass


def parse_braced(inner: str) -> Attributes:
    """Parse the inside of ``{...}``."""
    attrs = Attributes()
    try:
        words = shlex.split(inner, posix=True)
    except ValueError as exc:
        raise AttributeError_(f"cannot read attributes {{{inner}}}: {exc}") from None
    for word in words:
        if word.startswith("."):
            attrs.classes.append(word[1:])
        elif word.startswith("#"):
            attrs.id = word[1:]
        elif word == "-":
            attrs.classes.append("unnumbered")
        elif "=" in word:
            key, value = word.split("=", 1)
            attrs.values[key] = value
        else:
            attrs.classes.append(word)
    return attrs


def parse_div_info(info: str) -> Attributes:
    """The text after a div's opening fence: ``name [title]`` or ``{...}``."""
    info = info.strip()
    if info.startswith("{"):
        if not info.endswith("}"):
            raise AttributeError_(f"unclosed attributes {info!r}")
        return parse_braced(info[1:-1])
    name, _, rest = info.partition(" ")
    attrs = Attributes(classes=[name.lstrip(".")], rest=rest.strip())
    return attrs


def split_trailing(text: str) -> tuple[str, Attributes | None]:
    """Split ``Heading text {#id .class}`` into the text and its attributes."""
    match = _TRAILING.search(text)
    if not match or not _ATTRIBUTE_START.match(match.group(1)):
        return text, None
    try:
        return text[: match.start()], parse_braced(match.group(1))
    except AttributeError_:
        return text, None


def split_leading(text: str) -> tuple[Attributes | None, str]:
    """Split ``{width=50%} and more`` (attributes right after an image) from the text."""
    match = _LEADING.match(text)
    if not match or not _ATTRIBUTE_START.match(match.group(1)):
        return None, text
    try:
        return parse_braced(match.group(1)), text[match.end() :]
    except AttributeError_:
        return None, text


def split_image_attributes(source: str) -> tuple[str, Attributes | None]:
    """Split ``![..](..){alt='a {b} "c"' width=50%}`` (a paragraph's source) into the
    image and its attributes. Quotes are honoured, so values may hold braces; the
    attribute block must end the text. Without one, ``source`` comes back whole."""
    if not source.endswith("}"):
        return source, None
    start = source.rfind("){")
    while start >= 0:
        block = source[start + 1 :]
        if _closes_at_end(block):
            try:
                return source[: start + 1], parse_braced(block[1:-1])
            except AttributeError_:
                pass
        start = source.rfind("){", 0, start)
    return source, None


def _closes_at_end(block: str) -> bool:
    """``block`` starts with ``{`` and its matching ``}`` (outside quotes) is its last character."""
    quote = ""
    for index, char in enumerate(block):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "}":
            return index == len(block) - 1
    return False
