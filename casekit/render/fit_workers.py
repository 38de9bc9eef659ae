"""Worker processes that probe and fit the images of a ``Prefit``.

Pillow and ISA-L let go of Python's lock while they work, but every call returns to
Python and takes the lock back: while the main thread parses (pure Python) a thread
waits up to the switch interval (5 ms) for it, tens of times an image (a PNG's check
reads it a chunk at a time). A forked process has a lock of its own. Its priority is
lowered by ``NICE``: the parse and the writer, which the book waits for, keep a core
while there are more tasks than cores, and the images take both once they are done.
glibc's malloc keeps what a worker frees (``_keep_freed_memory``): each image's
buffers (tens of megabytes for a 3000x2000 picture) were given back to the system and
faulted in again for the next. benchmarks/README.md (issue 18, eighth round) has the
figures.

Where a fork is unsafe (another thread runs: one may hold a lock the child would
wait for forever) or impossible, there are none: the work is done in threads
(``runtime/workers.run_in``, which also runs here what a dead worker was given).
"""

from __future__ import annotations

import ctypes
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from casekit.runtime.workers import FORKED, process_pool

#: how much lower the workers' priority is than the build's (``os.nice``)
NICE = 5
#: glibc's ``mallopt`` parameters, and the values the workers set
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_KEPT = {
    _M_MMAP_THRESHOLD: 32 * 1024 * 1024,  # glibc's largest: a decoded image's rows fit
    _M_TRIM_THRESHOLD: 256 * 1024 * 1024,  # freed memory kept, up to two images' worth
    _M_TOP_PAD: 64 * 1024 * 1024,
}


def fit_workers(count: int) -> ProcessPoolExecutor | None:
    """``count`` processes forked from this one now, or ``None`` where that is unsafe."""
    if not FORKED or threading.active_count() > 1:
        return None
    workers = process_pool(count, initializer=_settle)
    workers.submit(int)  # forks them all now, while no other thread runs
    return workers


def _settle() -> None:
    """In each worker as it starts."""
    os.nice(NICE)
    _keep_freed_memory()


def _keep_freed_memory() -> None:
    """glibc's malloc told to keep freed memory for the next image (no-op elsewhere)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return
    for parameter, value in _KEPT.items():
        mallopt(parameter, value)
