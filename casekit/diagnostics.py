"""Diagnostics are values: deep code collects them, only the CLI prints them."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"
        )


MAX_MESSAGE = 300  # characters: a 10 MB data: URI must not become a 10 MB line


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` without line breaks or control characters, shortened in the middle."""
    if len(text) > limit:
        text = f"{text[: limit * 2 // 3]}…{text[-limit // 3 :]}"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class CasekitError(Exception):
    """A user error that stops the work: printed as one diagnostic line, no traceback."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic

    def __reduce__(self) -> tuple[type, tuple[Diagnostic]]:
        return (type(self), (self.diagnostic,))  # crosses process boundaries (--jobs)


#: a diagnostic's code: lower-case words joined by '-' (``config-value``), one per failure
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Located(Protocol):
    """A place in a file (``tree.Pos``): where a diagnostic points."""

    path: str
    line: int
    column: int


def diagnostic(
    where: str | Located,
    message: str,
    code: str,
    line: int = 1,
    column: int = 1,
    severity: Severity = "error",
) -> Diagnostic:
    """The one way a diagnostic is made: at ``where`` (a path, then ``line`` and
    ``column``; or a position that carries all three), its message and its code."""
    if not CODE.fullmatch(code):
        raise ValueError(f"diagnostic code {code!r}: give (where, message, code)")
    if not isinstance(where, str):
        where, line, column = where.path, where.line, where.column
    return Diagnostic(one_line(where), line, column, severity, code, one_line(message))


def error(
    where: str | Located, message: str, code: str, line: int = 1, column: int = 1
) -> CasekitError:
    """A ``CasekitError`` (raised: the work stops) for a problem at ``where``."""
    return CasekitError(diagnostic(where, message, code, line, column))


@dataclass
class Diagnostics:
    """A collection of diagnostics from every stage of a course."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(
        self, where: str | Located, message: str, code: str, line: int = 1, column: int = 1
    ) -> None:
        self.items.append(diagnostic(where, message, code, line, column, "error"))

    def warning(
        self, where: str | Located, message: str, code: str, line: int = 1, column: int = 1
    ) -> None:
        self.items.append(diagnostic(where, message, code, line, column, "warning"))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    def sorted(self, strict: bool = False) -> list[Diagnostic]:
        """Unique diagnostics sorted by place; with ``strict`` warnings become errors."""
        items = set(self.items)
        if strict:
            items = {
                Diagnostic(d.path, d.line, d.column, "error", d.code, d.message) for d in items
            }
        return sorted(items)

    def has_errors(self, strict: bool = False) -> bool:
        return any(d.severity == "error" or strict for d in self.items)

    def counts(self, strict: bool = False) -> tuple[int, int]:
        found = self.sorted(strict)
        errors = sum(d.severity == "error" for d in found)
        return errors, len(found) - errors


def to_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], ensure_ascii=False, indent=2)
