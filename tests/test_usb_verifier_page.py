"""A returned stick checked in a browser (headless Chromium, file://): the stick's own
verify.html says what it can prove and checks every bundle on the stick; the facility's
page from `casekit verifier-page` trusts only the fingerprints it was written with."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from casekit.bundle.viewer import manifest_script
from casekit.messages import messages
from tests.conftest import casekit
from tests.usb_helpers import Watched, fresh_bundle, run_page

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

MSG = messages("kk")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("verifier"))


@pytest.fixture(scope="module")
def facility_page(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("facility") / "verify-sticks.html"
    done = casekit("verifier-page", bundle, "--out", page)
    assert done.returncode == 0, done.stderr
    return page


def stick_with(tmp_path: Path, bundle: Path, *names: str) -> Path:
    stick = tmp_path / "stick"
    for name in names:
        shutil.copytree(bundle, stick / name)
    return stick


def forge(bundle: Path, path: str, data: bytes) -> None:
    """Change a file and rewrite manifest.json and manifest.js to match, as a careful
    tamperer would: the stick's own page cannot tell."""
    (bundle / path).write_bytes(data)
    listed = json.loads((bundle / "manifest.json").read_text("utf-8"))
    for entry in listed["files"]:
        if entry["path"] == path:
            entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    text = (json.dumps(listed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    (bundle / "manifest.json").write_bytes(text)
    (bundle / "data/viewer/manifest.js").write_bytes(manifest_script(text))


def test_the_sticks_page_says_it_proves_damage_not_tampering(browser, bundle: Path) -> None:
    watched = Watched(browser)
    watched.page.goto((bundle / "verify.html").as_uri())
    assert MSG("verify_limits") in watched.page.inner_text("main")
    readme = (bundle / "README.txt").read_text("utf-8-sig")
    assert "casekit verifier-page" in readme and "tampering" in readme
    watched.page.close()


def test_the_sticks_page_checks_every_bundle_not_only_a_clean_decoy(
    browser, bundle: Path, tmp_path: Path
) -> None:
    stick = stick_with(tmp_path, bundle, "a", bundle.name)  # "a/": the shortest path
    video = stick / bundle.name / "data/media/intro.mp4"
    video.write_bytes(video.read_bytes()[:-1] + b"\0")
    verdict, lines, watched = run_page(browser, stick / "a" / "verify.html", stick)
    assert verdict == MSG("verify_fail")
    assert lines == [MSG("verify_modified", path=f"{bundle.name}/data/media/intro.mp4")]
    watched.assert_offline_and_clean()


def test_files_named_like_object_properties_are_extra_files(
    browser, bundle: Path, tmp_path: Path
) -> None:
    copy = stick_with(tmp_path, bundle, bundle.name) / bundle.name
    names = ["constructor", "toString", "__proto__", "hasOwnProperty", "data/valueOf"]
    for name in names:
        (copy / name).write_text("x", "utf-8")
    verdict, lines, watched = run_page(browser, copy / "verify.html", copy)
    assert verdict == MSG("verify_fail")
    assert sorted(lines) == sorted(MSG("verify_extra", path=name) for name in names)
    watched.assert_offline_and_clean()


def test_the_facility_page_passes_a_good_stick(
    browser, bundle: Path, facility_page: Path, tmp_path: Path
) -> None:
    stick = stick_with(tmp_path, bundle, bundle.name)
    (stick / "notes.txt").write_text("x", "utf-8")
    verdict, lines, watched = run_page(browser, facility_page, stick)
    assert verdict == MSG("verify_pass")
    assert lines == [MSG("verify_outside", path="stick/notes.txt")]
    fingerprint = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    assert fingerprint in watched.page.inner_text("#fingerprint")
    watched.assert_offline_and_clean()


def test_a_forged_stick_passes_its_own_page_but_not_the_facilitys(
    browser, bundle: Path, facility_page: Path, tmp_path: Path
) -> None:
    stick = stick_with(tmp_path, bundle, bundle.name)
    forge(
        stick / bundle.name,
        "data/media/intro.vtt",
        "WEBVTT\n\n00:00.000 --> 00:01.000\nподменено\n".encode(),
    )
    verdict, _, watched = run_page(browser, stick / bundle.name / "verify.html", stick)
    assert verdict == MSG("verify_pass")  # what the stick's page can and cannot prove
    watched.page.close()
    verdict, lines, watched = run_page(browser, facility_page, stick)
    assert verdict == MSG("verify_fail")
    forged = hashlib.sha256((stick / bundle.name / "manifest.json").read_bytes()).hexdigest()
    assert lines == [MSG("verify_untrusted", path=f"{bundle.name}/", fingerprint=forged)]
    watched.assert_offline_and_clean()


def test_the_facility_page_fails_a_stick_with_programs_or_a_leftover_copy(
    browser, bundle: Path, facility_page: Path, tmp_path: Path
) -> None:
    stick = stick_with(tmp_path, bundle, bundle.name, ".casekit-tmp-x1")  # a copy cut short
    (stick / "autorun.inf").write_text("[autorun]\nopen=x.exe\n", "utf-8")
    (stick / "tools").mkdir()
    (stick / "tools" / "setup.EXE").write_bytes(b"MZ")
    verdict, lines, watched = run_page(browser, facility_page, stick)
    assert verdict == MSG("verify_fail")
    assert MSG("verify_runnable", path="stick/autorun.inf") in lines
    assert MSG("verify_runnable", path="stick/tools/setup.EXE") in lines
    leftover = "stick/.casekit-tmp-x1/manifest.json"
    assert MSG("verify_leftover", path=leftover) in lines
    watched.assert_offline_and_clean()


def test_the_facility_page_runs_only_its_own_pinned_scripts(facility_page: Path) -> None:
    html = facility_page.read_text("utf-8")
    policy = html.split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert "file:" not in policy and "'self'" not in policy and "unsafe" not in policy
    assert html.count("<script") == 3 and "src=" not in html


def test_verifier_page_refuses_a_damaged_bundle(bundle: Path, tmp_path: Path) -> None:
    copy = stick_with(tmp_path, bundle, bundle.name) / bundle.name
    (copy / "data/media/intro.vtt").write_text("changed", "utf-8")
    done = casekit("verifier-page", copy, "--out", tmp_path / "v.html")
    assert done.returncode == 1 and not (tmp_path / "v.html").exists()
    assert "does not verify (modified: data/media/intro.vtt)" in done.stderr
    assert "Traceback" not in done.stderr
