"""``casekit import``: real documents through the real CLI, checked by casekit itself."""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from PIL import Image

from casekit import tree as t
from casekit.build.course import load_course
from casekit.build.pipeline import build_course
from casekit.diagnostics import Diagnostics
from tests.conftest import COURSES, MINI, casekit, require_tool
from tests.import_helpers import FIGURE_ALT, FIGURE_CAPTION, methodologist_docx, png

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml


def check_passes(course: Path) -> None:
    done = casekit("check", "--strict", course)
    assert done.returncode == 0, done.stderr


def lesson_text(course: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted((course / "lessons").glob("*.md")))


def loaded(course: Path) -> t.Course:
    diags = Diagnostics()
    result = load_course(course, diags)
    assert result is not None and not diags.has_errors(), diags.items
    return result


# ---------------------------------------------------------------- round trip of casekit's DOCX


def _plain(value: object) -> str:
    return " ".join(t.plain_text(value).split())  # type: ignore[arg-type]


def lesson_facts(lesson: t.Lesson, root: Path) -> dict[str, object]:
    """What the round trip must keep of a lesson, as comparable values."""
    blocks = list(t.iter_blocks(lesson.blocks))
    media_text = {
        _plain(p.children)
        for b in blocks
        if isinstance(b, t.MediaBlock)
        for p in t.iter_blocks(b.caption)
        if isinstance(p, t.Paragraph)
    }
    figures = []
    for b in blocks:
        if isinstance(b, t.Figure):
            image = Path(root, b.media.path) if b.media else None
            # an SVG reaches the DOCX as a PNG drawn from it: the size is then the DOCX's
            size = Image.open(image).size if image and image.suffix != ".svg" else "vector"
            figures.append((b.alt, _plain(b.caption), size))
    return {
        "title": _plain(lesson.title),
        "outcomes": lesson.outcomes,
        "headings": [_plain(b.children) for b in blocks if isinstance(b, t.Heading)],
        "paragraphs": {_plain(b.children) for b in blocks if isinstance(b, t.Paragraph)}
        - media_text,
        "lists": [
            [_plain(t.block_inlines(item.blocks[0])[0]) for item in b.items]
            for b in blocks
            if isinstance(b, t.BulletList | t.OrderedList)
        ],
        "ordered_starts": [b.start for b in blocks if isinstance(b, t.OrderedList)],
        "tables": [
            (
                [_plain(c.children) for c in b.header],
                [[_plain(c.children) for c in row] for row in b.rows],
                _plain(b.caption),
            )
            for b in blocks
            if isinstance(b, t.Table)
        ],
        "footnotes": [
            " ".join(_plain(t.block_inlines(x)[0]) for x in n.blocks) for n in lesson.footnotes
        ],
        "figures": figures,
        "callouts": [(b.kind, _plain(b.title)) for b in blocks if isinstance(b, t.Callout)],
        "boxes": [
            type(b).__name__
            for b in blocks
            if isinstance(b, t.Objectives | t.KeyPoints | t.Solution)
        ],
        "tasks": [
            (type(b).__name__, _plain(b.title))
            for b in blocks
            if isinstance(b, t.Assignment | t.Exercise)
        ],
        "quizzes": [
            (
                _plain(b.title),
                [
                    (
                        [(_plain(o.children), o.correct) for o in q.options],
                        [_plain(t.block_inlines(a)[0]) for a in q.answer if t.block_inlines(a)],
                    )
                    for q in b.questions
                ],
            )
            for b in blocks
            if isinstance(b, t.Quiz)
        ],
        "glossary": [
            _plain(e.term) for b in blocks if isinstance(b, t.Glossary) for e in b.entries
        ],
    }


@pytest.mark.slow
@pytest.mark.parametrize("source", COURSES, ids=lambda p: p.name)
def test_casekit_docx_imports_back_to_the_same_lessons(source: Path, tmp_path: Path) -> None:
    result = build_course(source, ["docx"], ("teacher",), tmp_path / "build")
    assert not result.stopped
    (docx_file,) = result.outputs[0].paths
    done = casekit("import", docx_file, "--split", "-o", tmp_path / "back")
    assert done.returncode == 0, done.stderr
    back = tmp_path / "back"
    check_passes(back)
    original, imported = loaded(source), loaded(back)
    assert original.config.title == imported.config.title
    assert original.config.language == imported.config.language
    assert [m.title for m in original.modules] == [m.title for m in imported.modules]
    pairs = list(zip(original.lessons(), imported.lessons(), strict=True))
    for before, after in pairs:
        want, got = lesson_facts(before, source), lesson_facts(after, back)
        assert before.hours == after.hours
        missing = want.pop("paragraphs") - got.pop("paragraphs")  # type: ignore[operator]
        assert not missing, (before.id, missing)
        want["figures"] = [
            (alt, caption, got_size if size == "vector" else size)
            for (alt, caption, size), (_a, _c, got_size) in zip(
                want["figures"], got["figures"], strict=True
            )
        ]
        for key, value in want.items():
            assert got[key] == value, (before.id, key)
    # video and audio are not in a DOCX: the report says so, once per item
    media = [m for m in original.media if m.kind in ("video", "audio")]
    assert done.stderr.count("[import-media]") == len(media)


# ---------------------------------------------------------------- a methodologist's Word file


@pytest.fixture(scope="module")
def word_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("word")
    return methodologist_docx(folder / "Сабақ 1.docx", png(64, 48))


def to_odt(source: Path, folder: Path) -> Path:
    """``source`` converted by LibreOffice, headless."""
    soffice = require_tool("soffice")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "odt", "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / f"{source.stem}.odt"


def callouts_of(blocks: list[t.Block]) -> list[tuple[str, str]]:
    """(kind, text of the first paragraph) of each callout."""
    return [
        (b.kind, _plain(t.block_inlines(b.blocks[0])[0]))
        for b in blocks
        if isinstance(b, t.Callout)
    ]


def import_one(document: Path, course: Path) -> tuple[str, t.Lesson, list[t.Block]]:
    """Import ``document`` as the new ``course``, check it: (report, lesson, its blocks)."""
    done = casekit("import", document, "-o", course)
    assert done.returncode == 0, done.stderr
    check_passes(course)
    (lesson,) = loaded(course).lessons()
    return done.stderr, lesson, list(t.iter_blocks(lesson.blocks))


def test_word_styles_lists_tables_pictures_and_report(word_file: Path, tmp_path: Path) -> None:
    course = tmp_path / "c"
    report, lesson, blocks = import_one(word_file, course)
    text = lesson_text(course)
    assert _plain(lesson.title) == "Компьютермен танысу"
    assert "Бұл мәтін өз стилінде жазылған, бірақ жоғалмауы керек." in text  # own style kept
    assert callouts_of(blocks) == [
        ("note", "Компьютерді сөндірмей тұрып, барлық файлды сақтаңыз."),
        ("warning", "Ылғал қолмен розеткаға тимеңіз."),
        ("tip", "Жұмысты бітірген соң компьютерді дұрыс өшіріңіз."),
    ]
    (task,) = [b for b in blocks if isinstance(b, t.Assignment)]
    assert _plain(t.block_inlines(task.blocks[0])[0]) == "Компьютердің үш бөлігін атаңыз."
    starts = [(b.start, len(b.items)) for b in blocks if isinstance(b, t.OrderedList)]
    assert starts == [(1, 2), (3, 2)]  # the list goes on after the paragraph
    (table,) = [b for b in blocks if isinstance(b, t.Table)]
    assert [_plain(c.children) for c in table.header] == ["Құрылғы", "Міндеті", "Мысал"]
    assert [_plain(c.children) for c in table.rows[1]] == ["Біріктірілген ұяшық", "", "USB"]
    (figure,) = [b for b in blocks if isinstance(b, t.Figure)]
    assert (figure.alt, _plain(figure.caption)) == (FIGURE_ALT, FIGURE_CAPTION)
    assert Image.open(course / figure.media.path).size == (64, 48)
    # symbol fonts: the Wingdings tick becomes ✓, the smiley is reported with its paragraph
    assert "Дайын: ✓" in text and "ü" not in text and "\uf04a" not in text
    lines = report.splitlines()

    def line(code: str) -> str:
        (found,) = [x for x in lines if x.endswith(f"[{code}]")]
        return found

    assert re.match(
        r".*Сабақ 1\.docx:\d+:1: warning: paragraph \d+ «Дайын: ✓».*U\+F04A.*Wingdings",
        line("import-symbol-font"),
    )
    assert "KZ Times New Roman" in line("import-legacy-font") and "«Ќазаќстан»" in line(
        "import-legacy-font"
    )
    assert "by Ерлан was accepted" in line("import-tracked-change")
    assert "«Суреттің жанында:»" in line("import-text-box") and "Мәтін жолағындағы" in text
    assert "«Формула:»" in line("import-equation") and "`a + b`" in text
    assert "«Осыны тексеру керек»" in line("import-comment")
    assert "merged" in line("import-table")


@pytest.mark.slow
def test_libreoffice_odt_imports(word_file: Path, tmp_path: Path) -> None:
    course = tmp_path / "c"
    report, _lesson, blocks = import_one(to_odt(word_file, tmp_path), course)
    # the "Ескерту" style (read from the ODT's own styles), the box, the shaded paragraphs
    assert callouts_of(blocks) == [
        ("note", "Компьютерді сөндірмей тұрып, барлық файлды сақтаңыз."),
        ("warning", "Ылғал қолмен розеткаға тимеңіз."),
        ("tip", "Жұмысты бітірген соң компьютерді дұрыс өшіріңіз."),
    ]
    assert [type(b).__name__ for b in blocks if isinstance(b, t.Assignment)] == ["Assignment"]
    (table,) = [b for b in blocks if isinstance(b, t.Table)]
    assert [_plain(c.children) for c in table.header] == ["Құрылғы", "Міндеті", "Мысал"]
    (figure,) = [b for b in blocks if isinstance(b, t.Figure)]
    assert figure.alt == FIGURE_ALT and Image.open(course / figure.media.path).size == (64, 48)
    assert "Бұл мәтін өз стилінде жазылған" in lesson_text(course)
    # LibreOffice keeps the symbol and legacy fonts as span styles: replaced and reported
    assert "Дайын: ✓" in lesson_text(course) and "ü" not in lesson_text(course)
    assert re.search(r"odt:\d+:1: warning: paragraph \d+ «Дайын: ✓».*U\+F04A", report)
    assert "KZ Times New Roman" in report and "[import-legacy-font]" in report
    assert "«Осыны тексеру керек» is not imported [import-comment]" in report
    assert "«Суреттің жанында:»: text box «Мәтін жолағындағы кеңес»" in report
    assert "Мәтін жолағындағы кеңес" in lesson_text(course)


def styled_docx(path: Path) -> Path:
    """A Word document whose callouts and tasks are only styles: paragraph styles Note,
    Ескерту, Тапсырма, Задание (two paragraphs), Exercise; a paragraph all in the
    character style Маңызды; an unknown style; bold and italic words."""
    document = docx.Document()
    styles = document.styles
    for name in ("Note", "Ескерту", "Тапсырма", "Задание", "Exercise", "Менің стилім"):
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    styles.add_style("Маңызды", WD_STYLE_TYPE.CHARACTER).font.bold = True
    words = document.add_paragraph("Кіріспе: ")
    words.add_run("қалың сөз").bold = True
    words.add_run(" және ")
    words.add_run("көлбеу сөз").italic = True
    document.add_paragraph("Файлдарды сақтаңыз.", "Note")
    document.add_paragraph("Компьютерді сөндірмеңіз.", "Ескерту")
    document.add_paragraph("Тапсырма 2. Үш файл жасаңыз.", "Тапсырма")
    document.add_paragraph("Откройте папку.", "Задание")
    document.add_paragraph("Создайте файл.", "Задание")
    document.add_paragraph("Аралық абзац.")
    document.add_paragraph("Rename the file.", "Exercise")
    document.add_paragraph().add_run("Құпиясөзді ешкімге айтпаңыз.", "Маңызды")
    document.add_paragraph("Өз стиліндегі мәтін.", "Менің стилім")
    document.save(path)
    return path


def test_libreoffice_odt_styles_become_callouts_and_tasks(tmp_path: Path) -> None:
    """pandoc's ODT reader drops paragraph and character styles: the import reads them
    from the document's own XML, as it does for DOCX."""
    odt = to_odt(styled_docx(tmp_path / "Стильдер.docx"), tmp_path)
    _report, lesson, blocks = import_one(odt, tmp_path / "c")
    assert callouts_of(blocks) == [
        ("note", "Файлдарды сақтаңыз."),
        ("note", "Компьютерді сөндірмеңіз."),
        ("important", "Құпиясөзді ешкімге айтпаңыз."),
    ]
    tasks = [
        (type(b).__name__, [_plain(t.block_inlines(x)[0]) for x in b.blocks])
        for b in blocks
        if isinstance(b, t.Assignment | t.Exercise)
    ]
    assert tasks == [
        ("Assignment", ["Үш файл жасаңыз."]),  # its number is casekit's to give
        ("Assignment", ["Откройте папку.", "Создайте файл."]),
        ("Exercise", ["Rename the file."]),
    ]
    text = lesson_text(tmp_path / "c")
    assert "Өз стиліндегі мәтін." in text and "Аралық абзац." in text
    assert "Кіріспе: **қалың сөз** және *көлбеу сөз*" in text
    assert "\ue000" not in text and "\ue002" not in text
    assert _plain(lesson.title) == "Стильдер"


def test_libreoffice_odt_paragraph_emphasis(tmp_path: Path) -> None:
    """Writer keeps a whole paragraph's bold or italic on the paragraph's automatic style,
    which pandoc ignores. LibreOffice writes it so from this HTML (from a DOCX it writes
    spans, which pandoc reads: the test above)."""
    page = tmp_path / "Абзацтар.html"
    page.write_text(
        '<html><head><meta charset="utf-8"></head><body>'
        '<p style="font-weight:bold">Абзац толығымен қалың.</p>'
        '<p style="font-style:italic">Абзац толығымен көлбеу.</p>'
        '<p style="font-weight:bold;font-style:italic">Екеуі бірге.</p>'
        "<p>Қалыпты абзац.</p></body></html>",
        "utf-8",
    )
    odt = to_odt(page, tmp_path)
    with zipfile.ZipFile(odt) as package:
        content = package.read("content.xml").decode("utf-8")
    assert re.search(
        r'style:family="paragraph"[^>]*>(<[^>]*>)*<style:text-properties fo:font-weight="bold"',
        content,
    )
    import_one(odt, tmp_path / "c")
    text = lesson_text(tmp_path / "c")
    assert "**Абзац толығымен қалың.**" in text
    assert "*Абзац толығымен көлбеу.*" in text
    assert "***Екеуі бірге.***" in text
    assert "\nҚалыпты абзац.\n" in text


def test_html_and_markdown_import_with_their_pictures(tmp_path: Path) -> None:
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(png(10, 10))
    (tmp_path / "page.html").write_text(
        "<html><head><title>Қауіпсіздік</title></head><body><h1>Бөлім</h1>"
        "<p>Мәтін <b>қалың</b> және <a href='https://example.org'>сілтеме</a>.</p>"
        "<figure><img src='pics/a.png' alt='Белгі'><figcaption>Сурет атауы</figcaption></figure>"
        "<img src='../outside.png' alt='Сырттағы'><img src='http://example.org/x.png' alt='Желі'>"
        "<script>alert(1)</script><ol start='4'><li>төрт</li><li>бес</li></ol></body></html>",
        "utf-8",
    )
    (tmp_path / "notes.md").write_text("# Жазба\n\nСөз[^1].\n\n[^1]: Түсініктеме.\n", "utf-8")
    done = casekit("import", tmp_path / "page.html", tmp_path / "notes.md", "-o", tmp_path / "c")
    assert done.returncode == 0, done.stderr
    course = tmp_path / "c"
    check_passes_with_warnings = casekit("check", course)
    assert check_passes_with_warnings.returncode == 0
    text = lesson_text(course)
    assert "**қалың**" in text and "[сілтеме](https://example.org)" in text
    assert "4. төрт\n5. бес" in text and "alert" not in text
    assert "Сөз[^1]" in text and "[^1]: Түсініктеме." in text
    (figure,) = [
        b for b in t.iter_blocks(loaded(course).lessons()[0].blocks) if isinstance(b, t.Figure)
    ]
    assert figure.alt == "Белгі"
    assert "outside.png is outside the document's folder" in done.stderr
    assert "http://example.org/x.png is not in the document" in done.stderr


def test_into_adds_modules_and_keeps_the_users_toml(word_file: Path, tmp_path: Path) -> None:
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    toml = (course / "course.toml").read_text("utf-8")
    marked = "# the organisers' own comment\n" + toml
    (course / "course.toml").write_text(marked, "utf-8")
    done = casekit("import", word_file, "--into", course)
    assert done.returncode == 0, done.stderr
    after = (course / "course.toml").read_text("utf-8")
    # every line of the user's file is kept, in order: the import only inserts lines
    # (the new [[modules]] go after the last module, before any table that follows)
    edits = difflib.SequenceMatcher(None, marked.splitlines(), after.splitlines()).get_opcodes()
    assert {op for op, *_ in edits} <= {"equal", "insert"}, edits
    loaded_course = loaded(course)
    assert loaded_course.modules[-1].title == "Компьютермен танысу"
    check = casekit("check", course)
    assert check.returncode == 0, check.stderr
    # --module N puts the lessons into an existing module
    done = casekit("import", word_file, "--into", course, "--module", "1")
    assert done.returncode == 0, done.stderr
    assert len(loaded(course).modules[0].lessons) == len(loaded_course.modules[0].lessons) + 1


# ---------------------------------------------------------------- bad input


def _bad(path: Path, tmp_path: Path, code: str) -> str:
    done = casekit("import", path, "-o", tmp_path / "out")
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(str(path)) and lines[0].endswith(f"[{code}]"), lines[0]
    assert not (tmp_path / "out").exists()
    return lines[0]


def test_corrupt_docx(tmp_path: Path, word_file: Path) -> None:
    data = word_file.read_bytes()
    truncated = tmp_path / "cut.docx"
    truncated.write_bytes(data[: len(data) // 2])
    _bad(truncated, tmp_path, "import-damaged")
    garbage = tmp_path / "garbage.docx"
    garbage.write_bytes(b"not a document at all" * 100)
    _bad(garbage, tmp_path, "import-damaged")
    flipped = bytearray(data)
    with zipfile.ZipFile(word_file) as package:
        info = package.getinfo("word/document.xml")
    flipped[info.header_offset + 30 + len(info.filename) + 20] ^= 0xFF  # in the deflated data
    broken = tmp_path / "flipped.docx"
    broken.write_bytes(bytes(flipped))
    _bad(broken, tmp_path, "import-damaged")


@pytest.mark.slow
def test_zip_bomb_renamed_docx(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("word/document.xml", "<w:document/>")
        with package.open("word/media/zeros.bin", "w", force_zip64=True) as part:
            block = bytes(16 * 2**20)
            for _ in range(40):  # 640 MiB unpacked, about 1 MiB packed
                part.write(block)
    assert bomb.stat().st_size < 2 * 2**20
    assert "zip bomb" in _bad(bomb, tmp_path, "import-zip-bomb")


def test_password_protected_docx(tmp_path: Path, word_file: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto.format.ooxml")
    locked = tmp_path / "locked.docx"
    with word_file.open("rb") as plain, locked.open("wb") as out:
        msoffcrypto.OOXMLFile(plain).encrypt("parol", out)
    assert "password-protected" in _bad(locked, tmp_path, "import-encrypted")


@pytest.mark.parametrize("suffix", [".docx", ".docm"])
def test_docx_with_macros_imports_text_only(tmp_path: Path, word_file: Path, suffix: str) -> None:
    macro = b'Attribute VB_Name = "AutoOpen"\nSub AutoOpen()\nShell "calc"\nEnd Sub\n'
    docm = tmp_path / f"macros{suffix}"
    shutil.copy(word_file, docm)
    with zipfile.ZipFile(docm, "a") as package:
        package.writestr("word/vbaProject.bin", macro)
    done = casekit("import", docm, "-o", tmp_path / "c")
    assert done.returncode == 0, done.stderr
    (line,) = [x for x in done.stderr.splitlines() if x.endswith("[import-macros]")]
    assert "vbaProject.bin" in line and "neither run nor copied" in line
    assert "Компьютер бірнеше бөліктен тұрады" in lesson_text(tmp_path / "c")
    digest = hashlib.sha256(macro).hexdigest()
    for path in (tmp_path / "c").rglob("*"):
        if path.is_file():
            assert b"AutoOpen" not in path.read_bytes()
            assert hashlib.sha256(path.read_bytes()).hexdigest() != digest


def test_enormous_picture(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # 81 megapixels, a few kB
    huge = methodologist_docx(tmp_path / "huge.docx", buffer.getvalue())
    line = _bad(huge, tmp_path, "import-image")
    assert "9000x9000 pixels" in line


def test_unknown_type_and_nonempty_target(tmp_path: Path, word_file: Path) -> None:
    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF-1.4")
    _bad(other, tmp_path, "import-type")
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine", "utf-8")
    done = casekit("import", word_file, "-o", target)
    assert done.returncode == 1 and "[new-not-empty]" in done.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_split_makes_a_lesson_per_top_level_heading(word_file: Path, tmp_path: Path) -> None:
    course = tmp_path / "c"
    done = casekit("import", word_file, "--split", "-o", course)
    assert done.returncode == 0, done.stderr
    check_passes(course)
    (module,) = loaded(course).modules
    assert module.title == "Компьютермен танысу"  # the document's title
    assert [_plain(lesson.title) for lesson in module.lessons] == [
        "Компьютер құрылғылары",
        "Қорытынды",
    ]
    assert [p.name for p in sorted((course / "lessons").iterdir())] == [
        "01-kompyuter-qurylgylary.md",
        "02-qorytyndy.md",
    ]


def test_same_documents_give_the_same_course(word_file: Path, tmp_path: Path) -> None:
    courses = []
    for name in ("one", "two"):
        done = subprocess.run(
            [sys.executable, "-m", "casekit", "import", str(word_file), "-o", name],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "SOURCE_DATE_EPOCH": "1790000000"},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        courses.append(tmp_path / name)

    def files(root: Path) -> dict[str, bytes]:
        found = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        found["course.toml"] = re.sub(rb'^id = ".*"\n', b"", found["course.toml"])
        return found

    first, second = map(files, courses)
    assert first == second and "date = 2026-09-21" in first["course.toml"].decode()
