"""Options and commands for builds spread over machines: ``--shard``, ``--cache-dir``,
``--executor dask`` and ``casekit plan``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from casekit import tree as t
from casekit.build.shard import Shard, parse_shard
from casekit.cli.format_flags import WithFormatFlags, edition_option, format_option
from casekit.files.shared_cache import KEY_ENV, SharedCache, load_key

F = TypeVar("F", bound=Callable[..., Any])


def _shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Shard | None:
    return parse_shard(value) if value else None


shard_option = click.option(
    "--shard",
    default=None,
    metavar="K/N",
    callback=_shard,
    help="Build only shard K of N (1 <= K <= N): N machines, one shard each, build "
    "together what one build would; `casekit plan` shows the split.",
)


def cache_options(function: F) -> F:
    function = click.option(
        "--cache-key-file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Key that signs the shared cache's entries (default: ${KEY_ENV}, else "
        "~/.config/casekit/cache.key, made on first use). Machines sharing a cache share it.",
    )(function)
    return click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="A cache shared between builds and machines (e.g. on NFS): a job found "
        "there is copied, not built; each job built is added.",
    )(function)


def open_shared_cache(
    cache_dir: Path | None, key_file: Path | None, warn: Callable[[str], None]
) -> SharedCache | None:
    if cache_dir is None:
        return None
    return SharedCache(cache_dir, load_key(cache_dir, key_file), warn)


def executor_options(function: F) -> F:
    function = click.option(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="With --executor dask: the cluster's scheduler (default: a LocalCluster "
        "of --jobs worker processes on this computer).",
    )(function)
    return click.option(
        "--executor",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="Where jobs run: processes of this computer, or a Dask cluster (pip "
        "install 'casekit[dask]'); one course per Dask task.",
    )(function)


@click.command("plan", cls=WithFormatFlags)
@click.argument("course_dir", type=click.Path(file_okay=False, path_type=Path))
@format_option
@edition_option
@click.option(
    "--shards", type=click.IntRange(1, 100000), default=1, show_default=True, help="Shard count N."
)
@shard_option
@click.option(
    "--packets",
    is_flag=True,
    help="Plan `casekit packets --all-groups` instead: one job per enrolled group.",
)
@click.option(
    "--register",
    "register_location",
    envvar="CASEKIT_REGISTER",
    default=None,
    help="With --packets: the register (as for casekit packets).",
)
def plan_command(
    course_dir: Path,
    format_names: tuple[str, ...],
    edition: str,
    shards: int,
    shard: Shard | None,
    packets: bool,
    register_location: str | None,
    **format_options: object,
) -> None:
    """Print the jobs of a build (course x format x edition) and their shard as JSON.

    Each job names its course, format, edition, shard and the estimated cost
    (milliseconds) and memory (MiB) of its unit: a packaging job (usb) and the jobs
    it consumes form one unit and always share a shard. The split is the one
    `casekit build --shard K/N` makes, the same on every machine (give plan the
    format flags you give build: --with-teacher changes what usb consumes). With --packets:
    the groups of `casekit packets COURSE --all-groups --shard K/N`.

    \b
    Examples:
      casekit plan courses/ --shards 8
      casekit plan courses/ --shard 3/8 -f pdf -f epub
      casekit plan courses/digital-literacy-kk --packets --shards 4
    """
    from casekit.build.plan import plan_catalogue, plan_json
    from casekit.formats import formats

    count = shard.count if shard else shards
    if packets:
        click.echo(
            json.dumps(
                _packets_plan(course_dir, register_location, count, shard),
                indent=1,
                ensure_ascii=False,
            )
        )
        return
    registry = formats()
    editions: tuple[t.Edition, ...] = t.EDITIONS if edition == "all" else (edition,)  # type: ignore[assignment]
    options = {key: value for key, value in format_options.items() if value is not None}
    names = list(format_names) or sorted(registry)
    plan = plan_catalogue(course_dir, names, editions, options, count)
    click.echo(json.dumps(plan_json(plan, shard), indent=1, ensure_ascii=False))


def _packets_plan(
    course_dir: Path, register_location: str | None, count: int, shard: Shard | None
) -> dict[str, Any]:
    from casekit.config.settings import load_config
    from casekit.diagnostics import Diagnostics, error
    from casekit.learners.packet_plan import enrolled_groups, packets_plan_json
    from casekit.learners.register import open_register

    config = load_config(course_dir, Diagnostics())
    if config is None:
        raise error(str(course_dir / "course.toml"), "not a course: run casekit check", "no-course")
    with open_register(register_location, write=False) as register:
        units = enrolled_groups(register, config.id, course_dir)
    plan = packets_plan_json(config.id, units, count)
    if shard is not None:
        plan["jobs"] = [job for job in plan["jobs"] if job["shard"] == shard.index]
    return plan


COMMANDS = [plan_command]
