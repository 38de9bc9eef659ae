"""The ``brf`` format: a Braille-ready file per edition, for embossers, and the same
cells as Unicode Braille (``render.py`` renders them with liblouis)."""

from __future__ import annotations

from dataclasses import dataclass

from casekit.formats import Format
from casekit.formats.options import option


@dataclass(frozen=True)
class BrfOptions:
    braille_cells: int = option(40, "cells per line", course="braille.cells")
    braille_lines: int = option(25, "lines per page, page number included", course="braille.lines")
    braille_grade: int = option(
        1,
        "1 uncontracted, 2 contracted where liblouis has a table (en, ru)",
        course="braille.grade",
    )


def brf_caveats(options: BrfOptions, language: str) -> list[tuple[str, str, str]]:
    """Grade 2 asked for a language liblouis has no contracted table for."""
    if options.braille_grade != 2:  # every build checks it: liblouis (ctypes) not loaded
        return []
    from casekit.render.liblouis import TABLES, has_grade

    if not has_grade(language, 2):
        with_grade_2 = ", ".join(sorted(lang for lang, grade in TABLES if grade == 2))
        return [
            (
                "braille_grade",
                "braille-grade",
                f"grade 2 (contracted) Braille is asked for, but liblouis has no contracted "
                f"table for {language!r} (only for {with_grade_2}): the Braille edition is "
                "uncontracted (grade 1)",
            )
        ]
    return []


FORMAT = Format(
    "brf",
    "Braille-ready file per edition for embossers (liblouis), and a Unicode-Braille .txt",
    "casekit.formats.brf.render:render_brf",
    BrfOptions,
    caveats=brf_caveats,
)
