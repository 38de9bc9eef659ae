"""The signed approval statement and the tag file that carries it.

``approvals/NN-<key fingerprint>.json`` holds ``statement`` (JSON text, signed
exactly as stored, so no canonical form is needed: Python and verify.html's
Web Crypto check the same UTF-8 bytes) and ``signature`` (base64 Ed25519).
The statement names the course, its version, the SHA-256 of
``tagmanifest-sha256.txt``, the reviewer, role, date, decision and the public key.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass

from casekit.bundle import APPROVALS
from casekit.trust import short_fingerprint
from casekit.trust.keys import KeyPair, PublicKey, decode_raw_key, key_fingerprint

FILE_FORMAT = 1
STATEMENT_FORMAT = 1
#: an approval file is about 1 KiB; a larger one is refused unread
MAX_APPROVAL_FILE = 64 * 1024
MAX_ROLE = 100
MAX_NOTE = 2000
APPROVED = "approved"
REJECTED = "rejected"
#: what a reviewer decides: the statement's ``decision``
DECISIONS = (APPROVED, REJECTED)


class StatementError(ValueError):
    """An approval file that cannot be read as one (the message says why)."""


@dataclass(frozen=True)
class Statement:
    course: str
    version: str
    tagmanifest_sha256: str
    reviewer: str
    role: str
    date: str  # ISO 8601 UTC, e.g. 2026-11-30T03:50:12Z
    decision: str
    note: str
    key: str  # base64 raw Ed25519 public key
    key_fingerprint: str

    @property
    def content_fingerprint(self) -> str:
        return short_fingerprint(self.tagmanifest_sha256)

    def text(self) -> str:
        return json.dumps(
            {"casekit_statement": STATEMENT_FORMAT, **asdict(self)}, ensure_ascii=False, indent=2
        )


@dataclass(frozen=True)
class SignedStatement:
    statement: Statement
    text: str  # exactly as signed
    signature: bytes

    def file_bytes(self) -> bytes:
        data = {
            "casekit_approval": FILE_FORMAT,
            "statement": self.text,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def signed_by(self, key: PublicKey) -> bool:
        return key.verifies(self.signature, self.text.encode("utf-8"))


def sign(statement: Statement, key: KeyPair) -> SignedStatement:
    text = statement.text()
    return SignedStatement(statement, text, key.sign(text.encode("utf-8")))


def approval_path(number: int, key: PublicKey) -> str:
    return f"{APPROVALS}/{number:02d}-{key.fingerprint}.json"


def _field(data: dict[str, object], name: str, limit: int = 200) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise StatementError(f"the statement has no {name}")
    if len(value) > limit:
        raise StatementError(f"the statement's {name} is too long")
    return value


def parse_approval(data: bytes) -> SignedStatement:
    """An approval file's statement and signature; ``StatementError`` when it is not
    one (truncated, not JSON, fields missing or of the wrong kind, a bad key).
    The signature is not checked here."""
    if len(data) > MAX_APPROVAL_FILE:
        raise StatementError(f"too large for an approval ({len(data)} bytes)")
    try:
        outer = json.loads(data.decode("utf-8"))
        if not isinstance(outer, dict) or outer.get("casekit_approval") != FILE_FORMAT:
            raise StatementError("not a casekit approval")
        text = outer.get("statement")
        if not isinstance(text, str):
            raise StatementError("the approval holds no statement")
        inner = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StatementError(f"not readable JSON ({exc})") from None
    if not isinstance(inner, dict) or inner.get("casekit_statement") != STATEMENT_FORMAT:
        raise StatementError("the statement is not a casekit approval statement")
    try:
        signature = base64.b64decode(str(outer.get("signature", "")), validate=True)
    except (binascii.Error, ValueError):
        raise StatementError("the signature is not base64") from None
    if len(signature) != 64:
        raise StatementError(f"an Ed25519 signature has 64 bytes, this one {len(signature)}")
    statement = Statement(
        course=_field(inner, "course"),
        version=_field(inner, "version"),
        tagmanifest_sha256=_field(inner, "tagmanifest_sha256", 64),
        reviewer=_field(inner, "reviewer"),
        role=_field(inner, "role", MAX_ROLE),
        date=_field(inner, "date", 40),
        decision=_field(inner, "decision", 40),
        note=_field(inner, "note", MAX_NOTE),
        key=_field(inner, "key", 64),
        key_fingerprint=_field(inner, "key_fingerprint", 40),
    )
    try:
        raw = decode_raw_key(statement.key)
    except ValueError as exc:
        raise StatementError(str(exc)) from None
    if key_fingerprint(raw) != statement.key_fingerprint:
        raise StatementError("the key fingerprint in the statement is not its key's")
    return SignedStatement(statement, text, signature)
