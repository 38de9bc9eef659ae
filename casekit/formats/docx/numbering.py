"""List numbering: every list gets its own numbering instance.

A ``List Number`` style alone carries one numbering id, so two lists would
continue each other (1, 2 ... 3, 4). Here each list gets a new ``w:num`` that
points to casekit's bullet or decimal abstract numbering and restarts at the
list's start number; nested lists use the next indentation level.
"""

from __future__ import annotations

import functools

from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import el

LEVELS = 9
BULLETS = ("•", "◦", "▪")
INDENT_TWIPS = 360  # per level
HANGING_TWIPS = 360


def _level(ilvl: int, ordered: bool) -> BaseOxmlElement:
    if ordered:
        fmt, text = "decimal", f"%{ilvl + 1}."
    else:
        fmt, text = "bullet", BULLETS[ilvl % len(BULLETS)]
    return el(
        "w:lvl",
        el("w:start", val=1),
        el("w:numFmt", val=fmt),
        el("w:lvlText", val=text),
        el("w:lvlJc", val="left"),
        el(
            "w:pPr",
            el("w:ind", left=INDENT_TWIPS * (ilvl + 1) + HANGING_TWIPS // 2, hanging=HANGING_TWIPS),
        ),
        ilvl=ilvl,
    )


class ListNumbering:
    """Adds casekit's two abstract numberings to a document and hands out instances."""

    def __init__(self, doc: Document) -> None:
        self.root = doc.part.numbering_part.element
        abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in self._all("w:abstractNum")]
        num_ids = [int(n.get(qn("w:numId"))) for n in self._all("w:num")]
        first = max(abstract_ids, default=-1) + 1
        self.next_num = max(num_ids, default=0) + 1
        self.abstract = {False: first, True: first + 1}
        for ordered, abstract_id in self.abstract.items():
            element = el(
                "w:abstractNum",
                el("w:nsid", val=f"CA5E{abstract_id:04X}"[-8:]),
                el("w:multiLevelType", val="hybridMultilevel"),
                *(_level(ilvl, ordered) for ilvl in range(LEVELS)),
                abstractNumId=abstract_id,
            )
            self._insert_abstract(element)

    def _all(self, tag: str) -> list[BaseOxmlElement]:
        return self.root.findall(qn(tag))

    def _insert_abstract(self, element: BaseOxmlElement) -> None:
        """Abstract numberings must come before every ``w:num``."""
        nums = self._all("w:num")
        if nums:
            nums[0].addprevious(element)
        else:
            self.root.append(element)

    def new_list(self, ordered: bool, level: int, start: int = 1) -> int:
        """A fresh numbering instance (its ``numId``) starting at ``start`` on ``level``."""
        num_id = self.next_num
        self.next_num += 1
        num = el(
            "w:num",
            el("w:abstractNumId", val=self.abstract[ordered]),
            el("w:lvlOverride", el("w:startOverride", val=start), ilvl=level),
            numId=num_id,
        )
        cleanup = self.root.find(qn("w:numIdMacAtCleanup"))  # must stay last (Word for Mac)
        if cleanup is not None:
            cleanup.addprevious(num)
        else:
            self.root.append(num)
        return num_id


@functools.cache
def _numbering_properties(level: int) -> BaseOxmlElement:
    return el("w:numPr", el("w:ilvl", val=level), el("w:numId", val=0))


def number_paragraph(ppr: BaseOxmlElement, num_id: int, level: int) -> None:
    """Attach a paragraph (its ``w:pPr``) to list ``num_id`` at indentation ``level``."""
    numpr = _numbering_properties(level).__copy__()  # copied: see oxml.Prototypes
    numpr[1].set(qn("w:val"), str(num_id))
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(numpr)
    else:
        ppr.insert(0, numpr)
