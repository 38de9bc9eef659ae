"""The PDFs of a packet's laid-out pieces kept on disk until the join writes them out.

A piece's PDF is tens of KB a module; a course of a few hundred lessons has tens of MB of
them, and the join reads one at a time (``join.py``). So each piece's bytes go to one
unnamed temporary file of the build folder (never /tmp: the build's disk, gone with
the process) as soon as it is laid out or found in the cache, and only where each lies
is held: the job's memory does not grow with the number of pieces.
"""

from __future__ import annotations

import errno
import os
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Spilled:
    """Where a piece's PDF lies in the spill file."""

    offset: int
    size: int


class Spill:
    """Pieces' PDFs written to a temporary file in ``folder`` (in memory without one),
    open as long as the spill is (the packet may be written more than once: ``Output``)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.file: IO[bytes] | None = None
        self.size = 0

    def put(self, data: bytes) -> bytes | Spilled:
        """``data`` written out: where it lies (``data`` itself without a folder)."""
        if self.folder is None:
            return data
        if self.file is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.file = tempfile.TemporaryFile(dir=self.folder)  # noqa: SIM115 (finalizer)
            weakref.finalize(self, self.file.close)
        # positioned writes and reads: forked layout workers share the file's offset. A
        # short write is followed by one for the rest: on a full disk that one raises with
        # its errno, which the build reports as the disk's (``write-failed``)
        view = memoryview(data)
        while view:
            written = os.pwrite(self.file.fileno(), view, self.size + len(data) - len(view))
            if not written:  # no error and no progress: take it as a full disk
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.folder))
            view = view[written:]
        spilled = Spilled(self.size, len(data))
        self.size += len(data)
        return spilled

    def get(self, data: bytes | Spilled, size: int | None = None) -> bytes:
        """The bytes ``put`` gave ``data`` for (their first ``size`` only if given)."""
        if isinstance(data, bytes):
            return data[:size] if size is not None else data
        assert self.file is not None
        wanted = data.size if size is None else min(size, data.size)
        read = os.pread(self.file.fileno(), wanted, data.offset)
        if len(read) != wanted:
            raise OSError(f"spill file: read {len(read)} of {wanted} bytes")
        return read
