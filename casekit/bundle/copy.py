"""Copying a bundle to sticks: flushed to disk, read back, verified, then named."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from casekit.bundle import is_approval_file
from casekit.bundle.capacity import human, space_needed
from casekit.bundle.portable import PlannedFile
from casekit.bundle.verify import (
    Difference,
    Expected,
    FolderSource,
    Unreadable,
    expected_files,
    open_regular,
)
from casekit.diagnostics import CasekitError, error
from casekit.files.atomic import atomic_dir, clean_stale_temporaries
from casekit.files.stream import copy_hashed, drop_cache, hash_stream

#: progress(destination, bytes done, bytes in total)
Progress = Callable[[Path, int, int], None]


@dataclass
class CopyResult:
    destination: Path
    problem: str = ""  # "" when the copy was written and read back intact
    note: str = ""  # what else was done (the previous copy removed first)

    @property
    def ok(self) -> bool:
        return not self.problem


class CopyFailed(Exception):
    """A destination that cannot take the bundle (the message says why)."""


def copy_bundle(bundle: Path, destinations: list[Path], progress: Progress) -> list[CopyResult]:
    """Copy ``bundle`` into each destination folder as ``<dest>/<bundle name>``, all at once.

    Each copy is written under a temporary name, flushed, read back from the
    device and compared with the manifest before it gets its real name; a copy
    that fails leaves nothing behind."""
    if not (bundle / "manifest.json").is_file():
        raise error(str(bundle), "not a bundle folder (no manifest.json)", "not-a-bundle")
    source = FolderSource(bundle)
    expected, _, problems = expected_files(source)
    approvals = {p for p in source.files if is_approval_file(p)}  # signed, not in manifests
    paths = sorted(set(expected) | {"tagmanifest-sha256.txt"} | approvals)
    problems += source.problems + [Difference("missing", p) for p in paths if p not in source.files]
    if problems:
        raise error(
            str(bundle),
            f"the bundle is damaged ({problems[0]}): run casekit verify",
            "bundle-damaged",
        )
    sizes = {p: source.files[p] for p in paths}

    cancel = threading.Event()

    def attempt(destination: Path) -> CopyResult:
        def advance(done: int, total: int) -> None:
            if cancel.is_set():
                raise CopyCancelled
            progress(destination, done, total)

        try:
            note = _copy_one(bundle, destination, paths, sizes, expected, advance)
        except CopyFailed as exc:
            return CopyResult(destination, str(exc))
        except CasekitError as exc:
            if exc.diagnostic.code == "bundle-damaged":  # the source: stops every copy
                raise
            return CopyResult(destination, exc.diagnostic.message)
        return CopyResult(destination, note=note)

    # one thread per stick: each is written at its own speed (reads and hashing
    # release the GIL, and the source is read from the page cache after the first).
    # Ctrl-C or SIGTERM only sets ``cancel``: every copy stops at its next chunk and
    # removes its partial copy, then the interrupt is raised here. (Raising from the
    # signal handler could land inside submit() and leave a thread nobody waits for.)
    with _signals_cancel(cancel), ThreadPoolExecutor(max(1, len(destinations))) as pool:
        futures = [pool.submit(attempt, destination) for destination in destinations]
    if cancel.is_set():  # each copy stopped by CopyCancelled and removed what it wrote
        raise KeyboardInterrupt
    return [future.result() for future in futures]  # a damaged source raises here


class CopyCancelled(Exception):
    """Ctrl-C or SIGTERM: the copy stops and removes what it wrote."""


@contextlib.contextmanager
def _signals_cancel(cancel: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM set ``cancel`` instead of raising (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        cancel.set()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _copy_one(
    bundle: Path,
    destination: Path,
    paths: list[str],
    sizes: dict[str, int],
    expected: dict[str, Expected],
    progress: Callable[[int, int], None],
) -> str:
    """Copy, flush, read back and rename; a note for the user, or ""."""
    if not destination.is_dir():
        raise CopyFailed("not a folder (is the stick mounted?)")
    final = destination / bundle.name
    if os.path.realpath(final) == os.path.realpath(bundle) or Path(
        os.path.realpath(destination)
    ).is_relative_to(os.path.realpath(bundle)):
        raise CopyFailed("this is where the bundle itself is: choose the stick's folder")
    clean_stale_temporaries(destination, recursive=False)  # copies a kill or power cut left
    previous = 0
    if final.exists() or final.is_symlink():
        if final.is_symlink() or not (final / "manifest.json").is_file():
            raise CopyFailed(
                f"{final.name} is already there and is not a casekit bundle: "
                "move it away first (it is never replaced)"
            )
        previous = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    needed = space_needed([PlannedFile(p, s) for p, s in sizes.items()])
    free = shutil.disk_usage(destination).free
    note = ""
    if needed > free:
        if not previous or needed > free + previous:
            raise CopyFailed(
                f"not enough space: the bundle needs {human(needed)}, "
                f"the stick has {human(free)} free"
            )
        shutil.rmtree(final)  # room for one copy, not two: the old one goes first
        note = "the previous copy was removed first to make room"
    total = 2 * sum(sizes.values())  # written, then read back
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    written: dict[str, str] = {}
    try:
        with atomic_dir(destination / bundle.name) as temp:
            for path in paths:
                target = temp / path
                target.parent.mkdir(parents=True, exist_ok=True)
                with open_regular(bundle / path) as src, target.open("wb") as out:
                    _, digest = copy_hashed(src, out, advance)
                    out.flush()
                    drop_cache(out)
                written[path] = digest
                if path in expected and digest != expected[path].sha256:
                    raise error(
                        str(bundle / path),
                        "the source bundle is damaged (this file differs from its manifest): "
                        "run casekit verify and build it again",
                        "bundle-damaged",
                    )
            for path in paths:
                with (temp / path).open("rb") as back:
                    _, digest = hash_stream(back, advance)
                if digest != written[path]:
                    raise CopyFailed(
                        f"read-back mismatch: {path} on the stick differs from the bundle"
                    )
    except Unreadable as exc:  # a source file replaced by a FIFO or link since it was listed
        raise error(str(bundle), f"the bundle is damaged ({exc})", "bundle-damaged") from None
    except OSError as exc:
        raise CopyFailed(_write_problem(exc)) from None
    return note


def _write_problem(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the stick is full"
    elif exc.errno == errno.EFBIG:
        reason = "a file is too large for the stick's file system"
    else:
        reason = "cannot write to the stick"
    return f"{reason} ({exc.strerror}); the partial copy was removed"
