"""``casekit approve``: sign a statement over an intact bundle and add it as a tag file.

The payload and every file the manifests list stay as they were; the approval
goes to ``approvals/`` (a folder bundle) or under the bundle's prefix (a zip),
beside earlier approvals (methodologist, then security review).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from casekit.bundle import MANIFEST, is_approval_file
from casekit.bundle.bag import sha256
from casekit.bundle.verify import (
    TAGMANIFEST,
    FolderSource,
    Source,
    ZipSource,
    find_bundles,
    verify_source,
)
from casekit.diagnostics import error, one_line
from casekit.files.atomic import atomic_file
from casekit.files.zips import zip_entry
from casekit.trust import short_fingerprint
from casekit.trust.keys import KeyPair
from casekit.trust.statement import (
    APPROVED,
    DECISIONS,
    MAX_APPROVAL_FILE,
    MAX_NOTE,
    MAX_ROLE,
    REJECTED,
    SignedStatement,
    Statement,
    StatementError,
    approval_path,
    parse_approval,
    sign,
)


@dataclass(frozen=True)
class Approved:
    path: str  # where the approval was written, e.g. ".../approvals/02-3f2a-....json"
    signed: SignedStatement
    #: rejections of the same content the bag already carries ("reviewer (role)"),
    #: as their statements say (signatures are checked by verify --trust)
    rejected_by: tuple[str, ...] = ()


def single_bundle(path: Path) -> Source:
    sources = list(find_bundles(path))
    if len(sources) != 1:
        raise error(
            str(path),
            f"holds {len(sources)} bundles; approve one bundle folder or zip at a time",
            "not-a-bundle",
        )
    return sources[0]


@dataclass(frozen=True)
class BundleFacts:
    label: str
    title: str
    course: str
    version: str
    language: str
    content_sha256: str  # of the tag manifest
    manifest_sha256: str

    @property
    def content(self) -> str:
        return short_fingerprint(self.content_sha256)


def intact_bundle(path: Path) -> tuple[Source, BundleFacts]:
    """The bundle at ``path``, refused unless its files match its manifests: a sheet
    or a stamped packet for damaged content would vouch for the wrong bytes."""
    source = single_bundle(path)
    report = verify_source(source)
    if not report.ok:
        raise error(
            source.label,
            f"the bundle differs from its manifests ({report.differences[0]}): run casekit verify",
            "bundle-damaged",
        )
    course = json.loads(source.read(MANIFEST).decode("utf-8"))["course"]
    facts = BundleFacts(
        source.label,
        str(course["title"]),
        str(course["id"]),
        str(course["version"]),
        str(course["language"]),
        sha256(source.read(TAGMANIFEST)),
        report.fingerprint,
    )
    return source, facts


def approvals_in(source: Source) -> dict[str, SignedStatement | StatementError]:
    """Every approval file of ``source``, parsed (or why it cannot be)."""
    found: dict[str, SignedStatement | StatementError] = {}
    for path in sorted(p for p in source.files if is_approval_file(p)):
        try:
            found[path] = parse_approval(source.read_at_most(path, MAX_APPROVAL_FILE + 1))
        except StatementError as exc:
            found[path] = exc
    return found


def course_of(source: Source) -> tuple[str, str]:
    """(course id, version) from manifest.json, which the tag manifest covers."""
    course = json.loads(source.read(MANIFEST).decode("utf-8"))["course"]
    return str(course["id"]), str(course["version"])


def clean_text(value: str, what: str, limit: int, required: bool) -> str:
    text = one_line(" ".join(value.split()), limit * 2)
    if required and not text:
        raise error(what, f"the {what} is empty", "approval-input")
    if len(text) > limit:
        raise error(what, f"the {what} is longer than {limit} characters", "approval-input")
    return text


def approve(
    path: Path,
    key: KeyPair,
    role: str,
    note: str = "",
    now: datetime | None = None,
    decision: str = APPROVED,
) -> Approved:
    """Sign a decision on the bundle at ``path`` (folder or zip), an approval or a
    rejection, and store it in the bag.

    A key signs one approval of a bundle; it may reject what it approved (the
    rejection then stands), never approve what it rejected."""
    if decision not in DECISIONS:
        raise error(
            "decision", f"the decision is {decision!r}, not one of {DECISIONS}", "approval-input"
        )
    role = clean_text(role, "role", MAX_ROLE, required=True)
    note = clean_text(note, "note", MAX_NOTE, required=False)
    source = single_bundle(path)
    report = verify_source(source)
    if not report.ok:
        raise error(
            source.label,
            f"the bundle differs from its manifests ({report.differences[0]}); "
            "only an intact bundle can be approved: run casekit verify",
            "bundle-damaged",
        )
    existing = approvals_in(source)
    for where, found in existing.items():
        if not isinstance(found, SignedStatement) or found.statement.key != key.public.b64:
            continue
        if found.statement.decision == decision:
            raise error(
                source.label,
                f"this key {decision} the bundle already ({where}); one "
                f"{'approval' if decision == APPROVED else 'rejection'} per key",
                "approval-duplicate",
            )
        if decision == APPROVED:
            raise error(
                source.label,
                f"this key rejected the bundle ({where}); a rejection stands for these "
                "exact files: approve a new build instead",
                "approval-duplicate",
            )
    course, version = course_of(source)
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    content = sha256(source.read(TAGMANIFEST))
    rejected_by = tuple(
        f"{found.statement.reviewer} ({found.statement.role})"
        for found in existing.values()
        if isinstance(found, SignedStatement)
        and found.statement.decision == REJECTED
        and found.statement.tagmanifest_sha256 == content
    )
    statement = Statement(
        course=course,
        version=version,
        tagmanifest_sha256=content,
        reviewer=key.public.reviewer,
        role=role,
        date=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        decision=decision,
        note=note,
        key=key.public.b64,
        key_fingerprint=key.public.fingerprint,
    )
    signed = sign(statement, key)
    rel = approval_path(len(existing) + 1, key.public)
    if isinstance(source, FolderSource):
        with atomic_file(source.folder / rel) as handle:
            handle.write(signed.file_bytes())
        return Approved(str(source.folder / rel), signed, rejected_by)
    assert isinstance(source, ZipSource)
    source.archive.close()
    with path.open("rb") as original, atomic_file(path) as handle:
        shutil.copyfileobj(original, handle)
        with zipfile.ZipFile(handle, "a") as archive:
            archive.writestr(zip_entry(source.prefix + rel, when, False), signed.file_bytes())
    return Approved(f"{path}:{source.prefix}{rel}", signed, rejected_by)
