"""The ``casekit copy`` command (``casekit verify`` and ``casekit verifier-page`` are in
``casekit.cli.trust``: they check approvals too)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import click

from casekit.bundle.capacity import human
from casekit.bundle.copy import copy_bundle


class ProgressLine:
    """One self-rewriting stderr line for all sticks: bytes, speed and ETA (on a terminal)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = 0.0
        self.tty = sys.stderr.isatty()
        self.lock = threading.Lock()
        self.done: dict[Path, int] = {}
        self.total: dict[Path, int] = {}

    def __call__(self, destination: Path, done: int, total: int) -> None:
        with self.lock:
            self.done[destination], self.total[destination] = done, total
            now = time.monotonic()
            done, total = sum(self.done.values()), sum(self.total.values())
            if not self.tty or (now - self.shown < 0.2 and done < total):
                return
            self.shown = now
            rate = done / max(now - self.started, 1e-6)
            eta = int((total - done) / rate) if rate else 0
            where = destination if len(self.total) == 1 else f"{len(self.total)} sticks"
            click.echo(
                f"\r{where}: {human(done)} / {human(total)} ({100 * done // max(total, 1)}%), "
                f"{human(rate)}/s, ETA {eta // 60}:{eta % 60:02d}   ",
                err=True,
                nl=False,
            )


@click.command("copy")
@click.argument("bundle", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("destinations", nargs=-1, required=True, type=click.Path(path_type=Path))
def copy_command(bundle: Path, destinations: tuple[Path, ...]) -> None:
    """Copy a bundle folder to one or more mounted sticks and verify every copy.

    Each copy is flushed to the stick, read back and compared with the
    manifest before it gets its final name. Exit status 1 if any copy failed.

    \b
    Examples:
      casekit copy build/mini-kk/usb/mini-kk-1.0.0 /media/stick1 /media/stick2
    """
    line = ProgressLine()
    results = copy_bundle(bundle, list(destinations), line)
    if line.tty:
        click.echo(err=True)
    for result in results:
        status = "OK" if result.ok else f"FAILED: {result.problem}"
        status += f" ({result.note})" if result.note else ""
        click.echo(f"{result.destination / bundle.name}: {status}")
    sys.exit(0 if all(r.ok for r in results) else 1)


COMMANDS = (copy_command,)
