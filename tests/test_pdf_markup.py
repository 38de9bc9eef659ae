"""Paragraph markup read without html.parser gives reportlab's own fragments, and
whatever it does not read is left to reportlab's parser."""

from __future__ import annotations

import pytest
from reportlab.lib.abag import ABag
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph
from reportlab.platypus.paraparser import ParaParser

from casekit.formats.pdf.flowables import FastParagraph, LazyParagraph
from casekit.formats.pdf.markup import parsed_frags

STYLE = ParagraphStyle("t", fontName="Helvetica", fontSize=10.5)

READ = [
    "Әліпби <b>қазақ</b> тілі",
    "<i>курсив</i> мен <b><i>екеуі</i></b> &amp; &lt;тег&gt; &quot;x&quot; &#x27;y&#39;",
    'код: <font face="Courier">ls -la &amp;&amp; cd</font>, <b><font face="Courier">x</font></b>',
    "<strike>өшірілген</strike> <u>астын</u> H<sub>2</sub>O x<super>2</super> a<br/>b",
    '<a name="s1"/>Тақырып <a href="#s2" color="#1155cc">сілтеме</a> (бет 3)',
    '<a name="fn-1"/><super><a href="#note-1" color="#1155cc">1</a></super> сөз',
    '<font size="8.5">кіші</font> <font backColor="#fff0a0">белгі</font>',
    '<a href="https://example.org/a?b=1&amp;c=2" color="#1155cc">сайт</a>',
    "  бос   орын  <b> жуан </b>  ",
]
LEFT = ['<img src="x.png"/>', "<b>ашық", "<b>x</i>", "<para>x</para>", "<b class='x'>y</b>"]


def frags(items: list[object]) -> list[object]:
    """Fragments as plain values (reportlab's ABag objects compare by identity)."""

    def plain(value: object) -> object:
        if isinstance(value, ABag):
            return {k: plain(v) for k, v in vars(value).items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return [plain(f) for f in items]


@pytest.mark.parametrize("markup", READ)
def test_markup_gives_the_parsers_fragments(markup: str) -> None:
    _style, expected, _bullets = ParaParser().parse(markup, STYLE)
    ours = parsed_frags(markup, STYLE, 1)
    assert ours is not None and frags(ours) == frags(expected)
    fast, plain = FastParagraph(markup, STYLE), Paragraph(markup, STYLE)
    assert frags(fast.frags) == frags(plain.frags) and fast.text == plain.text
    assert shown(fast.breakLines([120])) == shown(plain.breakLines([120]))


def shown(broken: ABag) -> list[object]:
    """Broken lines as (spare width, words): plain tuples or reportlab's line records."""
    if broken.kind == 0:
        return [(extra, list(words)) for extra, words in broken.lines]
    return [(ln.extraSpace, [w.text for w in ln.words]) for ln in broken.lines]


@pytest.mark.parametrize("markup", LEFT)
def test_other_markup_is_left_to_the_parser(markup: str) -> None:
    assert parsed_frags(markup, STYLE, 1) is None


def test_refused_markup_is_refused_as_the_parser_refuses_it() -> None:
    with pytest.raises(ValueError, match="saw </para> instead of expected </b>"):
        LazyParagraph("<b>ашық", STYLE)


@pytest.mark.parametrize(
    "text",
    [
        "Қазақ тілі",
        "",
        " ",
        "a  b",
        " a",
        "a ",
        "a\nb",
        "a\tb",
        "a\xa0b",
        "a\xa0 b",
        "a\u2009b",
        "a\u200bb",
        "a\u3000b",
        "a\x1fb",
        "a\u2028b",
        "<b>x</b> &amp; y",
    ],
)
def test_clean_text_is_left_as_it_is(text: str) -> None:
    """Text needing no cleaning skips reportlab's cleaner; any other is its result."""
    from reportlab.platypus.paragraph import cleanBlockQuotedText

    from casekit.formats.pdf.flowables import _cleaned

    def refuse(_: str) -> str:
        raise AssertionError("cleaned again")

    expected = cleanBlockQuotedText(text)
    if expected == text and text.isprintable():
        assert _cleaned(text, refuse) == text
    assert _cleaned(text, cleanBlockQuotedText) == expected
