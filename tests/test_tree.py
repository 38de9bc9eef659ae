"""The document tree built from the mini course: content, numbering, media, links, editions."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.resolve.editions import apply_edition
from tests.conftest import MINI


@pytest.fixture(scope="module")
def course() -> t.Course:
    diags = Diagnostics()
    loaded = load_course(MINI, diags)
    assert diags.sorted() == []
    assert loaded is not None
    return loaded


def blocks_of(course: t.Course, kind: type) -> list:
    return [
        b
        for lesson in course.lessons()
        for b in t.iter_blocks(lesson.blocks)
        if isinstance(b, kind)
    ]


def test_modules_and_lessons(course: t.Course) -> None:
    assert [m.title for m in course.modules] == ["Компьютермен танысу", "Қауіпсіздік"]
    assert [[lesson.id for lesson in m.lessons] for m in course.modules] == [
        ["01-computer", "02-files"],
        ["03-safety"],
    ]
    first = course.lessons()[0]
    assert t.plain_text(first.title) == "Компьютер деген не?"
    assert first.hours == 2 and first.outcomes == ["Компьютердің бөліктерін атай алады."]
    assert [lesson.number for lesson in course.lessons()] == ["1.1", "1.2", "2.1"]


def test_every_block_keeps_its_source_line(course: t.Course) -> None:
    heading = blocks_of(course, t.Heading)[0]
    assert heading.pos == t.Pos("lessons/01-computer.md", 13, 1)
    quiz = blocks_of(course, t.Quiz)[0]
    assert quiz.pos.line == 48
    assert [q.pos.line for q in quiz.questions] == [49, 52, 56]


def test_quiz_kinds_and_answers(course: t.Course) -> None:
    quiz = blocks_of(course, t.Quiz)[0]
    assert quiz.id == "q-parts" and quiz.number == "1.1"
    assert t.plain_text(quiz.title) == "Бөліктерді тексеру"
    single, multiple, short = quiz.questions
    assert single.kind == "single"
    assert [(t.plain_text(o.children), o.correct) for o in single.options] == [
        ("Монитор", False),
        ("Пернетақта", True),
    ]
    assert multiple.kind == "multiple"
    assert [o.correct for o in multiple.options] == [True, True, False]
    assert short.kind == "short"
    assert t.plain_text(short.answer[0].children) == "Астана"


def test_numbering_per_module(course: t.Course) -> None:
    assert [f.number for f in blocks_of(course, t.Figure)] == ["1.1", "1.2", "2.1"]
    table = blocks_of(course, t.Table)[0]
    assert table.number == "1.1" and table.anchor == "01-computer--tbl-parts"
    assert t.plain_text(table.caption) == "Компьютер бөліктері"
    assert [c.align for c in table.header] == ["left", "left", "right"]
    assert blocks_of(course, t.Assignment)[0].number == "1.1"
    assert t.plain_text(blocks_of(course, t.Assignment)[0].title) == "Өз қалтаңызды жасаңыз"


def test_media_registered_once_with_codes(course: t.Course) -> None:
    media = {m.path: m for m in course.media}
    assert sorted(media) == [
        "media/chart.svg",
        "media/diagram.png",
        "media/greeting.mp3",
        "media/intro.mp4",
        "media/photo.jpg",
    ]
    video = media["media/intro.mp4"]
    assert video.code == "V1.1" and video.kind == "video" and video.format == "mp4"
    assert video.duration == pytest.approx(3.0, abs=0.2)
    assert video.transcript is not None and len(video.transcript.cues) == 2
    assert video.transcript.cues[1].text.endswith("Ә Ғ Қ Ң Ө Ұ Ү Һ І.")
    assert video.target_url == "data/media/intro.mp4" == video.bundle_path
    assert len(video.sha256) == 64 and video.size == (MINI / "media/intro.mp4").stat().st_size
    assert media["media/greeting.mp3"].code == "A2.1"
    assert (media["media/diagram.png"].width, media["media/diagram.png"].height) == (320, 200)
    assert (media["media/chart.svg"].width, media["media/chart.svg"].height) == (300, 150)
    # the video is used twice (image syntax and a video div) but registered once
    blocks = blocks_of(course, t.MediaBlock)
    assert [b.media.code for b in blocks] == ["V1.1", "V1.1", "A2.1"]
    assert blocks[1].title == "Қалта жасау"


def test_media_base_url(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "c"
    shutil.copytree(MINI, root)
    toml = root / "course.toml"
    toml.write_text('media_base_url = "http://10.0.0.5/case"\n' + toml.read_text("utf-8"), "utf-8")
    course = load_course(root, Diagnostics())
    assert course.media_by_code()["V1.1"].target_url == "http://10.0.0.5/case/data/media/intro.mp4"


def test_cross_lesson_links_resolve(course: t.Course) -> None:
    links = [
        n
        for lesson in course.lessons()
        for b in t.iter_blocks(lesson.blocks)
        for seq in t.block_inlines(b)
        for n in t.iter_inlines(seq)
        if isinstance(n, t.Link)
    ]
    assert [(link.href, link.target) for link in links] == [
        ("02-files.md#folders", t.InternalTarget("02-files", "02-files--folders")),
        ("01-computer.md#parts", t.InternalTarget("01-computer", "01-computer--parts")),
    ]
    assert links[0].pos == t.Pos("lessons/01-computer.md", 16, 24)


def test_footnotes_and_glossary(course: t.Course) -> None:
    lesson = course.lessons()[0]
    assert [(n.number, n.anchor, n.ref_anchor) for n in lesson.footnotes] == [
        (1, "01-computer--fn-1", "01-computer--fnref-1")
    ]
    terms = [t.plain_text(e.term) for e in course.glossary()]
    assert terms == ["Пернетақта", "Монитор"]


def test_learner_edition_has_no_answers(course: t.Course) -> None:
    learner = apply_edition(course, "learner")
    assert learner.edition == "learner"
    assert blocks_of(learner, t.Solution) == []
    quiz = blocks_of(learner, t.Quiz)[0]
    assert all(o.correct is None for q in quiz.questions for o in q.options)
    assert all(q.answer == [] and q.solution is None for q in quiz.questions)
    assert learner.answer_key == []
    # the source tree is untouched and media items are shared, not copied
    assert len(blocks_of(course, t.Solution)) == 2
    assert learner.media[0] is course.media[0]


def test_teacher_edition_keeps_everything(course: t.Course) -> None:
    teacher = apply_edition(course, "teacher")
    assert len(blocks_of(teacher, t.Solution)) == 2
    assert blocks_of(teacher, t.Quiz)[0].questions[0].options[1].correct is True


def test_answers_appendix_on_request(course: t.Course) -> None:
    import dataclasses

    asking = dataclasses.replace(
        course, config=dataclasses.replace(course.config, answers_appendix=True)
    )
    learner = apply_edition(asking, "learner")
    assert [e.question.number for e in learner.answer_key] == [1, 2, 3]
    assert learner.answer_key[0].question.options[1].correct is True
    assert blocks_of(learner, t.Quiz)[0].questions[0].options[1].correct is None


def test_fenced_divs_nest_with_equal_fences(make_course) -> None:
    root = make_course(
        {
            "a.md": """\
            # A

            ::: assignment
            Do it.

            ::: solution
            Done.
            :::

            ```
            :::
            ```
            :::

            After.
            """
        }
    )
    course = load_course(root, Diagnostics())
    assignment, after = course.lessons()[0].blocks
    assert isinstance(assignment, t.Assignment)
    assert [type(b).__name__ for b in assignment.blocks] == ["Paragraph", "Solution", "CodeBlock"]
    assert t.plain_text(after.children) == "After."


def test_div_attributes_and_titles(make_course) -> None:
    root = make_course(
        {
            "a.md": """\
            # A

            ::: {.callout-warning #w1 title="Mind **this**"}
            Body.
            :::

            ::: tip Quick tip
            Body.
            :::

            ::: challenge
            ## Try it
            Body.
            :::
            """
        }
    )
    course = load_course(root, Diagnostics())
    warning, tip, challenge = course.lessons()[0].blocks
    assert (warning.kind, warning.id, t.plain_text(warning.title)) == ("warning", "w1", "Mind this")
    assert isinstance(warning.title[1], t.Strong)
    assert (tip.kind, t.plain_text(tip.title)) == ("tip", "Quick tip")
    assert isinstance(challenge, t.Exercise) and t.plain_text(challenge.title) == "Try it"
