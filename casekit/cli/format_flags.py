"""The ``build`` command's format flags, made from the formats' options dataclasses.

An option that several formats declare (``paper`` for PDF and DOCX) is one flag that
sets it for each of them; its help names those formats.

A command line is parsed with casekit's own formats first; the formats of other
packages (entry points, whose discovery is a tenth of a no-change build's start-up) are
read only when it names a flag or a format casekit's own do not have, or asks for help.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from casekit.formats import Format, formats, own_formats
from casekit.formats.options import Option, options_of

#: while ``WithFormatFlags`` tries casekit's own formats alone
_own_only = False


@contextmanager
def _own_formats_only() -> Iterator[None]:
    global _own_only
    _own_only = True
    try:
        yield
    finally:
        _own_only = False


def _parsing_formats() -> dict[str, Format]:
    return own_formats() if _own_only else formats()


def format_flags(registry: dict[str, Format]) -> list[click.Option]:
    """One click option per option name across ``registry``, in registry order."""
    owners: dict[str, list[str]] = {}
    declared: dict[str, Option] = {}
    for name, fmt in registry.items():
        for opt in options_of(fmt.options):
            first = declared.setdefault(opt.name, opt)
            if (first.type, first.flag) != (opt.type, opt.flag):
                raise click.UsageError(
                    f"formats {owners[opt.name][0]} and {name} declare the option "
                    f"{opt.name} differently"
                )
            owners.setdefault(opt.name, []).append(name)
    flags = []
    for name, opt in declared.items():
        label = "/".join(owner.upper() for owner in owners[name])
        note = ""
        if opt.type is not bool:
            shown = f"{opt.default:g}" if opt.type is float else opt.default
            note = f" (default: course.toml, else {shown})" if shown else " (default: course.toml)"
        help_text = f"{label}: {opt.spec.help[0].upper()}{opt.spec.help[1:]}{note}."
        if opt.type is bool:
            decls = [f"{opt.flag}/--no-{opt.flag[2:]}", name]
            flags.append(click.Option(decls, default=None, help=help_text))
            continue
        kind: click.ParamType | type = opt.type
        if opt.spec.choices:
            kind = click.Choice(opt.spec.choices)
        elif opt.spec.minimum is not None or opt.spec.maximum is not None:
            ranged = click.FloatRange if opt.type is float else click.IntRange
            kind = ranged(opt.spec.minimum, opt.spec.maximum)
        flags.append(click.Option([opt.flag, name], type=kind, default=None, help=help_text))
    return flags


class FormatChoice(click.Choice):
    """The registered formats' names, read when the command runs (plugins included)."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return sorted(_parsing_formats())

    @choices.setter
    def choices(self, _value: object) -> None:
        pass


format_option = click.option(
    "-f",
    "--format",
    "format_names",
    multiple=True,
    type=FormatChoice(),
    help="Output format (repeat for several). Default: every format.",
)
edition_option = click.option(
    "-e",
    "--edition",
    type=click.Choice(["learner", "teacher", "all"]),
    default="all",
    show_default=True,
    help="Which edition to build.",
)


class WithFormatFlags(click.Command):
    """A command (``build``, ``plan``) whose format flags come from the formats' options,
    read when it runs (plugins included): after its ``--strict``, else last."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        names = [p.name for p in params]
        at = names.index("strict") + 1 if "strict" in names else len(params) - 1
        return [*params[:at], *format_flags(_parsing_formats()), *params[at:]]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        helping = ctx.resilient_parsing or any(a in ctx.help_option_names for a in args)
        if not helping:
            try:
                with _own_formats_only():
                    return super().parse_args(ctx, list(args))
            except (click.NoSuchOption, click.BadParameter):
                ctx.params.clear()  # parsed again below, with every format
        return super().parse_args(ctx, args)
