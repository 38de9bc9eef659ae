"""The codes a packet's fonts give its characters, the same in every piece.

PDF text is drawn as one-byte codes into font subsets of 256 glyphs; reportlab gives
a character its code on first use. Each piece of the packet (``pieces.py``) is laid
out as a document of its own, so the packet gives every character its code before a
piece is laid out (``Codes.assign``), and the join puts the packet's subsets in place
of every piece's (``join.py``). A piece's bytes then depend only on the codes of the
characters it draws, and a piece kept in the build cache is used again as long as
those codes have not moved (``Codes.fingerprint``).

So that a character the course did not print before moves few codes, and none in
most pieces, the codes are given in tiers:

- the first subset: ASCII at its own codes (reportlab's), and ``FIXED`` (the Kazakh,
  Russian and Ukrainian alphabets, common punctuation and symbols) at codes of their
  own whether the course prints them or not (a slot it does not print is left empty:
  no glyph, and its code is never drawn);
- then what casekit prints besides the course's text (its words in the course's
  language, its marks, the course settings' titles), in code point order;
- then the rest of the course's characters, in code point order: a new one moves only
  the codes of those after it, and only pieces that draw one of them are laid out again.

Text in the first subset is also what the line breaker encodes fastest
(``speedups.split_string``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas

_CYRILLIC = "".join(map(chr, range(0x410, 0x450))) + "Ёё"
_KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
_UKRAINIAN = "ЄєЇїҐґЎў"
_PUNCTUATION = "«»„“”‘’‚‹›–—‑−…•·№§¶°±×÷′″‰€₸£¥©®™\xad"
_SYMBOLS = "→←↑↓↪☐☑✓✗¹²³½¼¾"
_LATIN = "àäçéèñöüß"
#: characters with a code of their own in every packet, printed or not
FIXED = _CYRILLIC + _KAZAKH + _UKRAINIAN + _PUNCTUATION + _SYMBOLS + _LATIN
#: the first subset's codes reportlab leaves to other characters than ASCII
_FIXED_CODES = (*range(1, 32), *range(128, 256))
assert len(FIXED) == len(set(FIXED)) <= len(_FIXED_CODES)
_SPACE = 32  # the space of every subset (reportlab's word spacing draws code 32)


@dataclass(frozen=True)
class FontCodes:
    """One font's codes: its subsets (the character at each code; 0 where none) and
    each character's code."""

    subsets: tuple[tuple[int, ...], ...]
    codes: Mapping[int, int]
    next_code: int  # where reportlab would give a character no tier foresaw its code

    @classmethod
    def make(cls, font: TTFont, casekit: Iterable[str], course: Iterable[str]) -> FontCodes:
        glyphs = font.face.charToGlyph
        codes = {0: 0} | {n: n for n in range(32, 128) if n in glyphs}
        first = [0] * 32 + list(range(32, 128))
        wanted = {ord(c) for c in (*casekit, *course) if c.isprintable()} & glyphs.keys()
        for char, code in zip(FIXED, _FIXED_CODES, strict=False):
            point = ord(char)
            if point in wanted:
                first.extend([0] * (code + 1 - len(first)))
                first[code] = point
                codes[point] = code
        subsets = [first]
        rest = [p for p in sorted({ord(c) for c in casekit} & wanted) if p not in codes]
        rest += sorted(p for p in wanted - set(rest) if p not in codes and p != 0xA0)
        code = len(first)
        if rest:
            first.extend([0] * (256 - len(first)))
            code = 256
        for point in rest:
            if code & 0xFF == 0:
                subsets.append([0])  # code 0 of every subset: no glyph (reportlab's)
                code += 1
            if code & 0xFF == _SPACE:
                subsets[-1].append(_SPACE)
                code += 1
            subsets[-1].append(point)
            codes[point] = code
            code += 1
        return cls(tuple(map(tuple, subsets)), codes, code)

    def code(self, char: str, glyphs: Mapping[int, int]) -> int | None:
        """The code ``char`` is drawn with (0: the font has no glyph for it; ``None``:
        no tier foresaw it, reportlab gives it the next code when it is drawn)."""
        point = _SPACE if char == "\xa0" else ord(char)  # reportlab's no-break space
        code = self.codes.get(point)
        if code is None and point not in glyphs:
            return 0
        return code


class Codes:
    """The codes of every face of a packet, by a name that stays the same from process to
    process (``FontSet.named``: the face's file digest; the font reportlab draws with
    may be registered under another name, ``fonts._load``)."""

    def __init__(self, fonts: Mapping[str, TTFont], casekit: set[str], course: set[str]) -> None:
        self.fonts = dict(fonts)
        self.by_font = {name: FontCodes.make(font, casekit, course) for name, font in fonts.items()}
        self._names = {id(font): name for name, font in fonts.items()}
        whole = hashlib.sha256()
        for name in sorted(self.by_font):
            whole.update(f"{name}={self.by_font[name].subsets!r};".encode())
        #: every face's codes: what the packet's subsets are made of
        self.digest = whole.hexdigest()

    def printed(self, recorded: Mapping[TTFont, set[str]]) -> dict[str, str]:
        """Characters recorded per font (``speedups.recording``) as sorted strings, per
        font name (a font that is not the packet's under its own ``fontName``)."""
        named = {
            self._names.get(id(font), font.fontName): chars for font, chars in recorded.items()
        }
        return {name: "".join(sorted(named[name])) for name in sorted(named)}

    def assign(self, font: TTFont, doc: Any, prefix: str | None = None) -> None:
        """Give ``font`` the packet's codes in reportlab document ``doc`` (resource names
        starting with ``prefix``, reportlab's ``F`` by default)."""
        table = self.by_font.get(self._names.get(id(font), ""))
        state = font._assignState(doc, namePrefix=prefix)  # reportlab's hook for this
        if table is not None:
            state.assignments = dict(table.codes)
            state.subsets = [list(subset) for subset in table.subsets]
            state.nextCode = table.next_code

    def foreseen(self, printed: Mapping[str, str]) -> bool:
        """Whether every character of ``printed`` (per font) has its code from the tiers
        (else a piece that drew it made a code of its own: it keeps its own subsets)."""
        return all(
            name not in self.by_font
            or all(
                self.by_font[name].code(c, self.fonts[name].face.charToGlyph) is not None
                for c in chars
            )
            for name, chars in printed.items()
        )

    def subset_names(self) -> dict[str, tuple[str, int]]:
        """Each subset's PDF name (``/BaseFont``, reportlab's) -> (font, subset number);
        a name two fonts would share is left out (their subsets are not told apart)."""
        names: dict[str, tuple[str, int]] = {}
        shared: set[str] = set()
        for name, table in self.by_font.items():
            face = self.fonts[name].face
            for number in range(len(table.subsets)):
                pdf_name = b"".join((SUBSETN(number), b"+", face.name, face.subfontNameX))
                key = pdf_name.decode("pdfdoc")
                if key in names:
                    shared.add(key)
                names[key] = (name, number)
        return {key: found for key, found in names.items() if key not in shared}

    def subsets_drawn(self, printed: Mapping[str, str]) -> set[tuple[str, int]]:
        """(font, subset) of every subset but the first a piece that drew ``printed``
        drew with."""
        drawn = set()
        for name, chars in printed.items():
            table = self.by_font.get(name)
            if table is not None:
                glyphs = self.fonts[name].face.charToGlyph
                codes = (table.code(c, glyphs) or 0 for c in chars)
                drawn.update((name, code >> 8) for code in codes if code >= 256)
        return drawn

    def fingerprint(self, printed: Mapping[str, str]) -> str:
        """What a piece that drew ``printed`` (per font) depends on of the codes: each
        character's code, and every code when one was not foreseen."""
        found = hashlib.sha256()
        for name in sorted(printed):
            table = self.by_font.get(name)
            if table is None:
                continue
            glyphs = self.fonts[name].face.charToGlyph
            codes = [table.code(c, glyphs) for c in printed[name]]
            found.update(f"{name}:{printed[name]}:{codes}".encode())
        if not self.foreseen(printed):
            found.update(self.digest.encode())
        return found.hexdigest()


def subsets_pdf(codes: Codes) -> bytes:
    """A PDF of one empty page carrying every face's subsets of ``codes``: the join
    puts them in place of the pieces' (``join.py``)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    doc = canvas._doc
    for name, font in codes.fonts.items():
        codes.assign(font, doc)
        for subset in range(len(codes.by_font[name].subsets)):
            font.getSubsetInternalName(subset, doc)  # the subset is written with the PDF
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
