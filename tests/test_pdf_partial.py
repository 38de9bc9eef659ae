"""An edited module laid out again only where its pages move (``formats/pdf/partial.py``):
the pages before the edit and those after it that come back to the same page tops are
taken from the last layout, and the packet stays byte for byte a clean build's."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from casekit.files import typed_json
from casekit.files.cache import CACHE_DIR, BuildCache
from casekit.formats.pdf.document import PieceLayout
from tests.conftest import build

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate_course import generate  # noqa: E402

LESSONS = ("001.md", "002.md")  # one module of about 55 pages
ASSIGNMENT = """
::: {.assignment #task-plan}
## Жоспар құру

Өз жоспарыңызды жазыңыз: үш қадам, әр қадамға бір сөйлем.
:::
"""


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


def inserted(at: Callable[[int], int], new: str) -> Callable[[str], str]:
    """An edit that inserts paragraph ``new`` at ``at(number of paragraphs)``."""

    def edit(text: str) -> str:
        parts = paragraphs(text)
        parts.insert(at(len(parts)), new)
        return "\n\n".join(parts)

    return edit


def before_assignment(text: str) -> str:
    return text.replace(ASSIGNMENT, "\nАлдында бір сөйлем қосылды.\n" + ASSIGNMENT, 1)


LONG = "\n\n".join(["Ұзын өзгеріс абзацы, бірнеше рет қайталанады. " * 14] * 10)

EDITS: dict[str, tuple[str, Callable[[str], str]]] = {
    "start of a lesson": ("001.md", inserted(lambda n: 3, "Басында өзгеріс.")),
    "middle of a lesson": ("002.md", inserted(lambda n: n // 3, "Ортасында өзгеріс.")),
    "end of a lesson": ("001.md", lambda text: text + "\nӨзгеріс.\n"),
    "pages added": ("002.md", inserted(lambda n: n // 3, LONG)),
    "before an answer sheet": ("002.md", before_assignment),
    "before the quiz sheet": ("002.md", lambda text: text + "\nӨзгеріс.\n"),
}


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """The course (an answer sheet in the middle of its module), its PDF built once
    with the cache, and the pages that build laid out."""
    root = tmp_path_factory.mktemp("partial")
    course = generate(root / "course", lessons=len(LESSONS))
    second = course / "lessons" / LESSONS[1]
    parts = paragraphs(second.read_text("utf-8"))
    parts.insert(len(parts) // 2, ASSIGNMENT.strip())
    second.write_text("\n\n".join(parts), "utf-8")
    out = root / "out"
    first = build(course, ["pdf"], out, editions=("learner",))
    return course, out, first.cache.stats.pdf_pages_laid


def assert_same_as_clean_build(course: Path, out: Path, tmp_path: Path) -> None:
    """The PDF of the rebuild is byte for byte a clean build's of the same course."""
    clean = build(course, ["pdf"], tmp_path / "clean", editions=("learner",), force=True)
    assert clean.cache.stats.pdf_pages_laid > 0
    (ours,) = out.rglob("*.pdf")
    (theirs,) = (tmp_path / "clean").rglob("*.pdf")
    assert ours.name == theirs.name
    assert ours.read_bytes() == theirs.read_bytes()


def pdf_pages(out: Path) -> int:
    (pdf,) = out.rglob("*.pdf")
    return len(PdfReader(pdf).pages)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(EDITS))
def test_an_edit_in_a_module_gives_a_clean_builds_bytes(
    laid_out: tuple[Path, Path, int], tmp_path: Path, case: str
) -> None:
    course, built, whole = laid_out
    course = Path(shutil.copytree(course, tmp_path / "course"))
    out = Path(shutil.copytree(built, tmp_path / "out"))
    before = pdf_pages(out)
    name, edit = EDITS[case]
    lesson = course / "lessons" / name
    text = lesson.read_text("utf-8")
    assert edit(text) != text
    lesson.write_text(edit(text), "utf-8")
    again = build(course, ["pdf"], out, editions=("learner",))
    laid = again.cache.stats.pdf_pages_laid
    assert 0 < laid < whole
    if case == "middle of a lesson":  # the pages before it and most after it kept
        assert laid < whole / 2
    if case == "pages added":
        assert pdf_pages(out) > before
    assert_same_as_clean_build(course, out, tmp_path)


@pytest.mark.slow
def test_a_damaged_last_layout_is_not_trusted(
    laid_out: tuple[Path, Path, int], tmp_path: Path
) -> None:
    """The module's last layout is a cache entry: one whose page tops point outside its
    story or pages, or that names no page's drawing, is laid out whole."""
    course, built, whole = laid_out
    course = Path(shutil.copytree(course, tmp_path / "course"))
    out = Path(shutil.copytree(built, tmp_path / "out"))
    pointers = list(out.rglob(f"{CACHE_DIR}/pdf-piece-last/*/*"))
    cache = BuildCache(pointers[0].parents[3])
    damaged = 0
    for pointer in pointers:
        key = cache.load("pdf-piece-last", pointer.name, str)
        entry = cache.load("pdf-piece", key, bytes)
        head, _, data = entry.partition(b"\n")
        layout = typed_json.decode(head, PieceLayout)
        layout.tops = [
            replace(top, offset=10**6, segment=top.segment + 10**6) for top in layout.tops
        ]
        layout.drawn = []
        cache.store("pdf-piece", key, typed_json.encode(layout) + b"\n" + data)
        damaged += 1
    assert damaged
    name, edit = EDITS["middle of a lesson"]
    lesson = course / "lessons" / name
    lesson.write_text(edit(lesson.read_text("utf-8")), "utf-8")
    again = build(course, ["pdf"], out, editions=("learner",))
    assert again.cache.stats.pdf_pages_laid >= whole / 2  # the module laid out whole
    assert_same_as_clean_build(course, out, tmp_path)
