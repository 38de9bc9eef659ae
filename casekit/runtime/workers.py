"""The pool of worker processes that ``--jobs`` runs jobs or courses on.

``multiprocessing`` and ``concurrent.futures`` are imported only when a pool starts:
they are about a tenth of the start-up of a build with nothing to do."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")


#: workers are forked (and inherit this process's objects) where the system can
FORKED = os.name == "posix"


def process_pool(
    workers: int, initializer: Callable[[], None] | None = None
) -> ProcessPoolExecutor:
    """Worker processes forked from this one (spawned where there is no fork), each
    running ``initializer`` first."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start = multiprocessing.get_context("fork" if FORKED else "spawn")
    return ProcessPoolExecutor(workers, mp_context=start, initializer=initializer)


def run_in(workers: ProcessPoolExecutor | None, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in one of ``workers``; here when there are none or they died
    (killed, out of memory)."""
    if workers is not None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return workers.submit(work, *args).result()
        except BrokenProcessPool:
            pass
    return work(*args)
