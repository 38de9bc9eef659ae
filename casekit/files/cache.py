"""Content-addressed build cache under ``build/<course-id>/.cache/``.

What is remembered between builds:

- parsed lessons, keyed by the hash of casekit's version, the lesson's path and bytes, and
  under the same key their summaries (``resolve/lazy.py``);
- rendered lessons (``render/fragments.py``), keyed by the resolved lesson and its job;
- EPUB fonts subset to a book's characters, keyed by the font's bytes and the characters;
  the EPUB's cover, its documents' characters and zip entries deflated (``files/deflated.py``),
  keyed by what they are made from;
- media probes (size, SHA-256, duration ...) and the SHA-256 of files over 1 MiB, keyed by
  path, size, mtime, ctime and inode (``media_key``), so an unchanged video is never hashed
  twice;
- for every output (format x edition), the fingerprint of everything it was built from
  and the files it wrote: a rebuild whose fingerprint matches, and whose files are still
  there as written, is skipped.

Entries are JSON (``typed_json``) or raw bytes, never pickles: whoever can write the
build folder (or, later, a shared cache) cannot make casekit run code. Each entry names
its kind and key and carries a SHA-256 of its payload, and is decoded only into the type
its reader expects; an entry that fails any check is ignored and rebuilt. Deleting the
folder is always safe.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casekit import __version__
from casekit.files import typed_json
from casekit.files.atomic import write_bytes
from casekit.files.sources import source_files
from casekit.files.stream import hash_file

CACHE_DIR = ".cache"
_MAGIC = b"casekit-cache-2"


def _header(kind: str, key: str) -> bytes:
    """What an entry starts with: the format, and the kind and key it was stored under
    (an entry copied to another key is refused)."""
    return _MAGIC + f" {kind} {key}\n".encode("ascii")


def _check(payload: bytes) -> bytes:
    return hashlib.sha256(payload).hexdigest().encode("ascii")


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@dataclass
class CacheStats:
    parsed: list[str] = field(default_factory=list)  # lessons parsed (cache misses)
    reused: list[str] = field(default_factory=list)  # lessons taken from the cache
    probed: list[str] = field(default_factory=list)  # media files hashed
    skipped_outputs: list[str] = field(default_factory=list)
    #: of ``parsed``, those parsed by worker processes (``build/lesson_pool.py``)
    pooled: list[str] = field(default_factory=list)
    rendered: list[str] = field(default_factory=list)  # lesson fragments rendered (misses)
    resampled: list[str] = field(default_factory=list)  # images fitted, "path WxH" (misses)
    rejected: int = 0  # corrupt entries ignored
    pdf_pages_laid: int = 0  # PDF pages laid out (``formats/pdf/pieces.py``), in all passes
    #: PDF pieces not taken from the cache, "job piece from page N: why" (``pieces.py``)
    pdf_missed: list[str] = field(default_factory=list)
    #: previous outputs found damaged, ``(path, what)``: rebuilt, never reused
    damaged: list[tuple[str, str]] = field(default_factory=list)


class BuildCache:
    """The cache of one course's build folder."""

    def __init__(self, build_root: Path, read: bool = True) -> None:
        """``read=False`` (``--force``) ignores what is cached but still records this build
        (and reads back what this build stored: a lesson released from memory, ``resolve/lazy.py``)."""
        self.folder = build_root / CACHE_DIR
        self.read = read
        self._stored: set[Path] = set()  # entries written by this build (read=False)
        self.stats = CacheStats()
        #: large files hashed in this build, by ``media_key``: with ``--force`` too, the
        #: fingerprint and the media probe share one hash of each file
        self.digests: dict[str, str] = {}

    # ------------------------------------------------------------ entries

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / key

    def load(self, kind: str, key: str, expected: Any) -> Any | None:
        """The entry ``kind``/``key`` as a value of type ``expected`` (``bytes`` for raw
        data), or ``None`` when there is none or it is damaged, moved from another key
        or not of that type: entries are untrusted input (see ``typed_json``)."""
        path = self._path(kind, key)
        if not self.read and path not in self._stored:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        header = _header(kind, key)
        payload = data[len(header) + 64 :]
        check = data[len(header) : len(header) + 64]
        if not data.startswith(header) or check != _check(payload):
            self.stats.rejected += 1
            return None
        if expected is bytes:
            return payload
        try:
            return typed_json.decode(payload, expected)
        except typed_json.TypedJsonError:
            self.stats.rejected += 1
            return None

    def store(self, kind: str, key: str, value: Any) -> None:
        """Keep ``value`` (bytes, or what ``typed_json.encode`` writes) under ``kind``/``key``."""
        payload = value if isinstance(value, bytes) else typed_json.encode(value)
        path = self._path(kind, key)
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            write_bytes(
                path,
                _header(kind, key) + _check(payload) + payload,
                durable=False,
                temp_dir=self.folder,  # its temporaries in one folder: see build/pipeline.py
            )
            if not self.read:
                self._stored.add(path)

    @property
    def stored(self) -> frozenset[Path]:
        """The entries this build stored (recorded only with ``read=False``)."""
        return frozenset(self._stored)

    def adopt(self, kind: str, key: str) -> None:
        """Count ``kind``/``key`` as stored by this build: another of its processes
        (``build/lesson_pool.py``) stored it."""
        self._stored.add(self._path(kind, key))

    # ------------------------------------------------------------ keys

    @staticmethod
    def lesson_key(path: str, text: str, allow_html: bool = False) -> str:
        """Parsing depends on the text and on ``allow_html`` (raw HTML handling)."""
        return digest("lesson", code_fingerprint(), path, text, str(allow_html))

    @staticmethod
    def media_key(real: Path) -> str | None:
        """The key under which a media file's hash and probe are remembered while it is
        unchanged: its path, size, mtime, ctime and inode, the bundle's rule
        (``bundle/reuse.py``): no write through the kernel keeps the ctime, which no
        program can set back. ``None`` (nothing remembered: hash it again) on a file
        system whose whole-second timestamps could hide a write."""
        st = real.stat()
        if not fine_clock(st.st_mtime_ns, st.st_ctime_ns):
            return None
        return digest("media", code_fingerprint(), str(real), *map(str, _stat_record(st)))

    # ------------------------------------------------------------ outputs

    def _outputs_file(self) -> Path:
        return self.folder / "outputs.json"

    def _read_outputs(self) -> dict[str, Any]:
        try:
            data = json.loads(self._outputs_file().read_text("utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def recorded(self, job: str) -> bool:
        """Whether ``job`` may be up to date (``fresh_outputs`` may find its files): it
        was built before and the build may reuse what it made."""
        return self.read and job in self._read_outputs()

    def fresh_outputs(self, job: str, fingerprint: str) -> list[Path] | None:
        """The files ``job`` wrote last time, if its inputs are unchanged and the files are
        still there exactly as written (size, mtime, and the ctime and inode that a
        restored mtime or a replaced file cannot keep); else ``None``. The record is
        untrusted input: it may name only files inside the build folder."""
        if not self.read:
            return None
        entry = self._read_outputs().get(job)
        if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
            return None
        build_root = os.path.abspath(self.folder.parent)
        records = entry.get("files")
        if not isinstance(records, list):
            return None
        paths = []
        for record in records:
            if not isinstance(record, dict) or not isinstance(record.get("path"), str):
                return None
            path = Path(record["path"])
            if os.path.commonpath([build_root, os.path.abspath(path)]) != build_root:
                return None
            try:
                st = path.lstat()
            except (OSError, ValueError):
                return None
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
                return None
            if _stat_record(st) != record.get("stat"):
                return None
            paths.append(path)
        return paths

    def record_outputs(self, job: str, fingerprint: str, paths: list[Path]) -> None:
        data = self._read_outputs()
        files = []
        for path in paths:
            st = path.stat()
            files.append({"path": str(path), "stat": _stat_record(st)})
        data[job] = {"fingerprint": fingerprint, "files": files}
        write_bytes(
            self._outputs_file(), json.dumps(data, indent=1, sort_keys=True).encode(), durable=False
        )


def _stat_record(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def fine_clock(mtime_ns: int, ctime_ns: int) -> bool:
    """The file system keeps sub-second timestamps, so a write in the same second as a
    record still changes them: only then may a stat vouch for a file's contents."""
    return ctime_ns % 1_000_000_000 != 0 or mtime_ns % 1_000_000_000 != 0


def tree_fingerprint(folder: Path, cache: BuildCache | None = None) -> str:
    """A hash of every source file below ``folder`` (names and contents), in a stable order.

    Large files are hashed once and then recognised by their stat (see ``media_key``)."""
    if not folder.is_dir():
        return digest("missing", str(folder))
    return files_fingerprint(file_digests(folder, cache))


#: ``file_digests``' record by relative path: size, mtime, ctime, inode, SHA-256, and
#: whether the file had settled (see ``SETTLED_NS``)
_Known = dict[str, tuple[int, int, int, int, str, bool]]
#: a file changed less than this long ago is hashed again by the next build: a write
#: in the same tick of the file system's clock could leave its times as they were
SETTLED_NS = 2_000_000_000


def file_digests(folder: Path, cache: BuildCache | None = None) -> list[tuple[str, str]]:
    """(path relative to ``folder``, SHA-256) of every source file below it (build
    folders inside are outputs, not sources), in a stable order: the parts of
    ``tree_fingerprint``.

    With a ``cache``, a regular file whose size, mtime, ctime and inode are as the last
    build recorded them is not read again (no write through the kernel keeps its ctime,
    which no program can set back); what bypasses the kernel only ``--force`` finds.
    The record is written only when a file changed, so a build with nothing to do
    writes nothing."""
    if cache is None:
        return [(rel, file_digest(path, None)) for path, rel in source_files(folder)]
    key = digest("stat-digests", code_fingerprint(), str(folder.resolve()))
    known: _Known = cache.load("stat-digests", key, _Known) or {}
    settled = time.time_ns() - SETTLED_NS
    found, record = [], {}
    for path, rel in source_files(folder):
        try:
            st = path.lstat()  # before reading: a later write changes what is recorded
        except OSError:
            st = None
        if st is None or not stat.S_ISREG(st.st_mode):
            found.append((rel, file_digest(path, cache)))
            continue
        times = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        entry = known.get(rel)
        if entry is not None and entry[:4] == times and entry[5]:
            sha = entry[4]
        else:
            sha = file_digest(path, cache)
        if sha != "unreadable":
            record[rel] = (*times, sha, st.st_ctime_ns < settled)
        found.append((rel, sha))
    if {rel: entry[:5] for rel, entry in record.items()} != {
        rel: entry[:5] for rel, entry in known.items()
    }:
        cache.store("stat-digests", key, record)
    return found


def files_fingerprint(digests: list[tuple[str, str]]) -> str:
    """One hash of ``file_digests`` (or of a selection of them)."""
    h = hashlib.sha256()
    for rel, known in digests:
        h.update(rel.encode("utf-8") + b"\0")
        h.update(known.encode("ascii"))
    return h.hexdigest()


def file_digest(path: Path, cache: BuildCache | None) -> str:
    """SHA-256 of a file; remembered by stat (``media_key``) in the cache for files over
    1 MiB."""
    if path.is_symlink():  # never read through a link: it may point out of the course
        try:
            return digest("symlink", os.readlink(path))
        except OSError:
            return "unreadable"
    try:
        st = path.stat()
    except OSError:
        return "unreadable"
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device: never opened (check names it)
        return digest("special", str(stat.S_IFMT(st.st_mode)))
    if st.st_size <= 1 << 20 or cache is None:
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return "unreadable"
    key = BuildCache.media_key(path)
    if key is None:  # the stat cannot vouch for the file: nothing is remembered
        return hash_file(path)[1]
    known = cache.digests.get(key) or cache.load("digest", key, str)
    if not isinstance(known, str):
        _size, known = hash_file(path)
        cache.store("digest", key, known)
    cache.digests[key] = known
    return known


#: the ``casekit`` package folder
PACKAGE = Path(__file__).resolve().parent.parent


def code_files() -> list[str]:
    """casekit's own code and message files (POSIX paths in the package), in a stable
    order. Strings, not ``Path``: every build lists the 200-odd files."""
    found = []
    for folder, dirs, names in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        inside = Path(folder).relative_to(PACKAGE).as_posix()
        prefix = "" if inside == "." else inside + "/"
        found += [prefix + n for n in sorted(names) if n.endswith((".py", ".toml"))]
    return found


@functools.cache
def code_fingerprint() -> str:
    """A hash of casekit's own code and message files, so that a changed casekit (even
    without a new version number) never reuses outputs of the old one."""
    h = hashlib.sha256(__version__.encode())
    for rel in code_files():
        h.update(rel.encode() + b"\0")
        with open(os.path.join(PACKAGE, rel), "rb") as handle:
            h.update(handle.read())
    return h.hexdigest()
