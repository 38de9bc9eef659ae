"""The ``brf`` format's renderer: a Braille-ready file per edition, for embossers.

The tree becomes a list of print paragraphs with their Braille indents
(``Para``), each is translated with liblouis (``render/liblouis.py``) and wrapped
at blank cells, and the lines are paged: ``cells`` per line, ``lines`` per page,
the last line of each page carrying the page number at the right margin (BANA
practice). Paragraphs start in cell 3, list items in cell 1 with runovers in
cell 3, headings inside a lesson in cell 5, lesson and module titles centred on
a new page; boxed content (callouts, objectives, solutions) sits between box
lines. Tables are read row by row ("Header: value; ..."), images by their alt
text, media items by their short code and transcript. A title page and a
contents list with page numbers come first.

Besides ``<course>-<edition>.brf`` (North American ASCII Braille, CR LF lines,
form feed between pages) the same cells are written as Unicode Braille in
``<course>-<edition>.txt`` for screen display and refreshable Braille displays.
"""

from __future__ import annotations

import functools
import io
import operator
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

from casekit import tree as t
from casekit.config.settings import BrailleOptions
from casekit.formats import BuildContext, Output, output_name
from casekit.messages import Messages, course_messages
from casekit.render.common import (
    callout_label,
    correct_options,
    edition_label,
    lesson_title,
    media_caption,
    option_instructions,
    option_letter,
)
from casekit.render.inline_html import Span, html_spans
from casekit.render.liblouis import (
    ITALIC,
    PLAIN,
    Translator,
    ascii_braille,
    has_grade,
    strong_typeform,
    translator,
    unicode_braille,
)
from casekit.render.outline import ANSWER_KEY, course_outline

#: emphasis in a ``Para``'s text: a private-use character opens and one closes each
#: kind (removed from the source's own text); the layout turns them into liblouis
#: typeforms, and the table writes its emphasis indicators
EMPHASIS: dict[type, tuple[str, str]] = {
    t.Emph: ("\ue000", "\ue001"),
    t.Strong: ("\ue002", "\ue003"),
}
NO_MARKS = dict.fromkeys(map(ord, "".join(mark for pair in EMPHASIS.values() for mark in pair)))


def emphasis_forms(text: str, language: str) -> tuple[str, list[int]]:
    """``text`` without its emphasis marks, and each character's liblouis typeform."""
    forms_of = {t.Emph: ITALIC, t.Strong: strong_typeform(language)}
    opens = {begin: kind for kind, (begin, _) in EMPHASIS.items()}
    closes = {end: kind for kind, (_, end) in EMPHASIS.items()}
    depth = dict.fromkeys(EMPHASIS, 0)
    plain: list[str] = []
    forms: list[int] = []
    for ch in text:
        if ch in opens:
            depth[opens[ch]] += 1
        elif ch in closes:
            depth[closes[ch]] = max(0, depth[closes[ch]] - 1)
        else:
            plain.append(ch)
            forms.append(
                functools.reduce(operator.or_, (forms_of[k] for k, n in depth.items() if n), PLAIN)
            )
    return "".join(plain), forms


PAGE_END = "\f\n"  # ends a page in the spill file (``Pages``)
TOP_BOX = "7"  # dots 2356, the top box line
BOTTOM_BOX = "G"  # dots 1245, the bottom box line
GUIDE_DOT = '"'  # dot 5, the guide dots of a contents line


@dataclass
class Para:
    """One print paragraph and where its Braille lines start (0-based cells)."""

    text: str
    first: int = 2  # indent of the first line
    runover: int = 0  # indent of the following lines
    center: bool = False
    keep: bool = False  # keep with the next paragraph (headings)
    blank_before: bool = False
    new_page: bool = False
    verbatim: bool = False  # code: grade 1, no contractions
    brf: str = ""  # already Braille (box lines): not translated
    anchor: str = ""  # lesson id whose page number the contents shows


class BrailleWriter:
    """The tree as ``Para`` items; words come from the message files."""

    def __init__(self, course: t.Course) -> None:
        self.course = course
        self.msg: Messages = course_messages(course.config)

    # ---------------------------------------------------------------- document

    def document(self) -> Iterator[Para]:
        """The modules, then the back matter of the outline that Braille carries: the
        answer key (the glossary and the media index are not written in Braille yet);
        a lesson's paragraphs are made when the layout reaches them."""
        outline = course_outline(self.course, self.msg)
        for part in outline.parts:
            yield Para(part.title, center=True, new_page=True, keep=True)
            for index, lesson in enumerate(part.lessons):
                yield from self.lesson(lesson, new_page=index > 0)
        if outline.has(ANSWER_KEY):
            yield from self.answer_key()

    def title_page(self) -> list[Para]:
        config = self.course.config
        lines = [config.title, config.subtitle, edition_label(self.course, self.msg)]
        paras = [
            Para(text, center=True, blank_before=i > 0) for i, text in enumerate(lines) if text
        ]
        details = [
            (self.msg("organisation"), config.organisation),
            (self.msg("authors"), ", ".join(config.authors)),
            (self.msg("version"), config.version),
            (self.msg("date"), config.date.isoformat()),
            (self.msg("licence"), config.licence),
        ]
        paras.extend(
            Para(f"{label}: {value}", 0, 2, blank_before=i == 0)
            for i, (label, value) in enumerate(lv for lv in details if lv[1])
        )
        return paras

    def lesson(self, lesson: t.Lesson, new_page: bool) -> list[Para]:
        out = [
            Para(
                lesson_title(lesson),
                center=True,
                keep=True,
                new_page=new_page,
                blank_before=not new_page,
                anchor=lesson.id,
            )
        ]
        if lesson.hours is not None:
            out.append(Para(f"{self.msg('hours')}: {lesson.hours:g}", 0, 2, blank_before=True))
        if lesson.outcomes:
            out.append(Para(self.msg("outcomes"), 0, 2, keep=True, blank_before=True))
            out.extend(Para(o, 0, 2) for o in lesson.outcomes)
        out.extend(self.blocks(lesson.blocks, 0))
        if lesson.footnotes:
            out.append(self.heading(self.msg("footnotes")))
            for note in lesson.footnotes:
                out.extend(self.item(f"[{note.number}] ", note.blocks, 0))
        return out

    def answer_key(self) -> list[Para]:
        out = [Para(self.msg("answers_appendix"), center=True, new_page=True, keep=True)]
        for entry in self.course.answer_key:
            q = entry.question
            if q.options:
                answer = "; ".join(f"{letter} {self.text(c)}" for letter, c in correct_options(q))
            else:
                answer = " ".join(self.block_text(b) for b in q.answer)
            label = f"{self.msg('quiz', number=entry.quiz.number)}, "
            label += self.msg("question", number=q.number)
            out.append(Para(f"{label}: {answer}", 0, 2))
        return out

    # ---------------------------------------------------------------- blocks

    def heading(self, text: str, indent: int = 0) -> Para:
        """A heading inside a lesson: cell 5, a blank line before, kept with what follows."""
        return Para(text, indent + 4, indent + 4, keep=True, blank_before=True)

    def labelled(self, label: str, title: list[t.Inline]) -> str:
        return f"{label}: {self.text(title)}" if title else label

    def blocks(self, blocks: list[t.Block], indent: int) -> list[Para]:
        return [p for b in blocks for p in self.block(b, indent)]

    def block(self, b: t.Block, indent: int) -> list[Para]:
        return getattr(self, "block_" + type(b).__name__.lower())(b, indent)

    def block_heading(self, b: t.Heading, indent: int) -> list[Para]:
        return [self.heading(self.text(b.children), indent)]

    def block_paragraph(self, b: t.Paragraph, indent: int) -> list[Para]:
        return [Para(self.text(b.children), indent + 2, indent)]

    def item(self, marker: str, blocks: list[t.Block], indent: int) -> list[Para]:
        """A list item: cell 1 with runovers in cell 3; nested content two cells in."""
        paras = self.blocks(blocks, indent + 2)
        if paras and not paras[0].brf and not paras[0].keep:
            first = paras[0]
            first.text, first.first, first.runover = marker + first.text, indent, indent + 2
        else:
            paras.insert(0, Para(marker.strip(), indent, indent + 2))
        return paras

    def list_items(self, items: list[t.ListItem], start: int | None, indent: int) -> list[Para]:
        out: list[Para] = []
        for number, item in enumerate(items, start=start or 1):
            marker = f"{number}. " if start is not None else ""
            if item.checked is not None:
                marker += "[x] " if item.checked else "[ ] "
            out.extend(self.item(marker, item.blocks, indent))
        return out

    def block_bulletlist(self, b: t.BulletList, indent: int) -> list[Para]:
        return self.list_items(b.items, None, indent)

    def block_orderedlist(self, b: t.OrderedList, indent: int) -> list[Para]:
        return self.list_items(b.items, b.start, indent)

    def block_table(self, b: t.Table, indent: int) -> list[Para]:
        """Row by row: ``Header: value; Header: value`` (a table read aloud)."""
        out = [
            Para(self.labelled(self.msg("table", number=b.number), b.caption), indent, indent + 2)
        ]
        header = [self.text(c.children) for c in b.header]
        for row in b.rows:
            cells = [self.text(c.children) for c in row]
            pairs = [f"{h}: {v}" if h else v for h, v in zip(header, cells, strict=False)]
            out.append(Para("; ".join(pairs), indent, indent + 2))
        return out

    def block_codeblock(self, b: t.CodeBlock, indent: int) -> list[Para]:
        return [
            Para(line, indent, indent + 2, verbatim=True)
            for line in b.text.rstrip("\n").split("\n")
            if line.strip()
        ]

    def block_blockquote(self, b: t.BlockQuote, indent: int) -> list[Para]:
        return self.blocks(b.blocks, indent + 2)

    def block_thematicbreak(self, b: t.ThematicBreak, indent: int) -> list[Para]:
        return [Para("", center=True, brf="333", blank_before=True)]  # dots 25 x 3

    def block_figure(self, b: t.Figure, indent: int) -> list[Para]:
        out = [
            Para(self.labelled(self.msg("figure", number=b.number), b.caption), indent, indent + 2)
        ]
        if b.alt:
            out.append(Para(f"{self.msg('image_description')}: {b.alt}", indent + 2, indent))
        return out

    def block_mediablock(self, b: t.MediaBlock, indent: int) -> list[Para]:
        item = b.media
        if item is None:
            return [Para(f"{b.title}: {self.msg('media_unavailable')}", indent, indent + 2)]
        out = [Para(media_caption(item, self.msg), indent, indent + 2)]
        out.extend(self.blocks(b.caption, indent))
        if item.transcript is not None and item.transcript.cues:
            out.append(Para(self.msg("transcript"), indent, indent + 2, keep=True))
            out.extend(Para(cue.text, indent + 2, indent) for cue in item.transcript.cues)
        return out

    def box(self, label: str, blocks: list[t.Block], indent: int) -> list[Para]:
        """Boxed content between a top and a bottom box line."""
        return [
            Para("", brf=TOP_BOX, first=indent, keep=True, blank_before=True),
            Para(label, indent, indent + 2, keep=True),
            *self.blocks(blocks, indent),
            Para("", brf=BOTTOM_BOX, first=indent),
        ]

    def block_callout(self, b: t.Callout, indent: int) -> list[Para]:
        return self.box(self.labelled(callout_label(b.kind, self.msg), b.title), b.blocks, indent)

    def block_objectives(self, b: t.Objectives, indent: int) -> list[Para]:
        return self.box(self.msg("objectives"), b.blocks, indent)

    def block_keypoints(self, b: t.KeyPoints, indent: int) -> list[Para]:
        return self.box(self.msg("keypoints"), b.blocks, indent)

    def block_solution(self, b: t.Solution, indent: int) -> list[Para]:
        return self.box(self.msg("solution"), b.blocks, indent)

    def block_assignment(self, b: t.Assignment, indent: int) -> list[Para]:
        label = self.labelled(self.msg("assignment", number=b.number), b.title)
        return [self.heading(label, indent), *self.blocks(b.blocks, indent)]

    def block_exercise(self, b: t.Exercise, indent: int) -> list[Para]:
        label = self.labelled(self.msg("exercise", number=b.number), b.title)
        return [self.heading(label, indent), *self.blocks(b.blocks, indent)]

    def block_quiz(self, b: t.Quiz, indent: int) -> list[Para]:
        label = self.labelled(self.msg("quiz", number=b.number), b.title)
        out = [self.heading(label, indent), *self.blocks(b.intro, indent)]
        for q in b.questions:
            out.extend(self.item(f"{q.number}. ", q.prompt, indent))
            out.append(Para(option_instructions(q, self.msg), indent + 2, indent + 2))
            for i, option in enumerate(q.options):
                text = f"{option_letter(i)} {self.text(option.children)}"
                if option.correct:
                    text += f" ({self.msg('correct_answer')})"
                out.append(Para(text, indent + 2, indent + 4))
            if q.answer:
                out.extend(self.item(f"{self.msg('answer')}: ", q.answer, indent + 2))
            if q.solution is not None:
                out.extend(self.block_solution(q.solution, indent + 2))
        return out

    def block_glossary(self, b: t.Glossary, indent: int) -> list[Para]:
        return [
            p
            for entry in b.entries
            for p in self.item(f"{self.text(entry.term)} — ", entry.definition, indent)
        ]

    def block_div(self, b: t.Div, indent: int) -> list[Para]:
        return self.blocks(b.blocks, indent)

    def block_rawblock(self, b: t.RawBlock, indent: int) -> list[Para]:
        """(``allow_html``) the text of the safe subset, as a paragraph."""
        return [Para(self.text([t.RawInline(b.text)]), indent + 2, indent)]

    # ---------------------------------------------------------------- text

    def block_text(self, b: t.Block) -> str:
        return " ".join(p.text for p in self.block(b, 0))

    def text(self, inlines: list[t.Inline]) -> str:
        """Print text of inlines: links by their words, images by their alt text,
        footnote references as ``[n]``, emphasis between ``EMPHASIS`` marks."""
        parts: list[str] = []

        def walk(nodes: list[t.Inline]) -> None:
            for node in html_spans(nodes):  # allow_html: the tags' text, never the tags
                if isinstance(node, Span) and node.look == "line-break":
                    parts.append(" ")
                elif isinstance(node, Span):
                    walk(node.children)  # type: ignore[arg-type]
                elif isinstance(node, (t.Text, t.Code, t.Kbd)):
                    parts.append(node.text.translate(NO_MARKS))
                elif isinstance(node, t.LineBreak):
                    parts.append(" ")
                elif isinstance(node, t.InlineImage):
                    parts.append(node.alt.translate(NO_MARKS))
                elif isinstance(node, t.FootnoteRef):
                    parts.append(f" [{node.number}]")  # apart: a bracket cell is also ъ
                elif isinstance(node, (t.Emph, t.Strong)):
                    begin, end = EMPHASIS[type(node)]
                    parts.append(begin)
                    walk(node.children)
                    parts.append(end)
                elif isinstance(node, (t.Link, t.Strike)):
                    walk(node.children)

        walk(inlines)
        return " ".join("".join(parts).split())


# -------------------------------------------------------------------- layout


@dataclass
class Pages:
    """Braille lines paged to a geometry; page numbers are 1-based.

    With a ``spill`` file, pages once full are written there and only the page being
    filled stays in ``pages``: the body of a long course is never all in memory while
    the contents' page numbers wait for its end."""

    options: BrailleOptions
    number: Translator
    pages: list[list[str]] = field(default_factory=lambda: [[]])
    anchors: dict[str, int] = field(default_factory=dict)
    spill: IO[str] | None = None
    spilled: int = 0  # pages written to ``spill``

    @property
    def body_lines(self) -> int:
        return self.options.lines - 1  # the last line carries the page number

    @property
    def count(self) -> int:
        return self.spilled + len(self.pages)

    def room(self) -> int:
        return self.body_lines - len(self.pages[-1])

    def new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
            if self.spill is not None:  # Braille cells and blanks: never a control character
                for page in self.pages[:-1]:
                    self.spill.writelines(line + "\n" for line in page)
                    self.spill.write(PAGE_END)
                self.spilled += len(self.pages) - 1
                del self.pages[:-1]

    def add(self, lines: list[str], need: int = 1, blank_before: bool = False) -> None:
        """Add ``lines``, on a new page unless ``need`` lines fit on this one."""
        if self.room() < min(need + (1 if blank_before else 0), self.body_lines):
            self.new_page()
        if blank_before and self.pages[-1]:
            self.pages[-1].append("")
        for line in lines:
            if not self.room():
                self.new_page()
            self.pages[-1].append(line)

    def page_label(self, page: int) -> str:
        return self.number.translate(str(page))

    def _all(self) -> Iterator[list[str]]:
        if self.spill is not None:
            self.spill.seek(0)
            page: list[str] = []
            for _ in range(self.spilled):
                for line in iter(self.spill.readline, PAGE_END):
                    page.append(line[:-1])
                yield page
                page = []
            self.spill.seek(0, io.SEEK_END)
        yield from self.pages

    def render(self, first_page: int = 1) -> Iterator[list[str]]:
        """Every page padded to ``lines`` lines, its number at the right of the last."""
        for index, page in enumerate(self._all()):
            number = self.page_label(first_page + index)
            lines = [line.rstrip() for line in page]
            lines += [""] * (self.body_lines - len(lines))
            lines.append(number.rjust(self.options.cells))
            yield lines


def wrap(brf: str, first: int, runover: int, width: int) -> list[str]:
    """Braille ``brf`` broken at blank cells into lines of at most ``width`` cells.

    Indents stop at half the line, however deep the nesting."""
    first, runover = min(first, width // 2), min(runover, width // 2)
    lines: list[str] = []
    current = " " * first
    indent = first
    for word in brf.split():
        while word:
            room = width - len(current)
            gap = 0 if len(current) == indent else 1
            if len(word) + gap <= room:
                current += " " * gap + word
                word = ""
            elif len(current) > indent:  # the word starts the next line
                lines.append(current)
                indent = runover
                current = " " * runover
            else:  # longer than a whole line: cut it
                cut = width - len(current)
                lines.append(current + word[:cut])
                word = word[cut:]
                indent = runover
                current = " " * runover
    if len(current) > indent or not lines:
        lines.append(current)
    return lines


class Layout:
    """Translates ``Para`` items and pages them."""

    def __init__(self, course: t.Course, options: BrailleOptions) -> None:
        language = course.config.language
        self.language = language
        self.options = options
        grade = options.grade if has_grade(language, options.grade) else 1
        self.text = translator(language, grade)
        self.code = translator(language, 1)

    def brf(self, para: Para) -> str:
        if para.brf:
            return para.brf
        text, forms = emphasis_forms(para.text, self.language)
        brf = (self.code if para.verbatim else self.text).translate(text, forms)
        return ascii_braille(brf)

    def lines(self, para: Para) -> list[str]:
        width = self.options.cells
        if para.brf in (TOP_BOX, BOTTOM_BOX):
            return [" " * para.first + para.brf * (width - para.first)]
        if para.center:
            return [line.center(width).rstrip() for line in wrap(self.brf(para), 0, 0, width)]
        return wrap(self.brf(para), para.first, para.runover, width)

    def pages(self, paras: Iterable[Para], pages: Pages) -> Pages:
        """``paras`` added to ``pages`` a run at a time: where a paragraph starts depends
        only on the paragraphs it is kept with (``keep``: a heading and what follows it),
        so a run ends at the first paragraph not kept with the next, and the document's
        paragraphs are never all in memory."""
        run: list[Para] = []
        for para in paras:
            run.append(para)
            if not para.keep:
                self.place(run, pages)
                run = []
        self.place(run, pages)
        return pages

    def place(self, paras: list[Para], pages: Pages) -> None:
        rendered = [self.lines(p) for p in paras]
        # lines that must start on the same page as paragraph i: all of a heading and
        # what it is kept with, else two lines (no paragraph starts on a last line)
        need = [0] * (len(paras) + 1)
        for i in range(len(paras) - 1, -1, -1):
            own = len(rendered[i]) if paras[i].keep else min(2, len(rendered[i]))
            following = need[i + 1] + (1 if i + 1 < len(paras) and paras[i + 1].blank_before else 0)
            need[i] = own + (following if paras[i].keep else 0)
        for i, (para, lines) in enumerate(zip(paras, rendered, strict=True)):
            if para.new_page:
                pages.new_page()
            pages.add(lines, need[i], para.blank_before)
            if para.anchor:
                pages.anchors[para.anchor] = pages.count

    def contents(
        self, course: t.Course, anchors: dict[str, int], first_body: int
    ) -> list[list[str]]:
        """Contents entries: each lesson with guide dots and its page at the right margin."""
        msg = course_messages(course.config)
        width = self.options.cells
        out: list[list[str]] = []
        for part in course_outline(course, msg).parts:
            out.append(wrap(self.brf(Para(part.title)), 0, 4, width))
            for lesson in part.lessons:
                number = self.text.translate(str(anchors[lesson.id] + first_body - 1))
                title = wrap(self.brf(Para(lesson_title(lesson))), 2, 6, width - len(number) - 3)
                last = title[-1] + " "
                title[-1] = last + GUIDE_DOT * (width - len(last) - len(number) - 1) + " " + number
                out.append(title)
        return out


@dataclass
class Paged:
    """The edition laid out: title page and contents, then the lessons from page
    ``first_body``; its pages are padded one at a time as they are read."""

    front: Pages
    body: Pages
    first_body: int

    def __len__(self) -> int:
        return self.front.count + self.body.count

    def __iter__(self) -> Iterator[list[str]]:
        yield from self.front.render(1)
        yield from self.body.render(self.first_body)


def braille_pages(
    course: t.Course, options: BrailleOptions, spill_dir: Path | None = None
) -> Paged:
    """The edition as pages of ASCII Braille lines: title page, contents, lessons. The
    body's full pages wait in a temporary file (in ``spill_dir``) until written."""
    layout = Layout(course, options)
    writer = BrailleWriter(course)
    # closed with the pages it holds (below)
    spill = tempfile.TemporaryFile("w+", encoding="ascii", newline="", dir=spill_dir)  # noqa: SIM115
    body = layout.pages(writer.document(), Pages(options, layout.text, spill=spill))
    front_paras = writer.title_page()
    contents_heading = Para(writer.msg("contents"), center=True, new_page=True, keep=True)
    first_body = 1
    for _ in range(5):  # the contents' own length moves the body's page numbers
        front = layout.pages(front_paras + [contents_heading], Pages(options, layout.text))
        for entry in layout.contents(course, body.anchors, first_body):
            front.add(entry, len(entry))
        if front.count + 1 == first_body:
            break
        first_body = front.count + 1
    paged = Paged(front, body, first_body)
    weakref.finalize(paged, spill.close)
    return paged


def render_brf(course: t.Course, ctx: BuildContext) -> list[Output]:
    """The ``.brf`` (ASCII Braille, CR LF, a form feed between pages) and the same cells
    as Unicode Braille (``.txt``), each written a page at a time."""
    o = ctx.options
    options = BrailleOptions(o.braille_cells, o.braille_lines, o.braille_grade)
    # the spilled body beside the outputs, not in /tmp (a tmpfs is memory)
    ctx.build_root.mkdir(parents=True, exist_ok=True)
    pages = braille_pages(course, options, ctx.build_root)

    def writing(line: Callable[[str], str], encoding: str) -> Callable[[BinaryIO], None]:
        def write(handle: BinaryIO) -> None:
            for index, page in enumerate(pages):
                text = ("\f" if index else "") + "".join(line(row) for row in page)
                handle.write(text.encode(encoding))

        return write

    return [
        Output(output_name(course, "brf"), write=writing(lambda row: row + "\r\n", "ascii")),
        Output(
            output_name(course, "txt"),
            write=writing(lambda row: unicode_braille(row) + "\n", "utf-8"),
        ),
    ]
