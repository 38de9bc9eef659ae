"""Edition filtering, in one place: the learner edition loses every solution,
every instructor note and every marked answer; the teacher edition keeps them all.

The tree is treated as immutable from here on: an edition shares every node it
does not change with the source tree (copy on write), so making an edition
costs little even for a course of a thousand pages. Renderers must not modify
the tree they are given.
"""

from __future__ import annotations

import dataclasses

from casekit import tree as t
from casekit.resolve.lazy import LazyLesson


def apply_edition(course: t.Course, edition: t.Edition) -> t.Course:
    """``course`` as the given edition sees it."""
    if edition == "teacher":
        return dataclasses.replace(course, edition=edition)
    modules = [
        dataclasses.replace(module, lessons=[_learner_lesson(lesson) for lesson in module.lessons])
        for module in course.modules
    ]
    answer_key = []
    if course.config.answers_appendix:
        answer_key = [
            t.AnswerKeyEntry(quiz, question)
            for lesson in course.lessons()
            if lesson.holds(t.Quiz)
            for quiz in t.iter_blocks(lesson.blocks)
            if isinstance(quiz, t.Quiz)
            for question in quiz.questions
        ]
    return dataclasses.replace(course, modules=modules, edition=edition, answer_key=answer_key)


def _learner_lesson(lesson: t.Lesson) -> t.Lesson:
    if isinstance(lesson, LazyLesson):  # stays unread until a format reads it
        return lesson.derived(_learner_lesson)
    return dataclasses.replace(
        lesson,
        blocks=_strip(lesson.blocks),
        footnotes=[dataclasses.replace(n, blocks=_strip(n.blocks)) for n in lesson.footnotes],
    )


def _strip(blocks: list[t.Block]) -> list[t.Block]:
    """``blocks`` without solutions and instructor notes, answers hidden, at any depth."""
    return [_strip_block(b) for b in blocks if not _teacher_only(b)]


def _teacher_only(block: t.Block) -> bool:
    return isinstance(block, t.Solution) or (
        isinstance(block, t.Callout) and block.kind == "instructor"
    )


def _strip_block(block: t.Block) -> t.Block:
    replace = dataclasses.replace
    if isinstance(block, t.Quiz):
        return replace(
            block,
            intro=_strip(block.intro),
            questions=[
                replace(
                    q,
                    prompt=_strip(q.prompt),
                    options=[replace(o, correct=None) for o in q.options],
                    answer=[],
                    solution=None,
                )
                for q in block.questions
            ],
        )
    if isinstance(block, (t.BulletList, t.OrderedList)):
        return replace(block, items=[replace(i, blocks=_strip(i.blocks)) for i in block.items])
    if isinstance(block, t.Glossary):
        return replace(
            block, entries=[replace(e, definition=_strip(e.definition)) for e in block.entries]
        )
    if isinstance(block, t.MediaBlock):
        return replace(block, caption=_strip(block.caption))
    if hasattr(block, "blocks"):
        return replace(block, blocks=_strip(block.blocks))  # type: ignore[call-arg]
    return block
