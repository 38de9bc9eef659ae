"""Custody of sticks in the learner register: casekit issue, return and custody, on
SQLite and on a PostgreSQL server the tests start."""

from __future__ import annotations

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
