"""``--executor dask``: the courses of a (shard of a) catalogue built on a Dask cluster.

One task per course (``build/catalogue.py``): the worker runs the same ``build_course``
as a local build, with the jobs of that course the plan selected, writing into the same output folder; so the
build folder's lock, its cache and atomic writes work as they do locally, and the
bytes are the same. The output folder (and the courses, and ``--cache-dir``) must be
at the same path on every worker: one computer, or a shared file system.

- retries: a task whose worker died or that failed unexpectedly runs again (on another
  worker when one is left); a user error (a broken course) is an answer, not retried;
- memory: each task asks for the ``MEMORY`` resource (MiB) its dearest job is
  estimated to need (``build/plan.py``), so heavy PDF jobs do not crowd one worker;
  the ``LocalCluster`` gives each worker its share of this computer's memory, and
  workers of a cluster declare theirs (``dask worker --resources MEMORY=4000``);
- progress: workers send each job's progress line to the terminal of ``casekit build``.

Dask moves tasks and results between trusted processes of the cluster; nothing it
sends is kept: the build cache stays JSON and raw bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from casekit.build.catalogue import Answer, BuildSettings, build_task
from casekit.build.plan import CourseTask
from casekit.diagnostics import error

RETRIES = 2
PROGRESS_TOPIC = "casekit-progress"


def _build_task(task: CourseTask, settings: BuildSettings) -> Answer:
    """Run on a worker: build one course (``build/catalogue.py``)."""
    from distributed import get_worker

    worker = get_worker()

    def progress(message: str) -> None:
        worker.log_event(PROGRESS_TOPIC, f"{task.course_id}: {message}")

    return build_task(task, settings, progress)


def build_on_dask(
    tasks: list[CourseTask],
    settings: BuildSettings,
    scheduler: str | None,
    progress: Callable[[str], None],
    workers: int = 2,
) -> list[Answer]:
    """Build ``tasks`` on the cluster at ``scheduler`` (else a ``LocalCluster`` of
    ``workers`` processes); results in the order of ``tasks``."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise error(
            "--executor",
            "dask needs Dask distributed: pip install 'casekit[dask]'",
            "dask-missing",
        ) from None

    cluster = None
    try:
        if scheduler is None:
            memory = _memory_mib() // max(1, workers)
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                resources={"MEMORY": memory},
                dashboard_address=None,
                memory_limit=f"{memory}MiB",
                silence_logs=40,
            )
        client = Client(cluster or scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        where = scheduler or "LocalCluster"
        raise error(where, f"cannot reach the Dask scheduler: {exc}", "dask-scheduler") from None
    try:
        client.subscribe_topic(PROGRESS_TOPIC, lambda event: progress(event[1]))
        largest = _largest_memory(client)
        submitted = []
        for index, task in enumerate(tasks):
            resources = {"MEMORY": min(task.memory, largest)} if largest else None
            submitted.append(
                client.submit(
                    _build_task,
                    task,
                    settings,
                    key=f"casekit-{index}-{task.course_id}",
                    retries=RETRIES,
                    resources=resources,
                    pure=False,
                )
            )
        order = {future.key: index for index, future in enumerate(submitted)}
        results: list[Answer | None] = [None] * len(tasks)
        for done, future in enumerate(as_completed(submitted), 1):
            task = tasks[order[future.key]]
            try:
                results[order[future.key]] = future.result()
            except Exception as exc:  # retried RETRIES times already (a dead worker too)
                raise error(
                    str(task.course_dir),
                    f"the Dask task of {task.course_id} failed {RETRIES + 1} times: "
                    f"{type(exc).__name__}: {exc}",
                    "dask-task-failed",
                ) from None
            progress(f"{done}/{len(tasks)} courses done")
        return [result for result in results if result is not None]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _largest_memory(client: Any) -> int:
    """The most ``MEMORY`` any worker declares; 0 when none does (then not asked for)."""
    workers = client.scheduler_info().get("workers", {}).values()
    return int(max((w.get("resources", {}).get("MEMORY", 0) for w in workers), default=0))


def _memory_mib() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError):
        return 4096
