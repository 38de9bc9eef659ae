"""The individual study plan (Rules p.9): planned dates of every lesson,
consultations and submission deadlines, computed from an enrolment.

How dates are planned (docs/learners.md says the same to users):

- each study day (Monday to Friday unless the enrolment says otherwise) that is
  not a holiday gives ``hours_per_week / number of study days`` hours;
- lessons are taken in course order, each for its ``hours`` (1 hour when the
  lesson does not say); a lesson runs from the day its first hour falls on to
  the day its last hour falls on;
- the deadline of a lesson's assignments and self-checks is the first
  consultation on or after the lesson's last day, or that day when there are no
  consultations; consultations on holidays do not take place;
- credits = hours / 30.

Arithmetic is exact (fractions), so 6 hours a week over 5 days plans the same
dates as a person counting by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from casekit import tree as t
from casekit.config.dlt import HOURS_PER_CREDIT
from casekit.learners.records import Consultation, Enrolment, LessonLoad

DEFAULT_LESSON_HOURS = 1
MAX_PLAN_DAYS = 3660  # a plan that does not end within ten years is an input error
MAX_HOURS_PER_WEEK = 60

#: weekday names a user may type: English, Russian, Ukrainian and Kazakh abbreviations
DAY_NAMES: dict[str, int] = {}
for _index, _names in enumerate(
    (
        ("mon", "monday", "пн", "пон", "дс", "дүй"),
        ("tue", "tuesday", "вт", "вто", "вів", "сс", "сей"),
        ("wed", "wednesday", "ср", "сре", "сер", "сәр"),
        ("thu", "thursday", "чт", "чет", "бс", "бей"),
        ("fri", "friday", "пт", "пят", "п'ят", "жм", "жұм"),
        ("sat", "saturday", "сб", "суб", "сен"),
        ("sun", "sunday", "вс", "вос", "нд", "нед", "жс", "жек"),
    )
):
    for _name in _names:
        DAY_NAMES[_name] = _index


class PlanInputError(ValueError):
    """An option of the enrolment cannot be read; the message says why."""


def parse_date(text: str) -> dt.date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise PlanInputError(f"{text!r} is not a date like 2027-01-11")
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PlanInputError(f"{text!r} is not a date of the calendar") from None
    if not 2000 <= day.year <= 2100:
        raise PlanInputError(f"{text!r} is out of range (years 2000 to 2100)")
    return day


def parse_weekday(text: str) -> int:
    key = text.strip().lower().rstrip(".")
    if key not in DAY_NAMES:
        raise PlanInputError(f"{text!r} is not a day of the week (Mon, Tue, ... or Пн, Вт, ...)")
    return DAY_NAMES[key]


def parse_days(text: str) -> tuple[int, ...]:
    """``"Mon,Wed,Fri"`` -> (0, 2, 4)."""
    days = sorted({parse_weekday(part) for part in re.split(r"[,\s]+", text) if part})
    if not days:
        raise PlanInputError("no study days given")
    return tuple(days)


def parse_consultations(text: str) -> tuple[Consultation, ...]:
    """``"Tue 10:00, Thu 14:30"`` -> weekly slots."""
    slots = set()
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        match = re.fullmatch(r"(\S+)\s+(\d{1,2}):(\d{2})", part)
        if match is None:
            raise PlanInputError(f"{part!r} is not a consultation like 'Tue 10:00'")
        hour, minute = int(match[2]), int(match[3])
        if hour > 23 or minute > 59:
            raise PlanInputError(f"{part!r}: {hour}:{minute:02d} is not a time of day")
        slots.add(Consultation(parse_weekday(match[1]), dt.time(hour, minute)))
    return tuple(sorted(slots, key=lambda c: (c.weekday, c.time)))


def parse_holidays(text: str) -> tuple[dt.date, ...]:
    """``"2027-03-08, 2027-03-21..2027-03-23"`` -> every day named."""
    days: set[dt.date] = set()
    for part in filter(None, (p.strip() for p in re.split(r"[,\s]+", text))):
        first, _, last = part.partition("..")
        start = parse_date(first)
        end = parse_date(last) if last else start
        if end < start:
            raise PlanInputError(f"{part!r}: the range ends before it starts")
        if (end - start).days > 366:
            raise PlanInputError(f"{part!r}: a holiday longer than a year")
        days.update(start + dt.timedelta(n) for n in range((end - start).days + 1))
    return tuple(sorted(days))


def check_hours_per_week(hours: float) -> float:
    if not 0 < hours <= MAX_HOURS_PER_WEEK:
        raise PlanInputError(f"{hours:g} hours a week: must be more than 0 and at most 60")
    return hours


@dataclass(frozen=True)
class PlannedLesson:
    lesson: t.Lesson
    hours: Fraction
    start: dt.date
    end: dt.date
    deadline: dt.date | None  # None: the lesson has nothing to hand in

    @property
    def credits(self) -> Fraction:
        return self.hours / HOURS_PER_CREDIT


@dataclass(frozen=True)
class StudyPlan:
    enrolment: Enrolment
    lessons: list[PlannedLesson]
    consultations: list[tuple[dt.date, dt.time]]

    @property
    def hours(self) -> Fraction:
        return sum((p.hours for p in self.lessons), Fraction(0))

    @property
    def credits(self) -> Fraction:
        return self.hours / HOURS_PER_CREDIT

    @property
    def end(self) -> dt.date:
        dates = [p.deadline or p.end for p in self.lessons]
        return max(dates) if dates else self.enrolment.start

    def deadline(self, lesson_id: str) -> dt.date | None:
        for planned in self.lessons:
            if planned.lesson.id == lesson_id:
                return planned.deadline
        return None


def _has_work(lesson: t.Lesson) -> bool:
    return any(isinstance(b, (t.Assignment, t.Quiz)) for b in t.iter_blocks(lesson.blocks))


def lesson_loads(course: t.Course) -> list[LessonLoad]:
    """What a plan needs of ``course``'s lessons, in order (the register keeps it)."""
    return [LessonLoad(lesson.id, lesson.hours, _has_work(lesson)) for lesson in course.lessons()]


@dataclass(frozen=True)
class _Dates:
    hours: Fraction
    start: dt.date
    end: dt.date
    deadline: dt.date | None


def _consultations_from(enrolment: Enrolment, day: dt.date) -> Iterator[tuple[dt.date, dt.time]]:
    holidays = set(enrolment.holidays)
    for n in range(MAX_PLAN_DAYS):
        date = day + dt.timedelta(n)
        if date in holidays:
            continue
        for slot in enrolment.consultations:
            if slot.weekday == date.weekday():
                yield date, slot.time


def _planned_dates(loads: list[LessonLoad], enrolment: Enrolment) -> list[_Dates]:
    holidays = set(enrolment.holidays)
    per_day = Fraction(enrolment.hours_per_week).limit_denominator(1000) / len(enrolment.study_days)

    def study_days() -> Iterator[dt.date]:
        for n in range(MAX_PLAN_DAYS):
            day = enrolment.start + dt.timedelta(n)
            if day.weekday() in enrolment.study_days and day not in holidays:
                yield day
        raise PlanInputError(
            "the plan does not end within ten years: too few study hours or too many holidays"
        )

    days = study_days()
    day = next(days)
    left = per_day  # hours still free on ``day``
    planned: list[_Dates] = []
    for load in loads:
        hours = Fraction(load.hours if load.hours is not None else DEFAULT_LESSON_HOURS)
        hours = hours.limit_denominator(1000)
        if left == 0:
            day, left = next(days), per_day
        start, need = day, hours
        while need > left:
            need -= left
            day, left = next(days), per_day
        left -= need
        end = day
        deadline = None
        if load.has_work:
            deadline = end
            if enrolment.consultations:
                deadline = next(_consultations_from(enrolment, end))[0]
        planned.append(_Dates(hours, start, end, deadline))
    return planned


def deadlines(loads: list[LessonLoad], enrolment: Enrolment) -> dict[str, dt.date | None]:
    """Each lesson's deadline by id, as ``plan`` sets it, from what the register keeps."""
    dates = _planned_dates(loads, enrolment)
    return {load.id: d.deadline for load, d in zip(loads, dates, strict=True)}


def plan(course: t.Course, enrolment: Enrolment) -> StudyPlan:
    """The study plan of one enrolment in ``course`` (its tree, any edition)."""
    lessons = course.lessons()
    dates = _planned_dates(lesson_loads(course), enrolment)
    planned = [
        PlannedLesson(lesson, d.hours, d.start, d.end, d.deadline)
        for lesson, d in zip(lessons, dates, strict=True)
    ]
    last = max((p.deadline or p.end for p in planned), default=enrolment.start)
    consultations = []
    if enrolment.consultations:
        for date, time in _consultations_from(enrolment, enrolment.start):
            if date > last:
                break
            consultations.append((date, time))
    return StudyPlan(enrolment, planned, consultations)
