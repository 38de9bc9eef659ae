"""A mistyped ``--register`` never starts an empty register: every command that
takes a register, except the ones meant to start one, says in one line that
there is no register at that path, exits non-zero and creates nothing. The
commands are found in the CLI itself, so a new one cannot escape."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pytest

from tests.learners_helpers import casekit, write_roster
from tests.paper_helpers import save_pdf

#: the commands meant to start a register
CREATE = {"learners import"}
#: valid arguments of every other command (``{course}``, ``{scans}``, ``{stick}``: made below)
ARGS: dict[str, tuple[str, ...]] = {
    "learners list": (),
    "learners show": ("KZ-001",),
    "learners export": ("-o", "{tmp}/learners.csv"),
    "learners remove": ("KZ-001",),
    "enrol": ("{course}", "--group", "G1", "--start", "2027-01-11", "--hours-per-week", "6"),
    "packets": ("{course}", "--group", "G1", "-o", "{tmp}/packets"),
    "plan": ("{course}", "--packets"),
    "issue": ("{stick}", "--learner", "KZ-001", "--id", "S-1"),
    "return": ("{stick}", "--id", "S-1"),
    "custody": (),
    "scan": ("{scans}",),
    "review": ("--by", "A. Seitkyzy"),
    "grade": ("KZ-001", "module-1", "2", "--of", "3", "--by", "A. Seitkyzy"),
    "report": ("{course}", "--group", "G1", "-o", "{tmp}/reports"),
}


def register_commands() -> list[str]:
    """Every command of ``casekit`` with a ``--register`` option, as typed."""
    from casekit.cli.main import cli

    found = []

    def walk(group: click.Group, prefix: str) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                walk(command, f"{prefix}{name} ")
            elif any(p.name == "register_location" for p in command.get_params(ctx)):
                found.append(prefix + name)

    walk(cli, "")
    return sorted(found)


def test_every_register_command_is_covered() -> None:
    assert set(register_commands()) == CREATE | set(ARGS)


@pytest.mark.parametrize("command", sorted(ARGS))
def test_no_register_is_created_at_a_mistyped_path(
    command: str, tmp_path: Path, make_course
) -> None:
    course = make_course({"a.md": "# A\n\nText.\n"})
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "blank.pdf", [np.full((60, 40), 255, dtype=np.uint8)])
    stick = tmp_path / "stick"
    stick.mkdir()
    made = {"tmp": str(tmp_path), "course": str(course), "scans": str(scans), "stick": str(stick)}
    args = [arg.format(**made) for arg in ARGS[command]]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for missing in (tmp_path / "register.sqlite", tmp_path / "typo" / "register.sqlite"):
        result = casekit(*command.split(), *args, register=str(missing))
        assert result.returncode == 1, (result.stdout, result.stderr)
        [line] = result.stderr.splitlines()
        assert line.startswith(f"{missing}:1:1: error: no register here"), line
        assert "casekit learners import" in line and "[register-missing]" in line, line
        assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.slow
def test_no_register_is_created_in_an_empty_postgresql_database(tmp_path, postgres_server) -> None:
    """A database that exists but holds no register is not made into one by reading it."""
    import sqlalchemy as sa

    url = postgres_server.new_database()
    for command in (("learners", "remove", "KZ-001"), ("custody",), ("review", "--by", "A")):
        result = casekit(*command, register=url)
        assert result.returncode == 1 and "[register-missing]" in result.stderr, result.stderr
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()
    imported = casekit("learners", "import", str(write_roster(tmp_path / "r.csv")), register=url)
    assert imported.returncode == 0, imported.stderr
    # a mistyped database name: one line naming it, and no database made
    typo = postgres_server.url("no_such_register")
    result = casekit("learners", "remove", "KZ-001", register=typo)
    assert result.returncode == 1, result.stdout
    [line] = result.stderr.splitlines()
    assert "no_such_register" in line and "does not exist" in line, line
