"""One build at a time per output folder: an ``flock`` on ``build/<id>/.casekit-lock``.

The kernel releases an ``flock`` when its process ends, however it ends
(SIGKILL included), so a stale lock file never blocks the next build. The lock
is held until the function decorated with ``releases_build_locks`` returns (or
the process exits, or ``release_build_lock``); a second call for the same
folder in the same process is a no-op. Worker processes forked during a build
share the lock, so it lasts until the last of them is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from casekit.diagnostics import error
from casekit.files.atomic import write_errors
from casekit.files.sources import BUILD_FOLDER_MARKER

LOCK_NAME = BUILD_FOLDER_MARKER  # also what marks a build folder as outputs, not sources
_held: dict[Path, int] = {}  # folder -> open file descriptor holding the lock
P = ParamSpec("P")
R = TypeVar("R")


def releases_build_locks(function: Callable[P, R]) -> Callable[P, R]:
    """Release the locks ``function`` takes when it returns (or raises)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        before = set(_held)
        try:
            return function(*args, **kwargs)
        finally:
            for folder in set(_held) - before:
                release_build_lock(folder)

    return wrapper


def hold_build_lock(folder: Path) -> None:
    """Lock ``folder`` for this process; raises ``CasekitError`` when another build holds it."""
    with write_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        key = folder.resolve()
        if key in _held:
            return
        fd = os.open(key / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        owner = _read_pid(fd)
        os.close(fd)
        who = f" (pid {owner})" if owner else ""
        raise error(
            str(folder),
            f"another casekit build{who} is writing this folder; wait for it to finish "
            f"or stop it, then build again",
            "build-locked",
        ) from None
    if _read_pid(fd) != str(os.getpid()):  # unchanged otherwise: a no-op rebuild writes nothing
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[key] = fd


def _read_pid(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text.isdigit():
            return text
    return ""


def release_build_lock(folder: Path) -> None:
    """Release the lock of ``folder`` early (for programs that build many courses)."""
    fd = _held.pop(folder.resolve(), None)
    if fd is not None:
        os.close(fd)
