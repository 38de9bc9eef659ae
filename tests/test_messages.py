"""The built-in message files: every language has every word English has, with the
same placeholders, so no Kazakh, Russian or Ukrainian output falls back to English."""

from __future__ import annotations

import string
from importlib import resources

import pytest
import tomllib

from casekit.messages import BUILT_IN


def table(language: str) -> dict[str, str]:
    text = resources.files("casekit.messages").joinpath(f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def words(text: str) -> bool:
    """Whether ``text`` has letters outside its placeholders."""
    return any(c.isalpha() for literal, *_ in string.Formatter().parse(text) for c in literal)


@pytest.mark.parametrize("language", [lang for lang in BUILT_IN if lang != "en"])
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    english, own = table("en"), table(language)
    assert sorted(set(english) - set(own)) == [], "missing: they would print in English"
    assert sorted(set(own) - set(english)) == [], "not in en.toml: never used"
    assert [k for k in english if placeholders(own[k]) != placeholders(english[k])] == []


@pytest.mark.parametrize("language", [lang for lang in BUILT_IN if lang != "en"])
def test_no_message_is_left_in_english(language: str) -> None:
    english, own = table("en"), table(language)
    same = [k for k, v in english.items() if own[k] == v and words(v)]
    assert same == []
