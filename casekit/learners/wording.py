"""The words and numbers of the personal pages, for every format that prints them
(the PDF packet and the DOCX packet): labels from the message files, dates and
numbers in the course language's way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from casekit import tree as t
from casekit.learners.records import Learner
from casekit.learners.schedule import StudyPlan
from casekit.messages import Messages

Fact = tuple[str, str]  # label, value


@dataclass(frozen=True)
class PlanTable:
    head: list[str]
    rows: list[list[str]]  # number, lesson, hours, credits, planned dates, deadline
    total: list[str]


def number_text(value: float | Fraction, msg: Messages) -> str:
    """A number as the language writes it: at most two decimals, "1,5" where the
    decimal mark is a comma."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if msg("decimal_comma") == "yes" else text


@dataclass(frozen=True)
class Wording:
    course: t.Course
    msg: Messages

    def date(self, day: dt.date) -> str:
        return self.msg("date_format", year=day.year, month=day.month, day=day.day)

    def number(self, value: float | Fraction) -> str:
        return number_text(value, self.msg)

    def period(self, plan: StudyPlan) -> str:
        return f"{self.date(plan.enrolment.start)} – {self.date(plan.end)}"

    def plan_facts(self, plan: StudyPlan, group: str) -> list[Fact]:
        msg, config, enrolment = self.msg, self.course.config, plan.enrolment
        days = ", ".join(msg(f"weekday_{d}") for d in enrolment.study_days)
        consultations = ", ".join(
            f"{msg(f'weekday_{c.weekday}')} {c.time:%H:%M}" for c in enrolment.consultations
        )
        return [
            (msg("course"), config.title),
            (msg("version"), config.version),
            (msg("group"), group),
            (msg("study_period"), self.period(plan)),
            (msg("hours_per_week"), self.number(enrolment.hours_per_week)),
            (msg("study_days"), days),
            (msg("consultations"), consultations or msg("none")),
            (msg("hours"), self.number(plan.hours)),
            (msg("credits"), self.number(plan.credits)),
        ]

    def plan_table(self, plan: StudyPlan) -> PlanTable:
        msg = self.msg
        head = [
            msg("number_sign"),
            msg("lesson_column"),
            msg("hours"),
            msg("credits"),
            msg("planned_dates"),
            msg("deadline"),
        ]
        rows = []
        for planned in plan.lessons:
            dates = self.date(planned.start)
            if planned.end != planned.start:
                dates += f" – {self.date(planned.end)}"
            rows.append(
                [
                    planned.lesson.number,
                    t.plain_text(planned.lesson.title),
                    self.number(planned.hours),
                    self.number(planned.credits),
                    dates,
                    self.date(planned.deadline) if planned.deadline else "",
                ]
            )
        total = ["", msg("total"), self.number(plan.hours), self.number(plan.credits), "", ""]
        return PlanTable(head, rows, total)

    def plan_notes(self, plan: StudyPlan) -> list[Fact]:
        """Consultation dates and days without study, when there are any."""
        notes = []
        if plan.consultations:
            dates = ", ".join(f"{self.date(d)} {time:%H:%M}" for d, time in plan.consultations)
            notes.append((self.msg("consultation_dates"), dates))
        if plan.enrolment.holidays:
            days = ", ".join(self.date(d) for d in plan.enrolment.holidays)
            notes.append((self.msg("holidays"), days))
        return notes

    def cover_facts(
        self, learner: Learner, packet_id: str, plan: StudyPlan, names: bool
    ) -> list[Fact]:
        """What a cover says under the learner code (the name only with ``names``)."""
        msg = self.msg
        facts = [(msg("learner_name"), learner.full_name)] if names else []
        facts.append((msg("group"), learner.group))
        if learner.facility:
            facts.append((msg("facility"), learner.facility))
        facts += [
            (msg("version"), self.course.config.version),
            (msg("study_period"), self.period(plan)),
            (msg("packet_id"), packet_id),
        ]
        return facts
