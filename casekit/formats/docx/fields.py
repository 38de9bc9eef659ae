"""Word fields (complex fields) with a result that shows before any update."""

from __future__ import annotations

from docx.oxml.xmlchemy import BaseOxmlElement

from casekit.formats.docx.oxml import XML_SPACE, el, text_run


def _char(kind: str, dirty: bool = False) -> BaseOxmlElement:
    char = el("w:fldChar", fldCharType=kind)
    if dirty:
        char.set(char.tag.replace("fldChar", "dirty"), "true")
    return el("w:r", char)


def field_begin(instruction: str, dirty: bool = False) -> list[BaseOxmlElement]:
    """The runs that open a field and end its instruction (the result follows)."""
    instr = el("w:instrText")
    instr.text = f" {instruction} "
    instr.set(XML_SPACE, "preserve")
    return [_char("begin", dirty), el("w:r", instr), _char("separate")]


def field_end() -> BaseOxmlElement:
    return _char("end")


def simple_field(
    instruction: str, result: str, rpr: BaseOxmlElement | None = None
) -> list[BaseOxmlElement]:
    """A whole field in runs: ``PAGE``, ``NUMPAGES``, ``PAGEREF name \\h``."""
    return [*field_begin(instruction), text_run(result, rpr), field_end()]
