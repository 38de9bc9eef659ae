"""The offline viewer and verify.html in a real headless Chromium, opened from file://."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest

from casekit.messages import messages
from tests.usb_helpers import Watched, fresh_bundle, manifest

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

MSG = messages("kk")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_bundle(tmp_path_factory.mktemp("browser"))


def visible_lesson(page) -> list[str]:
    return page.eval_on_selector_all(
        ".page:not([hidden]) section.lesson", "els => els.map(e => e.id)"
    )


def test_viewer_navigates_searches_and_opens_media_by_code(browser, bundle: Path) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((bundle / "index.html").as_uri())
    assert page.title() == "Сандық сауаттылық негіздері"
    assert page.is_visible("#home") and visible_lesson(page) == []

    page.click(".toc >> text=Файлдар мен қалталар")
    assert visible_lesson(page) == ["02-files"]

    # search in Kazakh: upper case with Kazakh letters finds the lowercase text ...
    page.fill("#search-input", "ҚАУІПСІЗДІГІ")
    results = page.locator("#search-results li a")
    assert "2.1 Құпиясөз қауіпсіздігі" in results.all_inner_texts()
    # ... and so does the same word typed on a Russian keyboard
    page.fill("#search-input", "кауипсиздиги")
    assert "2.1 Құпиясөз қауіпсіздігі" in results.all_inner_texts()
    page.fill("#search-input", "құпиясөз")
    results.filter(has_text="2.1 Құпиясөз қауіпсіздігі").first.click()
    assert visible_lesson(page) == ["03-safety"]
    page.fill("#search-input", "жоқсөзжоқ")
    assert results.all_inner_texts() == []
    assert page.inner_text("#search-results") == MSG("no_results")

    # open the video printed as V1.1 in the paper packet (typed with a Cyrillic В)
    page.fill("#code-input", "в1.1")
    page.press("#code-input", "Enter")
    anchor = page.evaluate("window.CASEKIT_COURSE.codes['V1.1']")
    assert page.evaluate("location.hash") == "#" + anchor
    assert visible_lesson(page) == ["01-computer"]
    figure = page.locator(f'[id="{anchor}"]')
    video = figure.locator("video")
    assert video.is_visible()
    page.wait_for_function(
        f"document.getElementById('{anchor}').querySelector('video').readyState >= 1",
        timeout=10000,
    )
    assert video.evaluate("v => v.duration") == pytest.approx(3.0, abs=0.2)
    captions = video.evaluate(
        "v => new Promise(done => { const t = v.textTracks[0]; t.mode = 'showing';"
        " const wait = () => t.cues && t.cues.length ? done([t.kind, t.cues[1].text])"
        " : setTimeout(wait, 50); wait(); })"
    )
    assert captions[0] == "captions" and "Ә Ғ Қ Ң Ө Ұ Ү Һ І" in captions[1]
    assert "Ә Ғ Қ Ң Ө Ұ Ү Һ І" in figure.locator(".transcript").inner_text()

    # the QR code beside the player decodes to the file it points at
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    image = Image.open(io.BytesIO(figure.locator(".qr").screenshot()))
    decoded = [r.text for r in zxingcpp.read_barcodes(image)]
    assert decoded == ["data/media/intro.mp4"]
    entry = next(f for f in manifest(bundle)["files"] if f["path"] == "data/media/intro.mp4")
    target = bundle / decoded[0]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == entry["sha256"]

    # an unknown code says so instead of jumping
    page.fill("#code-input", "V9.9")
    page.press("#code-input", "Enter")
    assert page.inner_text("#status") == MSG("code_not_found", code="V9.9")

    # the editions are linked and present
    for href in page.eval_on_selector_all(
        "#editions a", "els => els.map(e => e.getAttribute('href'))"
    ):
        assert (bundle / href).is_file()
    watched.assert_offline_and_clean()


def test_viewer_fits_a_small_screen(browser, bundle: Path) -> None:
    watched = Watched(browser, width=360)
    page = watched.page
    page.goto((bundle / "index.html").as_uri() + "#01-computer")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.is_visible("#search-input") and page.is_visible("#code-input")
    watched.assert_offline_and_clean()


def verify_page(browser, folder: Path, slice_above: int = 0) -> tuple[str, list[str], Watched]:
    """verify.html's verdict and differences for ``folder``; with ``slice_above``, files
    larger than that go through the page's incremental SHA-256 instead of Web Crypto."""
    watched = Watched(browser)
    page = watched.page
    page.goto((folder / "verify.html").as_uri())
    if slice_above:
        page.eval_on_selector(
            "script[data-whole-file-limit]", f"s => s.dataset.wholeFileLimit = '{slice_above}'"
        )
    page.set_input_files("#folder", str(folder))
    page.wait_for_selector("#verdict:not([hidden])", timeout=20000)
    return page.inner_text("#verdict"), page.locator("#differences li").all_inner_texts(), watched


@pytest.mark.parametrize("slice_above", [0, 1000], ids=["web-crypto", "sliced"])
def test_verify_page_passes_a_good_bundle(browser, bundle: Path, slice_above: int) -> None:
    verdict, differences, watched = verify_page(browser, bundle, slice_above)
    assert verdict == MSG("verify_pass")
    assert differences == []
    fingerprint = hashlib.sha256((bundle / "manifest.json").read_bytes()).hexdigest()
    assert fingerprint in watched.page.inner_text("#fingerprint")
    watched.assert_offline_and_clean()


@pytest.mark.parametrize("slice_above", [0, 1000], ids=["web-crypto", "sliced"])
def test_verify_page_lists_the_differences_of_a_tampered_bundle(
    browser, bundle: Path, tmp_path: Path, slice_above: int
) -> None:
    tampered = tmp_path / bundle.name
    shutil.copytree(bundle, tampered)
    video = tampered / "data/media/intro.mp4"
    raw = bytearray(video.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    video.write_bytes(bytes(raw))
    (tampered / "data/media/diagram.png").unlink()
    (tampered / "data/media/notes.txt").write_text("added", "utf-8")
    os.utime(tampered / "README.txt")
    verdict, differences, watched = verify_page(browser, tampered, slice_above)
    assert verdict == MSG("verify_fail")
    assert sorted(differences) == sorted(
        [
            MSG("verify_modified", path="data/media/intro.mp4"),
            MSG("verify_missing", path="data/media/diagram.png"),
            MSG("verify_extra", path="data/media/notes.txt"),
        ]
    )
    watched.assert_offline_and_clean()


def test_incremental_sha256_matches_web_crypto(browser, bundle: Path) -> None:
    watched = Watched(browser)
    watched.page.goto((bundle / "verify.html").as_uri())
    mismatches = watched.page.evaluate(
        """async () => {
          const bad = [];
          for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 4096, 100003]) {
            const data = new Uint8Array(n).map((_, i) => (i * 7919 + n) & 255);
            const state = new window.CasekitSha256();
            for (let at = 0; at < n; at += 61) state.update(data.subarray(at, at + 61));
            const hex = [...new Uint8Array(await crypto.subtle.digest("SHA-256", data))]
              .map(b => b.toString(16).padStart(2, "0")).join("");
            if (state.hex() !== hex) bad.push(n);
          }
          return bad;
        }"""
    )
    assert mismatches == []
    watched.assert_offline_and_clean()
