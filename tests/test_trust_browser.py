"""Approved bundles in a real headless Chromium (file://): the stick's verify.html and
the facility's verifier page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from casekit.messages import messages
from casekit.trust.approve import approve
from casekit.trust.keys import find_private_key, load_key_pair, new_key
from tests.conftest import casekit
from tests.usb_helpers import fresh_bundle, rehash_consistently, run_page

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

MSG = messages("kk")


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle approved by a methodologist and by security staff."""
    tmp = tmp_path_factory.mktemp("approved")
    bundle = fresh_bundle(tmp)
    keys = tmp / "keys"
    for name, role in (("meth", "methodologist"), ("sec", "security review")):
        new_key(keys, name, name.title(), None)
        approve(bundle, load_key_pair(find_private_key(name, keys), bytes), role)
    return bundle


def test_an_approved_stick_passes_its_own_page_and_the_facilitys(
    browser, approved: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    shutil.copytree(approved, stick / approved.name)
    verdict, lines, watched = run_page(browser, stick / approved.name / "verify.html", stick)
    assert verdict == MSG("verify_pass"), lines
    watched.assert_offline_and_clean()
    page = tmp_path / "verify-sticks.html"
    assert casekit("verifier-page", approved, "--out", page).returncode == 0
    verdict, lines, watched = run_page(browser, page, stick)
    assert verdict == MSG("verify_pass"), lines
    watched.page.close()


def test_a_file_beside_the_approvals_is_still_extra(
    browser, approved: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    shutil.copytree(approved, stick / approved.name)
    (stick / approved.name / "approvals" / "nested").mkdir()
    (stick / approved.name / "approvals" / "nested" / "x.json").write_text("{}")
    (stick / approved.name / "approvals" / "notes.txt").write_text("hello")
    verdict, lines, watched = run_page(browser, stick / approved.name / "verify.html", stick)
    assert verdict == MSG("verify_fail")
    assert MSG("verify_extra", path=f"{approved.name}/approvals/notes.txt") in lines
    assert MSG("verify_extra", path=f"{approved.name}/approvals/nested/x.json") in lines
    watched.page.close()


def stick_of(bundle: Path, tmp_path: Path) -> Path:
    stick = tmp_path / "stick"
    shutil.copytree(bundle, stick / bundle.name)
    return stick


def test_the_sticks_page_lists_approvals_and_says_what_they_prove(
    browser, approved: Path, tmp_path: Path
) -> None:
    stick = stick_of(approved, tmp_path)
    verdict, lines, watched = run_page(browser, stick / approved.name / "verify.html", stick)
    assert verdict == MSG("verify_pass") and lines == []
    shown = watched.page.locator("#approvals li").all_inner_texts()
    assert len(shown) == 2
    assert shown[0].startswith(MSG("verify_approved", reviewer="Meth", role="methodologist",
                                   date="", fingerprint="")[:20])  # fmt: skip
    keys = {
        json.loads(p.read_text("utf-8"))["statement"] for p in (approved / "approvals").iterdir()
    }
    fingerprints = {json.loads(s)["key_fingerprint"] for s in keys}
    assert {line.rsplit(" ", 1)[1] for line in shown} == fingerprints  # computed by the page
    assert MSG("verify_approval_origin") in watched.page.inner_text("#approvals-section")
    watched.assert_offline_and_clean()


def test_the_sticks_page_on_an_unapproved_bundle(browser, approved: Path, tmp_path: Path) -> None:
    stick = stick_of(approved, tmp_path)
    shutil.rmtree(stick / approved.name / "approvals")
    verdict, lines, watched = run_page(browser, stick / approved.name / "verify.html", stick)
    assert verdict == MSG("verify_pass")  # intact: the page cannot demand approvals
    assert watched.page.locator("#approvals li").all_inner_texts() == [MSG("verify_not_approved")]
    watched.page.close()


def test_consistent_tampering_fails_on_the_sticks_page(
    browser, approved: Path, tmp_path: Path
) -> None:
    stick = stick_of(approved, tmp_path)
    bundle = stick / approved.name
    readme = bundle / "README.txt"
    readme.write_bytes(readme.read_bytes() + b"\r\nchanged")
    rehash_consistently(bundle)
    assert casekit("verify", bundle).returncode == 0  # the manifests are fooled
    verdict, lines, watched = run_page(browser, bundle / "verify.html", stick)
    assert verdict == MSG("verify_fail")
    shown = watched.page.locator("#approvals li").all_inner_texts()
    assert shown[0] == MSG("verify_approval_other", path=f"{approved.name}/{first(approved)}")
    watched.page.close()


def first(bundle: Path) -> str:
    return "approvals/" + sorted(p.name for p in (bundle / "approvals").iterdir())[0]


def test_a_forged_signature_fails_on_the_sticks_page(
    browser, approved: Path, tmp_path: Path
) -> None:
    stick = stick_of(approved, tmp_path)
    path = stick / approved.name / first(approved)
    data = json.loads(path.read_text("utf-8"))
    data["statement"] = data["statement"].replace("methodologist", "security review")
    path.write_text(json.dumps(data), "utf-8")
    verdict, lines, watched = run_page(browser, stick / approved.name / "verify.html", stick)
    assert verdict == MSG("verify_fail")
    shown = watched.page.locator("#approvals li").all_inner_texts()
    assert MSG("verify_approval_forged", path=f"{approved.name}/{first(approved)}") in shown
    watched.page.close()


def test_the_facility_page_requires_a_trusted_approval(
    browser, approved: Path, tmp_path: Path
) -> None:
    trust = tmp_path / "trusted"
    trust.mkdir()
    shutil.copy(approved.parent.parent.parent.parent / "keys" / "sec.pub", trust)
    page = tmp_path / "verify-sticks.html"
    assert casekit("verifier-page", approved, "--trust", trust, "-o", page).returncode == 0
    assert "Sec" in page.read_text("utf-8")  # the trusted reviewer is listed
    stick = stick_of(approved, tmp_path)
    verdict, lines, watched = run_page(browser, page, stick)
    assert verdict == MSG("verify_pass"), lines
    shown = watched.page.locator("#approvals li").all_inner_texts()
    assert sum(line.startswith("approved") or "Sec" in line for line in shown) >= 1
    assert any(
        line.startswith(MSG("verify_approval_unknown", path="", fingerprint="")[:20])
        for line in shown
    )
    watched.page.close()
    approvals = sorted((stick / approved.name / "approvals").iterdir())
    approvals[1].unlink()  # the trusted security officer's; the methodologist's stays
    verdict, lines, watched = run_page(browser, page, stick)
    assert verdict == MSG("verify_fail")
    assert MSG("verify_not_trusted") in watched.page.locator("#approvals li").all_inner_texts()
    watched.page.close()


def test_the_facility_page_requires_each_role_like_verify(
    browser, approved: Path, tmp_path: Path
) -> None:
    keys = approved.parent.parent.parent.parent / "keys"
    trust = tmp_path / "trusted"
    trust.mkdir()
    for name in ("meth", "sec"):
        shutil.copy(keys / f"{name}.pub", trust)
    usage = casekit("verifier-page", approved, "--require-role", "x", "-o", tmp_path / "x.html")
    assert usage.returncode == 2 and "--require-role needs --trust" in usage.stderr
    stick = stick_of(approved, tmp_path)
    page = tmp_path / "verify-sticks.html"
    made = casekit("verifier-page", approved, "--trust", trust, "-o", page,
                   "--require-role", " Security   REVIEW ", "--require-role", "methodologist")  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert MSG("verifier_roles", roles="Security REVIEW, methodologist") in page.read_text("utf-8")
    verdict, lines, watched = run_page(browser, page, stick)
    assert verdict == MSG("verify_pass"), watched.page.locator("#approvals li").all_inner_texts()
    watched.assert_offline_and_clean()
    page = tmp_path / "verify-sticks-director.html"
    made = casekit("verifier-page", approved, "--trust", trust, "-o", page,
                   "--require-role", "director", "--require-role", "methodologist")  # fmt: skip
    assert made.returncode == 0, made.stderr
    verdict, lines, watched = run_page(browser, page, stick)
    shown = watched.page.locator("#approvals li").all_inner_texts()
    assert verdict == MSG("verify_fail")
    assert shown[-1] == MSG("verify_role_missing", role="director"), shown
    assert MSG("verify_role_missing", role="methodologist") not in shown
    watched.page.close()
    # the same demand as casekit verify: the methodologist's key alone is not enough
    (stick / approved.name / "approvals" / sorted(
        p.name for p in (approved / "approvals").iterdir())[1]).unlink()  # fmt: skip
    page = tmp_path / "verify-sticks-security.html"
    made = casekit("verifier-page", approved, "--trust", trust, "-o", page,
                   "--require-role", "security review")  # fmt: skip
    assert made.returncode == 0
    verdict, lines, watched = run_page(browser, page, stick)
    assert verdict == MSG("verify_fail")
    shown = watched.page.locator("#approvals li").all_inner_texts()
    assert MSG("verify_role_missing", role="security review") in shown
    watched.page.close()
    done = casekit("verify", stick, "--trust", trust, "--require-role", "security review")
    assert done.returncode == 3


def test_a_rejected_bundle_fails_both_pages(browser, approved: Path, tmp_path: Path) -> None:
    tmp = tmp_path / "rejected"
    bundle = tmp / approved.name
    shutil.copytree(approved, bundle)
    keys = approved.parent.parent.parent.parent / "keys"
    approve(bundle, load_key_pair(find_private_key("sec", keys), bytes), "security review",
            decision="rejected")  # fmt: skip
    trust = tmp_path / "trusted"
    trust.mkdir()
    for name in ("meth", "sec"):
        shutil.copy(keys / f"{name}.pub", trust)
    page = tmp_path / "verify-sticks.html"
    assert casekit("verifier-page", bundle, "--trust", trust, "-o", page).returncode == 0
    stick = stick_of(bundle, tmp_path)
    for checker in (page, stick / approved.name / "verify.html"):
        verdict, lines, watched = run_page(browser, checker, stick)
        shown = watched.page.locator("#approvals li").all_inner_texts()
        assert verdict == MSG("verify_fail"), shown
        assert lines == []  # intact: it fails for the rejection alone
        rejected = [line for line in shown if line.startswith(MSG("verify_rejected",
                    reviewer="Sec", role="security review", date="", fingerprint="")[:30])]  # fmt: skip
        assert len(rejected) == 1, shown
        watched.assert_offline_and_clean()
    assert casekit("verify", stick, "--trust", trust).returncode == 7
