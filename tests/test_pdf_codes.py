"""The codes a packet's fonts give its characters (``formats/pdf/codes.py``): a
character the course did not print before moves no code of the alphabets, punctuation
and casekit's words, and those are drawn through the line breaker's C character map."""

from __future__ import annotations

import codecs

from reportlab.pdfgen.canvas import Canvas

from casekit.formats.pdf import speedups
from casekit.formats.pdf.codes import FIXED, Codes
from casekit.formats.pdf.fonts import bundled_face

REGULAR = bundled_face("regular").font
MONO = bundled_face("mono").font
CASEKIT = set("Мазмұны, бет 1 / 2 ☐ ☑ • ↪ → Ω")  # casekit's words and marks
COURSE = set("Қазақ тілі «сөз» № 5 — ψ ⅓ ǅ")
FONTS = {"regular": REGULAR, "mono": MONO}
ONE = {"regular": REGULAR}


def codes_of(codes: Codes, chars: str) -> list[int | None]:
    table = codes.by_font["regular"]
    return [table.code(c, REGULAR.face.charToGlyph) for c in chars]


def test_a_new_character_moves_only_rarer_ones_after_it() -> None:
    before = Codes(FONTS, CASEKIT, COURSE)
    after = Codes(FONTS, CASEKIT, COURSE | set("Ѣ"))  # U+0462, Cyrillic but rare
    stable = "".join(sorted(CASEKIT | COURSE - set("ψ⅓ǅ")))
    assert codes_of(after, stable) == codes_of(before, stable)
    assert codes_of(after, "ǅψ") == codes_of(before, "ǅψ")  # before U+0462
    assert codes_of(after, "⅓") != codes_of(before, "⅓")  # after it: one code on
    assert None not in codes_of(after, stable + "Ѣ⅓")
    # a fixed character's code does not depend on whether the course prints it
    assert codes_of(Codes(ONE, set(), set("»")), "»") == codes_of(after, "»")
    # a piece that drew only ψ is still good; one that drew ⅓ is not
    assert before.fingerprint({"regular": "ψ"}) == after.fingerprint({"regular": "ψ"})
    assert before.fingerprint({"regular": "⅓"}) != after.fingerprint({"regular": "⅓"})


def test_a_character_no_tier_foresaw_is_told() -> None:
    codes = Codes(ONE, CASEKIT, COURSE)
    assert codes.foreseen({"regular": "Қψ⅓\xa0"})
    assert not codes.foreseen({"regular": "Қ∞"})
    # and a piece that drew it depends on every code: it made a code of its own after them
    drew = {"regular": "∞"}
    assert codes.fingerprint(drew) != Codes(ONE, CASEKIT, COURSE | {"ǆ"}).fingerprint(drew)


def test_alphabets_and_punctuation_are_drawn_through_the_first_subset_map() -> None:
    """Kazakh and Russian text with its punctuation is encoded in C by the line breaker's
    speed-up (``speedups.split_string``), and not recorded as drawn outside the first
    subset; a rarer character is."""
    text = "Қазақ тілі: «сөз» — № 5… Ёлка, щётка; “quote”, café"
    assert set(text) <= set(FIXED) | set(map(chr, range(32, 127)))
    codes = Codes(ONE, CASEKIT, COURSE | set(text))
    canvas = Canvas(None)
    codes.assign(REGULAR, canvas._doc)
    state = REGULAR.state[canvas._doc]
    with speedups.installed(), speedups.recording() as printed:
        first = speedups._first_subset_map(REGULAR, state)
        assert first is not None
        encoded = codecs.charmap_encode(text, "strict", first)[0]
        assert REGULAR.splitString(text, canvas._doc) == [(0, encoded)]
        assert printed == {}
        runs = REGULAR.splitString("сөз ψ", canvas._doc)
        assert [subset for subset, _ in runs] == [0, 1]
        assert printed == {REGULAR: set("сөз ψ")}
