"""The ``casekit`` command line: parse options, call the pipeline, print diagnostics.

Everything testable lives below this module; here we only translate between
the terminal and the pipeline. User errors are one line and a non-zero exit;
a traceback appears only with ``--debug``.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import os
import sys
from pathlib import Path

import click

from casekit import __version__
from casekit import tree as t
from casekit.build.catalogue import BuildSettings, build_in_pool, build_task
from casekit.build.course import load_course
from casekit.build.pipeline import BuildResult, build_course, default_jobs, find_courses
from casekit.build.plan import CourseTask, course_tasks, plan_catalogue
from casekit.build.shard import WHOLE, Shard
from casekit.build.summary import format_table, summary_rows
from casekit.cli import distribution
from casekit.cli.distribution import (
    cache_options,
    executor_options,
    open_shared_cache,
    shard_option,
)
from casekit.cli.format_flags import WithFormatFlags, edition_option, format_option
from casekit.config.settings import LANGUAGES
from casekit.diagnostics import CasekitError, Diagnostic, Diagnostics, to_json
from casekit.formats import formats


class Ui:
    """Terminal output: quiet when not a TTY unless asked, verbose on request."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.tty = sys.stderr.isatty()

    def progress(self, message: str) -> None:
        if self.verbose or (self.tty and not self.quiet):
            click.echo(f"casekit: {message}", err=True)


def print_diagnostics(
    diags: Diagnostics, strict: bool, as_json: bool, quiet: bool, course_dir: Path | None = None
) -> None:
    """Print sorted diagnostics; paths are shown as the user can open them (course dir + path)."""
    found = diags.sorted(strict)
    if course_dir is not None:
        found = [
            dataclasses.replace(d, path=os.path.normpath(os.path.join(course_dir, d.path)))
            for d in found
        ]
    if as_json:
        click.echo(to_json(found))
        return
    for diagnostic in found:
        click.echo(str(diagnostic), err=True)
    errors, warnings = diags.counts(strict)
    if not quiet or errors:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


def in_course(diagnostic: Diagnostic, course_dir: Path) -> Diagnostic:
    """``diagnostic`` with its path as the user can open it when it names a file of the
    course (a catalogue build reports each course's error beside the others)."""
    where = os.path.join(course_dir, diagnostic.path)
    if os.path.isabs(diagnostic.path) or not os.path.lexists(where):
        return diagnostic
    return dataclasses.replace(diagnostic, path=os.path.normpath(where))


#: modules whose ``COMMANDS`` are loaded only when one of them is asked for (or listed by
#: ``--help``): ``casekit serve``, ``build`` and ``check`` start without importing the
#: learner register, trust, scanning and bundle copying (benchmarks/serve_benchmark.py)
LAZY_COMMANDS = (
    "casekit.cli.bundle",
    "casekit.cli.trust",
    "casekit.cli.learners",
    "casekit.cli.paper",
)


class LazyGroup(click.Group):
    """A group that imports the ``LAZY_COMMANDS`` modules when a command is not its own."""

    def load_lazy(self) -> None:
        for name in LAZY_COMMANDS:
            for command in importlib.import_module(name).COMMANDS:
                if command.name not in self.commands:
                    self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None:
            self.load_lazy()
            found = super().get_command(ctx, cmd_name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_lazy()
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casekit")
@click.option("--debug", is_flag=True, help="Show a traceback for errors (for bug reports).")
def cli(debug: bool) -> None:
    """Build offline case packages (PDF, EPUB, DOCX, USB bundles) from a course in Markdown.

    \b
    Examples:
      casekit new my-course --lang kk
      casekit check courses/digital-literacy-kk
      casekit build courses/digital-literacy-kk --format html
    """
    # --debug is read by main(), which decides how errors are shown


@cli.command()
@click.argument(
    "course_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Diagnostics as lines for people or JSON for tools.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings.")
def check(course_dirs: tuple[Path, ...], strict: bool, output_format: str, quiet: bool) -> None:
    """Check courses and print their diagnostics as path:line:col lines.

    Each argument is a course folder or a folder of courses. Exit status is 1
    when there are errors (with --strict, warnings too).

    \b
    Examples:
      casekit check courses/digital-literacy-kk
      casekit check courses/*
      casekit check --strict --format json courses/job-search-en
    """
    diags = Diagnostics()
    for course_dir in (c for arg in course_dirs for c in find_courses(arg)):
        own = Diagnostics()
        load_course(course_dir, own, hash_media=False)  # a check never reads videos through
        diags.items.extend(
            dataclasses.replace(d, path=os.path.normpath(os.path.join(course_dir, d.path)))
            for d in own.items
        )
    print_diagnostics(diags, strict, output_format == "json", quiet)
    sys.exit(1 if diags.has_errors(strict) else 0)


@cli.command(cls=WithFormatFlags)
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@format_option
@edition_option
@click.option(
    "-o",
    "--out",
    "out_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Output folder; the course goes into OUT/<course-id>/.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes: formats and editions built in parallel, a PDF's modules laid out side by side, an EPUB's images fitted (default: CPU count).",
)
@click.option("--force", is_flag=True, help="Rebuild everything, ignoring the build cache.")
@shard_option
@cache_options
@executor_options
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Show progress even when not on a terminal.")
def build(
    course_dir: Path,
    format_names: tuple[str, ...],
    edition: str,
    out_root: Path,
    strict: bool,
    jobs: int | None,
    force: bool,
    shard: Shard | None,
    cache_dir: Path | None,
    cache_key_file: Path | None,
    executor: str,
    scheduler: str | None,
    quiet: bool,
    verbose: bool,
    **format_options: object,
) -> None:
    """Check a course, then build its outputs into OUT/<course-id>/<format>/.

    COURSE_DIR is a course folder, or a folder of courses (a catalogue: every
    course in it is built). Errors found by the check stop that course's build
    and leave its earlier outputs as they were. Every output is written
    atomically; outputs whose sources did not change are not rebuilt.

    \b
    Examples:
      casekit build courses/digital-literacy-kk
      casekit build courses/digital-literacy-kk --format pdf --edition learner
      casekit build courses/ --jobs 2          # every course in the folder
      casekit build courses/job-search-en -f html -o /tmp/out --force
      casekit build courses/ --shard 2/8 --cache-dir /mnt/nfs/casekit-cache
      casekit build courses/ --executor dask --scheduler tcp://10.0.0.5:8786
    """
    ui = Ui(quiet, verbose)
    names = list(format_names) or sorted(formats())
    editions: tuple[t.Edition, ...] = t.EDITIONS if edition == "all" else (edition,)  # type: ignore[assignment]
    options = {key: value for key, value in format_options.items() if value is not None}
    warn = functools.partial(click.echo, err=True)
    shared = open_shared_cache(cache_dir, cache_key_file, warn)  # a bad key stops here
    workers = jobs or default_jobs()
    courses = find_courses(course_dir)
    if shard is None and executor == "local" and (len(courses) == 1 or workers == 1):
        tasks = [CourseTask(folder, folder.name, None, 0) for folder in courses]
    else:  # the plan's costs deal the shards and start the dearest courses first
        plan = plan_catalogue(course_dir, names, editions, options, shard.count if shard else 1)
        tasks = course_tasks(plan.units_of(shard or WHOLE), whole=shard is None)
    in_pool = executor == "local" and workers > 1 and len(tasks) > 1
    results: list[BuildResult] = []
    failed = False
    settings = BuildSettings(
        names,
        editions,
        out_root.resolve(),
        options,
        strict,
        force,
        cache_dir.resolve() if cache_dir else None,
        cache_key_file.resolve() if cache_key_file else None,
    )
    if executor == "dask" or len(tasks) > 1:  # a catalogue: each course's error its own
        if executor == "dask":
            from casekit.build.dask_executor import build_on_dask

            answers = build_on_dask(tasks, settings, scheduler, ui.progress, jobs or 2)
        elif in_pool:  # one pool for the run; every course built by one worker
            answers = build_in_pool(tasks, settings, workers, ui.progress)
        else:
            answers = [build_task(task, settings, ui.progress) for task in tasks]
        for task, answer in zip(tasks, answers, strict=True):
            for line in answer.warnings:
                warn(line)
            if answer.error is not None:
                click.echo(str(in_course(answer.error, task.course_dir)), err=True)
                failed = True
            if answer.result is not None:
                results.append(answer.result)
    else:  # one course: its jobs in parallel processes with --jobs
        for task in tasks:
            results.append(
                build_course(
                    task.course_dir,
                    names,
                    editions,
                    out_root,
                    options=options,
                    strict=strict,
                    progress=ui.progress,
                    jobs=workers,
                    force=force,
                    only=task.only,
                    shared=shared,
                )
            )
    for result in results:
        if result.cache is not None:  # why PDF pieces were laid out again (-v)
            for missed in result.cache.stats.pdf_missed:
                ui.progress(f"laid out {missed}")
        if result.diagnostics.items or result.stopped:
            if len(tasks) > 1:
                click.echo(f"casekit: {result.course_dir}", err=True)
            print_diagnostics(result.diagnostics, strict, False, quiet, result.course_dir)
        if result.stopped:
            click.echo(
                f"casekit: build of {result.course_id} stopped: fix the errors above", err=True
            )
    if not quiet:
        click.echo(format_table(summary_rows(results)))
    if failed or any(result.stopped for result in results):
        sys.exit(1)


@cli.command()
@click.argument("course_dir", type=click.Path(path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="kk",
    show_default=True,
    help="Language of the new course.",
)
@click.option("--id", "course_id", default=None, help="Course id (default: the folder name).")
def new(course_dir: Path, lang: str, course_id: str | None) -> None:
    """Create a new course folder that passes check and builds.

    \b
    Examples:
      casekit new my-course --lang kk
      casekit new courses/budgeting --lang ru --id budgeting-ru
    """
    from casekit.config.scaffold import scaffold

    scaffold(course_dir, lang, course_id)
    click.echo(f"created {course_dir}; next: casekit build {course_dir}")


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Add the lessons to this course (course.toml's modules) instead of making a new one.",
)
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the new course (default: named after the first file).",
)
@click.option(
    "--split", is_flag=True, help="One lesson per top-level heading (not one per document)."
)
@click.option(
    "--module",
    "module",
    type=click.IntRange(1),
    default=None,
    help="With --into: add the lessons to module N instead of new modules.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of a new course (default: recognised from the text).",
)
def import_(
    files: tuple[Path, ...],
    into: Path | None,
    out: Path | None,
    split: bool,
    module: int | None,
    lang: str | None,
) -> None:
    """Import Word (.docx), LibreOffice (.odt), HTML and Markdown documents as lessons.

    Headings, lists, tables, footnotes, links and pictures are kept; boxes and
    styles such as "Note"/"Ескерту" become callouts, numbered "Тапсырма"/"Задание"/
    "Assignment" items assignments. What cannot be kept (text boxes, SmartArt,
    comments, tracked changes, symbol fonts) is listed per file and paragraph.

    \b
    Examples:
      casekit import lesson1.docx lesson2.docx -o my-course
      casekit import manual.docx --split -o my-course
      casekit import extra.odt --into courses/digital-literacy-kk
    """
    from casekit.importer.course import into_course, new_course

    diags = Diagnostics()
    paths = list(files)
    if into is not None:
        written = into_course(into, paths, split, module, diags)
        course = into
    else:
        course = out or Path(paths[0].stem)
        written = new_course(course, paths, split, lang, diags)
    print_diagnostics(diags, False, False, True)
    click.echo(f"imported {len(written)} lesson(s) into {course}; next: casekit check {course}")


@cli.command()
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-p",
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Loopback address to listen on (127.0.0.1, ::1); other addresses are refused.",
)
@click.option(
    "-e",
    "--edition",
    type=click.Choice(["learner", "teacher"]),
    default="teacher",
    show_default=True,
    help="Which edition the viewer shows (teacher: with solutions and answers).",
)
@click.option(
    "-o",
    "--out",
    "out_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Where the build cache is kept (OUT/<course-id>/.cache), shared with casekit build.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
def serve(
    course_dir: Path, port: int, host: str, edition: str, out_root: Path, open_browser: bool
) -> None:
    """Preview a course in its offline viewer, rebuilt and reloaded as you edit.

    Listens on this computer only. Every change to the course folder rebuilds
    the viewer (unchanged lessons are not parsed again) and reloads the page;
    when a change breaks the course, the errors show over the page and here,
    and the last good build stays on screen.

    \b
    Examples:
      casekit serve courses/digital-literacy-kk --open
      casekit serve my-course --port 0 --edition learner
    """
    from casekit.serve.run import serve as run_serve
    from casekit.serve.site import Outcome

    def report(outcome: Outcome) -> None:
        diags = Diagnostics(list(outcome.diagnostics))
        if diags.items:
            print_diagnostics(diags, False, False, True, course_dir)
        state = "built" if outcome.site is not None else "not built (errors above)"
        click.echo(f"casekit: {state} in {outcome.seconds:.2f} s", err=True)

    run_serve(
        course_dir,
        out_root,
        port,
        host,
        edition,  # type: ignore[arg-type]
        open_browser,
        report,
        lambda line: click.echo(line),
    )


for _command in distribution.COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Entry point: run the CLI, turning user errors into one line and exit 1."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("casekit: interrupted", err=True)
        sys.exit(130)
    except CasekitError as exc:
        if debug:
            raise
        click.echo(str(exc.diagnostic), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("casekit: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line unless debugging
        if debug:
            raise
        click.echo(
            f"casekit: internal error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback)",
            err=True,
        )
        sys.exit(2)
