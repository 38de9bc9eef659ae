"""The paper loop's records in the register (SQLite and a real PostgreSQL server),
without printing or scanning: what is kept of a course version when its sheets
are issued, and what an older register holds after it is upgraded in place."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from casekit.learners.records import (
    CourseVersion,
    IssuedItem,
    Learner,
    LessonLoad,
    RosterRow,
    Sheet,
    SheetPlan,
)
from casekit.learners.register import MIGRATIONS, current_revision, open_register
from casekit.paper.answers import written_answers
from casekit.paper.language import register_messages, sheet_messages
from tests.learners_helpers import register_at

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


def learner(code: str, language: str = "") -> RosterRow:
    return RosterRow(Learner(code, "Әлиев", "Ержан", "G1", "UK-1", language=language))


def sheet(code: str, version: str, title: str = "") -> Sheet:
    return Sheet(f"S-{code}-{version}", code, "c", version, "assignment", "task", "", "[]", title)


def test_sheets_are_presented_in_their_course_language(register_location: str) -> None:
    with open_register(register_location) as register:
        register.import_roster([learner("KZ-1"), learner("KZ-2", "ru")])
        course = CourseVersion("c", "1", "Цифрлық сауат", "kk", {"review_title": "Тексеру"})
        kazakh = sheet("KZ-1", "1", "1-тапсырма: Қалталар")
        register.record_issue([], [kazakh], (), course)
        assert register.course_version("c", "1") == course
        assert register.sheet(kazakh.id) == kazakh
        assert register.sheet(kazakh.id).heading == "1-тапсырма: Қалталар"  # type: ignore[union-attr]

        # the course's language and its own labels, whatever the learner reads
        words = sheet_messages(register, [kazakh], None)
        assert (words.language, words("review_title")) == ("kk", "Тексеру")
        assert words("report_title") == "Үлгерім туралы есеп"
        assert sheet_messages(register, [kazakh], "ru")("review_title") == (
            "Бланки ответов на проверку"
        )  # an explicit language wins

        # issued again with another title and language: the latest is kept
        retitled = CourseVersion("c", "1", "Digital literacy", "en-GB", {})
        register.record_issue([], [kazakh], (), retitled)
        assert register.course_version("c", "1") == retitled
        words = sheet_messages(register, [kazakh], None)
        assert (words.language, words("review_title")) == ("en-GB", "Answer sheets to review")

        # a sheet issued by a casekit that kept no course: the learner's language, else English
        old = sheet("KZ-2", "0")
        register.record_issue([], [old, sheet("KZ-1", "0")])
        assert (
            register.course_version("c", "0") is None and register.sheet(old.id).heading == "task"
        )  # type: ignore[union-attr]
        assert sheet_messages(register, [old], None).language == "ru"
        # pages that name no sheet: the language all the register's courses share
        assert sheet_messages(register, [], None).language == "en-GB"
        register.record_issue([], [], (), CourseVersion("d", "1", "Курс", "ru"))
        assert sheet_messages(register, [sheet("KZ-1", "0")], None).language == "en"
        assert sheet_messages(register, [], None).language == "en"  # two languages: English
        # what casekit report needs without the course folder (0012)
        outlined = CourseVersion(
            "e", "2", "Курс", "kk", {}, {}, dt.date(2026, 9, 1),
            (SheetPlan("assignment", "01-a--task", "1.1-тапсырма: Қалта", ("01-a",)),
             SheetPlan("quiz", "module-1", "1-модуль: Кіріспе", ("01-a", "02-b"))),
            (LessonLoad("01-a", 1.5, True), LessonLoad("02-b", None, True),
             LessonLoad("03-c", 2.0, False)),
        )  # fmt: skip
        register.record_issue([], [], (), outlined)
        assert register.course_version("e", "2") == outlined
        # casekit scan, before any sheet is read: the --course one's language, --lang wins
        assert register_messages(register, None).language == "en"
        assert register_messages(register, None, "d")("scan_outcome_none") == "нет"
        assert register_messages(register, None, "c").language == "en-GB"
        assert register_messages(register, "kk", "d")("scan_outcome_none") == "жоқ"
        assert register_messages(register, None, "other").language == "en"


def test_a_register_of_the_previous_schema_upgrades_in_place(register_location: str) -> None:
    """A register at 0006 with issued sheets and scanned pages whose crops were a
    list: opening it migrates in place; every record survives, each crop is tied
    to its question where that is certain, and the sheets' course can be recorded
    by issuing them again."""
    area = {"x": 0, "y": 0, "w": 1, "h": 1}
    task = [{"kind": "assignment", "areas": [{"key": "assignment", "label": "", "rect": area}]}]
    quiz = [{"kind": "quiz", "areas": [{"key": f"q/{n}", "label": f"{n}.", "rect": area} for n in (1, 2, 3)]}]  # fmt: skip
    with register_at(register_location, "0006") as conn:
        conn.execute(sa.text("INSERT INTO groups (id, code) VALUES (1, 'G1')"))
        conn.execute(
            sa.text(
                "INSERT INTO learners (id, code, last_name, first_name, group_id, language) "
                "VALUES (1, 'KZ-1', 'Әлиев', 'Ержан', 1, 'ru')"
            )
        )
        for sheet_id, kind, layout in (("S-1", "assignment", task), ("S-2", "quiz", quiz)):
            conn.execute(
                sa.text(
                    "INSERT INTO sheets (id, learner_id, course_id, course_version, kind, "
                    "target, packet_id, layout) VALUES (:id, 1, 'c', '1', :kind, 't', 'P-1', :l)"
                ),
                {"id": sheet_id, "kind": kind, "l": json.dumps(layout)},
            )
        scanned = "INSERT INTO submissions (sheet_id, received_at, status, images) VALUES "
        conn.execute(sa.text(scanned + "('S-1', '2027-02-01 10:00:00', 'open', '[\"a.png\"]')"))
        conn.execute(
            sa.text(scanned + "('S-2', '2027-02-01 10:00:00', 'graded', :images)"),
            {"images": json.dumps(["b.png", "c.png"])},
        )
        conn.execute(  # a person settled S-2's page: its review kept c.png as question 2's
            sa.text(
                "INSERT INTO reviews (created_at, sheet_id, images, status) "
                "VALUES ('2027-02-01 10:00:00', 'S-2', :images, 'settled')"
            ),
            {"images": json.dumps({"q/1": "zoom.png", "area:q/2": "c.png"})},
        )
    with open_register(register_location) as register:
        assert current_revision(register) == (HEAD,)
        old = register.sheet("S-1")
        assert old == Sheet("S-1", "KZ-1", "c", "1", "assignment", "t", "P-1", json.dumps(task))
        assert sheet_messages(register, [old], None).language == "ru"  # type: ignore[list-item]
        assert [s.images for s in register.submissions()] == [
            {"assignment": "a.png"},  # the page's only area
            {"unlinked-1": "b.png", "q/2": "c.png"},  # as the review had it; b.png: unknown
        ]
        item = IssuedItem("P-1", "packet", "KZ-1", "c", "1", dt.date(2027, 1, 11))
        printed = Sheet("S-1", "KZ-1", "c", "1", "assignment", "t", "P-1", "[]", "Task 1")
        register.record_issue([item], [printed], (), CourseVersion("c", "1", "C", "kk"))
        assert register.sheet("S-1") == printed
        assert sheet_messages(register, [printed], None).language == "kk"


def test_written_answers_are_named_by_their_question(tmp_path: Path) -> None:
    """A page waiting for review shows its written answers captioned with their
    questions (quiz number from the heading above, question number from the key),
    and the submission a decision records keeps each crop tied to its question."""
    from casekit.learners.records import Review
    from casekit.messages import messages
    from casekit.paper import review
    from casekit.sheets.layout import Heading, OpenArea, Rect, Row, SheetPage

    box = Rect(0, 0, 1, 1)
    page = SheetPage(
        "quiz", "module-2", 1, 1, (210, 297), (box, box, box, box), box, box, box,
        headings=(Heading("2.2", Rect(20, 70, 170, 8)), Heading("2.3", Rect(20, 180, 170, 8))),
        rows=(Row("fraud/3", "2.2", 3, "single", box, (box, box), (box, box)),),
        areas=(
            OpenArea("fraud/1", "1.", Rect(32, 80, 150, 28)),
            OpenArea("fraud/2", "2.", Rect(32, 110, 150, 28)),
            OpenArea("egov/1", "1.", Rect(32, 190, 150, 28)),
        ),
    )  # fmt: skip
    location = str(tmp_path / "register.sqlite")
    with open_register(location) as register:
        register.import_roster([learner("KZ-1")])
        printed = Sheet("S-1", "KZ-1", "c", "1", "quiz", "module-2", "", f"[{page.to_json()}]")
        asked = {"fraud/2": ("Қай нөмірге қоңырау шалу керек?", "Ресми нөмірге")}
        register.record_issue([], [printed], (), CourseVersion("c", "1", "Курс", "ru", {}, asked))
        crop = register.keep_image(b"\x89PNG crop of 2.3/1")
        zoom = register.keep_image(b"\x89PNG zoom")
        waiting = Review(
            1, dt.datetime(2027, 2, 1), "scan.pdf", 1, "0" * 64, "[]", "S-1", 1,
            reading={"fraud/3": {"answer": "unsure", "chosen": [], "boxes": ["unsure", "empty"]}},
            doubtful=("fraud/3",), handed_in=dt.date(2027, 1, 30),
            images={"fraud/3": zoom, "area:egov/1": crop, "area:fraud/2": crop},
        )  # fmt: skip
        register.add_review(waiting)
        [item] = review.open_items(register)
        answers = review.page_answers(item)
        assert [(a.key, a.number, a.image) for a in answers] == [
            ("fraud/2", "2.2/2", crop),
            ("egov/1", "2.3/1", crop),
        ]
        words = messages("ru")
        assert [a.label(printed, words) for a in answers] == ["Вопрос 2.2/2", "Вопрос 2.3/1"]
        # a crop kept by a casekit before the link, not linked by the upgrade
        [unlinked] = written_answers(printed, 1, {"unlinked-1": crop})
        assert unlinked.label(printed, words) == (
            "Письменный ответ (отсканирован до того, как casekit стал связывать ответы с вопросами)"
        )
        html = review.write_page(register, [item], words).read_text("utf-8")
        decided = review.Decision(item.review.id, {"fraud/3": [0]})
        recorded = review.settle(register, item, decided, "A. Seitkyzy", dt.datetime(2027, 2, 2))
        assert recorded is not None and recorded.handed_in == dt.date(2027, 1, 30)
        assert recorded.images == {"egov/1": crop, "fraud/2": crop}  # by question, no zooms
    assert (  # the question's text and accepted answer, as recorded at issue
        '<figcaption>Вопрос 2.2/2: <span class="prompt">Қай нөмірге қоңырау шалу керек?</span>'
        "<br><small>Правильный ответ: Ресми нөмірге</small></figcaption>"
    ) in html
    assert "<figcaption>Вопрос 2.3/1</figcaption>" in html
    assert "<dt>Курс</dt><dd>Курс (1)</dd>" in html
