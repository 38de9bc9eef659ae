"""Building the courses of a catalogue: one task per course, here or on other processes.

A task runs the same ``build_course`` whatever runs it, with one job at a time, so the
bytes are the same as a serial build's; a user error (a broken course, a full disk)
stops that course only and comes back in its ``Answer``, reported per course.

``build_in_pool`` (``casekit build CATALOGUE --jobs N``): one pool of ``N`` worker
processes for the whole run, each building whole courses, dearest first. A pool per
course made each course's workers import the renderers and load the fonts again: on a
catalogue of small courses that doubled the CPU time of a serial build
(benchmarks/README.md, "Shards, shared cache and Dask"). ``build/dask_executor.py``
runs the same tasks on a Dask cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casekit import tree as t
from casekit.build.pipeline import BuildResult, build_course
from casekit.build.plan import CourseTask
from casekit.diagnostics import CasekitError, Diagnostic
from casekit.runtime.workers import process_pool

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildSettings:
    """What is the same for every course of the run (sent to each worker)."""

    format_names: list[str]
    editions: tuple[t.Edition, ...]
    out_root: Path
    options: dict[str, Any]
    strict: bool
    force: bool
    cache_dir: Path | None  # the worker reads the key itself: it never crosses the network
    cache_key_file: Path | None


@dataclass
class Answer:
    """What a task returns: the build, or the user error that stopped it, and the
    warnings of the shared cache (in the answer: progress events may come late)."""

    result: BuildResult | None
    error: Diagnostic | None
    warnings: list[str]


def build_task(task: CourseTask, settings: BuildSettings, progress: Progress) -> Answer:
    """Build one course, its jobs one after the other; a user error is returned, not raised."""
    from casekit.files.shared_cache import SharedCache, load_key

    warnings: list[str] = []
    shared = None
    try:
        if settings.cache_dir is not None:
            key = load_key(settings.cache_dir, settings.cache_key_file)
            shared = SharedCache(settings.cache_dir, key, warnings.append)
        result = build_course(
            task.course_dir,
            settings.format_names,
            settings.editions,
            settings.out_root,
            options=settings.options,
            strict=settings.strict,
            progress=progress,
            jobs=1,
            force=settings.force,
            only=task.only,
            shared=shared,
        )
    except CasekitError as exc:
        return Answer(None, exc.diagnostic, warnings)
    result.cache = None  # stays with the worker
    return Answer(result, None, warnings)


def _pool_task(task: CourseTask, settings: BuildSettings, progress: Progress) -> Answer:
    """Run on a worker of the pool: progress lines name the course."""
    return build_task(task, settings, lambda message: progress(f"{task.course_id}: {message}"))


def build_in_pool(
    tasks: list[CourseTask], settings: BuildSettings, workers: int, progress: Progress
) -> list[Answer]:
    """Build ``tasks`` on one pool of ``workers`` processes; answers in the order of
    ``tasks``. The dearest courses start first, so that no worker is left with a long
    course at the end while the others wait."""
    order = sorted(range(len(tasks)), key=lambda index: -tasks[index].cost)
    with process_pool(min(workers, len(tasks))) as pool:
        try:
            futures = {i: pool.submit(_pool_task, tasks[i], settings, progress) for i in order}
            return [futures[index].result() for index in range(len(tasks))]
        except BaseException:  # an interrupt or a bug: no course starts after it
            pool.shutdown(wait=True, cancel_futures=True)
            raise
