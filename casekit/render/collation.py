"""Alphabetical order for Kazakh, Russian and English terms (glossaries, indexes)."""

from __future__ import annotations

import unicodedata

# Kazakh Cyrillic alphabet order (42 letters); Russian is the same list without
# the Kazakh letters, so one order serves both.
_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: index for index, letter in enumerate(_CYRILLIC)}


def sort_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A key that orders Latin letters before Cyrillic, each in its alphabet."""
    key: list[tuple[int, int | str]] = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        if char in _RANK:
            key.append((2, _RANK[char]))
        elif char.isalnum():
            key.append((1, unicodedata.normalize("NFD", char)[0]))
    return tuple(key)
