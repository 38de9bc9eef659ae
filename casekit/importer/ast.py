"""Small helpers over pandoc's JSON AST (pandoc-types 1.23): nodes are dicts
``{"t": tag, "c": content}``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Node = dict[str, Any]
Attr = list[Any]  # [id, [classes], [[key, value]]]
EMPTY_ATTR: Attr = ["", [], []]


def node(tag: str, content: Any = None) -> Node:
    return {"t": tag} if content is None else {"t": tag, "c": content}


def div(classes: list[str], blocks: list[Node], title: str = "") -> Node:
    attrs = [["title", title]] if title else []
    return node("Div", [["", classes, attrs], blocks])


def custom_style(block: Node) -> str | None:
    """The Word style pandoc's ``+styles`` put on a Div or Table, if any."""
    if block["t"] not in ("Div", "Table", "Figure"):
        return None
    attr = block["c"][0]
    return dict(attr[2]).get("custom-style")


def plain_text(value: Any) -> str:
    """The text of inlines or blocks (spaces for breaks, notes left out)."""
    parts: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, list):
            for x in item:
                walk(x)
            return
        if not isinstance(item, dict) or "t" not in item:
            return
        tag, content = item["t"], item.get("c")
        if tag == "Str":
            parts.append(content)
        elif tag in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif tag in ("Code", "Math"):
            parts.append(content[1])
        elif tag == "Note":
            return
        elif tag in ("Para", "Plain", "Header"):
            if parts and parts[-1] != " ":
                parts.append(" ")
            walk(content)
        elif tag in ("Link", "Image") or tag == "Quoted":
            walk(content[1])
        elif tag in ("Span", "Div", "Cite"):
            walk(content[1] if tag != "Cite" else content[1])
        else:
            walk(content)

    walk(value)
    return " ".join("".join(parts).split())


def nodes(value: Any, tag: str) -> Iterator[Node]:
    """Every node of type ``tag`` in ``value`` (blocks, inlines or a node), depth first."""
    if isinstance(value, list):
        for item in value:
            yield from nodes(item, tag)
    elif isinstance(value, dict) and "t" in value:
        if value["t"] == tag:
            yield value
        if "c" in value:
            yield from nodes(value["c"], tag)


def inlines_of(block: Node) -> list[Node]:
    """The inlines of a paragraph (``[]`` for other blocks)."""
    return block["c"] if block["t"] in ("Para", "Plain") else []


def unwrap_styles(blocks: list[Node]) -> list[tuple[str, Node]]:
    """(style, block) with Word's style Divs taken off; "" when unstyled."""
    out: list[tuple[str, Node]] = []
    for block in blocks:
        style = custom_style(block) if block["t"] == "Div" else None
        if style is not None:
            out.extend((style, inner) for _, inner in unwrap_styles(block["c"][1]))
        else:
            out.append((custom_style(block) or "", block))
    return out


def strip_style_divs(value: Any) -> Any:
    """``value`` with every Word-style Div replaced by its content, at any depth."""
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if isinstance(item, dict) and item.get("t") == "Div" and custom_style(item):
                out.extend(strip_style_divs(item["c"][1]))
            else:
                out.append(strip_style_divs(item))
        return out
    if isinstance(value, dict) and "c" in value:
        return {**value, "c": strip_style_divs(value["c"])}
    return value


def drop_leading_text(inlines: list[Node], prefix_len: int) -> list[Node]:
    """``inlines`` without the first ``prefix_len`` characters of their plain text
    (a label such as ``Figure 1.2: ``); markup around the rest is kept."""
    out: list[Node] = []
    left = prefix_len
    for item in inlines:
        if left <= 0:
            out.append(item)
            continue
        tag = item["t"]
        if tag == "Str":
            if len(item["c"]) <= left:
                left -= len(item["c"])
            else:
                out.append(node("Str", item["c"][left:]))
                left = 0
        elif tag in ("Space", "SoftBreak", "LineBreak"):
            left -= 1
        elif tag in ("Emph", "Strong", "Underline", "SmallCaps", "Strikeout"):
            text = len(plain_text(item["c"]))
            if text <= left:
                left -= text
            else:
                out.append(node(tag, drop_leading_text(item["c"], left)))
                left = 0
        else:
            left = 0
            out.append(item)
    while out and out[0]["t"] in ("Space", "SoftBreak"):
        out.pop(0)
    return out
