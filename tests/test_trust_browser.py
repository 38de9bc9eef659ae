"""Approved bundles in a real headless Chromium (file://): the stick's verify.html and
the facility's verifier page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casekit.messages import messages
from casekit.trust.approve import approve
from casekit.trust.keys import find_private_key, load_key_pair, new_key
from tests.conftest import casekit
from tests.test_usb_verifier_page import run_page
from tests.usb_helpers import fresh_bundle

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
