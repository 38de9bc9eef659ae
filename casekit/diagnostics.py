"""Diagnostics are values: deep code collects them, only the CLI prints them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

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


class CasekitError(Exception):
    """A user error that stops the work: printed as one diagnostic line, no traceback."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic

    def __reduce__(self) -> tuple[type, tuple[Diagnostic]]:
        return (type(self), (self.diagnostic,))  # crosses process boundaries (--jobs)


def error(path: str, message: str, code: str, line: int = 1, column: int = 1) -> CasekitError:
    """A ``CasekitError`` for a problem at ``path:line:column``."""
    return CasekitError(Diagnostic(path, line, column, "error", code, message))


@dataclass
class Diagnostics:
    """A collection of diagnostics from every stage of a course."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        path: str,
        line: int,
        column: int,
        severity: Severity,
        code: str,
        message: str,
    ) -> None:
        self.items.append(Diagnostic(path, line, column, severity, code, message))

    def error(self, pos: object, code: str, message: str) -> None:
        self.add(pos.path, pos.line, pos.column, "error", code, message)  # type: ignore[attr-defined]

    def warning(self, pos: object, code: str, message: str) -> None:
        self.add(pos.path, pos.line, pos.column, "warning", code, message)  # type: ignore[attr-defined]

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
