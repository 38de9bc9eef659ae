"""Learners' written answers, each tied to the question it answers: the crops of
the open-answer areas of a scanned page, named from the layout the sheet was
printed with ("Question 2.1/3", or the assignment's title). The teacher sees them
before grading on one page opened from disk (``casekit grade LEARNER ITEM
--show``); reports name the questions answered, never show the crops: those stay
in the register's own folder."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from casekit.learners.records import Result, Sheet, Submission
from casekit.learners.register import Register
from casekit.learners.wording import number_text
from casekit.messages import Messages
from casekit.paper.intake import layouts_of
from casekit.paper.private_page import image_tag, write_private_page
from casekit.sheets.layout import area_number


@dataclass(frozen=True)
class WrittenAnswer:
    key: str  # the layout's area key
    number: str  # "2.1/3"; "" for an assignment's answer or a crop not linked to a question
    image: str  # the crop's file in the register's folder
    blank: bool = False  # nothing written in the area (the scan's reading)

    def label(self, sheet: Sheet, msg: Messages) -> str:
        if self.number:
            return msg("review_question", number=self.number)
        return sheet.heading if self.key == "assignment" else msg("answers_unlinked")


def written_answers(
    sheet: Sheet, page: int, images: dict[str, str], blank: tuple[str, ...] = ()
) -> list[WrittenAnswer]:
    """The crops of one scanned page of ``sheet`` in the order the page prints its
    areas (``blank``: those with nothing written); crops that a casekit before the
    link kept (``unlinked-N``) come last."""
    layouts = layouts_of(sheet)
    layout = layouts[page - 1] if 0 < page <= len(layouts) else None
    found = []
    for area in layout.areas if layout else ():
        if area.key in images:
            number = area_number(layout, area)  # type: ignore[arg-type]
            found.append(WrittenAnswer(area.key, number, images[area.key], area.key in blank))
    linked = {answer.key for answer in found}
    found += [WrittenAnswer(k, "", v) for k, v in sorted(images.items()) if k not in linked]
    return found


def open_questions(sheet: Sheet) -> dict[str, tuple[str, int]]:
    """A self-check sheet's questions answered in writing: number ("2.2/1") -> (area
    key, page); none on an assignment's sheet (graded as a whole)."""
    if sheet.kind != "quiz":
        return {}
    return {
        area_number(layout, area): (area.key, layout.page)
        for layout in layouts_of(sheet)
        for area in layout.areas
    }


def teacher_marks(register: Register, sheet: Sheet) -> dict[str, Result]:
    """The newest mark of each written answer of ``sheet`` by area key: of each
    question of a self-check sheet; of an assignment's answer, the sheet's grade."""
    marks = {}
    for result in register.results(learner=sheet.learner):  # oldest first
        if result.sheet == sheet.id and (result.question or sheet.kind == "assignment"):
            marks[result.question or "assignment"] = result
    return marks


def newest_pages(submissions: list[Submission]) -> list[Submission]:
    """The newest scan of each page of a sheet, by page."""
    newest = {sub.page: sub for sub in sorted(submissions, key=lambda sub: sub.version)}
    return [newest[page] for page in sorted(newest)]


def answered(sheet: Sheet, submissions: list[Submission]) -> list[WrittenAnswer]:
    """The written answers of the newest scan of each page of ``sheet``."""
    return [
        answer
        for sub in newest_pages([s for s in submissions if s.sheet == sheet.id])
        for answer in written_answers(sheet, sub.page, sub.images, sub.blank)
    ]


def write_page(
    register: Register, sheet: Sheet, submissions: list[Submission], msg: Messages
) -> Path:
    """``answers-<sheet>.html`` in the register's own folder; its path."""
    body = [f"<p>{escape(msg('answers_sheet', sheet=sheet.id, learner=sheet.learner))}</p>"]
    course = register.course_version(sheet.course_id, sheet.course_version)
    if course is not None:
        body.append(
            f"<p>{escape(msg('course'))}: {escape(course.title)} ({escape(course.course_version)})</p>"
        )
    if not any(sub.images for sub in submissions):
        body.append(f"<p>{escape(msg('answers_none'))}</p>")
    for sub in submissions:
        if not sub.images:
            continue
        scanned = sub.received_at.strftime("%Y-%m-%d %H:%M")
        head = msg("answers_scan", page=sub.page, version=sub.version, scanned=scanned)
        body.append(f'<section class="item"><h2>{escape(head)}</h2>')
        found = written_answers(sheet, sub.page, sub.images, sub.blank)
        body += answer_figures(register, sheet, found, msg, teacher_marks(register, sheet))
        body.append("</section>")
    grade = f"casekit grade {sheet.learner} {sheet.target} SCORE --of MAX --by NAME"
    body.append(f"<p>{escape(msg('answers_grade', command=grade))}</p>")
    title = msg("answers_title", item=sheet.heading)
    return write_private_page(register, f"answers-{sheet.id}.html", msg, title, body)


def answer_figures(
    register: Register,
    sheet: Sheet,
    answers: list[WrittenAnswer],
    msg: Messages,
    marks: dict[str, Result] | None = None,
) -> list[str]:
    """Each written answer as a figure captioned with its question: number, text and
    the accepted answer of a short question, as the register recorded them at issue;
    and the teacher's newest mark of it, from ``marks`` (by area key)."""
    course = register.course_version(sheet.course_id, sheet.course_version)
    questions = course.questions if course else {}
    figures = []
    for answer in answers:
        text, accepted = questions.get(answer.key, ("", ""))
        caption = escape(answer.label(sheet, msg))
        if text:
            caption += f': <span class="prompt">{escape(text)}</span>'
        if answer.blank:
            caption += f'<br><strong class="blank">{escape(msg("answers_blank"))}</strong>'
        if accepted:
            caption += f"<br><small>{escape(msg('correct_answer'))}: {escape(accepted)}</small>"
        mark = (marks or {}).get(answer.key)
        if mark is not None and mark.score is not None and mark.max_score is not None:
            got = f"{number_text(mark.score, msg)} / {number_text(mark.max_score, msg)}"
            caption += f"<br>{escape(msg('report_grade'))}: {got} ({escape(mark.decided_by)})"
        figures.append(
            f'<figure class="answer" data-key="{escape(answer.key)}">'
            f"<figcaption>{caption}</figcaption>"
            f"{image_tag(register, answer.image, msg)}</figure>"
        )
    return figures
