"""What grows with the course waits in files, not in memory (issue 18): the Braille
body's pages until the contents' page numbers are known, each lesson's narration from
the moment it is spoken, the viewer's search data as it is written."""

from __future__ import annotations

import json
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from casekit.build.course import load_course
from casekit.bundle import viewer
from casekit.config.settings import BrailleOptions
from casekit.diagnostics import Diagnostics
from casekit.formats.brf.render import Pages, braille_pages
from casekit.messages import messages
from casekit.render import narration
from casekit.render.liblouis import translator
from casekit.render.sentences import Sentence
from casekit.resolve.editions import apply_edition
from tests.conftest import COURSES, MINIMAL_TOML

OPTIONS = BrailleOptions(cells=40, lines=25, grade=1)
NUMBER = translator("kk", 1)  # the page numbers' (grade 1, as ``OPTIONS``)


def test_full_braille_pages_wait_in_the_spill_file_and_read_back_alike() -> None:
    with tempfile.TemporaryFile("w+", encoding="ascii", newline="") as spill:
        spilled, kept = Pages(OPTIONS, NUMBER, spill=spill), Pages(OPTIONS, NUMBER)
        for pages in (spilled, kept):
            for n in range(400):
                pages.add([f"  ,L9E #{n}", "A" * 40], need=2, blank_before=n % 7 == 0)
                if n % 60 == 59:
                    pages.new_page()
        assert kept.count == len(kept.pages) > 30
        assert spilled.count == kept.count and len(spilled.pages) == 1  # the page filled
        expected = list(kept.render(3))
        assert list(spilled.render(3)) == expected
        assert list(spilled.render(3)) == expected  # read again: the .txt after the .brf


def test_a_courses_braille_body_is_spilled_and_numbered_as_before(tmp_path: Path) -> None:
    course = load_course(COURSES[0], Diagnostics())
    assert course is not None
    learner = apply_edition(course, "learner")
    paged = braille_pages(learner, OPTIONS, tmp_path)
    assert paged.body.spilled > 10 and len(paged.body.pages) == 1
    pages = list(paged)
    assert len(pages) == len(paged) == paged.front.count + paged.body.count
    numbers = [page[-1].strip() for page in pages]
    assert numbers == [NUMBER.translate(str(n)) for n in range(1, len(pages) + 1)]
    assert pages == list(paged)  # the spill is read again for the second file


@pytest.mark.slow
def test_a_lesson_is_encoded_as_it_is_spoken() -> None:
    """Its raw audio (here over 8 MB) is never whole in memory: ffmpeg is fed sentence
    by sentence."""
    text = "Компьютер файлдарды қалталарда сақтайды, ал қалталар дискіде тұрады."
    sentences = [Sentence(f"s-{n}", text) for n in range(40)]
    tracemalloc.start()
    try:
        spoken = narration.narrate(sentences, "kk", messages("kk"))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    raw = spoken.duration * narration.SAMPLE_RATE * 2
    assert raw > 8_000_000
    assert peak < raw / 4, (peak, raw)
    assert spoken.audio.startswith(b"OggS") and b"OpusHead" in spoken.audio[:64]
    assert [clip.id for clip in spoken.clips] == [s.id for s in sentences]


def test_the_viewers_narration_is_written_to_the_bundle_as_each_lesson_is_spoken(
    make_course, tmp_path: Path
) -> None:
    lessons = {f"{n}.md": f"# Сабақ {n}\n\nБірінші сөйлем. Екінші сөйлем.\n" for n in (1, 2)}
    toml = MINIMAL_TOML.format(lessons='"1.md", "2.md"').replace('"en"', '"kk"')
    course = load_course(make_course(lessons, toml), Diagnostics())
    assert course is not None
    folder = tmp_path / "bundle"
    files = viewer.viewer_files(course, [], narrate_lessons=True, folder=folder)
    audio = {name: data for name, data in files.items() if name.startswith(viewer.NARRATION)}
    assert sorted(audio) == [f"{viewer.NARRATION}/{n}.ogg" for n in (1, 2)]
    for name, data in audio.items():
        assert data == folder / name  # in the bundle already, not bytes
        assert data.read_bytes().startswith(b"OggS")


def test_the_search_data_is_encoded_a_lesson_at_a_time_as_it_would_be_whole() -> None:
    tricky = ['"search":[]', 'қ\\"', "</script>", ""]
    data = {"codes": {"search": tricky[0], "V1.2": tricky[1]}, "labels": {"x": tricky[2]}}
    entries = [{"anchor": text, "text": text} for text in tricky]
    whole = "".join(viewer._script_parts("X", {**data, "search": entries}))
    streamed = "".join(viewer._script_parts("X", data, {"search": iter(entries)}))
    assert streamed == whole
    empty = "".join(viewer._script_parts("X", data, {"search": iter([])}))
    assert empty == "".join(viewer._script_parts("X", {**data, "search": []}))
    assert json.loads(streamed.removeprefix("window.X = ").removesuffix(";\n"))["search"] == (
        entries
    )
