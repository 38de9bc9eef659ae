"""formats/docx/pieces.py: a lesson's XML kept with local ids and numbered into the
document at assembly; the cache entries it reads back are untrusted. Fast checks on
small XML; the byte-for-byte rebuild is tests/test_fragments.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit import tree as t
from casekit.files.cache import BuildCache
from casekit.formats.docx import images, svg
from casekit.formats.docx.pieces import Bases, Piece, PieceImage, PieceInfo, Sites
from tests.conftest import MINI

BODY = (
    b'<w:p><w:bookmarkStart w:id="1" w:name="ck0123456789_a"/><w:bookmarkEnd w:id="1"/>'
    b'<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr>'
    b'<w:r><w:t>&lt;w:numId w:val="1"/&gt; w:id="1"</w:t></w:r>'
    b'<w:r><w:footnoteReference w:id="1"/></w:r><w:hyperlink r:id="L1" w:history="1"/>'
    b'<w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture 1"/>'
    b'<a:blip r:embed="L1"/></wp:inline></w:drawing></w:r></w:p>'
)


def piece() -> Piece:
    info = PieceInfo(
        lists=[(False, 0, 1), (True, 0, 1)],
        images=[PieceImage("ab" * 32, "image/png", "png")],
        links=["https://example.org"],
        notes=1,
        bookmarks=1,
        shapes=1,
    )
    return Piece.made(info, BODY, b'<w:footnote w:id="1"><w:p/></w:footnote>')


def test_local_ids_are_numbered_after_the_pieces_before() -> None:
    made = piece()
    bases = Bases(10, 4, 7, 20, ["rId9"], ["rId12"], [])
    out = bases.renumber(made.body, made.body_sites)
    assert b'<w:bookmarkStart w:id="8" ' in out and b'<w:bookmarkEnd w:id="8"/>' in out
    assert b'<w:numId w:val="12"/>' in out and b'<w:footnoteReference w:id="5"/>' in out
    assert b'<w:hyperlink r:id="rId12" ' in out and b'<a:blip r:embed="rId9"/>' in out
    assert b'<wp:docPr id="21" name="Picture 21"/>' in out
    # text that looks like an id is text: its "<" is escaped, so it is no site
    assert b'&lt;w:numId w:val="1"/&gt; w:id="1"' in out
    assert (
        bases.renumber(made.notes, made.note_sites) == b'<w:footnote w:id="5"><w:p/></w:footnote>'
    )


def test_a_piece_survives_the_cache_and_a_damaged_entry_is_refused() -> None:
    made = piece()
    data = made.encode()
    again = Piece.decode(data)
    assert again is not None
    assert (again.info, again.body, again.notes) == (made.info, made.body, made.notes)
    assert list(again.body_sites) == list(made.body_sites) and again.note_sites
    assert Piece.decode(data[:-1]) is None  # cut short
    assert Piece.decode(b"{}" + data) is None
    sites = Sites("Q", again.body_sites)
    sites[0], sites[1] = sites[1], sites[0]  # a site ending before it starts
    bad = Piece(again.info, again.body, again.notes, sites, again.note_sites)
    assert Piece.decode(bad.encode()) is None
    sites = Sites("Q", again.body_sites)
    sites[-1] = 0  # local id 0: there is none
    bad = Piece(again.info, again.body, again.notes, sites, again.note_sites)
    assert Piece.decode(bad.encode()) is None


def test_rasterised_svg_is_kept_in_the_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited lesson's charts are not drawn again: the PNG and its exact resolution
    come from the cache (a damaged entry is drawn again)."""
    data = (MINI / "media" / "chart.svg").read_bytes()
    item = t.MediaItem("media/chart.svg", "image", "svg", len(data), "x", "", "")
    cache = BuildCache(tmp_path)
    drawn: list[str] = []
    real = svg.rasterise_svg

    def counting(source: bytes, path: str, print_dpi: float) -> tuple[bytes, float]:
        drawn.append(path)
        return real(source, path, print_dpi)

    monkeypatch.setattr(svg, "rasterise_svg", counting)
    first = images.rasterised(data, item, cache)
    assert images.rasterised(data, item, cache) == first and drawn == ["media/chart.svg"]
    assert first[0].startswith(b"\x89PNG") and 0 < first[1] <= images.PRINT_DPI
    for entry in (cache.folder / images.SVG_KIND).rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:-5])
    assert images.rasterised(data, item, cache) == first and len(drawn) == 2
