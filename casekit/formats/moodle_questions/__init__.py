"""The ``moodle-questions`` format: the quizzes as a Moodle question bank, Moodle XML and
GIFT (``render.py``)."""

from __future__ import annotations

from casekit.formats import Format

FORMAT = Format(
    "moodle-questions",
    "the quizzes as a Moodle question bank: Moodle XML and GIFT (with the answers)",
    "casekit.formats.moodle_questions.render:render_moodle_questions",
    per_edition=False,
)
