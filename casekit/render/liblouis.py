"""Braille translation with liblouis, through ``ctypes`` on the system library.

Why ctypes: Debian's binding (``python3-louis``) is installed for Debian's own
``/usr/bin/python3`` only, and PyPI has no maintained liblouis binding; the
``lou_translate`` tool would cost a process per text. The C functions used here
(``lou_translateString``, ``lou_backTranslateString``, ``lou_charSize``,
``lou_checkTable``) have kept their signatures since liblouis 2.x; the typeform
(emphasis) array is of ``formtype``, 16 bits since liblouis 3.0.

Tables are named per language (see ``TABLES``); each is combined with a display
table that maps dots to North American ASCII Braille, the character set of BRF
files. The Kazakh table needs ``ru-brf.dis``: a generic display table would pass
Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ and І through as print letters.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from casekit.diagnostics import CasekitError, error

#: the Debian packages that provide the library and its tables
PACKAGES = "liblouis-bin liblouis-data"

#: (translation table, display table) per language and grade
TABLES: dict[tuple[str, int], tuple[str, str]] = {
    ("kk", 1): ("kk.utb", "ru-brf.dis"),
    ("ru", 1): ("ru-litbrl.ctb", "ru-brf.dis"),
    ("ru", 2): ("ru-ru-g1.ctb", "ru-brf.dis"),  # liblouis' Russian contracted braille
    ("uk", 1): ("uk.utb", "ru-brf.dis"),
    ("en", 1): ("en-ueb-g1.ctb", "en-us-brf.dis"),
    ("en", 2): ("en-ueb-g2.ctb", "en-us-brf.dis"),
}

#: North American ASCII Braille: the character of each 6-dot cell, indexed by its
#: dots as bits (dot 1 = 1 ... dot 6 = 32); the same order as Unicode U+2800-U+283F
ASCII_BRAILLE = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
_TO_UNICODE = {ord(ch): 0x2800 + i for i, ch in enumerate(ASCII_BRAILLE)}


#: emphasis of a character, liblouis' typeforms (``liblouis.h``: emph_1 is italic,
#: emph_3 bold); they combine
PLAIN, ITALIC, BOLD = 0, 1, 4
#: languages whose letters include the six-dot cell of the bold indicator the table
#: inherits from ru-litbrl (dots 12456): Kazakh ғ, Ukrainian ґ. A reader would take
#: the indicator for the letter, so strong emphasis takes the emphasis (italic)
#: indicator, dots 456, which is no letter there.
BOLD_CELL_IS_A_LETTER = {"kk": "ғ", "uk": "ґ"}


def strong_typeform(language: str) -> int:
    """The typeform of strong emphasis (``**bold**``) in ``language``."""
    return ITALIC if language in BOLD_CELL_IS_A_LETTER else BOLD


#: how liblouis writes a character its table lacks, read as ASCII Braille: '\x20b8'
#: (the hexadecimal digits come out as Braille digits or letters)
_ESCAPE = re.compile(r"'\\X[^ ']{4,6}'")
_CELLS = set(ASCII_BRAILLE)
#: no-break and thin spaces: some display tables pass them through as print characters
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u2009\u202f"), " ")


def ascii_braille(braille: str) -> str:
    """liblouis output as ASCII Braille: Unicode patterns become their six-dot cell
    (an embosser has no dots 7 and 8), anything else not a cell becomes a blank."""
    out = []
    for ch in braille.upper():
        code = ord(ch)
        if 0x2800 <= code <= 0x28FF:
            out.append(ASCII_BRAILLE[(code - 0x2800) & 0x3F])
        else:
            out.append(ch if ch in _CELLS else " ")
    return "".join(out)


def unicode_braille(brf: str) -> str:
    """BRF text (ASCII Braille) as Unicode Braille patterns, cell for cell."""
    return brf.upper().translate(_TO_UNICODE)


def has_grade(language: str, grade: int) -> bool:
    return (language, grade) in TABLES


def _missing(what: str) -> CasekitError:
    return error(
        "casekit",
        f"{what}: install the Debian packages {PACKAGES} (scripts/install-system-deps.sh does it)",
        "braille-missing",
    )


@cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("louis") or "liblouis.so.20"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        raise _missing("the liblouis library is not installed") from None
    for function in ("lou_translateString", "lou_backTranslateString"):
        getattr(lib, function).restype = ctypes.c_int
    lib.lou_charSize.restype = ctypes.c_int
    lib.lou_checkTable.restype = ctypes.c_int
    lib.lou_checkTable.argtypes = [ctypes.c_char_p]
    lib.lou_version.restype = ctypes.c_char_p
    return lib


def version() -> str:
    return _library().lou_version().decode("ascii")


@dataclass(frozen=True)
class Translator:
    """Translation of print text to BRF cells (and back) with one table list."""

    tables: str  # "display.dis,table.utb", as liblouis takes it

    def translate(self, text: str, typeform: Sequence[int] | None = None) -> str:
        """``text`` in Braille; a character the table lacks is spelled by its Unicode
        name (``₸`` -> "tenge sign") instead of liblouis' hexadecimal escape.
        ``typeform`` gives each character's emphasis (``ITALIC | BOLD``): the table
        writes its emphasis indicators."""
        text = text.translate(_SPACES)
        forms = list(typeform) if typeform is not None else [PLAIN] * len(text)
        if any(ord(ch) > 0x7F and self.lacks(ch) for ch in set(text)):
            spelled, spelled_forms = [], []
            for ch, form in zip(text, forms, strict=True):
                said = ch
                if ord(ch) > 0x7F and self.lacks(ch):
                    said = f" {unicodedata.name(ch, 'symbol').lower()} "
                spelled.append(said)
                spelled_forms += [form] * len(said)
            text, forms = "".join(spelled), spelled_forms
        return self._run("lou_translateString", text, forms if any(forms) else None)

    @lru_cache(maxsize=4096)  # noqa: B019 (a few translators live for the whole process)
    def lacks(self, ch: str) -> bool:
        return _ESCAPE.search(ascii_braille(self._run("lou_translateString", ch))) is not None

    def back_translate(self, brf: str) -> str:
        return self._run("lou_backTranslateString", brf)

    def _run(self, function: str, text: str, typeform: list[int] | None = None) -> str:
        if not text:
            return ""
        lib = _library()
        size = lib.lou_charSize()
        codec = "utf-32-le" if size == 4 else "utf-16-le"
        char = ctypes.c_uint32 if size == 4 else ctypes.c_uint16
        data = text.encode(codec)
        length = len(data) // size
        inbuf = (char * length).from_buffer_copy(data)
        room = length * 4 + 64
        while True:
            outbuf = (char * room)()
            inlen, outlen = ctypes.c_int(length), ctypes.c_int(room)
            # liblouis may write into the typeform array: a fresh copy for each try
            forms = None if typeform is None else (ctypes.c_uint16 * room)(*typeform)
            ok = getattr(lib, function)(
                self.tables.encode("utf-8"),
                inbuf,
                ctypes.byref(inlen),
                outbuf,
                ctypes.byref(outlen),
                forms,
                None,
                0,
            )
            if not ok:
                raise _missing(f"liblouis cannot use the tables {self.tables}")
            if inlen.value >= length or room > length * 64:
                break
            room *= 4  # the output filled the buffer before the input ran out
        return bytes(outbuf)[: outlen.value * size].decode(codec)


@cache
def translator(language: str, grade: int = 1) -> Translator:
    """The translator of ``language`` at ``grade`` (1 uncontracted, 2 contracted);
    raises ``CasekitError`` naming the Debian packages when liblouis or its tables
    are missing."""
    table, display = TABLES[(language, grade)]
    tables = f"{display},{table}"
    if not _library().lou_checkTable(tables.encode("utf-8")):
        raise _missing(f"the liblouis tables {tables} are not installed")
    return Translator(tables)
