"""Bookmarks for every anchor, and hyperlinks to them or to the outside."""

from __future__ import annotations

import hashlib
import re

from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import el


class Bookmarks:
    """Maps the tree's anchors to Word bookmark names (letters, digits, ``_``; <= 40):
    ``ck``, a digest of the anchor (so a name does not depend on which anchors came
    before: lessons are rendered apart, ``pieces.py``), and the anchor's ASCII letters."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.placed: set[str] = set()  # in the piece being written

    def name(self, anchor: str) -> str:
        if anchor not in self.names:
            ascii_part = re.sub(r"[^A-Za-z0-9_]", "_", anchor)[:27]
            key = hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:10]
            self.names[anchor] = f"ck{key}_{ascii_part}"
        return self.names[anchor]

    def mark(self, paragraph: BaseOxmlElement, anchor: str) -> None:
        """Put a bookmark named after ``anchor`` at the start of ``paragraph`` (once);
        its id counts in the piece (``pieces.Assembly`` numbers it in the document)."""
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


def external_link(r_id: str) -> BaseOxmlElement:
    """An empty ``w:hyperlink`` through relationship ``r_id`` (an external link's)."""
    return el("w:hyperlink", r_id=r_id, history=1)
