"""The plan of a catalogue build: every job of every course, in units, with a cost.

A unit is what one machine must build together: a job, or a packaging job (usb) with
the jobs whose outputs it consumes. A course's units go to one shard together unless the
course alone costs more than a fair share (then they are dealt out one by one): every
shard that builds part of a course checks and parses all of it. Its cost and memory are estimates from the size
of the course's lesson text and media and from per-format figures measured on the
example courses (benchmarks/README.md); the estimates only balance the shards, so
they need not be exact, but they are computed from the sources alone and are the
same on every machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casekit import tree as t
from casekit.build.pipeline import Job, consumed_jobs, find_courses, format_options, plan_jobs
from casekit.build.shard import Shard, assign
from casekit.config.settings import load_config
from casekit.diagnostics import Diagnostics
from casekit.formats import formats


@dataclass(frozen=True)
class FormatCost:
    """Estimated CPU milliseconds of one job: ``base`` + ``per_kib`` of lesson text +
    ``per_mib`` of media; and the memory its process peaks at, in MiB, before the
    course's own share (``text_kib / 12``)."""

    base: float
    per_kib: float
    per_mib: float
    memory: int


#: CPU time of each format's job beyond casekit's start-up (about 1 s) on the generated
#: 2-lesson course (180 KiB of text, 56 pages) and peak RSS, 2026-11-30
#: (benchmarks/README.md, "Shards, shared cache and Dask"); usb: its own part only
COSTS = {
    "pdf": FormatCost(200, 5, 0, 100),
    "docx": FormatCost(300, 27, 0, 190),
    "epub": FormatCost(300, 6, 5, 90),
    "html": FormatCost(20, 0.3, 0, 60),
    "brf": FormatCost(50, 1.6, 0, 60),
    "cc": FormatCost(20, 0.1, 2, 60),
    "scorm12": FormatCost(50, 0.5, 5, 60),
    "moodle-questions": FormatCost(10, 0.05, 0, 60),
    "usb": FormatCost(200, 0.5, 10, 120),
}
PLUGIN_COST = FormatCost(300, 10, 5, 150)  # a format casekit has no figures for
CHECK_COST = FormatCost(300, 1, 0, 60)  # a course that cannot be planned: its check


@dataclass(frozen=True)
class CourseSize:
    text_kib: int  # Markdown lessons and course.toml
    media_mib: int  # everything else in the course folder


def course_size(course_dir: Path) -> CourseSize:
    text = media = 0
    for root, dirs, files in os.walk(course_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            try:
                size = os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
            if name.endswith((".md", ".toml")):
                text += size
            else:
                media += size
    return CourseSize(text // 1024, media // (1024 * 1024))


@dataclass(frozen=True)
class Unit:
    course_id: str
    course_dir: Path
    jobs: tuple[Job, ...]  # empty: the course cannot be planned (its check reports why)
    cost: int  # estimated milliseconds
    memory: int  # estimated peak MiB of its dearest job

    @property
    def key(self) -> str:
        head = self.jobs[-1].key if self.jobs else "check"
        return f"{self.course_id}/{head}"


@dataclass(frozen=True)
class CataloguePlan:
    units: tuple[Unit, ...]
    shards: dict[str, int]  # unit key -> shard number
    count: int

    def units_of(self, shard: Shard) -> list[Unit]:
        return [unit for unit in self.units if self.shards[unit.key] == shard.index]


def _estimate(jobs: list[Job], size: CourseSize) -> tuple[int, int]:
    costs = [COSTS.get(job.format, PLUGIN_COST) for job in jobs] or [CHECK_COST]
    millis = sum(c.base + c.per_kib * size.text_kib + c.per_mib * size.media_mib for c in costs)
    return round(millis), max(c.memory for c in costs) + size.text_kib // 12


def _units(course_id: str, course_dir: Path, planned: list[Job], consumes: Any) -> list[Unit]:
    """Group ``planned`` so that each packaging job has what it consumes beside it."""
    owner: dict[str, str] = {job.key: job.key for job in planned}

    def root(key: str) -> str:
        while owner[key] != key:
            key = owner[key]
        return key

    for job in planned:
        for need in consumes(job):
            owner[root(need.key)] = root(job.key)
    groups: dict[str, list[Job]] = {}
    for job in planned:
        groups.setdefault(root(job.key), []).append(job)
    size = course_size(course_dir)
    units = []
    for jobs in groups.values():
        cost, memory = _estimate(jobs, size)
        units.append(Unit(course_id, course_dir, tuple(jobs), cost, memory))
    return units


def plan_catalogue(
    folder: Path,
    format_names: list[str],
    editions: tuple[t.Edition, ...],
    options: dict[str, Any],
    count: int = 1,
) -> CataloguePlan:
    """Every unit of every course in ``folder`` (a course or a catalogue), dealt out to
    ``count`` shards. Only ``course.toml`` is read and file sizes are taken: cheap."""
    registry = formats()
    units: list[Unit] = []
    for course_dir in find_courses(folder):
        course_dir = course_dir.resolve()
        config = load_config(course_dir, Diagnostics())
        if config is None:
            cost, memory = _estimate([], course_size(course_dir))
            units.append(Unit(course_dir.name, course_dir, (), cost, memory))
            continue
        chosen = format_options(registry, config, dict(options))
        planned = plan_jobs(format_names, editions, registry, chosen)

        def consumes(job: Job, chosen: dict[str, object] = chosen) -> list[Job]:
            return consumed_jobs(registry[job.format], chosen[job.format])

        units.extend(_units(config.id, course_dir, planned, consumes))
    lots = _lots(units, count)
    dealt = assign(lots, count)
    shards = {unit.key: dealt[lot.key] for lot in lots for unit in lot.units}
    return CataloguePlan(tuple(units), shards, count)


@dataclass(frozen=True)
class _Lot:
    """What is dealt out: a whole course, or one unit of a course too dear for one shard."""

    key: str
    cost: int
    units: tuple[Unit, ...]


def _lots(units: list[Unit], count: int) -> list[_Lot]:
    """A course stays whole (each shard that builds some of a course checks and parses
    it, so splitting costs) unless it alone costs more than a fair share of the work."""
    courses: dict[str, list[Unit]] = {}
    for unit in units:
        courses.setdefault(unit.course_id, []).append(unit)
    fair = sum(unit.cost for unit in units) / count
    lots = []
    for course_id, found in courses.items():
        cost = sum(unit.cost for unit in found)
        if cost > fair and len(found) > 1:
            lots += [_Lot(unit.key, unit.cost, (unit,)) for unit in found]
        else:
            lots.append(_Lot(f"{course_id}/", cost, tuple(found)))
    return lots


def plan_json(plan: CataloguePlan, shard: Shard | None = None) -> dict[str, Any]:
    """What ``casekit plan`` prints: the jobs (of one shard, or all) and the shards' costs."""
    loads = [0] * plan.count
    for unit in plan.units:
        loads[plan.shards[unit.key] - 1] += unit.cost
    jobs = []
    for unit in plan.units:
        if shard is not None and plan.shards[unit.key] != shard.index:
            continue
        for job in unit.jobs or (None,):
            jobs.append(
                {
                    "course": unit.course_id,
                    "path": str(unit.course_dir),
                    "format": job.format if job else "check",
                    "edition": job.edition if job else None,
                    "unit": unit.key,
                    "shard": plan.shards[unit.key],
                    "unit_cost_ms": unit.cost,
                    "unit_memory_mib": unit.memory,
                }
            )
    return {
        "shards": plan.count,
        "estimated_ms": {str(i + 1): load for i, load in enumerate(loads)},
        "jobs": jobs,
    }


@dataclass(frozen=True)
class CourseTask:
    """What one run of ``build_course`` builds: a course, its jobs in this shard (``None``:
    all), the memory its dearest job is estimated to need (MiB) and its estimated cost
    (milliseconds)."""

    course_dir: Path
    course_id: str
    only: frozenset[str] | None
    memory: int
    cost: int = 0


def course_tasks(units: list[Unit], whole: bool) -> list[CourseTask]:
    """One task per course of ``units`` (``whole``: every job of the course, not a shard)."""
    tasks: dict[Path, list[Unit]] = {}
    for unit in units:
        tasks.setdefault(unit.course_dir, []).append(unit)
    return [
        CourseTask(
            folder,
            found[0].course_id,
            None if whole else frozenset(job.key for unit in found for job in unit.jobs),
            max(unit.memory for unit in found),
            sum(unit.cost for unit in found),
        )
        for folder, found in tasks.items()
    ]
