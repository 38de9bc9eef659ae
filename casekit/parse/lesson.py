"""Parse one lesson's Markdown into tree nodes (``Lesson``)."""

from __future__ import annotations

import contextlib
import re
from pathlib import PurePosixPath
from typing import Any

import yaml
from markdown_it.tree import SyntaxTreeNode

from casekit import tree as t
from casekit.diagnostics import Diagnostics
from casekit.parse.attributes import (
    AttributeError_,
    Attributes,
    parse_braced,
    parse_div_info,
    split_image_attributes,
    split_leading,
    split_trailing,
)
from casekit.parse.divs import KNOWN_CLASSES, DivBuilder
from casekit.parse.markdown import (
    MAX_INLINE_NESTING,
    MAX_NESTING,
    flatten_deep_inlines,
    markdown_parser,
)
from casekit.safety.sanitize import (
    ALLOWED_TAGS,
    LINE_BREAK,
    HtmlText,
    dropped_markup,
    html_block_lines,
)
from casekit.safety.timelimit import TimeLimitExceeded, time_limit

_TASK = re.compile(r"^\[([ xX])\]\s+")
#: teaching/exercises: the Carpentries Workbench's minutes, the hours when ``hours`` is unset
_FRONT_MATTER_FIELDS = {
    "title": str,
    "hours": (int, float),
    "outcomes": list,
    "teaching": (int, float),
    "exercises": (int, float),
}
PARSE_SECONDS = 30.0  # a lesson whose Markdown takes longer is refused (see timelimit.py)
#: pandoc's table caption: a paragraph "Table: ..." or ": ..." beside a table
TABLE_CAPTION = re.compile(r"^(Table)?:\s+")
MAX_HOURS = 10_000  # academic hours of one lesson; also keeps huge YAML integers out
LOCATE_BUDGET = 20_000  # characters searched per position lookup: linear on hostile lines
#: code classes that say what a block shows rather than its language
CODE_ROLES: dict[str, t.CodeRole] = {
    "output": "output",
    "error": "error",
    "warning": "error",
    "command": "command",
    "input": "command",
}
SHELL_LANGUAGES = {"bash", "sh", "shell", "zsh", "console", "powershell", "cmd", "bat"}


def lesson_id_for(path: str) -> str:
    """A lesson's id: its file name without extension, as a slug."""
    stem = PurePosixPath(path).stem
    return re.sub(r"[^\w-]+", "-", stem, flags=re.UNICODE).strip("-").lower() or "lesson"


def media_kind_of(src: str) -> str:
    """What a file name says it is (an unknown one is taken for an image: resolve says
    which names it accepts)."""
    suffix = PurePosixPath(src.split("#")[0].split("?")[0]).suffix.lower()
    return t.FORMAT_KIND.get(t.EXTENSION_FORMATS.get(suffix, ""), "image")


class LessonParser:
    """Turns the syntax tree of one lesson into casekit nodes, collecting diagnostics."""

    def __init__(self, path: str, text: str, diags: Diagnostics, allow_html: bool = False) -> None:
        self.path = path
        self.allow_html = allow_html
        self.lines = text.split("\n")
        self.diags = diags
        self.md = markdown_parser()
        self.footnotes: list[t.Footnote] = []
        self.cursor = (0, 0)  # (line index, column) just after the last text located
        self.raw_html_lines: dict[int, tuple[t.Pos, list[str]]] = {}  # one warning per line

    # ---------------------------------------------------------------- helpers

    @property
    def divs(self) -> DivBuilder:  # made when used: a builder kept would be a cycle
        return DivBuilder(self)

    def pos(self, node: SyntaxTreeNode | None, column: int = 1) -> t.Pos:
        line = node.map[0] + 1 if node is not None and node.map else 1
        return t.Pos(self.path, line, column)

    def locate(self, needle: str, near: t.Pos) -> t.Pos:
        """The first place at or after ``near`` where ``needle`` is written.

        The search goes on from the last place found (links of one paragraph
        come in order) and looks at ``LOCATE_BUDGET`` characters at most, so a
        megabyte line with thousands of links stays linear; ``near`` is the
        answer when the text is not found within the budget."""
        starts = [(near.line - 1, 0)]
        if self.cursor[0] >= near.line - 1:
            starts.insert(0, self.cursor)
        for line, column in starts:
            budget = LOCATE_BUDGET
            for index in range(line, min(len(self.lines), near.line + 200)):
                text = self.lines[index]
                end = min(len(text), column + budget + len(needle))
                found = text.find(needle, column, end)
                if found >= 0:
                    self.cursor = (index, found + 1)
                    return t.Pos(self.path, index + 1, found + 1)
                budget -= end - column
                column = 0
                if budget <= 0:
                    break
        return near

    def inline_markdown(self, text: str, near: t.Pos) -> list[t.Inline]:
        """Inline Markdown written in an attribute or front matter (titles)."""
        tokens = self.md.parseInline(text)
        flatten_deep_inlines(tokens)
        node = SyntaxTreeNode(tokens)
        inlines = self.inlines(node.children[0], near) if node.children else []
        _cut_parents(node)
        return inlines

    # ---------------------------------------------------------------- blocks

    def blocks(self, nodes: list[SyntaxTreeNode]) -> list[t.Block]:
        out: list[t.Block] = []
        for node in nodes:
            if node.type == "kramdown_ial":
                self.kramdown(node, out)
                continue
            block = self.block(node)
            if block is None:
                continue
            # "Table: caption" right after a table, or right before it (pandoc allows both)
            after_table = out and isinstance(out[-1], t.Table) and not out[-1].caption
            if _is_table_caption(block) and after_table:
                self.caption_table(out[-1], block)  # type: ignore[arg-type]
                continue
            if isinstance(block, t.Table) and out and _is_table_caption(out[-1]):
                self.caption_table(block, out.pop())  # type: ignore[arg-type]
            out.append(block)
        return out

    def kramdown(self, node: SyntaxTreeNode, out: list[t.Block]) -> None:
        """``{: .language-bash}`` / ``{: .challenge}`` after a block (Carpentries' old
        Jekyll styles) applies to that block; one that cannot be applied is a warning.
        The line itself is never shown."""
        pos = self.pos(node)
        try:
            attrs = parse_braced(node.info)
        except AttributeError_ as exc:
            self.diags.warning(pos, f"{exc}; the line is left out", "kramdown-attributes")
            return
        last = out[-1] if out else None
        if isinstance(last, t.CodeBlock):
            self.code_classes(last, attrs.classes)
            return
        if isinstance(last, t.BlockQuote) and any(c in KNOWN_CLASSES for c in attrs.classes):
            built = self.divs.build(attrs, last.blocks, last.pos)
            if built is None:
                out.pop()
            else:
                out[-1] = built
            return
        shown = "{: " + node.info + "}"
        self.diags.warning(
            pos,
            f"kramdown attributes {shown} do not apply to the block before them "
            "(a code block takes .language-x, .output, .error; a block quote a box class "
            "such as .challenge or .solution); the line is left out",
            "kramdown-attributes",
        )

    def code_classes(self, block: t.CodeBlock, classes: list[str]) -> None:
        """A code block's language and role from its classes (``bash``, ``.language-r``,
        ``.output``, ``.error``): a shell language is a command to type."""
        for name in classes:
            name = name.removeprefix("language-").lower()
            if name in CODE_ROLES:
                block.role = CODE_ROLES[name]
            elif name and not block.language:
                block.language = name
        if not block.role and block.language in SHELL_LANGUAGES:
            block.role = "command"

    def caption_table(self, table: t.Table, para: t.Paragraph) -> None:
        first = para.children[0]
        assert isinstance(first, t.Text)
        first.text = TABLE_CAPTION.sub("", first.text)
        last = para.children[-1]
        if isinstance(last, t.Text):
            last.text, attrs = split_trailing(last.text)
            if attrs:
                table.id = attrs.id
        table.caption = para.children

    def block(self, node: SyntaxTreeNode) -> t.Block | None:
        kind = node.type
        pos = self.pos(node)
        if node.level >= MAX_NESTING - 2:
            # markdown-it stops reading at its nesting limit (for lists, the rest of the
            # lesson is lost), so this is an error: no output silently misses content
            self.diags.error(
                pos,
                f"markup nested deeper than {MAX_NESTING - 2} levels cannot be read "
                "(with lists, neither can the rest of the lesson); nest less deeply",
                "nesting-too-deep",
            )
            return None
        if kind == "front_matter":
            return None
        if kind == "heading":
            return self.heading(node, pos)
        if kind == "paragraph":
            return self.paragraph(node, pos)
        if kind == "bullet_list":
            items = [self.list_item(item) for item in node.children]
            return t.BulletList(pos, items, tight=_tight(node))
        if kind == "ordered_list":
            start = int(node.attrs.get("start", 1))
            items = [self.list_item(item) for item in node.children]
            return t.OrderedList(pos, items, start=start, tight=_tight(node))
        raw_format = RAW_ATTRIBUTE.fullmatch((node.info or "").strip()) if kind == "fence" else None
        if raw_format:  # pandoc's raw attribute: content for one output format
            return self.raw_attribute_block(raw_format[1].lower(), node.content, pos)
        if kind in ("fence", "code_block"):
            text = node.content[:-1] if node.content.endswith("\n") else node.content
            block = t.CodeBlock(pos, text)
            self.code_classes(block, code_info_classes(node.info or ""))
            return block
        if kind == "blockquote":
            return t.BlockQuote(pos, self.blocks(node.children))
        if kind == "hr":
            return t.ThematicBreak(pos)
        if kind == "table":
            return self.table(node, pos)
        if kind == "html_block":
            return self.raw_block(node.content, pos)
        if kind == "dl":
            return self.glossary(node, pos)
        if kind == "footnote_block":
            for note in node.children:
                number = int(note.meta["id"]) + 1
                self.footnotes.append(t.Footnote(number, self.blocks(note.children)))
            return None
        if kind == "fenced_div":
            return self.div(node, pos)
        if kind == "footnote_anchor":
            return None
        self.diags.warning(pos, f"unsupported markup '{kind}' is skipped", "unknown-markup")
        return None

    def heading(self, node: SyntaxTreeNode, pos: t.Pos) -> t.Heading:
        children = self.inlines(node.children[0], pos)
        identifier = ""
        if children and isinstance(children[-1], t.Text):
            children[-1].text, attrs = split_trailing(children[-1].text)
            if attrs:
                identifier = attrs.id
        return t.Heading(pos, int(node.tag[1]), children, id=identifier)

    def paragraph(self, node: SyntaxTreeNode, pos: t.Pos) -> t.Block:
        inline = node.children[0]
        figure = self.figure(inline.content, pos)
        if figure is not None:
            return figure
        return t.Paragraph(pos, _drop_image_attributes(self.inlines(inline, pos)))

    def figure(self, source: str, pos: t.Pos) -> t.Block | None:
        """An image alone in its paragraph (optionally with pandoc attributes) is a
        figure, or a media block when it names a video or audio file.

        The attributes are read from the source, quote-aware, so an ``alt='...'``
        holding braces, quotes or backticks is read whole."""
        if not source.lstrip().startswith("!["):
            return None
        image_source, attrs = split_image_attributes(source.strip())
        tokens = self.md.parseInline(image_source)
        flatten_deep_inlines(tokens)
        root = SyntaxTreeNode(tokens)
        content = self.inlines(root.children[0], pos) if root.children else []
        _cut_parents(root)
        content = [c for c in content if not (isinstance(c, t.Text) and not c.text.strip())]
        if len(content) != 1 or not isinstance(content[0], t.InlineImage):
            return None
        image = content[0]
        identifier = attrs.id if attrs else ""
        kind = media_kind_of(image.src)
        title = self.inline_markdown(image.title, pos) if image.title else []
        if kind in ("video", "audio"):
            caption = [t.Paragraph(pos, title)] if title else []
            return t.MediaBlock(pos, kind, image.src, image.alt, caption, id=identifier)  # type: ignore[arg-type]
        # pandoc {alt="..."} and Quarto {fig-alt="..."}: the bracket text is then the caption
        values = attrs.values if attrs else {}
        for key in ("width", "height"):
            if key in values and not t.IMAGE_LENGTH.match(values[key]):
                self.diags.warning(
                    pos,
                    f"{key}={values[key]!r} is not a size casekit reads (a number with %, px, "
                    "cm, mm, in or pt); the image is sized to the page",
                    "image-size",
                )
                del values[key]
        alt = values.get("fig-alt", "") or values.get("alt", "")
        caption = title or ([t.Text(image.alt)] if image.alt else [])
        return t.Figure(
            pos,
            image.src,
            alt or image.alt,
            caption,
            id=identifier,
            width=values.get("width", ""),
            height=values.get("height", ""),
        )

    def list_item(self, node: SyntaxTreeNode) -> t.ListItem:
        pos = self.pos(node)
        blocks = self.blocks(node.children)
        checked: bool | None = None
        if blocks and isinstance(blocks[0], t.Paragraph) and blocks[0].children:
            first = blocks[0].children[0]
            if isinstance(first, t.Text):
                match = _TASK.match(first.text)
                if match:
                    checked = match.group(1) != " "
                    first.text = first.text[match.end() :]
        return t.ListItem(pos, blocks, checked)

    def table(self, node: SyntaxTreeNode, pos: t.Pos) -> t.Table:
        header: list[t.TableCell] = []
        rows: list[list[t.TableCell]] = []
        for section in node.children:
            for row in section.children:
                cells = [self.cell(cell, pos) for cell in row.children]
                if section.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return t.Table(pos, header, rows)

    def cell(self, node: SyntaxTreeNode, pos: t.Pos) -> t.TableCell:
        style = str(node.attrs.get("style", ""))
        align = style.removeprefix("text-align:") if style.startswith("text-align:") else ""
        children = self.inlines(node.children[0], pos) if node.children else []
        return t.TableCell(children, align)  # type: ignore[arg-type]

    def glossary(self, node: SyntaxTreeNode, pos: t.Pos) -> t.Glossary:
        entries: list[t.GlossaryEntry] = []
        for child in node.children:
            if child.type == "dt":
                term = self.inlines(child.children[0], pos) if child.children else []
                entries.append(t.GlossaryEntry(term, []))
            elif child.type == "dd" and entries:
                entries[-1].definition.extend(self.blocks(child.children))
        return t.Glossary(pos, entries)

    def div(self, node: SyntaxTreeNode, pos: t.Pos) -> t.Block | None:
        try:
            attrs = parse_div_info(node.info)
        except AttributeError_ as exc:
            self.diags.error(pos, str(exc), "div-attributes")
            attrs = Attributes()
        return self.divs.build(attrs, self.blocks(node.children), pos)

    # ---------------------------------------------------------------- inlines

    def inlines(self, node: SyntaxTreeNode, pos: t.Pos) -> list[t.Inline]:
        out: list[t.Inline] = []
        children = list(node.children)
        reader = None if self.allow_html else HtmlText()  # raw tags of this sequence
        while children:
            child = children.pop(0)
            kind = child.type
            key = _kbd(child, children)
            if key is not None:
                out.append(key)
                continue
            if reader is not None and reader.hidden and kind != "html_inline":
                continue  # the text of an inline <script> or <style>
            if kind == "text":
                if out and isinstance(out[-1], t.Text):
                    out[-1].text += child.content
                else:
                    out.append(t.Text(child.content))
            elif kind == "softbreak":
                out.append(t.Text(" "))
            elif kind == "hardbreak":
                out.append(t.LineBreak())
            elif kind == "em":
                out.append(t.Emph(self.inlines(child, pos)))
            elif kind == "strong":
                out.append(t.Strong(self.inlines(child, pos)))
            elif kind == "s":
                out.append(t.Strike(self.inlines(child, pos)))
            elif kind == "code_inline":
                out.append(t.Code(child.content))
            elif kind == "link":
                href = str(child.attrs.get("href", ""))
                out.append(
                    t.Link(
                        self.inlines(child, pos),
                        href,
                        str(child.attrs.get("title", "") or ""),
                        pos=self.locate(f"]({href}", pos) if href else pos,
                    )
                )
            elif kind == "image":
                src = str(child.attrs.get("src", ""))
                out.append(
                    t.InlineImage(
                        src,
                        t.plain_text(self.inlines(child, pos)),
                        title=str(child.attrs.get("title", "") or ""),
                        pos=self.locate(f"]({src}", pos),
                    )
                )
            elif kind == "footnote_ref":
                out.append(t.FootnoteRef(int(child.meta["id"]) + 1))
            elif kind == "html_inline":
                out.extend(self.raw_inline(child.content, pos, reader))
            else:
                out.extend(self.inlines(child, pos))
        # merge adjacent text runs (soft breaks) for renderers
        merged: list[t.Inline] = []
        for item in out:
            if isinstance(item, t.Text) and merged and isinstance(merged[-1], t.Text):
                merged[-1] = t.Text(merged[-1].text + item.text)
            else:
                merged.append(item)
        return merged

    def raw_attribute_block(self, fmt: str, raw: str, pos: t.Pos) -> t.Block | None:
        """A ` ```{=html} ` block is raw HTML; one for another format (``{=latex}``,
        ``{=openxml}``) is left out, as pandoc leaves it out of every other output."""
        if fmt in ("html", "html5"):
            return self.raw_block(raw, pos)
        self.diags.warning(
            pos,
            f"a {{={fmt}}} block is written for {fmt} output only and is left out",
            "raw-format",
        )
        return None

    def raw_block(self, raw: str, pos: t.Pos) -> t.Block | None:
        """A raw HTML block: kept for the safe subset with ``allow_html``, else its
        text as a paragraph (lines where the HTML breaks them), or nothing."""
        if self.allow_html:
            self.note_raw_html(pos, dropped_markup(raw))
            return t.RawBlock(pos, raw.rstrip("\n"))
        lines, tags = html_block_lines(raw)
        self.note_raw_html(pos, tags)
        children: list[t.Inline] = []
        for line in lines:
            children += [t.LineBreak(), t.Text(line)] if children else [t.Text(line)]
        return t.Paragraph(pos, children) if children else None

    def raw_inline(self, raw: str, near: t.Pos, reader: HtmlText | None) -> list[t.Inline]:
        """A raw inline tag: kept for the safe subset with ``allow_html``; else left
        out, its text kept and a ``<br>`` a line break (``reader`` reads the sequence)."""
        where = self.locate(raw.split("\n", 1)[0], near)
        if reader is None:
            self.note_raw_html(where, dropped_markup(raw))
            return [t.RawInline(raw)]
        seen = len(reader.tags)
        pieces = reader.feed(raw)
        self.note_raw_html(where, reader.tags[seen:])
        return [t.LineBreak() if p is LINE_BREAK else t.Text(p) for p in pieces]

    def note_raw_html(self, where: t.Pos, left_out: list[str]) -> None:
        """Remember raw HTML left out at ``where``: one warning per line names it all."""
        if not left_out:
            return
        _first, named = self.raw_html_lines.setdefault(where.line, (where, []))
        named.extend(item for item in left_out if item not in named)

    def warn_raw_html(self) -> None:
        for where, named in self.raw_html_lines.values():
            shown = ", ".join(named[:8]) + (", ..." if len(named) > 8 else "")
            if self.allow_html:
                message = (
                    f"raw HTML {shown} is not in the allowed subset "
                    "(allow_html keeps text-level tags only) and is left out"
                )
            else:
                drawable = [tag for tag in named if tag.strip("<>") in ALLOWED_TAGS]
                hint = (
                    f"set allow_html = true in course.toml to draw {', '.join(drawable[:4])}"
                    if drawable
                    else "allow_html = true in course.toml would keep only text-level tags "
                    "such as <sub> and <b>"
                )
                message = (
                    f"raw HTML {shown} is left out and its text kept ({hint}; write \\< or "
                    "`code` to show a tag as text)"
                )
            self.diags.warning(where, message, "raw-html")
        self.raw_html_lines.clear()

    # ---------------------------------------------------------------- lesson

    def front_matter(self, root: SyntaxTreeNode) -> dict[str, Any]:
        first = root.children[0] if root.children else None
        if first is None or first.type != "front_matter":
            return {}
        pos = self.pos(first)
        try:
            data = yaml.safe_load(first.content) or {}
        except RecursionError:
            self.diags.error(pos, "front matter is nested too deeply", "front-matter")
            return {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = pos.line + 1 + (mark.line if mark else 0)
            self.diags.error(
                self.path,
                f"invalid YAML front matter: {getattr(exc, 'problem', exc)}",
                "front-matter",
                line,
            )
            return {}
        if not isinstance(data, dict):
            self.diags.error(pos, "front matter must be a mapping of fields", "front-matter")
            return {}
        good: dict[str, Any] = {}
        for key, value in data.items():
            line = self.locate(f"{key}:", pos)
            if key not in _FRONT_MATTER_FIELDS:
                self.diags.warning(
                    line,
                    f"unknown front matter field '{key}' is ignored "
                    f"(known: {', '.join(_FRONT_MATTER_FIELDS)})",
                    "front-matter-unknown",
                )
            elif not isinstance(value, _FRONT_MATTER_FIELDS[key]) or isinstance(value, bool):
                self.diags.error(
                    line, f"front matter field '{key}' has the wrong type", "front-matter"
                )
            elif key == "hours" and not 0 <= value <= MAX_HOURS:
                self.diags.error(
                    line, f"'hours' must be a number from 0 to {MAX_HOURS}", "front-matter"
                )
            elif key in ("teaching", "exercises") and not 0 <= value <= MAX_HOURS * 60:
                self.diags.error(
                    line, f"'{key}' must be a number of minutes from 0", "front-matter"
                )
            elif key == "outcomes" and not all(isinstance(v, str) for v in value):
                self.diags.error(line, "'outcomes' must be a list of strings", "front-matter")
            else:
                good[key] = value
        return good


def parse_lesson(
    path: str,
    text: str,
    diags: Diagnostics,
    parse_seconds: float = PARSE_SECONDS,
    allow_html: bool = False,
) -> t.Lesson:
    """Parse the Markdown ``text`` of the lesson at ``path`` (relative to the course);
    ``allow_html`` is the course setting (raw HTML warnings depend on it)."""
    parser = LessonParser(path, text, diags, allow_html)
    try:
        with time_limit(parse_seconds):
            tokens = parser.md.parse(text)
    except TimeLimitExceeded:
        diags.error(
            path,
            f"reading the Markdown took more than {parse_seconds:g} s: the lesson is too large "
            "or its markup too unusual (thousands of unclosed brackets or nested quotes); "
            "split it into smaller lessons",
            "lesson-too-complex",
        )
        return _unreadable_lesson(path)
    for token in flatten_deep_inlines(tokens):
        line = token.map[0] + 1 if token.map else 1
        diags.warning(
            path,
            f"inline markup nested deeper than {MAX_INLINE_NESTING} levels is kept as text",
            "inline-nesting-too-deep",
            line,
        )
    try:
        root = SyntaxTreeNode(tokens)
    except ValueError:  # markdown-it's footnote plugin nests a definition inside another
        diags.error(
            path,
            "the lesson's Markdown cannot be read: a footnote definition ([^n]: ...) "
            "is nested inside another one; write footnote definitions unindented",
            "markdown-invalid",
        )
        return _unreadable_lesson(path)
    meta = parser.front_matter(root)
    blocks = parser.blocks(root.children)
    _cut_parents(root)
    title: list[t.Inline] = []
    if "title" in meta:
        title = parser.inline_markdown(meta["title"], t.Pos(path, 1, 1))
    elif blocks and isinstance(blocks[0], t.Heading) and blocks[0].level == 1:
        title = blocks.pop(0).children
    else:
        diags.error(
            path,
            "lesson has no title: add 'title:' to the front matter or start with '# Title'",
            "lesson-title",
        )
        title = [t.Text(lesson_id_for(path))]
    parser.warn_raw_html()
    _normalise_heading_levels(blocks)
    return t.Lesson(
        id=lesson_id_for(path),
        path=path,
        title=title,
        blocks=blocks,
        footnotes=sorted(parser.footnotes, key=lambda f: f.number),
        hours=_hours(meta),
        outcomes=list(meta.get("outcomes", [])),
    )


def _cut_parents(root: SyntaxTreeNode) -> None:
    """Unlink markdown-it's syntax tree from its parents once read: a tree with them is a
    cycle, freed only by a full collection, which a build defers (``runtime/gc_tuning.py``);
    without them it is freed as soon as it is dropped, lesson by lesson."""
    nodes = [root]
    while nodes:
        node = nodes.pop()
        node.parent = None
        nodes += node.children


#: pandoc's raw attribute on a code fence: ```{=html}
RAW_ATTRIBUTE = re.compile(r"\{=([A-Za-z][A-Za-z0-9_+-]*)\}")


def code_info_classes(info: str) -> list[str]:
    """The classes of a code fence's info string: ``bash``, ``{.bash}``,
    ``python {.output}``, ``{.language-r .error}``."""
    info = info.strip()
    classes: list[str] = []
    if info and not info.startswith("{"):
        word, _, info = info.partition(" ")
        classes.append(word.lstrip("."))
        info = info.strip()
    if info.startswith("{") and info.endswith("}"):
        with contextlib.suppress(AttributeError_):
            classes.extend(parse_braced(info[1:-1]).classes)
    return classes


_KBD_OPEN = re.compile(r"^<kbd>$", re.I)
_KBD_CLOSE = re.compile(r"^</kbd>$", re.I)


def _kbd(child: SyntaxTreeNode, following: list[SyntaxTreeNode]) -> t.Kbd | None:
    """``<kbd>Ctrl</kbd>`` (the Carpentries' keys): a key cap in every format, whatever
    ``allow_html`` says. The tokens up to ``</kbd>`` are taken from ``following``."""
    if child.type != "html_inline" or not _KBD_OPEN.match(child.content):
        return None
    for index, node in enumerate(following[:8]):
        if node.type == "html_inline" and _KBD_CLOSE.match(node.content):
            inner = following[:index]
            if not all(n.type in ("text", "code_inline") for n in inner):
                return None
            del following[: index + 1]
            return t.Kbd("".join(n.content for n in inner))
        if node.type not in ("text", "code_inline"):
            return None
    return None


def _hours(meta: dict[str, Any]) -> float | None:
    """``hours``, else the Carpentries' ``teaching`` + ``exercises`` minutes."""
    if "hours" in meta:
        return float(meta["hours"])
    if "teaching" in meta or "exercises" in meta:
        return round((meta.get("teaching", 0) + meta.get("exercises", 0)) / 60, 2)
    return None


def _unreadable_lesson(path: str) -> t.Lesson:
    """An empty lesson titled by its id, for a lesson whose Markdown cannot be read
    (the error is in the diagnostics; the rest of the course still checks)."""
    return t.Lesson(lesson_id_for(path), path, [t.Text(lesson_id_for(path))], [])


def _is_table_caption(block: t.Block) -> bool:
    """A paragraph written as pandoc's table caption: ``Table: text`` or ``: text``."""
    if not isinstance(block, t.Paragraph) or not block.children:
        return False
    first = block.children[0]
    return isinstance(first, t.Text) and bool(TABLE_CAPTION.match(first.text))


def _drop_image_attributes(inlines: list[t.Inline]) -> list[t.Inline]:
    """Pandoc's ``![alt](src){width=50%}`` inside text: the attributes are not text to show."""
    sequences = [inlines] + [
        node.children
        for node in t.iter_inlines(inlines)
        if isinstance(getattr(node, "children", None), list)
    ]
    for seq in sequences:
        for image, after in zip(seq, seq[1:], strict=False):
            if isinstance(image, t.InlineImage) and isinstance(after, t.Text):
                after.text = split_leading(after.text)[1]
    return inlines


def _normalise_heading_levels(blocks: list[t.Block]) -> None:
    """Shift headings so the lesson's top section level is 1 (``#`` or ``##`` alike)."""
    headings = [b for b in t.iter_blocks(blocks) if isinstance(b, t.Heading)]
    if not headings:
        return
    shift = min(h.level for h in headings) - 1
    for heading in headings:
        heading.level -= shift


def _tight(node: SyntaxTreeNode) -> bool:
    return all(
        child.type != "paragraph" or child.hidden
        for item in node.children
        for child in item.children
    )
