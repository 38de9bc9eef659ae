"""Copying a bundle to sticks: flushed to disk, read back, verified, then named."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable
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
from casekit.diagnostics import error
from casekit.files.atomic import atomic_dir
from casekit.files.stream import copy_hashed, drop_cache, hash_stream

#: progress(destination, bytes done, bytes in total)
Progress = Callable[[Path, int, int], None]


@dataclass
class CopyResult:
    destination: Path
    problem: str = ""  # "" when the copy was written and read back intact

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

    def attempt(destination: Path) -> CopyResult:
        try:
            _copy_one(bundle, destination, paths, sizes, expected, progress)
        except CopyFailed as exc:
            return CopyResult(destination, str(exc))
        return CopyResult(destination)

    # one thread per stick: each is written at its own speed (reads and hashing
    # release the GIL, and the source is read from the page cache after the first)
    with ThreadPoolExecutor(max_workers=max(1, len(destinations))) as pool:
        futures = [pool.submit(attempt, destination) for destination in destinations]
    return [future.result() for future in futures]  # a damaged source raises here


def _copy_one(
    bundle: Path,
    destination: Path,
    paths: list[str],
    sizes: dict[str, int],
    expected: dict[str, Expected],
    progress: Progress,
) -> None:
    if not destination.is_dir():
        raise CopyFailed("not a folder (is the stick mounted?)")
    needed = space_needed([PlannedFile(p, s) for p, s in sizes.items()])
    free = shutil.disk_usage(destination).free
    if needed > free:
        raise CopyFailed(
            f"not enough space: the bundle needs {human(needed)}, the stick has {human(free)} free"
        )
    total = 2 * sum(sizes.values())  # written, then read back
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(destination, done, total)

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


def _write_problem(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the stick is full"
    elif exc.errno == errno.EFBIG:
        reason = "a file is too large for the stick's file system"
    else:
        reason = "cannot write to the stick"
    return f"{reason} ({exc.strerror}); the partial copy was removed"
