"""Custody of sticks in the learner register: casekit issue, return and custody, on
SQLite and on a PostgreSQL server the tests start."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from casekit.trust.approve import approve
from casekit.trust.keys import find_private_key, load_key_pair, new_key
from tests.learners_helpers import casekit, write_roster
from tests.usb_helpers import fresh_bundle, rehash_consistently


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("custody"))


@pytest.fixture
def stick(built: Path, tmp_path: Path) -> Path:
    """A stick after casekit copy: the bundle folder and nothing else."""
    folder = tmp_path / "stick"
    folder.mkdir()
    done = casekit("copy", str(built), str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


@pytest.fixture
def register(tmp_path: Path, register_location: str) -> str:
    done = casekit(
        "learners", "import", str(write_roster(tmp_path / "roster.csv")), register=register_location
    )
    assert done.returncode == 0, done.stderr
    return register_location


def issue(stick: Path, register: str, *extra: str):
    return casekit(
        "issue",
        str(stick),
        "--learner",
        "KZ-001",
        "--id",
        "S-017",
        "--by",
        "Staff",
        *extra,
        register=register,
    )


@pytest.mark.slow
def test_an_intact_return(stick: Path, register: str) -> None:
    done = issue(stick, register, "--due", "2099-01-31")
    assert done.returncode == 0, done.stderr
    assert "stick S-017 issued to KZ-001: mini-kk 1.0.0, content " in done.stdout
    listed = casekit("custody", register=register)
    assert listed.stdout.splitlines() == [
        f"S-017  KZ-001  mini-kk 1.0.0  issued {listed.stdout.split('issued ')[1][:10]}  out, due 2099-01-31"
    ]
    again = issue(stick, register)
    assert again.returncode == 1 and "[stick-out]" in again.stderr
    back = casekit("return", str(stick), "--id", "S-017", "--by", "Staff", register=register)
    assert back.returncode == 0, back.stdout + back.stderr
    assert back.stdout.splitlines() == ["stick S-017 returned by KZ-001: OK"]
    assert "no sticks out" in casekit("custody", register=register).stdout
    assert "intact" in casekit("custody", "--all", register=register).stdout
    twice = casekit("return", str(stick), "--id", "S-017", register=register)
    assert twice.returncode == 1 and "[stick-not-out]" in twice.stderr


def test_a_return_lists_changed_removed_and_added_files(
    stick: Path, tmp_path: Path, register: str
) -> None:
    assert issue(stick, register, "--due", "2020-01-01").returncode == 0
    bundle = next(stick.iterdir())
    (bundle / "README.txt").write_bytes(b"changed")
    next((bundle / "data" / "media").rglob("*.png")).unlink()
    (stick / "autorun.inf").write_text("[autorun]\nopen=evil.exe\n")
    (stick / "notes").mkdir()
    (stick / "notes" / "мой файл.txt").write_text("hello")
    os.mkfifo(stick / "pipe")  # opening it would hang: it must only be named
    (stick / "passwd").symlink_to("/etc/passwd")
    overdue = casekit("custody", register=register)
    assert "OVERDUE since 2020-01-01" in overdue.stdout
    assert "Әбілқасымов" not in overdue.stdout
    assert "Әбілқасымов" in casekit("custody", "--names", register=register).stdout
    back = casekit("return", str(stick), "--id", "S-017", register=register)
    assert back.returncode == 1
    lines = back.stdout.splitlines()
    name = bundle.name
    assert f"{stick}: modified: {name}/README.txt" in lines
    assert any(line.startswith(f"{stick}: missing: {name}/data/media/") for line in lines)
    assert f"{stick}: added: autorun.inf (24 bytes; not opened)" in lines
    assert f"{stick}: added: notes/мой файл.txt (5 bytes; not opened)" in lines
    assert f"{stick}: added: pipe (not a regular file, 0 bytes; not opened)" in lines
    assert any(line.startswith(f"{stick}: added: passwd (not a regular file") for line in lines)
    assert lines[-1] == f"stick S-017 returned by KZ-001: {len(lines) - 1} problem(s)"
    listed = casekit("custody", register=register).stdout
    assert "with 6 problem(s)" in listed and "    added: autorun.inf" in listed


def test_consistent_tampering_is_different_content(stick: Path, register: str) -> None:
    assert issue(stick, register).returncode == 0
    bundle = next(stick.iterdir())
    (bundle / "README.txt").write_bytes(b"changed")
    rehash_consistently(bundle)
    back = casekit("return", str(stick), "--id", "S-017", register=register)
    assert back.returncode == 1
    assert any(": different content: " in line for line in back.stdout.splitlines())


@pytest.mark.parametrize("register_location", ["sqlite"], indirect=True)
def test_bad_input_to_issue(stick: Path, built: Path, tmp_path: Path, register: str) -> None:
    unknown = casekit("issue", str(stick), "--learner", "NOBODY", "--id", "S-1", register=register)
    assert unknown.returncode == 1 and "unknown-learner" in unknown.stderr
    no_id = casekit("issue", str(stick), "--learner", "KZ-001", register=register)
    assert no_id.returncode == 1 and "[stick-id]" in no_id.stderr
    bundle_itself = casekit(
        "issue", str(next(stick.iterdir())), "--learner", "KZ-001", "--id", "S-1", register=register
    )
    assert bundle_itself.returncode == 1 and "[not-a-stick]" in bundle_itself.stderr
    keys, trust = tmp_path / "keys", tmp_path / "trust"
    trust.mkdir()
    new_key(keys, "sec", "Security", None)
    shutil.copy(keys / "sec.pub", trust)
    refused = issue(stick, register, "--trust", str(trust))
    assert refused.returncode == 1 and "intact but not approved" in refused.stderr
    approve(
        next(stick.iterdir()),
        load_key_pair(find_private_key("sec", keys), bytes),
        "security review",
    )
    assert (
        issue(
            stick, register, "--trust", str(trust), "--require-role", "security review"
        ).returncode
        == 0
    )
    other = tmp_path / "other"
    other.mkdir()
    shutil.copytree(built, other / "a")
    shutil.copytree(built, other / "b")
    two = casekit("issue", str(other), "--learner", "KZ-002", "--id", "S-2", register=register)
    assert two.returncode == 1 and "holds 2 bundles" in two.stderr
    (other / "b" / "README.txt").write_bytes(b"x")
    shutil.rmtree(other / "a")
    damaged = casekit("issue", str(other), "--learner", "KZ-002", "--id", "S-2", register=register)
    assert damaged.returncode == 1 and "[bundle-damaged]" in damaged.stderr
    listed = casekit("custody", "--all", register=register).stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["S-017"]  # nothing else recorded


def test_reissuing_keeps_every_issue_and_return(stick: Path, register: str) -> None:
    assert issue(stick, register, "--due", "2099-01-31").returncode == 0
    (stick / "notes.txt").write_text("hello")
    assert casekit("return", str(stick), "--id", "S-017", register=register).returncode == 1
    (stick / "notes.txt").unlink()
    again = casekit("issue", str(stick), "--learner", "KZ-002", "--id", "S-017", "--by", "Duty",
                    register=register)  # fmt: skip
    assert again.returncode == 0, again.stderr
    back = casekit("return", str(stick), "--id", "S-017", "--by", "Duty", register=register)
    assert back.returncode == 0, back.stdout
    done = casekit("custody", "--history", "--stick", "S-017", register=register)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    events = [line.split()[3:5] for line in lines if line.startswith("S-017")]
    assert events == [["issued", "KZ-001"], ["returned", "KZ-001"],
                      ["issued", "KZ-002"], ["returned", "KZ-002"]]  # fmt: skip
    assert "due 2099-01-31" in lines[0] and lines[0].endswith("by Staff")
    assert "1 problem(s)" in lines[1] and lines[2] == "    added: notes.txt (5 bytes; not opened)"
    assert lines[-1].endswith("intact  by Duty")
    named = casekit("custody", "--history", "--names", register=register).stdout
    assert "KZ-001 Әбілқасымов Ерлан Серікұлы" in named
    assert "Әбілқасымов" not in done.stdout
    # the current state is the latest issue: returned intact by KZ-002
    assert casekit("custody", register=register).stdout.startswith("no sticks out")
    assert "KZ-002" in casekit("custody", "--all", register=register).stdout


def test_an_approval_swapped_for_one_of_equal_size_is_reported(
    stick: Path, tmp_path: Path, register: str
) -> None:
    """A return compares approval files by content and checks their signatures; sizes
    alone cannot tell a swapped approval."""
    keys = tmp_path / "keys"
    new_key(keys, "aaa", "Reviewer A", None)
    new_key(keys, "bbb", "Reviewer B", None)
    bundle = next(stick.iterdir())
    spare = tmp_path / "spare" / bundle.name
    shutil.copytree(bundle, spare)
    when = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)
    ours = approve(bundle, load_key_pair(find_private_key("aaa", keys), bytes), "methodologist",
                   now=when)  # fmt: skip
    other = approve(spare, load_key_pair(find_private_key("bbb", keys), bytes), "methodologist",
                    now=when)  # fmt: skip
    mine, theirs = Path(ours.path), Path(other.path)
    assert mine.stat().st_size == theirs.stat().st_size
    assert issue(stick, register).returncode == 0
    mine.write_bytes(theirs.read_bytes())  # a valid approval, by another key, same size
    back = casekit("return", str(stick), "--id", "S-017", register=register)
    assert back.returncode == 1, back.stdout
    where = f"{bundle.name}/approvals/{mine.name}"
    assert back.stdout.splitlines() == [
        f"{stick}: changed: {where} (same size, different content)",
        "stick S-017 returned by KZ-001: 1 problem(s)",
    ]
    # a forged one of the same size: its content and its signature both show
    assert issue(stick, register).returncode == 0
    data = json.loads(mine.read_text("utf-8"))
    data["statement"] = data["statement"].replace("methodologist", "Methodologist")
    mine.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    assert mine.stat().st_size == theirs.stat().st_size
    back = casekit("return", str(stick), "--id", "S-017", register=register)
    assert back.returncode == 1
    assert f"{stick}: changed: {where} (same size, different content)" in back.stdout
    assert f"{stick}: bad-signature: {where} (the signature does not match" in back.stdout


def test_a_file_beside_the_bundle_changed_in_place_is_reported(stick: Path, register: str) -> None:
    (stick / "README-facility.txt").write_text("Stick S-017, UK-161")
    assert issue(stick, register).returncode == 0
    (stick / "README-facility.txt").write_text("Stick S-017, UK-999")
    back = casekit("return", str(stick), "--id", "S-017", register=register)
    assert back.returncode == 1
    assert f"{stick}: changed: README-facility.txt (same size, different content)" in back.stdout


@pytest.mark.parametrize("register_location", ["sqlite", "postgresql"], indirect=True)
def test_custody_recorded_before_the_history_survives_the_upgrade(register_location: str) -> None:
    """A register at revision 0004 (one row per stick): opening it turns that row into
    the stick's issue and return events."""
    import sqlalchemy as sa
    from alembic import command

    from casekit.learners.register import _alembic_config, open_register

    url = register_location if "://" in register_location else f"sqlite:///{register_location}"
    if "://" not in register_location:
        os.close(os.open(register_location, os.O_CREAT, 0o600))
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0004")
        for statement in (
            "INSERT INTO facilities (id, code, name) VALUES (1, 'UK-1', '')",
            "INSERT INTO groups (id, code, facility_id) VALUES (1, 'G1', 1)",
            "INSERT INTO learners (id, code, last_name, first_name, group_id) "
            "VALUES (1, 'KZ-1', 'Әлиев', 'Ержан', 1)",
            "INSERT INTO issued_items (id, item_id, kind, learner_id, course_id, course_version,"
            " issued_on, issued_by, sha256) VALUES (1, 'S-1', 'stick', 1, 'c', '1', "
            f"'2026-01-05', 'Staff', '{'ab' * 32}')",
            "INSERT INTO stick_custody (issued_item_id, label, serial, bundle, issued_at, due_on,"
            " files, returned_at, received_by, problems) VALUES (1, 'CASEKIT', 'SN1', 'c-1', "
            "'2026-01-05 10:00:00', '2026-02-01', '{\"c-1/bagit.txt\": 55}', "
            "'2026-01-20 09:00:00', 'Duty', '[\"added: x.exe (3 bytes; not opened)\"]')",
        ):
            conn.execute(sa.text(statement))
    engine.dispose()
    with open_register(register_location) as register:
        events = register.custody_history()
        (current,) = register.custody()
    assert [(e.event, e.learner, e.by, e.serial) for e in events] == [
        ("issued", "KZ-1", "Staff", "SN1"),
        ("returned", "KZ-1", "Duty", "SN1"),
    ]
    assert events[1].problems == ("added: x.exe (3 bytes; not opened)",)
    assert current.files == {"c-1/bagit.txt": (55, "")} and not current.out
    assert current.due_on == dt.date(2026, 2, 1) and current.item.sha256 == "ab" * 32
