"""Names in a bundle (issue 19): path length in UTF-16 units as Windows counts, only NFC
names, and no '#' or '%' that a viewer link would read as a fragment or an escape."""

from __future__ import annotations

import pytest

from casekit.bundle.portable import name_problem


def test_length_is_counted_in_utf16_units() -> None:
    emoji = "data/" + "🙂" * 124  # 129 code points, 253 UTF-16 units: with "b-1/" 257
    assert "257 UTF-16 units" in name_problem("b-1", emoji)
    assert name_problem("b-1", "data/" + "қ" * 240) == ""  # 249 units: fits


@pytest.mark.parametrize("path", ["data/media/e\u0301te.png", "data/Йи\u0306.png"])
def test_names_not_in_nfc_are_refused(path: str) -> None:
    assert "not in Unicode NFC form" in name_problem("b-1", path)


@pytest.mark.parametrize("path", ["data/media/a#1.png", "data/media/100%.png"])
def test_names_that_break_viewer_links_are_refused(path: str) -> None:
    assert "breaks links in the viewer" in name_problem("b-1", path)
