"""Reviewers' Ed25519 keys: ``<name>.key`` (PKCS#8 PEM, owner-only, optionally
encrypted with a passphrase) and ``<name>.pub`` (a small JSON file staff copy into
the facility's trust folder).

A key is known by its short fingerprint (the first 80 bits of the SHA-256 of
the raw 32-byte public key), printed on everything it signs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casekit.bundle.bag import sha256
from casekit.diagnostics import error
from casekit.files.atomic import atomic_file
from casekit.trust import short_fingerprint

PRIVATE_SUFFIX = ".key"
PUBLIC_SUFFIX = ".pub"
PUBLIC_FORMAT = 1
#: a public key file is a few hundred bytes; anything far larger is not one
MAX_PUBLIC_FILE = 16 * 1024
MAX_PRIVATE_FILE = 16 * 1024
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
ENV_DIR = "CASEKIT_KEYS"
ENV_PASSPHRASE = "CASEKIT_KEY_PASSPHRASE"


def default_keys_dir() -> Path:
    """``$CASEKIT_KEYS``, else ``$XDG_CONFIG_HOME/casekit/keys`` (``~/.config/...``)."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "casekit" / "keys"


def key_fingerprint(raw: bytes) -> str:
    return short_fingerprint(sha256(raw))


@dataclass(frozen=True)
class PublicKey:
    """A reviewer's public key as the trust folder and approvals carry it."""

    name: str  # the key's file name (``aigerim``)
    reviewer: str  # the person, as printed on approvals (``Aigerim Sadykova``)
    raw: bytes  # 32 bytes

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.raw)

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def verifies(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def file_bytes(self) -> bytes:
        data = {
            "casekit_public_key": PUBLIC_FORMAT,
            "algorithm": "Ed25519",
            "name": self.name,
            "reviewer": self.reviewer,
            "key": self.b64,
            "fingerprint": self.fingerprint,
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def decode_raw_key(text: object) -> bytes:
    """The 32 bytes of a base64 Ed25519 public key; ``ValueError`` otherwise."""
    if not isinstance(text, str):
        raise ValueError("the key is not a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the key is not valid base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key has 32 bytes, this one {len(raw)}")
    return raw


def read_small(path: Path, limit: int, code: str) -> bytes:
    """At most ``limit`` bytes of the regular file ``path`` (never a FIFO or device)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise error(str(path), "not a regular file", code)
        if info.st_size > limit:
            raise error(str(path), f"too large for a key file ({info.st_size} bytes)", code)
        with path.open("rb") as handle:
            return handle.read(limit + 1)[:limit]
    except OSError as exc:
        raise error(str(path), f"cannot read the key file: {exc.strerror}", code) from None


def load_public_key(path: Path) -> PublicKey:
    """A ``.pub`` file; every defect is one ``key-damaged`` line naming the file."""
    data = read_small(path, MAX_PUBLIC_FILE, "key-damaged")
    try:
        parsed = json.loads(data.decode("utf-8"))
        if not isinstance(parsed, dict) or parsed.get("casekit_public_key") != PUBLIC_FORMAT:
            raise ValueError("not a casekit public key file")
        if parsed.get("algorithm") != "Ed25519":
            raise ValueError(f"unsupported algorithm {parsed.get('algorithm')!r}")
        key = PublicKey(str(parsed["name"]), str(parsed["reviewer"]), decode_raw_key(parsed["key"]))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, ValueError) as exc:
        raise error(str(path), f"damaged public key file: {exc}", "key-damaged") from None
    if parsed.get("fingerprint") != key.fingerprint:
        raise error(
            str(path),
            f"the fingerprint written in the file ({parsed.get('fingerprint')}) is not the "
            f"key's ({key.fingerprint})",
            "key-damaged",
        )
    return key


def load_trusted(folder: Path) -> dict[str, PublicKey]:
    """The public keys in the trust folder, by fingerprint."""
    if not folder.is_dir():
        raise error(str(folder), "the trust folder does not exist", "trust-missing")
    keys: dict[str, PublicKey] = {}
    for path in sorted(folder.glob(f"*{PUBLIC_SUFFIX}")):
        key = load_public_key(path)
        keys[key.fingerprint] = key
    if not keys:
        raise error(
            str(folder),
            f"no public keys (*{PUBLIC_SUFFIX} files) in the trust folder",
            "trust-empty",
        )
    return keys


@dataclass(frozen=True)
class KeyPair:
    public: PublicKey
    private: Ed25519PrivateKey

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def key_paths(folder: Path, name: str) -> tuple[Path, Path]:
    return folder / f"{name}{PRIVATE_SUFFIX}", folder / f"{name}{PUBLIC_SUFFIX}"


def new_key(folder: Path, name: str, reviewer: str, passphrase: bytes | None) -> PublicKey:
    """Write ``folder/<name>.key`` (owner-only) and ``folder/<name>.pub``; never overwrite."""
    if not NAME_PATTERN.fullmatch(name):
        raise error(
            name,
            "a key name is 1-64 letters, digits, '.', '_' or '-' (it becomes a file name)",
            "key-name",
        )
    if not reviewer.strip():
        raise error(name, "the reviewer's name is empty", "key-name")
    private_path, public_path = key_paths(folder, name)
    for path in (private_path, public_path):
        if path.exists():
            raise error(
                str(path),
                "a key with this name exists already; keys are never overwritten",
                "key-exists",
            )
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise error(
            str(folder), f"cannot create the keys folder: {exc.strerror}", "write-failed"
        ) from None
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    public = PublicKey(name, " ".join(reviewer.split()), raw)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    with atomic_file(private_path, mode=0o600) as handle:
        handle.write(pem)
    with atomic_file(public_path) as handle:
        handle.write(public.file_bytes())
    return public


def find_private_key(spec: str, folder: Path) -> Path:
    """``--key``: a path to a ``.key`` file, or a key name in the keys folder."""
    path = Path(spec)
    if path.suffix != PRIVATE_SUFFIX or not path.exists():
        path = key_paths(folder, spec)[0]
    if not path.is_file():
        raise error(
            spec, f"no such key (looked for {path}); casekit keys list shows them", "key-missing"
        )
    return path


def load_key_pair(path: Path, passphrase: Callable[[], bytes]) -> KeyPair:
    """The private key at ``path`` and its ``.pub`` beside it.

    Refuses a key file that group or others may read (as ssh does): a copied key
    is a reviewer whose approval anyone can forge."""
    info = path.stat()
    if info.st_mode & 0o077:
        raise error(
            str(path),
            f"the private key may be read by others (mode {stat.S_IMODE(info.st_mode):03o}); "
            f"run chmod 600 {path} and consider making a new key",
            "key-permissions",
        )
    pem = read_small(path, MAX_PRIVATE_FILE, "key-damaged")
    secret = passphrase() if b"ENCRYPTED PRIVATE KEY" in pem else None
    try:
        private = serialization.load_pem_private_key(pem, password=secret)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = "wrong passphrase or damaged key" if secret else f"damaged key ({exc})"
        raise error(str(path), f"cannot load the private key: {reason}", "key-damaged") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise error(str(path), "not an Ed25519 key", "key-damaged")
    public_path = path.with_suffix(PUBLIC_SUFFIX)
    if not public_path.is_file():
        raise error(
            str(public_path), "the public key file beside the private key is missing", "key-missing"
        )
    public = load_public_key(public_path)
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    if raw != public.raw:
        raise error(
            str(public_path),
            "this public key does not belong to the private key beside it",
            "key-damaged",
        )
    return KeyPair(public, private)


def list_keys(folder: Path) -> list[tuple[PublicKey, Path | None]]:
    """Every public key in ``folder`` with its private key file when present."""
    found = []
    for path in sorted(folder.glob(f"*{PUBLIC_SUFFIX}")) if folder.is_dir() else []:
        private = path.with_suffix(PRIVATE_SUFFIX)
        found.append((load_public_key(path), private if private.is_file() else None))
    return found
