"""The paper loop's records in the register (SQLite and a real PostgreSQL server),
without printing or scanning: what is kept of a course version when its sheets
are issued, and what an older register holds after it is upgraded in place."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from casekit.learners.records import CourseVersion, IssuedItem, Learner, RosterRow, Sheet
from casekit.learners.register import MIGRATIONS, _alembic_config, current_revision, open_register
from casekit.paper.language import sheet_messages

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
        assert sheet_messages(register, [sheet("KZ-1", "0")], None).language == "en"
        assert sheet_messages(register, [], None).language == "en"


def test_a_register_of_the_previous_schema_upgrades_in_place(register_location: str) -> None:
    """A register at 0006 with an issued sheet: opening it migrates in place, the
    sheet keeps everything, and its course can be recorded by issuing again."""
    from alembic import command

    url = register_location if "://" in register_location else f"sqlite:///{register_location}"
    if "://" not in register_location:
        os.close(os.open(register_location, os.O_CREAT, 0o600))
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006")
        conn.execute(sa.text("INSERT INTO groups (id, code) VALUES (1, 'G1')"))
        conn.execute(
            sa.text(
                "INSERT INTO learners (id, code, last_name, first_name, group_id, language) "
                "VALUES (1, 'KZ-1', 'Әлиев', 'Ержан', 1, 'ru')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO sheets (id, learner_id, course_id, course_version, kind, target, "
                "packet_id, layout) VALUES ('S-1', 1, 'c', '1', 'assignment', 'task', 'P-1', '[]')"
            )
        )
    engine.dispose()
    with open_register(register_location) as register:
        assert current_revision(register) == (HEAD,)
        old = register.sheet("S-1")
        assert old == Sheet("S-1", "KZ-1", "c", "1", "assignment", "task", "P-1", "[]", "")
        assert sheet_messages(register, [old], None).language == "ru"  # type: ignore[list-item]
        item = IssuedItem("P-1", "packet", "KZ-1", "c", "1", dt.date(2027, 1, 11))
        printed = Sheet("S-1", "KZ-1", "c", "1", "assignment", "task", "P-1", "[]", "Task 1")
        register.record_issue([item], [printed], (), CourseVersion("c", "1", "C", "kk"))
        assert register.sheet("S-1") == printed
        assert sheet_messages(register, [printed], None).language == "kk"


def test_issue_records_the_course_version(tmp_path: Path) -> None:
    """What ``casekit packets`` passes: the course.toml's id, version, title, language, labels."""
    from casekit.config.settings import load_config
    from casekit.diagnostics import Diagnostics
    from casekit.learners.packets import _course_version

    config = load_config(
        Path(__file__).parent.parent / "courses" / "digital-literacy-kk", Diagnostics()
    )
    assert config is not None
    kept = _course_version(config)
    assert (kept.course_id, kept.course_version, kept.language) == (config.id, config.version, "kk")
    assert (kept.title, kept.labels) == (config.title, dict(config.labels))
