"""The learner register on SQLite and on a real PostgreSQL server: roster import,
list/show/export/remove, enrolment and its refusals, concurrency, migrations."""

from __future__ import annotations

import csv
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from casekit.learners import schema
from casekit.learners.register import MIGRATIONS, current_revision, open_register
from tests.learners_helpers import (
    ROSTER,
    casekit,
    casekit_process,
    dump,
    register_at,
    write_roster,
)

COURSE = Path(__file__).resolve().parent.parent / "courses" / "digital-literacy-kk"
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()


def imported(tmp_path: Path, register: str) -> None:
    result = casekit(
        "learners", "import", str(write_roster(tmp_path / "roster.csv")), register=register
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "4 added, 0 updated, 0 unchanged"


def test_import_list_show_without_names(tmp_path: Path, register_location: str) -> None:
    imported(tmp_path, register_location)
    listed = casekit("learners", "list", register=register_location)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["KZ-001", "G1", "UK-161"],
        ["KZ-002", "G1", "UK-161"],
        ["KZ-003", "G1", "UK-161"],
        ["KZ-010", "G2", "UK-161"],
    ]
    assert "large-print" in lines[1]
    for name in ("Әбілқасымов", "Иванова", "Nurlanov", "Ғабитқызы"):
        assert name not in listed.stdout + listed.stderr
    named = casekit("learners", "list", "--group", "G1", "--names", register=register_location)
    assert "Әбілқасымов Ерлан Серікұлы" in named.stdout
    assert "Иванова; Мария Петровна" in named.stdout  # a quoted field holding the delimiter
    assert "Ғабитқызы" not in named.stdout  # another group
    shown = casekit("learners", "show", "KZ-010", "--names", register=register_location)
    assert shown.stdout.startswith("KZ-010\tG2\tUK-161\tҒабитқызы Айгүл")


def test_reimport_updates_by_code_never_duplicates(tmp_path: Path, register_location: str) -> None:
    imported(tmp_path, register_location)
    moved = [*ROSTER[:3], "KZ-010;Ғабитқызы;Айгүл;;G1;UK-161;large-print"]
    roster = write_roster(tmp_path / "again.csv", moved, bom=False)
    roster.write_text(roster.read_text("utf-8").replace(";", ","), "utf-8")  # ',' as Excel en
    roster.write_text(
        roster.read_text("utf-8").replace('"Иванова, Мария"', '"Иванова; Мария"'), "utf-8"
    )
    result = casekit("learners", "import", str(roster), register=register_location)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 added, 1 updated, 3 unchanged"
    with open_register(register_location) as register:
        people = register.learners()
        assert [p.code for p in people] == ["KZ-001", "KZ-002", "KZ-003", "KZ-010"]
        assert register.learner("KZ-010").group == "G1"
        assert register.learner("KZ-010").accommodations == ("large-print",)


def test_quoted_line_break_and_moodle_columns(tmp_path: Path, register_location: str) -> None:
    roster = tmp_path / "moodle.csv"
    roster.write_text(
        'username,lastname,firstname,cohort1\nA-1,"Smith\nJones",Ann,G9\nA-2,Brown,Bob,G9\n',
        "utf-8",
    )
    assert casekit("learners", "import", str(roster), register=register_location).returncode == 0
    with open_register(register_location) as register:
        assert register.learner("A-1").last_name == "Smith Jones"
        assert [p.code for p in register.learners("G9")] == ["A-1", "A-2"]


BAD_ROWS = [
    ("KZ-020;;Ерлан;;G1;UK-161;", "the 'last_name' field is empty"),
    ("KZ 021;Ахметов;Ерлан;;G1;UK-161;", "code 'KZ 021' must be"),
    ("KZ-022;Ахметов;Ерлан;;G1;UK-161;braille-only", "unknown accommodation 'braille-only'"),
    ("KZ-023;Ахметов;Ерлан;;G1;UK-161;;extra", "8 fields but the header names 7 columns"),
    ("KZ-001;Ахметов;Ерлан;;G1;UK-161;", "learner code 'KZ-001' is already on line 2"),
    ("KZ-024;Ахметов;Ерлан;;G1;UK-999;", "group 'G1' is at facility 'UK-161' on line 2"),
]


@pytest.mark.parametrize("bad_row, message", BAD_ROWS)
def test_bad_rows_named_by_line_and_nothing_written(
    tmp_path: Path, register_location: str, bad_row: str, message: str
) -> None:
    imported(tmp_path, register_location)
    before = dump(register_location)
    rows = [*ROSTER[:2], "KZ-030;Омаров;Асқар;;G3;UK-161;", bad_row]
    roster = write_roster(tmp_path / "bad.csv", rows)
    result = casekit("learners", "import", str(roster), register=register_location)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{roster}:5:1: error: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert dump(register_location) == before  # KZ-030, a good row, was not written either


def test_every_bad_row_is_reported(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", ["A;;B;;G;;", "B;X;;;G;;", "C;X;Y;;;;"])
    result = casekit("learners", "import", str(roster), register=str(tmp_path / "r.sqlite"))
    lines = result.stderr.splitlines()
    assert [line.split(": error")[0] for line in lines[:3]] == [
        f"{roster}:2:1",
        f"{roster}:3:1",
        f"{roster}:4:1",
    ]
    assert not (tmp_path / "r.sqlite").exists()


@pytest.mark.parametrize(
    "data, where, message",
    [
        (
            "code;last_name;first_name;group\nKZ-1;Ахметов;Ерлан;G1\n".encode("cp1251"),
            ":2:6:",
            "not UTF-8 text (byte 0xc0)",
        ),
        ("code;last_name;first_name;group\n".encode("utf-16"), ":1:1:", "not UTF-8 text"),
        (b"code;name;group\nA;B;C\n", ":1:1:", "unknown column 'name'"),
        (b"code;last_name;group\nA;B;C\n", ":1:1:", "the column 'first_name' is missing"),
        (b"", ":1:1:", "the roster is empty"),
        (b'code,last_name,first_name,group\nA,"B,C,G\n', ":2:1:", "not valid CSV"),
    ],
)
def test_broken_roster_files(tmp_path: Path, data: bytes, where: str, message: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes(data)
    result = casekit("learners", "import", str(roster), register=str(tmp_path / "r.sqlite"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{roster}{where} error: {message}"), result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite_register_is_owner_only_wal(tmp_path: Path) -> None:
    location = tmp_path / "sub" / "register.sqlite"
    imported(tmp_path, str(location))
    assert stat.S_IMODE(location.stat().st_mode) == 0o600
    with sqlite3.connect(location) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_export_is_explicit_owner_only_and_imports_again(
    tmp_path: Path, register_location: str
) -> None:
    imported(tmp_path, register_location)
    out = tmp_path / "export.csv"
    result = casekit("learners", "export", "-o", str(out), register=register_location)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.DictReader(out.read_text("utf-8-sig").splitlines()))
    assert rows[1]["last_name"] == "Иванова; Мария" and rows[1]["accommodations"] == "large-print"
    again = casekit("learners", "import", str(out), register=register_location)
    assert again.stdout.strip() == "0 added, 0 updated, 4 unchanged"


def test_remove_withdraws_and_purge_deletes_for_real(
    tmp_path: Path, register_location: str
) -> None:
    imported(tmp_path, register_location)
    assert (
        casekit(
            "enrol",
            str(COURSE),
            "--group",
            "G2",
            "--start",
            "2027-01-11",
            "--hours-per-week",
            "6",
            register=register_location,
        ).returncode
        == 0
    )
    assert casekit("learners", "remove", "KZ-003", register=register_location).returncode == 0
    with open_register(register_location) as register:
        assert register.learner("KZ-003").withdrawn_on is not None
        assert [p.code for p in register.learners("G1", active_only=True)] == ["KZ-001", "KZ-002"]
    result = casekit("learners", "remove", "KZ-010", "--purge", register=register_location)
    assert result.returncode == 0, result.stderr
    rows = dump(register_location)
    assert all("Ғабитқызы" not in str(table) for table in rows.values())
    assert rows["enrolments"] == []  # KZ-010 was G2's only learner
    if "://" not in register_location:  # the bytes are gone from the files too
        for path in Path(register_location).parent.glob("register.sqlite*"):
            assert "Ғабитқызы".encode() not in path.read_bytes(), path
    missing = casekit("learners", "show", "KZ-010", register=register_location)
    assert missing.returncode == 1
    assert "no learner with the code 'KZ-010'" in missing.stderr


def test_enrol_and_refusals(tmp_path: Path, register_location: str) -> None:
    imported(tmp_path, register_location)
    enrol = ["enrol", str(COURSE), "--group", "G1", "--hours-per-week", "6"]
    ok = casekit(
        *enrol,
        "--start",
        "2027-01-11",
        "--consultations",
        "Tue 10:00, Чт 14:30",
        "--holidays",
        "2027-03-08,2027-03-21..2027-03-23",
        register=register_location,
    )
    assert ok.returncode == 0, ok.stderr
    assert (
        ok.stdout.strip()
        == "3 learner(s) of G1 enrolled in digital-literacy-kk 1.0.0 from 2027-01-11"
    )
    with open_register(register_location) as register:
        enrolments = register.enrolments(group="G1")
    assert [e.learner for e in enrolments] == ["KZ-001", "KZ-002", "KZ-003"]
    first = enrolments[0]
    assert (first.start.isoformat(), first.hours_per_week, first.credits) == ("2027-01-11", 6, 0.5)
    assert [str(c) for c in first.consultations] == ["Tue 10:00", "Thu 14:30"]
    assert [d.isoformat() for d in first.holidays] == [
        "2027-03-08",
        "2027-03-21",
        "2027-03-22",
        "2027-03-23",
    ]
    before = dump(register_location)
    refusals = [
        (["--start", "2027-01-11"], "learner KZ-001 is already enrolled in digital-literacy-kk"),
        (["--start", "2027-02-30"], "'2027-02-30' is not a date of the calendar"),
        (["--start", "11.01.2027"], "'11.01.2027' is not a date like 2027-01-11"),
        (["--start", "2027-01-11", "--consultations", "Tue 25:00"], "is not a time of day"),
        (
            ["--start", "2027-01-11", "--holidays", "2027-03-09..2027-03-08"],
            "ends before it starts",
        ),
    ]
    for extra, message in refusals:
        result = casekit(*enrol, *extra, register=register_location)
        assert result.returncode != 0 and message in result.stderr, (extra, result.stderr)
        assert "Traceback" not in result.stderr
    unknown = casekit(
        *enrol[:3], "G7", *enrol[4:], "--start", "2027-01-11", register=register_location
    )
    assert unknown.returncode == 1
    assert unknown.stderr.strip().endswith("unknown group 'G7' (groups: G1, G2) [unknown-group]")
    assert dump(register_location) == before


def test_a_learner_who_joins_later(tmp_path: Path, register_location: str) -> None:
    imported(tmp_path, register_location)
    args = ["enrol", str(COURSE), "--group", "G1", "--start", "2027-01-11", "--hours-per-week", "6"]
    assert casekit(*args, register=register_location).returncode == 0
    newcomer = write_roster(tmp_path / "new.csv", ["KZ-004;Омаров;Асқар;;G1;UK-161;"])
    assert casekit("learners", "import", str(newcomer), register=register_location).returncode == 0
    again = casekit(*args, register=register_location)
    assert again.returncode == 1 and "KZ-001 is already enrolled" in again.stderr
    stranger = casekit(*args, "--learner", "KZ-010", register=register_location)
    assert "'KZ-010' is not an active learner of group 'G1'" in stranger.stderr
    joined = casekit(
        *args[:5], "2027-02-01", *args[6:], "--learner", "KZ-004", register=register_location
    )
    assert joined.returncode == 0, joined.stderr
    with open_register(register_location) as register:
        (enrolment,) = register.enrolments(learner="KZ-004")
        assert enrolment.start.isoformat() == "2027-02-01"
        assert len(register.enrolments(group="G1")) == 4


def test_credit_limit_of_the_programme(tmp_path: Path, register_location: str, make_course) -> None:
    imported(tmp_path, register_location)
    toml = (COURSE / "course.toml").read_text("utf-8")
    courses = []
    for n in (1, 2):
        folder = tmp_path / f"mba-{n}"
        import shutil

        shutil.copytree(COURSE, folder)
        text = toml.replace('id = "digital-literacy-kk"', f'id = "mba-{n}"')
        text = text.replace("credits = 0.5", 'credits = 20\nprogramme = "mba"')
        (folder / "course.toml").write_text(text, "utf-8")
        courses.append(folder)
    args = ["--group", "G1", "--start", "2027-01-11", "--hours-per-week", "6"]
    first = casekit("enrol", str(courses[0]), *args, register=register_location)
    assert first.returncode == 0, first.stderr
    before = dump(register_location)
    second = casekit("enrol", str(courses[1]), *args, register=register_location)
    assert second.returncode == 1
    assert (
        "learner KZ-001 would study 40 credits of the 'mba' programme by DLT, over the limit of 30"
        in second.stderr
    )
    assert dump(register_location) == before


def test_course_version_missing(tmp_path: Path, register_location: str) -> None:
    imported(tmp_path, register_location)
    import shutil

    folder = tmp_path / "course"
    shutil.copytree(COURSE, folder)
    toml = folder / "course.toml"
    toml.write_text(toml.read_text("utf-8").replace('version = "1.0.0"\n', ""), "utf-8")
    result = casekit(
        "enrol",
        str(folder),
        "--group",
        "G1",
        "--start",
        "2027-01-11",
        "--hours-per-week",
        "6",
        register=register_location,
    )
    assert result.returncode == 1
    assert f"{folder}/course.toml:1:1: error: missing field 'version'" in result.stderr
    assert dump(register_location)["enrolments"] == []


def test_register_from_a_newer_casekit_is_refused(tmp_path: Path, register_location: str) -> None:
    imported(tmp_path, register_location)
    engine = sa.create_engine(
        register_location if "://" in register_location else f"sqlite:///{register_location}"
    )
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for command in (["learners", "list"], ["learners", "import", str(tmp_path / "roster.csv")]):
        result = casekit(*command, register=register_location)
        assert result.returncode == 1
        assert result.stderr.strip().endswith(
            "this register was made by a newer casekit (schema 9999); upgrade casekit to use it "
            "[register-newer]"
        ), result.stderr


def test_read_only_register(tmp_path: Path) -> None:
    location = tmp_path / "register.sqlite"
    imported(tmp_path, str(location))
    before = location.read_bytes()
    location.chmod(0o400)
    roster = write_roster(tmp_path / "more.csv", ["KZ-100;A;B;;G1;UK-161;"])
    result = casekit("learners", "import", str(roster), register=str(location))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"{location}:1:1: error: the register file is read-only (no write permission): "
        "nothing was changed [register-read-only]"
    )
    assert location.read_bytes() == before
    listed = casekit("learners", "list", register=str(location))  # reading still works
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 4


def test_not_a_register(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_bytes(b"just some text, not SQLite" * 100)
    result = casekit("learners", "list", register=str(bogus))
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"{bogus}:1:1: error: this file is not a casekit register [not-a-register]"
    )


WRITER = """
import sys
from casekit.learners.records import Learner, RosterRow
from casekit.learners.register import open_register
location, prefix = sys.argv[1], sys.argv[2]
for n in range(15):
    with open_register(location) as register:
        row = RosterRow(Learner(f"{prefix}-{n:03d}", "Ахметов", "Ерлан", f"G-{prefix}", "UK-1"))
        register.import_roster([row])
"""


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(tmp_path: Path, register_location: str) -> None:
    """Four processes open a register that does not exist yet and write into it at
    once, each opening it afresh for every learner: no 'database is locked', nothing lost."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER, "utf-8")
    root = Path(__file__).resolve().parent.parent
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), register_location, prefix],
            cwd=root,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("A", "B", "C", "D")
    ]
    errors = [p.communicate(timeout=300)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0], errors
    with open_register(register_location) as register:
        assert len(register.learners()) == 60
        assert register.groups() == ["G-A", "G-B", "G-C", "G-D"]


def test_migrations_from_empty_match_the_schema(register_location: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with open_register(register_location) as register:
        assert current_revision(register) == (HEAD,)
        with register.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert differences == []


def test_register_made_by_the_first_schema_upgrades_in_place(register_location: str) -> None:
    """A register at revision 0001 (the first casekit with a register) with data in
    it: opening it migrates in place and every record survives."""
    with register_at(register_location, "0001") as conn:
        conn.execute(sa.text("INSERT INTO facilities (id, code, name) VALUES (1, 'UK-1', '')"))
        conn.execute(sa.text("INSERT INTO groups (id, code, facility_id) VALUES (1, 'G1', 1)"))
        conn.execute(
            sa.text(
                "INSERT INTO learners (id, code, last_name, first_name, group_id) "
                "VALUES (1, 'KZ-1', 'Әлиев', 'Ержан', 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO enrolments (learner_id, course_id, course_version, start_date, "
                "hours_per_week, study_days) VALUES (1, 'c', '1', '2027-01-11', 6, '0 1 2 3 4')"
            )
        )
    with open_register(register_location) as register:
        assert current_revision(register) == (HEAD,)
        learner = register.learner("KZ-1")
        assert (learner.last_name, learner.group, learner.facility) == ("Әлиев", "G1", "UK-1")
        (enrolment,) = register.enrolments(learner="KZ-1")
        assert enrolment.study_days == (0, 1, 2, 3, 4) and enrolment.hours_per_week == 6


@pytest.mark.slow
def test_the_installed_program(tmp_path: Path) -> None:
    """The same import through the real ``casekit`` process; names never on the terminal."""
    location = str(tmp_path / "register.sqlite")
    result = casekit_process(
        "learners", "import", str(write_roster(tmp_path / "r.csv")), register=location
    )
    assert (result.returncode, result.stdout) == (0, "4 added, 0 updated, 0 unchanged\n")
    listed = casekit_process("learners", "list", register=location)
    assert listed.stdout.count("\n") == 4 and "Әбілқасымов" not in listed.stdout
