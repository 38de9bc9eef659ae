"""From pandoc's AST of a whole document to casekit's elements and lessons.

Word has no callouts or assignments, only styles, boxes and words: a one-cell
table (a box) or a paragraph style named like a callout becomes a callout, a
heading or paragraph numbered "Тапсырма 2" / "Задание 2" / "Assignment 2" an
assignment, "Self-check 1.1" with ☐/☑ options a quiz. Styles casekit itself
writes for labels (lesson info, answer lines, the contents) are left out: casekit
adds them again. Every other style's text is kept as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from casekit.importer import vocabulary as v
from casekit.importer.ast import (
    Node,
    div,
    drop_leading_text,
    inlines_of,
    node,
    nodes,
    plain_text,
    strip_style_divs,
    unwrap_styles,
)
from casekit.messages import BUILT_IN, messages

#: node types of this module only: where a numbered item ends, a lesson's study hours
BOUNDARY = "casekit-boundary"
HOURS = "casekit-hours"
#: lesson-level elements: a numbered item (assignment, quiz) ends before them
LESSON_LEVEL = ("keypoints", "objectives", "outcomes")
CHECK_MARKS = {"☐": False, "☑": True, "☒": True}
OPTION_LETTER = re.compile(r"^[a-zа-яәғқңөұүһі]\)\s*", re.I)
BACK_MATTER_KEYS = ("glossary", "media_index", "answers_appendix", "contents")


@dataclass
class Lesson:
    title: str
    blocks: list[Node]
    ids: set[str] = field(default_factory=set)  # heading ids inside, for links
    outcomes: list[str] = field(default_factory=list)
    own_id: str = ""  # the id of the heading that became the title
    hours: float | None = None


@dataclass
class Module:
    title: str
    lessons: list[Lesson]


@dataclass
class Shaped:
    modules: list[Module]
    notes: list[tuple[str, str]]  # (code, message): what was changed or left out


# ---------------------------------------------------------------- tables


def table_rows(table: Node) -> tuple[list[list[Node]], list[list[Node]]]:
    """(head rows, body rows) of a pandoc Table; each row a list of cells."""
    _attr, _caption, _specs, head, bodies, foot = table["c"]
    head_rows = [row[1] for row in head[1]]
    body_rows = []
    for body in bodies:
        body_rows.extend(row[1] for row in body[2])
        body_rows.extend(row[1] for row in body[3])
    body_rows.extend(row[1] for row in foot[1])
    return head_rows, body_rows


def single_cell(table: Node) -> list[Node] | None:
    head, body = table_rows(table)
    rows = head + body
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0][4]
    return None


class Shaper:
    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []
        self.made_by_casekit = False

    # ------------------------------------------------------------ boxes

    def box(self, style: str, cell: list[Node]) -> list[Node]:
        """A one-cell table as a casekit div (callout, solution, objectives ...)."""
        items = unwrap_styles(cell)
        kind = v.box_kind_of_style(style) if style else None
        title = ""
        if items:
            first_style, first = items[0]
            label = (
                v.split_box_title(plain_text(first)) if first["t"] in ("Para", "Plain") else None
            )
            if label and (v.style_key(first_style) == "boxtitle" or len(plain_text(first)) < 80):
                kind, title = label  # the box's own word says more than its style
                items = items[1:]
        blocks = self.blocks(items)
        kind = kind or "note"
        if kind == "outcomes":
            return [div(["outcomes"], blocks)]
        return [div([kind], blocks, title)]

    def task(self, kind: str, blocks: list[Node]) -> Node:
        """Paragraphs in a task's style ("Тапсырма", "Exercise" ...) as its div; a
        number the first one starts with ("Тапсырма 2.") is casekit's to give."""
        blocks = [strip_style_divs(b) for b in blocks]
        first = blocks[0]
        text = plain_text(first) if first["t"] in ("Para", "Plain") else ""
        numbered = v.numbered_item(text) if text else None
        if numbered is not None and numbered[0] == kind:
            rest = drop_leading_text(first["c"], len(text) - len(numbered[1]))
            blocks = ([node(first["t"], rest)] if rest else []) + blocks[1:]
        return div([kind], blocks)

    def media_card(self, table: Node) -> list[Node]:
        """casekit's video/audio card: the QR picture and labels go, the caption stays."""
        head, body = table_rows(table)
        cells = [cell for row in head + body for cell in row]
        text = unwrap_styles(cells[-1][4]) if cells else []
        kept = [(s, b) for s, b in text if v.style_key(s) not in v.GENERATED_STYLES]
        code = next((plain_text(b) for s, b in text if v.style_key(s) == "mediacode"), "")
        self.notes.append(
            (
                "import-media",
                f"video/audio {code} is not in the document: add its file and a video or audio div",
            )
        )
        return self.blocks(kept)

    # ------------------------------------------------------------ blocks

    def blocks(self, items: list[tuple[str, Node]]) -> list[Node]:
        out: list[Node] = []
        index = 0
        while index < len(items):
            style, block = items[index]
            key = v.style_key(style)
            index += 1
            if key in v.GENERATED_STYLES:
                if not key.startswith("toc"):
                    self.made_by_casekit = True
                hours = v.study_hours(plain_text(block)) if key == "lessoninfo" else None
                if hours is not None:
                    out.append(node(HOURS, hours))
                continue
            if block["t"] == "Header" and set(block["c"][1][1]) & v.GENERATED_HEADING_CLASSES:
                out.append(node(BOUNDARY))  # an answer sheet: what came before has ended
                continue
            if key == "glossaryterm":
                entries = []
                index -= 1
                while index < len(items) and v.style_key(items[index][0]) == "glossaryterm":
                    term = inlines_of(items[index][1])
                    index += 1
                    definition: list[Node] = []
                    while (
                        index < len(items) and v.style_key(items[index][0]) == "glossarydefinition"
                    ):
                        definition.append(strip_style_divs(items[index][1]))
                        index += 1
                    entries.append([term, [definition]])
                out.append(node("DefinitionList", entries))
                continue
            if block["t"] == "Table":
                cell = single_cell(block)
                kind = v.box_kind_of_style(style) if style else None
                if kind == "media-card":
                    out.extend(self.media_card(block))
                elif cell is not None or (kind and kind != "media-card"):
                    out.extend(self.box(style, cell if cell is not None else []))
                else:
                    out.append(self.table(block))
                continue
            box_kind = v.box_kind_of_style(style) if style and block["t"] != "Header" else None
            if box_kind and box_kind not in ("media-card", "outcomes", "answer"):
                group = [block]
                while index < len(items) and items[index][0] == style:
                    group.append(items[index][1])
                    index += 1
                out.extend(self.box(style, group))  # a first line "Кеңес" still names it
                continue
            task_kind = v.task_kind_of_style(style) if style and block["t"] != "Header" else None
            if task_kind:
                group = [block]
                while index < len(items) and items[index][0] == style:
                    group.append(items[index][1])
                    index += 1
                out.append(self.task(task_kind, group))
                continue
            if block["t"] == "Figure":
                out.append(self.figure(block))
                continue
            out.append(strip_style_divs(block))
        shaped = self.numbered(out)
        return [b for b in shaped if b["t"] != BOUNDARY]

    def figure(self, block: Node) -> Node:
        attr, (short, caption), content = block["c"]
        caption = [self.caption_block(b) for b in strip_style_divs(caption)]
        return node("Figure", [attr, [short, caption], strip_style_divs(content)])

    def caption_block(self, block: Node) -> Node:
        if block["t"] not in ("Para", "Plain"):
            return block
        text = plain_text(block["c"])
        stripped = v.strip_label(text)
        return node(block["t"], drop_leading_text(block["c"], len(text) - len(stripped)))

    def table(self, block: Node) -> Node:
        attr, (short, caption), *rest = block["c"]
        caption = [self.caption_block(b) for b in strip_style_divs(caption)]
        return node("Table", [attr, [short, caption], *strip_style_divs(rest)])

    # ------------------------------------------------------------ numbered items

    def numbered(self, blocks: list[Node]) -> list[Node]:
        """Headings and paragraphs that start "Тапсырма 2" / "Assignment 1.1" as divs."""
        out: list[Node] = []
        index = 0
        while index < len(blocks):
            block = blocks[index]
            index += 1
            found = None
            if block["t"] in ("Header", "Para"):
                inlines = block["c"][2] if block["t"] == "Header" else block["c"]
                text = plain_text(inlines)
                found = v.numbered_item(text)
            if found is None:
                out.append(block)
                continue
            kind, rest_text = found
            if block["t"] == "Header":
                level = block["c"][0]
                end = index
                while end < len(blocks) and not _ends_item(blocks[end], level):
                    end += 1
                body, title = blocks[index:end], rest_text
            else:
                end = index
                while end < len(blocks) and blocks[end]["t"] not in ("Header", "Para"):
                    end += 1
                rest = drop_leading_text(inlines, len(text) - len(rest_text))
                body, title = ([node("Para", rest)] if rest else []) + blocks[index:end], ""
            index = end
            out.extend(self.quiz(body, title) if kind == "quiz" else [div([kind], body, title)])
        return out

    def quiz(self, blocks: list[Node], title: str) -> list[Node]:
        """A self-check: numbered questions with ☐/☑ options, answer and solution boxes.
        It ends where a block follows an answered question that belongs to none."""
        intro: list[Node] = []
        questions: list[dict[str, list[Node]]] = []
        after: list[Node] = []
        for position, block in enumerate(blocks):
            marked = _check_mark(block)
            classes = block["c"][0][1] if block["t"] == "Div" else []
            answered = questions and (questions[-1]["options"] or questions[-1]["extra"])
            if (
                answered
                and block["t"] != "OrderedList"
                and marked is None
                and not ("answer" in classes or "solution" in classes)
            ):
                after = blocks[position:]
                break
            if block["t"] == "OrderedList":
                for item in block["c"][1]:
                    questions.append({"prompt": list(item), "options": [], "extra": []})
            elif questions and marked is not None:
                questions[-1]["options"].append(marked)
            elif questions and ("answer" in classes or "solution" in classes):
                questions[-1]["extra"].append(block)
            elif questions:
                questions[-1]["prompt"].append(block)
            else:
                intro.append(block)
        answered = all(
            any(plain_text(o).startswith("[x]") for o in q["options"])
            or any("answer" in b["c"][0][1] for b in q["extra"])
            for q in questions
        )
        if not questions or not answered:
            self.notes.append(
                (
                    "import-kept-as-text",
                    f"self-check «{title}» has questions without a marked answer: kept as text",
                )
            )
            return [node("Header", [3, ["", [], []], [node("Str", title)]]), *blocks]
        blocks = blocks[: len(blocks) - len(after)]
        items = []
        for q in questions:
            item = list(q["prompt"])
            if q["options"]:
                item.append(node("BulletList", [[node("Plain", o)] for o in q["options"]]))
            item.extend(q["extra"])
            items.append(item)
        quiz_list = node("OrderedList", [[1, {"t": "Decimal"}, {"t": "Period"}], items])
        return [div(["quiz"], [*intro, quiz_list], title), *after]


def _ends_item(block: Node, level: int) -> bool:
    """Whether ``block`` ends a numbered item that a heading of ``level`` started."""
    if block["t"] == "Header":
        return block["c"][0] <= level
    if block["t"] == "Div":
        return bool(set(block["c"][0][1]) & set(LESSON_LEVEL))
    return block["t"] in (BOUNDARY, "DefinitionList")


def _correct_suffixes() -> list[str]:
    return [f"({messages(lang)('correct_answer')})" for lang in BUILT_IN]


def _check_mark(block: Node) -> list[Node] | None:
    """A ☐/☑ option paragraph as task-list inlines (``[x] text``), else ``None``."""
    if block["t"] not in ("Para", "Plain") or not block["c"]:
        return None
    text = plain_text(block["c"])
    if not text or text[0] not in CHECK_MARKS:
        return None
    correct = CHECK_MARKS[text[0]]
    rest = text[1:].lstrip()
    letter = OPTION_LETTER.match(rest)
    skip = len(text) - len(rest) + (letter.end() if letter else 0)
    inlines = drop_leading_text(block["c"], skip)
    for suffix in _correct_suffixes():
        if plain_text(inlines).endswith(suffix):
            while (
                inlines
                and plain_text(inlines[-1:]) in (suffix, "")
                or (inlines and inlines[-1]["t"] == "Space")
            ):
                inlines = inlines[:-1]
    mark = "[x]" if correct else "[ ]"
    return [node("Str", mark), node("Space"), *inlines]


# ---------------------------------------------------------------- lessons


def _header_title(block: Node) -> str:
    return plain_text(block["c"][2])


def _ids(blocks: list[Node]) -> set[str]:
    return {h["c"][1][0] for h in nodes(blocks, "Header") if h["c"][1][0]}


def _lesson(title: str, blocks: list[Node], own_id: str = "") -> Lesson:
    outcomes: list[str] = []
    kept = []
    hours = None
    for block in blocks:
        if block["t"] == HOURS:
            hours = block["c"]
            continue
        if block["t"] == "Div" and "outcomes" in block["c"][0][1]:
            for inner in block["c"][1]:
                if inner["t"] in ("BulletList", "OrderedList"):
                    items = inner["c"] if inner["t"] == "BulletList" else inner["c"][1]
                    outcomes.extend(plain_text(item) for item in items)
                else:
                    kept.append(inner)
            continue
        kept.append(block)
    ids = _ids(kept) | ({own_id} if own_id else set())
    return Lesson(title, kept, ids, outcomes, own_id, hours)


def _sections(blocks: list[Node], level: int) -> tuple[list[Node], list[tuple[Node, list[Node]]]]:
    """Blocks before the first heading of ``level``, then (heading, its blocks) pairs."""
    before: list[Node] = []
    sections: list[tuple[Node, list[Node]]] = []
    for block in blocks:
        if block["t"] == "Header" and block["c"][0] == level:
            sections.append((block, []))
        elif sections:
            sections[-1][1].append(block)
        else:
            before.append(block)
    return before, sections


def _holds_sections(blocks: list[Node], level: int) -> bool:
    """Whether ``blocks`` are only sections of ``level`` (a module of lessons)."""
    own, sections = _sections(blocks, level)
    return not own and bool(sections)


def _back_matter_titles() -> set[str]:
    return {messages(lang)(key).casefold() for lang in BUILT_IN for key in BACK_MATTER_KEYS}


def shape(blocks: list[Node], title: str, split: bool) -> Shaped:
    """The document's modules and lessons; ``title``: the document's title."""
    shaper = Shaper()
    shaped = shaper.blocks(unwrap_styles(blocks))
    levels = [b["c"][0] for b in shaped if b["t"] == "Header"]
    if not split or not levels:
        lesson_title = title
        if (
            levels
            and shaped[0]["t"] == "Header"
            and levels.count(min(levels)) == 1
            and shaped[0]["c"][0] == min(levels)
        ):
            lesson_title = v.strip_number(_header_title(shaped[0]))
            lesson = _lesson(lesson_title, shaped[1:], shaped[0]["c"][1][0])
        else:
            lesson = _lesson(lesson_title, shaped)
        return Shaped([Module(title, [lesson])], shaper.notes)
    top = min(levels)
    before, sections = _sections(shaped, top)
    as_modules = any(_holds_sections(body, top + 1) for _heading, body in sections)
    modules: list[Module] = []
    if before:
        modules.append(Module(title, [_lesson(title, before)]))
    back_matter = _back_matter_titles()
    for heading, body in sections:
        heading_title = _header_title(heading)
        if shaper.made_by_casekit and v.strip_label(heading_title).casefold() in back_matter:
            shaper.notes.append(
                (
                    "import-generated",
                    f"«{heading_title}» is made by casekit from the lessons: left out",
                )
            )
            continue
        _own, subsections = _sections(body, top + 1)
        if as_modules and _holds_sections(body, top + 1):
            lessons = [
                _lesson(v.strip_number(_header_title(h)), b, h["c"][1][0]) for h, b in subsections
            ]
            modules.append(Module(v.strip_label(heading_title), lessons))
        elif as_modules:
            name = v.strip_number(heading_title)
            modules.append(Module(name, [_lesson(name, body, heading["c"][1][0])]))
        else:
            if not modules:
                modules.append(Module(title, []))
            name = v.strip_number(heading_title)
            modules[-1].lessons.append(_lesson(name, body, heading["c"][1][0]))
    return Shaped([m for m in modules if m.lessons], shaper.notes)


def describe_pictures(blocks: list[Node], pictures: dict[str, tuple[str, str]]) -> list[Node]:
    """Give pictures the description and caption their document keeps beside them
    (``pictures``: file name -> (description, caption)); a picture alone in its
    paragraph followed by its caption paragraph becomes a figure."""
    out: list[Node] = []
    for block in blocks:
        image = _lone_image(block)
        if image is not None:
            alt, caption = pictures.get(PurePosixPath(image["c"][2][0]).name, ("", ""))
            if alt and not plain_text(image["c"][1]):
                image["c"][1] = [node("Str", alt)]
            image["pending_caption"] = caption
        elif out and block["t"] == "Para":
            previous = _lone_image(out[-1])
            wanted = previous.pop("pending_caption", "") if previous else ""
            if wanted and plain_text(block["c"]) == wanted:
                out[-1] = node(
                    "Figure", [["", [], []], [None, [node("Plain", block["c"])]], [out[-1]]]
                )
                continue
        out.append(block)
    for block in out:
        image = _lone_image(block)
        if image is not None:
            image.pop("pending_caption", None)
    return out


def _lone_image(block: Node) -> Node | None:
    if block["t"] in ("Para", "Plain") and len(block["c"]) == 1 and block["c"][0]["t"] == "Image":
        return block["c"][0]
    return None
