"""The language the paper loop speaks to staff about answer sheets (review prompts
and page, the written-answers page, the report): the one asked for; else the
course's, as the register recorded it when the sheets were issued (with the
course's own ``[labels]``), so no course source is needed; else, for sheets
issued by a casekit that did not record it, the learner's; else (pages that name
no sheet) the language of every course the register recorded, when they share
one; else English. ``casekit scan`` speaks before it has read a sheet: in the
language of the register's courses (``register_messages``)."""

from __future__ import annotations

from collections.abc import Iterable

from casekit.learners.records import Sheet
from casekit.learners.register import Register
from casekit.messages import Messages, built_in_language, messages


def sheet_messages(register: Register, sheets: Iterable[Sheet], asked: str | None) -> Messages:
    """The words to present ``sheets`` with (the first sheet that tells decides)."""
    if asked:
        return messages(asked)
    sheets = list(sheets)
    for sheet in sheets:
        course = register.course_version(sheet.course_id, sheet.course_version)
        if course is not None:
            return messages(course.language, course.labels)
    for sheet in sheets:
        language = built_in_language(register.learner(sheet.learner).language)
        if language:
            return messages(language)
    return register_messages(register, None)  # pages that name no sheet


def register_messages(
    register: Register, asked: str | None, course_id: str | None = None
) -> Messages:
    """The words of the courses the register recorded (only ``course_id``'s when given),
    when they share one language: those of the last one recorded, with its ``[labels]``;
    else English. ``asked`` overrides."""
    if asked:
        return messages(asked)
    courses = [c for c in register.course_versions() if course_id in (None, c.course_id)]
    if courses and len({course.language for course in courses}) == 1:
        return messages(courses[-1].language, courses[-1].labels)
    return messages("en")
