"""A garbage-collector setting for the phases that build large object trees."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_full_collections() -> Iterator[None]:
    """No full (oldest-generation) garbage collections inside the block.

    Parsing a large course and laying out its PDF create millions of long-lived
    objects; each full collection walks all of them, and Python starts one every
    time the heap grows by a quarter: a quarter to a third of those phases' time.
    Young collections still run, so short-lived cycles are freed as before (peak
    memory unchanged on the benchmark course)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 1_000_000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def older_objects_frozen() -> Iterator[None]:
    """Collections inside the block walk only the objects made inside it: those made
    before (a course's tree) are frozen (``gc.freeze``) until the block ends. For a
    phase that frees large cycles of objects again and again (the PDF's pieces) and
    collects each. Nothing is frozen when something else froze objects already."""
    if gc.get_freeze_count():
        yield
        return
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
