"""The worker processes a ``Prefit`` probes and fits images in (``render/fit_workers.py``)."""

from __future__ import annotations

import multiprocessing
import os
import platform
import resource
import signal
import threading
from concurrent.futures import ProcessPoolExecutor

import pytest

from casekit.render import fit_workers
from casekit.render.fit_workers import NICE
from casekit.render.fit_workers import fit_workers as forked
from casekit.runtime.workers import run_in
from tests.forked import in_forked_child

GLIBC = platform.libc_ver()[0] == "glibc"


def faults_making_again(pieces: int) -> int:
    """Pages faulted in while ``pieces`` buffers of 16 MiB (below the mmap threshold the
    workers set: taken from the heap) are written and freed a second time."""

    def make() -> None:
        buffers = [bytearray(16 * 1024 * 1024) for _ in range(pieces)]
        for buffer in buffers:
            buffer[::4096] = b"\1" * len(buffer[::4096])  # every page touched

    make()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    make()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_workers_are_forked_processes_of_lower_priority() -> None:
    def body() -> None:
        workers = forked(2)
        assert workers is not None
        try:
            pids = {run_in(workers, os.getpid) for _ in range(8)}
            assert os.getpid() not in pids
            niceness = run_in(workers, os.getpriority, os.PRIO_PROCESS, 0)
            assert niceness == min(19, os.getpriority(os.PRIO_PROCESS, 0) + NICE)
        finally:
            workers.shutdown()

    in_forked_child(body)  # a process of one thread: see tests/forked.py


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc")
def test_a_worker_keeps_the_memory_it_frees_for_the_next_image() -> None:
    """The next image's buffers reuse the last one's pages (96 MiB: 24,576 pages); a
    fresh process without the settings (spawned: a fork would inherit this one's malloc
    state) gave them back and faults them all in again."""

    def body() -> int:
        workers = forked(1)
        assert workers is not None
        try:
            return run_in(workers, faults_making_again, 6)
        finally:
            workers.shutdown()

    assert in_forked_child(body) < 2_000
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as fresh:
        assert fresh.submit(faults_making_again, 6).result() > 12_000


def test_a_worker_that_dies_leaves_its_work_to_this_process() -> None:
    """A worker killed (out of memory, say): its work and the next run here."""

    def body() -> None:
        workers = forked(1)
        assert workers is not None
        try:
            os.kill(run_in(workers, os.getpid), signal.SIGKILL)
            assert run_in(workers, os.getpid) == os.getpid()
            assert run_in(workers, sum, [1, 2]) == 3
        finally:
            workers.shutdown()

    in_forked_child(body)


def test_no_fork_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another thread may hold a lock the child would wait for forever: none, the
    work runs here (and where the system cannot fork)."""
    running = threading.Event()
    other = threading.Thread(target=running.wait)
    other.start()
    try:
        assert forked(2) is None
    finally:
        running.set()
        other.join()
    assert run_in(None, os.getpid) == os.getpid()
    monkeypatch.setattr(fit_workers, "FORKED", False)
    assert forked(2) is None
