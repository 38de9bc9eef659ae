"""Declarative settings: a dataclass whose fields are ``setting()`` is a schema.

One declaration per key gives its type (the field's annotation), default, whether it is
required, its allowed values, range or pattern, and its help. From it come the
``course.toml`` loader (``read_table``: every error one line naming the key and its
line), the checks of the formats' own tables and flags (``formats/options.py`` builds
on ``Spec``), and the tables of docs/format.md (``schema_markdown``, kept equal by a
test). Types: ``str``, ``bool``, ``int``, ``float``, ``float | None``, ``datetime.date``,
``list[str]``, ``dict[str, str]``, a nested schema (a table) and ``list[schema]`` (an
array of tables).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints

from casekit.config.positions import KeyPath, line_of
from casekit.diagnostics import Diagnostics

#: how a type is named in errors and in the docs
TYPE_NAMES: dict[Any, str] = {
    bool: "true or false",
    str: "a string",
    int: "a whole number",
    float: "a number",
    dt.date: "a date (YYYY-MM-DD)",
    list: "a list of strings",
    dict: "a table",
}
_DOC_NAMES = {"true or false": "boolean", "a date (YYYY-MM-DD)": "date"}


@dataclass(frozen=True)
class Spec:
    """What ``setting()`` records about one key."""

    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None  # a number's least value; a list's fewest items
    maximum: float | None = None
    unit: str = ""  # named after a range error: "(millimetres)"
    pattern: str = ""  # a regular expression a string must match in full
    pattern_help: str = ""  # what the pattern means, for its error
    #: a ``dict[str, str]`` table: the keys it may have (called when checked)
    keys: Callable[[], Collection[str]] | None = None
    #: a further check of one value (of a table's entry: ``(key, value)``): the problem
    check: Callable[[Any], str | None] | None = None
    doc: str = ""  # the docs' name of the key, when not ``name`` (``[print]``)


def setting(default: Any = dataclasses.MISSING, help: str = "", **spec: Any) -> Any:
    """A key of a schema. Without a default it is required; a list or table default is
    built fresh for each value."""
    meta = {"casekit": Spec(help, required=default is dataclasses.MISSING, **spec)}
    if isinstance(default, (list, dict)) or (
        isinstance(default, type) and dataclasses.is_dataclass(default)
    ):
        factory = (lambda d=default: type(d)(d)) if not isinstance(default, type) else default
        return dataclasses.field(default_factory=factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclass(frozen=True)
class Key:
    """One key of a schema, as the loader and the docs see it."""

    name: str
    type: Any
    spec: Spec
    default: Any

    @property
    def table(self) -> type | None:
        """The schema of a nested table, or of each table of an array of tables."""
        kind = self.type
        if typing.get_origin(kind) is list:
            kind = typing.get_args(kind)[0]
        return kind if isinstance(kind, type) and dataclasses.is_dataclass(kind) else None

    @property
    def is_array(self) -> bool:
        return typing.get_origin(self.type) is list and self.table is not None


def keys_of(schema: type) -> list[Key]:
    """The keys a schema declares, in order (fields without ``setting()`` are not keys)."""
    hints = get_type_hints(schema)
    found = []
    for f in dataclasses.fields(schema):
        spec = f.metadata.get("casekit")
        if spec is None:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        found.append(Key(f.name, hints[f.name], spec, default))
    return found


def _plain(kind: Any) -> Any:
    """``float | None`` -> ``float``; ``int | float`` (a number kept as written) -> ``float``."""
    if isinstance(kind, types.UnionType):
        args = {a for a in typing.get_args(kind) if a is not type(None)}
        return float if args <= {int, float} else kind
    return kind


def type_name(kind: Any) -> str:
    """``int`` -> "a whole number"; ``float | None`` -> "a number"; a table -> "a table"."""
    kind = _plain(kind)
    if typing.get_origin(kind) is list:
        inner = typing.get_args(kind)[0]
        return "an array of tables" if dataclasses.is_dataclass(inner) else TYPE_NAMES[list]
    if typing.get_origin(kind) is dict or dataclasses.is_dataclass(kind):
        return TYPE_NAMES[dict]
    return TYPE_NAMES[kind]


def _number(low: float | None) -> str:
    return f"{low:g}"


def problem(kind: Any, spec: Spec, value: Any) -> tuple[str, str, Any]:
    """Check one value against its key: ``("", "", value)`` when it is allowed (the value
    as the schema types it, e.g. an int for a float key), else the diagnostic code and
    the message after "field 'x' "."""
    as_written = isinstance(kind, types.UnionType) and int in typing.get_args(kind)
    kind = _plain(kind)
    wrong = ("config-type", f"must be {type_name(kind)}, not {type(value).__name__}", value)
    if kind is dt.date:
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return "config-value", f"must be a date like 2026-09-01, not {value!r}", value
        elif not isinstance(value, dt.date):
            return wrong
    elif typing.get_origin(kind) is list:
        if not isinstance(value, list):
            return wrong
        if odd := [type(v).__name__ for v in value if not isinstance(v, str)]:
            return "config-type", f"must be {type_name(kind)}, not a list holding {odd[0]}", value
        if spec.minimum is not None and len(value) < spec.minimum:
            return "config-value", "must not be empty", value
    elif kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = value if as_written else float(value)
    elif not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        return wrong
    if spec.choices and value not in spec.choices:
        return "config-value", f"must be one of {', '.join(spec.choices)}, not {value!r}", value
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        return "config-value", f"must be {spec.pattern_help}, not {value!r}", value
    low, high = spec.minimum, spec.maximum
    if isinstance(value, (int, float)) and (
        (low is not None and not value >= low) or (high is not None and not value <= high)
    ):
        unit = f" ({spec.unit})" if spec.unit else ""
        return "config-value", f"must be between {_number(low)} and {_number(high)}{unit}", value
    if spec.check and (message := spec.check(value)):
        return "config-value", message, value
    return "", "", value


def _name(path: KeyPath) -> str:
    """``("modules", 0, "title")`` -> ``"modules[1].title"``."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if text else part
    return text


@dataclass
class Reader:
    """Reads a parsed TOML document into schema dataclasses, reporting every problem."""

    path: str  # the file, as diagnostics name it
    lines: dict[KeyPath, int]
    diags: Diagnostics

    def fail(self, where: KeyPath, code: str, message: str) -> None:
        self.diags.error(self.path, message, code, line_of(self.lines, where))

    def table(self, schema: type, data: Mapping[str, Any], where: KeyPath = ()) -> Any:
        """The schema's dataclass from ``data``, or ``None`` when a key of it is wrong
        (each wrong key reported). Tables no key names go to the schema's ``tables``
        field, when it has one (the formats' own tables, checked by the build)."""
        keys = {key.name: key for key in keys_of(schema)}
        rest = "tables" if "tables" in {f.name for f in dataclasses.fields(schema)} else ""
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        ok = True
        for name, value in data.items():
            at = where + (name,)
            key = keys.get(name)
            if key is None and rest and isinstance(value, dict):
                extra[name] = value
            elif key is None:
                known = ", ".join(sorted(keys))
                self.fail(
                    at,
                    "config-unknown-field",
                    f"unknown field '{_name(at)}' (known fields: {known})",
                )
                ok = False
            else:
                found = self.value(key, value, at)
                ok = ok and found is not _BAD
                values[name] = found
        for key in keys.values():
            if key.spec.required and key.name not in data:
                self.fail(
                    where, "config-missing-field", f"missing field '{_name(where + (key.name,))}'"
                )
                ok = False
        if not ok:
            return None
        if rest:
            values[rest] = extra
        if "line" in {f.name for f in dataclasses.fields(schema)}:
            values["line"] = line_of(self.lines, where)
        return schema(**values)

    def value(self, key: Key, value: Any, at: KeyPath) -> Any:
        """One key's value as its type, or ``_BAD`` (reported)."""
        inner = key.table
        if inner is not None and not key.is_array:
            if not isinstance(value, dict):
                self.fail(at, "config-type", f"field '{_name(at)}' must be a table")
                return _BAD
            found = self.table(inner, value, at)
            return _BAD if found is None else found
        if key.is_array:
            if not isinstance(value, list):
                self.fail(at, "config-type", f"field '{_name(at)}' must be {type_name(key.type)}")
                return _BAD
            if key.spec.minimum is not None and len(value) < key.spec.minimum:
                self.fail(at, "config-value", f"field '{_name(at)}' must not be empty")
                return _BAD
            items = []
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    self.fail(
                        at + (index,),
                        "config-type",
                        f"field '{_name(at + (index,))}' must be a table",
                    )
                    items.append(None)
                else:
                    items.append(self.table(inner, item, at + (index,)))  # type: ignore[arg-type]
            return _BAD if None in items else items
        if typing.get_origin(key.type) is dict:
            return self.entries(key, value, at)
        code, message, found = problem(key.type, key.spec, value)
        if code:
            self.fail(at, code, f"field '{_name(at)}' {message}")
            return _BAD
        return found

    def entries(self, key: Key, value: Any, at: KeyPath) -> Any:
        """A ``dict[str, str]`` table: every key known, every value a checked string."""
        if not isinstance(value, dict):
            self.fail(at, "config-type", f"field '{_name(at)}' must be a table")
            return _BAD
        known = key.spec.keys() if key.spec.keys else None
        ok = True
        for name, text in value.items():
            where = at + (name,)
            if known is not None and name not in known:
                listed = ", ".join(sorted(known))
                self.fail(
                    where,
                    "config-unknown-field",
                    f"field '{_name(where)}' is not a label casekit adds; known: {listed}",
                )
                ok = False
            elif not isinstance(text, str):
                self.fail(where, "config-type", f"field '{_name(where)}' must be a string")
                ok = False
            elif key.spec.check and (message := key.spec.check((name, text))):
                self.fail(where, "config-value", f"field '{_name(where)}' {message}")
                ok = False
        return dict(value) if ok else _BAD


_BAD = object()  # a value that was reported as wrong


def _default_text(key: Key) -> str:
    if key.spec.required:
        return "required"
    if key.default in (None, "", [], {}) or key.table:
        return "none"
    if isinstance(key.default, float):
        return f"`{key.default:g}`"
    return f"`{json.dumps(key.default, default=str)}`"


def _meaning(key: Key) -> str:
    text = key.spec.help
    if key.spec.choices:
        text += " One of " + ", ".join(f"`{c}`" for c in key.spec.choices) + "."
    if key.spec.minimum is not None and key.spec.maximum is not None:
        text += f" {key.spec.minimum:g} to {key.spec.maximum:g}."
    return text


def _doc_type(key: Key) -> str:
    name = type_name(key.type)
    return _DOC_NAMES.get(name, name.removeprefix("an ").removeprefix("a "))


def schema_markdown(schema: type) -> str:
    """The docs of a schema: one table of its keys, then one per nested table."""
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    nested = []
    for key in keys_of(schema):
        name = key.spec.doc or (
            f"[[{key.name}]]"
            if key.is_array
            else f"[{key.name}]"
            if key.table or typing.get_origin(key.type) is dict
            else key.name
        )
        rows.append(f"| `{name}` | {_doc_type(key)} | {_default_text(key)} | {_meaning(key)} |")
        if key.table:
            nested.append(f"`{name}`:\n\n" + schema_markdown(key.table))
    return "\n\n".join(["\n".join(rows), *nested])
