"""``casekit serve`` in a real headless Chromium: live reload, the error overlay, and
what the server refuses (other addresses, anything outside the build)."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casekit.files.cache import BuildCache
from casekit.serve import LIVE_SCRIPT
from casekit.serve.site import build_site
from tests.conftest import MINI, ROOT

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

NEW_TEXT = "Серверден келген жаңа сөйлем 4711"
BROKEN_LINK = "\n[Жоқ сабақ](99-missing.md)\n"


class Served:
    def __init__(self, course: Path, out: Path, *extra: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "casekit",
                "serve",
                str(course),
                "--port",
                "0",
                "-o",
                str(out),
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        assert "serving" in line, line + self.process.stderr.read()  # type: ignore[union-attr]
        self.url = line.split(" at ")[1].split()[0]
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def get(self, raw_path: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
        """A request with the path sent exactly as written (no client normalising)."""
        connection = http.client.HTTPConnection(host, self.port, timeout=10)
        connection.putrequest("GET", raw_path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def stop(self) -> str:
        self.process.terminate()
        _out, err = self.process.communicate(timeout=20)
        return err


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def served(course: Path, tmp_path: Path) -> Iterator[Served]:
    server = Served(course, tmp_path / "build")
    yield server
    server.stop()


def test_edit_reloads_break_shows_overlay_fix_removes_it(
    browser, served: Served, course: Path
) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    page.goto(served.url)
    assert page.title() == "Сандық сауаттылық негіздері"
    page.wait_for_selector("html[data-casekit-live='1']")  # the page listens for builds
    lesson = course / "lessons" / "02-files.md"
    original = lesson.read_text("utf-8")

    lesson.write_text(original + f"\n{NEW_TEXT}\n", "utf-8")
    new_text = page.get_by_text(NEW_TEXT)  # locators: the page's CSP forbids eval
    new_text.wait_for(state="attached", timeout=15000)
    assert page.locator("#casekit-serve-overlay").count() == 0

    lesson.write_text(original + f"\n{NEW_TEXT}\n" + BROKEN_LINK, "utf-8")
    overlay = page.locator("#casekit-serve-overlay")
    overlay.wait_for(state="visible", timeout=15000)
    assert "02-files.md" in overlay.inner_text() and "[link-broken]" in overlay.inner_text()
    assert NEW_TEXT in page.content()  # the last good build stays on the page

    lesson.write_text(original, "utf-8")
    overlay.wait_for(state="detached", timeout=15000)
    new_text.wait_for(state="detached", timeout=15000)
    assert problems == []  # no CSP violation: the live script and its events are allowed
    page.close()
    terminal = served.stop()
    assert "lessons/02-files.md" in terminal and "[link-broken]" in terminal


def test_overlay_shows_warnings_with_file_and_line(browser, served: Served, course: Path) -> None:
    """A build that works but warns shows its warnings (file:line) over the new page,
    together with the errors when a later change also breaks the course."""
    page = browser.new_page()
    page.goto(served.url)
    page.wait_for_selector("html[data-casekit-live='1']")
    lesson = course / "lessons" / "02-files.md"
    original = lesson.read_text("utf-8")
    line = original.count("\n") + 2  # where the unknown div opens
    lesson.write_text(original + f"\n::: {{.sidebar}}\n{NEW_TEXT}\n:::\n", "utf-8")
    page.get_by_text(NEW_TEXT).wait_for(state="attached", timeout=15000)
    overlay = page.locator("#casekit-serve-overlay")
    overlay.wait_for(state="visible", timeout=15000)
    assert overlay.get_attribute("data-severity") == "warning"
    (warning,) = overlay.locator("[data-severity=warning]").all_inner_texts()
    assert warning.startswith(f"lessons/02-files.md:{line}:1: warning:"), warning
    assert warning.endswith("[unknown-div]")
    assert overlay.locator("[data-severity=error]").count() == 0

    lesson.write_text(original + f"\n::: {{.sidebar}}\n{NEW_TEXT}\n:::\n" + BROKEN_LINK, "utf-8")
    page.wait_for_selector("#casekit-serve-overlay[data-severity=error]", timeout=15000)
    errors = overlay.locator("[data-severity=error]").all_inner_texts()
    assert len(errors) == 1 and "[link-broken]" in errors[0]
    assert overlay.locator("[data-severity=warning]").all_inner_texts() == [warning]

    lesson.write_text(original, "utf-8")
    page.get_by_text(NEW_TEXT).wait_for(state="detached", timeout=15000)
    overlay.wait_for(state="detached", timeout=15000)
    page.close()


def test_serves_nothing_outside_the_build(served: Served, course: Path) -> None:
    secret = (course / "course.toml").read_bytes()
    status, page = served.get("/")
    assert status == 200 and LIVE_SCRIPT.encode() in page
    for path in (
        "/course.toml",
        "/../course.toml",
        "/%2e%2e/course.toml",
        "/data/media/../../course.toml",
        "/data/media/..%2f..%2fcourse.toml",
        "/lessons/01-computer.md",
        "/%2Fetc%2Fpasswd",
        "//etc/passwd",
        "/index.html/../../course.toml",
        "/assets/..\\..\\course.toml",
        "/.cache/outputs.json",
        "/data/media/diagram.png%00.html",
    ):
        status, body = served.get(path)
        assert status == 404, path
        assert secret not in body and b"root:" not in body
    status, image = served.get("/data/media/diagram.png")
    assert status == 200 and image == (course / "media" / "diagram.png").read_bytes()


def _outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_refuses_other_addresses(served: Served, course: Path, tmp_path: Path) -> None:
    address = _outside_address()
    if address is not None:
        with pytest.raises(OSError):
            socket.create_connection((address, served.port), timeout=3).close()
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.org"):
        done = subprocess.run(
            [sys.executable, "-m", "casekit", "serve", str(course), "--host", host, "--port", "0"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 1 and done.stdout == ""
        (line,) = done.stderr.splitlines()
        assert line.endswith("[serve-address]") and "Traceback" not in done.stderr


def test_live_script_is_never_part_of_a_build(course: Path, tmp_path: Path) -> None:
    outcome = build_site(course, BuildCache(tmp_path / "cache"), "teacher", 1)
    assert outcome.site is not None
    assert all(b"_casekit" not in data for data in outcome.site.files.values())
    assert not list((ROOT / "templates").rglob("live.js"))


def test_an_edit_redraws_only_its_lesson(course: Path, tmp_path: Path) -> None:
    """After a one-lesson edit only that lesson's page is rendered again (the others come
    from the fragment cache), and the viewer is byte for byte the one a clean build of
    the edited course makes."""
    cache = BuildCache(tmp_path / "cache")

    def rebuild(number: int) -> tuple[dict[str, bytes], list[str]]:
        before = len(cache.stats.rendered)
        outcome = build_site(course, cache, "teacher", number)
        assert outcome.site is not None, outcome.diagnostics
        clean = build_site(course, BuildCache(tmp_path / f"clean-{number}"), "teacher", number)
        assert clean.site is not None and outcome.site.files == clean.site.files
        # pages, and what the viewer's script draws from a lesson (search, media codes)
        drawn = sorted({entry.rsplit(" ", 1)[1] for entry in cache.stats.rendered[before:]})
        return outcome.site.files, drawn

    assert rebuild(1)[1] == ["01-computer", "02-files", "03-safety"]
    files = course / "lessons" / "02-files.md"
    files.write_text(files.read_text("utf-8") + f"\n{NEW_TEXT}\n", "utf-8")
    site, drawn = rebuild(2)
    assert NEW_TEXT.encode() in site["index.html"] and drawn == ["02-files"]
    assert rebuild(3)[1] == []  # nothing changed
    safety = course / "lessons" / "03-safety.md"
    safety.write_text(safety.read_text("utf-8").replace("Құпиясөз", "Пароль", 1), "utf-8")
    site, drawn = rebuild(4)
    assert "Пароль қауіпсіздігі".encode() in site["index.html"]  # contents, pager too
    assert drawn == ["03-safety"]
    toml = course / "course.toml"  # a setting every page depends on
    toml.write_text(toml.read_text("utf-8") + '\n[labels]\nquiz = "Сынақ {number}"\n', "utf-8")
    assert rebuild(5)[1] == ["01-computer", "02-files", "03-safety"]


def test_starts_with_a_broken_course_and_serves_once_fixed(course: Path, tmp_path: Path) -> None:
    lesson = course / "lessons" / "03-safety.md"
    original = lesson.read_text("utf-8")
    lesson.write_text(original + BROKEN_LINK, "utf-8")
    server = Served(course, tmp_path / "build")
    try:
        status, body = server.get("/")
        assert status == 503
        lesson.write_text(original, "utf-8")
        deadline = time.monotonic() + 15
        while status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
            status, body = server.get("/")
        assert status == 200 and b"<html" in body
    finally:
        server.stop()


def test_busy_port_is_one_line(course: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "casekit", "serve", str(course), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"127.0.0.1:{port}:") and line.endswith("[serve-port]")
