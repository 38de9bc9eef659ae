"""casekit's line breaking of paragraphs in several fonts (``linebreak.py``) gives
reportlab's own lines, fragments and measures, and leaves to reportlab what it does
not handle itself."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab.lib.abag import ABag
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from casekit.formats.pdf import speedups
from casekit.formats.pdf.fonts import bundled_face
from casekit.formats.pdf.linebreak import _text_frag_words, break_mixed

SHY = "қауіп\xadсіз\xadдік"
#: (markup, whether casekit breaks it itself at some of ``WIDTHS``)
TEXTS = [
    ("Әліпби <b>қазақ</b> тілі, <i>курсив</i> мен <b><i>екеуі</i></b> " * 9, True),
    ('<a name="s1"/>Тақырып <a href="#s2" color="#1155cc">сілтеме</a> (бет 3) ' * 6, True),
    ('Код: <font face="Courier">ls -la &amp;&amp; cd</font>, <b>жуан</b>. ' * 8, True),
    (f"Сөз <b>ай</b> {SHY} <i>үй</i> мәтін " * 3, True),
    (f"Сөз <b>ай</b> {SHY} <i>үй</i> {SHY}, {SHY} мәтін " * 8, False),  # a soft hyphen ends lines
    (
        '<font size="14">Үлкен</font> <super>2</super> H<sub>2</sub>O  бос   орын  <b> жуан </b> '
        * 7,
        True,
    ),
    ("<b>Жуан</b>өрнек<i>бірге</i>жазылған сөз,<b>тыныс</b>.белгі " * 8, True),
    ("<b>а</b>" + "өтеұзынсөзбөлінбейтін" * 6 + " және <i>қалғаны</i> " * 4, False),  # too long
    ('<a name="x"/><b>Тақырып</b>', True),
    (" <i>x</i> ", False),  # one fragment: reportlab's
    ("а<b> б</b>в <i>г </i> д\xa0е <b>ж</b><b></b> <i> </i> з" * 10, True),
]
WIDTHS = [[150.0, 200.0], [90.0, 90.0], [400.0, 380.0], [30.0, 60.0]]


def plain(value: Any) -> Any:
    """reportlab's objects as plain values (its ABag objects compare by identity)."""
    if isinstance(value, ABag):
        return {k: plain(v) for k, v in vars(value).items()}
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, *(plain(v) for v in value)]
    return value


@pytest.fixture(scope="module")
def style() -> ParagraphStyle:
    face = bundled_face("regular")
    return ParagraphStyle(
        "t", fontName=face.name, fontSize=10.5, leading=14, splitLongWords=1, spaceShrinkage=0
    )


def both(text: str, style: ParagraphStyle, bullet: str | None = None) -> tuple[Any, Any]:
    return Paragraph(text, style, bulletText=bullet), Paragraph(text, style, bulletText=bullet)


@pytest.mark.parametrize(("text", "ours_somewhere"), TEXTS, ids=range(len(TEXTS)))
def test_lines_are_reportlabs(text: str, ours_somewhere: bool, style: ParagraphStyle) -> None:
    taken = 0
    with speedups.installed():
        for widths in WIDTHS:
            for bullet in (None, "•"):
                ours, theirs = both(text, style, bullet)
                mine, given = list(widths), list(widths)
                expected = Paragraph.breakLines(theirs, given)
                broken = break_mixed(ours, mine)
                if broken is None:  # left to reportlab (which finds the same fragments)
                    broken = Paragraph.breakLines(ours, mine)
                else:
                    taken += 1
                assert plain(broken) == plain(expected)
                assert plain(ours.frags) == plain(theirs.frags)  # the frag words
                assert mine == given and ours._width_max == theirs._width_max
                # broken again at another width, from the frag words (as after a split)
                again = break_mixed(ours, [120.0, 120.0])
                if again is None:
                    again = Paragraph.breakLines(ours, [120.0, 120.0])
                assert plain(again) == plain(Paragraph.breakLines(theirs, [120.0, 120.0]))
                assert plain(ours.frags) == plain(theirs.frags)
    assert bool(taken) == ours_somewhere


def test_what_is_left_to_reportlab(style: ParagraphStyle) -> None:
    """Hyphenation, a word wider than the line, a soft hyphen at a line's end, an
    image or a ``<br/>`` are reportlab's to handle; plain text too (one fragment)."""
    hyphenated = ParagraphStyle("ru", parent=style, hyphenationLang="ru_RU")
    cases = [
        (Paragraph("Один <b>два</b> три " * 20, hyphenated), [100.0]),
        (Paragraph("<b>а</b> " + "ұзынсөз" * 20, style), [100.0]),
        (Paragraph(f"<b>а</b> {'сөз ' * 3}{SHY}", style), [60.0]),
        (Paragraph("<b>а</b> б<br/>в", style), [300.0]),
        (Paragraph("жай мәтін " * 10, style), [100.0]),
    ]
    with speedups.installed():
        assert break_mixed(Paragraph("<b>а</b> б " * 30, style), [100.0]) is not None
        for para, widths in cases:
            assert break_mixed(para, widths) is None
        # the soft hyphen inside a line is casekit's to break
        assert break_mixed(Paragraph(f"<b>а</b> {SHY} сөз", style), [300.0]) is not None


def test_words_are_reportlabs(style: ParagraphStyle) -> None:
    """Text cut into frag words as reportlab's ``_getFragWords`` cuts it (types,
    widths, fragments), or left to it (soft hyphens, markers)."""
    import reportlab.platypus.paragraph as rl

    cut = 0
    with speedups.installed():
        for text, _ in TEXTS:
            ours, theirs = both(text, style)
            words = _text_frag_words(ours.frags)
            if words is not None:
                cut += 1
                assert plain(words) == plain(rl._getFragWords(theirs.frags))
                assert plain(ours.frags) == plain(theirs.frags)  # the kinds they are given
            else:  # soft hyphens, anchors (zero-width markers)
                assert SHY in text or "<a name" in text
    assert cut == len(TEXTS) - 4
