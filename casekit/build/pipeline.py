"""The build pipeline: load and check a course, then run each requested format.

A build is a list of jobs (format x edition): those asked for, and before them the
outputs that a packaging format (usb) consumes. Each job has a fingerprint of all it
depends on: every file of the course folder, casekit's own templates and version, the
format, the edition, the options of that format only, and the fingerprints of what it
consumes. A job whose fingerprint and files are unchanged since the last build is
skipped; when every job is skipped the course is not even parsed. With a shared cache
(``--cache-dir``, ``files/shared_cache.py``) a job whose fingerprint is there is copied
from it, and a job built is put there. ``only`` builds some of the jobs (a shard of a
catalogue, ``build/plan.py``). Jobs run in separate processes with ``jobs > 1``; the
bytes are the same. A format renders; the build writes what it returns (``build/write.py``).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casekit import tree as t
from casekit.build.course import format_caveats, load_course
from casekit.build.lock import hold_build_lock, releases_build_locks
from casekit.build.write import write_outputs
from casekit.config.settings import CourseConfig, load_config
from casekit.diagnostics import Diagnostic, Diagnostics, diagnostic, error
from casekit.files.atomic import clean_stale_temporaries
from casekit.files.cache import (
    CACHE_DIR,
    BuildCache,
    digest,
    file_digests,
    files_fingerprint,
)
from casekit.files.shared_cache import SharedCache
from casekit.formats import BuildContext, Format, formats
from casekit.formats.options import option_origin, resolve_options
from casekit.render.fragments import Fragments, casekit_fingerprint, lessons_context
from casekit.resolve.editions import apply_edition
from casekit.runtime.gc_tuning import no_full_collections
from casekit.runtime.workers import FORKED, process_pool

if TYPE_CHECKING:
    from concurrent.futures import Future

    from casekit.render.resample import Prefit


@dataclass
class OutputRecord:
    format: str
    edition: str
    paths: list[Path]
    seconds: float
    cached: bool = False  # up to date in the build folder
    fingerprint: str = ""
    shared: bool = False  # copied from the shared cache


@dataclass
class BuildResult:
    course_id: str
    course_dir: Path
    diagnostics: Diagnostics
    outputs: list[OutputRecord] = field(default_factory=list)
    stopped: bool = False  # check found errors: nothing was built
    strict: bool = False  # warnings counted as errors
    cache: BuildCache | None = None


Progress = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    format: str
    edition: t.Edition | None  # None: the format takes the whole course (usb)

    @property
    def key(self) -> str:
        return f"{self.format}:{self.edition or '-'}"

    @property
    def label(self) -> str:
        """``pdf (learner)``, ``usb``: how progress messages name the job."""
        return self.format + (f" ({self.edition})" if self.edition else "")


def default_jobs() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def _run_job(job: Job, course: t.Course, ctx: BuildContext) -> tuple[list[Path], float]:
    """Render one job and write its outputs (in this process or a worker)."""
    started = time.perf_counter()
    try:
        # renderers build large object trees too (PDF, DOCX), and so does an edition:
        # a full collection walks the whole course each time
        with no_full_collections():
            tree = apply_edition(course, job.edition) if job.edition else course
            outputs = formats([job.format])[job.format].renderer()(tree, ctx)
            paths = write_outputs(job.format, ctx.out_dir, outputs)
    except OSError as exc:  # wherever a format writes: a full disk is the user's to fix
        if exc.errno not in _DISK_FULL:
            raise
        reason = exc.strerror or str(exc)
        raise error(
            str(ctx.out_dir), f"cannot write the output: {reason}", "write-failed"
        ) from None
    return paths, time.perf_counter() - started


#: the course of the build that starts a pool of forked workers: they inherit it (its
#: lessons unread, read there a few at a time, ``resolve/lazy.py``) instead of each being
#: sent the whole course read and pickled
_INHERITED: list[t.Course] = []


def _run_in_worker(
    job: Job, course: t.Course | None, ctx: BuildContext
) -> tuple[list[Path], float, list[str]]:
    """``_run_job`` in a pool's worker (``course``: ``None`` when it inherited it), with
    why it laid out PDF pieces again (``CacheStats.pdf_missed``: the worker's stats are
    its own)."""
    before = len(ctx.cache.stats.pdf_missed) if ctx.cache is not None else 0
    paths, seconds = _run_job(job, _INHERITED[0] if course is None else course, ctx)
    return paths, seconds, ctx.cache.stats.pdf_missed[before:] if ctx.cache is not None else []


#: errors of a disk that cannot take the output (full, quota, file too large, read-only)
_DISK_FULL = frozenset((errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS))


def consumed_jobs(fmt: Format, options: object) -> list[Job]:
    """The jobs whose outputs a (packaging) format consumes."""
    return [Job(name, edition) for name, edition in fmt.needs(options)]


def plan_jobs(
    format_names: list[str],
    editions: tuple[t.Edition, ...],
    registry: dict[str, Format],
    options: dict[str, object],
) -> list[Job]:
    """The jobs asked for, and what packaging formats consume; packaging runs last."""
    asked = [
        Job(name, edition)
        for name in format_names
        for edition in (editions if registry[name].per_edition else (None,))
    ]
    planned = list(asked)
    for job in asked:
        for need in consumed_jobs(registry[job.format], options[job.format]):
            if need.format not in registry or not registry[need.format].per_edition:
                raise error(
                    "casekit",
                    f"format {job.format} consumes {need.format}, which is not a registered "
                    "per-edition format",
                    "format-plugin",
                )
            if need not in planned:
                planned.append(need)
    return sorted(planned, key=lambda job: job.edition is None)


def format_options(
    registry: dict[str, Format], config: CourseConfig, given: dict[str, Any]
) -> dict[str, object]:
    """Every format's options: command line, then course.toml, then defaults."""
    return {
        name: resolve_options(name, fmt.options, config, given) for name, fmt in registry.items()
    }


def flag_caveats(
    registry: dict[str, Format], config: CourseConfig, given: dict[str, Any], planned: list[Job]
) -> list[Diagnostic]:
    """Warnings for what a command-line flag asks of a planned format that it cannot
    do for this course (course.toml's own requests are warned of by the check)."""
    found = []
    for name in sorted({job.format for job in planned}):
        fmt = registry[name]
        for option, code, message in format_caveats(name, fmt, config, given):
            origin = option_origin(name, fmt.options, config, option, given)
            if origin.startswith("--"):
                found.append(
                    diagnostic("command line", f"{origin}: {message}", code, severity="warning")
                )
    return found


@releases_build_locks
def build_course(
    course_dir: Path,
    format_names: list[str],
    editions: tuple[t.Edition, ...],
    out_root: Path,
    options: dict[str, Any] | None = None,
    strict: bool = False,
    progress: Progress = lambda _message: None,
    jobs: int = 1,
    force: bool = False,
    only: frozenset[str] | None = None,
    shared: SharedCache | None = None,
) -> BuildResult:
    """Check the course, then build every format/edition into ``out_root/<course-id>``
    (of those jobs, only the keys in ``only`` when given).

    Raises ``CasekitError`` for a problem that stops a format (one diagnostic);
    check errors are returned in the result with ``stopped`` set."""
    diags = Diagnostics()
    course_dir = course_dir.resolve()
    progress(f"checking {course_dir}")
    config = load_config(course_dir, diags)
    result = BuildResult(config.id if config else course_dir.name, course_dir, diags, strict=strict)
    if config is None:
        result.stopped = True
        return result
    registry = formats(format_names)
    chosen = format_options(registry, config, dict(options or {}))
    build_root = (out_root / config.id).resolve()
    if build_root == course_dir or build_root in course_dir.parents:
        raise error(
            str(out_root),
            f"the build folder {build_root} would hold the course folder itself; "
            "choose another --out",
            "out-contains-course",
        )
    hold_build_lock(build_root)  # its lock also marks it as outputs, never sources
    clean_stale_temporaries(build_root, shallow=(CACHE_DIR,))  # the cache's are at its top
    cache = BuildCache(build_root, read=not force)
    result.cache = cache

    planned = plan_jobs(format_names, editions, registry, chosen)
    if only is not None:
        planned = [job for job in planned if job.key in only]
    # the images are an EPUB's longest work: begun before the files are hashed when the
    # EPUB is built for sure (forced, or never built), else once its outputs are checked
    prefit = _prefit(
        course_dir,
        cache,
        config,
        [job for job in planned if not cache.recorded(job.key)],
        registry,
        chosen,
        jobs,
    )
    try:
        course_files = file_digests(course_dir, cache)
        casekit_fp = casekit_fingerprint(cache)
        course_fp = digest(casekit_fp, files_fingerprint(course_files))
        fingerprints: dict[str, str] = {}
        own_options: dict[str, str] = {}
        for job in planned:  # what a job consumes is planned before it
            own = json.dumps(dataclasses.asdict(chosen[job.format]), sort_keys=True)  # type: ignore[call-overload]
            own_options[job.key] = own
            consumed = [
                fingerprints[need.key]
                for need in consumed_jobs(registry[job.format], chosen[job.format])
            ]
            fingerprints[job.key] = digest(course_fp, job.key, own, *consumed)
        fresh = {job.key: cache.fresh_outputs(job.key, fingerprints[job.key]) for job in planned}
        records: dict[str, OutputRecord] = {}  # by job key; the up-to-date ones first
        for job in planned:
            paths = fresh[job.key]
            if paths and registry[job.format].damaged:  # outputs stat alone cannot vouch for
                damaged = registry[job.format].damage(paths, cache)
                cache.stats.damaged += [(path, f"{what}; rebuilt") for path, what in damaged]
                paths = None if damaged else paths
            if paths:
                records[job.key] = OutputRecord(
                    job.format, job.edition or "-", paths, 0.0, True, fingerprints[job.key]
                )
                cache.stats.skipped_outputs.append(job.key)
        flagged = flag_caveats(registry, config, dict(options or {}), planned)
        checked = cache.load("check", course_fp, list[Diagnostic])
        if checked is not None and len(records) == len(planned):
            diags.items.extend(checked + flagged)
            if diags.has_errors(strict):
                result.stopped = True
                return result
            result.outputs = [records[job.key] for job in planned]
            return result

        if prefit is None:
            prefit = _prefit(
                course_dir,
                cache,
                config,
                [job for job in planned if job.key not in records],
                registry,
                chosen,
                jobs,
            )
        with no_full_collections():  # parsing builds a large tree: ~40% faster
            course = load_course(
                course_dir, diags, cache, config, jobs=jobs, prefit=prefit, registry=registry
            )
        checked = list(diags.items)  # the flags' warnings are not cached: the next build
        diags.items.extend(flagged)  # may not give the flag
        if course is None or diags.has_errors(strict):
            if prefit is not None:
                prefit.close(cancel=True)
            result.stopped = True
            return result
        cache.store("check", course_fp, checked)
        shared_fp = lessons_context(casekit_fp, course_files, course)

        def context(job: Job) -> BuildContext:
            fmt = registry[job.format]
            return BuildContext(
                out_dir=build_root / job.format,
                options=chosen[job.format],
                course_dir=course_dir,
                build_root=build_root,
                inputs={
                    (need.format, need.edition or "-"): records[need.key].paths
                    for need in consumed_jobs(fmt, chosen[job.format])
                },
                cache=cache,
                fragments=Fragments(
                    cache,
                    job.key,
                    digest(shared_fp, job.key, own_options[job.key]),
                    course.digests,
                ),
                jobs=max(1, jobs // max(1, len(todo))),
            )

        for job in planned:  # only once the check passed: a stopped build writes nothing
            if job.key not in records and shared is not None and not force:
                paths = shared.restore(job.key, fingerprints[job.key], build_root, job.label)
                if paths is not None:
                    records[job.key] = OutputRecord(
                        job.format,
                        job.edition or "-",
                        paths,
                        0.0,
                        False,
                        fingerprints[job.key],
                        True,
                    )
                    cache.record_outputs(job.key, fingerprints[job.key], paths)
                    registry[job.format].record_restored(paths, cache)
                    progress(f"copied {job.label} from the shared cache")
        todo = [job for job in planned if job.key not in records]

        def finish(job: Job, paths: list[Path], seconds: float) -> None:
            fingerprint = fingerprints[job.key]
            records[job.key] = OutputRecord(
                job.format, job.edition or "-", paths, seconds, False, fingerprint
            )
            cache.record_outputs(job.key, fingerprint, paths)
            if shared is not None:
                shared.store(job.key, fingerprint, build_root, paths)
            progress(f"built {job.label} in {seconds:.1f} s")

        independent = [job for job in todo if registry[job.format].per_edition]
        packaging = [job for job in todo if not registry[job.format].per_edition]
        if prefit is not None and jobs > 1 and len(independent) > 1:
            prefit.close()  # no thread may run while the jobs' processes are forked
        if jobs > 1 and len(independent) > 1:
            _INHERITED[:] = [course] if FORKED else []
            try:
                with process_pool(min(jobs, len(independent))) as pool:
                    futures: list[tuple[Job, Future[tuple[list[Path], float, list[str]]]]] = []
                    for job in independent:
                        progress(f"building {job.label}")
                        sent = None if FORKED else course
                        submitted = pool.submit(_run_in_worker, job, sent, context(job))
                        futures.append((job, submitted))
                    for job, future in futures:
                        paths, seconds, missed = future.result()
                        cache.stats.pdf_missed += missed
                        finish(job, paths, seconds)
            finally:
                _INHERITED.clear()
        else:
            for job in independent:
                progress(f"building {job.label}")
                finish(job, *_run_job(job, course, context(job)))
        for job in packaging:
            progress(f"building {job.label}")
            finish(job, *_run_job(job, course, context(job)))

        if prefit is not None:
            prefit.close()
        result.outputs = [records[job.key] for job in planned]
        for path, what in cache.stats.damaged:  # after the check: never a reason to stop
            diags.warning(path, what, "output-damaged")
        return result
    finally:
        if prefit is not None:  # stopped by an error: no thread left running
            prefit.close(cancel=True)


def _prefit(
    course_dir: Path,
    cache: BuildCache,
    config: CourseConfig,
    todo: list[Job],
    registry: dict[str, Format],
    chosen: dict[str, Any],
    jobs: int,
) -> Prefit | None:
    """A ``Prefit`` when a job to build fits its images to the screen (the EPUB's),
    begun on the images the lesson files seem to name (in worker processes with
    ``jobs`` above 1)."""
    for job in todo:
        screen = registry[job.format].fits_to_screen
        if screen is not None and screen(chosen[job.format]):
            from casekit.render.resample import SCREEN_BOX, Prefit

            prefit = Prefit(course_dir, cache, SCREEN_BOX, forked=jobs > 1)
            prefit.sources([ref for module in config.modules for ref in module.lessons])
            return prefit
    return None


def find_courses(folder: Path) -> list[Path]:
    """The courses directly inside ``folder`` when it is a catalogue (a folder of courses),
    else ``folder`` itself (whose check then reports a missing course.toml). Two courses
    of a catalogue with one ``id`` would write into the same build folder: refused."""
    if folder.is_dir() and not (folder / "course.toml").is_file():
        inside = sorted(p for p in folder.iterdir() if (p / "course.toml").is_file())
        if inside:
            _refuse_shared_ids(inside)
            return inside
    return [folder]


def _refuse_shared_ids(courses: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for course in courses:
        config = load_config(course, Diagnostics())  # a broken course.toml: its build says
        if config is None:
            continue
        first = seen.setdefault(config.id, course)
        if first != course:
            raise error(
                f"{course.name}/course.toml",
                f"course id {config.id!r} is also the id of {first.name}: both would build "
                "into the same folder and overwrite each other; give each course its own id",
                "duplicate-course-id",
            )
