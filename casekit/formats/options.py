"""A format's options: one frozen dataclass per format, the single source of its
command-line flags, its ``course.toml`` table and its part of the build fingerprint.

Each field is declared with ``option()``: its help text (shown by ``casekit build
--help``), and where needed its allowed values, its range, its flag name and the course
setting it falls back to. A value comes from, first to last: the command line, the
format's table in ``course.toml`` (``[pdf]``, ``[usb]``, ...), the course setting named
by ``course`` (the ``[print]`` table, ``stick_size``), the field's default.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_type_hints

from casekit.config.schema import TYPE_NAMES, Spec, problem
from casekit.config.settings import COURSE_FILE, CourseConfig, config_field_line, setting_spec
from casekit.diagnostics import Diagnostics

#: the Python types an option may have
OPTION_TYPES = (bool, str, int, float)


@dataclass(frozen=True)
class OptionSpec(Spec):
    """What ``option()`` records about one field: a setting's declaration (help,
    choices, range), its flag and the course setting it falls back to."""

    flag: str = ""  # the command-line flag without dashes; default: the field name
    course: str = ""  # dotted CourseConfig key this option falls back to


@dataclass(frozen=True)
class Option:
    """One option of one format, as the CLI, the loader and the docs see it."""

    name: str  # the field name, also the key in course.toml
    type: type
    default: Any
    spec: OptionSpec

    @property
    def flag(self) -> str:
        return "--" + (self.spec.flag or self.name.replace("_", "-"))


def option(
    default: Any,
    help: str,
    *,
    choices: tuple[str, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
    flag: str = "",
    course: str = "",
) -> Any:
    """A field of a format's options dataclass. An option that falls back to a course
    setting (``course=``) allows what that setting allows, unless it says otherwise."""
    if course:
        like = setting_spec(course)
        choices = choices or like.choices
        minimum = like.minimum if minimum is None else minimum
        maximum = like.maximum if maximum is None else maximum
    spec = OptionSpec(
        help, choices=choices, minimum=minimum, maximum=maximum, flag=flag, course=course
    )
    return dataclasses.field(default=default, metadata={"casekit": spec})


def original_images_option() -> Any:
    """The one declaration of ``original_images`` (PDF, DOCX, EPUB: render/resample.py)."""
    return option(
        False,
        "embed images as they are, not resampled to what the output shows "
        "(300 dpi in print, 1600 pixels on screen)",
    )


@dataclass(frozen=True)
class NoOptions:
    """The options of a format that has none."""


@dataclass(frozen=True)
class PageOptions:
    """What every printable format (PDF, DOCX) reads: the ``[print]`` table's page
    settings, which its own table and the command line override."""

    paper: str = option("A4", "paper size", course="print.paper")
    margins_mm: float = option(
        20.0, "page margins in millimetres", flag="margins", course="print.margins_mm"
    )
    large_print: bool = option(
        False,
        "body text of 18 pt or more for learners with low vision",
        course="print.large_print",
    )
    #: personal packets (casekit.learners) print each learner's own sheets instead
    answer_sheets: bool = option(True, "answer sheets after assignments and self-checks")
    original_images: bool = original_images_option()


def options_of(cls: type) -> list[Option]:
    """The options a format's dataclass declares, in declaration order."""
    hints = get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("casekit")
        kind = hints[f.name]
        if spec is None or kind not in OPTION_TYPES:
            raise TypeError(
                f"{cls.__name__}.{f.name}: declare it with option() as bool, str, int or float"
            )
        found.append(Option(f.name, kind, f.default, spec))
    return found


def _course_value(config: CourseConfig, dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _problem(opt: Option, value: Any) -> tuple[str, str] | None:
    """The diagnostic code and message when ``value`` is not allowed for ``opt``."""
    code, message, _value = problem(opt.type, opt.spec, value)
    return (code, message) if code else None


def check_table(name: str, cls: type, config: CourseConfig, root: Path, diags: Diagnostics) -> None:
    """Report every unknown key and bad value of the format's ``[name]`` table."""
    known = {opt.name: opt for opt in options_of(cls)}
    for key, value in config.tables.get(name, {}).items():
        field = f"{name}.{key}"
        line = config_field_line(root, field)
        opt = known.get(key)
        if opt is None:
            listed = ", ".join(sorted(known)) or "none"
            diags.error(
                COURSE_FILE,
                f"unknown field '{field}' (known fields: {listed})",
                "config-unknown-field",
                line,
            )
        elif problem := _problem(opt, value):
            code, message = problem
            diags.error(COURSE_FILE, f"field '{field}' {message}", code, line)


def option_origin(
    name: str, cls: type, config: CourseConfig, field: str, given: Mapping[str, Any] | None = None
) -> str:
    """Where option ``field`` of format ``name`` takes its value from, in the order
    ``resolve_options`` reads them: its flag (``--braille-grade``), its key in the
    format's table (``brf.braille_grade``), the course setting (``braille.grade``),
    or "" for the default."""
    opt = {o.name: o for o in options_of(cls)}[field]
    table = config.tables.get(name, {})
    if given and given.get(field) is not None:
        return opt.flag
    if field in table and not _problem(opt, table[field]):
        return f"{name}.{field}"
    if opt.spec.course and _course_value(config, opt.spec.course) != opt.default:
        return opt.spec.course
    return ""


def resolve_options(
    name: str, cls: type, config: CourseConfig, given: Mapping[str, Any] | None = None
) -> Any:
    """The format's options: command line (``given``, by field name) over its
    ``course.toml`` table over the course setting over the default. Table values that
    ``check_table`` reports are skipped here."""
    table = config.tables.get(name, {})
    values = {}
    for opt in options_of(cls):
        if given and given.get(opt.name) is not None:
            value = given[opt.name]
        elif opt.name in table and not _problem(opt, table[opt.name]):
            value = table[opt.name]
        elif opt.spec.course:
            value = _course_value(config, opt.spec.course)
        else:
            value = opt.default
        values[opt.name] = float(value) if opt.type is float else value
    return cls(**values)


def options_markdown(name: str, cls: type) -> str:
    """The documentation of a format's ``[name]`` table (docs/format.md shows it; a test
    keeps the two the same)."""
    rows = [f"`[{name}]`:", "", "| field | type | default | meaning |", "|---|---|---|---|"]
    for opt in options_of(cls):
        default = f"`{json.dumps(opt.default)}`" if opt.default != "" else "none"
        if opt.type is float:
            default = f"`{opt.default:g}`"
        if opt.spec.course:
            default = f"`{opt.spec.course}`, else {default}"
        meaning = opt.spec.help[0].upper() + opt.spec.help[1:] + "."
        if opt.spec.choices:
            meaning += " One of " + ", ".join(f"`{c}`" for c in opt.spec.choices) + "."
        if opt.spec.minimum is not None and opt.spec.maximum is not None:
            meaning += f" {opt.spec.minimum:g} to {opt.spec.maximum:g}."
        kind = TYPE_NAMES[opt.type].removeprefix("a ").replace("true or false", "boolean")
        rows.append(f"| `{opt.name}` | {kind} | {default} | {meaning} Flag: `{opt.flag}`. |")
    return "\n".join(rows)
