"""``-f moodle-questions``: the Moodle XML bank parsed back question by question, and
the GIFT file read by a real GIFT parser (gift-pegjs), hostile text included."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import MINIMAL_TOML, ROOT, casekit
from tests.lms_helpers import HOSTILE, LESSON, TOML, build_format, node_tool


def build(course: Path) -> Path:
    return build_format(course, "moodle-questions")


@pytest.fixture
def bank(make_course: Callable[..., Path]) -> Path:
    course = make_course({"a.md": LESSON, "b.md": "# Б\n\nТекст.\n"}, toml=TOML)
    return build(course)


def text_of(html: str) -> str:
    """What a reader sees of an HTML fragment."""
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_moodle_xml_question_by_question(bank: Path) -> None:
    root = etree.parse(str(bank / "lms-questions.xml")).getroot()
    questions = root.findall("question")
    assert [q.get("type") for q in questions] == [
        "category",
        "multichoice",
        "multichoice",
        "truefalse",
        "shortanswer",
    ]
    category, single, multiple, truefalse, short = questions
    # one category per module that has quizzes; "/" inside a name doubled as Moodle wants
    assert category.findtext("category/text") == "$course$/top/Курс // тест/Модуль 1: Первый"

    assert text_of(single.findtext("questiontext/text")) == HOSTILE
    assert single.find("questiontext").get("format") == "html"
    assert single.findtext("name/text") == "1.1.1 Тексеру: {1}"
    assert single.findtext("single") == "true"
    answers = [(text_of(a.findtext("text")), a.get("fraction")) for a in single.findall("answer")]
    assert answers == [("Ответ ~ не = этот", "0"), ("Ответ #{верный}: да", "100")]
    assert text_of(single.findtext("generalfeedback/text")) == "Потому что {x} = 1 \\ и всё."

    assert multiple.findtext("single") == "false"
    answers = [(text_of(a.findtext("text")), a.get("fraction")) for a in multiple.findall("answer")]
    assert answers == [
        ("Монитор", "50"),
        ("Жүйелік блок", "50"),
        ("Терезе", "-50"),
        ("Есік", "-50"),
    ]
    assert multiple.findtext("generalfeedback/text") == ""

    assert text_of(truefalse.findtext("questiontext/text")) == "Земля круглая."
    assert [(a.findtext("text"), a.get("fraction")) for a in truefalse.findall("answer")] == [
        ("true", "100"),
        ("false", "0"),
    ]
    assert [(a.findtext("text"), a.get("fraction")) for a in short.findall("answer")] == [
        ("Астана {2}", "100")
    ]
    idnumbers = [q.findtext("idnumber") for q in questions[1:]]
    assert len(set(idnumbers)) == 4


def test_three_correct_options_get_a_grade_moodle_accepts(make_course: Callable[..., Path]) -> None:
    lesson = "# L\n\n::: {.quiz}\n1. Q\n   - [x] a\n   - [x] b\n   - [x] c\n   - [ ] d\n:::\n"
    root = etree.parse(str(build(make_course({"a.md": lesson})) / "t-questions.xml")).getroot()
    fractions = [a.get("fraction") for a in root.iter("answer")]
    assert fractions == ["33.33333", "33.33333", "33.33333", "-100"]


def test_true_false_words_come_from_the_messages_and_the_course_labels(
    make_course: Callable[..., Path],
) -> None:
    """Every built-in language's ``option_true``/``option_false`` (any case, a final full
    stop) make a true/false question; a course's ``[labels]`` add its own words."""
    lesson = (
        "# L\n\n::: {.quiz}\n"
        + "".join(
            f"{n}. Q{n}\n   - [{'x' if right else ' '}] {yes}\n   - [{' ' if right else 'x'}] {no}\n"
            for n, (yes, no, right) in enumerate(
                [
                    ("дұрыс.", "БҰРЫС", False),
                    ("True", "False", True),
                    ("Неверно", "Верно", True),  # the first option marked: "false"
                    ("Правда", "Неправда", False),
                    ("Иә", "Жоқ", True),
                ],
                1,
            )
        )
        + ":::\n"
    )

    def kinds(labels: str) -> list[tuple[str | None, list[str | None]]]:
        toml = MINIMAL_TOML.format(lessons='"a.md"').replace('"en"', '"kk"') + labels
        course = make_course({"a.md": lesson}, toml=toml)
        shutil.rmtree(course / "build", ignore_errors=True)
        root = etree.parse(str(build(course) / "t-questions.xml")).getroot()
        return [
            (q.get("type"), [a.findtext("text") for a in q.findall("answer[@fraction='100']")])
            for q in root.findall("question")[1:]
        ]

    built_in = [("truefalse", ["false"]), ("truefalse", ["true"]), ("truefalse", ["false"])]
    built_in += [("truefalse", ["false"])]
    assert kinds("") == [*built_in, ("multichoice", ["Иә"])]
    own = '\n[labels]\noption_true = "Иә"\noption_false = "Жоқ"\n'
    assert kinds(own) == [*built_in, ("truefalse", ["true"])]


def test_gift_read_back_by_a_real_parser(bank: Path) -> None:
    parser = node_tool("gift-pegjs/package.json").parent
    gift = (bank / "lms-questions.gift").read_text("utf-8")
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "gift_parse.js"), str(parser)],
        input=gift,
        capture_output=True,
        text=True,
        check=True,
    )
    items = json.loads(done.stdout)
    assert [item["type"] for item in items] == ["Category", "MC", "MC", "TF", "Short"]
    category, single, multiple, truefalse, short = items
    assert category["title"] == "$course$/top/Курс // тест/Модуль 1: Первый"

    assert single["title"] == "1.1.1 Тексеру: {1}"
    assert single["stem"]["format"] == "html"
    assert text_of(single["stem"]["text"]) == HOSTILE
    assert [(text_of(c["text"]["text"]), c["isCorrect"]) for c in single["choices"]] == [
        ("Ответ ~ не = этот", False),
        ("Ответ #{верный}: да", True),
    ]
    assert text_of(single["globalFeedback"]["text"]) == "Потому что {x} = 1 \\ и всё."

    assert [(text_of(c["text"]["text"]), c["weight"]) for c in multiple["choices"]] == [
        ("Монитор", 50),
        ("Жүйелік блок", 50),
        ("Терезе", -50),
        ("Есік", -50),
    ]
    assert truefalse["isTrue"] is True
    assert [text_of(c["text"]["text"]) for c in short["choices"]] == ["Астана {2}"]


@pytest.mark.slow
def test_same_sources_same_bytes(make_course: Callable[..., Path]) -> None:
    course = make_course({"a.md": LESSON, "b.md": "# Б\n"}, toml=TOML)
    first = {p.name: p.read_bytes() for p in build(course).iterdir()}
    shutil.rmtree(course / "build")
    assert {p.name: p.read_bytes() for p in build(course).iterdir()} == first
    assert set(first) == {"lms-questions.xml", "lms-questions.gift"}


def test_listed_in_build_help() -> None:
    done = casekit("build", "--help")
    assert "moodle-questions" in done.stdout
