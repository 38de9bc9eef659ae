"""Zip entries deflated once per content, the compressed bytes kept in the build cache.

An EPUB rebuilt after one lesson changed holds forty chapters that did not change;
deflating them again is a fifth of the rebuild. zipfile has no way to write an entry
that is already compressed, so while ``deflating_from(cache)`` runs, zipfile's
``_get_compressor`` is swapped for one that hands entries written with a
``CachedLevel`` a compressor reading the cache (and filling it on a miss); every other
entry, in any thread, gets zipfile's own compressor. The cached bytes are what zlib
gives for that level and content, so an archive is the same with or without the cache.
``tests/test_zips.py`` fails if zipfile stops calling the function swapped here.
"""

from __future__ import annotations

import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from casekit.files.cache import BuildCache, digest

_original: Callable[..., Any] = zipfile._get_compressor  # type: ignore[attr-defined]
_lock = threading.Lock()
_active = 0


class CachedLevel(int):
    """A deflate level (zlib's default unless given) whose entries use ``cache``."""

    cache: BuildCache

    def __new__(cls, cache: BuildCache, level: int = zlib.Z_DEFAULT_COMPRESSION) -> CachedLevel:
        made = super().__new__(cls, level)
        made.cache = cache
        return made


class _Compressor:
    """zlib's raw deflate of the whole entry, given at ``flush`` (zipfile counts the
    compressed size from what ``compress`` and ``flush`` return)."""

    def __init__(self, level: CachedLevel) -> None:
        self.level = level
        self.parts: list[bytes] = []

    def compress(self, data: bytes) -> bytes:
        self.parts.append(bytes(data))
        return b""

    def flush(self) -> bytes:
        data = b"".join(self.parts)
        cache = self.level.cache
        key = digest("deflate", zlib.ZLIB_RUNTIME_VERSION, str(int(self.level)), data)
        found = cache.load("deflate", key, bytes)
        if found is None:
            raw = zlib.compressobj(int(self.level), zlib.DEFLATED, -15)
            found = raw.compress(data) + raw.flush()
            cache.store("deflate", key, found)
        return found


def _get_compressor(compress_type: int, compresslevel: int | None = None) -> Any:
    if compress_type == zipfile.ZIP_DEFLATED and isinstance(compresslevel, CachedLevel):
        return _Compressor(compresslevel)
    return _original(compress_type, compresslevel)


@contextmanager
def deflating_from(cache: BuildCache) -> Iterator[CachedLevel]:
    """The level to write entries with (``ZipFile.writestr(..., compresslevel=level)``)
    so that their compressed bytes come from ``cache``; zipfile as it was afterwards."""
    global _active
    with _lock:
        _active += 1
        zipfile._get_compressor = _get_compressor  # type: ignore[attr-defined]
    try:
        yield CachedLevel(cache)
    finally:
        with _lock:
            _active -= 1
            if not _active:
                zipfile._get_compressor = _original  # type: ignore[attr-defined]
