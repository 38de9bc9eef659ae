"""The paper loop through the command line: real personal packets from
``casekit packets``, their sheet pages rasterised and marked, read back by
``casekit scan`` into the real register; graded with the key of the version
printed; pages that cannot be read reported and kept for review."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
import subprocess
import sys
import typing
from pathlib import Path

import numpy as np
import pytest
import qrcode
import sqlalchemy
from PIL import Image as PILImage

from casekit.learners.records import IssuedItem, StickCustody
from casekit.learners.register import open_register
from casekit.messages import messages
from casekit.paper.answers import written_answers
from casekit.scan.reasons import Code
from tests.learners_helpers import ROSTER, casekit, dump, write_roster
from tests.paper_helpers import (
    COURSE,
    DPI,
    PLAN,
    course_copy,
    dot,
    issue,
    marked,
    save_jpeg,
    save_pdf,
    sheet_images,
)

ISSUED = dt.datetime(2027, 1, 11, 10)
HANDED_IN = ("--handed-in", "2025-01-15")  # collected long before they were scanned
QUIZ = "01-computer--quiz-parts"  # self-check 1.1, on module 1's quiz sheet
KEY = {f"{QUIZ}/1": [1], f"{QUIZ}/2": [1], f"{QUIZ}/3": [2]}  # as the lesson's source has it


def sheets_of(folder: Path, register: str, learner: str = "KZ-001"):
    found = sheet_images(folder / f"{learner}.pdf", register)
    quiz = next(s for s in found if s.target == "module-1")
    task = next(s for s in found if s.kind == "assignment")
    return quiz, task


def private_files(register_files: Path) -> list[Path]:
    return sorted(p for p in register_files.rglob("*") if p.is_file())


@pytest.mark.slow
def test_scan_records_each_page_once_graded_with_its_key(tmp_path, register_location, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # PostgreSQL's image folder
    folder = issue(tmp_path, register_location)
    quiz, task = sheets_of(folder, register_location)
    found = sheet_images(folder / "KZ-001.pdf", register_location)
    [module_2] = [s for s in found if s.target == "module-2"]  # three written answers
    written = module_2.image.copy()
    second = module_2.layout.areas[1]  # only quiz 2.2's question 2 is answered
    px = DPI / 25.4
    top, left = round((second.rect.y + 8) * px), round((second.rect.x + 10) * px)
    written[top : top + round(4 * px), left : left + round(80 * px)] = 40
    two_right = {**KEY, f"{QUIZ}/3": [0]}
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "batch.pdf", [marked(quiz, two_right), marked(task, {}), written])

    first = casekit("scan", str(scans), register=register_location)
    assert first.returncode == 0, first.stderr
    # in the language of the register's course (Kazakh) unless --lang says otherwise
    assert "KZ-001: тіркелді: 3; ұпайлар: module-1 2/3" in first.stdout
    assert "Барлық бет: 3; тіркелді: 3" in first.stdout
    with open_register(register_location) as register:
        recorded = register.submissions(learner="KZ-001")
        assert [(s.sheet, s.page, s.version, s.status) for s in recorded] == [
            (quiz.sheet, 1, 1, "graded"),
            (task.sheet, 1, 1, "open"),  # waits for the teacher's grade
            (module_2.sheet, 1, 1, "graded"),
        ]
        assert {k: m["chosen"] for k, m in recorded[0].marks.items()} == two_right
        assert recorded[0].source == f"{scans / 'batch.pdf'}:1"
        [result, _module_2] = register.results(learner="KZ-001")
        assert (result.sheet, result.score, result.max_score) == (quiz.sheet, 2.0, 3.0)
        # each open-answer crop is kept, owner-only, in the register's own folder, tied
        # to the question it answers
        assert list(recorded[1].images) == ["assignment"]
        kept = register.image_path(recorded[1].images["assignment"])
        files = register.files
        sheet = register.sheet(module_2.sheet)
        course = register.course_version("digital-literacy-kk", "1.0.0")
        assert (course.title, course.language) == ("Сандық сауаттылық негіздері", "kk")
        assert course.questions["04-fraud--quiz-fraud/1"] == (
            "Банк сізден ешқашан қандай кодты сұрамайды? Бір сөзбен жазыңыз.",
            "СМС-кодты",
        )  # the teacher reads an answer beside its question, without the course's sources
        answers = written_answers(sheet, 1, recorded[2].images, recorded[2].blank)
        assert [(a.key, a.number) for a in answers] == [
            ("04-fraud--quiz-fraud/1", "2.2/1"),
            ("04-fraud--quiz-fraud/2", "2.2/2"),
            ("05-egov--quiz-egov/1", "2.3/1"),
        ]
        ink = [  # the share of dark pixels in each crop
            (np.array(PILImage.open(register.image_path(a.image)).convert("L")) < 100).mean()
            for a in answers
        ]
        assert ink[1] > 0.04 > max(ink[0], ink[2])  # the writing is in 2.2/2's crop
        # the other two are read as left blank: the teacher sees "no answer"
        assert [a.blank for a in answers] == [True, False, True]
        assert recorded[2].blank == ("04-fraud--quiz-fraud/1", "05-egov--quiz-egov/1")
        assert recorded[1].blank == ()  # the assignment's answer is written
    assert kept.is_file() and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    assert sorted(p.name for p in scans.iterdir()) == ["batch.pdf"]

    # the same pages again, and the quiz page as a phone photo (EXIF-rotated): nothing new
    before = dump(register_location)
    save_jpeg(scans / "photo.jpg", marked(quiz, two_right, seed=7), orientation=6)
    again = casekit("scan", str(scans), "--lang", "en", register=register_location)
    assert again.returncode == 0, again.stderr
    assert "KZ-001: 4 already recorded" in again.stdout
    assert dump(register_location) == before
    for day, why in (("2099-01-01", "is after today"), ("1.2.2027", "2027-01-11")):
        bad = casekit("scan", str(scans), "--handed-in", day, register=register_location)
        assert bad.returncode == 2 and why in bad.stderr and "--handed-in" in bad.stderr
    assert dump(register_location) == before

    # another answer on the same sheet: a new version, the first kept
    (scans / "photo.jpg").unlink()
    save_pdf(scans / "later.pdf", [marked(quiz, KEY)])
    changed = casekit("scan", str(scans / "later.pdf"), register=register_location)
    assert changed.returncode == 0, changed.stderr
    assert "module-1 3/3" in changed.stdout
    with open_register(register_location) as register:
        versions = [(s.version, s.status) for s in register.submissions(sheet=quiz.sheet)]
        scores = [(r.score, r.max_score) for r in register.results(learner="KZ-001")]
    assert versions == [(1, "graded"), (2, "graded")]
    assert scores[:1] + scores[2:] == [(2.0, 3.0), (3.0, 3.0)]

    # deleting the learner deletes the scanned images too
    assert private_files(files)
    purged = casekit("learners", "remove", "KZ-001", "--purge", register=register_location)
    assert purged.returncode == 0, purged.stderr
    assert private_files(files) == []


@pytest.mark.slow
def test_pages_that_cannot_be_read_are_one_line_each_and_kept_for_review(tmp_path):
    register = str(tmp_path / "register.sqlite")
    folder = issue(tmp_path, register)
    quiz, _task = sheets_of(folder, register)
    # the same learner codes at another facility: its sheets are not this register's
    other = str(tmp_path / "other.sqlite")
    roster = write_roster(tmp_path / "other.csv", [r.replace("UK-161", "UK-162") for r in ROSTER])
    assert casekit("learners", "import", str(roster), register=other).returncode == 0
    assert casekit("enrol", str(COURSE), "--group", "G1", *PLAN, register=other).returncode == 0
    out = tmp_path / "other-packets"
    made = casekit("packets", str(COURSE), "--group", "G1", "-o", str(out), register=other)
    assert made.returncode == 0, made.stderr
    foreign_quiz, _ = sheets_of(next(out.rglob("KZ-001.pdf")).parent, other)

    torn = marked(quiz, KEY)
    torn[: 40 * 6, : 40 * 6] = 255  # the top-left corner torn off, mark and all
    blank = np.full_like(quiz.image, 255)
    strange = blank.copy()
    code = np.array(qrcode.make("https://example.org/").convert("L").resize((300, 300)))
    strange[200:500, 200:500] = code
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "batch.pdf", [blank, strange, torn, marked(foreign_quiz, KEY)])
    (scans / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")

    result = casekit("scan", str(scans), "--lang", "en", register=register)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    expected = [
        (f"{scans / 'batch.pdf'}:1:1: error: no readable QR code", "scan-unread"),
        (f"{scans / 'batch.pdf'}:2:1: error: not a casekit answer sheet", "scan-unread"),
        (f"{scans / 'batch.pdf'}:3:1: error: the top-left corner mark", "scan-unread"),
        (f"{scans / 'batch.pdf'}:4:1: error: sheet ", "another facility"),
        (f"{scans / 'broken.jpg'}:1:1: error: not a readable image", "scan-unread"),
    ]
    assert len(lines) == len(expected), lines
    for line, (start, part) in zip(lines, expected, strict=True):
        assert line.startswith(start) and part in line, line
    assert "Traceback" not in result.stderr
    assert "5 page(s): 5 not read (for review)" in result.stdout
    with open_register(register) as reg:
        assert reg.submissions() == []
        waiting = reg.reviews()
        assert [(r.source, r.page, r.sheet) for r in waiting] == [
            (str(scans / "batch.pdf"), 1, ""),
            (str(scans / "batch.pdf"), 2, ""),
            (str(scans / "batch.pdf"), 3, quiz.sheet),  # known, but cannot be fitted
            (str(scans / "batch.pdf"), 4, ""),
            (str(scans / "broken.jpg"), 1, ""),
        ]
        assert all(
            reg.image_path(name).is_file() for r in waiting[:4] for name in r.images.values()
        )
    before = dump(register)
    assert casekit("scan", str(scans), register=register).returncode == 1
    assert dump(register) == before  # kept once, not twice

    # a sheet of another course than the one asked for is refused too
    save_pdf(scans / "batch.pdf", [marked(quiz, KEY)])
    (scans / "broken.jpg").unlink()
    wrong = casekit("scan", str(scans), "--course", "job-search-en", register=register)
    assert wrong.returncode == 1
    assert "is of the course digital-literacy-kk, not job-search-en" in wrong.stderr


@pytest.mark.slow
def test_marks_in_doubt_go_to_review_and_are_not_recorded(tmp_path):
    register = str(tmp_path / "register.sqlite")
    folder = issue(tmp_path, register)
    quiz, _task = sheets_of(folder, register)
    image = marked(quiz, {f"{QUIZ}/1": [1], f"{QUIZ}/2": [0, 1], f"{QUIZ}/3": [2]})
    dot(image, quiz.layout, f"{QUIZ}/1", 0)  # a faint dot beside the answer
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "doubt.pdf", [image])
    result = casekit("scan", str(scans), "--lang", "en", register=register)
    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"{scans / 'doubt.pdf'}:1:1: warning: 2 question(s) in doubt: 1.1/1, 1.1/2"
    )
    assert "KZ-001: 1 for review" in result.stdout
    with open_register(register) as reg:
        assert reg.submissions() == [] and reg.results() == []
        [review] = reg.reviews()
        assert review.sheet == quiz.sheet
        assert review.doubtful == (f"{QUIZ}/1", f"{QUIZ}/2")
        assert review.reading[f"{QUIZ}/2"]["answer"] == "multiple"
        assert review.reading[f"{QUIZ}/3"]["chosen"] == [2]
        assert set(review.images) == {f"{QUIZ}/1", f"{QUIZ}/2"}
    # by default in the words of the course's language: the reason and the summary
    again = casekit("scan", str(scans), register=register)
    assert again.returncode == 0, again.stderr
    [line] = again.stderr.splitlines()
    assert "warning: күмәнді сұрақтар саны: 2 (1.1/1, 1.1/2) [scan-review]" in line
    assert "KZ-001: тексеруге: 1" in again.stdout
    assert "Барлық бет: 1; тексеруге: 1" in again.stdout
    assert "review" not in again.stdout.replace("casekit review", "")


@pytest.mark.slow
def test_each_sheet_is_graded_with_the_key_of_the_version_it_was_printed_from(tmp_path):
    register = str(tmp_path / "register.sqlite")
    old = issue(tmp_path, register)  # G1: version 1.0.0
    newer = course_copy(tmp_path, "1.1.0", new_key=True)  # question 1's answer is now a)
    assert casekit("enrol", str(newer), "--group", "G2", *PLAN, register=register).returncode == 0
    out = tmp_path / "packets-G2"
    made = casekit("packets", str(newer), "--group", "G2", "-o", str(out), register=register)
    assert made.returncode == 0, made.stderr
    quiz_old, _ = sheets_of(old, register, "KZ-001")
    quiz_new, _ = sheets_of(next(out.rglob("issue-list.pdf")).parent, register, "KZ-010")
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "both.pdf", [marked(quiz_old, KEY), marked(quiz_new, KEY)])
    result = casekit("scan", str(scans), "--lang", "en", register=register)
    assert result.returncode == 0, result.stderr
    assert "KZ-001: 1 recorded; scores: module-1 3/3" in result.stdout
    assert "KZ-010: 1 recorded; scores: module-1 2/3" in result.stdout
    with open_register(register) as reg:
        assert reg.answer_keys("digital-literacy-kk", "1.0.0")[f"{QUIZ}/1"].correct == (1,)
        assert reg.answer_keys("digital-literacy-kk", "1.1.0")[f"{QUIZ}/1"].correct == (0,)

    # the same version with another answer key is refused: earlier sheets would be graded wrongly
    edited = course_copy(tmp_path / "edited", "1.0.0", new_key=True)
    before = dump(register)
    again = casekit(
        "packets", str(edited), "--group", "G1", "-o", str(tmp_path / "x"), register=register
    )
    assert again.returncode == 1
    assert (
        "give the course a new version" in again.stderr and "[answer-key-changed]" in again.stderr
    )
    assert dump(register) == before


def doubtful_scan(tmp_path: Path) -> tuple[str, Path, object]:
    """A register with KZ-001's self-check 1.1 scanned with two questions in doubt
    (page 1) and a blank page (page 2)."""
    register = str(tmp_path / "register.sqlite")
    folder = issue(tmp_path, register)
    quiz, _task = sheets_of(folder, register)
    image = marked(quiz, {f"{QUIZ}/1": [1], f"{QUIZ}/2": [0, 1], f"{QUIZ}/3": [2]})
    dot(image, quiz.layout, f"{QUIZ}/1", 0)
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "doubt.pdf", [image, np.full_like(image, 255)])
    assert casekit("scan", str(scans), *HANDED_IN, register=register).returncode == 1
    return register, scans, quiz


@pytest.mark.slow
def test_review_in_the_terminal_records_each_decision_with_who_and_when(tmp_path):
    register, scans, quiz = doubtful_scan(tmp_path)
    answered = subprocess.run(
        [sys.executable, "-m", "casekit", "review", "--by", "A. Seitkyzy", "--lang", "ru"],
        input="x\nb\nb\ny\n",  # "x" is no option letter: asked again
        capture_output=True,
        text=True,
        env={**os.environ, "CASEKIT_REGISTER": register},
        timeout=120,
    )
    assert answered.returncode == 0, answered.stderr
    assert "Вопрос 1.1/1: a) неясно, b) " in answered.stdout
    assert "Причина: вопросов под сомнением: 2 (1.1/1, 1.1/2)" in answered.stdout
    assert "Причина: QR-код не читается (пустая страница" in answered.stdout
    assert answered.stdout.count("Отмеченные варианты в вопросе 1.1/1") == 2
    assert "2 decision(s) recorded, 0 left" in answered.stdout
    with open_register(register) as reg:
        [submission] = reg.submissions()
        assert {k: m["chosen"] for k, m in submission.marks.items()} == KEY
        assert submission.handed_in == dt.date(2025, 1, 15)  # as told when it was scanned
        [result] = reg.results()
        assert (result.score, result.max_score, result.decided_by) == (3.0, 3.0, "A. Seitkyzy")
        settled, dismissed = reg.reviews(status=None)
        assert (settled.status, settled.decided_by) == ("settled", "A. Seitkyzy")
        assert settled.decided_at is not None
        assert settled.decision == {"questions": {f"{QUIZ}/1": [1], f"{QUIZ}/2": [1]}}
        assert (dismissed.status, dismissed.decision) == ("dismissed", {"set_aside": True})
        assert reg.reviews() == []
    # the same pages scanned again are not put back on the list
    before = dump(register)
    again = casekit("scan", str(scans), "--lang", "en", register=register)
    assert "already decided in review" not in again.stderr
    assert "KZ-001: 1 already recorded" in again.stdout
    assert dump(register) == before


@pytest.mark.slow
def test_review_page_from_disk_saves_decisions_that_apply_records(tmp_path, browser):
    register, _scans, quiz = doubtful_scan(tmp_path)
    made = casekit("review", "--html", register=register)  # the course's language: Kazakh
    assert made.returncode == 0, made.stderr
    page_path = Path(made.stdout.strip())
    assert page_path.parent == Path(register + ".files")
    assert stat.S_IMODE(page_path.stat().st_mode) == 0o600
    page = browser.new_page(accept_downloads=True)
    try:
        page.goto(page_path.as_uri())
        assert page.locator("html").get_attribute("lang") == "kk"
        assert page.locator("h1").inner_text() == "Тексерілетін жауап парақтары"
        reasons = page.locator("dd").all_inner_texts()
        assert "күмәнді сұрақтар саны: 2 (1.1/1, 1.1/2)" in reasons
        assert "оқылатын QR коды жоқ (бос бет немесе қатты зақымдалған парақ)" in reasons
        text = page.locator("body").inner_text()
        english = messages("en")
        for code in typing.get_args(Code):
            if code != "text":
                stem = english.table[f"scan_{code}"].split("{", 1)[0].strip()
                assert not stem or stem not in text, stem
        assert "in doubt" not in text and "QR code" not in text
        images = page.locator("img")
        assert images.count() == 3  # two zooms and the blank page
        assert all(images.nth(i).evaluate("i => i.naturalWidth") > 100 for i in range(3))
        second = page.locator(f'fieldset[data-key="{QUIZ}/2"] input')
        assert [second.nth(i).is_checked() for i in range(3)] == [True, True, False]
        second.nth(0).uncheck()  # the learner meant b) only: a) is a stray mark
        page.locator('section[data-review="2"] input.aside').check()
        with page.expect_download() as download:
            page.locator("#save").click()
        saved = tmp_path / "decisions.json"
        download.value.save_as(saved)
        assert page.locator("#saved").is_visible()
    finally:
        page.close()
    applied = casekit("review", "--apply", str(saved), "--by", "A. Seitkyzy", register=register)
    assert applied.returncode == 0, applied.stderr
    with open_register(register) as reg:
        [submission] = reg.submissions()
        assert submission.marks[f"{QUIZ}/2"]["chosen"] == [1]
        assert submission.marks[f"{QUIZ}/1"]["chosen"] == [1]
        assert [r.status for r in reg.reviews(status=None)] == ["settled", "dismissed"]
    # applying the same decisions twice records nothing
    before = dump(register)
    twice = casekit("review", "--apply", str(saved), "--by", "A. Seitkyzy", register=register)
    assert twice.returncode == 1 and "[review-closed]" in twice.stderr
    assert dump(register) == before


@pytest.mark.slow
def test_teacher_grades_an_assignment(tmp_path, browser):
    register = str(tmp_path / "register.sqlite")
    folder = issue(tmp_path, register)
    _quiz, task = sheets_of(folder, register)
    scans = tmp_path / "scans"
    scans.mkdir()
    written = marked(task, {})
    area = next(a for a in task.layout.areas)
    px = written.shape[1] / task.layout.paper[0]
    x, y = round((area.rect.x + 10) * px), round((area.rect.y + 10) * px)
    written[y : y + round(4 * px), x : x + round(60 * px)] = 40  # a line of writing
    save_pdf(scans / "task.pdf", [written])
    assert casekit("scan", str(scans), register=register).returncode == 0

    # the teacher sees the written answer before grading
    assert casekit("grade", "KZ-001", task.target, register=register).returncode == 2
    shown = casekit("grade", "KZ-001", task.target, "--show", register=register)
    assert shown.returncode == 0, shown.stderr
    page_path = Path(shown.stdout.strip())
    assert page_path.parent == Path(register + ".files")
    assert stat.S_IMODE(page_path.stat().st_mode) == 0o600
    with open_register(register) as reg:
        crop = reg.submissions()[0].images["assignment"]
        crop_pixels = np.array(PILImage.open(reg.image_path(crop)).convert("L"))
        assert reg.results() == []  # --show records nothing
    # the writing is in the crop (6 px per mm), where it was written on the page
    assert crop_pixels[63:81, 66:414].mean() < 100 < crop_pixels[150:200, 66:414].mean()
    page = browser.new_page()
    try:
        page.goto(page_path.as_uri())
        # in the course's language, the sheet named as printed on it
        assert page.locator("h1").inner_text() == (
            "Жазбаша жауаптар: 1.1-тапсырма: Өз қалталарыңызды жасаңыз"
        )
        [caption] = page.locator("figcaption").all_inner_texts()
        assert caption == "1.1-тапсырма: Өз қалталарыңызды жасаңыз"  # what the crop answers
        [width] = page.locator("img").evaluate_all("images => images.map(i => i.naturalWidth)")
        assert width == crop_pixels.shape[1]
    finally:
        page.close()
    graded = casekit(
        "grade", "KZ-001", task.target, "8", "--of", "10", "--by", "A. Seitkyzy", register=register
    )
    assert graded.returncode == 0, graded.stderr
    with open_register(register) as reg:
        [submission] = reg.submissions()
        [result] = reg.results()
    assert (result.sheet, result.score, result.max_score) == (task.sheet, 8.0, 10.0)
    assert (result.submission, result.decided_by) == (submission.id, "A. Seitkyzy")
    before = dump(register)
    for args, message in (
        (["KZ-001", task.target, "11", "--of", "10"], "is not between 0 and --of 10"),
        (["KZ-001", "no-such-task", "5", "--of", "10"], "KZ-001 has no sheet 'no-such-task'"),
        (["KZ-999", task.target, "5", "--of", "10"], "no learner with the code 'KZ-999'"),
    ):
        bad = casekit("grade", *args, "--by", "A. Seitkyzy", register=register)
        assert bad.returncode != 0 and message in bad.stderr, bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
    assert dump(register) == before


@pytest.mark.slow
def test_report_per_learner_as_csv_and_pdf_names_only_when_asked(tmp_path, monkeypatch):
    from pypdf import PdfReader

    from tests.conftest import require_tool

    register = str(tmp_path / "register.sqlite")
    folder = issue(tmp_path, register)
    quiz, task = sheets_of(folder, register)
    found = sheet_images(folder / "KZ-001.pdf", register)
    [module_2] = [s for s in found if s.target == "module-2"]  # three written answers
    scans = tmp_path / "scans"
    scans.mkdir()
    save_pdf(scans / "a.pdf", [marked(quiz, {**KEY, f"{QUIZ}/3": [0]}), marked(task, {})])
    save_pdf(scans / "b.pdf", [marked(module_2, {}, blank=("05-egov--quiz-egov/1",))])
    assert casekit("scan", str(scans / "a.pdf"), *HANDED_IN, register=register).returncode == 0
    assert casekit("scan", str(scans / "b.pdf"), register=register).returncode == 0

    def grade(*args: str) -> subprocess.CompletedProcess[str]:
        return casekit("grade", "KZ-001", *args, "--by", "T", register=register)

    assert grade(task.target, "8", "--of", "10").returncode == 0
    # a self-check sheet's written answers are marked one by one; its boxes by the scan
    for number, score in (("2.2/1", "1"), ("2.2/2", "2")):
        marked_one = grade("module-2", score, "--of", "2", "--question", number)
        assert marked_one.returncode == 0, marked_one.stderr
        assert f"KZ-001: module-2 question {number} graded {score}/2" in marked_one.stdout
    before = dump(register)
    for args, message in (
        (["module-2", "5", "--of", "9"], "module-2 has written answers: mark each with --question"),
        (["module-2", "1", "--of", "2", "--question", "2.2/3"], "no written answer '2.2/3'"),
        ([task.target, "1", "--of", "2", "--question", "2.2/1"], "no written answer '2.2/1'"),
    ):
        refused = grade(*args)
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr
    assert dump(register) == before
    with open_register(register) as reg:  # sticks handed out with this version, and another
        for stick, code, version in (("S-1", "KZ-001", "1.0.0"), ("S-2", "KZ-003", "1.0.0"),
                                     ("S-3", "KZ-003", "0.9.0")):  # fmt: skip
            item = IssuedItem(stick, "stick", code, "digital-literacy-kk", version, ISSUED.date())
            reg.issue_stick(StickCustody(item, "bundle", ISSUED, {}))
        reg.return_stick("S-1", dt.datetime(2027, 2, 1, 9), "T", [])
    # the teacher's page: each written answer under its question, text, answer and mark
    shown = casekit("grade", "KZ-001", "module-2", "--show", register=register)
    assert shown.returncode == 0, shown.stderr
    page = Path(shown.stdout.strip()).read_text("utf-8")
    assert (
        '<figcaption>2.2/1-сұрақ: <span class="prompt">Банк сізден ешқашан қандай кодты '
        "сұрамайды? Бір сөзбен жазыңыз.</span><br><small>Дұрыс жауап: СМС-кодты</small>"
        "<br>Баға: 1 / 2 (T)</figcaption>"
    ) in page
    assert page.count("<figcaption>") == 3 and page.count("Баға:") == 2  # 2.3/1 not marked
    # 2.3/1 was left blank: said under its question, the picture still shown to check
    blank = page.split('data-key="05-egov--quiz-egov/1"', 1)[1].split("</figure>", 1)[0]
    assert "Жауап жоқ: мұнда ештеңе жазылмаған" in blank and "<img" in blank
    assert page.count("Жауап жоқ") == 1
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    args = ["report", str(COURSE), "--group", "G1", "--date", "2027-03-01"]
    made = casekit(*args, "-o", str(tmp_path / "r1"), register=register)
    assert made.returncode == 0, made.stderr
    csv_path = tmp_path / "r1" / "report-digital-literacy-kk-1.0.0-G1.csv"
    pdf_path = csv_path.with_suffix(".pdf")
    assert stat.S_IMODE(csv_path.stat().st_mode) == stat.S_IMODE(pdf_path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8-sig"))))
    assert list(rows[0])[:12] == [
        "username", "facility_name", "channel_id", "channel_name", "content_id",
        "content_title", "start_timestamp", "end_timestamp", "completion_timestamp",
        "time_spent", "progress", "kind",
    ]  # fmt: skip
    by = {(r["username"], r["content_id"]): r for r in rows}
    assert {code for code, _item in by} == {"KZ-001", "KZ-002", "KZ-003"}
    mine = by["KZ-001", "module-1"]
    assert (mine["score"], mine["max_score"], mine["status"], mine["kind"]) == (
        "2",
        "3",
        "graded",
        "exercise",
    )
    assert (mine["progress"], mine["late"], mine["deadline"]) == ("1.0", "no", "2027-01-13")
    assert mine["handed_in"] == "2025-01-15"  # as told, not the day scanned
    scanned = by["KZ-001", "module-2"]
    assert scanned["handed_in"] == scanned["start_timestamp"][:10]  # not told: the day scanned
    assert (scanned["status"], scanned["score"]) == ("handed_in", "")  # 2.3/1 waits
    task_row = by["KZ-001", task.target]
    assert (task_row["score"], task_row["max_score"], task_row["graded_by"]) == ("8", "10", "T")
    # which written answers were scanned (the crops stay in the register)
    assert (task_row["written_answers"], mine["written_answers"]) == ("assignment", "")
    answered = by["KZ-001", "module-2"]["written_answers"]
    assert answered == "2.2/1 2.2/2"  # self-check 2.2's questions 1 and 2; 2.3's 1 left blank
    assert by["KZ-001", "module-2"]["blank_answers"] == "2.3/1"
    assert by["KZ-002", "module-2"]["status"] == "missing"
    missing = by["KZ-003", "module-1"]
    assert (missing["status"], missing["progress"], missing["late"]) == ("missing", "0.0", "yes")
    assert "full_name" not in rows[0] and "Әбілқасымов" not in csv_path.read_text("utf-8-sig")
    checked = subprocess.run(
        [require_tool("qpdf"), "--check", str(pdf_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0 and "No syntax or stream encoding errors" in checked.stdout
    text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    for words in (
        "Үлгерім туралы есеп",
        "KZ-001",
        "тапсырылмаған",
        "бағаланған",
        "8 / 10",
        "2 / 3",
        "Жазбаша жауаптар: 2.2/1, 2.2/2",  # to read with casekit grade --show
        "Жауап жоқ: 2.3/1",
        "15.01.2025",  # handed in
        "USB жинақтағыштар: S-1: 11.01.2027 берілді, 01.02.2027 қайтарылды",
        "USB жинақтағыштар: S-2: 11.01.2027 берілді, қайтарылмаған",
    ):
        assert words in text.replace("\n", " "), words
    assert "Әбілқасымов" not in text and "S-3" not in text  # S-3: another version
    again = casekit(*args, "-o", str(tmp_path / "r2"), register=register)
    assert again.returncode == 0
    assert (tmp_path / "r2" / pdf_path.name).read_bytes() == pdf_path.read_bytes()
    # without the course folder: the same report from what the register recorded at issue
    alone = casekit("report", *args[2:], "-o", str(tmp_path / "r4"), register=register)
    assert alone.returncode == 0, alone.stderr
    assert (tmp_path / "r4" / csv_path.name).read_bytes() == csv_path.read_bytes()
    assert (tmp_path / "r4" / pdf_path.name).read_bytes() == pdf_path.read_bytes()
    wrong = casekit("report", *args[2:], "--course", "job-search-en", register=register)
    assert wrong.returncode == 1 and "G1 is not enrolled in job-search-en" in wrong.stderr
    engine = sqlalchemy.create_engine(f"sqlite:///{register}")
    with engine.begin() as conn:  # as a register whose packets were issued before 0012
        conn.execute(sqlalchemy.text("UPDATE course_versions SET outline = ''"))
    engine.dispose()
    old = casekit("report", *args[2:], "-o", str(tmp_path / "r5"), register=register)
    assert old.returncode == 1 and not (tmp_path / "r5").exists()
    assert old.stderr.count("\n") == 1 and "Traceback" not in old.stderr
    assert (
        "the register does not hold the sheets and study plan of digital-literacy-kk 1.0.0"
        in old.stderr
        and "give the course folder" in old.stderr
    )

    assert grade("module-2", "0", "--of", "1", "--question", "2.3/1").returncode == 0
    shown = casekit("learners", "show", "KZ-001", register=register)
    sheet_lines = [line for line in shown.stdout.splitlines() if line.startswith("sheet\t")]
    version = "digital-literacy-kk 1.0.0"
    assert sheet_lines == [
        f"sheet\tassignment 02-files--task-folders\t{version}\thanded in 2025-01-15\tgraded 8/10",
        f"sheet\tassignment 04-fraud--task-messages\t{version}\tnot handed in",
        f"sheet\tassignment 05-egov--task-form\t{version}\tnot handed in",
        f"sheet\tquiz module-1\t{version}\thanded in 2025-01-15\tgraded 2/3",
        f"sheet\tquiz module-2\t{version}\thanded in {scanned['handed_in']}\tgraded 3/11",
    ]
    named = casekit(  # --learner alone: of their own group
        "report", str(COURSE), "--date", "2027-03-01", "--learner", "KZ-001", "--names",
        "--lang", "ru", "-o", str(tmp_path / "r3"), register=register,
    )  # fmt: skip
    assert named.returncode == 0, named.stderr
    [named_csv] = (tmp_path / "r3").glob("*.csv")
    assert named_csv.name == "report-digital-literacy-kk-1.0.0-G1-KZ-001.csv"
    named_rows = list(csv.DictReader(io.StringIO(named_csv.read_text("utf-8-sig"))))
    assert {r["full_name"] for r in named_rows} == {"Әбілқасымов Ерлан Серікұлы"}
    whole = next(r for r in named_rows if r["content_id"] == "module-2")
    assert (whole["status"], whole["score"], whole["max_score"]) == ("graded", "3", "11")
    named_text = "".join(p.extract_text() for p in PdfReader(named_csv.with_suffix(".pdf")).pages)
    assert "Әбілқасымов Ерлан Серікұлы" in named_text and "KZ-003" not in named_text
    # --lang: casekit's words in Russian, the sheets named as printed (in Kazakh)
    assert "Отчёт об успеваемости" in named_text and "Үлгерім" not in named_text
    assert "1.1-тапсырма" in named_text
    assert PdfReader(named_csv.with_suffix(".pdf")).trailer["/Root"]["/Lang"] == "ru"


@pytest.mark.slow
def test_pages_that_name_no_learner_can_be_deleted_for_real(tmp_path):
    register, _scans, _quiz = doubtful_scan(tmp_path)  # page 2: blank, names no sheet
    with open_register(register) as reg:
        [unread] = [r for r in reg.reviews() if not r.sheet]
        thumbnail = reg.image_path(unread.images["page"])
        files = reg.files
    assert thumbnail.is_file()
    assert casekit("review", "--html", register=register).returncode == 0
    assert (files / "review.html").is_file()  # holds copies of the images

    purged = casekit("learners", "remove", "KZ-001", "--purge", register=register)
    assert purged.returncode == 0, purged.stderr
    assert "1 scanned page(s) that name no learner are still kept" in purged.stdout
    assert "casekit review --discard-unread" in purged.stdout
    assert private_files(files) == [thumbnail]  # the review page went with the learner's zooms

    recent = casekit("review", "--discard-unread", "--older-than", "30", register=register)
    assert recent.returncode == 0, recent.stderr
    assert "0 unidentified page(s) deleted, 1 left" in recent.stdout
    assert thumbnail.is_file()
    lonely = casekit("review", "--older-than", "30", register=register)
    assert lonely.returncode == 2 and "--discard-unread" in lonely.stderr

    discarded = casekit("review", "--discard-unread", register=register)
    assert discarded.returncode == 0, discarded.stderr
    assert "1 unidentified page(s) deleted, 0 left" in discarded.stdout
    assert private_files(files) == []
    assert dump(register)["reviews"] == []
    raw = Path(register).read_bytes() + b"".join(
        p.read_bytes() for p in Path(register).parent.glob("register.sqlite-*")
    )
    assert unread.source_sha256.encode() not in raw  # secure_delete: not left in free pages
