"""Alphabetical order for Kazakh, Russian, Ukrainian and English terms (glossaries, indexes)."""

from __future__ import annotations

import unicodedata

# Kazakh Cyrillic alphabet order (42 letters); Russian is the same list without
# the Kazakh letters, so one order serves both.
_CYRILLIC = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
# Ukrainian puts і, ї after и and has ґ, є of its own
_UKRAINIAN = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_RANKS = {
    alphabet: {letter: index for index, letter in enumerate(order)}
    for alphabet, order in (("", _CYRILLIC), ("uk", _UKRAINIAN))
}


def sort_key(text: str, language: str = "") -> tuple[tuple[int, int | str], ...]:
    """A key that orders Latin letters before Cyrillic, each in its alphabet
    (``language`` ``uk`` or a ``uk-`` tag: the Ukrainian one)."""
    rank = _RANKS["uk" if language.split("-")[0].lower() == "uk" else ""]
    key: list[tuple[int, int | str]] = []
    for char in unicodedata.normalize("NFC", text.casefold()):
        if char in rank:
            key.append((2, rank[char]))
        elif char.isalnum():
            key.append((1, unicodedata.normalize("NFD", char)[0]))
    return tuple(key)
