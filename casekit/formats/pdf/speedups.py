"""A fix for a slow spot of reportlab's line breaking, installed before layout.

``reportlab.platypus.paragraph.sameFrag`` (from the ``_rl_accel`` C extension) asks
each text fragment for attributes it usually lacks (``cbDefn``, ``lineBreak``,
``backColor``, ``nobr``), raising and clearing an ``AttributeError`` each time:
about 9 µs per call, once per word of every paragraph with mixed fonts (bold,
italic, code), which made it the largest single cost of the layout. The version
here is reportlab's own pure-Python fallback (``reportlab.lib.rl_accel``), which
reads the attribute dictionaries instead: same answers, about 1.5 µs.
"""

from __future__ import annotations

from typing import Any

import reportlab.platypus.paragraph as rl_paragraph

_COMPARED = ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor", "nobr")


def same_frag(f: Any, g: Any) -> bool:
    """True when fragments ``f`` and ``g`` may share one run of text on a line."""
    fd, gd = f.__dict__, g.__dict__
    if "cbDefn" in fd or "lineBreak" in fd or "cbDefn" in gd or "lineBreak" in gd:
        return False
    return list(map(fd.get, _COMPARED)) == list(map(gd.get, _COMPARED))


def install() -> None:
    """Use ``same_frag`` in reportlab's paragraph layout (idempotent)."""
    rl_paragraph.sameFrag = same_frag
