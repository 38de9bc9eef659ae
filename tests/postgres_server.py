"""A throw-away PostgreSQL server for the register tests: Debian's initdb and
pg_ctl in a temporary folder, listening on a unix socket only, stopped at the end.

PostgreSQL refuses to run as root; as root the server runs as ``nobody``
(``runuser``), in a folder owned by that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "casekit"


def postgres_bin() -> Path | None:
    found = sorted(glob.glob(f"{BIN_GLOB}/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class Server:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket_dir = folder

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        """A fresh, empty database: its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            host=str(self.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_server(bindir: Path) -> Iterator[Server]:
    folder = Path(tempfile.mkdtemp(prefix="casekit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)  # nobody
        as_user = ["runuser", "-u", "nobody", "--"]
    data = folder / "data"
    log = folder / "server.log"

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = f"-c listen_addresses='' -k {folder} -c fsync=off -c max_connections=50"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        try:
            yield Server(folder)
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
