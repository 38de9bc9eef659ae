"""The single-page ``html`` format, checked in a real browser and by reading it back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import MINI, casekit, require_tool
from tests.hostile_inputs import tags

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

KAZAKH = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import shutil

    from tests.conftest import MINI

    root = tmp_path_factory.mktemp("html")
    course = root / "mini"
    shutil.copytree(MINI, course)
    lesson = course / "lessons" / "03-safety.md"
    lesson.write_text(
        lesson.read_text("utf-8")
        + '\n<script>alert("x")</script>\n\nInline <img src=x onerror=alert(1)>.\n',
        "utf-8",
    )
    result = casekit("build", str(course), "-f", "html", "-o", str(root / "out"))
    assert result.returncode == 0, result.stderr
    folder = root / "out" / "mini-kk" / "html"
    return {
        e: (folder / f"mini-kk-{e}.html").read_text("utf-8") for e in ("learner", "teacher")
    } | {"folder": str(folder)}


def test_page_is_self_contained(pages: dict[str, str]) -> None:
    for edition in ("learner", "teacher"):
        found = tags(pages[edition])
        sources = [a.get("src") or "" for _t, a in found if "src" in a]
        assert sources and all(s.startswith("data:image/") for s in sources)
        assert not [t for t, _a in found if t in ("script", "iframe", "object", "link")]
        assert "Content-Security-Policy" in pages[edition]


def test_raw_html_is_never_live_nor_shown(pages: dict[str, str]) -> None:
    """Without allow_html a script goes whole and a tag leaves only its text: nothing
    runs, and no tag or script text is shown either (issue 12)."""
    page = pages["learner"]
    assert "alert" not in page and "&lt;script" not in page and "&lt;img" not in page
    assert "Inline ." in page  # the text around the dropped tag stays
    assert not [a for _t, a in tags(page) if any(k.startswith("on") for k in a)]


def test_editions(pages: dict[str, str]) -> None:
    solution = "Қалта жасау үшін тінтуірдің оң жақ батырмасын басып"
    assert solution in pages["teacher"] and solution not in pages["learner"]
    assert "Дұрыс жауап" in pages["teacher"] and "Дұрыс жауап" not in pages["learner"]
    assert "Оқытушыға арналған басылым" in pages["teacher"]
    assert "Білім алушыға арналған басылым" in pages["learner"]


def test_internal_links_point_to_existing_ids(pages: dict[str, str]) -> None:
    found = tags(pages["teacher"])
    ids = {a["id"] for _t, a in found if a.get("id")}
    hrefs = [a["href"] for t, a in found if t == "a" and (a.get("href") or "").startswith("#")]
    assert "#02-files--folders" in hrefs and "#01-computer--fn-1" in hrefs
    assert all(h[1:] in ids for h in hrefs), [h for h in hrefs if h[1:] not in ids]
    assert len(ids) == len([a["id"] for _t, a in found if a.get("id")]), "ids are unique"


def test_media_block_and_labels(pages: dict[str, str]) -> None:
    page = pages["learner"]
    assert 'data-code="V1.1"' in page and 'data-code="A2.1"' in page
    assert "Бейне: Компьютер туралы бейне (Ұзақтығы 0:03)" in page
    assert "Мәтіндік нұсқасы" in page and "Ә Ғ Қ Ң Ө Ұ Ү Һ І" in page
    assert all(letter in page for letter in KAZAKH[:9])
    assert "Медиа материалдар көрсеткіші" in page and "Терминдер сөздігі" in page


def test_chromium_renders_the_page_offline(pages: dict[str, str], tmp_path: Path) -> None:
    chromium = require_tool("chromium")
    page = Path(pages["folder"]) / "mini-kk-learner.html"
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert '<h1 class="course-title">Сандық сауаттылық негіздері</h1>' in dom
    assert len(re.findall(r"<img ", dom)) == 3
    assert "Пернетақта" in dom


def test_the_page_comes_in_parts_with_the_bytes_of_the_whole(tmp_path: Path) -> None:
    """The html format writes its page lesson by lesson (never whole in memory): the parts
    of casekit's page join to what a course's own templates (checked whole for active
    content, so rendered whole) give with casekit's page template."""
    import dataclasses

    from casekit.build.course import load_course
    from casekit.diagnostics import Diagnostics
    from casekit.render.page import SinglePageWriter, page_parts
    from casekit.resolve.editions import apply_edition

    course = tmp_path / "course"
    shutil.copytree(MINI, course)
    (course / "own").mkdir()  # a templates folder without a page of its own
    loaded = load_course(course, Diagnostics())
    assert loaded is not None
    learner = apply_edition(loaded, "learner")
    parts = list(page_parts(learner, SinglePageWriter(learner)))
    lessons = list(learner.lessons())
    assert len(parts) >= len(lessons) + 3  # the frame around the lessons, and each lesson
    own = dataclasses.replace(learner, config=dataclasses.replace(learner.config, templates="own"))
    (whole,) = page_parts(own, SinglePageWriter(own))
    assert whole == "".join(parts)
    assert whole.count('<section class="lesson"') == len(lessons)
