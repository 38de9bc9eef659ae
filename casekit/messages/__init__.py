"""Per-language message files: every word casekit itself adds to a document.

kk, ru, en and uk are built in; any other language gets the English words (``check``
warns). A course may reword any label in its ``[labels]`` table."""

from __future__ import annotations

import string
import sys
from collections.abc import Mapping
from functools import cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUILT_IN = ("kk", "ru", "en", "uk")


class Messages:
    """Labels of one language; ``messages("figure", number="2.1")``.

    ``language`` is the course's own tag (``uk-UA``), whatever words it falls back to."""

    def __init__(self, language: str, table: dict[str, str]) -> None:
        self.language = language
        self.table = table

    def __call__(self, key: str, **values: object) -> str:
        return self.table[key].format(**values)


def built_in_language(tag: str) -> str | None:
    """The built-in message language of a BCP 47 tag (``uk-UA`` → ``uk``), or None."""
    primary = tag.split("-", 1)[0].lower()
    return primary if primary in BUILT_IN else None


def messages(language: str, labels: Mapping[str, str] | None = None) -> Messages:
    """The messages of the tag ``language`` with a course's ``labels`` put over them;
    missing keys and languages without built-in labels fall back to English."""
    table = _table(built_in_language(language) or "en")
    if labels:
        table = {**table, **labels}
    return Messages(language, table)


def course_messages(config: object) -> Messages:
    """The messages a course's outputs use (its language and its ``[labels]``)."""
    return messages(config.language, config.labels)  # type: ignore[attr-defined]


@cache
def _table(language: str) -> dict[str, str]:
    english = _load("en")
    return {**english, **_load(language)} if language != "en" else english


@cache
def label_names() -> frozenset[str]:
    """Every label a course may reword in ``[labels]``."""
    return frozenset(_load("en"))


def label_placeholders(key: str) -> list[str]:
    """The ``{placeholders}`` of a label (``figure`` has ``number``)."""
    return [name for _, name, _, _ in string.Formatter().parse(_load("en")[key]) if name]


@cache
def _load(language: str) -> dict[str, str]:
    text = resources.files(__name__).joinpath(f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)
