"""HTML rendering of the document tree, shared by every HTML-based output.

The writer emits well-formed XHTML-compatible markup (quoted attributes,
self-closed void elements), so the single-page HTML format, the EPUB chapters
and the offline USB viewer all reuse it. What differs between them (where a
link or an image points, how a video appears) is decided by a subclass.
Everything from the source is escaped: no raw markup passes through, except
the safe subset of ``render/sanitize.py`` when the course sets ``allow_html``.
"""

from __future__ import annotations

from html import escape

from casekit import tree as t
from casekit.messages import Messages, course_messages
from casekit.render.common import (
    CALLOUT_LOOK,
    callout_label,
    code_label,
    correct_options,
    media_caption,
    option_instructions,
    qr_svg,
    safe_href,
)
from casekit.render.fragments import Fragments, Lookups
from casekit.render.images import css_size
from casekit.render.walk import TreeWriter
from casekit.resolve.vtt import format_time
from casekit.safety.sanitize import HtmlSubset, sanitize_html


def attr(value: str) -> str:
    return escape(value, quote=True)


class HtmlWriter(TreeWriter):
    """Renders lessons to HTML. Override the ``*_href``/``*_src``/``media`` hooks."""

    #: add ``epub:type`` attributes beside ARIA roles (EPUB wants both)
    epub = False

    def __init__(self, course: t.Course, fragments: Fragments | None = None) -> None:
        self.course = course
        self.msg: Messages = course_messages(course.config)
        self.lesson_level = 2  # heading level of a lesson title
        #: rendered lessons of earlier builds (``None``: render every lesson)
        self.fragments = fragments
        #: a table the hooks look up in, answers kept with each fragment (fragments.py)
        self.lookups: Lookups | None = None

    # ---------------------------------------------------------------- hooks

    def lesson_href(self, lesson_id: str, anchor: str | None) -> str:
        """Where a link to ``lesson_id`` (and an anchor in it) points."""
        return f"#{anchor or lesson_id}"

    def image_src(self, item: t.MediaItem) -> str:
        """The ``src`` of an image."""
        return item.bundle_path

    def answer_href(self, question: t.Question) -> str:
        """Where the answer key's line for ``question`` is (learner edition)."""
        return self.self_href(f"key-{question.anchor}")

    def media(self, block: t.MediaBlock) -> str:
        """A video or audio item: by default as on paper (QR code, code, transcript)."""
        return self.media_figure(block, player="")

    # ---------------------------------------------------------------- helpers

    def type_attrs(self, epub_type: str, role: str) -> str:
        out = f' role="{role}"' if role else ""
        if self.epub and epub_type:
            out += f' epub:type="{epub_type}"'
        return out

    def heading(self, level: int, inner: str, anchor: str = "", cls: str = "") -> str:
        level = max(1, min(level, 6))
        id_attr = f' id="{attr(anchor)}"' if anchor else ""
        cls_attr = f' class="{cls}"' if cls else ""
        return f"<h{level}{id_attr}{cls_attr}>{inner}</h{level}>\n"

    def labelled(self, label: str, title: list[t.Inline]) -> str:
        inner = escape(label)
        if title:
            inner += ": " + self.inlines(title)
        return inner

    # ---------------------------------------------------------------- lessons

    def fragment_parts(self) -> tuple[str, ...]:
        """What a lesson's markup depends on besides the lesson and the job (see
        ``render/fragments.py``): a subclass whose hooks read more adds it here."""
        return (type(self).__qualname__, str(self.lesson_level), str(bool(self.course.answer_key)))

    def lesson(self, lesson: t.Lesson, level: int | None = None) -> str:
        """A whole lesson: title, blocks and its footnotes, as a ``<section>``; read
        back from ``fragments`` when nothing it depends on changed."""
        self.lesson_level = level or self.lesson_level
        if self.fragments is None:
            return self.render_lesson(lesson)
        return self.fragments.text(
            lesson,
            self.course.edition or "",
            self.fragment_parts(),
            lambda: self.render_lesson(lesson),
        )

    def render_lesson(self, lesson: t.Lesson) -> str:
        title = f'<span class="number">{escape(lesson.number)}</span> ' + self.inlines(lesson.title)
        parts = [
            f'<section class="lesson" id="{attr(lesson.anchor)}" aria-labelledby="'
            f'{attr(lesson.anchor)}-title"{self.type_attrs("chapter", "doc-chapter")}>\n',
            self.heading(self.lesson_level, title, f"{lesson.anchor}-title"),
        ]
        if lesson.hours is not None:
            parts.append(
                f'<p class="lesson-hours">{escape(self.msg("hours"))}: {lesson.hours:g}</p>\n'
            )
        if lesson.outcomes:
            parts.append(
                f'<div class="outcomes"><p class="box-title">{escape(self.msg("outcomes"))}'
                "</p><ul>"
                + "".join(f"<li>{escape(o)}</li>" for o in lesson.outcomes)
                + "</ul></div>\n"
            )
        parts.append(self.blocks(lesson.blocks))
        parts.append(self.footnotes(lesson))
        parts.append("</section>\n")
        return "".join(parts)

    def footnotes(self, lesson: t.Lesson) -> str:
        if not lesson.footnotes:
            return ""
        items = []
        for note in lesson.footnotes:
            back = ""
            if note.ref_anchor:
                back = (
                    f' <a class="footnote-back" href="{attr(self.self_href(note.ref_anchor))}"'
                    f' role="doc-backlink" aria-label="{attr(self.msg("back_to_text"))}">↩</a>'
                )
            body = self.blocks(note.blocks)
            if body.endswith("</p>\n"):
                body = body[: -len("</p>\n")] + back + "</p>\n"
            else:
                body += f"<p>{back}</p>\n"
            items.append(
                f'<aside class="footnote" id="{attr(note.anchor)}"'
                f"{self.type_attrs('footnote', 'doc-footnote')}>"
                f'<span class="footnote-number">{note.number}.</span>\n{body}</aside>\n'
            )
        return (
            f'<section class="footnotes"{self.type_attrs("footnotes", "doc-endnotes")}'
            f' aria-label="{attr(self.msg("footnotes"))}">\n' + "".join(items) + "</section>\n"
        )

    def self_href(self, anchor: str) -> str:
        """A link to an anchor in the lesson being written."""
        return f"#{anchor}"

    # ---------------------------------------------------------------- blocks

    def blocks(self, blocks: list[t.Block]) -> str:
        return "".join(self.block(b) for b in blocks)

    def block(self, block: t.Block) -> str:
        html: str = self.block_handler(block)(block)
        return html

    def block_heading(self, b: t.Heading) -> str:
        return self.heading(self.lesson_level + b.level, self.inlines(b.children), b.anchor)

    def block_paragraph(self, b: t.Paragraph) -> str:
        return f"<p>{self.inlines(b.children)}</p>\n"

    def list_items(self, items: list[t.ListItem], tight: bool) -> str:
        out = []
        for item in items:
            inner = self.blocks(item.blocks)
            if tight and inner.startswith("<p>") and inner.count("<p>") == 1:
                inner = inner.replace("<p>", "", 1).replace("</p>\n", "", 1)
            if item.checked is not None:
                mark = "☑" if item.checked else "☐"
                inner = f'<span class="task" aria-hidden="true">{mark}</span> ' + inner
                out.append(f'<li class="task-item">{inner}</li>\n')
            else:
                out.append(f"<li>{inner}</li>\n")
        return "".join(out)

    def block_bulletlist(self, b: t.BulletList) -> str:
        return f"<ul>\n{self.list_items(b.items, b.tight)}</ul>\n"

    def block_orderedlist(self, b: t.OrderedList) -> str:
        start = f' start="{b.start}"' if b.start != 1 else ""
        return f"<ol{start}>\n{self.list_items(b.items, b.tight)}</ol>\n"

    def block_table(self, b: t.Table) -> str:
        caption = self.labelled(self.msg("table", number=b.number), b.caption)

        def cell(tag: str, c: t.TableCell) -> str:
            cls = f' class="align-{c.align}"' if c.align else ""
            scope = ' scope="col"' if tag == "th" else ""
            return f"<{tag}{scope}{cls}>{self.inlines(c.children)}</{tag}>"

        head = "".join(cell("th", c) for c in b.header)
        rows = "".join("<tr>" + "".join(cell("td", c) for c in row) + "</tr>\n" for row in b.rows)
        return (
            f'<div class="table-wrap"><table id="{attr(b.anchor)}">\n<caption>{caption}</caption>\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table></div>\n"
        )

    def block_codeblock(self, b: t.CodeBlock) -> str:
        lang = f' class="language-{attr(b.language)}"' if b.language else ""
        code = f"<pre><code{lang}>{escape(b.text)}</code></pre>\n"
        if not b.role:
            return code
        label = f'<p class="code-label">{escape(code_label(b, self.msg))}</p>\n'
        return f'<div class="code code-{b.role}">\n{label}{code}</div>\n'

    def block_blockquote(self, b: t.BlockQuote) -> str:
        return f"<blockquote>\n{self.blocks(b.blocks)}</blockquote>\n"

    def block_thematicbreak(self, b: t.ThematicBreak) -> str:
        return "<hr/>\n"

    def block_figure(self, b: t.Figure) -> str:
        caption = self.labelled(self.msg("figure", number=b.number), b.caption)
        if b.media is None:
            image = f'<p class="missing-media">{escape(b.alt)}</p>'
        else:
            size = ""
            if b.media.width and b.media.height:
                size = f' width="{b.media.width}" height="{b.media.height}"'
            if css_size(b):
                size += f' style="{attr(css_size(b))}"'
            image = f'<img src="{attr(self.image_src(b.media))}" alt="{attr(b.alt)}"{size}/>'
        return (
            f'<figure class="figure" id="{attr(b.anchor)}">\n{image}\n'
            f"<figcaption>{caption}</figcaption>\n</figure>\n"
        )

    def block_mediablock(self, b: t.MediaBlock) -> str:
        return self.media(b)

    def media_figure(self, b: t.MediaBlock, player: str) -> str:
        """The paper-like media block, with an optional player above the QR code."""
        item = b.media
        if item is None:
            return (
                f'<figure class="media" id="{attr(b.anchor)}"><figcaption>{escape(b.title)}'
                f" — {escape(self.msg('media_unavailable'))}</figcaption></figure>\n"
            )
        qr = f'<div class="qr" aria-hidden="true">{qr_svg(item.target_url)}</div>'
        caption = escape(media_caption(item, self.msg, with_code=False))
        parts = [
            f'<figure class="media media-{item.kind}" id="{attr(b.anchor)}"'
            f' aria-labelledby="{attr(b.anchor)}-title" data-code="{attr(item.code)}">\n',
            player,
            f'<div class="media-card">{qr}<div class="media-text">'
            f'<p class="media-title" id="{attr(b.anchor)}-title">'
            f'<span class="media-code">{escape(item.code)}</span> {caption}</p>\n'
            f'<p class="media-hint">{escape(self.msg("media_hint"))}</p>\n</div></div>\n',
            self.blocks(b.caption),
            self.transcript(item),
            "</figure>\n",
        ]
        return "".join(parts)

    def transcript(self, item: t.MediaItem) -> str:
        if item.transcript is None or not item.transcript.cues:
            return ""
        cues = "".join(
            f'<p><span class="cue-time">{format_time(c.start)}</span> {escape(c.text)}</p>\n'
            for c in item.transcript.cues
        )
        return (
            f'<div class="transcript"><p class="box-title">{escape(self.msg("transcript"))}'
            f"</p>\n{cues}</div>\n"
        )

    def box(
        self,
        cls: str,
        label: str,
        blocks: list[t.Block],
        title: list[t.Inline] | None = None,
        anchor: str = "",
        role: str = "",
    ) -> str:
        id_attr = f' id="{attr(anchor)}"' if anchor else ""
        role_attr = f' role="{role}"' if role else ""
        head = self.labelled(label, title or [])
        head = f'<p class="box-title">{head}</p>\n' if head else ""
        return f'<div class="{cls}"{id_attr}{role_attr}>\n{head}{self.blocks(blocks)}</div>\n'

    def block_callout(self, b: t.Callout) -> str:
        return self.box(
            f"callout callout-{CALLOUT_LOOK[b.kind]} callout-{b.kind}",
            callout_label(b.kind, self.msg),
            b.blocks,
            b.title,
            role="note",
        )

    def block_objectives(self, b: t.Objectives) -> str:
        return self.box("objectives", self.msg("objectives"), b.blocks)

    def block_keypoints(self, b: t.KeyPoints) -> str:
        return self.box("keypoints", self.msg("keypoints"), b.blocks)

    def block_solution(self, b: t.Solution) -> str:
        return self.box("solution", self.msg("solution"), b.blocks, b.title)

    def task_section(self, cls: str, label: str, b: t.Assignment | t.Exercise) -> str:
        heading = self.heading(self.lesson_level + 1, self.labelled(label, b.title))
        return (
            f'<section class="{cls}" id="{attr(b.anchor)}">\n{heading}'
            f"{self.blocks(b.blocks)}</section>\n"
        )

    def block_assignment(self, b: t.Assignment) -> str:
        return self.task_section("assignment", self.msg("assignment", number=b.number), b)

    def block_exercise(self, b: t.Exercise) -> str:
        return self.task_section("exercise", self.msg("exercise", number=b.number), b)

    def block_quiz(self, b: t.Quiz) -> str:
        heading = self.heading(
            self.lesson_level + 1, self.labelled(self.msg("quiz", number=b.number), b.title)
        )
        questions = "".join(self.question(q) for q in b.questions)
        return (
            f'<section class="quiz" id="{attr(b.anchor)}">\n{heading}{self.blocks(b.intro)}'
            f'<ol class="questions">\n{questions}</ol>\n</section>\n'
        )

    def question(self, q: t.Question) -> str:
        parts = [f'<li class="question" id="{attr(q.anchor)}">\n', self.blocks(q.prompt)]
        parts.append(f'<p class="instructions">{escape(option_instructions(q, self.msg))}</p>\n')
        if q.options:
            items = []
            for option in q.options:
                mark = "☐"
                extra = ""
                cls = ""
                if option.correct:
                    mark, cls = "☑", ' class="correct"'
                    extra = f' <strong class="correct-mark">({escape(self.msg("correct_answer"))})</strong>'
                items.append(
                    f'<li{cls}><span class="box" aria-hidden="true">{mark}</span> '
                    f"{self.inlines(option.children)}{extra}</li>\n"
                )
            parts.append(f'<ul class="options">\n{"".join(items)}</ul>\n')
        elif q.answer:
            parts.append(self.box("answer", self.msg("answer"), q.answer))
        else:
            parts.append('<div class="answer-lines" aria-hidden="true"></div>\n')
        if q.solution is not None:
            parts.append(self.block_solution(q.solution))
        if self.course.answer_key:
            parts.append(
                f'<p class="answer-link"><a href="{attr(self.answer_href(q))}">'
                f"{escape(self.msg('see_answer'))}</a></p>\n"
            )
        parts.append("</li>\n")
        return "".join(parts)

    def block_glossary(self, b: t.Glossary) -> str:
        items = "".join(
            f'<dt id="{attr(e.anchor)}">{self.inlines(e.term)}</dt>\n<dd>{self.blocks(e.definition)}</dd>\n'
            for e in b.entries
        )
        return f'<dl class="glossary">\n{items}</dl>\n'

    def block_div(self, b: t.Div) -> str:
        classes = " ".join("div-" + c for c in b.classes if c.replace("-", "").isalnum())
        return f'<div class="generic {attr(classes)}">\n{self.blocks(b.blocks)}</div>\n'

    def block_rawblock(self, b: t.RawBlock) -> str:
        return f'<div class="raw-html">{sanitize_html(b.text)}</div>\n'

    # ---------------------------------------------------------------- appendices

    def answer_key(self, level: int) -> str:
        """The learner edition's answers appendix (only when the course asks for it)."""
        if not self.course.answer_key:
            return ""
        rows = []
        for entry in self.course.answer_key:
            label = self.msg("quiz", number=entry.quiz.number)
            question = entry.question
            back = (
                f' <a href="{attr(self.self_href(question.anchor))}" role="doc-backlink"'
                f' aria-label="{attr(self.msg("back_to_text"))}">↩</a>'
            )
            rows.append(
                f'<li id="key-{attr(question.anchor)}"><strong>{escape(label)}, '
                f"{escape(self.msg('question', number=question.number))}"
                f":</strong> {self.answer_text(question)}{back}</li>\n"
            )
        return (
            '<section class="answer-key" id="answer-key">\n'
            + self.heading(level, escape(self.msg("answers_appendix")))
            + f"<ul>\n{''.join(rows)}</ul>\n</section>\n"
        )

    def answer_text(self, q: t.Question) -> str:
        if q.options:
            return "; ".join(
                f"{letter} {self.inlines(text)}" for letter, text in correct_options(q)
            )
        return self.blocks(q.answer).replace("<p>", "").replace("</p>\n", " ").strip()

    # ---------------------------------------------------------------- inlines

    def inlines(self, nodes: list[t.Inline]) -> str:
        if not any(isinstance(n, t.RawInline) for n in nodes):
            return "".join(self.inline(n) for n in nodes)
        subset = HtmlSubset()  # raw tags of this sequence, balanced within it
        parts = []
        for node in nodes:
            if isinstance(node, t.RawInline):
                parts.append(subset.feed(node.text))
            elif not subset.hidden:
                parts.append(self.inline(node))
        return "".join(parts) + subset.close()

    def inline(self, n: t.Inline) -> str:
        if isinstance(n, t.Text):
            return escape(n.text, quote=False)
        if isinstance(n, t.Emph):
            return f"<em>{self.inlines(n.children)}</em>"
        if isinstance(n, t.Strong):
            return f"<strong>{self.inlines(n.children)}</strong>"
        if isinstance(n, t.Strike):
            return f"<del>{self.inlines(n.children)}</del>"
        if isinstance(n, t.Code):
            return f"<code>{escape(n.text)}</code>"
        if isinstance(n, t.Kbd):
            return f"<kbd>{escape(n.text)}</kbd>"
        if isinstance(n, t.LineBreak):
            return "<br/>"
        if isinstance(n, t.Link):
            return self.link(n)
        if isinstance(n, t.InlineImage):
            if n.media is None:
                return escape(n.alt)
            return (
                f'<img class="inline" src="{attr(self.image_src(n.media))}" alt="{attr(n.alt)}"/>'
            )
        if isinstance(n, t.RawInline):  # a lone tag (allow_html): its subset, balanced
            return sanitize_html(n.text)
        if isinstance(n, t.FootnoteRef):
            if not n.note:
                return f"<sup>{n.number}</sup>"
            return (
                f'<a class="footnote-ref" id="{attr(n.anchor)}" href="{attr(self.self_href(n.note))}"'
                f"{self.type_attrs('noteref', 'doc-noteref')}>{n.number}</a>"
            )
        raise TypeError(f"unknown inline node {type(n).__name__}")

    def link(self, n: t.Link) -> str:
        inner = self.inlines(n.children)
        if n.target is not None:
            href = self.lesson_href(n.target.lesson_id, n.target.anchor)
            return f'<a class="internal" href="{attr(href)}">{inner}</a>'
        href = safe_href(n.href)
        if not href:
            return inner
        title = f' title="{attr(n.title)}"' if n.title else ""
        return f'<a class="external" href="{attr(href)}"{title}>{inner}</a>'
