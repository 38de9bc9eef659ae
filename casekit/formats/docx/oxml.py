"""Tiny helpers for writing WordprocessingML elements python-docx has no API for."""

from __future__ import annotations

import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Hashable
from typing import Generic, TypeVar

from docx.oxml.ns import NamespacePrefixedTag, qn
from docx.oxml.parser import oxml_parser
from docx.oxml.xmlchemy import BaseOxmlElement

K = TypeVar("K", bound=Hashable)

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@functools.cache
def _tag(tag: str) -> tuple[str, dict[str, str]]:
    """Clark name and namespace map of ``w:p``-style tags (what ``OxmlElement`` works out
    on every call: a large share of the build for a long course)."""
    prefixed = NamespacePrefixedTag(tag)
    return prefixed.clark_name, prefixed.nsmap


@functools.cache
def _attribute(key: str) -> str:
    return qn(key.replace("_", ":", 1) if "_" in key else f"w:{key}")


def el(tag: str, *children: BaseOxmlElement, **attrs: str | int) -> BaseOxmlElement:
    """``el("w:shd", val="clear", fill="EEEEEE")``: attributes get the ``w:`` prefix
    unless they already name one (``r_id`` -> ``r:id``)."""
    clark, nsmap = _tag(tag)
    element = oxml_parser.makeelement(clark, nsmap=nsmap)
    for key, value in attrs.items():
        element.set(_attribute(key), str(value))
    for child in children:
        element.append(child)
    return element


def xml_text(text: str) -> str:
    """``text`` without the control characters XML cannot carry."""
    return NOT_XML.sub("", text)


def text_run(text: str, rpr: BaseOxmlElement | None = None) -> BaseOxmlElement:
    """A ``w:r`` holding ``text``: spaces kept, tabs as ``w:tab``, and the control
    characters XML cannot carry dropped."""
    run = el("w:r")
    if rpr is not None:
        run.append(rpr)
    for index, piece in enumerate(xml_text(text).split("\t")):
        if index:
            run.append(el("w:tab"))
        if piece:
            t = el("w:t")
            t.text = piece
            t.set(XML_SPACE, "preserve")
            run.append(t)
    return run


def set_paragraph_style(p: BaseOxmlElement, style_id: str) -> None:
    """Give paragraph ``p`` the style ``style_id`` (``w:pStyle`` is the first child of
    ``w:pPr``). python-docx's ``p.style = ...`` gets there by testing for each of the
    thirty elements that may follow, which dominated writing a long course."""
    ppr = p.find(_tag("w:pPr")[0])
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    old = ppr.find(_tag("w:pStyle")[0])
    if old is not None:
        ppr.remove(old)
    ppr.insert(0, el("w:pStyle", val=style_id))


class Prototypes(ABC, Generic[K]):
    """Small element trees built once per key (by ``build``) and copied on every use.

    Copying a tree is about six times faster than building it element by element:
    python-docx gives every new element a proxy of its own class, and a long course
    writes hundreds of thousands of them (runs, run properties, styled paragraphs).
    Subclasses define ``build`` rather than being handed a callback, so that no
    reference cycle keeps a finished document alive until a full garbage collection
    (the build runs formats one after another without those, see ``gc_tuning``)."""

    def __init__(self) -> None:
        self._built: dict[K, BaseOxmlElement] = {}

    @abstractmethod
    def build(self, key: K) -> BaseOxmlElement:
        """The prototype for ``key``."""

    def __call__(self, key: K) -> BaseOxmlElement:
        prototype = self._built.get(key)
        if prototype is None:
            prototype = self._built[key] = self.build(key)
        return prototype.__copy__()  # lxml copies the whole subtree


class StyledParagraphs(Prototypes[str]):
    """Empty paragraphs of one paragraph style each."""

    def build(self, key: str) -> BaseOxmlElement:
        return el("w:p", el("w:pPr", el("w:pStyle", val=key)))
