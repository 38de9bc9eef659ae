"""Unchanged lessons stay unread (``resolve/lazy.py``): a build resolves the course from
their cached sites, and a lesson read later is exactly the tree a build that parsed and
resolved it whole would have, its title resolved from the start."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.files.cache import CACHE_DIR, BuildCache
from casekit.resolve.editions import apply_edition
from casekit.resolve.lazy import LazyLesson
from tests.conftest import COURSES

#: a lesson title with a link, an inline image and a footnote reference: resolved
#: before the lesson is read (the contents show it)
TITLED = """# Қадам [файлдар](02-files.md#folders) ![белгі](../media/diagram.png)[^t]

Мәтін.

[^t]: Тақырыптағы ескерту.
"""


def loaded(course_dir: Path, cache: BuildCache | None) -> tuple[t.Course, Diagnostics]:
    diags = Diagnostics()
    course = load_course(course_dir, diags, cache)
    assert course is not None
    return course, diags


def plain(lesson: t.Lesson) -> t.Lesson:
    return lesson.whole() if isinstance(lesson, LazyLesson) else lesson


@pytest.fixture(params=["mini", *(p.name for p in COURSES)])
def course_dir(request: pytest.FixtureRequest, mini_course: Path, tmp_path: Path) -> Path:
    if request.param == "mini":
        (mini_course / "lessons" / "03-safety.md").write_text(TITLED, "utf-8")
        return mini_course
    target = tmp_path / request.param
    shutil.copytree(next(p for p in COURSES if p.name == request.param), target)
    return target


def test_unread_lessons_resolve_as_parsed_ones(course_dir: Path, tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "out")
    first, first_diags = loaded(course_dir, cache)  # parses, and keeps trees and summaries
    assert not any(isinstance(lesson, LazyLesson) for lesson in first.lessons())
    again = BuildCache(tmp_path / "out")
    lazy, lazy_diags = loaded(course_dir, again)
    eager, eager_diags = loaded(course_dir, None)
    lessons = lazy.lessons()
    assert all(isinstance(lesson, LazyLesson) and not lesson.read for lesson in lessons)
    assert lazy.digests == first.digests and len(lazy.digests) == len(lessons)
    assert lazy_diags.sorted() == eager_diags.sorted() == first_diags.sorted()
    assert lazy.media == eager.media
    # the title is resolved before the body is read
    assert [(x.title, x.number, x.anchor) for x in lessons] == [
        (x.title, x.number, x.anchor) for x in eager.lessons()
    ]
    assert all(not lesson.read for lesson in lessons)
    for edition in t.EDITIONS:
        ours, theirs = apply_edition(lazy, edition), apply_edition(eager, edition)
        assert [plain(x) for x in ours.lessons()] == theirs.lessons()
        assert ours.glossary() == theirs.glossary()
        assert ours.answer_key == theirs.answer_key
    assert [plain(x) for x in lessons] == eager.lessons()
    assert again.stats.parsed == [] and again.stats.rejected == 0


def test_the_title_of_an_unread_lesson_is_resolved(mini_course: Path, tmp_path: Path) -> None:
    (mini_course / "lessons" / "03-safety.md").write_text(TITLED, "utf-8")
    loaded(mini_course, BuildCache(tmp_path / "out"))
    course, _ = loaded(mini_course, BuildCache(tmp_path / "out"))
    lesson = course.lessons()[-1]
    assert isinstance(lesson, LazyLesson) and not lesson.read
    link, image, ref = (n for n in lesson.title if not isinstance(n, t.Text))
    assert isinstance(link, t.Link) and link.target == t.InternalTarget(
        "02-files", "02-files--folders"
    )
    assert isinstance(image, t.InlineImage) and image.media is not None
    assert image.media.path == "media/diagram.png"
    assert isinstance(ref, t.FootnoteRef)
    assert (ref.anchor, ref.note) == ("03-safety--fnref-1", "03-safety--fn-1")
    assert not lesson.read
    assert lesson.footnotes[0].ref_anchor == "03-safety--fnref-1"


def test_a_damaged_tree_behind_a_summary_is_parsed_again(mini_course: Path, tmp_path: Path) -> None:
    loaded(mini_course, BuildCache(tmp_path / "out"))
    for entry in (tmp_path / "out" / CACHE_DIR / "lesson").rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:-10])
    cache = BuildCache(tmp_path / "out")
    course, _ = loaded(mini_course, cache)
    eager, _ = loaded(mini_course, None)
    assert cache.stats.parsed == []
    assert [plain(x) for x in course.lessons()] == eager.lessons()
    assert cache.stats.rejected == 3 and len(cache.stats.parsed) == 3
