"""The example courses in ``courses/``: their tree, media, links, and the real CLI on them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from casekit import tree as t
from casekit.build.course import load_course
from casekit.diagnostics import Diagnostics
from casekit.resolve.editions import apply_edition
from casekit.resolve.resolver import HOURS_PER_CREDIT
from casekit.resolve.sites import inline_sequences
from tests.conftest import casekit

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

ROOT = Path(__file__).resolve().parent.parent
KK = ROOT / "courses" / "digital-literacy-kk"
EN = ROOT / "courses" / "job-search-en"
MAX_MEDIA_BYTES = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def loaded() -> dict[str, tuple[t.Course, Diagnostics]]:
    result = {}
    for root in (KK, EN):
        diags = Diagnostics()
        course = load_course(root, diags)
        assert course is not None
        result[root.name] = (course, diags)
    return result


@pytest.fixture(scope="module")
def kk(loaded: dict[str, tuple[t.Course, Diagnostics]]) -> t.Course:
    return loaded[KK.name][0]


@pytest.fixture(scope="module")
def en(loaded: dict[str, tuple[t.Course, Diagnostics]]) -> t.Course:
    return loaded[EN.name][0]


def blocks_of(course: t.Course, kind: type) -> list:
    return [
        b
        for lesson in course.lessons()
        for b in t.iter_blocks(lesson.blocks)
        if isinstance(b, kind)
    ]


def quiz(course: t.Course, anchor_suffix: str) -> t.Quiz:
    (found,) = [q for q in blocks_of(course, t.Quiz) if q.id == anchor_suffix]
    return found


def option_texts(question: t.Question, correct: bool) -> list[str]:
    return [t.plain_text(o.children) for o in question.options if o.correct is correct]


def answer_text(question: t.Question) -> str:
    return " ".join(t.plain_text(b.children) for b in question.answer if isinstance(b, t.Paragraph))


def links_of(course: t.Course) -> list[tuple[t.Lesson, t.Link]]:
    return [
        (lesson, node)
        for lesson in course.lessons()
        for seq in inline_sequences(lesson)
        for node in t.iter_inlines(seq)
        if isinstance(node, t.Link)
    ]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``casekit`` command, run from the repository root."""
    return casekit(*args, cwd=ROOT)


# --------------------------------------------------------------------------- both courses


@pytest.mark.parametrize("name", [KK.name, EN.name])
def test_course_is_clean_in_the_tree(loaded, name: str) -> None:
    course, diags = loaded[name]
    assert diags.sorted() == []
    assert len(course.modules) >= 2
    assert len(course.lessons()) >= 5
    for lesson in course.lessons():
        assert lesson.hours and lesson.outcomes and t.plain_text(lesson.title)
    hours = sum(lesson.hours or 0 for lesson in course.lessons())
    assert course.config.credits is not None
    assert abs(hours - course.config.credits * HOURS_PER_CREDIT) <= 0.1 * hours


@pytest.mark.parametrize("name", [KK.name, EN.name])
def test_course_uses_every_element(loaded, name: str) -> None:
    course, _ = loaded[name]
    figures = blocks_of(course, t.Figure)
    assert {f.media.format for f in figures} == {"png", "jpeg", "svg"}
    assert all(f.alt.strip() and t.plain_text(f.caption) != f.alt for f in figures)
    assert {m.kind for m in blocks_of(course, t.MediaBlock)} == {"video", "audio"}
    kinds = {q.kind for quiz in blocks_of(course, t.Quiz) for q in quiz.questions}
    assert kinds == {"single", "multiple", "short"}
    assert any(q.solution for quiz in blocks_of(course, t.Quiz) for q in quiz.questions)
    for kind in (t.Assignment, t.Exercise):
        assert any(
            any(isinstance(b, t.Solution) for b in x.blocks) for x in blocks_of(course, kind)
        )
    callouts = {c.kind for c in blocks_of(course, t.Callout)}
    assert {"note", "tip", "warning", "important"} <= callouts
    for kind in (t.Objectives, t.KeyPoints, t.Glossary, t.CodeBlock, t.BlockQuote):
        assert blocks_of(course, kind), kind.__name__
    assert any(table.caption and table.id for table in blocks_of(course, t.Table))
    assert any(lesson.footnotes for lesson in course.lessons())
    nested = [
        item
        for lst in blocks_of(course, t.OrderedList) + blocks_of(course, t.BulletList)
        for item in lst.items
        if any(isinstance(b, (t.BulletList, t.OrderedList)) for b in item.blocks)
    ]
    assert nested
    assert any(link.target and link.target.anchor for _, link in links_of(course))
    assert not blocks_of(course, t.Div) and not blocks_of(course, t.RawBlock)


@pytest.mark.parametrize("name", [KK.name, EN.name])
def test_every_link_resolves_to_an_anchor_in_another_lesson(loaded, name: str) -> None:
    course, _ = loaded[name]
    links = links_of(course)
    assert len(links) >= 4
    for lesson, link in links:
        assert link.target is not None, link.href
        target = course.lesson(link.target.lesson_id)
        assert target is not lesson
        assert link.href.split("#")[0].endswith(Path(target.path).name)
        if link.target.anchor:
            anchors = {getattr(b, "anchor", "") for b in t.iter_blocks(target.blocks)}
            assert link.target.anchor in anchors


@pytest.mark.parametrize("root", [KK, EN])
def test_media_is_small_and_every_timed_item_has_a_matching_transcript(loaded, root: Path) -> None:
    course, _ = loaded[root.name]
    assert (
        sum(f.stat().st_size for f in (root / "media").rglob("*") if f.is_file()) < MAX_MEDIA_BYTES
    )
    timed = [m for m in course.media if m.kind != "image"]
    assert len(timed) == 2
    for item in timed:
        assert item.transcript is not None
        assert item.transcript.path == str(Path(item.path).with_suffix(".vtt"))
        cues = item.transcript.cues
        assert len(cues) >= 2 and all(c.text for c in cues)
        assert [c.start for c in cues] == sorted(c.start for c in cues)
        # the narration fills the media: the last cue ends within a second of the end
        assert item.duration is not None and 0 <= item.duration - cues[-1].end < 1.0
    for item in course.media:
        if item.kind == "image":
            assert item.width and item.height


@pytest.mark.parametrize("name", [KK.name, EN.name])
def test_learner_edition_hides_answers_teacher_keeps_them(loaded, name: str) -> None:
    course, _ = loaded[name]
    learner = apply_edition(course, "learner")
    teacher = apply_edition(course, "teacher")
    assert not blocks_of(learner, t.Solution)
    questions = [q for quiz in blocks_of(learner, t.Quiz) for q in quiz.questions]
    assert all(o.correct is None for q in questions for o in q.options)
    assert all(q.answer == [] and q.solution is None for q in questions)
    assert len(blocks_of(teacher, t.Solution)) == len(blocks_of(course, t.Solution)) >= 3
    assert bool(learner.answer_key) == course.config.answers_appendix


# --------------------------------------------------------------------------- Kazakh course


def test_kazakh_course_tree(kk: t.Course) -> None:
    assert kk.config.language == "kk"
    assert kk.config.title == "Сандық сауаттылық негіздері"
    assert [m.title for m in kk.modules] == [
        "Компьютермен алғашқы қадамдар",
        "Қауіпсіз сандық өмір",
    ]
    assert [len(m.lessons) for m in kk.modules] == [2, 3]
    assert [lesson.number for lesson in kk.lessons()] == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    assert kk.config.credits == 0.5 and sum(x.hours or 0 for x in kk.lessons()) == 15

    parts = quiz(kk, "quiz-parts")
    assert parts.number == "1.1" and t.plain_text(parts.title) == "Өзіңізді тексеріңіз"
    assert [q.kind for q in parts.questions] == ["single", "single", "single"]
    assert option_texts(parts.questions[0], True) == ["Пернетақта"]
    assert parts.questions[1].solution is not None

    passwords = quiz(kk, "quiz-passwords")
    assert passwords.questions[0].kind == "multiple"
    assert option_texts(passwords.questions[0], True) == [
        "Жаңбыр-Кітап-Шәй-2031",
        "Orman+Balyq+Kilem+58",
    ]
    fraud = quiz(kk, "quiz-fraud")
    assert [q.kind for q in fraud.questions] == ["short", "short", "multiple"]
    assert answer_text(fraud.questions[0]) == "СМС-кодты"
    assert answer_text(quiz(kk, "quiz-egov").questions[0]) == "12"


def test_kazakh_course_media(kk: t.Course) -> None:
    codes = kk.media_by_code()
    assert sorted(codes) == ["A2.1", "V1.1"]
    video, audio = codes["V1.1"], codes["A2.1"]
    assert (video.kind, video.format, video.path) == (
        "video",
        "mp4",
        "media/video/files-and-folders.mp4",
    )
    assert video.title == "Файлдар мен қалталар"
    assert video.target_url == video.bundle_path == "data/media/video/files-and-folders.mp4"
    assert 20 < (video.duration or 0) < 35
    assert video.transcript is not None and len(video.transcript.cues) == 4
    assert video.transcript.cues[0].text.startswith("Сәлеметсіз бе!")
    assert (audio.kind, audio.format) == ("audio", "ogg")
    assert audio.title == "Банк атынан қоңырау шалатын алаяқтар туралы аудиоескерту"
    assert audio.transcript is not None
    assert "СМС кодты сұрамайды" in audio.transcript.text
    assert 10 < (audio.duration or 0) < 30
    formats = {m.format: m.path for m in kk.media if m.kind == "image"}
    assert formats == {
        "png": "media/computer-parts.png",
        "jpeg": "media/study-room.jpg",
        "svg": "media/password-strength.svg",
    }


def test_kazakh_course_links_and_glossary(kk: t.Course) -> None:
    targets = {
        (lesson.id, link.href): (link.target.lesson_id, link.target.anchor)
        for lesson, link in links_of(kk)
        if link.target
    }
    assert targets[("01-computer", "02-files.md#what-is-a-file")] == (
        "02-files",
        "02-files--what-is-a-file",
    )
    assert targets[("04-fraud", "03-passwords.md#keeping")] == (
        "03-passwords",
        "03-passwords--keeping",
    )
    terms = [t.plain_text(e.term) for e in kk.glossary()]
    assert {"Жүйелік блок", "Кеңейтім", "Фишинг", "ЖСН", "ЭЦҚ"} <= set(terms)
    (figure,) = [f for f in blocks_of(kk, t.Figure) if f.id == "fig-parts"]
    assert (
        figure.number == "1.1" and t.plain_text(figure.caption) == "Компьютердің негізгі бөліктері"
    )
    (table,) = [x for x in blocks_of(kk, t.Table) if x.id == "tbl-parts"]
    assert t.plain_text(table.caption) == "Компьютер бөліктері және олардың міндеті"
    assert len(table.rows) == 5


# --------------------------------------------------------------------------- English course


def test_english_course_tree_and_media(en: t.Course) -> None:
    assert en.config.language == "en" and en.config.answers_appendix
    assert [len(m.lessons) for m in en.modules] == [3, 2]
    interview = quiz(en, "quiz-interview")
    assert [q.kind for q in interview.questions] == ["multiple", "short", "single"]
    assert option_texts(interview.questions[0], False) == [
        "Arriving exactly on time or a little late"
    ]
    assert answer_text(interview.questions[1]) == "Situation, action, result"
    assert answer_text(quiz(en, "quiz-pay").questions[0]) == "200 000"

    codes = en.media_by_code()
    assert sorted(codes) == ["A2.1", "V2.1"]
    assert (codes["V2.1"].format, codes["V2.1"].title) == ("mp4", "Four steps of a job interview")
    assert (codes["A2.1"].format, codes["A2.1"].title) == ("mp3", "Reading a payslip")
    assert codes["A2.1"].transcript is not None
    assert (
        codes["A2.1"].transcript.cues[-1].text
        == "Check every payslip, and keep it in a safe place."
    )

    (letter,) = blocks_of(en, t.Exercise)
    assert t.plain_text(letter.title) == "Find the mistakes"
    (payslip,) = [x for x in blocks_of(en, t.Table) if x.id == "tbl-payslip"]
    assert payslip.number == "2.2" and payslip.header[1].align == "right"
    links = {(lesson.id, link.href): link.target for lesson, link in links_of(en)}
    assert links[("01-skills", "03-cover-letter.md")] == t.InternalTarget("03-cover-letter", None)
    assert links[("02-cv", "01-skills.md#skills-list")] == t.InternalTarget(
        "01-skills", "01-skills--skills-list"
    )
    assert {"Gross pay", "Net pay", "Cover letter"} <= {t.plain_text(e.term) for e in en.glossary()}


# --------------------------------------------------------------------------- the real CLI


@pytest.mark.parametrize("root", [KK, EN])
def test_cli_check_strict_is_clean(root: Path) -> None:
    result = run_cli("check", "--strict", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "0 error(s), 0 warning(s)"
    as_json = run_cli("check", "--strict", "--format", "json", str(root))
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == []


def test_cli_check_strict_on_the_catalogue_is_clean() -> None:
    """``casekit check courses`` checks every course in the folder at once."""
    result = run_cli("check", "--strict", "courses")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "0 error(s), 0 warning(s)"


@pytest.mark.parametrize(
    ("root", "title", "solution_text"),
    [
        (KK, "Сандық сауаттылық негіздері", "LibreOffice\nCalc"),
        (EN, "Finding Work: Job-Search Skills for Adults", "Give one mark for each point"),
    ],
)
def test_cli_builds_html(tmp_path: Path, root: Path, title: str, solution_text: str) -> None:
    result = run_cli("build", str(root), "--format", "html", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = tmp_path / root.name / "html"
    learner = (out / f"{root.name}-learner.html").read_text("utf-8")
    teacher = (out / f"{root.name}-teacher.html").read_text("utf-8")
    for page in (learner, teacher):
        assert title in page
        assert "http://" not in page.replace("http://www.w3.org", "")
    assert " ".join(solution_text.split()) in " ".join(teacher.split())
    assert " ".join(solution_text.split()) not in " ".join(learner.split())


def test_the_complete_example_in_the_format_reference_checks_clean(tmp_path: Path) -> None:
    """docs/format.md's example course.toml and lesson, copied as a methodologist would."""
    doc = (ROOT / "docs" / "format.md").read_text("utf-8")
    example = doc.split("## A complete example to copy", 1)[1]
    toml = example.split("```toml\n", 1)[1].split("\n```\n", 1)[0]
    lesson = example.split("````markdown\n", 1)[1].split("\n````\n", 1)[0]
    (tmp_path / "course.toml").write_text(toml, "utf-8")
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "01-budget.md").write_text(lesson, "utf-8")
    (tmp_path / "lessons" / "02-payslip.md").write_text(
        "---\ntitle: Your Payslip\nhours: 3\n---\n\n## The three lines {#lines}\n\nGross, deductions, net.\n",
        "utf-8",
    )
    (tmp_path / "media" / "audio").mkdir(parents=True)
    media = EN / "media"
    (tmp_path / "media" / "budget.svg").write_bytes((media / "budget-plan.svg").read_bytes())
    for suffix in (".mp3", ".vtt"):
        source = media / "audio" / f"reading-a-payslip{suffix}"
        (tmp_path / "media" / "audio" / f"payslip{suffix}").write_bytes(source.read_bytes())
    diags = Diagnostics()
    course = load_course(tmp_path, diags)
    assert diags.sorted() == []
    assert course is not None
    (budget, _) = course.lessons()
    kinds = [q.kind for q in blocks_of(course, t.Quiz)[0].questions]
    assert kinds == ["single", "multiple", "short"]
    assert course.media_by_code()["A1.1"].transcript is not None
    assert [link.target for _, link in links_of(course)] == [
        t.InternalTarget("02-payslip", "02-payslip--lines")
    ]
    assert budget.footnotes and blocks_of(course, t.Glossary)
