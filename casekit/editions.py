"""Edition filtering, in one place: the learner edition loses every solution
and every marked answer; the teacher edition keeps them all."""

from __future__ import annotations

import copy

from casekit import tree as t


def apply_edition(course: t.Course, edition: t.Edition) -> t.Course:
    """A copy of ``course`` for ``edition``; media items and settings are shared."""
    result = copy.deepcopy(course, _shared(course))
    result.edition = edition
    if edition == "teacher":
        return result
    if course.config.answers_appendix:
        full = copy.deepcopy(course, _shared(course))  # a fresh memo: nothing shared with result
        result.answer_key = [
            t.AnswerKeyEntry(quiz, question)
            for lesson in full.lessons()
            for quiz in t.iter_blocks(lesson.blocks)
            if isinstance(quiz, t.Quiz)
            for question in quiz.questions
        ]
    for lesson in result.lessons():
        lesson.blocks = _strip(lesson.blocks)
        for note in lesson.footnotes:
            note.blocks = _strip(note.blocks)
    return result


def _shared(course: t.Course) -> dict[int, object]:
    """A deepcopy memo that keeps media items and settings shared with ``course``."""
    memo: dict[int, object] = {id(item): item for item in course.media}
    memo[id(course.config)] = course.config
    return memo


def _strip(blocks: list[t.Block]) -> list[t.Block]:
    """Remove solutions and hide answers, at any depth (iteratively)."""
    kept = [b for b in blocks if not isinstance(b, t.Solution)]
    pending = list(kept)
    while pending:
        block = pending.pop()
        if isinstance(block, t.Quiz):
            block.intro = [b for b in block.intro if not isinstance(b, t.Solution)]
            for question in block.questions:
                question.solution = None
                question.answer = []
                question.prompt = [b for b in question.prompt if not isinstance(b, t.Solution)]
                for option in question.options:
                    option.correct = None
        elif isinstance(block, (t.BulletList, t.OrderedList)):
            for item in block.items:
                item.blocks = [b for b in item.blocks if not isinstance(b, t.Solution)]
        elif isinstance(block, t.Glossary):
            for entry in block.entries:
                entry.definition = [b for b in entry.definition if not isinstance(b, t.Solution)]
        elif hasattr(block, "blocks"):
            block.blocks = [b for b in block.blocks if not isinstance(b, t.Solution)]
        pending.extend(t.child_blocks(block))
    return kept
