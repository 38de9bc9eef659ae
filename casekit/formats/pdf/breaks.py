"""Break points in long words that no hyphenation dictionary covers.

reportlab breaks lines at spaces, at syllables where pyphen has a dictionary
(``styles.hyphenation_language``) and at soft hyphens, printing a hyphen there.
Kazakh has no dictionary, and file names or identifiers (``set_up_page_v2``)
are not words pyphen splits: such long words get soft hyphens where a break
reads naturally, after ``_ - . /`` and between syllables (a consonant before a
vowel); URLs after ``/ ? & = #``, printed without a hyphen. A piece that still
does not fit is cut at the line end (``flowables.FastParagraph``).
"""

from __future__ import annotations

import re

from reportlab.platypus.paragraph import _hy_letters_pat  # the words reportlab gives pyphen

SOFT_HYPHEN = "\xad"
#: shorter words fit a line of any page casekit prints, large print in a table cell aside
LONG_WORD = 12
_VOWELS = frozenset("aeiouyAEIOUYаәеёиоөуұүыіэюяєїАӘЕЁИОӨУҰҮЫІЭЮЯЄЇ")
#: a long word or URL may break after these; no hyphen is printed there
#: (``flowables.FastParagraph``), as style guides ask of URLs
BREAK_AFTER = frozenset("_-./?&=#")
_URL = re.compile(r"^\W*(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.I)
_TOKEN = re.compile(rf"\S{{{LONG_WORD},}}")


def _boundary(word: str, index: int) -> bool:
    """Whether a break reads naturally before ``word[index]``."""
    before, here, after = word[index - 1], word[index], word[index + 1]
    if before in BREAK_AFTER:
        return here.isalnum()
    return (
        before.isalpha()
        and here.isalpha()
        and here not in _VOWELS
        and after in _VOWELS
        and before != here
    )


def _soft(word: str, url: bool) -> str:
    """Soft hyphens where ``word`` may break: a URL after ``/ ? & = #`` and the like
    (never inside its ``//``), a word also between syllables."""
    out = [word[:2]]
    for index in range(2, len(word) - 2):
        if url:
            if word[index - 1] in BREAK_AFTER and word[index] not in BREAK_AFTER:
                out.append(SOFT_HYPHEN)
        elif _boundary(word, index):
            out.append(SOFT_HYPHEN)
        out.append(word[index])
    out.append(word[len(word) - 2 :])
    return "".join(out)


def soft_hyphens(text: str, dictionary: bool) -> str:
    """``text`` with soft hyphens in its long words and URLs, but (when pyphen has a
    ``dictionary`` for the language) the words reportlab hyphenates with it: Latin and
    basic Cyrillic letters only (Kazakh letters are not among them)."""

    def word(match: re.Match[str]) -> str:
        found = match.group(0)
        if SOFT_HYPHEN in found or (dictionary and _hy_letters_pat.match(found)):
            return found
        return _soft(found, url=bool(_URL.match(found)))

    return _TOKEN.sub(word, text)
