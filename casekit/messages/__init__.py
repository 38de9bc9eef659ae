"""Per-language message files: every word casekit itself adds to a document."""

from __future__ import annotations

import sys
from functools import cache
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class Messages:
    """Labels of one language; ``messages("figure", number="2.1")``."""

    def __init__(self, language: str, table: dict[str, str]) -> None:
        self.language = language
        self.table = table

    def __call__(self, key: str, **values: object) -> str:
        return self.table[key].format(**values)


@cache
def messages(language: str) -> Messages:
    """The messages of ``language`` (kk, ru or en); missing keys fall back to English."""
    english = _load("en")
    table = {**english, **_load(language)} if language != "en" else english
    return Messages(language, table)


def _load(language: str) -> dict[str, str]:
    text = resources.files(__name__).joinpath(f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)
