"""The EPUB's embedded fonts, subset by HarfBuzz: what a face keeps, and that a clean
build no longer pays for fontTools' subsetter (most of a Kazakh EPUB's non-image time:
benchmarks/README.md, "Image course, fourth round, second shift")."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from casekit.formats.epub.fonts import FACES, BookFont, subset_fonts
from casekit.render.templates import bundled_font

TEXT = "Қазақ тілі: әліпби, сөздер мен сөйлемдер. Fig. AV To Wa ﬁ fi «Тест» — 1/2"

SUBSET_IN_A_FRESH_PROCESS = """
import json, sys
from pathlib import Path
from casekit.formats.epub.fonts import FACES, BookFont, subset_fonts
from casekit.render.templates import bundled_font
fonts = [BookFont(f, "normal", "normal", f"fonts/{f}.ttf", bundled_font(f).read_bytes(), f)
         for f, *_ in FACES]
sizes = [len(font.data) for font in subset_fonts(fonts, set(sys.argv[1]), Path("."))]
print(json.dumps({"sizes": sizes, "modules": sorted(sys.modules)}))
"""


def faces() -> list[BookFont]:
    return [
        BookFont(
            family, weight, style, f"fonts/{field}.ttf", bundled_font(field).read_bytes(), field
        )
        for field, family, weight, style in FACES
    ]


def features(face: TTFont, tag: str) -> set[str]:
    return {record.FeatureTag for record in face[tag].table.FeatureList.FeatureRecord}


def test_subset_faces_keep_glyphs_names_and_layout_features() -> None:
    """Every character asked for (and its other case) has its glyph; the family name,
    the licence and every name record stay; kerning and the ligatures stay; a face is
    a fraction of the bundled file; the same input gives the same bytes."""
    seen = set(TEXT)
    subset = subset_fonts(faces(), seen, Path("."))
    again = subset_fonts(faces(), seen, Path("."))
    kerned = 0
    for whole, cut, cut_again in zip(faces(), subset, again, strict=True):
        full = TTFont(io.BytesIO(whole.data))
        face = TTFont(io.BytesIO(cut.data))
        assert cut.data == cut_again.data
        assert len(cut.data) < len(whole.data) / 5
        cmap = set(face.getBestCmap())
        wanted = {ord(c) for c in TEXT + TEXT.upper() + "ӘәҒғҚқҢңӨөҰұҮүҺһІі" if not c.isspace()}
        assert wanted & set(full.getBestCmap()) <= cmap
        assert ord("Ж") in cmap and ord("ж") in cmap  # ALWAYS_KEPT: the whole alphabets
        assert {(n.nameID, n.langID) for n in face["name"].names} == {
            (n.nameID, n.langID) for n in full["name"].names if n.isUnicode()
        }
        assert face["name"].getDebugName(13) == full["name"].getDebugName(13)  # licence
        kept = features(face, "GPOS") | features(face, "GSUB")
        # kerning and the ligatures of the sans faces (the mono face has neither for
        # this text: fontTools' subsetter kept the same features)
        if whole.field != "mono":
            assert {"kern", "liga"} <= kept, whole.field
            kerned += 1
    assert kerned == 4


def test_subsetting_imports_no_font_library_written_in_python() -> None:
    """Subsetting the five DejaVu faces in a fresh process: fontTools (0.8 s of CPU for
    the five faces, a sixth of the image course's clean EPUB build) is never imported."""
    done = subprocess.run(
        [sys.executable, "-c", SUBSET_IN_A_FRESH_PROCESS, TEXT],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert len(result["sizes"]) == len(FACES) and all(0 < s < 100_000 for s in result["sizes"])
    assert "uharfbuzz" in result["modules"]
    assert not [m for m in result["modules"] if m == "fontTools" or m.startswith("fontTools.")]
