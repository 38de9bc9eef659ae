"""``casekit verify --trust``: who approved this bundle's exact bytes, checked against
the public keys the facility trusts.

Each approval file gets one status; the bundle gets one verdict, the worst
that applies, each with its own exit status. Nothing counts as approved
unless its signature verifies with a trusted key over this bag's tag manifest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum

from casekit.bundle.bag import sha256
from casekit.bundle.verify import TAGMANIFEST, Source, Unreadable
from casekit.trust import short_fingerprint
from casekit.trust.approve import approvals_in, course_of
from casekit.trust.keys import PublicKey, decode_raw_key
from casekit.trust.statement import APPROVED, REJECTED, SignedStatement


class Verdict(Enum):
    """A bundle's trust result: (exit status, words); listed from worst to best."""

    TAMPERED = (1, "tampered")
    DIFFERENT_CONTENT = (4, "approval for different content")
    BAD_APPROVAL = (6, "damaged or forged approval")
    REJECTED = (7, "rejected")
    UNKNOWN_KEY = (5, "signed by an unknown key")
    NOT_APPROVED = (3, "intact but not approved")
    APPROVED = (0, "approved")

    @property
    def exit_code(self) -> int:
        return self.value[0]

    @property
    def words(self) -> str:
        return self.value[1]


ORDER = list(Verdict)  # worst first


def worst(verdicts: list[Verdict]) -> Verdict:
    return min(verdicts, key=ORDER.index, default=Verdict.APPROVED)


@dataclass
class ApprovalCheck:
    """One approval file: ``status`` is valid, rejected (a valid rejection),
    unknown-key, different-content, bad-signature, damaged, duplicate or
    not-an-approval."""

    path: str
    status: str
    detail: str = ""
    reviewer: str = ""  # from the trust folder when the key is trusted
    role: str = ""
    date: str = ""
    note: str = ""
    key_fingerprint: str = ""
    content_fingerprint: str = ""

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @property
    def who(self) -> str:
        return f"{self.reviewer or '?'} ({self.role or '?'}), {self.date or '?'}"

    def describe(self) -> str:
        key = f", key {self.key_fingerprint}" if self.key_fingerprint else ""
        note = f", note: {self.note}" if self.note and self.status in ("valid", "rejected") else ""
        if self.valid:
            return f"approved: {self.who}{key}{note}"
        if self.status == "rejected":
            return f"rejected: {self.who}{key}{note}"
        return f"{self.status}: {self.path}: {self.detail}"


@dataclass
class TrustReport:
    verdict: Verdict
    content_fingerprint: str
    reason: str
    approvals: list[ApprovalCheck] = field(default_factory=list)
    missing_roles: list[str] = field(default_factory=list)

    @property
    def roles(self) -> list[str]:
        return [a.role for a in self.approvals if a.valid]

    def as_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.name.lower(),
            "exit_code": self.verdict.exit_code,
            "reason": self.reason,
            "content_fingerprint": self.content_fingerprint,
            "approvals": [a.__dict__ for a in self.approvals],
            "missing_roles": self.missing_roles,
        }


def same_role(one: str, other: str) -> bool:
    """Roles compare with spaces collapsed and in lower case (verify.js does the same)."""
    return " ".join(one.split()).lower() == " ".join(other.split()).lower()


def check_one(
    path: str,
    signed: SignedStatement,
    trusted: dict[str, PublicKey],
    content: str,
    course: tuple[str, str] | None,
) -> ApprovalCheck:
    statement = signed.statement
    check = ApprovalCheck(
        path,
        "valid",
        reviewer=statement.reviewer,
        role=statement.role,
        date=statement.date,
        note=statement.note,
        key_fingerprint=statement.key_fingerprint,
        content_fingerprint=statement.content_fingerprint,
    )
    key = trusted.get(statement.key_fingerprint)
    carried = PublicKey("", statement.reviewer, decode_raw_key(statement.key))
    if key is None or key.raw != carried.raw:
        good = signed.signed_by(carried)
        check.status = "unknown-key" if good else "bad-signature"
        check.detail = (
            f"signed by key {statement.key_fingerprint}, which is not in the trust folder"
            if good
            else "the signature does not match the statement (forged or damaged)"
        )
        return check
    check.reviewer = key.reviewer
    if not signed.signed_by(key):
        check.status, check.detail = (
            "bad-signature",
            "the signature does not match the statement (forged or damaged)",
        )
    elif statement.tagmanifest_sha256 != content or (
        course is not None and (statement.course, statement.version) != course
    ):
        check.status = "different-content"
        check.detail = (
            f"signed for {statement.course} {statement.version}, content "
            f"{statement.content_fingerprint}; this bundle is "
            f"{' '.join(course) if course else '?'}, content {short_fingerprint(content)}"
        )
    elif statement.decision == REJECTED:
        check.status, check.detail = "rejected", f"rejected by {check.who}"
    elif statement.decision != APPROVED:
        check.status, check.detail = "not-an-approval", f"decision {statement.decision!r}"
    return check


def carried_keys(source: Source) -> dict[str, PublicKey]:
    """The keys the approvals carry, as if trusted: their signatures can be checked,
    their origin only by comparing fingerprints with a trusted list."""
    keys = {}
    for found in approvals_in(source).values():
        if isinstance(found, SignedStatement):
            statement = found.statement
            raw = decode_raw_key(statement.key)
            keys[statement.key_fingerprint] = PublicKey("", statement.reviewer, raw)
    return keys


def check_trust(
    source: Source, intact: bool, trusted: dict[str, PublicKey], required_roles: list[str]
) -> TrustReport:
    """The approvals of ``source`` checked against ``trusted`` and the required roles."""
    try:
        content = sha256(source.read(TAGMANIFEST)) if TAGMANIFEST in source.files else ""
    except Unreadable:  # corrupt in the zip, or too large: reported by verify_source
        content = ""
    try:
        course: tuple[str, str] | None = course_of(source)
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, Unreadable):
        course = None
    checks: list[ApprovalCheck] = []
    seen_keys: dict[str, str] = {}
    for path, found in approvals_in(source).items():
        if not isinstance(found, SignedStatement):
            checks.append(ApprovalCheck(path, "damaged", str(found)))
            continue
        check = check_one(path, found, trusted, content, course)
        if check.valid and check.key_fingerprint in seen_keys:
            check.status = "duplicate"
            check.detail = (
                f"a second approval by key {check.key_fingerprint} "
                f"(first: {seen_keys[check.key_fingerprint]}); counted once"
            )
        elif check.valid:
            seen_keys[check.key_fingerprint] = path
        checks.append(check)
    report = TrustReport(
        Verdict.APPROVED, short_fingerprint(content) if content else "", "", checks
    )
    valid_roles = [c.role for c in checks if c.valid]
    report.missing_roles = [
        role for role in required_roles if not any(same_role(role, r) for r in valid_roles)
    ]
    statuses = {c.status for c in checks}
    first = {status: next(c for c in checks if c.status == status) for status in statuses}
    if not intact:
        report.verdict, report.reason = Verdict.TAMPERED, "files differ from the manifests"
    elif "different-content" in statuses:
        report.verdict = Verdict.DIFFERENT_CONTENT
        report.reason = first["different-content"].detail
    elif statuses & {"bad-signature", "damaged"}:
        bad = first.get("bad-signature") or first["damaged"]
        report.verdict, report.reason = Verdict.BAD_APPROVAL, f"{bad.path}: {bad.detail}"
    elif "rejected" in statuses:  # no approval, by the same role or any other, lifts it
        report.verdict = Verdict.REJECTED
        report.reason = "; ".join(
            c.detail + (f" ({c.note})" if c.note else "") for c in checks if c.status == "rejected"
        )
    elif valid_roles and not report.missing_roles:
        report.verdict = Verdict.APPROVED
        report.reason = "approved as " + ", ".join(valid_roles)
    elif "unknown-key" in statuses:
        report.verdict = Verdict.UNKNOWN_KEY
        report.reason = first["unknown-key"].detail
    else:
        report.verdict = Verdict.NOT_APPROVED
        report.reason = (
            "no approval in the role(s) " + ", ".join(f'"{r}"' for r in report.missing_roles)
            if valid_roles
            else "no approval by a trusted key"
        )
    return report
