"""The individual study plan against dates computed by hand (holidays, weekly
hours spread over study days, consultations, deadlines, credits)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.learners import schedule
from casekit.learners.records import Enrolment

LESSONS = {
    "l1.md": "---\ntitle: One\nhours: 2\n---\nText.\n",
    "l2.md": "---\ntitle: Two\nhours: 3\n---\n::: assignment\n## Write\n\nWrite it.\n:::\n",
    "l3.md": "---\ntitle: Three\nhours: 1.5\n---\nText.\n",
    "l4.md": (
        '---\ntitle: Four\nhours: 4\n---\n::: {.quiz #q title="Check"}\n'
        "1. Pick one?\n   - [x] Yes\n   - [ ] No\n:::\n"
    ),
    "l5.md": "---\ntitle: Five\n---\nNo hours given: one hour.\n",
}


@pytest.fixture
def course(make_course):
    diags = Diagnostics()
    loaded = load_course(make_course(LESSONS), diags)
    assert not diags.has_errors(), diags.items
    return loaded


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_dates_by_hand(course) -> None:
    # 6 hours a week over Mon-Fri = 1 1/5 hours a study day; Wed 13 Jan and Tue 26 Jan
    # are holidays. Counting by hand from Monday 11 January 2027:
    #   L1 2 h:   Mon 11 (1.2) + Tue 12 (0.8)                 -> 11..12, 0.4 h left on Tue 12
    #   L2 3 h:   Tue 12 (0.4) Thu 14 (1.2) Fri 15 (1.2) Mon 18 (0.2) -> 12..18, 1.0 left
    #   L3 1.5 h: Mon 18 (1.0) Tue 19 (0.5)                   -> 18..19, 0.7 left
    #   L4 4 h:   Tue 19 (0.7) Wed 20 Thu 21 (2.4) Fri 22 (0.9) -> 19..22, 0.3 left
    #   L5 1 h:   Fri 22 (0.3) Mon 25 (0.7)                   -> 22..25
    # Consultations on Tuesdays at 10:00: L2's assignment (ends Mon 18) is due Tue 19;
    # L4's quiz (ends Fri 22) would be due Tue 26, a holiday, so Tue 2 February.
    enrolment = Enrolment(
        learner="KZ-1",
        course_id="t",
        course_version="1",
        start=day("2027-01-11"),
        hours_per_week=6,
        consultations=schedule.parse_consultations("Tue 10:00"),
        holidays=schedule.parse_holidays("2027-01-13 2027-01-26"),
    )
    plan = schedule.plan(course, enrolment)
    got = [(p.start.isoformat(), p.end.isoformat(), p.deadline) for p in plan.lessons]
    assert got == [
        ("2027-01-11", "2027-01-12", None),
        ("2027-01-12", "2027-01-18", day("2027-01-19")),
        ("2027-01-18", "2027-01-19", None),
        ("2027-01-19", "2027-01-22", day("2027-02-02")),
        ("2027-01-22", "2027-01-25", None),
    ]
    assert [d.isoformat() for d, _time in plan.consultations] == [
        "2027-01-12",
        "2027-01-19",
        "2027-02-02",
    ]
    assert plan.hours == Fraction(23, 2)
    assert plan.credits == Fraction(23, 60)
    assert plan.lessons[1].credits == Fraction(1, 10)
    assert plan.end == day("2027-02-02")


def test_study_days_and_no_consultations(course) -> None:
    # 4 hours a week on Monday and Thursday = 2 hours a study day, from Thu 7 Jan 2027:
    # L1 Thu 7; L2 Mon 11 (2) + Thu 14 (1) -> 11..14, due Thu 14 (no consultations);
    # L3 Thu 14 (1) + Mon 18 (0.5); L4 Mon 18 (1.5) + Thu 21 (2) + Mon 25 (0.5); L5 Mon 25.
    enrolment = Enrolment(
        learner="KZ-1",
        course_id="t",
        course_version="1",
        start=day("2027-01-07"),
        hours_per_week=4,
        study_days=schedule.parse_days("Пн, Чт"),
    )
    plan = schedule.plan(course, enrolment)
    got = [(p.start.day, p.end.day, p.deadline and p.deadline.day) for p in plan.lessons]
    assert got == [(7, 7, None), (11, 14, 14), (14, 18, None), (18, 25, 25), (25, 25, None)]
    assert plan.consultations == []


@pytest.mark.parametrize(
    "parse, text, message",
    [
        (schedule.parse_date, "2027-02-29", "not a date of the calendar"),
        (schedule.parse_date, "2027-1-11", "not a date like 2027-01-11"),
        (schedule.parse_date, "1999-01-11", "out of range"),
        (schedule.parse_consultations, "Tuesday", "not a consultation like 'Tue 10:00'"),
        (schedule.parse_consultations, "Xyz 10:00", "not a day of the week"),
        (schedule.parse_days, ",", "no study days given"),
        (schedule.parse_holidays, "2027-01-01..2029-01-01", "longer than a year"),
        (schedule.check_hours_per_week, 0, "must be more than 0"),
        (schedule.check_hours_per_week, 61, "at most 60"),
    ],
)
def test_bad_plan_input(parse, text, message) -> None:
    with pytest.raises(schedule.PlanInputError, match=message):
        parse(text)


def test_a_plan_that_never_ends_is_refused(course) -> None:
    enrolment = Enrolment(
        learner="KZ-1",
        course_id="t",
        course_version="1",
        start=day("2027-01-11"),
        hours_per_week=6,
        study_days=(6,),
        holidays=tuple(day("2027-01-10") + dt.timedelta(7 * n) for n in range(600)),
    )
    with pytest.raises(schedule.PlanInputError, match="does not end within ten years"):
        schedule.plan(course, enrolment)
