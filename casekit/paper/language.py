"""The language the paper loop speaks to staff about answer sheets (review prompts
and page, the written-answers page, the report): the one asked for; else the
course's, as the register recorded it when the sheets were issued (with the
course's own ``[labels]``), so no course source is needed; else, for sheets
issued by a casekit that did not record it, the learner's; else (pages that name
no sheet) the language of every course the register recorded, when they share
one; else English."""

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
    courses = register.course_versions()  # pages that name no sheet: the register's courses'
    if courses and len({course.language for course in courses}) == 1:
        return messages(courses[-1].language, courses[-1].labels)
    return messages("en")
