"""Lessons parsed on every core before the course is loaded.

Parsing (markdown-it) is most of what a clean build does on one core before its jobs
start. With ``jobs > 1`` and more than a few lessons to parse, forked workers parse them
and store each tree and its summary in the build cache, exactly as a serial parse would;
``load_course`` then finds them there and builds its lessons as after any cached parse,
so diagnostics keep their order and text and outputs their bytes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from casekit import tree as t
from casekit.diagnostics import Diagnostics
from casekit.files.cache import BuildCache
from casekit.resolve.lazy import LessonSummary, summarise
from casekit.runtime.workers import process_pool

#: fewer lessons to parse than this are parsed in the main process: forking costs more
POOL_FROM = 4


@dataclass(frozen=True)
class Pending:
    """A lesson whose parse the cache does not hold."""

    path: str  # relative to the course
    text: str
    key: str  # ``BuildCache.lesson_key``


def parse_in_pool(cache: BuildCache, pending: list[Pending], allow_html: bool, jobs: int) -> None:
    """Parse ``pending`` on ``jobs`` worker processes into ``cache`` (which learns what
    they stored, for ``--force``), when that is worth a pool."""
    if jobs < 2 or len(pending) < POOL_FROM:
        return
    build_root = cache.folder.parent
    with process_pool(min(jobs, len(pending))) as pool:
        stored = list(
            pool.map(
                _parse_into_cache,
                [build_root] * len(pending),
                pending,
                [allow_html] * len(pending),
                chunksize=max(1, len(pending) // (4 * jobs)),
            )
        )
    for lesson, done in zip(pending, stored, strict=True):
        if done:
            cache.adopt("lesson", lesson.key)
            cache.adopt("summary", lesson.key)
            cache.stats.pooled.append(lesson.path)


def _parse_into_cache(build_root: Path, lesson: Pending, allow_html: bool) -> bool:
    """In a worker: parse, and store the tree and summary as ``build/course.py`` does."""
    cache = BuildCache(build_root, read=False)
    own = Diagnostics()
    tree = parse_into_cache(cache, lesson.key, lesson.path, lesson.text, allow_html, own)
    store_summary(cache, lesson.key, tree, len(lesson.text), own)
    return len(cache.stored) == 2


def parse_into_cache(
    cache: BuildCache, key: str, path: str, text: str, allow_html: bool, own: Diagnostics
) -> t.Lesson:
    """``text`` parsed, its tree and diagnostics kept under ``key`` (by ``build/course.py``,
    or in a worker here)."""
    from casekit.parse.lesson import parse_lesson

    lesson = parse_lesson(path, text, own, allow_html=allow_html)
    cache.store("lesson", key, (lesson, own.items))
    return lesson


def store_summary(
    cache: BuildCache, key: str, lesson: t.Lesson, size: int, own: Diagnostics
) -> LessonSummary:
    """What an unread lesson needs (``resolve/lazy.py``), kept under ``key`` with the
    parse's diagnostics."""
    summary = summarise(lesson, size)
    cache.store("summary", key, (summary, own.items))
    return summary
