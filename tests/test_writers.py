"""Every tree writer handles every node type of ``tree.py``: a block or inline type added
to the tree without a handler in each writer fails here, not in a user's build."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.render.walk import BLOCK_TYPES, INLINE_TYPES, TreeWriter
from tests.conftest import MINI

SAMPLE_VALUES: dict[Any, Any] = {str: "x", int: 1, bool: False, float: 1.0}


def sample(kind: type) -> Any:
    """An instance of the tree node ``kind`` with plain values in its required fields."""
    hints = typing.get_type_hints(kind, vars(t))
    values = {}
    for f in dataclasses.fields(kind):
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        hint = hints[f.name]
        origin = typing.get_origin(hint)
        values[f.name] = (
            [t.Text("x")]
            if origin is list
            else t.Pos("a.md")
            if hint is t.Pos
            else SAMPLE_VALUES[hint]
        )
    return kind(**values)


def all_writers() -> list[type[TreeWriter]]:
    import casekit.bundle.viewer
    import casekit.formats.docx.writer
    import casekit.formats.epub.writer
    import casekit.formats.html
    import casekit.formats.pdf.writer  # noqa: F401

    found, todo = [], list(TreeWriter.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__name__)


def test_the_tree_types_are_known() -> None:
    assert {"Heading", "Quiz", "MediaBlock", "Div", "RawBlock"} <= {k.__name__ for k in BLOCK_TYPES}
    assert {"Text", "Link", "FootnoteRef", "RawInline"} <= {k.__name__ for k in INLINE_TYPES}
    assert {cls.__name__ for cls in all_writers()} >= {
        "HtmlWriter",
        "EpubWriter",
        "ViewerWriter",
        "SinglePageWriter",
        "PdfWriter",
        "DocxWriter",
    }


@pytest.mark.parametrize("writer", all_writers(), ids=lambda cls: cls.__name__)
def test_every_block_type_has_a_method_in_every_writer(writer: type[TreeWriter]) -> None:
    assert writer.unhandled() == []


def test_a_missing_block_method_is_named_not_guessed() -> None:
    from casekit.render.html import HtmlWriter

    class Partial(HtmlWriter):
        block_quiz = None  # type: ignore[assignment]

    del Partial.block_quiz
    Partial.block_methods.pop(t.Quiz)
    assert Partial.unhandled() == ["Quiz"]
    course = load_course(MINI, Diagnostics())
    with pytest.raises(TypeError, match="Partial cannot write a Quiz block"):
        Partial(course).block(sample(t.Quiz))


def inline_writers() -> Iterator[tuple[str, Callable[[t.Inline], object]]]:
    """Each writer's ``inline``, ready to take one node."""
    from casekit.bundle.viewer import ViewerWriter
    from casekit.formats.docx import DocxOptions
    from casekit.formats.docx.oxml import el
    from casekit.formats.docx.page import set_up_page
    from casekit.formats.docx.pieces import ImageStore, Story
    from casekit.formats.docx.reference import load_reference
    from casekit.formats.docx.writer import DocxWriter, RunFormat
    from casekit.formats.epub.writer import BookFiles, EpubWriter
    from casekit.formats.pdf import PdfOptions
    from casekit.formats.pdf.document import PageSetup
    from casekit.formats.pdf.flowables import LayoutState
    from casekit.formats.pdf.fonts import load_fonts
    from casekit.formats.pdf.styles import make_styles
    from casekit.formats.pdf.writer import PdfWriter
    from casekit.render.html import HtmlWriter
    from casekit.render.page import SinglePageWriter

    course = load_course(MINI, Diagnostics())
    assert course is not None
    for html in (
        HtmlWriter(course),
        EpubWriter(course, BookFiles()),
        ViewerWriter(course),
        SinglePageWriter(course),
    ):
        yield type(html).__name__, html.inline
    fonts = load_fonts(course)
    setup = PageSetup.from_options(PdfOptions())
    pdf = PdfWriter(
        course,
        fonts,
        make_styles(fonts, False),
        LayoutState(),
        setup.frame_width,
        setup.frame_height,
        setup.paper,
    )
    yield "PdfWriter", pdf.inline
    doc = load_reference(course)
    docx = DocxWriter(course, doc, set_up_page(doc, DocxOptions()), ImageStore(None))
    docx.begin_piece(Story(doc.element.nsmap, docx.footnotes.part.element.nsmap), 0)
    yield "DocxWriter", lambda node: docx.inline(el("w:p"), node, RunFormat())


def test_every_inline_type_is_written_by_every_writer() -> None:
    written = []
    for name, inline in inline_writers():
        for kind in INLINE_TYPES:
            inline(sample(kind))  # an unknown inline type raises TypeError
            written.append((name, kind.__name__))
    assert len(written) == 6 * len(INLINE_TYPES)
