"""Unchanged lessons stay unread (``resolve/lazy.py``): a build resolves the course from
their cached sites, and a lesson read later is exactly the tree a build that parsed and
resolved it whole would have, its title resolved from the start."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from casekit import tree as t
from casekit.build import lesson_pool
from casekit.build.course import load_course
from casekit.diagnostics import CasekitError, Diagnostics
from casekit.files.cache import CACHE_DIR, BuildCache
from casekit.resolve import lazy
from casekit.resolve.editions import apply_edition
from casekit.resolve.lazy import KEPT, KeptBodies, LazyLesson
from tests.conftest import COURSES, build

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


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and CACHE_DIR not in p.parts
    }


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
    assert all(isinstance(lesson, LazyLesson) and lesson.read for lesson in first.lessons())
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
    assert [plain(x) for x in lessons] == eager.lessons() == [plain(x) for x in first.lessons()]
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


def test_released_lessons_are_read_again_from_the_cache(
    course_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With room for one tree, a build holds one lesson's body at a time: each lesson is
    released once another is read, and read again (from the cache, also with ``--force``,
    which reads back what the build itself stored) as the same tree."""
    monkeypatch.setattr(KEPT, "budget", 1)
    cache = BuildCache(tmp_path / "out", read=False)
    course, _ = loaded(course_dir, cache)
    eager, _ = loaded(course_dir, None)
    assert len(KEPT) <= 1 and sum(lesson.read for lesson in course.lessons()) <= 1
    for edition in t.EDITIONS:
        ours, theirs = apply_edition(course, edition), apply_edition(eager, edition)
        assert [plain(x) for x in ours.lessons()] == theirs.lessons()
        assert [plain(x) for x in ours.lessons()] == theirs.lessons()  # released, read again
        assert ours.answer_key == theirs.answer_key
        assert len(KEPT) <= 1
    assert sorted(cache.stats.parsed) == sorted(lesson.path for lesson in course.lessons())


@pytest.mark.slow
def test_a_build_holding_one_lesson_at_a_time_writes_the_same_bytes(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every format walks lessons released and read again (fresh trees, not the ones
    resolve and the edition saw) and writes what a build keeping them all writes (the
    learner edition: its lessons are derived from the course's, both released)."""
    formats = ["html", "epub", "docx", "pdf", "brf", "usb"]
    build(mini_course, formats, tmp_path / "kept", ("learner",), force=True)
    monkeypatch.setattr(KEPT, "budget", 1)
    build(mini_course, formats, tmp_path / "released", ("learner",), force=True)
    assert len(KEPT) <= 1
    kept, released = outputs(tmp_path / "kept"), outputs(tmp_path / "released")
    assert sorted(kept) == sorted(released)
    assert [name for name in kept if kept[name] != released[name]] == []


def test_a_released_lesson_whose_file_changed_stops_the_build(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text is not kept: a released lesson whose cache entry is lost is read from
    its file again, and a file edited since it was loaded is refused, not mixed in."""
    monkeypatch.setattr(KEPT, "budget", 1)
    course, _ = loaded(mini_course, BuildCache(tmp_path / "out", read=False))
    for entry in (tmp_path / "out" / CACHE_DIR / "lesson").rglob("*"):
        if entry.is_file():
            entry.unlink()
    first, last = course.lessons()[0], course.lessons()[-1]
    assert not first.read and first.blocks  # read from its unchanged file
    path = mini_course / last.path
    path.write_text(path.read_text("utf-8") + "\nЖаңа сөйлем.\n", "utf-8")
    with pytest.raises(CasekitError) as raised:
        last.blocks  # noqa: B018
    assert raised.value.diagnostic.code == "lesson-changed"


def test_a_build_frees_its_lessons_when_it_returns(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No reference cycle holds a built course (a Jinja loader holding it did): its
    lessons go when the build returns, not at a full collection, which a build defers;
    else they would fill the budget of the process's next build (``casekit serve``, a
    catalogue, a worker)."""
    kept = KeptBodies(KEPT.budget)
    monkeypatch.setattr(lazy, "KEPT", kept)
    gc.collect()
    gc.disable()
    try:
        build(mini_course, ["html", "epub", "brf"], tmp_path / "out", force=True)
        assert len(kept) == 0
    finally:
        gc.enable()


def test_lessons_parsed_on_two_cores_build_the_same_bytes_and_warnings(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``-j 2`` the lessons are parsed by worker processes into the cache (with
    ``--force`` too: the build reads back what its workers stored); the outputs and the
    warnings, in their order, are those of a build on one core."""
    monkeypatch.setattr(lesson_pool, "POOL_FROM", 2)  # the small course has 3 lessons
    lesson = mini_course / "lessons" / "02-files.md"
    lesson.write_text(lesson.read_text("utf-8") + "\nText.\n\n{: .language-bash}\n", "utf-8")
    results = {
        jobs: build(mini_course, ["html", "pdf"], tmp_path / f"j{jobs}", ("learner",), True, jobs)
        for jobs in (1, 2)
    }
    lessons = sorted(
        p.relative_to(mini_course).as_posix() for p in mini_course.glob("lessons/*.md")
    )
    assert results[1].cache.stats.pooled == []
    assert sorted(results[2].cache.stats.pooled) == lessons
    assert sorted(results[2].cache.stats.parsed) == lessons
    warnings = {jobs: [str(d) for d in r.diagnostics.items] for jobs, r in results.items()}
    assert any("02-files.md" in line for line in warnings[1])
    assert warnings[1] == warnings[2]
    one, two = outputs(tmp_path / "j1"), outputs(tmp_path / "j2")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


def test_an_editions_lesson_is_counted_with_the_tree_it_shares(
    mini_course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learner edition's lesson shares its source lesson's nodes: reading it weighs
    nothing more while the source is read, so it releases nothing; a budget of one
    lesson's tree keeps both, and the next lesson's tree replaces them."""
    kept = KeptBodies(0)
    monkeypatch.setattr(lazy, "KEPT", kept)
    course, _ = loaded(mini_course, BuildCache(tmp_path / "out", read=False))
    for lesson in course.lessons():
        lesson.release()
    assert len(kept) == 0 and kept.size == 0
    first, second = course.lessons()[:2]
    kept.budget = first.summary.size
    learner = apply_edition(course, "learner").lessons()
    assert learner[0].blocks and first.read and learner[0].read  # both read, one tree
    assert len(kept) == 1 and kept.size == first.summary.size
    assert learner[1].blocks and second.read and learner[1].read
    assert not first.read and not learner[0].read  # the next tree took the budget
    assert len(kept) == 1 and kept.size == second.summary.size
