"""``-f scorm12``: the manifest against the official SCORM 1.2 schemas, and the SCOs run
in headless Chromium under a real SCORM 1.2 runtime (scorm-again's Scorm12API) that
hosts them in a frame, as an LMS does."""

from __future__ import annotations

import mimetypes
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import MINIMAL_TOML, casekit
from tests.lms_helpers import LESSON, MINI_SOLUTIONS, build_format, node_tool, schemas

CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
LMS = "http://lms.test"  # served by the test itself (page.route): nothing leaves the machine
HOST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><script src="/scorm12.js"></script>
<script>window.API = new Scorm12API({autocommit: false, logLevel: 5});</script>
</head><body><iframe id="sco" src="/pkg/%s" style="width:100%%;height:500px"></iframe></body></html>
"""


def build_scorm(course: Path) -> Path:
    (package,) = build_format(course, "scorm12").glob("*.zip")
    return package


def test_manifest_valid_and_package_closed(mini_course: Path) -> None:
    package = build_scorm(mini_course)
    with zipfile.ZipFile(package) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    folder = schemas()
    schema = etree.XMLSchema(etree.parse(str(folder / "scorm12" / "adlcp_rootv1p2.xsd")))
    manifest = etree.fromstring(files["imsmanifest.xml"])
    assert schema.validate(manifest), schema.error_log
    # the schema does not pin these (see lms-schemas/README.md)
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "ADL SCORM"
    assert manifest.findtext(f"{CP}metadata/{CP}schemaversion") == "1.2"
    listed = {f.get("href") for f in manifest.iter(f"{CP}file")}
    assert listed == set(files) - {"imsmanifest.xml"}
    scos = [r for r in manifest.iter(f"{CP}resource") if r.get(f"{ADLCP}scormtype") == "sco"]
    assert [r.get("href") for r in scos] == [
        "sco/01-computer.html",
        "sco/02-files.html",
        "sco/03-safety.html",
    ]
    assert all(not href.startswith("/") for href in listed)
    for name, data in files.items():
        for solution in MINI_SOLUTIONS:
            assert solution not in data.decode("utf-8", "replace"), name
    first = package.read_bytes()
    package.unlink()
    assert build_scorm(mini_course).read_bytes() == first


def run_sco(browser: object, package: Path, page_name: str, act: Callable[[object], None]) -> dict:
    """Open ``page_name`` of ``package`` in a frame under scorm-again, do ``act`` in the
    frame, leave the page, and return what the SCO committed to the runtime."""
    script = node_tool("scorm-again/dist/scorm12.js")
    with zipfile.ZipFile(package) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    requested: list[str] = []

    def serve(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        requested.append(url)
        path = url.removeprefix(LMS).split("?")[0].split("#")[0]
        if path == "/host.html":
            body = (HOST % page_name).encode()
        elif path == "/scorm12.js":
            body = script.read_bytes()
        elif path.startswith("/pkg/") and path[5:] in files:
            body = files[path[5:]]
        else:
            route.fulfill(status=404, body=b"")  # type: ignore[attr-defined]
            return
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        route.fulfill(status=200, body=body, content_type=kind)  # type: ignore[attr-defined]

    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.route("**/*", serve)
    page.goto(f"{LMS}/host.html")
    frame = page.frame_locator("#sco")
    page.wait_for_function("window.API.isInitialized()")
    act(frame)
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    page.wait_for_function("window.API.isTerminated()")
    cmi = page.evaluate(
        "({status: API.cmi.core.lesson_status, raw: API.cmi.core.score.raw,"
        " min: API.cmi.core.score.min, max: API.cmi.core.score.max})"
    )
    context.close()
    assert all(url.startswith(LMS) for url in requested), requested
    assert not [url for url in requested if "/pkg/" in url and url.split("/pkg/")[1] not in files]
    return cmi


@pytest.mark.slow
def test_sco_reports_status_and_score_to_a_real_runtime(
    browser: object, make_course: Callable[..., Path]
) -> None:
    long_read = "# Б\n\n" + "Долгий текст урока.\n\n" * 200
    course = make_course({"a.md": LESSON, "b.md": long_read})
    package = build_scorm(course)

    def all_right(frame: object) -> None:
        quiz = frame.locator("section.quiz")  # type: ignore[attr-defined]
        questions = quiz.locator("li.question")
        questions.nth(0).locator("input").nth(1).check()
        questions.nth(1).locator("input").nth(0).check()
        questions.nth(1).locator("input").nth(1).check()
        questions.nth(2).locator("input").nth(0).check()
        questions.nth(3).locator("input").fill("  астана {2} ")
        quiz.locator("button.check-answers").click()
        assert quiz.locator("p.score").inner_text() == "Correct answers: 4 of 4"

    assert run_sco(browser, package, "sco/a.html", all_right) == {
        "status": "passed",
        "raw": "100",
        "min": "0",
        "max": "100",
    }

    def half_wrong(frame: object) -> None:
        quiz = frame.locator("section.quiz")  # type: ignore[attr-defined]
        questions = quiz.locator("li.question")
        questions.nth(0).locator("input").nth(0).check()  # wrong
        questions.nth(1).locator("input").nth(0).check()  # only one of two: wrong
        questions.nth(2).locator("input").nth(0).check()
        questions.nth(3).locator("input").fill("Астана {2}")
        quiz.locator("button.check-answers").click()

    assert run_sco(browser, package, "sco/a.html", half_wrong) == {
        "status": "failed",
        "raw": "50",
        "min": "0",
        "max": "100",
    }

    def read_to_the_end(frame: object) -> None:
        host = frame.owner.page  # type: ignore[attr-defined]
        host.wait_for_timeout(300)
        assert host.evaluate("API.cmi.core.lesson_status") == "incomplete"  # not read yet
        frame.locator("#end-of-page").scroll_into_view_if_needed()  # type: ignore[attr-defined]
        host.wait_for_function("API.cmi.core.lesson_status === 'completed'")

    cmi = run_sco(browser, package, "sco/b.html", read_to_the_end)
    assert cmi["status"] == "completed"
    assert cmi["raw"] == ""


def test_offline_page_checks_its_quiz_without_an_lms(
    browser: object, make_course: Callable[..., Path]
) -> None:
    package = build_scorm(make_course({"a.md": LESSON}))
    folder = package.parent / "unpacked"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(folder)
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((folder / "sco" / "a.html").as_uri())
    quiz = page.locator("section.quiz")
    quiz.locator("li.question").nth(0).locator("input").nth(1).check()
    quiz.locator("button.check-answers").click()
    assert quiz.locator("p.score").inner_text() == "Correct answers: 1 of 4"
    assert errors == []
    page.close()


def test_one_sco_for_the_whole_course(make_course: Callable[..., Path]) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md", "b.md"') + "\n[scorm]\none_sco = true\n"
    lessons = {"a.md": "# A\n\nSee [B](b.md).\n", "b.md": "# B\n\nText.\n"}
    package = build_scorm(make_course(lessons, toml=toml))
    with zipfile.ZipFile(package) as archive:
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        page = archive.read("sco/course.html").decode("utf-8")
    scos = [r for r in manifest.iter(f"{CP}resource") if r.get(f"{ADLCP}scormtype") == "sco"]
    assert [r.get("href") for r in scos] == ["sco/course.html"]
    assert 'id="a"' in page and 'id="b"' in page
    assert 'href="course.html#b"' in page  # the link to lesson B stays inside the SCO


def test_bad_mastery_score_is_one_line(make_course: Callable[..., Path]) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md"') + "\n[scorm]\nmastery_score = 150\n"
    course = make_course({"a.md": "# A\n"}, toml=toml)
    done = casekit("build", "-f", "scorm12", "-o", course / "build", course)
    assert done.returncode != 0
    assert "course.toml:" in done.stderr + done.stdout
    assert "scorm.mastery_score" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert not list((course / "build").glob("*/scorm12/*.zip"))
