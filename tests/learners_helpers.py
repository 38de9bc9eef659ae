"""Helpers of the learner tests: the CLI as a subprocess, rosters, a dump of the register."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import casekit as run_casekit

ROSTER_HEADER = "code;last_name;first_name;middle_name;group;facility;accommodations"
ROSTER = [
    "KZ-001;Әбілқасымов;Ерлан;Серікұлы;G1;UK-161;",
    'KZ-002;"Иванова; Мария";Петровна;;G1;UK-161;large-print',
    "KZ-003;Nurlanov;Dauren;;G1;UK-161;",
    "KZ-010;Ғабитқызы;Айгүл;;G2;UK-161;",
]


def casekit(*args: str, register: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``casekit`` command line in this process (as ``main`` runs it, errors
    turned into lines and exit codes), with ``$CASEKIT_REGISTER`` set; a subprocess
    per call costs seconds on the shared test machine."""
    from casekit.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_argv = dict(os.environ), sys.argv
    os.environ.pop("CASEKIT_REGISTER", None)
    if register is not None:
        os.environ["CASEKIT_REGISTER"] = register
    sys.argv = ["casekit", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv = saved_argv
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def casekit_process(*args: str, register: str) -> subprocess.CompletedProcess[str]:
    """The real ``casekit`` program in its own process."""
    return run_casekit(*args, env={"CASEKIT_REGISTER": register})


def write_roster(path: Path, rows: list[str] = ROSTER, *, bom: bool = True) -> Path:
    text = "\r\n".join([ROSTER_HEADER, *rows]) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def _engine(register: str) -> object:
    import sqlalchemy as sa

    url = register if "://" in register else f"sqlite:///{register}"
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


@contextlib.contextmanager
def register_at(register: str, revision: str) -> Iterator[object]:
    """A register as an older casekit left it: its schema at ``revision``; the
    caller fills it in the transaction this yields (a connection)."""
    from alembic import command

    from casekit.learners.register import _alembic_config

    if "://" not in register:
        os.close(os.open(register, os.O_CREAT, 0o600))
    engine = _engine(register)
    try:
        with engine.begin() as conn:  # type: ignore[attr-defined]
            command.upgrade(_alembic_config(conn), revision)
            yield conn
    finally:
        engine.dispose()  # type: ignore[attr-defined]


def dump(register: str) -> dict[str, list[tuple]]:
    """Every row of every register table, for 'nothing was changed' checks."""

    from casekit.learners import schema

    engine = _engine(register)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(tuple(map(str, row)) for row in conn.execute(table.select()))
                for table in schema.metadata.sorted_tables
            }
    finally:
        engine.dispose()
