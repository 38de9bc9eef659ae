"""The markdown-it parser casekit uses, with pandoc-style fenced divs.

Fenced divs follow pandoc: an opening fence of three or more colons followed by
a class name or ``{.class #id key=value}``; a closing fence of three or more
colons alone on its line. Divs nest, with fences of any length (pandoc's rule),
and fences inside code blocks are ignored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

_OPEN = re.compile(r"^(:{3,})\s*([^:\s].*?)\s*:*\s*$")
_CLOSE = re.compile(r"^:{3,}\s*$")
_CODE_FENCE = re.compile(r"^(`{3,}|~{3,})")
#: a kramdown/Jekyll attribute line (``{: .language-bash}``, ``{: .challenge}``), as
#: Carpentries lessons written for the old styles put after a code block or block quote
KRAMDOWN_IAL = re.compile(r"^\{:\s*([^{}]*?)\s*\}\s*$")

# Deep enough for any real course (quiz > list > item > list > ...), shallow
# enough that hostile nesting cannot exhaust the stack: deeper markup is text.
MAX_NESTING = 40
# Inline markup (emphasis, links) is nested by a post-pass markdown-it does not
# bound: deeper inline markup is kept as its text.
MAX_INLINE_NESTING = 20


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _fenced_div(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    opening = _OPEN.match(_line(state, start_line))
    if not opening:
        return False
    if silent:
        return True

    depth = 1
    fence: str | None = None  # the code fence we are inside, if any
    next_line = start_line
    closed = False
    while True:
        next_line += 1
        if next_line >= end_line:
            break
        text = _line(state, next_line)
        if text and state.sCount[next_line] < state.blkIndent:
            break  # a line indented less than the container ends it (lists)
        code = _CODE_FENCE.match(text)
        if fence is not None:
            if code and code.group(1)[0] == fence[0] and len(code.group(1)) >= len(fence):
                fence = None
            continue
        if code:
            fence = code.group(1)
            continue
        if state.sCount[next_line] - state.blkIndent >= 4:
            continue
        if _OPEN.match(text):
            depth += 1
        elif _CLOSE.match(text):
            depth -= 1
            if depth == 0:
                closed = True
                break

    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "fenced_div"  # type: ignore[assignment]
    state.lineMax = next_line

    token = state.push("fenced_div_open", "div", 1)
    token.markup = opening.group(1)
    token.block = True
    token.info = opening.group(2)
    token.map = [start_line, next_line]
    state.md.block.tokenize(state, start_line + 1, next_line)
    token = state.push("fenced_div_close", "div", -1)
    token.block = True

    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = next_line + (1 if closed else 0)
    return True


def _kramdown_ial(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A ``{: ...}`` line is a block of its own: it ends the paragraph or block quote
    before it (instead of continuing it lazily), so the parse can apply it to that block."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    match = KRAMDOWN_IAL.match(_line(state, start_line))
    if not match:
        return False
    if silent:
        return True
    token = state.push("kramdown_ial", "", 0)
    token.block = True
    token.info = match.group(1)
    token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The one configured parser (CommonMark + GFM tables and strikethrough,
    front matter, footnotes, definition lists, fenced divs, kramdown attribute lines)."""
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(footnote_plugin).use(deflist_plugin)
    md.block.ruler.before(
        "fence",
        "fenced_div",
        _fenced_div,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.block.ruler.before(
        "fence",
        "kramdown_ial",
        _kramdown_ial,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    return md


def flatten_deep_inlines(tokens: list[Token]) -> list[Token]:
    """Turn inline markup nested deeper than ``MAX_INLINE_NESTING`` into text, in
    place. Returns the block tokens where that happened (for a warning)."""
    flattened: list[Token] = []
    for token in tokens:
        if not token.children:
            continue
        opened: list[bool] = []  # per open tag: was it turned into text?
        changed = False
        for child in token.children:
            if child.nesting == 1:
                flat = len(opened) >= MAX_INLINE_NESTING
                opened.append(flat)
            elif child.nesting == -1:
                flat = opened.pop() if opened else False
            else:
                continue
            if flat:
                child.type, child.tag, child.nesting = "text", "", 0
                child.content = child.markup
                changed = True
        if changed:
            flattened.append(token)
    return flattened
