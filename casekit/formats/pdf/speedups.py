"""Fixes for slow spots of reportlab's line breaking, installed before layout.

Breaking paragraphs into lines is most of the PDF build, and three helpers it
calls once or more per word cost more than the rest of its work:

- ``sameFrag`` (from the ``_rl_accel`` C extension) asks each text fragment for
  attributes it usually lacks (``cbDefn``, ``lineBreak``, ``backColor``, ``nobr``),
  raising and clearing an ``AttributeError`` each time: about 9 µs per call for
  paragraphs with mixed fonts (bold, italic, code). ``same_frag`` is reportlab's
  own pure-Python fallback (``reportlab.lib.rl_accel``): same answers, ~1.5 µs.
- ``getAscentDescent`` raises and catches an ``AttributeError`` for every
  TrueType font; ``stringWidth`` measures the same words over and over (course
  text repeats its vocabulary). Both are pure functions of their arguments, so
  their results are remembered for the build.

Drawing text encodes every character in Python (``TTFont.splitString``: a subset
and a code per character, the code given on the character's first use).
``split_string`` encodes text whose characters all have their code in the first
subset (most text: the packet gives its characters their codes before layout) with
a ``codecs`` character map, in C, looks up other characters that already have their code all
at once, and leaves any new character to reportlab's own method, which gives it its
code. It also notes the characters drawn outside the first subset (``recording``):
what a piece of the packet depends on of the fonts' codes (``codes.py``).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from typing import Any
from weakref import WeakKeyDictionary

import reportlab.platypus.paragraph as rl_paragraph
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: what ``codecs.charmap_build`` makes of a table it can encode with in C
_ENCODING_MAP = codecs.charmap_build("".join(map(chr, range(256))))
_COMPARED = ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor", "nobr")
#: remembered widths are forgotten beyond this many (a few tens of MB at most)
MAX_REMEMBERED_WIDTHS = 300_000

#: per (font, size, encoding): the width of each text measured in it
_widths: dict[tuple[str, float, str], dict[str, float]] = {}
_remembered = 0
_extents: dict[tuple[str, float | None], tuple[float, float]] = {}


def same_frag(f: Any, g: Any) -> bool:
    """True when fragments ``f`` and ``g`` may share one run of text on a line."""
    fd, gd = f.__dict__, g.__dict__
    if "cbDefn" in fd or "lineBreak" in fd or "cbDefn" in gd or "lineBreak" in gd:
        return False
    return list(map(fd.get, _COMPARED)) == list(map(gd.get, _COMPARED))


def widths_in(font_name: str, font_size: float, encoding: str = "utf8") -> dict[str, float]:
    """The widths of texts measured so far in a font and size (``string_width``
    measures and adds to them), for a caller that looks up many at once."""
    key = (font_name, font_size, encoding)
    known = _widths.get(key)
    if known is None:
        known = _widths[key] = {}
    return known


def string_width(text: str, font_name: str, font_size: float, encoding: str = "utf8") -> float:
    global _remembered
    known = widths_in(font_name, font_size, encoding)
    width = known.get(text)
    if width is None:
        if _remembered >= MAX_REMEMBERED_WIDTHS:
            for each in _widths.values():
                each.clear()
            _remembered = 0
        _remembered += 1
        width = known[text] = pdfmetrics.stringWidth(text, font_name, font_size, encoding)
    return width


def ascent_descent(font_name: str, font_size: float | None = None) -> tuple[float, float]:
    key = (font_name, font_size)
    extent = _extents.get(key)
    if extent is None:
        extent = _extents[key] = pdfmetrics.getAscentDescent(font_name, font_size)
    return extent


_split_string = TTFont.splitString
#: per font and document (a font's ``state``): the number of codes given when the map
#: was made, and the map from each character with a code below 256 to that code
#: (``None``: U+0000 has a code of its own, which the map cannot tell from code 0)
_first_subset: WeakKeyDictionary[Any, tuple[int, Any]] = WeakKeyDictionary()


def _first_subset_map(font: TTFont, state: Any) -> Any:
    assignments = state.assignments
    made = _first_subset.get(state)
    if made is not None and made[0] == len(assignments):
        return made[1]
    encoding = None
    null = assignments.get(0)  # U+0000: code 0 (reportlab's own), or none and no glyph
    if null == 0 or (null is None and 0 not in font.face.charToGlyph):
        # a decoding table: code -> character, U+FFFE where no character has the code
        # (U+0000 at 0: a character without a glyph is drawn as code 0 too)
        table = ["\x00"] + ["\ufffe"] * 255
        for char, code in assignments.items():
            if code < 256:
                table[code] = chr(char)
        encoding = codecs.charmap_build("".join(table))
        if not isinstance(encoding, type(_ENCODING_MAP)):  # not a C map: a dict, slower
            encoding = None
    _first_subset[state] = (len(assignments), encoding)
    return encoding


#: per font, the characters drawn outside its first subset while ``recording``
_printed: dict[TTFont, set[str]] | None = None


@contextmanager
def recording() -> Iterator[dict[TTFont, set[str]]]:
    """The characters drawn meanwhile outside their font's first subset, per font
    (``codes.py``: the codes in the first subset are the same in every packet; a
    character given its code while drawn is drawn outside the map at least once)."""
    global _printed
    before, _printed = _printed, {}
    try:
        yield _printed
    finally:
        _printed = before


def split_string(font: TTFont, text: str, doc: Any, encoding: str = "utf-8") -> list[Any]:
    """``TTFont.splitString``: ``text`` as runs of (subset, codes) in ``font`` for ``doc``."""
    state = font.state.get(doc)
    first = None if state is None else _first_subset_map(font, state)
    if first is not None and isinstance(text, str):
        try:
            data = codecs.charmap_encode(text.replace("\xa0", " "), "strict", first)[0]
        except UnicodeEncodeError:  # a character in another subset, or without its code yet
            pass
        else:
            return [(0, data)] if data else []
    if _printed is not None:
        drawn = text if isinstance(text, str) else text.decode("utf-8")
        _printed.setdefault(font, set()).update(drawn)
    if state is None or not isinstance(text, str):
        return _split_string(font, text, doc, encoding)
    assignments = state.assignments
    try:
        codes = [assignments[c] for c in map(ord, text.replace("\xa0", " "))]
    except KeyError:  # a character without its code yet (or without a glyph)
        return _split_string(font, text, doc, encoding)
    if not codes:
        return []
    if max(codes) < 256:  # all in the first subset: most text
        return [(0, bytes(codes))]
    runs: list[Any] = []
    for subset, group in groupby(codes, lambda n: n >> 8):
        runs.append((subset, bytes(n & 0xFF for n in group)))
    return runs


@contextmanager
def installed() -> Iterator[None]:
    """Use the helpers above in reportlab's paragraph layout while casekit lays out a
    PDF, with empty memories (fonts registered since the last build may reuse a name);
    reportlab's own helpers are back afterwards, for any other caller in the process."""
    _forget()
    saved = (rl_paragraph.sameFrag, rl_paragraph.stringWidth, rl_paragraph.getAscentDescent)
    rl_paragraph.sameFrag = same_frag
    rl_paragraph.stringWidth = string_width
    rl_paragraph.getAscentDescent = ascent_descent
    TTFont.splitString = split_string  # type: ignore[method-assign]
    try:
        yield
    finally:
        rl_paragraph.sameFrag, rl_paragraph.stringWidth, rl_paragraph.getAscentDescent = saved
        TTFont.splitString = _split_string  # type: ignore[method-assign]
        _forget()


def _forget() -> None:
    global _remembered
    _widths.clear()
    _extents.clear()
    _remembered = 0
