"""Load a course folder: settings, every lesson parsed, then resolved."""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

from casekit import tree as t
from casekit.build.lesson_pool import Pending, parse_in_pool, parse_into_cache, store_summary
from casekit.config.settings import COURSE_FILE, CourseConfig, config_field_line, load_config
from casekit.diagnostics import Diagnostic, Diagnostics, error
from casekit.files.cache import BuildCache, digest
from casekit.formats import Format, formats
from casekit.formats.options import check_table, option_origin, resolve_options
from casekit.resolve.lazy import LazyLesson, LessonSummary
from casekit.resolve.named_files import check_named_paths
from casekit.safety.paths import PathEscape, resolve_inside, special_files
from casekit.safety.sourcetext import read_source_text

if TYPE_CHECKING:
    from casekit.render.resample import Prefit


def load_course(
    root: Path,
    diags: Diagnostics,
    cache: BuildCache | None = None,
    config: CourseConfig | None = None,
    hash_media: bool = True,
    jobs: int = 1,
    prefit: Prefit | None = None,
    registry: dict[str, Format] | None = None,
) -> t.Course | None:
    """The resolved course tree of the folder ``root``, or ``None`` when the
    settings cannot be read. Problems are added to ``diags``; nothing is printed.
    With a ``cache``, unchanged lessons are not parsed again (nor read, until a format
    reads them) and unchanged media files are not hashed again; ``course.digests``
    then names each resolved lesson for the fragment cache (``render/fragments.py``). ``config``: ``course.toml`` as the caller has
    already loaded it (into the same ``diags``). ``hash_media=False``: a check that never
    reads media through (their ``sha256`` stays empty). ``jobs > 1``: lessons to parse are
    parsed on that many processes first (``build/lesson_pool.py``). ``prefit``: the
    images of each lesson begin to be probed and fitted as soon as it is parsed.
    ``registry``: the formats ``course.toml``'s tables are checked against
    (``check_format_tables``)."""
    # the parser and resolver (Markdown, YAML, image libraries) are imported only when a
    # course is loaded: a build with nothing to do never is
    from casekit.parse.lesson import lesson_id_for
    from casekit.resolve.resolver import resolve

    root = root.resolve()
    config = config or load_config(root, diags)
    if config is None:
        return None
    check_named_paths(root, config, diags)
    check_format_tables(root, config, diags, registry)
    for rel, what in special_files(root):
        diags.warning(
            t.Pos(rel, 1, 1), f"{what}, not a file: casekit never opens it", "special-file"
        )
    files = _lesson_files(root, config, diags)
    if cache is not None and jobs > 1:
        parse_in_pool(cache, _pending(files, cache, config.allow_html), config.allow_html, jobs)
    course = t.Course(config=config, root=str(root), modules=[])
    keys: dict[str, str] = {}  # lesson id -> its cache key
    for index, (module_config, lessons) in enumerate(
        zip(config.modules, files, strict=True), start=1
    ):
        module = t.Module(index, module_config.title, [])
        for real, rel in lessons:
            text = read_source_text(real, rel, diags)
            if text is None:
                continue
            lesson, keys[lesson_id_for(rel)] = _parse(
                real, rel, text, diags, cache, config.allow_html
            )
            module.lessons.append(lesson)
            if prefit is not None:
                prefit.lesson(lesson)
        course.modules.append(module)
    answers = resolve(course, diags, cache, hash_media, prefit.probed if prefit else None)
    course.digests = {
        lesson_id: digest("resolved-lesson", key, repr(answers[lesson_id]))
        for lesson_id, key in keys.items()
        if key
    }
    return course


def _lesson_files(
    root: Path, config: CourseConfig, diags: Diagnostics
) -> list[list[tuple[Path, str]]]:
    """Each module's lesson files (the file, its path in the course), those refused
    (outside the course, missing, an id already taken) reported and left out."""
    from casekit.parse.lesson import lesson_id_for

    seen_ids: dict[str, str] = {}
    modules: list[list[tuple[Path, str]]] = []
    for module_config in config.modules:
        files: list[tuple[Path, str]] = []
        for ref in module_config.lessons:
            where = t.Pos(COURSE_FILE, module_config.line, 1)
            try:
                real, rel = resolve_inside(root, ref)
            except PathEscape as exc:
                diags.error(where, f"lesson path {ref!r} is refused: {exc}", "path-escape")
                continue
            if not real.is_file():
                diags.error(where, f"lesson file not found: {rel or ref!r}", "lesson-missing")
                continue
            lesson_id = lesson_id_for(rel)
            if lesson_id in seen_ids:
                diags.error(
                    where,
                    f"lessons {seen_ids[lesson_id]} and {rel} have the same id "
                    f"'{lesson_id}': rename one file",
                    "duplicate-id",
                )
                continue
            seen_ids[lesson_id] = rel
            files.append((real, rel))
        modules.append(files)
    return modules


def _pending(
    files: list[list[tuple[Path, str]]], cache: BuildCache, allow_html: bool
) -> list[Pending]:
    """The lessons whose parse the cache does not hold (their diagnostics, reading
    included, are the main loop's)."""
    pending = []
    for real, rel in chain.from_iterable(files):
        text = read_source_text(real, rel, Diagnostics())
        if text is None:
            continue
        key = BuildCache.lesson_key(rel, text, allow_html)
        if cache.load("summary", key, bytes) is None:
            pending.append(Pending(rel, text, key))
    return pending


def _parse(
    real: Path,
    path: str,
    text: str,
    diags: Diagnostics,
    cache: BuildCache | None,
    allow_html: bool,
) -> tuple[t.Lesson, str]:
    """A lesson (of the file ``real``) and its cache key (without a cache: ""): an
    unchanged lesson unread (``resolve/lazy.py``) with its parse diagnostics from the
    cache, else parsed; either read again from the cache once released (or, its entry
    lost, from its file: the text is not kept)."""
    from casekit.parse.lesson import lesson_id_for, parse_lesson

    if cache is None:  # casekit check: no cache, and no need for its key
        return parse_lesson(path, text, diags, allow_html=allow_html), ""
    key = BuildCache.lesson_key(path, text, allow_html)

    def parse(text: str, own: Diagnostics) -> t.Lesson:
        lesson = parse_into_cache(cache, key, path, text, allow_html, own)
        cache.stats.parsed.append(path)
        return lesson

    def read() -> t.Lesson:  # the same tree again (a damaged entry: parsed again)
        cached = cache.load("lesson", key, tuple[t.Lesson, list[Diagnostic]])
        if cached is not None:
            return cached[0]
        again = read_source_text(real, path, Diagnostics())
        if again is None or BuildCache.lesson_key(path, again, allow_html) != key:
            message = "lesson changed while the build was reading it; build again"
            raise error(path, message, "lesson-changed")
        return parse(again, Diagnostics())

    known = cache.load("summary", key, tuple[LessonSummary, list[Diagnostic]])
    if known is not None:
        (cache.stats.parsed if path in cache.stats.pooled else cache.stats.reused).append(path)
        diags.items.extend(known[1])
        return LazyLesson.unread(lesson_id_for(path), path, known[0], read), key
    own = Diagnostics()
    lesson = parse(text, own)
    diags.extend(own)
    summary = store_summary(cache, key, lesson, len(text), own)
    return LazyLesson.parsed(lesson, summary, read), key


def format_caveats(
    name: str, fmt: Format, config: CourseConfig, given: dict[str, object] | None = None
) -> list[tuple[str, str, str]]:
    """The format's caveats for its options as course.toml (and ``given``) set them."""
    if fmt.caveats is None:
        return []
    return fmt.caveats_for(resolve_options(name, fmt.options, config, given), config.language)


def check_format_tables(
    root: Path,
    config: CourseConfig,
    diags: Diagnostics,
    registry: dict[str, Format] | None = None,
) -> None:
    """Each format table of ``course.toml`` (``[pdf]``, ``[usb]``, ...) against the
    options of the format of that name, and what course.toml asks of a format that
    it cannot do for this course (its caveats). ``registry``: the formats a build
    plans with (``formats`` of its names: no entry point read for casekit's own),
    widened to every format when a table names another; default every format, plugins
    included (``casekit check``)."""
    if registry is None or not config.tables.keys() <= registry.keys():
        registry = formats()
    for name, fmt in registry.items():
        for field, code, message in format_caveats(name, fmt, config):
            origin = option_origin(name, fmt.options, config, field)
            if origin:  # "" is the default: course.toml asked nothing
                line = config_field_line(root, origin)
                diags.warning(COURSE_FILE, f"field '{origin}': {message}", code, line)
    for name in config.tables:
        if name in registry:
            check_table(name, registry[name].options, config, root, diags)
        else:
            known = ", ".join(sorted(registry))
            line = config_field_line(root, name)
            message = f"unknown table '[{name}]': no format has that name (formats: {known})"
            diags.error(COURSE_FILE, message, "config-unknown-field", line)
