"""Parser details that pandoc, Quarto and Carpentries sources rely on."""

from __future__ import annotations

import textwrap

from casekit import tree as t
from casekit.diagnostics import Diagnostics
from casekit.parse.lesson import parse_lesson


def parse(text: str) -> tuple[t.Lesson, Diagnostics]:
    diags = Diagnostics()
    return parse_lesson("lessons/a.md", "# Lesson\n\n" + textwrap.dedent(text), diags), diags


def test_heading_attributes_unnumbered_shorthand_and_classes_are_not_text() -> None:
    lesson, diags = parse(
        """\
        ## Preface {-}

        ## Summary {.unnumbered}

        ## Money {#money .unnumbered}
        """
    )
    headings = [b for b in lesson.blocks if isinstance(b, t.Heading)]
    assert [(t.plain_text(h.children), h.id) for h in headings] == [
        ("Preface", ""),
        ("Summary", ""),
        ("Money", "money"),
    ]
    assert diags.sorted() == []


def test_heading_with_braces_that_are_not_attributes_keeps_them() -> None:
    lesson, _ = parse("## Sets {1, 2, 3}\n")
    (heading,) = lesson.blocks
    assert isinstance(heading, t.Heading)
    assert t.plain_text(heading.children) == "Sets {1, 2, 3}"


def test_image_with_pandoc_key_value_attributes_is_still_a_figure() -> None:
    lesson, _ = parse(
        """\
        ![A chart](../media/a.png){width=50%}

        ![A map](../media/b.png "The town map"){#fig-map width="80%"}
        """
    )
    first, second = lesson.blocks
    assert isinstance(first, t.Figure) and isinstance(second, t.Figure)
    assert (first.alt, first.id, t.plain_text(first.caption)) == ("A chart", "", "A chart")
    assert (second.alt, second.id, t.plain_text(second.caption)) == (
        "A map",
        "fig-map",
        "The town map",
    )


def test_quarto_fig_alt_gives_the_alt_text_and_the_brackets_the_caption() -> None:
    lesson, _ = parse('![Monthly budget](../media/a.svg){#fig-budget fig-alt="Bars: rent 35%"}\n')
    (figure,) = lesson.blocks
    assert isinstance(figure, t.Figure)
    assert figure.alt == "Bars: rent 35%"
    assert t.plain_text(figure.caption) == "Monthly budget"
    assert figure.id == "fig-budget"


def test_media_in_image_syntax_keeps_its_quoted_title_as_caption() -> None:
    lesson, _ = parse('![Interview steps](../media/v.mp4 "Four steps, *30 seconds*"){#v1}\n')
    (media,) = lesson.blocks
    assert isinstance(media, t.MediaBlock)
    assert (media.kind, media.title, media.id) == ("video", "Interview steps", "v1")
    (caption,) = media.caption
    assert isinstance(caption, t.Paragraph)
    assert isinstance(caption.children[1], t.Emph)
    assert t.plain_text(caption.children) == "Four steps, 30 seconds"


def test_attributes_after_an_image_in_running_text_are_not_shown() -> None:
    lesson, _ = parse("Press ![the power icon](../media/p.png){width=1em} to start.\n")
    (paragraph,) = lesson.blocks
    assert isinstance(paragraph, t.Paragraph)
    assert t.plain_text(paragraph.children) == "Press the power icon to start."


def test_table_caption_before_or_after_the_table() -> None:
    lesson, _ = parse(
        """\
        | a | b |
        |---|---|
        | 1 | 2 |

        Table: After the first table {#tbl-first}

        Table: Before the second table {#tbl-second}

        | c | d |
        |---|---|
        | 3 | 4 |

        : Short form before the third

        | e |
        |---|
        | 5 |
        """
    )
    tables = [b for b in lesson.blocks if isinstance(b, t.Table)]
    assert [(t.plain_text(x.caption), x.id) for x in tables] == [
        ("After the first table", "tbl-first"),
        ("Before the second table", "tbl-second"),
        ("Short form before the third", ""),
    ]
    # ": Short form before the third" sits after table 2's block... no: after table 2
    # comes the paragraph, which is a caption-shaped paragraph before table 3
    assert len(lesson.blocks) == 3
