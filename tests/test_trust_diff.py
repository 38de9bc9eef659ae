"""casekit diff: lessons, media and settings between two versions, the word-level diff
of Kazakh and Russian text, and the offline HTML report opened in headless Chromium."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from casekit.messages import messages
from casekit.trust.diff import word_diff
from tests.conftest import casekit
from tests.usb_helpers import build_usb, fresh_bundle, rehash_consistently

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

MSG = messages("kk")


def new_version(course: Path) -> None:
    """Version 1.1.0: a sentence changed, a lesson added, a photo replaced."""
    toml = course / "course.toml"
    text = toml.read_text("utf-8").replace('version = "1.0.0"', 'version = "1.1.0"')
    text = text.replace(
        'lessons = ["lessons/03-safety.md"]',
        'lessons = ["lessons/03-safety.md", "lessons/04-backup.md"]',
    )
    toml.write_text(text, "utf-8")
    lesson = course / "lessons" / "02-files.md"
    lesson.write_text(
        lesson.read_text("utf-8").replace(
            "Файлдар қалталарда сақталады.",
            "Файлдар әрқашан қалталарда сақталады және ретке келтіріледі.",
        ),
        "utf-8",
    )
    (course / "lessons" / "04-backup.md").write_text(
        "---\ntitle: Сақтық көшірме\n---\n\nМаңызды файлдардың көшірмесін жасаңыз.\n", "utf-8"
    )
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG", quality=90)
    (course / "media" / "photo.jpg").write_bytes(out.getvalue())


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The 1.0.0 bundle (with its zip), the 1.1.0 course folder and its bundle."""
    tmp = tmp_path_factory.mktemp("diff")
    old = fresh_bundle(tmp, zip=True)
    course = tmp / "v2"
    shutil.copytree(tmp / "mini", course)
    new_version(course)
    new = build_usb(course, tmp / "build2")[0]
    return old, course, new


def test_word_diff_keeps_kazakh_and_russian_words_whole() -> None:
    pieces = word_diff(
        "Осуждённые получают доступ к курсу.", "Осуждённые получают бесплатный доступ к курсу!"
    )
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [
        ("insert", " бесплатный"),
        ("delete", "."),
        ("insert", "!"),
    ]
    pieces = word_diff("Құпиясөз қауіпсіздігі өте маңызды", "Құпиясөздің қауіпсіздігі маңызды")
    assert [(p.op, p.text) for p in pieces if p.op != "equal"] == [
        ("delete", "Құпиясөз"),
        ("insert", "Құпиясөздің"),
        ("delete", "өте "),
    ]


def test_diff_of_two_bundles_summary_and_report(browser, versions, tmp_path: Path) -> None:
    old, _, new = versions
    report = tmp_path / "review.html"
    done = casekit("diff", old.parent / f"{old.name}.zip", new, "--html", report, "--exit-code")
    assert done.returncode == 1, done.stderr  # changed
    lines = done.stdout.splitlines()
    assert lines[0] == "lessons: 1 added, 0 removed, 1 changed, 2 unchanged"
    assert "  ~ 02-files: 1.2 Файлдар мен қалталар (+4 -0 words)" in lines
    assert any(line.startswith("  + 04-backup: 2.2 Сақтық көшірме") for line in lines)
    assert any(line.startswith("  ~ data/media/photo.jpg: size ") for line in lines)
    assert "  ~ version: '1.0.0' -> '1.1.0'" in lines
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    assert [u for u in requests if not u.startswith("file://")] == []
    assert page.title().startswith(MSG("diff_title"))
    assert MSG("diff_reapprove") in page.inner_text("body")
    changed = page.locator("#lesson-02-files")
    assert changed.locator("ins").all_inner_texts() == ["әрқашан ", " және ретке келтіріледі"]
    assert changed.locator("td.old del").count() == 0
    added = page.locator("#lesson-04-backup")
    assert MSG("diff_added") in added.locator("h3").inner_text()
    assert "Маңызды файлдардың көшірмесін жасаңыз." in added.locator("td.new ins").inner_text()
    media = page.locator("#media").inner_text()
    assert "data/media/photo.jpg" in media and "sha256" in media and "size" in media
    assert page.locator("#settings del").inner_text() == "1.0.0"
    assert page.locator("#settings ins").inner_text() == "1.1.0"
    page.close()
    again = tmp_path / "again.html"
    casekit("diff", old.parent / f"{old.name}.zip", new, "--html", again)
    assert again.read_bytes() == report.read_bytes()  # deterministic


def test_a_course_folder_against_its_own_bundle_has_no_differences(versions, tmp_path) -> None:
    _, course, new = versions
    done = casekit("diff", course, new, "--html", tmp_path / "r.html", "--exit-code")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[:3] == [
        "lessons: 0 added, 0 removed, 0 changed, 4 unchanged",
        "media: 0 changed",
        "settings: 0 changed",
    ]
    assert MSG("diff_none") in (tmp_path / "r.html").read_text("utf-8")


def test_bad_input_to_diff(versions, tmp_path: Path, make_course) -> None:
    old, _, new = versions
    damaged = tmp_path / old.name
    shutil.copytree(old, damaged)
    (damaged / "index.html").write_bytes(b"changed")
    done = casekit("diff", damaged, new, "--html", tmp_path / "r.html")
    assert done.returncode == 1 and "[bundle-damaged]" in done.stderr
    (damaged / "index.html").write_bytes((old / "index.html").read_bytes())
    (damaged / "data" / "viewer" / "course.js").write_bytes(b"window.CASEKIT_COURSE = {broken")
    rehash_consistently(damaged)
    done = casekit("diff", damaged, new, "--html", tmp_path / "r.html")
    assert done.returncode == 1 and "course.js" in done.stderr and "Traceback" not in done.stderr
    broken = make_course({"a.md": "# A\n\n[link](missing.md)\n"})
    done = casekit("diff", broken, new, "--html", tmp_path / "r.html")
    assert done.returncode == 1 and "[course-errors]" in done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    done = casekit("diff", empty, new, "--html", tmp_path / "r.html")
    assert done.returncode == 1 and "[not-a-bundle]" in done.stderr
    assert not (tmp_path / "r.html").exists()
