"""Where each key of a TOML file is written: its line, by key path.

``tomllib`` gives values without places; diagnostics need the line of the key. This
reads the (already valid) text once, following table headers, arrays of tables
(``[[modules]]`` gets its index), dotted keys and multi-line strings and arrays.
"""

from __future__ import annotations

import re

#: a path of keys: ``("print", "paper")``, ``("modules", 0, "title")``
KeyPath = tuple[str | int, ...]

_KEY = re.compile(r'\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|\'([^\']*)\')\s*')


def _keys(text: str) -> tuple[list[str], int]:
    """The dotted key at the start of ``text`` and where it ends."""
    keys, at = [], 0
    while match := _KEY.match(text, at):
        keys.append(next(g for g in match.groups() if g is not None))
        at = match.end()
        if text[at : at + 1] != ".":
            break
        at += 1
    return keys, at


def _nesting(text: str, depth: int, quote: str) -> tuple[int, str]:
    """Bracket depth and open multi-line quote after ``text``, from ``depth``/``quote``."""
    i = 0
    while i < len(text):
        if quote:
            if quote in ('"', '"""') and text[i] == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i, quote = i + len(quote), ""
                continue
            i += 1
            continue
        c = text[i]
        if c == "#":
            break
        if text.startswith('"""', i) or text.startswith("'''", i):
            quote = text[i : i + 3]
            i += 3
            continue
        if c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    if quote in ('"', "'"):  # a one-line string cannot run on
        quote = ""
    return depth, quote


def key_lines(text: str) -> dict[KeyPath, int]:
    """Line (1-based) of every table header and key of ``text``; a dotted key also
    places its prefixes, an inline table only itself."""
    lines: dict[KeyPath, int] = {}
    arrays: dict[tuple[str, ...], int] = {}  # array-of-tables path -> last index
    table: KeyPath = ()
    depth, quote = 0, ""

    def resolve(keys: list[str]) -> KeyPath:
        """A header's path, with the current index of each array of tables in it."""
        path: KeyPath = ()
        for n, key in enumerate(keys):
            path += (key,)
            named = tuple(keys[: n + 1])
            if named in arrays and n < len(keys) - 1:
                path += (arrays[named],)
        return path

    for number, line in enumerate(text.splitlines(), start=1):
        if depth or quote:
            depth, quote = _nesting(line, depth, quote)
            continue
        body = line.lstrip()
        if body.startswith("[["):
            keys, end = _keys(body[2:])
            arrays[tuple(keys)] = arrays.get(tuple(keys), -1) + 1
            path = resolve(keys)
            lines.setdefault(path, number)
            table = path + (arrays[tuple(keys)],)
            lines[table] = number
            continue
        if body.startswith("["):
            keys, end = _keys(body[1:])
            table = resolve(keys)
            lines.setdefault(table, number)
            continue
        keys, end = _keys(body)
        if keys and body[end : end + 1] == "=":
            for n in range(1, len(keys) + 1):
                lines.setdefault(table + tuple(keys[:n]), number)
            depth, quote = _nesting(body[end + 1 :], 0, "")
    return lines


def field_path(field: str) -> KeyPath:
    """``"modules[2].title"`` -> ``("modules", 1, "title")``; ``"fonts.bold"`` likewise."""
    path: list[str | int] = []
    for part in field.split("."):
        name, _, index = part.partition("[")
        path.append(name)
        if index:
            path.append(int(index.rstrip("]")) - 1)
    return tuple(path)


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, else of its nearest written parent, else 1."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1
