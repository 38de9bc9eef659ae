"""Names in a bundle (issue 19): path length in UTF-16 units as Windows counts, only NFC
names, and no '#' or '%' that a viewer link would read as a fragment or an escape."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit.files.portable_names import name_problem
from tests.conftest import casekit


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


@pytest.mark.slow
def test_check_names_every_media_file_the_bundle_would_refuse(mini_course: Path) -> None:
    """Before anything is built: one warning line per file, at its first use."""
    media = mini_course / "media"
    (media / "diagram.png").rename(media / "a#1.png")
    (media / "photo.jpg").rename(media / "e\u0301te.jpg")
    for lesson in (mini_course / "lessons").glob("*.md"):
        text = lesson.read_text("utf-8")
        text = text.replace("diagram.png", "a%231.png").replace("photo.jpg", "e\u0301te.jpg")
        lesson.write_text(text, "utf-8")
    result = casekit("check", mini_course)
    assert result.returncode == 0, result.stderr  # other formats build them
    lines = sorted(line for line in result.stderr.splitlines() if "[unportable-name]" in line)
    assert len(lines) == 2, result.stderr
    assert "media/a#1.png on a stick: name 'a#1.png' contains '#'" in lines[0]
    assert "not in Unicode NFC form" in lines[1]
    assert casekit("check", "--strict", mini_course).returncode == 1
