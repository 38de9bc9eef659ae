"""Values as JSON and back, checked against the type the reader expects.

The build cache keeps parsed lessons, media probes and diagnostics between builds,
and later between machines: whoever can write the cache folder controls its bytes,
so an entry must never be able to run code (no pickle) and is read as untrusted
input. ``decode`` accepts only what ``expected`` allows: the exact dataclasses
named in its type hints (by a ``"$"`` tag, with exactly their fields), ``str``,
``int``, ``float``, ``bool``, ``None``, ``Literal`` values, lists, tuples and
string-keyed dicts. Anything else raises ``TypedJsonError``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

TAG = "$"
_PRIMITIVES = (str, int, float, bool)


class TypedJsonError(ValueError):
    """The data is not a value of the expected type (the message says where)."""


def encode(value: object) -> bytes:
    """``value`` (dataclasses, lists, tuples, dicts, primitives) as UTF-8 JSON."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of dataclass ``kind`` (``None``: not a dataclass), found once per
    type: asking ``dataclasses`` for every value of a parsed course was most of the time
    a build spends storing it."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind))


def _plain(value: object) -> object:
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    names = _field_names(kind)
    if names is not None:
        out: dict[str, object] = {TAG: kind.__name__}
        for name in names:
            out[name] = _plain(getattr(value, name))
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, _PRIMITIVES):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} as typed JSON")


def decode(data: bytes, expected: Any) -> Any:
    """The value of type ``expected`` that ``data`` holds; raises ``TypedJsonError``."""
    try:
        return _reader(expected)(json.loads(data.decode("utf-8")), "$")
    except TypedJsonError:
        raise
    except (ValueError, RecursionError) as exc:  # not JSON, or nested too deeply
        raise TypedJsonError(f"not a cache entry: {type(exc).__name__}") from None


Reader = Callable[[object, str], Any]


def _wrong(data: object, expected: Any, where: str) -> TypedJsonError:
    return TypedJsonError(f"{where}: {type(data).__name__} is not a {expected!r}")


@functools.cache
def _reader(expected: Any) -> Reader:
    """A function that reads a value of type ``expected`` (made once per type)."""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is type(None) or expected is None:
        return _exact(type(None), expected)
    if origin in (Union, types.UnionType):
        return _union(args)
    if origin is Literal:
        allowed = {(type(a), a) for a in args}

        def literal(data: object, where: str) -> Any:
            if (type(data), data) in allowed:
                return data
            raise _wrong(data, expected, where)

        return literal
    if origin is list:
        return _sequence(list, _reader(args[0]), expected)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(tuple, _reader(args[0]), expected)
    if origin is tuple:
        return _fixed_tuple([_reader(a) for a in args], expected)
    if origin is dict:
        return _mapping(_reader(args[1]), expected)
    if dataclasses.is_dataclass(expected):
        return _dataclass(expected)
    if expected is float:

        def number(data: object, where: str) -> Any:
            if type(data) in (int, float):
                return float(data)  # type: ignore[arg-type]
            raise _wrong(data, expected, where)

        return number
    if expected in _PRIMITIVES:
        return _exact(expected, expected)
    raise TypeError(f"typed JSON cannot read {expected!r}")


def _exact(kind: type, expected: Any) -> Reader:
    def exact(data: object, where: str) -> Any:
        if type(data) is kind:
            return data
        raise _wrong(data, expected, where)

    return exact


def _sequence(make: type, item: Reader, expected: Any) -> Reader:
    def sequence(data: object, where: str) -> Any:
        if type(data) is not list:
            raise _wrong(data, expected, where)
        return make([item(value, where) for value in data])

    return sequence


def _fixed_tuple(items: list[Reader], expected: Any) -> Reader:
    def fixed(data: object, where: str) -> Any:
        if type(data) is not list or len(data) != len(items):
            raise _wrong(data, expected, where)
        return tuple(read(value, where) for read, value in zip(items, data, strict=True))

    return fixed


def _mapping(value: Reader, expected: Any) -> Reader:
    def mapping(data: object, where: str) -> Any:
        if type(data) is not dict:
            raise _wrong(data, expected, where)
        return {k: value(v, f"{where}.{k}") for k, v in data.items()}

    return mapping


def _union(args: tuple[Any, ...]) -> Reader:
    classes = {a.__name__: a for a in args if dataclasses.is_dataclass(a)}
    others = [a for a in args if not dataclasses.is_dataclass(a)]

    def union(data: object, where: str) -> Any:
        if type(data) is dict and data.get(TAG) in classes:
            return _reader(classes[data[TAG]])(data, where)
        for other in others:
            try:
                return _reader(other)(data, where)
            except TypedJsonError:
                pass
        raise TypedJsonError(f"{where}: {type(data).__name__} is none of {args!r}")

    return union


def _dataclass(cls: Any) -> Reader:
    name = cls.__name__
    allowed = {f.name for f in dataclasses.fields(cls)} | {TAG}
    fields: list[tuple[str, Reader]] | None = None

    def read(data: object, where: str) -> Any:
        nonlocal fields
        if fields is None:  # resolved on first use: the hints may refer to later classes
            hints = typing.get_type_hints(cls)
            fields = [(f.name, _reader(hints[f.name])) for f in dataclasses.fields(cls)]
        if type(data) is not dict or data.get(TAG) != name:
            raise TypedJsonError(f"{where}: not a {name}")
        if not allowed.issuperset(data):
            unknown = sorted(set(data) - allowed)[0]
            raise TypedJsonError(f"{where}: {name} has no field {unknown!r}")
        values = {key: reader(data[key], where) for key, reader in fields if key in data}
        try:
            return cls(**values)
        except TypeError as exc:  # a required field is missing
            raise TypedJsonError(f"{where}: {exc}") from None

    return read
