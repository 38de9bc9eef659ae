"""Deterministic zips, and entries deflated once per content (``files/deflated.py``)."""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from casekit.files.cache import CACHE_DIR, BuildCache
from casekit.files.deflated import deflating_from
from casekit.files.zips import deterministic_zip

WHEN = datetime(2026, 1, 1)
MEMBERS = {
    "mimetype": b"application/epub+zip",
    "EPUB/lesson-01.xhtml": "<p>Сабақ бір. Қазақ тілі.</p>\n".encode() * 500,
    "EPUB/lesson-02.xhtml": b"<p>Lesson two.</p>\n" * 700,
    "EPUB/images/001.png": b"\x89PNG not really",
}


def deflated_entries(folder: Path) -> list[Path]:
    return [p for p in (folder / CACHE_DIR / "deflate").rglob("*") if p.is_file()]


def test_cached_entries_give_the_bytes_zipfile_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = deterministic_zip(MEMBERS, WHEN, first=("mimetype",), stored=("mimetype",))
    cache = BuildCache(tmp_path)
    cold = deterministic_zip(MEMBERS, WHEN, ("mimetype",), ("mimetype",), BuildCache(tmp_path))
    # the two XHTML documents were deflated through the cache (fails if zipfile stops
    # asking _get_compressor for its compressor: then nothing is kept)
    assert len(deflated_entries(tmp_path)) == 2
    monkeypatch.setattr(zlib, "compressobj", None)  # a warm cache deflates nothing
    warm = deterministic_zip(MEMBERS, WHEN, ("mimetype",), ("mimetype",), cache)
    monkeypatch.undo()
    assert plain == cold == warm
    with zipfile.ZipFile(io.BytesIO(warm)) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == MEMBERS


def test_a_damaged_cached_entry_is_deflated_again(tmp_path: Path) -> None:
    deterministic_zip(MEMBERS, WHEN, cache=BuildCache(tmp_path))
    for entry in deflated_entries(tmp_path):  # the same length, other bytes: a forgery
        header, _, payload = entry.read_bytes().partition(b"\n")
        entry.write_bytes(header + b"\n" + payload[:64] + payload[64:].swapcase())
    cache = BuildCache(tmp_path)
    again = deterministic_zip(MEMBERS, WHEN, cache=cache)
    assert cache.stats.rejected == 3  # the checksum catches it: deflated again
    assert again == deterministic_zip(MEMBERS, WHEN)


def test_zipfile_is_itself_outside_and_for_other_entries(tmp_path: Path) -> None:
    original = zipfile._get_compressor  # type: ignore[attr-defined]
    with deflating_from(BuildCache(tmp_path)):
        assert zipfile._get_compressor is not original  # type: ignore[attr-defined]
        other = io.BytesIO()
        with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("a.txt", b"text " * 1000)
    assert zipfile._get_compressor is original  # type: ignore[attr-defined]
    assert deflated_entries(tmp_path) == []
    with zipfile.ZipFile(other) as archive:
        assert archive.read("a.txt") == b"text " * 1000


def test_write_zip_deflates_at_the_level_asked_and_streams_writers() -> None:
    """``write_zip(level=...)`` sets zipfile's private per-entry level (what ``writestr``
    sets): the DOCX is deflated at level 3; an entry given as a writer is streamed into
    the archive with the same bytes as one given whole."""
    from casekit.files.zips import write_zip

    data = b"".join(b"<w:p>%d</w:p>" % (n * 7919 % 1000) for n in range(20000))
    when = datetime(2026, 1, 1)
    sizes = {}
    for level in (1, 9):
        out = io.BytesIO()
        write_zip(out, {"a.xml": data}, when, level=level)
        with zipfile.ZipFile(out) as archive:
            assert archive.read("a.xml") == data
            sizes[level] = archive.getinfo("a.xml").compress_size
            raw = zlib.compressobj(level, zlib.DEFLATED, -15)
            assert sizes[level] == len(raw.compress(data) + raw.flush())
    assert sizes[1] > sizes[9]
    whole, streamed = io.BytesIO(), io.BytesIO()
    write_zip(whole, {"a.xml": data}, when, level=3)
    write_zip(streamed, {"a.xml": lambda entry: entry.write(data)}, when, level=3)
    assert whole.getvalue() == streamed.getvalue()
