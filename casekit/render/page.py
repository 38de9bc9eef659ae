"""A whole course as one HTML page (the ``html`` format, and a base for others)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Iterator
from functools import partial
from html import escape
from pathlib import Path
from typing import BinaryIO

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from casekit import tree as t
from casekit.render.common import (
    edition_label,
    media_caption,
    qr_svg,
    sorted_glossary,
    source_date,
)
from casekit.render.fragments import Fragments
from casekit.render.html import HtmlWriter, attr
from casekit.render.images import KeptBytes, image_bytes, write_data_uri
from casekit.render.outline import GLOSSARY, MEDIA_INDEX, course_outline
from casekit.render.templates import (
    CourseTemplateLoader,
    active_content_error,
    read_template,
    template_error,
)
from casekit.safety.active_content import find_active_content


def _jinja_environment(course: t.Course, name: str, markup: bool) -> SandboxedEnvironment:
    """Jinja for the template ``name`` (e.g. ``html/page.html.j2``) and its folder:
    sandboxed, because a course may bring its own templates and course sources
    are untrusted."""
    return SandboxedEnvironment(
        loader=CourseTemplateLoader(course, name.rsplit("/", 1)[0]),
        autoescape=markup,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_template(
    course: t.Course,
    name: str,
    /,
    *,
    markup: bool = True,
    scripts: frozenset[str] = frozenset(),
    **context: object,
) -> str:
    """The template ``name`` (e.g. ``html/page.html.j2``: the course's own or casekit's)
    rendered with ``context``; ``markup=False`` for plain text (no escaping). A Jinja
    error is one diagnostic at the template's line, and a page from a course that has
    its own templates may not carry active content: its only scripts are casekit's
    files at exactly the paths ``scripts``."""
    return template(course, name, markup=markup, scripts=scripts)(**context)


def template(
    course: t.Course, name: str, /, *, markup: bool = True, scripts: frozenset[str] = frozenset()
) -> Callable[..., str]:
    """``render_template`` of ``name`` as a function of the context, the template
    compiled once (a book renders its document template once per chapter)."""
    env = _jinja_environment(course, name, markup)
    try:
        compiled = env.get_template(name.rsplit("/", 1)[-1])
    except TemplateError as exc:
        raise template_error(course, exc) from None

    def render(**context: object) -> str:
        try:
            text = compiled.render(**context)
        except TemplateError as exc:
            raise template_error(course, exc) from None
        if markup and course.config.templates:
            found = find_active_content(text, scripts=scripts)
            if found:
                raise active_content_error(course, name, *found)
        return text

    return render


def template_parts(
    course: t.Course, name: str, /, *, scripts: frozenset[str] = frozenset(), **context: object
) -> Iterator[str]:
    """``render_template`` of ``name`` in parts as Jinja makes them, so that a large page
    is never whole in memory (whatever its loops iterate is made as they reach it). A
    course's own template comes whole: it is checked for active content whole."""
    if course.config.templates:
        yield render_template(course, name, scripts=scripts, **context)
        return
    env = _jinja_environment(course, name, True)
    try:
        yield from env.get_template(name.rsplit("/", 1)[-1]).generate(**context)
    except TemplateError as exc:
        raise template_error(course, exc) from None


def glossary_html(course: t.Course, writer: HtmlWriter, level: int) -> str:
    entries = sorted_glossary(course)
    if not entries:
        return ""
    items = "".join(
        f'<dt><a href="{attr(writer.self_href(e.anchor))}">{writer.inlines(e.term)}</a></dt>\n'
        f"<dd>{writer.blocks(e.definition)}</dd>\n"
        for e in entries
    )
    return (
        '<section class="glossary-index" id="glossary">\n'
        + writer.heading(level, escape(writer.msg("glossary")))
        + f'<dl class="glossary">\n{items}</dl>\n</section>\n'
    )


def media_index_html(course: t.Course, writer: HtmlWriter, level: int) -> str:
    items = [m for m in course.media if m.code]
    if not items:
        return ""
    rows = "".join(
        f'<li><div class="qr" aria-hidden="true">{qr_svg(m.target_url)}</div>'
        f"<p><strong>{escape(m.code)}</strong> {escape(media_caption(m, writer.msg))}</p></li>\n"
        for m in items
    )
    return (
        '<section class="media-index" id="media-index">\n'
        + writer.heading(level, escape(writer.msg("media_index")))
        + f'<ul class="media-list">\n{rows}</ul>\n</section>\n'
    )


class SinglePageWriter(HtmlWriter):
    """Images become data URIs so the page carries everything it shows."""

    def __init__(self, course: t.Course, fragments: Fragments | None = None) -> None:
        super().__init__(course, fragments)
        self.root = Path(course.root)

    def image_src(self, item: t.MediaItem) -> str:
        data = base64.b64encode(image_bytes(self.root, item)).decode("ascii")
        return f"data:{item.media_type};base64,{data}"


class StreamedPageWriter(SinglePageWriter):
    """The page as the ``html`` format writes it (``write_page``): each image a mark in
    the lesson's markup (and in its cached fragment), its data URI streamed into the
    file from the image's file as the page is written: no lesson holds its pictures."""

    def image_src(self, item: t.MediaItem) -> str:
        return f"{_IMAGE}{item.sha256}\0"


_IMAGE = "\0casekit-image:"
_IMAGE_MARK = re.compile(re.escape(_IMAGE) + "([0-9a-f]{64})\0")


def write_page(course: t.Course, writer: StreamedPageWriter, out: BinaryIO) -> None:
    """The single page (``page_parts``) into ``out`` as UTF-8, part by part, each image
    mark replaced by the image's data URI (``write_data_uri``). A small image's URI is
    kept (``KeptBytes``: bounded) for the other figures showing it: read, stripped and
    encoded once, not once a figure."""
    images = {item.sha256: item for item in course.media if item.kind == "image"}
    kept = KeptBytes()
    for part in page_parts(course, writer):
        done = 0
        for mark in _IMAGE_MARK.finditer(part):
            item = images.get(mark[1])
            if item is not None:
                out.write(part[done : mark.start()].encode("utf-8"))
                if KeptBytes.keeps(item.size * 4 // 3):  # its base64
                    out.write(kept.get(item.sha256, partial(_data_uri, writer.root, item)))
                else:
                    write_data_uri(writer.root, item, out)
                done = mark.end()
        out.write(part[done:].encode("utf-8"))


def _data_uri(root: Path, item: t.MediaItem) -> bytes:
    into = io.BytesIO()
    write_data_uri(root, item, into)
    return into.getvalue()


def appendix_html(course: t.Course, writer: HtmlWriter, key: str, level: int) -> str:
    """One back-matter section of the outline (``render/outline.py``) as HTML."""
    if key == GLOSSARY:
        return glossary_html(course, writer, level)
    if key == MEDIA_INDEX:
        return media_index_html(course, writer, level)
    return writer.answer_key(level)


#: where the lessons and the back matter go in casekit's own page, rendered without them
_BODY, _BACK = "\0casekit-body\0", "\0casekit-back-matter\0"


def page_parts(course: t.Course, writer: HtmlWriter) -> Iterator[str]:
    """The single-page HTML of ``course`` (one edition) in parts, each lesson rendered as
    it is asked for, so that a page written part by part is never whole in memory. A page
    from a course's own templates comes whole: it is checked for active content whole."""
    msg = writer.msg
    outline = course_outline(course, msg)

    def body() -> Iterator[str]:
        for part in outline.parts:
            yield f'<section class="module" id="{attr(part.module.id)}">\n'
            yield writer.heading(1, escape(part.title))
            for lesson in part.lessons:
                yield writer.lesson(lesson, level=2)
            yield "</section>\n"

    def back() -> str:
        return "".join(appendix_html(course, writer, a.key, 1) for a in outline.back)

    def page(body: str, appendices: str) -> str:
        css = Markup(read_template(course, "html/style.css").replace("</", "<\\/"))
        return render_template(
            course,
            "html/page.html.j2",
            course=course,
            config=course.config,
            msg=msg,
            edition=edition_label(course, msg),
            date=source_date(course).date().isoformat(),
            css=css,
            body=Markup(body),
            appendices=Markup(appendices),
            toc=[
                (m, [(lesson, Markup(writer.inlines(lesson.title))) for lesson in m.lessons])
                for m in course.modules
            ],
        )

    if not course.config.templates:
        frame = page(_BODY, _BACK)
        if frame.count(_BODY) == frame.count(_BACK) == 1 and frame.find(_BODY) < frame.find(_BACK):
            head, rest = frame.split(_BODY)
            middle, tail = rest.split(_BACK)
            yield head
            yield from body()
            yield middle
            yield back()
            yield tail
            return
    yield page("".join(body()), back())
