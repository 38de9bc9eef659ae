"""Writing a lesson of pandoc AST blocks as casekit Markdown (docs/format.md).

Only what casekit reads is written: pipe tables (a merged or multi-paragraph
cell is flattened, with a note), fenced divs, footnotes, task lists, figures with
alt text and caption. Raw HTML is never written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from casekit.importer.ast import Node, plain_text

SUPERSCRIPT = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
ESCAPED = re.compile(r"([\\`*_\[\]<>|~^$])")
LINE_START = re.compile(r"^(#|>|[-+*=]\s|:|\d+[.)]\s|\d+[.)]$|-{3,}|_{3,}|\*{3,})")
QUOTES = {"kk": ("«", "»"), "ru": ("«", "»"), "en": ("“", "”")}
ALIGN = {"AlignLeft": ":---", "AlignRight": "---:", "AlignCenter": ":---:", "AlignDefault": "---"}


@dataclass
class Links:
    """Where a link or picture goes once the document is split into lessons."""

    #: ``#id`` -> ``02-files.md#id`` (``""``: same lesson; missing: the anchor is gone)
    anchor: Callable[[str], str | None]
    #: a picture's source -> its path from the lesson, or ``None`` when it was left out
    image: Callable[[str], str | None]
    #: anchors that links point to: headings and figures keep these ids
    linked: set[str] = field(default_factory=set)


@dataclass
class LessonWriter:
    links: Links
    language: str = "en"
    notes: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    footnotes: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ inlines

    def inlines(self, items: list[Node]) -> str:
        return "".join(self.inline(item) for item in items)

    def inline(self, item: Node) -> str:
        tag, c = item["t"], item.get("c")
        if tag == "Str":
            return ESCAPED.sub(r"\\\1", c)
        if tag in ("Space", "SoftBreak"):
            return " "
        if tag == "LineBreak":
            return "\\\n"
        if tag == "Emph":
            return _wrap("*", self.inlines(c))
        if tag == "Strong":
            return _wrap("**", self.inlines(c))
        if tag == "Strikeout":
            return _wrap("~~", self.inlines(c))
        if tag == "Superscript":
            text = plain_text(c)
            mapped = text.translate(SUPERSCRIPT)
            return mapped if mapped != text or not text else self.inlines(c)
        if tag == "Subscript":
            text = plain_text(c)
            mapped = text.translate(SUBSCRIPT)
            return mapped if mapped != text or not text else self.inlines(c)
        if tag in ("Underline", "SmallCaps", "Span"):
            return self.inlines(c if tag != "Span" else c[1])
        if tag == "Quoted":
            left, right = (
                QUOTES.get(self.language, QUOTES["en"])
                if c[0]["t"] == "DoubleQuote"
                else ("‘", "’")
            )
            return left + self.inlines(c[1]) + right
        if tag == "Cite":
            return self.inlines(c[1])
        if tag == "Code":
            return _code(c[1])
        if tag == "Math":
            return _code(c[1])
        if tag == "RawInline":
            self.notes.append(("import-raw", f"raw {c[0]} left out: {c[1][:40]}"))
            return ""
        if tag == "Link":
            return self.link(c[1], c[2][0])
        if tag == "Image":
            return self.image(c)
        if tag == "Note":
            self.footnotes.append(self.blocks(c, "    ").lstrip())
            return f"[^{len(self.footnotes)}]"
        return self.inlines(c) if isinstance(c, list) else ""

    def link(self, text: list[Node], url: str) -> str:
        label = self.inlines(text)
        if url.startswith("#"):
            target = self.links.anchor(url[1:])
            if target is None:
                return label
            url = target or url
        elif not re.match(r"^(https?:|mailto:)", url, re.I):
            self.notes.append(
                ("import-link", f"link to {url[:60]} left out (only web and e-mail links are kept)")
            )
            return label
        if not label.strip():
            label = ESCAPED.sub(r"\\\1", url)
        return f"[{label}]({_url(url)})"

    def image(self, c: list, caption: str = "") -> str:
        attr, alt_inlines, (src, title) = c
        alt = plain_text(alt_inlines) or dict(attr[2]).get("alt", "")
        target = self.links.image(src)
        if target is None:
            return ESCAPED.sub(r"\\\1", alt)
        caption = caption or title
        shown_alt = ESCAPED.sub(r"\\\1", alt or caption or target.rsplit("/", 1)[-1])
        if not alt:
            self.notes.append(
                ("import-image", f"picture {target} has no description (alt text): add one")
            )
        titled = f' "{_quote(caption)}"' if caption and caption != alt else ""
        return f"![{shown_alt}]({_url(target)}{titled})"

    # ------------------------------------------------------------ blocks

    def blocks(self, blocks: list[Node], indent: str = "", tight: bool = False) -> str:
        parts = [self.block(b, indent) for b in blocks]
        parts = [p for p in parts if p.strip()]
        return ("\n" if tight else "\n\n").join(parts)

    def block(self, b: Node, indent: str) -> str:
        tag, c = b["t"], b.get("c")
        if tag in ("Para", "Plain"):
            if len(c) == 1 and c[0]["t"] == "Image":
                return indent + self.image(c[0]["c"])
            return _indent(_protect(self.inlines(c)), indent)
        if tag == "Header":
            level, attr, text = c
            line = "#" * level + " " + self.inlines(text)
            return indent + line + (f" {{#{attr[0]}}}" if attr[0] in self.links.linked else "")
        if tag == "BulletList":
            return self.list_items(c, indent, lambda _n: "-")
        if tag == "OrderedList":
            start, style, delim = c[0]
            mark = ")" if delim["t"] == "OneParen" else "."
            return self.list_items(c[1], indent, lambda n: f"{start + n}{mark}")
        if tag == "BlockQuote":
            inner = self.blocks(c)
            return "\n".join(indent + ("> " + line if line else ">") for line in inner.split("\n"))
        if tag == "CodeBlock":
            fence = "`" * max(3, _longest_run(c[1], "`") + 1)
            language = c[0][1][0] if c[0][1] else ""
            body = c[1].rstrip("\n")
            return _indent(f"{fence}{language}\n{body}\n{fence}", indent)
        if tag == "LineBlock":
            return _indent("\\\n".join(_protect(self.inlines(line)) for line in c), indent)
        if tag == "HorizontalRule":
            return indent + "---"
        if tag == "DefinitionList":
            entries = []
            for term, definitions in c:
                body = "\n".join(": " + self.blocks(d, indent + "  ").lstrip() for d in definitions)
                entries.append(f"{indent}{_protect(self.inlines(term))}\n{indent}{body}")
            return "\n\n".join(entries)
        if tag == "Table":
            return _indent(self.table(c), indent)
        if tag == "Figure":
            return indent + self.figure(c)
        if tag == "Div":
            return self.div(c, indent)
        if tag == "RawBlock":
            self.notes.append(("import-raw", f"raw {c[0]} block left out"))
            return ""
        return ""

    def list_items(self, items: list[list[Node]], indent: str, marker: Callable[[int], str]) -> str:
        tight = all(
            not item
            or (
                item[0]["t"] in ("Plain", "Para")
                and all(b["t"] in ("BulletList", "OrderedList") for b in item[1:])
            )
            for item in items
        )
        out = []
        for n, item in enumerate(items):
            mark = marker(n) + " "
            inner = self.blocks(item, indent + " " * len(mark), tight=tight)
            first_line = (
                inner[len(indent) + len(mark) :]
                if inner.startswith(indent + " " * len(mark))
                else inner.lstrip()
            )
            out.append(indent + mark + _task(first_line))
        return ("\n" if tight else "\n\n").join(out)

    def figure(self, c: list) -> str:
        attr, (_short, caption), content = c
        images = [i for b in content for i in (b["c"] if b["t"] in ("Plain", "Para") else [])]
        images = [i for i in images if i["t"] == "Image"]
        caption_text = plain_text(caption)
        if not images:
            return self.blocks(content)
        written = self.image(images[0]["c"], caption_text)
        anchor = f"{{#{attr[0]}}}" if attr[0] in self.links.linked else ""
        return written + anchor

    def table(self, c: list) -> str:
        from casekit.importer.shape import table_rows

        _attr, (_short, caption), specs, *_ = c
        head, body = table_rows({"c": c})
        if not head and body:
            head, body = [body[0]], body[1:]
        columns = len(specs)
        merged = False

        def cells(row: list[Node], pending: dict[int, int]) -> list[str]:
            nonlocal merged
            out: list[str] = []
            for cell in row:
                while len(out) in pending:
                    pending[len(out)] -= 1
                    if not pending[len(out)]:
                        del pending[len(out)]
                    out.append("")
                _cattr, _align, rowspan, colspan, blocks = cell
                text = " ".join(
                    _protect(self.inlines(b["c"])) if b["t"] in ("Para", "Plain") else plain_text(b)
                    for b in blocks
                )
                if rowspan > 1 or colspan > 1:
                    merged = True
                for extra in range(colspan):
                    if rowspan > 1:
                        pending[len(out)] = rowspan - 1
                    out.append(text.replace("|", "\\|") if not extra else "")
            while len(out) < columns:
                out.append("")
            return out

        pending: dict[int, int] = {}
        rows = [cells(head[0], pending)] if head else [[""] * columns]
        for extra_head in head[1:]:
            rows.append(cells(extra_head, pending))
        rows.extend(cells(row, pending) for row in body)
        if merged:
            self.notes.append(
                ("import-table", "a table had merged cells: each one's text is in its first cell")
            )
        lines = ["| " + " | ".join(rows[0]) + " |"]
        lines.append("|" + "|".join(ALIGN[spec[0]["t"]] for spec in specs) + "|")
        lines.extend("| " + " | ".join(row) + " |" for row in rows[1:])
        caption_text = " ".join(
            self.inlines(b["c"]) for b in caption if b["t"] in ("Para", "Plain")
        )
        if caption_text.strip():
            lines.append("")
            lines.append(f"Table: {caption_text.strip()}")
        return "\n".join(lines)

    def div(self, c: list, indent: str) -> str:
        attr, blocks = c
        classes = attr[1]
        title = dict(attr[2]).get("title", "")
        inner = self.blocks(blocks, indent)
        fence = ":" * (3 + _div_depth(blocks))
        head = classes[0] if classes else "note"
        if title:
            head = f'{{.{head} title="{_quote(title)}"}}'
        return f"{indent}{fence} {head}\n{inner}\n{indent}{fence}"

    def lesson(
        self, title: str, blocks: list[Node], outcomes: list[str], hours: float | None = None
    ) -> str:
        self.footnotes = []
        meta: dict[str, object] = {"title": title}
        if hours is not None:
            meta["hours"] = int(hours) if hours == int(hours) else hours
        if outcomes:
            meta["outcomes"] = outcomes
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        body = self.blocks(blocks)
        notes = "\n\n".join(f"[^{n}]: {text}" for n, text in enumerate(self.footnotes, start=1))
        return f"---\n{front}---\n\n{body}\n" + (f"\n{notes}\n" if notes else "")


def _wrap(mark: str, text: str) -> str:
    """``**text**`` with the spaces kept outside the marks (CommonMark needs that)."""
    if not text.strip():
        return text
    stripped = text.strip()
    left = text[: len(text) - len(text.lstrip())]
    right = text[len(text.rstrip()) :]
    return f"{left}{mark}{stripped}{mark}{right}"


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(r) for r in runs), default=0)


def _code(text: str) -> str:
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _protect(text: str) -> str:
    """Escape what would start a block (``#``, ``-``, ``1.``) at the start of a line."""
    lines = text.split("\n")
    return "\n".join(
        re.sub(r"^(\d+)([.)])", r"\1\\\2", line)
        if re.match(r"^\d+[.)]", line)
        else ("\\" + line if LINE_START.match(line) else line)
        for line in lines
    )


def _indent(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else line for line in text.split("\n"))


def _task(text: str) -> str:
    """A list item that starts ☐/☑ (or ``\\[x\\]`` as written by the quiz) as a task item."""
    for mark, done in (("☐ ", " "), ("☑ ", "x"), ("☒ ", "x"), ("\\[x\\] ", "x"), ("\\[ \\] ", " ")):
        if text.startswith(mark):
            return f"[{done}] " + text[len(mark) :]
    return text


def _div_depth(blocks: list[Node]) -> int:
    depth = 0
    for b in blocks:
        if b["t"] == "Div":
            depth = max(depth, 1 + _div_depth(b["c"][1]))
        elif b["t"] in ("BulletList",):
            depth = max(depth, *(_div_depth(item) for item in b["c"]), 0)
        elif b["t"] == "OrderedList":
            depth = max(depth, *(_div_depth(item) for item in b["c"][1]), 0)
    return depth
