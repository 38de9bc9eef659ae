"""Break points in long words that no hyphenation dictionary covers.

reportlab breaks lines at spaces, at syllables where pyphen has a dictionary
(``styles.hyphenation_language``) and at soft hyphens, printing a hyphen there.
Kazakh has no dictionary, and file names or identifiers (``set_up_page_v2``)
are not words pyphen splits: such long words get soft hyphens where a break
reads naturally, after ``_ - . /`` and between syllables (a consonant before a
vowel). A word that still does not fit is cut at the line end
(``flowables.FastParagraph``); URLs are left to reportlab's URL splitting.
"""

from __future__ import annotations

import re

from reportlab.platypus.paragraph import _hy_letters_pat  # the words reportlab gives pyphen

SOFT_HYPHEN = "\xad"
#: shorter words fit a line of any page casekit prints, large print in a table cell aside
LONG_WORD = 12
_VOWELS = frozenset("aeiouyAEIOUYаәеёиоөуұүыіэюяєїАӘЕЁИОӨУҰҮЫІЭЮЯЄЇ")
_AFTER = frozenset("_-./")
_URL = re.compile(r"^\W*(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.I)
_TOKEN = re.compile(rf"\S{{{LONG_WORD},}}")


def _boundary(word: str, index: int) -> bool:
    """Whether a break reads naturally before ``word[index]``."""
    before, here, after = word[index - 1], word[index], word[index + 1]
    if before in _AFTER:
        return here.isalnum()
    return (
        before.isalpha()
        and here.isalpha()
        and here not in _VOWELS
        and after in _VOWELS
        and before != here
    )


def _soft(word: str) -> str:
    out = [word[:2]]
    for index in range(2, len(word) - 2):
        if _boundary(word, index):
            out.append(SOFT_HYPHEN)
        out.append(word[index])
    out.append(word[len(word) - 2 :])
    return "".join(out)


def soft_hyphens(text: str, dictionary: bool) -> str:
    """``text`` with soft hyphens in its long words, but URLs and (when pyphen has a
    ``dictionary`` for the language) the words reportlab hyphenates with it: Latin and
    basic Cyrillic letters only (Kazakh letters are not among them)."""

    def word(match: re.Match[str]) -> str:
        found = match.group(0)
        if _URL.match(found) or SOFT_HYPHEN in found:
            return found
        if dictionary and _hy_letters_pat.match(found):
            return found
        return _soft(found)

    return _TOKEN.sub(word, text)
