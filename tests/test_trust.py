"""Signed approvals: keys, casekit approve, casekit verify --trust, and hostile bags."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import bagit
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from casekit.trust.keys import KeyPair, PublicKey
from casekit.trust.statement import Statement, StatementError, parse_approval, sign
from tests.conftest import casekit as casekit_process
from tests.learners_helpers import casekit as casekit_in_process
from tests.usb_helpers import fresh_bundle, rehash_consistently

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml


def casekit(*args: object):
    """``casekit`` as main() runs it, in this process (exit code, stdout and stderr kept;
    an exception that main() lets out fails the test): a process per call cost about a
    second each, and these tests make about a hundred. ``casekit copy`` (threads and
    signal handlers) still runs in its own process."""
    return casekit_in_process(*map(str, args))


_PRIVATE = Ed25519PrivateKey.generate()
SIGNER = KeyPair(
    PublicKey("k", "K", _PRIVATE.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
    _PRIVATE,
)
SIGNED = sign(
    Statement("c", "1", "0" * 64, "K", "role", "2026-01-01T00:00:00Z", "approved", "",
              SIGNER.public.b64, SIGNER.public.fingerprint),
    SIGNER,
)  # fmt: skip
EXIT = {
    "approved": 0, "tampered": 1, "not-approved": 3, "different": 4, "unknown": 5, "bad": 6,
    "rejected": 7,
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("trust"), zip=True)


@pytest.fixture(scope="module")
def made_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two reviewers' key pairs, made once by ``casekit keys new``."""
    folder = tmp_path_factory.mktemp("made") / "keys"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CASEKIT_KEYS", str(folder))
        env.delenv("CASEKIT_KEY_PASSPHRASE", raising=False)
        for name, reviewer in (("meth", "Айгерим Садыкова"), ("sec", "Сергей Иванов")):
            done = casekit("keys", "new", name, "--reviewer", reviewer)
            assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def keys(made_keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's own copy of the key folder (modes kept), as $CASEKIT_KEYS."""
    folder = shutil.copytree(made_keys, tmp_path / "keys")
    monkeypatch.setenv("CASEKIT_KEYS", str(folder))
    monkeypatch.delenv("CASEKIT_KEY_PASSPHRASE", raising=False)
    return folder


@pytest.fixture
def trust(tmp_path: Path, keys: Path) -> Path:
    """The facility's trust folder: the two reviewers' public keys."""
    folder = tmp_path / "trusted"
    folder.mkdir()
    for name in ("meth", "sec"):
        shutil.copy(keys / f"{name}.pub", folder)
    return folder


@pytest.fixture
def bundle(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / built.name
    shutil.copytree(built, copy)
    return copy


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def approve(bundle: Path, key: str, role: str, *extra: str) -> None:
    done = casekit("approve", bundle, "--key", key, "--role", role, *extra)
    assert done.returncode == 0, done.stdout + done.stderr


def verify(path: Path, trust: Path, *extra: str):
    done = casekit("verify", path, "--trust", trust, *extra)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


def last_line(done) -> str:
    return done.stdout.strip().splitlines()[-1]


# keys ----------------------------------------------------------------------


def test_keys_new_writes_an_owner_only_private_key_and_a_public_key(keys: Path) -> None:
    assert stat.S_IMODE((keys / "meth.key").stat().st_mode) == 0o600
    public = json.loads((keys / "meth.pub").read_text("utf-8"))
    assert public["reviewer"] == "Айгерим Садыкова" and public["algorithm"] == "Ed25519"
    assert len(public["fingerprint"]) == 24 and public["fingerprint"].count("-") == 4
    listed = casekit("keys", "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert lines[0].startswith(public["fingerprint"]) and "Айгерим Садыкова" in lines[0]
    assert "private+public" in lines[0] and len(lines) == 2
    again = casekit("keys", "new", "meth")
    assert again.returncode == 1 and "[key-exists]" in again.stderr
    assert json.loads((keys / "meth.pub").read_text("utf-8")) == public  # not overwritten
    bad = casekit("keys", "new", "../escape")
    assert bad.returncode == 1 and "[key-name]" in bad.stderr
    assert not (keys.parent / "escape.key").exists()


def test_passphrase_protected_key(keys: Path, bundle: Path, trust: Path, monkeypatch) -> None:
    monkeypatch.setenv("CASEKIT_KEY_PASSPHRASE", "кілт сөзі")
    assert casekit("keys", "new", "locked", "--passphrase").returncode == 0
    assert b"ENCRYPTED PRIVATE KEY" in (keys / "locked.key").read_bytes()
    monkeypatch.setenv("CASEKIT_KEY_PASSPHRASE", "wrong")
    wrong = casekit("approve", bundle, "--key", "locked", "--role", "r")
    assert wrong.returncode == 1 and "wrong passphrase" in wrong.stderr
    assert "Traceback" not in wrong.stderr and not (bundle / "approvals").exists()
    monkeypatch.setenv("CASEKIT_KEY_PASSPHRASE", "кілт сөзі")
    approve(bundle, "locked", "methodologist")
    shutil.copy(keys / "locked.pub", trust)
    assert verify(bundle, trust).returncode == EXIT["approved"]


def test_a_private_key_others_may_read_is_refused(keys: Path, bundle: Path) -> None:
    (keys / "meth.key").chmod(0o644)
    done = casekit("approve", bundle, "--key", "meth", "--role", "methodologist")
    assert done.returncode == 1 and "[key-permissions]" in done.stderr
    assert "chmod 600" in done.stderr and "Traceback" not in done.stderr
    assert not (bundle / "approvals").exists()


# approve and verify ----------------------------------------------------------


def test_approvals_stack_and_leave_the_payload_untouched(bundle: Path, trust: Path) -> None:
    before = tree_hashes(bundle)
    approve(bundle, "meth", "methodologist", "--note", "Мазмұны тексерілді")
    approve(bundle, "sec", "security review")
    after = tree_hashes(bundle)
    added = sorted(set(after) - set(before))
    assert [p.split("/")[0] for p in added] == ["approvals", "approvals"]
    assert {p: after[p] for p in before} == before  # nothing else changed
    bagit.Bag(str(bundle)).validate()  # still a valid BagIt bag
    plain = casekit("verify", bundle)
    assert plain.returncode == 0 and "2 approval(s) not checked" in plain.stdout
    done = verify(
        bundle, trust, "--require-role", "Security Review", "--require-role", "methodologist"
    )
    assert done.returncode == EXIT["approved"], done.stdout
    assert "approved: Айгерим Садыкова (methodologist)" in done.stdout
    assert "note: Мазмұны тексерілді" in done.stdout
    assert last_line(done).startswith("APPROVED: ")
    assert "approved as methodologist, security review" in last_line(done)
    report = json.loads(verify(bundle, trust, "--json").stdout)[0]["trust"]
    assert report["verdict"] == "approved"
    assert [a["role"] for a in report["approvals"]] == ["methodologist", "security review"]


def test_intact_but_not_approved_and_missing_role(bundle: Path, trust: Path) -> None:
    done = verify(bundle, trust)
    assert done.returncode == EXIT["not-approved"]
    assert "NOT APPROVED" in last_line(done) and "intact but not approved" in last_line(done)
    approve(bundle, "meth", "methodologist")
    assert verify(bundle, trust).returncode == EXIT["approved"]
    done = verify(bundle, trust, "--require-role", "security review")
    assert done.returncode == EXIT["not-approved"]
    assert 'no approval in the role(s) "security review"' in last_line(done)
    usage = casekit("verify", bundle, "--require-role", "x")
    assert usage.returncode != 0 and "--trust" in usage.stderr


def test_a_key_the_facility_does_not_trust(bundle: Path, trust: Path) -> None:
    approve(bundle, "meth", "methodologist")
    (trust / "meth.pub").unlink()
    done = verify(bundle, trust)
    assert done.returncode == EXIT["unknown"]
    assert "signed by an unknown key" in last_line(done) and "FAILED" in last_line(done)


def test_consistent_tampering_is_approval_for_different_content(bundle: Path, trust: Path) -> None:
    approve(bundle, "meth", "methodologist")
    pdf = next((bundle / "data").rglob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"% changed\n%%EOF"))
    assert casekit("verify", bundle).returncode == 1  # the forger has not finished yet
    rehash_consistently(bundle)
    assert casekit("verify", bundle).returncode == 0  # manifests alone are fooled
    done = verify(bundle, trust)
    assert done.returncode == EXIT["different"], done.stdout
    assert "approval for different content" in last_line(done)


def test_plain_tampering_of_an_approved_bundle(bundle: Path, trust: Path) -> None:
    approve(bundle, "meth", "methodologist")
    (bundle / "README.txt").write_bytes(b"changed")
    done = verify(bundle, trust)
    assert done.returncode == EXIT["tampered"]
    assert "modified: README.txt" in done.stdout and "FAILED" in last_line(done)


def test_an_approval_copied_from_another_bag(bundle: Path, trust: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(bundle, other)
    (other / "README.txt").write_bytes(b"another bag")
    rehash_consistently(other)
    approve(other, "meth", "methodologist")
    shutil.copytree(other / "approvals", bundle / "approvals")
    done = verify(bundle, trust)
    assert done.returncode == EXIT["different"] and "different content" in last_line(done)


def approval_file(bundle: Path) -> Path:
    return next((bundle / "approvals").glob("*.json"))


@pytest.mark.parametrize(
    "damage",
    ["truncated", "forged-role", "zeroed-signature", "not-json", "huge", "wrong-key", "bad-base64"],
)
def test_damaged_or_forged_approvals_are_never_approved(
    bundle: Path, trust: Path, keys: Path, damage: str
) -> None:
    approve(bundle, "meth", "methodologist")
    path = approval_file(bundle)
    data = json.loads(path.read_text("utf-8"))
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "forged-role":
        data["statement"] = data["statement"].replace("methodologist", "security review")
        path.write_text(json.dumps(data), "utf-8")
    elif damage == "zeroed-signature":
        data["signature"] = "A" * 86 + "=="
        path.write_text(json.dumps(data), "utf-8")
    elif damage == "not-json":
        path.write_bytes(b"\xff\xfe<html>")
    elif damage == "huge":
        with path.open("ab") as handle:
            handle.truncate(50 * 1024 * 1024)
    elif damage == "wrong-key":  # the statement claims the security officer's key
        sec = json.loads((keys / "sec.pub").read_text("utf-8"))
        inner = json.loads(data["statement"])
        inner.update(key=sec["key"], key_fingerprint=sec["fingerprint"])
        data["statement"] = json.dumps(inner)
        path.write_text(json.dumps(data), "utf-8")
    elif damage == "bad-base64":
        data["signature"] = "not base64!"
        path.write_text(json.dumps(data), "utf-8")
    done = verify(bundle, trust, "--require-role", "security review")
    assert done.returncode == EXIT["bad"], done.stdout + done.stderr
    assert "damaged or forged approval" in last_line(done) and "APPROVED:" not in done.stdout


# rejections ------------------------------------------------------------------


def test_a_rejection_stands_whoever_approves_afterwards(
    bundle: Path, trust: Path, keys: Path
) -> None:
    approve(bundle, "meth", "methodologist")
    approve(bundle, "sec", "security review", "--decision", "reject", "--note", "3-сабақ")
    files = sorted(p.name for p in (bundle / "approvals").iterdir())
    statement = json.loads(json.loads((bundle / "approvals" / files[1]).read_text())["statement"])
    assert statement["decision"] == "rejected"  # signed like an approval
    done = verify(bundle, trust)
    assert done.returncode == EXIT["rejected"], done.stdout
    assert "rejected: Сергей Иванов (security review)" in done.stdout
    assert last_line(done).startswith("REJECTED: ")
    assert "rejected by Сергей Иванов (security review)" in last_line(done)
    assert "(3-сабақ)" in last_line(done)
    # the same key cannot turn its rejection into an approval
    again = casekit("approve", bundle, "--key", "sec", "--role", "security review")
    assert again.returncode == 1 and "[approval-duplicate]" in again.stderr
    assert "rejected the bundle" in again.stderr
    # another reviewer in the same role approves later: the rejection still stands
    assert casekit("keys", "new", "sec2", "--reviewer", "Асхат Нурланов").returncode == 0
    shutil.copy(keys / "sec2.pub", trust)
    later = casekit("approve", bundle, "--key", "sec2", "--role", "Security  Review")
    assert later.returncode == 0, later.stderr
    assert "note: the bundle carries a rejection by Сергей Иванов (security review)" in (
        later.stderr
    )
    done = verify(bundle, trust, "--require-role", "security review")
    assert done.returncode == EXIT["rejected"], done.stdout
    assert "approved: Асхат Нурланов (Security Review)" in done.stdout
    report = json.loads(verify(bundle, trust, "--json").stdout)[0]["trust"]
    assert report["verdict"] == "rejected" and report["exit_code"] == 7
    assert [a["status"] for a in report["approvals"]] == ["valid", "rejected", "valid"]


def test_a_rejection_by_an_untrusted_key_is_not_the_facilitys(bundle: Path, trust: Path) -> None:
    approve(bundle, "meth", "methodologist")
    approve(bundle, "sec", "security review", "--decision", "reject")
    (trust / "sec.pub").unlink()
    done = verify(bundle, trust)
    assert done.returncode == EXIT["approved"], done.stdout
    assert "unknown-key: approvals/02-" in done.stdout


def test_a_key_may_reject_what_it_approved(bundle: Path, trust: Path) -> None:
    approve(bundle, "sec", "security review")
    assert verify(bundle, trust).returncode == EXIT["approved"]
    approve(bundle, "sec", "security review", "--decision", "reject")
    assert verify(bundle, trust).returncode == EXIT["rejected"]
    twice = casekit("approve", bundle, "--key", "sec", "--role", "r", "--decision", "reject")
    assert twice.returncode == 1 and "one rejection per key" in twice.stderr


def test_a_rejection_of_other_content_is_different_content(bundle: Path, trust: Path) -> None:
    """A rejection holds for the bytes it names; copied onto (or left on) other
    content it is reported like any statement over another bag, never as approved."""
    approve(bundle, "sec", "security review", "--decision", "reject")
    readme = bundle / "README.txt"
    readme.write_bytes(readme.read_bytes() + b"\nfixed")
    rehash_consistently(bundle)
    approve(bundle, "meth", "methodologist")
    done = verify(bundle, trust)
    assert done.returncode == EXIT["different"], done.stdout
    assert "approval for different content" in last_line(done)


def test_two_approvals_by_one_key_count_once(bundle: Path, trust: Path) -> None:
    approve(bundle, "meth", "methodologist")
    refused = casekit("approve", bundle, "--key", "meth", "--role", "security review")
    assert refused.returncode == 1 and "[approval-duplicate]" in refused.stderr
    first = approval_file(bundle)
    shutil.copy(first, bundle / "approvals" / "09-copy.json")  # placed by hand
    done = verify(bundle, trust)
    assert done.returncode == EXIT["approved"]
    assert "duplicate: approvals/09-copy.json" in done.stdout and "counted once" in done.stdout


def test_a_manifest_listing_paths_outside_the_bundle(bundle: Path, trust: Path) -> None:
    approve(bundle, "meth", "methodologist")
    (bundle.parent / "secret.txt").write_text("outside the bundle", "utf-8")
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    manifest["files"].append({"path": "../secret.txt", "role": "x", "size": 0, "sha256": ""})
    (bundle / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    rehash_consistently(bundle)  # with the outside file's true hash
    done = verify(bundle, trust)
    assert done.returncode == EXIT["tampered"] and "missing: ../secret.txt" in done.stdout


def test_zip_and_stick_after_copy(built: Path, tmp_path: Path, trust: Path) -> None:
    archive = tmp_path / "bundle.zip"
    shutil.copy(built.parent / f"{built.name}.zip", archive)
    assert verify(archive, trust).returncode == EXIT["not-approved"]
    approve(archive, "meth", "methodologist")
    approve(archive, "sec", "security review")
    with zipfile.ZipFile(archive) as opened:
        assert opened.testzip() is None
        assert sum("/approvals/" in n for n in opened.namelist()) == 2
    done = verify(archive, trust, "--require-role", "security review")
    assert done.returncode == EXIT["approved"], done.stdout
    folder = tmp_path / built.name
    shutil.copytree(built, folder)
    approve(folder, "meth", "methodologist")
    stick = tmp_path / "stick"
    stick.mkdir()
    assert casekit_process("copy", folder, stick).returncode == 0
    done = verify(stick, trust)
    assert done.returncode == EXIT["approved"] and "Айгерим Садыкова" in done.stdout
    approval_file(stick / built.name).write_bytes(b"{}")
    assert verify(stick, trust).returncode == EXIT["bad"]


def test_only_an_intact_bundle_can_be_approved(bundle: Path, keys: Path) -> None:
    (bundle / "index.html").write_bytes(b"changed")
    done = casekit("approve", bundle, "--key", "meth", "--role", "methodologist")
    assert done.returncode == 1 and "[bundle-damaged]" in done.stderr
    assert not (bundle / "approvals").exists()


def test_bad_trust_folder_and_key_files(bundle: Path, trust: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = casekit("verify", bundle, "--trust", empty)
    assert done.returncode == 1 and "[trust-empty]" in done.stderr
    (trust / "broken.pub").write_text('{"casekit_public_key": 1, "key": "AAAA"}', "utf-8")
    done = casekit("verify", bundle, "--trust", trust)
    assert done.returncode == 1 and "broken.pub" in done.stderr and "[key-damaged]" in done.stderr
    assert "Traceback" not in done.stderr
    os.unlink(trust / "broken.pub")


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2048) | st.text(max_size=512).map(str.encode))
def test_any_bytes_are_an_approval_or_a_clear_refusal(data: bytes) -> None:
    try:
        found = parse_approval(data)
    except StatementError as exc:
        assert str(exc)  # a reason for the one-line report
        return
    assert len(found.signature) == 64 and not found.signed_by(SIGNER.public)


@settings(max_examples=100, deadline=None)
@given(
    field=st.sampled_from(["course", "version", "tagmanifest_sha256", "reviewer", "role",
                           "date", "decision", "note", "key", "key_fingerprint"]),
    value=st.none() | st.integers() | st.text(max_size=80) | st.lists(st.text(), max_size=2),
)  # fmt: skip
def test_a_statement_with_any_field_changed_never_verifies(field: str, value: object) -> None:
    """Parsed or refused, a changed statement never passes a signature check."""
    signed = json.loads(SIGNED.file_bytes())
    inner = json.loads(signed["statement"])
    inner[field] = value
    signed["statement"] = json.dumps(inner)
    try:
        found = parse_approval(json.dumps(signed).encode())
    except StatementError:
        return
    assert found.text == signed["statement"]
    assert not found.signed_by(SIGNER.public) or found.text == SIGNED.text
