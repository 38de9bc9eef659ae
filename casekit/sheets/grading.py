"""Answer keys from the course, and quiz sheet pages graded against them.

The keys are taken from the full course (the learner edition hides the right
options) when personal sheets are issued and kept in the register with the
course version, so a sheet is always graded with the key of the version it was
printed from. A question counts 1 when the options marked are exactly the right
ones (all or nothing for several right options, as Moodle's offline quiz does
by default), 0 otherwise; a blank answer counts 0. A page with a question in
doubt is never graded: it goes to review first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from casekit import tree as t
from casekit.sheets.layout import module_quizzes, question_key

SETTLED = ("answered", "blank")  # the answers a grade may be computed from

#: one question as read or settled: answer (answered/blank/unsure/multiple), the
#: chosen options (0-based) and each box's state
Mark = dict[str, object]


@dataclass(frozen=True)
class AnswerKey:
    """What grades one question of a quiz sheet, recorded in the register when the
    sheet is issued (never printed for learners)."""

    course_id: str
    course_version: str
    question: str  # the layout's key, "<quiz anchor>/<number>"
    quiz: str  # the quiz's number, "1.2"
    kind: str  # single | multiple
    correct: tuple[int, ...]  # the right options, 0-based


def course_keys(course: t.Course) -> list[AnswerKey]:
    """The answer key of every question with options in ``course`` (full edition)."""
    config = course.config
    keys = []
    for module in course.modules:
        for quiz in module_quizzes(module):
            for question in quiz.questions:
                if not question.options:
                    continue
                correct = tuple(i for i, o in enumerate(question.options) if o.correct)
                if any(o.correct is None for o in question.options):
                    raise ValueError("answer keys need the full course, not the learner edition")
                keys.append(
                    AnswerKey(
                        config.id,
                        config.version,
                        question_key(quiz, question),
                        quiz.number,
                        question.kind,
                        correct,
                    )
                )
    return keys


def marks_digest(marks: dict[str, Mark]) -> str:
    """What makes two readings of a quiz page the same: each question's answer and
    chosen options (not how a box was marked: a re-scan may see a cross as shading)."""
    essence = {key: [mark["answer"], list(mark["chosen"])] for key, mark in marks.items()}  # type: ignore[call-overload]
    return hashlib.sha256(json.dumps(essence, sort_keys=True).encode()).hexdigest()


def score(marks: dict[str, Mark], keys: dict[str, AnswerKey]) -> tuple[float, float] | None:
    """Points and the most points of a page's questions; None when a question has no
    recorded key (sheets issued before keys were kept) or is not settled."""
    points = 0.0
    for question, mark in marks.items():
        key = keys.get(question)
        if key is None or mark["answer"] not in SETTLED:
            return None
        points += float(tuple(mark["chosen"]) == key.correct)  # type: ignore[arg-type]
    return points, float(len(marks))
