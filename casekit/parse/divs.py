"""Fenced divs become typed case elements (objectives, quiz, assignment, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from casekit import tree as t
from casekit.diagnostics import Diagnostics
from casekit.messages import BUILT_IN, messages
from casekit.parse.attributes import Attributes


class LessonParser(Protocol):
    """What div building needs from the lesson parser (which imports this module)."""

    diags: Diagnostics

    def inline_markdown(self, text: str, near: t.Pos) -> list[t.Inline]: ...


CALLOUT_CLASSES: dict[str, t.CalloutKind] = {
    "callout": "callout",
    "note": "note",
    "tip": "tip",
    "hint": "hint",
    "warning": "warning",
    "caution": "caution",
    "important": "important",
    "callout-note": "note",
    "callout-tip": "tip",
    "callout-warning": "warning",
    "callout-caution": "caution",
    "callout-important": "important",
    # the Carpentries Workbench's boxes
    "questions": "questions",
    "prereq": "prereq",
    "discussion": "discussion",
    "spoiler": "spoiler",
    "checklist": "checklist",
    "testimonial": "testimonial",
    "instructor": "instructor",
}
EXERCISE_CLASSES = {"challenge", "exercise"}


def label_words(*keys: str) -> set[str]:
    """What the labels ``keys`` say in every built-in language (and the class names
    themselves): a box's own heading that says no more than its label is left out."""
    return {
        word
        for key in keys
        for word in (key, *(messages(lang)(key).casefold() for lang in BUILT_IN))
    }


#: a solution's own heading that says no more than the box's label
SOLUTION_WORDS = label_words("solution", "answer") | {"solutions"}
KNOWN_CLASSES = (
    set(CALLOUT_CLASSES)
    | EXERCISE_CLASSES
    | {
        "objectives",
        "keypoints",
        "assignment",
        "quiz",
        "solution",
        "answer",
        "glossary",
        "video",
        "audio",
    }
)


class DivBuilder:
    """Maps a div's first known class to a node; unknown classes stay a ``Div``."""

    def __init__(self, parser: LessonParser) -> None:
        self.parser = parser
        self.diags = parser.diags

    def build(self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos) -> t.Block | None:
        name = next((c for c in attrs.classes if c in KNOWN_CLASSES), "")
        if name in CALLOUT_CLASSES:
            kind = CALLOUT_CLASSES[name]
            title, blocks = self.title(attrs, blocks, pos)
            if t.plain_text(title).strip(" :.").casefold() in label_words(kind):
                title = []
            return t.Callout(pos, kind, title, blocks, id=attrs.id)
        if name in EXERCISE_CLASSES:
            title, blocks = self.title(attrs, blocks, pos)
            return t.Exercise(pos, title, blocks, id=attrs.id)
        if name:
            return _BUILDERS[name](self, attrs, blocks, pos)
        shown = " ".join("." + c for c in attrs.classes) or "(none)"
        self.diags.warning(
            pos, f"unknown div class {shown}: shown as a plain box without a label", "unknown-div"
        )
        return t.Div(pos, list(attrs.classes), blocks, id=attrs.id, attributes=dict(attrs.values))

    def title(
        self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos
    ) -> tuple[list[t.Inline], list[t.Block]]:
        """A div's title: ``title="..."``, words after the class, or a leading heading."""
        text = attrs.values.get("title") or attrs.rest
        if text:
            return self.parser.inline_markdown(text, pos), blocks
        if blocks and isinstance(blocks[0], t.Heading):
            return blocks[0].children, blocks[1:]
        return [], blocks

    def solution(self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos) -> t.Block:
        """A leading heading that only says "Solution" (Carpentries writes ``## Solution``)
        is left out: the box is labelled already. Other headings stay in the text."""
        first = blocks[0] if blocks else None
        if (
            isinstance(first, t.Heading)
            and not first.id
            and t.plain_text(first.children).strip(" :.").casefold() in SOLUTION_WORDS
        ):
            blocks = blocks[1:]
        title = self.title(attrs, [], pos)[0]
        return t.Solution(pos, blocks, id=attrs.id, title=title)

    def assignment(self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos) -> t.Block:
        title, blocks = self.title(attrs, blocks, pos)
        return t.Assignment(pos, title, blocks, id=attrs.id)

    def glossary(self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos) -> t.Block | None:
        entries = [e for b in blocks if isinstance(b, t.Glossary) for e in b.entries]
        if not entries:
            self.diags.warning(
                pos,
                "a glossary div holds a definition list (Term / : Definition)",
                "glossary-empty",
            )
        return t.Glossary(pos, entries)

    def media(self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos) -> t.Block | None:
        kind = "video" if "video" in attrs.classes else "audio"
        src = attrs.values.get("src", "")
        if not src:
            self.diags.error(pos, f'a {kind} div needs src="path"', "media-src")
            return None
        title = attrs.values.get("title") or attrs.rest
        return t.MediaBlock(pos, kind, src, title, caption=blocks, id=attrs.id)  # type: ignore[arg-type]

    def quiz(self, attrs: Attributes, blocks: list[t.Block], pos: t.Pos) -> t.Block:
        title, blocks = self.title(attrs, blocks, pos)
        intro: list[t.Block] = []
        questions: list[t.Question] = []
        for block in blocks:
            if isinstance(block, t.OrderedList):
                questions.extend(self.question(item) for item in block.items)
            else:
                intro.append(block)
        if not questions:
            self.diags.error(
                pos, "a quiz holds its questions as a numbered list (1. Question ...)", "quiz-empty"
            )
        return t.Quiz(pos, title, intro, questions, id=attrs.id)

    def question(self, item: t.ListItem) -> t.Question:
        prompt: list[t.Block] = []
        options: list[t.Option] = []
        answer: list[t.Block] = []
        solution: t.Solution | None = None
        for block in item.blocks:
            if (
                isinstance(block, t.BulletList)
                and not options
                and all(i.checked is not None for i in block.items)
            ):
                options = [_option(i) for i in block.items]
            elif isinstance(block, t.Solution) and solution is None:
                solution = block
            elif isinstance(block, t.Div) and block.classes == ["answer"]:
                answer.extend(block.blocks)
            else:
                prompt.append(block)
        if options:
            correct = sum(bool(o.correct) for o in options)
            kind: t.QuestionKind = "multiple" if correct > 1 else "single"
            if correct == 0:
                self.diags.error(
                    item.pos, "question has no correct option: mark it with [x]", "quiz-no-answer"
                )
        else:
            kind = "short"
            if not answer:
                self.diags.error(
                    item.pos,
                    "question has no options ([ ] / [x]) and no ::: answer div",
                    "quiz-no-answer",
                )
        return t.Question(item.pos, kind, prompt, options, answer, solution)


#: a known div class -> its node; unbound, so that a ``DivBuilder`` holds no reference to
#: itself (a cycle keeps a lesson's parser and syntax tree until a full collection, which a
#: build defers: ``runtime/gc_tuning.py``)
_BUILDERS: dict[str, Callable[[DivBuilder, Attributes, list[t.Block], t.Pos], t.Block | None]] = {
    "objectives": lambda _, a, b, p: t.Objectives(p, b),
    "keypoints": lambda _, a, b, p: t.KeyPoints(p, b),
    "assignment": DivBuilder.assignment,
    "quiz": DivBuilder.quiz,
    "solution": DivBuilder.solution,
    "answer": lambda _, a, b, p: t.Div(p, ["answer"], b, id=a.id),
    "glossary": DivBuilder.glossary,
    "video": DivBuilder.media,
    "audio": DivBuilder.media,
}


def _option(item: t.ListItem) -> t.Option:
    children: list[t.Inline] = []
    for block in item.blocks:
        if isinstance(block, t.Paragraph):
            if children:
                children.append(t.Text(" "))
            children.extend(block.children)
    return t.Option(children, bool(item.checked))
