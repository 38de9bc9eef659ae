"""A test body run in a child forked from the test process.

casekit forks a build's worker processes only where no other thread runs (a fork beside one
may leave the child waiting for a lock forever), and a test process may have one for good:
Dask's tests leave its offload thread. The child of a fork has one thread. Only the body
runs there, never pytest's protocol (pytest-forked tears down the session's fixtures in the
child, stopping the shared PostgreSQL server and Chromium): fixtures are made and ended
here, and the child leaves by ``os._exit``."""

from __future__ import annotations

import os
import pickle
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def in_forked_child(body: Callable[[], T]) -> T:
    """``body()`` in a forked child of one thread: its value, or its failure raised here
    (an ``AssertionError`` carrying the child's traceback)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            outcome: tuple[bool, object] = (True, body())
            data = pickle.dumps(outcome)
        except BaseException:  # whatever it is, the parent reports it
            data = pickle.dumps((False, traceback.format_exc()))
        with os.fdopen(write, "wb") as out:
            out.write(data)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    if not data:
        raise AssertionError("the forked child ended without an answer")
    ok, value = pickle.loads(data)
    if not ok:
        raise AssertionError(f"in the forked child:\n{value}")
    return value  # type: ignore[no-any-return]
