"""Tiny helpers for writing WordprocessingML elements python-docx has no API for."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement


def el(tag: str, *children: BaseOxmlElement, **attrs: str | int) -> BaseOxmlElement:
    """``el("w:shd", val="clear", fill="EEEEEE")``: attributes get the ``w:`` prefix
    unless they already name one (``r_id`` -> ``r:id``)."""
    element = OxmlElement(tag)
    for key, value in attrs.items():
        name = key.replace("_", ":", 1) if "_" in key else f"w:{key}"
        element.set(qn(name), str(value))
    for child in children:
        element.append(child)
    return element


def text_run(text: str, rpr: BaseOxmlElement | None = None) -> BaseOxmlElement:
    """A ``w:r`` holding ``text`` (spaces kept)."""
    run = el("w:r")
    if rpr is not None:
        run.append(rpr)
    t = el("w:t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    return run
