"""The document tree: the single contract between parsing and rendering.

Renderers walk these nodes and nothing else: they never see Markdown or
markdown-it tokens. Every block node keeps its source position. The parse
stage builds the tree; the resolve stage fills in media, numbers, anchors and
link targets (fields marked "resolved" below are ``None`` until then).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import PurePosixPath
from typing import Literal, Union

from casekit.config.settings import CourseConfig
from casekit.safety.sanitize import LINE_BREAK, HtmlText

#: pandoc's image sizes: a number with %, px, cm, mm, in or pt (a bare number is pixels)
IMAGE_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(%|px|cm|mm|in|pt)?$")


@dataclass(frozen=True)
class Pos:
    """A place in a course source: path relative to the course folder, 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


# --------------------------------------------------------------------------- inline


@dataclass
class Text:
    text: str


@dataclass
class Emph:
    children: list[Inline]


@dataclass
class Strong:
    children: list[Inline]


@dataclass
class Strike:
    children: list[Inline]


@dataclass
class Code:
    text: str


@dataclass
class Kbd:
    """A key to press, ``<kbd>Ctrl</kbd>`` in the source: drawn as a key cap."""

    text: str


@dataclass
class LineBreak:
    """A hard line break (soft breaks become a space in ``Text``)."""


@dataclass
class InternalTarget:
    """A link into the course: a lesson and optionally a (global) anchor in it."""

    lesson_id: str
    anchor: str | None = None


@dataclass
class Link:
    """A hyperlink. ``href`` is the source text; ``target`` is set by resolve for
    links into the course. ``external`` links point off the machine (http, mailto)."""

    children: list[Inline]
    href: str
    title: str = ""
    pos: Pos | None = None  # where the link is written
    target: InternalTarget | None = None  # resolved

    @property
    def external(self) -> bool:
        return self.target is None


@dataclass
class InlineImage:
    """An image inside running text (a small icon); block images are ``Figure``."""

    src: str
    alt: str
    title: str = ""
    pos: Pos | None = None
    media: MediaItem | None = None  # resolved


@dataclass
class FootnoteRef:
    number: int
    anchor: str = ""  # resolved: global id of this reference
    note: str = ""  # resolved: global id of the note it points to


@dataclass
class RawInline:
    """One raw HTML tag from the source (only with ``allow_html``; without it the
    parser keeps the text alone): the writers keep or draw the safe subset."""

    text: str


Inline = Union[
    Text, Emph, Strong, Strike, Code, Kbd, LineBreak, Link, InlineImage, FootnoteRef, RawInline
]


# --------------------------------------------------------------------------- blocks


@dataclass
class Heading:
    pos: Pos
    level: int  # 1..6 inside a lesson; the lesson title itself is not a Heading
    children: list[Inline]
    id: str = ""  # local id from {#id} or a slug of the text
    anchor: str = ""  # resolved: globally unique id


@dataclass
class Paragraph:
    pos: Pos
    children: list[Inline]


@dataclass
class ListItem:
    pos: Pos
    blocks: list[Block]
    checked: bool | None = None  # task-list state, None for a plain item


@dataclass
class BulletList:
    pos: Pos
    items: list[ListItem]
    tight: bool = True


@dataclass
class OrderedList:
    pos: Pos
    items: list[ListItem]
    start: int = 1
    tight: bool = True


@dataclass
class TableCell:
    children: list[Inline]
    align: Literal["left", "center", "right", ""] = ""


@dataclass
class Table:
    pos: Pos
    header: list[TableCell]
    rows: list[list[TableCell]]
    caption: list[Inline] = field(default_factory=list)
    id: str = ""
    number: str = ""  # resolved, e.g. "2.1"
    anchor: str = ""  # resolved


#: what a code block shows: a command to type, what a program printed, an error it gave
CodeRole = Literal["", "command", "output", "error"]


@dataclass
class CodeBlock:
    pos: Pos
    text: str
    language: str = ""
    role: CodeRole = ""


@dataclass
class BlockQuote:
    pos: Pos
    blocks: list[Block]


@dataclass
class ThematicBreak:
    pos: Pos


@dataclass
class Figure:
    """A block image (an image alone in its paragraph) with optional caption."""

    pos: Pos
    src: str
    alt: str
    caption: list[Inline] = field(default_factory=list)
    id: str = ""
    width: str = ""  # pandoc's width=/height= as written: "50%", "300px", "8cm", "40mm"
    height: str = ""
    media: MediaItem | None = None  # resolved
    number: str = ""  # resolved
    anchor: str = ""  # resolved


@dataclass
class MediaBlock:
    """A video or audio item: on paper a QR code, short code and transcript."""

    pos: Pos
    kind: Literal["video", "audio"]
    src: str
    title: str
    caption: list[Block] = field(default_factory=list)
    id: str = ""
    media: MediaItem | None = None  # resolved
    anchor: str = ""  # resolved


CalloutKind = Literal[
    "note",
    "tip",
    "warning",
    "important",
    "callout",
    "hint",
    "caution",
    "questions",
    "prereq",
    "discussion",
    "spoiler",
    "checklist",
    "testimonial",
    "instructor",  # teacher-only, like solutions (editions.py)
]


@dataclass
class Callout:
    pos: Pos
    kind: CalloutKind
    title: list[Inline]
    blocks: list[Block]
    id: str = ""


@dataclass
class Objectives:
    """Learning objectives of a lesson (``::: objectives``)."""

    pos: Pos
    blocks: list[Block]


@dataclass
class KeyPoints:
    """Summary of a lesson (``::: keypoints``)."""

    pos: Pos
    blocks: list[Block]


@dataclass
class Solution:
    """Answer key or model answer: only in the teacher edition."""

    pos: Pos
    blocks: list[Block]
    id: str = ""
    title: list[Inline] = field(default_factory=list)  # a leading heading other than "Solution"


@dataclass
class Assignment:
    """Work handed in for grading; gets an answer sheet on paper."""

    pos: Pos
    title: list[Inline]
    blocks: list[Block]  # may contain Solution nodes
    id: str = ""
    number: str = ""  # resolved
    anchor: str = ""  # resolved


@dataclass
class Exercise:
    """A practice task (``::: challenge`` / ``::: exercise``), not handed in."""

    pos: Pos
    title: list[Inline]
    blocks: list[Block]  # may contain Solution nodes
    id: str = ""
    number: str = ""  # resolved
    anchor: str = ""  # resolved


@dataclass
class Option:
    children: list[Inline]
    correct: bool | None  # None: hidden (learner edition)


QuestionKind = Literal["single", "multiple", "short"]


@dataclass
class Question:
    pos: Pos
    kind: QuestionKind
    prompt: list[Block]
    options: list[Option] = field(default_factory=list)
    answer: list[Block] = field(default_factory=list)  # accepted answer of a short question
    solution: Solution | None = None  # explanation (teacher edition)
    number: int = 0  # resolved: 1-based within its quiz
    anchor: str = ""  # resolved


@dataclass
class Quiz:
    """A self-check: questions with the correct answers marked in the source."""

    pos: Pos
    title: list[Inline]
    intro: list[Block]
    questions: list[Question]
    id: str = ""
    number: str = ""  # resolved
    anchor: str = ""  # resolved


@dataclass
class GlossaryEntry:
    term: list[Inline]
    definition: list[Block]
    anchor: str = ""  # resolved


@dataclass
class Glossary:
    """A definition list: the lesson's glossary terms."""

    pos: Pos
    entries: list[GlossaryEntry]


@dataclass
class Div:
    """A fenced div of an unknown class, kept with its class (and a warning)."""

    pos: Pos
    classes: list[str]
    blocks: list[Block]
    id: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class RawBlock:
    """A raw HTML block from the source (only with ``allow_html``; without it the
    parser makes it a paragraph of its text): the writers keep the safe subset."""

    pos: Pos
    text: str


Block = Union[
    Heading,
    Paragraph,
    BulletList,
    OrderedList,
    Table,
    CodeBlock,
    BlockQuote,
    ThematicBreak,
    Figure,
    MediaBlock,
    Callout,
    Objectives,
    KeyPoints,
    Solution,
    Assignment,
    Exercise,
    Quiz,
    Glossary,
    Div,
    RawBlock,
]


# --------------------------------------------------------------------------- media


@dataclass
class Cue:
    start: float  # seconds
    end: float
    text: str


@dataclass
class Transcript:
    path: str  # relative to the course folder
    cues: list[Cue]

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.cues)


MediaKind = Literal["image", "video", "audio"]


@dataclass
class MediaItem:
    """A media file registered once by resolve, however often it is used."""

    path: str  # relative to the course folder, POSIX
    kind: MediaKind
    format: str  # png, jpeg, svg, mp4, webm, mp3, ogg, m4a
    size: int
    sha256: str
    bundle_path: str  # where the USB bundle keeps it, e.g. "data/media/video/intro.mp4"
    target_url: str  # what a QR code encodes: media_base_url + path, or bundle_path
    code: str = ""  # short code for video/audio, e.g. "V2.3"
    title: str = ""
    duration: float | None = None  # seconds, when known
    width: int | None = None  # pixels (images)
    height: int | None = None
    transcript: Transcript | None = None
    first_use: Pos | None = None

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class MediaFormat:
    kind: MediaKind
    media_type: str
    extensions: tuple[str, ...]  # the file names that say this format (the probe checks content)


#: every media format casekit accepts: the one table parse, resolve and the formats read
MEDIA_FORMATS: dict[str, MediaFormat] = {
    "png": MediaFormat("image", "image/png", (".png",)),
    "jpeg": MediaFormat("image", "image/jpeg", (".jpg", ".jpeg")),
    "svg": MediaFormat("image", "image/svg+xml", (".svg",)),
    "mp4": MediaFormat("video", "video/mp4", (".mp4", ".m4v")),
    "webm": MediaFormat("video", "video/webm", (".webm",)),
    "mp3": MediaFormat("audio", "audio/mpeg", (".mp3",)),
    "ogg": MediaFormat("audio", "audio/ogg", (".ogg", ".oga")),
    "m4a": MediaFormat("audio", "audio/mp4", (".m4a",)),
}
MEDIA_TYPES = {name: f.media_type for name, f in MEDIA_FORMATS.items()}
FORMAT_KIND: dict[str, MediaKind] = {name: f.kind for name, f in MEDIA_FORMATS.items()}
EXTENSION_FORMATS = {ext: name for name, f in MEDIA_FORMATS.items() for ext in f.extensions}


# --------------------------------------------------------------------------- course


@dataclass
class Footnote:
    number: int
    blocks: list[Block]
    anchor: str = ""  # resolved: global id of the note
    ref_anchor: str = ""  # resolved: global id of its first reference (the back link)


@dataclass
class Lesson:
    id: str  # unique in the course, from the file name
    path: str  # relative to the course folder
    title: list[Inline]
    blocks: list[Block]
    footnotes: list[Footnote] = field(default_factory=list)
    hours: float | None = None
    outcomes: list[str] = field(default_factory=list)
    number: str = ""  # resolved, e.g. "2.3"
    anchor: str = ""  # resolved, == id

    @property
    def pos(self) -> Pos:
        return Pos(self.path, 1, 1)

    def holds(self, kind: type) -> bool:
        """Whether a block of the lesson, at any depth, may be a ``kind`` (exact here; a
        lesson not read yet answers from what its source held: ``resolve/lazy.py``)."""
        return any(isinstance(block, kind) for block in iter_blocks(self.blocks))


@dataclass
class Module:
    index: int  # 1-based
    title: str
    lessons: list[Lesson]
    id: str = ""  # resolved, "module-1"


@dataclass
class AnswerKeyEntry:
    """One line of an answer key (quiz question or short answer), for appendices."""

    quiz: Quiz
    question: Question


Edition = Literal["learner", "teacher"]
EDITIONS: tuple[Edition, ...] = ("learner", "teacher")


@dataclass
class Course:
    config: CourseConfig
    root: str  # absolute path of the course folder
    modules: list[Module]
    media: list[MediaItem] = field(default_factory=list)  # resolved, in order of first use
    edition: Edition | None = None  # set by editions.apply_edition
    answer_key: list[AnswerKeyEntry] = field(default_factory=list)  # learner appendix, if asked
    #: lesson id -> a digest of its source and of what resolve gave it (with a build cache)
    digests: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons():
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def media_by_code(self) -> dict[str, MediaItem]:
        return {m.code: m for m in self.media if m.code}

    def glossary(self) -> list[GlossaryEntry]:
        """All glossary entries of the course, in the order they appear."""
        return [
            entry
            for lesson in self.lessons()
            if lesson.holds(Glossary)
            for block in iter_blocks(lesson.blocks)
            if isinstance(block, Glossary)
            for entry in block.entries
        ]


# --------------------------------------------------------------------------- walking


def child_blocks(block: Block) -> list[Block]:
    """The blocks directly inside ``block`` (list items and questions flattened)."""
    if isinstance(block, (BulletList, OrderedList)):
        return [b for item in block.items for b in item.blocks]
    if isinstance(block, Quiz):
        inner: list[Block] = list(block.intro)
        for q in block.questions:
            inner.extend(q.prompt)
            inner.extend(q.answer)
            if q.solution is not None:
                inner.append(q.solution)
        return inner
    if isinstance(block, MediaBlock):
        return block.caption
    if isinstance(block, Glossary):
        return [b for entry in block.entries for b in entry.definition]
    return getattr(block, "blocks", [])


def iter_blocks(blocks: list[Block]) -> Iterator[Block]:
    """Every block in ``blocks``, depth first, parents before children.

    Iterative, so hostile nesting depth cannot exhaust the Python stack."""
    stack = list(reversed(blocks))
    while stack:
        block = stack.pop()
        yield block
        stack.extend(reversed(child_blocks(block)))


def block_inlines(block: Block) -> list[list[Inline]]:
    """The inline sequences that belong to ``block`` itself (not to its children)."""
    if isinstance(block, (Heading, Paragraph)):
        return [block.children]
    if isinstance(block, Table):
        return (
            [block.caption]
            + [c.children for c in block.header]
            + [c.children for row in block.rows for c in row]
        )
    if isinstance(block, Figure):
        return [block.caption]
    if isinstance(block, (Callout, Assignment, Exercise, Quiz)):
        seqs = [block.title]
        if isinstance(block, Quiz):
            seqs += [o.children for q in block.questions for o in q.options]
        return seqs
    if isinstance(block, Glossary):
        return [entry.term for entry in block.entries]
    return []


def iter_inlines(inlines: list[Inline]) -> Iterator[Inline]:
    """Every inline node, depth first (iterative)."""
    stack = list(reversed(inlines))
    while stack:
        node = stack.pop()
        yield node
        children = getattr(node, "children", None)
        if children:
            stack.extend(reversed(children))


def blocks_text(blocks: list[Block]) -> str:
    """The text of blocks (and the blocks inside them) as one line, without markup."""
    parts = [plain_text(inlines) for b in iter_blocks(blocks) for inlines in block_inlines(b)]
    return " ".join(" ".join(parts).split())


def plain_text(inlines: list[Inline]) -> str:
    """The text of an inline sequence, without markup."""
    parts: list[str] = []
    raw = HtmlText()  # allow_html: tags are not text, nor what a <script> holds
    for node in iter_inlines(inlines):
        if isinstance(node, RawInline):
            parts.extend(" " if piece is LINE_BREAK else piece for piece in raw.feed(node.text))
        elif raw.hidden:
            continue
        elif isinstance(node, (Text, Code, Kbd)):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, InlineImage):
            parts.append(node.alt)
    return "".join(parts)


def printed_text(value: object) -> str:
    """Nodes (or lists of them) as text without their source positions: what they print,
    for keys of output drawn from them (an edit that only moves them keeps the key)."""
    if isinstance(value, Pos):
        return ""
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{f.name}={printed_text(getattr(value, f.name))}" for f in fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, list | tuple):
        return "[" + ",".join(printed_text(each) for each in value) + "]"
    return repr(value)
