"""The shared build cache (``--cache-dir``): finished outputs by job fingerprint, for
many machines and processes at once, on a network file system if need be.

A job whose fingerprint (everything it was built from, see ``build/pipeline.py``) has
an entry is copied from the cache instead of built. Layout::

    CACHE/casekit-shared-1/entries/ab/<name>   one job: its output files and their SHA-256
    CACHE/casekit-shared-1/blobs/cd/<sha256>   the bytes of one file, named by their SHA-256

Whoever can write the folder must not be able to change what learners read, so:

- entries are JSON (``typed_json``) and raw bytes, which cannot run code;
- every file is written to a temporary sibling and renamed: a reader sees a whole file
  or none, and two writers of one name write the same bytes;
- a blob is hashed while it is copied out and refused when its bytes are not those
  its entry names;
- an entry is signed with HMAC-SHA-256 under a secret key that is not in the cache
  (``$CASEKIT_CACHE_KEY``, else a key file in the user's configuration made on first
  use), and named by an HMAC of the job fingerprint: an entry that names other bytes
  (another edition's PDF, a forged text) fails its signature and is refused. Keyed
  signatures, not rebuilding to compare, because rebuilding would cost what the cache
  saves; the machines that share a key are trusted alike.

A refused entry costs one warning line and a rebuild, whose entry replaces it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from casekit.diagnostics import CasekitError, diagnostic, error
from casekit.files import typed_json
from casekit.files.atomic import atomic_dir, atomic_file, write_bytes, write_errors
from casekit.files.stream import copy_hashed, hash_file, hash_stream, open_regular

LAYOUT = "casekit-shared-1"
KEY_ENV = "CASEKIT_CACHE_KEY"
MAX_ENTRY = 16 * 1024 * 1024  # bytes: an entry lists files, it is never this large


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the build root (``pdf/x.pdf``, ``usb/bundle/index.html``)
    sha256: str
    size: int


@dataclass(frozen=True)
class StoredOutput:
    path: str  # the output the job returned, relative to the build root
    folder: bool  # a folder output (a USB bundle): its files and its folders below
    files: list[StoredFile]
    folders: list[str]


@dataclass(frozen=True)
class Entry:
    job: str
    fingerprint: str
    outputs: list[StoredOutput]


class Refused(Exception):
    """An entry that fails a check (the message says which)."""


def default_key_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(config) / "casekit" / "cache.key"


def load_key(cache_dir: Path, key_file: Path | None = None) -> bytes:
    """The signing key: ``$CASEKIT_CACHE_KEY``, else ``key_file`` (default: made, owner-only,
    in the user's configuration on first use). A key inside the cache is refused: whoever
    writes the cache could then sign."""
    secret = os.environ.get(KEY_ENV, "")
    if secret:
        return secret.encode("utf-8")
    path = (key_file or default_key_file()).resolve()
    if path.is_relative_to(cache_dir.resolve()):
        raise error(
            str(path),
            "the cache key must not be inside the cache folder: whoever can write the "
            "cache could sign entries; keep it in your configuration or in $" + KEY_ENV,
            "cache-key",
        )
    if key_file is None and not path.exists():
        write_bytes(path, secrets.token_hex(32).encode("ascii") + b"\n", mode=0o600)
    try:
        data = path.read_bytes().strip()
    except OSError as exc:
        raise error(str(path), f"cannot read the cache key: {exc.strerror}", "cache-key") from None
    if len(data) < 16:
        raise error(str(path), "the cache key is shorter than 16 bytes", "cache-key")
    return data


def _safe_relative(text: str) -> PurePosixPath:
    path = PurePosixPath(text)
    if (
        not text
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in text.split("/"))
        or "\\" in text
        or "\0" in text
    ):
        raise Refused(f"unsafe path {text!r}")
    return path


class SharedCache:
    def __init__(self, folder: Path, key: bytes, warn: Callable[[str], None]) -> None:
        self.root = folder / LAYOUT
        self.key = key
        self.warn = warn
        self.restored: list[str] = []  # job keys copied from the cache
        self.refused: list[str] = []  # job keys whose entry was refused

    def _mac(self, *parts: bytes) -> str:
        return hmac.new(self.key, b"\0".join(parts), hashlib.sha256).hexdigest()

    def _entry_path(self, fingerprint: str) -> Path:
        name = self._mac(b"entry", fingerprint.encode("ascii"))
        return self.root / "entries" / name[:2] / name

    def _blob(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256

    # ------------------------------------------------------------ reading

    def restore(
        self, job: str, fingerprint: str, build_root: Path, label: str
    ) -> list[Path] | None:
        """Copy the outputs of ``job`` into ``build_root`` from its entry and return their
        paths; ``None`` when there is no entry or it is refused (with a warning)."""
        path = self._entry_path(fingerprint)
        if not os.path.lexists(path):
            return None
        try:
            try:
                with open_regular(path) as handle:  # a FIFO there must not hang the build
                    data = handle.read(MAX_ENTRY + 1)
            except OSError as exc:
                raise Refused(f"cannot be read: {exc.strerror or exc}") from None
            entry = self._verified(path.name, data, job, fingerprint)
            paths = [self._restore_output(output, build_root, job) for output in entry.outputs]
        except Refused as exc:
            self.refused.append(job)
            message = f"shared cache entry for {label} refused ({exc}); building it again"
            self.warn(str(diagnostic(str(path), message, "cache-refused", severity="warning")))
            return None
        self.restored.append(job)
        return paths

    def _verified(self, name: str, data: bytes, job: str, fingerprint: str) -> Entry:
        mac, _, payload = data.partition(b"\n")
        if len(data) > MAX_ENTRY:
            raise Refused("too large")
        expected = self._mac(b"signed", name.encode("ascii"), payload).encode("ascii")
        if not hmac.compare_digest(mac, expected):
            raise Refused(
                "its signature does not match: written without this cache key, or changed"
            )
        try:
            entry: Entry = typed_json.decode(payload, Entry)
        except typed_json.TypedJsonError as exc:
            raise Refused(f"not an entry: {exc}") from None
        if entry.job != job or entry.fingerprint != fingerprint:
            raise Refused("it is the entry of another job")
        return entry

    def _restore_output(self, output: StoredOutput, build_root: Path, job: str) -> Path:
        top = _safe_relative(output.path)
        if top.parts[0] != job.split(":")[0]:
            raise Refused(f"{output.path} is outside the folder of {job.split(':')[0]}")
        target = build_root / top
        if not output.folder:
            if len(output.files) != 1 or output.files[0].path != output.path:
                raise Refused(f"{output.path}: a file output names other files")
            with atomic_file(target) as handle:
                self._copy_blob(output.files[0], handle)
            return target
        with atomic_dir(target) as temporary:
            for folder in output.folders:
                (temporary / _inside(folder, top)).mkdir(parents=True, exist_ok=True)
            for stored in output.files:
                place = temporary / _inside(stored.path, top)
                place.parent.mkdir(parents=True, exist_ok=True)
                with place.open("xb") as handle:
                    self._copy_blob(stored, handle)
        return target

    def _copy_blob(self, stored: StoredFile, handle: object) -> None:
        try:
            with open_regular(self._blob(stored.sha256)) as blob:
                size, sha256 = copy_hashed(blob, handle)  # type: ignore[arg-type]
        except (OSError, ValueError) as exc:
            raise Refused(f"{stored.path}: its bytes cannot be read: {exc}") from None
        if (size, sha256) != (stored.size, stored.sha256):
            raise Refused(f"{stored.path}: its bytes are not those the entry names")

    # ------------------------------------------------------------ writing

    def store(self, job: str, fingerprint: str, build_root: Path, paths: list[Path]) -> None:
        """Keep the outputs ``paths`` of ``job``: blobs first, then the signed entry. A
        cache that cannot be written only costs time; an output with a link is not kept."""
        with contextlib.suppress(OSError, CasekitError, _NotStorable):
            outputs = [self._store_output(path, build_root) for path in paths]
            payload = typed_json.encode(Entry(job, fingerprint, outputs))
            path = self._entry_path(fingerprint)
            mac = self._mac(b"signed", path.name.encode("ascii"), payload).encode("ascii")
            write_bytes(path, mac + b"\n" + payload, durable=False)

    def _store_output(self, path: Path, build_root: Path) -> StoredOutput:
        rel = path.relative_to(build_root).as_posix()
        if path.is_symlink():
            raise _NotStorable
        if path.is_file():
            return StoredOutput(rel, False, [self._store_file(path, rel)], [])
        files, folders = [], []
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for name in dirs:
                if os.path.islink(os.path.join(root, name)):
                    raise _NotStorable
                folders.append(Path(root, name).relative_to(build_root).as_posix())
            for name in sorted(names):
                file = Path(root, name)
                if file.is_symlink() or not file.is_file():
                    raise _NotStorable
                files.append(self._store_file(file, file.relative_to(build_root).as_posix()))
        return StoredOutput(rel, True, files, folders)

    def _store_file(self, file: Path, rel: str) -> StoredFile:
        size, sha256 = hash_file(file)
        blob = self._blob(sha256)
        with contextlib.suppress(OSError), open_regular(blob) as existing:
            if hash_stream(existing) == (size, sha256):  # already there, intact
                return StoredFile(rel, sha256, size)
        with (
            atomic_file(blob, durable=False) as handle,
            file.open("rb") as source,
            write_errors(blob),
        ):
            shutil.copyfileobj(source, handle)
        return StoredFile(rel, sha256, size)


class _NotStorable(Exception):
    """An output the cache does not keep (a link in it)."""


def _inside(text: str, top: PurePosixPath) -> PurePosixPath:
    """``text`` (relative to the build root) relative to the folder output ``top``."""
    path = _safe_relative(text)
    if path.parts[: len(top.parts)] != top.parts or path == top:
        raise Refused(f"{text} is outside {top}")
    return path.relative_to(top)
