"""``-f scorm12``: the manifest against the official SCORM 1.2 schemas, and the SCOs (the
offline viewer, launched as ``index.html?sco=<id>``) run in headless Chromium under a real
SCORM 1.2 runtime (scorm-again's Scorm12API) that hosts them in a frame, as an LMS does."""

from __future__ import annotations

import json
import mimetypes
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from tests.conftest import MINIMAL_TOML, ROOT, casekit
from tests.lms_helpers import LESSON, MINI_SOLUTIONS, build_format, node_tool, schemas

CP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
LMS = "http://lms.test"  # served by the test itself (page.route): nothing leaves the machine
HOST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><script src="/scorm12.js"></script>
<script>window.API = new Scorm12API({autocommit: false, logLevel: 5});
var previous = %s; if (previous) API.loadFromFlattenedJSON(previous);</script>
</head><body><iframe id="sco" src="/pkg/%s" style="width:100%%;height:500px"></iframe></body></html>
"""
#: what the runtime keeps of a SCO's session, read back after the learner left (through
#: scorm-again's JSON rendering: exit and session_time are write-only for a SCO)
CMI = """(() => {
  const core = JSON.parse(API.renderCMIToJSONString()).cmi.core;
  return {status: core.lesson_status, raw: core.score.raw, min: core.score.min,
          max: core.score.max, location: core.lesson_location, exit: core.exit,
          time: core.session_time};
})()"""


def build_scorm(course: Path) -> Path:
    (package,) = build_format(course, "scorm12").glob("*.zip")
    return package


def read(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.slow
def test_manifest_valid_and_package_closed(mini_course: Path) -> None:
    package = build_scorm(mini_course)
    files = read(package)
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
        "index.html?sco=01-computer",
        "index.html?sco=02-files",
        "index.html?sco=03-safety",
    ]
    assert all(not href.startswith("/") for href in listed)
    # the viewer of the USB bundle, learner edition, with the runtime and its media
    page = files["index.html"].decode("utf-8")
    for target in re.findall(r'(?:src|href)="([^"#][^"]*)"', page):
        if target.startswith("data:text/vtt;base64,"):  # captions inside the page
            continue
        assert not urlsplit(target).scheme, target
        assert unquote(urlsplit(target).path) in files, target
    assert {"data/media/intro.mp4", "data/media/greeting.mp3", "data/viewer/viewer.js"} <= set(
        files
    )
    assert 'id="search-form"' in page and 'class="toc"' in page and "<video" in page
    assert "verify.html" not in files and "verify.html" not in page
    for name, data in files.items():
        for solution in MINI_SOLUTIONS:
            assert solution not in data.decode("utf-8", "replace"), name
    first = package.read_bytes()
    package.unlink()
    assert build_scorm(mini_course).read_bytes() == first


def run_sco(
    browser: object,
    package: Path,
    launch: str,
    act: Callable[[object], None],
    previous: dict[str, str] | None = None,
) -> dict:
    """Open ``launch`` of ``package`` in a frame under scorm-again (which first loads
    ``previous``, the data an LMS keeps of an earlier session), do ``act`` in the frame,
    leave the page, and return what the SCO committed to the runtime."""
    script = node_tool("scorm-again/dist/scorm12.js")
    files = read(package)
    requested: list[str] = []

    def serve(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        requested.append(url)
        path = unquote(url.removeprefix(LMS).split("?")[0].split("#")[0])
        if path == "/host.html":
            body = (HOST % (json.dumps(previous), launch)).encode()
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
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", serve)
    page.goto(f"{LMS}/host.html")
    frame = page.frame_locator("#sco")
    page.wait_for_function("window.API.isInitialized()")
    act(frame)
    page.evaluate("document.getElementById('sco').src = 'about:blank'")  # the learner leaves
    page.wait_for_function("window.API.isTerminated()")
    cmi = page.evaluate(CMI)
    context.close()
    assert errors == []
    assert all(url.startswith(LMS) for url in requested), requested
    missing = [url for url in requested if "/pkg/" in url]
    assert not [u for u in missing if unquote(u.split("/pkg/")[1].split("?")[0]) not in files]
    return cmi


def scored(cmi: dict) -> dict:
    return {key: cmi[key] for key in ("status", "raw", "min", "max")}


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

    passed = run_sco(browser, package, "index.html?sco=a", all_right)
    assert scored(passed) == {"status": "passed", "raw": "100", "min": "0", "max": "100"}
    assert passed["exit"] == ""  # done: nothing to resume
    assert re.fullmatch(r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?", passed["time"]), passed["time"]

    def half_wrong(frame: object) -> None:
        quiz = frame.locator("section.quiz")  # type: ignore[attr-defined]
        questions = quiz.locator("li.question")
        questions.nth(0).locator("input").nth(0).check()  # wrong
        questions.nth(1).locator("input").nth(0).check()  # only one of two: wrong
        questions.nth(2).locator("input").nth(0).check()
        questions.nth(3).locator("input").fill("Астана {2}")
        quiz.locator("button.check-answers").click()

    failed = run_sco(browser, package, "index.html?sco=a", half_wrong)
    assert scored(failed) == {"status": "failed", "raw": "50", "min": "0", "max": "100"}
    assert failed["exit"] == "suspend"

    def read_to_the_end(frame: object) -> None:
        host = frame.owner.page  # type: ignore[attr-defined]
        host.wait_for_timeout(300)
        assert host.evaluate("API.cmi.core.lesson_status") == "incomplete"  # not read yet
        frame.locator("#page-b .pager").scroll_into_view_if_needed()  # type: ignore[attr-defined]
        host.wait_for_function("API.cmi.core.lesson_status === 'completed'")

    cmi = run_sco(browser, package, "index.html?sco=b", read_to_the_end)
    assert cmi["status"] == "completed"
    assert cmi["raw"] == ""


VIEWER_LESSON = """\
# Б

{intro}

::: {{.video src="media/intro.mp4" title="Қалта жасау"}}
Бейнеде жаңа қалта жасау көрсетілген.
:::

{intro}

## Жирафы {{#giraffes}}

Жирафы живут в саванне.

{intro}
"""


@pytest.mark.slow
def test_sco_is_the_viewer_and_resumes_at_its_bookmark(
    browser: object, make_course: Callable[..., Path]
) -> None:
    """The SCO is the offline viewer (contents, search, open by code, the video player),
    opened at its lesson; the runtime keeps the learner's place as the bookmark
    (cmi.core.lesson_location, exit "suspend"), and the next session opens there."""
    intro = "Долгий текст урока.\n\n" * 40
    video = (ROOT / "tests" / "data" / "mini" / "media" / "intro.mp4").read_bytes()
    course = make_course(
        {"a.md": LESSON, "b.md": VIEWER_LESSON.format(intro=intro), "c.md": "# В\n\nТекст.\n"},
        files={"media/intro.mp4": video},
    )
    package = build_scorm(course)

    def browse(frame: object) -> None:
        page = frame.locator("#page-b")  # type: ignore[attr-defined]
        page.wait_for(state="visible")  # the SCO's own lesson, not the home page
        assert frame.locator("#home").is_hidden()  # type: ignore[attr-defined]
        player = page.locator("video")
        assert player.get_attribute("src") == "data/media/intro.mp4"
        frame.locator(".toc a[href='#c']").click()  # type: ignore[attr-defined]
        frame.locator("#page-c").wait_for(state="visible")  # type: ignore[attr-defined]
        frame.locator("#code-input").fill("в1,1")  # type: ignore[attr-defined]
        frame.locator("#code-form button").click()  # type: ignore[attr-defined]
        page.wait_for(state="visible")
        frame.locator("#search-input").fill("жираф")  # type: ignore[attr-defined]
        results = frame.locator("#search-results a")  # type: ignore[attr-defined]
        assert results.all_inner_texts() == ["1.2 Б — Жирафы"]
        results.first.click()
        frame.locator("#b--giraffes").wait_for(state="visible")  # type: ignore[attr-defined]
        frame.owner.page.wait_for_function(  # type: ignore[attr-defined]
            "API.cmi.core.lesson_location === 'b--giraffes'"
        )

    first = run_sco(browser, package, "index.html?sco=b", browse)
    assert first["location"] == "b--giraffes"
    assert first["exit"] == "suspend" and first["status"] == "incomplete"

    def resumed(frame: object) -> None:
        heading = frame.locator("#b--giraffes")  # type: ignore[attr-defined]
        heading.wait_for(state="visible")
        host = frame.owner.page  # type: ignore[attr-defined]
        box = heading.bounding_box()
        assert box is not None and 0 <= box["y"] < 500  # on screen in the 500 px frame
        assert not frame.locator("#b-title").is_hidden()  # type: ignore[attr-defined]
        title = frame.locator("#b-title").bounding_box()  # type: ignore[attr-defined]
        assert title is not None and title["y"] < 0  # scrolled down to the bookmark
        assert host.evaluate("API.cmi.core.entry") == "resume"

    previous = {
        "cmi.core.lesson_location": first["location"],
        "cmi.core.lesson_status": first["status"],
        "cmi.core.entry": "resume",
    }
    again = run_sco(browser, package, "index.html?sco=b", resumed, previous)
    assert again["location"] == "b--giraffes"

    def fresh(frame: object) -> None:
        frame.locator("#page-c").wait_for(state="visible")  # type: ignore[attr-defined]

    assert run_sco(browser, package, "index.html?sco=c", fresh)["location"] == "c"


@pytest.mark.slow
def test_offline_viewer_checks_its_quiz_without_an_lms(
    browser: object, make_course: Callable[..., Path]
) -> None:
    package = build_scorm(make_course({"a.md": LESSON}))
    folder = package.parent / "unpacked"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(folder)
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((folder / "index.html").as_uri() + "?sco=a")
    quiz = page.locator("section.quiz")
    quiz.wait_for(state="visible")
    quiz.locator("li.question").nth(0).locator("input").nth(1).check()
    quiz.locator("button.check-answers").click()
    assert quiz.locator("p.score").inner_text() == "Correct answers: 1 of 4"
    assert errors == []
    page.close()


def test_one_sco_for_the_whole_course(make_course: Callable[..., Path]) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md", "b.md"') + "\n[scorm]\none_sco = true\n"
    lessons = {"a.md": "# A\n\nSee [B](b.md).\n", "b.md": "# B\n\nText.\n"}
    package = build_scorm(make_course(lessons, toml=toml))
    files = read(package)
    manifest = etree.fromstring(files["imsmanifest.xml"])
    page = files["index.html"].decode("utf-8")
    scos = [r for r in manifest.iter(f"{CP}resource") if r.get(f"{ADLCP}scormtype") == "sco"]
    assert [r.get("href") for r in scos] == ["index.html?sco=course"]
    assert 'id="a"' in page and 'id="b"' in page
    assert 'href="#b"' in page  # the link to lesson B stays inside the SCO
    data = files["data/viewer/scorm.js"].decode("ascii")
    assert '"course":{"lessons":["a","b"],"quizzes":[]}' in data


def test_bad_mastery_score_is_one_line(make_course: Callable[..., Path]) -> None:
    toml = MINIMAL_TOML.format(lessons='"a.md"') + "\n[scorm]\nmastery_score = 150\n"
    course = make_course({"a.md": "# A\n"}, toml=toml)
    done = casekit("build", "-f", "scorm12", "-o", course / "build", course)
    assert done.returncode != 0
    assert "course.toml:" in done.stderr + done.stdout
    assert "scorm.mastery_score" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
    assert not list((course / "build").glob("*/scorm12/*.zip"))
