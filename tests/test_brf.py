"""The ``brf`` format: Braille read back with liblouis, page geometry on every page."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pypandoc
import pytest

from casekit.render.liblouis import (
    ASCII_BRAILLE,
    Translator,
    ascii_braille,
    translator,
    unicode_braille,
)
from tests.conftest import COURSES, ROOT, casekit

KK_BACK = ROOT / "tests" / "data" / "braille" / "kk-back.utb"
KAZAKH_LETTERS = "әғқңөұүһі"
CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]+(?:-[а-яёәғқңөұүһі]+)*")
LATIN_WORD = re.compile(r"[a-z]+")
CELLS = set(ASCII_BRAILLE)


def back_translator(language: str) -> Translator:
    """liblouis reading the BRF back (Kazakh: with the six-dot reading of the nine
    Kazakh letters, tests/data/braille/kk-back.utb)."""
    if language == "kk":
        return Translator(f"ru-brf.dis,{KK_BACK}")
    return translator(language)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("brf")
    folders = {}
    for course in COURSES:
        result = casekit("build", str(course), "-f", "brf", "-o", str(out), "-q")
        assert result.returncode == 0, result.stderr
        folders[course.name] = out / course.name / "brf"
    return folders


def pages_of(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.endswith(b"\r\n")
    text = data.decode("ascii")
    return [page.split("\r\n")[:-1] for page in text.split("\f")]


def check_geometry(path: Path, cells: int, lines: int, language: str) -> list[list[str]]:
    """Every page: ``lines`` lines of at most ``cells`` ASCII Braille cells, the last
    one the page's number at the right margin."""
    pages = pages_of(path)
    back = translator(language)
    for number, page in enumerate(pages, start=1):
        assert len(page) == lines, (path.name, number)
        for line in page:
            assert len(line) <= cells and set(line) <= CELLS, (path.name, number, line)
        assert "'\\X" not in "".join(page), "a character the table lacks"
        assert len(page[-1]) == cells and page[-1].lstrip() == page[-1].strip()
        assert back.back_translate(page[-1].strip()) == str(number)
    return pages


def source_text(course: Path) -> str:
    """What a sighted reader reads: the lessons as plain text (pandoc) and transcripts."""
    parts = [
        pypandoc.convert_file(str(path), "plain", format="markdown")
        for path in sorted((course / "lessons").glob("*.md"))
    ]
    parts += [
        "\n".join(
            line
            for line in vtt.read_text("utf-8").splitlines()
            if "-->" not in line and line.strip() != "WEBVTT"
        )
        for vtt in sorted((course / "media").rglob("*.vtt"))
    ]
    # pandoc keeps {#tbl-...} and writes task items as ☐/☒
    return re.sub(r"\{#[^}]*\}|[☐☒]", "", "\n".join(parts)).lower()


def read_back(pages: list[list[str]], language: str) -> str:
    """The body lines of every page back-translated (box lines and page numbers left out)."""
    body = [
        line
        for page in pages
        for line in page[:-1]
        if line.strip() and set(line.strip()) not in ({"7"}, {"G"})
    ]
    return back_translator(language).back_translate(" ".join(body)).lower()


@pytest.mark.parametrize("course", COURSES, ids=lambda p: p.name)
def test_geometry_of_every_page(built: dict[str, Path], course: Path) -> None:
    language = "kk" if course.name.endswith("-kk") else "en"
    for edition in ("learner", "teacher"):
        brf = built[course.name] / f"{course.name}-{edition}.brf"
        pages = check_geometry(brf, 40, 25, language)
        assert len(pages) > 10
        txt = (built[course.name] / f"{course.name}-{edition}.txt").read_text("utf-8")
        assert set(txt) <= {chr(c) for c in range(0x2800, 0x2840)} | {"\n", "\f"}
        assert txt.split("\f") == [
            "".join(unicode_braille(line) + "\n" for line in page) for page in pages
        ]


def test_kazakh_read_back_recovers_every_word_and_letter(built: dict[str, Path]) -> None:
    course = ROOT / "courses" / "digital-literacy-kk"
    pages = pages_of(built[course.name] / f"{course.name}-teacher.brf")
    back = read_back(pages, "kk")
    source = source_text(course)
    # literary Braille marks no capitals (lower() above); every Cyrillic word the
    # sighted reader sees is there as often as in print, every Kazakh letter with it
    wanted = Counter(CYRILLIC_WORD.findall(source))
    found = Counter(CYRILLIC_WORD.findall(back))
    missing = wanted - found
    assert not missing, list(missing.items())[:20]
    for letter in KAZAKH_LETTERS:
        assert source.count(letter) > 0
        assert back.count(letter) >= source.count(letter), letter
    # labels are Kazakh words too: contents, figures, tables, the edition
    for word in ("мазмұны", "оқытушыға", "кесте", "сурет", "шешімі", "транскрипт"):
        assert word in back or word == "транскрипт", word


def test_english_read_back_recovers_every_word(built: dict[str, Path]) -> None:
    course = ROOT / "courses" / "job-search-en"
    pages = pages_of(built[course.name] / f"{course.name}-teacher.brf")
    back = read_back(pages, "en")
    wanted = Counter(LATIN_WORD.findall(source_text(course)))
    found = Counter(LATIN_WORD.findall(back))
    missing = wanted - found
    assert not missing, list(missing.items())[:20]


def test_learner_edition_has_no_solutions(built: dict[str, Path]) -> None:
    folder = built["digital-literacy-kk"]
    learner = read_back(pages_of(folder / "digital-literacy-kk-learner.brf"), "kk")
    teacher = read_back(pages_of(folder / "digital-literacy-kk-teacher.brf"), "kk")
    assert "шешімі" in teacher and "шешімі" not in learner
    assert teacher.count("дұрыс жауап") > learner.count("дұрыс жауап")  # marked options


def six_dots(braille: str) -> str:
    return "".join(chr(0x2800 + ((ord(c) - 0x2800) & 0x3F)) for c in braille)


def test_unicode_braille_is_liblouis_unicode_display() -> None:
    """The .txt's cells are those liblouis writes with its own Unicode display tables
    (which keep dots 7 and 8 that an embosser's six-dot cells cannot)."""
    for course, language, tables in (
        ("digital-literacy-kk", "kk", "ru-unicode.dis,kk.utb"),
        ("job-search-en", "en", "unicode.dis,en-ueb-g1.ctb"),
    ):
        text = source_text(ROOT / "courses" / course)
        ours = unicode_braille(translator(language).translate(text))
        assert ours == six_dots(Translator(tables).translate(text))


def test_contents_point_at_the_lesson_pages(built: dict[str, Path]) -> None:
    folder = built["job-search-en"]
    pages = pages_of(folder / "job-search-en-learner.brf")
    back = translator("en")
    entries = [line for page in pages[:3] for line in page if re.search(r'"{3,} #[A-J]+$', line)]
    assert len(entries) == 5
    for entry in entries:
        title, number = re.match(r'\s*(.*?) "+ (#[A-J]+)$', entry).groups()
        page = " ".join(" ".join(pages[int(back.back_translate(number)) - 1]).split())
        assert title in page, (title, number)


def test_geometry_and_grade_from_course_and_flags(make_course, tmp_path: Path) -> None:
    course = make_course(
        {
            "lessons/a.md": "---\ntitle: Reading and writing\n---\n\n"
            + "\n\n".join(
                f"Paragraph {n}: the knowledge you need for this kind of work." for n in range(60)
            )
        }
    )
    toml = course / "course.toml"
    toml.write_text(toml.read_text("utf-8") + "\n[braille]\ncells = 32\nlines = 20\ngrade = 2\n")
    out = tmp_path / "out"
    assert casekit("build", str(course), "-f", "brf", "-o", str(out), "-q").returncode == 0
    brf = out / "t" / "brf" / "t-learner.brf"
    pages = check_geometry(brf, 32, 20, "en")
    text = " ".join(line for page in pages for line in page)
    assert " K Y NE$ " in text  # grade 2: "the knowledge you need" contracted

    result = casekit(
        "build",
        str(course),
        "-f",
        "brf",
        "-o",
        str(out),
        "-q",
        "--braille-cells",
        "40",
        "--braille-lines",
        "25",
        "--braille-grade",
        "1",
    )
    assert result.returncode == 0, result.stderr
    pages = check_geometry(brf, 40, 25, "en")
    assert "KNOWLEDGE YOU NEED" in " ".join(line for page in pages for line in page)


def test_bad_braille_settings_name_the_field(make_course) -> None:
    course = make_course({"lessons/a.md": "# A\n\nText.\n"})
    toml = course / "course.toml"
    toml.write_text(toml.read_text("utf-8") + "\n[braille]\ncells = 7\n")
    result = casekit("check", str(course))
    assert result.returncode == 1
    assert re.search(r"course.toml:\d+:1: error: field 'braille.cells' must be", result.stderr)
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_same_sources_same_bytes(built: dict[str, Path], tmp_path: Path) -> None:
    course = ROOT / "courses" / "digital-literacy-kk"
    result = casekit("build", str(course), "-f", "brf", "-o", str(tmp_path), "-q", "--force")
    assert result.returncode == 0, result.stderr
    for suffix in ("learner.brf", "teacher.brf", "learner.txt", "teacher.txt"):
        name = f"{course.name}-{suffix}"
        again = tmp_path / course.name / "brf" / name
        assert again.read_bytes() == (built[course.name] / name).read_bytes()


def test_missing_tables_name_the_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    from casekit.diagnostics import CasekitError
    from casekit.render import liblouis

    monkeypatch.setitem(liblouis.TABLES, ("kk", 2), ("no-such-table.utb", "ru-brf.dis"))
    with pytest.raises(CasekitError) as raised:
        liblouis.translator("kk", 2)
    assert "liblouis-bin liblouis-data" in str(raised.value)
    assert "no-such-table.utb" in str(raised.value)


def test_deep_nesting_and_long_words_keep_the_geometry(make_course, tmp_path: Path) -> None:
    lesson = (
        "# Deep\n\n"
        + "".join("  " * i + "- level\n" for i in range(15))
        + "\n"
        + ">" * 30
        + " quoted "
        + "x" * 150
        + "\n"
    )
    course = make_course({"a.md": lesson})
    out = tmp_path / "out"
    result = casekit("build", str(course), "-f", "brf", "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    pages = check_geometry(out / "t" / "brf" / "t-learner.brf", 40, 25, "en")
    text = " ".join(line.strip() for page in pages for line in page)
    assert text.count("LEVEL") == 15 and text.count("X") >= 150


@pytest.mark.slow
@pytest.mark.parametrize("language", ["kk", "uk"])
def test_grade_2_without_a_contracted_table_is_a_warning_on_its_line(
    make_course, tmp_path: Path, language: str
) -> None:
    course = make_course({"lessons/a.md": "# Сабақ\n\nМәтін.\n"})
    toml = course / "course.toml"
    text = toml.read_text("utf-8").replace('language = "en"', f'language = "{language}"')
    toml.write_text(text + "\n[braille]\ncells = 32\ngrade = 2\n", "utf-8")
    line = toml.read_text("utf-8").splitlines().index("grade = 2") + 1
    checked = casekit("check", str(course))
    assert checked.returncode == 0, checked.stderr  # a warning, not an error
    expected = (
        f"course.toml:{line}:1: warning: field 'braille.grade': grade 2 (contracted) Braille "
        f"is asked for, but liblouis has no contracted table for '{language}' (only for en, "
        "ru): the Braille edition is uncontracted (grade 1) [braille-grade]"
    )
    assert f"{course}/{expected}" in checked.stderr.splitlines()
    out = tmp_path / "out"
    built = casekit("build", str(course), "-f", "pdf", "-o", str(out))
    assert f"{course}/{expected}" in built.stderr.splitlines()  # every build says it
    # the format table's own key is named where it is set
    toml.write_text(text + "\n[brf]\nbraille_grade = 2\n", "utf-8")
    line = toml.read_text("utf-8").splitlines().index("braille_grade = 2") + 1
    assert (
        f"course.toml:{line}:1: warning: field 'brf.braille_grade': grade 2"
        in casekit("check", str(course)).stderr
    )
    # asked on the command line: the flag is named, and only while it is given
    toml.write_text(text, "utf-8")
    flagged = casekit("build", str(course), "-f", "brf", "-o", str(out), "--braille-grade", "2")
    assert flagged.returncode == 0, flagged.stderr
    assert "command line:1:1: warning: --braille-grade: grade 2 (contracted)" in flagged.stderr
    again = casekit("build", str(course), "-f", "brf", "-o", str(out))
    assert "braille-grade" not in again.stderr
    grade_1 = casekit("build", str(course), "-f", "brf", "-o", str(out), "--braille-grade", "1")
    assert "braille-grade" not in grade_1.stderr
    english = text.replace(f'language = "{language}"', 'language = "en"')
    toml.write_text(english + "\n[braille]\ngrade = 2\n", "utf-8")
    assert "braille-grade" not in casekit("check", str(course)).stderr


KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
#: each of the nine letters in a word
KAZAKH_WORDS = "мәтін ағаш қала таң өзен ұл үй гауһар іні"
#: the sign liblouis' kk.utb reads from each Kazakh letter's six-dot cell
SIX_DOT_READINGS = {
    "ә": ")", "ғ": "∞", "қ": "#", "ң": "@", "ө": "(", "ұ": "§", "ү": "\\34/", "һ": "v", "і": "y",
}  # fmt: skip
LOUIS_DOTS = """
import json, sys, louis
text = sys.stdin.read()
dots = louis.translateString(["kk.utb"], text, mode=louis.dotsIO)
back = louis.backTranslateString(["kk.utb"], dots, mode=louis.dotsIO)
print(json.dumps({"dots": [ord(c) & 0x7FFF for c in dots], "back": back}))
"""


def official_dots(text: str) -> tuple[list[int], str]:
    """``text`` through kk.utb and back at the level of dots (dots 1-8 and liblouis'
    virtual dot 9), with Debian's liblouis binding, independent of casekit's."""
    done = subprocess.run(
        ["/usr/bin/python3", "-c", LOUIS_DOTS], input=text, capture_output=True, text=True
    )
    if done.returncode != 0 and "No module named 'louis'" in done.stderr:
        pytest.skip("python3-louis is not installed")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return found["dots"], found["back"]


def test_the_real_kazakh_table_reads_every_letter_back() -> None:
    """Back-translation with liblouis' own kk.utb, every letter of the alphabet.

    kk.utb tells the nine Kazakh letters from other signs by liblouis' virtual dot 9,
    and Cyrillic from Latin letters the same way; an embosser prints six dots. The 33
    letters Kazakh shares with Russian come back from the BRF itself. The nine do not:
    their six-dot cells are also signs (ә is dots 345 like a closing bracket, і is
    13456 like Latin y), and kk.utb reads the BRF cell as the sign in every context
    tried, inside words included. liblouis resolves them only where dot 9 survives,
    at the level of dots: there each of them comes back in its word, and casekit's
    cells are those dots without dot 9. (A reader of Kazakh Braille tells them apart by context; the
    read-back of the example course does so with tests/data/braille/kk-back.utb.)"""
    real = translator("kk")  # ru-brf.dis,kk.utb: what the BRF is made with
    shared = "".join(c for c in KAZAKH_ALPHABET if c not in KAZAKH_LETTERS)
    assert len(shared) == 33 and len(KAZAKH_ALPHABET) == 42
    sentence = f"{shared}, {shared[::-1]}."
    assert real.back_translate(ascii_braille(real.translate(sentence))) == sentence
    # no capital sign in Kazakh (and Russian) literary Braille: capitals read back small
    upper = ascii_braille(real.translate(sentence.upper()))
    assert upper == ascii_braille(real.translate(sentence))
    dots, back = official_dots(KAZAKH_WORDS)
    # every Kazakh letter comes back in its word (kk.utb reads the shared letters only
    # from the BRF's cells, above: at this level they come back as dot numbers)
    assert [c for c in back if c in KAZAKH_LETTERS] == [
        c for c in KAZAKH_WORDS if c in KAZAKH_LETTERS
    ]
    assert back.split(" ")[4].startswith("ө") and back.split(" ")[7].count("һ") == 1
    cells = "".join(ASCII_BRAILLE[d & 0x3F] for d in dots)
    assert ascii_braille(real.translate(KAZAKH_WORDS)) == cells
    assert all(d & 0x100 for d, ch in zip(dots, KAZAKH_WORDS, strict=True) if ch != " ")
    for letter, sign in SIX_DOT_READINGS.items():
        cell = ascii_braille(real.translate(letter))
        assert real.back_translate(cell) == sign, letter  # the collision, explained above
        word = next(w for w in KAZAKH_WORDS.split() if letter in w)
        assert letter not in real.back_translate(ascii_braille(real.translate(word)))
    assert "".join(sorted(SIX_DOT_READINGS)) == "".join(sorted(KAZAKH_LETTERS))


EMPHASIS_SOURCES = {
    "kk": "Оқу *мына сөзді* қазір. **Ағаш** ереже, *бір **екі** үш*. Жай сөйлем.",
    "ru": "Читайте *это слово* сейчас. **Важное** правило, *раз **два** три*. Простая фраза.",
    "en": "Read *this word* now. An **important** rule, *one **two** three*. Plain words.",
}
#: the body as liblouis reads it back: the tables' emphasis indicators around the
#: words (ru-litbrl: dots 456 "_" for emphasis, 12456 "∞" for bold; UEB: word
#: indicators 46-2 italic and 45-2 bold before each word). Kazakh strong emphasis
#: takes 456 too: 12456 is the cell of ғ. No space after a comma in ru-litbrl.
EMPHASIS_READ_BACK = {
    "kk": "оқу _мына сөзді_ қазір. _ағаш_ ереже,_бір екі_ _үш_. жай сөйлем.",
    "ru": "читайте _это слово_ сейчас. ∞важное∞ правило,_раз ∞два∞_ _три_. простая фраза.",
    "en": "Read \\46/,this \\46/,word now. An \\45/,important rule, \\46/,one \\45/,\\46/,two "
    "\\46/,three\\46/'. Plain words.",
}
INDICATORS = re.compile(r"\\4[56]/[,']|[_∞]")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_emphasis_is_written_with_the_tables_indicators(
    make_course, tmp_path: Path, language: str
) -> None:
    course = make_course({"lessons/a.md": f"# X\n\n{EMPHASIS_SOURCES[language]}\n"})
    toml = course / "course.toml"
    text = toml.read_text("utf-8").replace('language = "en"', f'language = "{language}"')
    toml.write_text(text, "utf-8")
    out = tmp_path / "out"
    built = casekit("build", str(course), "-f", "brf", "-o", str(out), "-q")
    assert built.returncode == 0, built.stderr
    pages = check_geometry(out / "t" / "brf" / "t-learner.brf", 40, 25, language)
    body = [line.strip() for line in pages[-1][:-1] if line.strip()][2:]  # after the titles
    back = back_translator(language).back_translate(" ".join(body))
    assert back.replace(", ", ",") == EMPHASIS_READ_BACK[language].replace(", ", ",")
    # the same words without the indicators: nothing else changed
    words = INDICATORS.sub("", back).replace(",", " ").lower().split()
    assert words == EMPHASIS_SOURCES[language].replace("*", "").replace(",", " ").lower().split()
