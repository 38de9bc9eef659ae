"""The laid-out pieces' PDFs kept on disk until the join reads them (``spill.py``)."""

from __future__ import annotations

import os
from pathlib import Path

from casekit.formats.pdf.spill import Spill, Spilled


def test_pieces_go_to_an_unnamed_file_of_the_build_folder(tmp_path: Path) -> None:
    folder = tmp_path / "build" / ".cache"
    spill = Spill(folder)
    pieces = [b"%PDF-1.4 first piece", b"", os.urandom(300_000), b"%PDF-1.7 last"]
    kept = [spill.put(each) for each in pieces]
    assert all(isinstance(each, Spilled) for each in kept)  # no piece's bytes held
    assert list(folder.iterdir()) == []  # nothing left behind, whatever happens
    assert [spill.get(each) for each in reversed(kept)] == list(reversed(pieces))
    assert spill.get(kept[3], 8) == b"%PDF-1.7"
    assert spill.get(kept[0], 1000) == pieces[0]


def test_without_a_build_folder_pieces_stay_in_memory() -> None:
    spill = Spill(None)
    assert spill.put(b"%PDF-1.4 piece") == b"%PDF-1.4 piece"
    assert spill.get(b"%PDF-1.4 piece", 8) == b"%PDF-1.4"
