"""Bookmarks for every anchor, and hyperlinks to them or to the outside."""

from __future__ import annotations

import re

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import el


class Bookmarks:
    """Maps the tree's anchors to Word bookmark names (letters, digits, ``_``; <= 40)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.placed: set[str] = set()

    def name(self, anchor: str) -> str:
        if anchor not in self.names:
            ascii_part = re.sub(r"[^A-Za-z0-9_]", "_", anchor)[:28]
            self.names[anchor] = f"ck{len(self.names) + 1}_{ascii_part}"
        return self.names[anchor]

    def mark(self, paragraph: BaseOxmlElement, anchor: str) -> None:
        """Put a bookmark named after ``anchor`` at the start of ``paragraph`` (once)."""
        if anchor in self.placed:
            return
        self.placed.add(anchor)
        bookmark_id = len(self.placed)
        start = el("w:bookmarkStart", id=bookmark_id, name=self.name(anchor))
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph.insert(0, start)
        start.addnext(el("w:bookmarkEnd", id=bookmark_id))


def internal_link(bookmarks: Bookmarks, anchor: str) -> BaseOxmlElement:
    """An empty ``w:hyperlink`` to a bookmark; runs are appended to it."""
    return el("w:hyperlink", anchor=bookmarks.name(anchor), history=1)


def external_link(part: Part, url: str) -> BaseOxmlElement:
    """An empty ``w:hyperlink`` to ``url`` through a relationship of ``part``."""
    r_id = part.relate_to(url, RT.HYPERLINK, is_external=True)
    return el("w:hyperlink", r_id=r_id, history=1)
