"""Narrated lessons: EPUB 3 Media Overlays checked by EPUBCheck and DAISY Ace, clip
times measured against the audio itself, the same bytes from the same text."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from casekit.files.cache import BuildCache
from casekit.messages import messages
from casekit.render import narration
from casekit.render.sentences import Sentence, mark_sentences
from tests.conftest import MINI, casekit, require_tool
from tests.validators import ace_violations, epubcheck

SMIL = "{http://www.w3.org/ns/SMIL}"
SAMPLE_RATE = 22050


def build_narrated(course: Path, out: Path, *extra: str) -> Path:
    result = casekit(
        "build", str(course), "-f", "epub", "-e", "learner", "--embed-media", "--narrate",
        "-o", str(out), "-q", *extra,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return next((out / "mini-kk" / "epub").glob("*.epub"))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("ffmpeg")
    root = tmp_path_factory.mktemp("narrated")
    course = root / "mini"
    shutil.copytree(MINI, course)
    return build_narrated(course, root / "out")


def clock(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def pcm(data: bytes) -> list[int]:
    """The Ogg Opus ``data`` decoded by ffmpeg to 16-bit mono samples at 22.05 kHz."""
    run = subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1",
         "-ar", str(SAMPLE_RATE), "pipe:1"],
        input=data, capture_output=True, check=True,
    )  # fmt: skip
    raw = run.stdout
    return [int.from_bytes(raw[i : i + 2], "little", signed=True) for i in range(0, len(raw), 2)]


def ffprobe_duration(data: bytes, tmp: Path) -> float:
    path = tmp / "probe.ogg"
    path.write_bytes(data)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,channels:format=duration",
         "-of", "default=nw=1", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "codec_name=opus" in out and "channels=1" in out
    return float(re.search(r"duration=([\d.]+)", out)[1])


@pytest.mark.slow
def test_epubcheck_and_ace_pass_the_narrated_book(book: Path, tmp_path: Path) -> None:
    assert epubcheck([book]) == {book: []}
    assert ace_violations(book, tmp_path / "ace") == []


@pytest.mark.slow
def test_every_sentence_has_its_clip_and_clips_match_the_audio(book: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(book) as epub:
        names = epub.namelist()
        opf = epub.read("EPUB/content.opf").decode()
        overlays = sorted(n for n in names if n.endswith(".smil"))
        assert len(overlays) == 3  # one per lesson
        total = 0.0
        for name in overlays:
            root = etree.fromstring(epub.read(name))
            pars = root.iter(f"{SMIL}par")
            clips = []
            for par in pars:
                text, audio = par.find(f"{SMIL}text"), par.find(f"{SMIL}audio")
                chapter, _, anchor = text.get("src").partition("#")
                clips.append(
                    (chapter, anchor, audio.get("src"), clock(audio.get("clipBegin")),
                     clock(audio.get("clipEnd")))
                )  # fmt: skip
            chapter = clips[0][0].removeprefix("../")
            page = epub.read(f"EPUB/{chapter}").decode()
            spans = re.findall(r'<span class="sentence" id="([^"]+)"', page)
            pres = re.findall(r'<pre id="([^"]+)"', page)
            assert [c[1] for c in clips] == [
                i for i in re.findall(r'id="(sentence-\d+)"', page) if i in spans + pres
            ]
            audio_name = "EPUB/" + clips[0][2].removeprefix("../")
            data = epub.read(audio_name)
            duration = ffprobe_duration(data, tmp_path)
            # contiguous clips from 0 to the measured length of the file
            assert clips[0][3] == 0
            assert all(a[4] == b[3] for a, b in zip(clips, clips[1:], strict=False))
            assert abs(clips[-1][4] - duration) < 0.03, (name, clips[-1][4], duration)
            # measured in the decoded audio: speech inside every clip, the pause at its end
            samples = pcm(data)
            for _c, anchor, _a, begin, end in clips:
                pause = samples[int((end - 0.3) * SAMPLE_RATE) : int((end - 0.05) * SAMPLE_RATE)]
                speech = samples[int(begin * SAMPLE_RATE) : int((end - 0.35) * SAMPLE_RATE)]
                assert max(map(abs, pause)) < 1200, (name, anchor)
                assert max(map(abs, speech)) > 3000, (name, anchor)
            assert f'refines="#smil-{Path(chapter).stem}"' in opf
            total += clips[-1][4]
        stated = clock(re.search(r'<meta property="media:duration">([^<]+)<', opf)[1])
        assert abs(stated - total) < 0.01
        assert "-epub-media-overlay-active" in opf


@pytest.mark.slow
def test_same_text_same_bytes_without_the_cache(book: Path, tmp_path: Path) -> None:
    course = tmp_path / "mini"
    shutil.copytree(MINI, course)
    again = build_narrated(course, tmp_path / "out")  # a new build folder: no cache
    assert again.read_bytes() == book.read_bytes()


def test_short_codes_abbreviations_and_code_are_read_sensibly() -> None:
    kk, en = messages("kk"), messages("en")
    said = narration.speech_text(Sentence("s1", "V2.3 бейнесін қараңыз, т.б."), kk, "kk")
    assert said == "Бейне 2 нүкте 3 бейнесін қараңыз, тағы басқа"
    assert narration.speech_text(Sentence("s2", "print(1)", code_lines=4), en, "en") == (
        "Code example, 4 lines."
    )
    assert narration.speech_text(Sentence("s3", "Play A1.1, e.g. now."), en, "en") == (
        "Play Audio 1 point 1, for example now."
    )


def test_sentences_are_marked_in_the_page_without_losing_markup() -> None:
    body, sentences = mark_sentences(
        "<p>Бірінші сөйлем. <strong>Екінші</strong> сөйлем! Үшінші?</p>"
        '<ul><li>Тізім <a href="#x">сілтеме</a>.</li></ul><pre><code>a\nb\n</code></pre>',
        "s-",
    )
    assert [s.text for s in sentences] == [
        "Бірінші сөйлем.", "Екінші сөйлем!", "Үшінші?", "Тізім сілтеме.", "a b",
    ]  # fmt: skip
    assert sentences[-1].code_lines == 2
    assert '<span class="sentence" id="s-2"><strong>Екінші</strong> сөйлем!</span>' in body
    assert '<a href="#x">сілтеме</a>' in body


@pytest.mark.parametrize("language", sorted(narration.VOICES))
def test_every_course_language_is_spoken(language: str) -> None:
    spoken = narration.narrate([Sentence("s-1", "Hello, 2024.")], language, messages(language))
    assert spoken.audio.startswith(b"OggS") and spoken.duration > 0.5


def test_unchanged_lesson_is_not_spoken_again(tmp_path: Path, monkeypatch) -> None:
    cache = BuildCache(tmp_path)
    sentences = [Sentence("s-1", "Сәлем."), Sentence("s-2", "Қазақ тілі.")]
    first = narration.narrate(sentences, "kk", messages("kk"), cache)

    def refuse(*_args: object) -> bytes:
        raise AssertionError("spoken again")

    monkeypatch.setattr(narration._Espeak, "speak", refuse)
    second = narration.narrate(sentences, "kk", messages("kk"), cache)
    assert second == first
    with pytest.raises(AssertionError, match="spoken again"):
        narration.narrate([Sentence("s-1", "Басқа сөйлем.")], "kk", messages("kk"), cache)


@pytest.fixture(scope="module")
def narrated_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("ffmpeg")
    root = tmp_path_factory.mktemp("narrated-usb")
    course = root / "mini"
    shutil.copytree(MINI, course)
    toml = course / "course.toml"  # [narration] in course.toml instead of --narrate
    toml.write_text(toml.read_text("utf-8") + "\n[narration]\nenabled = true\n", "utf-8")
    result = casekit("build", str(course), "-f", "usb", "-o", str(root / "out"), "-q")
    assert result.returncode == 0, result.stderr
    return next((root / "out" / "mini-kk" / "usb").glob("mini-kk-*"))


@pytest.mark.slow
def test_viewer_listen_control_plays_and_the_highlight_moves(
    browser, narrated_bundle: Path
) -> None:
    manifest = (narrated_bundle / "manifest.json").read_text("utf-8")
    for lesson in ("01-computer", "02-files", "03-safety"):
        assert f"data/narration/{lesson}.ogg" in manifest  # carried and verifiable
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto((narrated_bundle / "index.html").as_uri() + "#01-computer")
    button = page.locator("#page-01-computer .listen-button")
    assert button.inner_text() == messages("kk")("listen")
    button.click()
    page.wait_for_selector("#page-01-computer .narrating", timeout=20000)
    first = page.eval_on_selector(".narrating", "e => e.id")
    page.wait_for_function(
        "id => { const e = document.querySelector('.narrating'); return e && e.id !== id; }",
        arg=first,
        timeout=30000,
    )
    second = page.eval_on_selector(".narrating", "e => e.id")
    assert first.startswith("01-computer-sentence-") and second != first
    assert page.eval_on_selector_all(".narrating", "els => els.length") == 1
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == messages("kk")("pause")
    button.click()  # pause
    page.wait_for_function("() => document.querySelector('.listen-button').ariaPressed === 'false'")
    assert problems == []
    page.close()


def test_missing_ffmpeg_is_one_line_naming_the_package(make_course, tmp_path: Path) -> None:
    course = make_course({"a.md": "---\ntitle: A\n---\n\nOne sentence. Another one.\n"})
    bin_dir = tmp_path / "bin"  # an empty PATH: no ffmpeg (python is named by its path,
    bin_dir.mkdir()  # not a symlink to it, which would lose a virtualenv)
    result = subprocess.run(
        [sys.executable, "-m", "casekit", "build", str(course), "-f", "epub",
         "--embed-media", "--narrate", "-o", str(tmp_path / "out"), "-q"],
        capture_output=True, text=True, env={"PATH": str(bin_dir)}, timeout=300,
    )  # fmt: skip
    assert result.returncode == 1
    assert "install the Debian package ffmpeg" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


#: (language, written, the words a speaker of the language says for it)
NUMBERS = [
    ("kk", "1.2 Файлдар мен қалталар", "бір нүкте екі Файлдар мен қалталар"),
    ("kk", "Ұзындығы 2,5 метр", "Ұзындығы екі бүтін бес метр"),
    ("kk", "Нұсқа 1.2.3 дайын", "Нұсқа бір нүкте екі нүкте үш дайын"),
    ("ru", "Раздел 1.2 о файлах", "Раздел один точка два о файлах"),
    ("ru", "Длина 2,5 метра", "Длина две целых пять десятых метра"),
    ("ru", "Доля 0,05", "Доля ноль целых пять сотых"),
    ("uk", "Розділ 1.2 про файли", "Розділ один крапка два про файли"),
    ("uk", "Довжина 2,5 метра", "Довжина два кома п’ять метра"),
    ("en", "Section 1.2 on files", "Section one point two on files"),
    ("en", "It is 2.5 metres", "It is two point five metres"),
]


def phonemes(text: str, language: str) -> str:
    """What espeak-ng says for ``text``, as its phoneme mnemonics (``-x``)."""
    done = subprocess.run(
        ["espeak-ng", "-v", narration.VOICES[language], "-q", "-x", text],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return " ".join(done.stdout.split())


@pytest.mark.parametrize(("language", "written", "spoken"), NUMBERS)
def test_numbers_are_read_as_the_language_reads_them(
    language: str, written: str, spoken: str
) -> None:
    """The text fed to espeak-ng, and the phonemes espeak-ng makes of it, are those of
    the words a speaker says. Kazakh and Ukrainian espeak-ng alone read 1.2 as "one
    and two" and "one two"; decimals with a comma as two numbers."""
    said = narration.speech_text(Sentence("s", written), messages(language), language)
    if language == "en":  # espeak-ng's own reading is right: "point" only less stressed
        assert said == written
        unstressed = str.maketrans("", "", "',")
        assert phonemes(said, "en").translate(unstressed) == phonemes(spoken, "en").translate(
            unstressed
        )
        return
    assert said == spoken.replace("’", "'")  # num2words writes the ASCII apostrophe
    assert phonemes(said, language) == phonemes(spoken, language)
    assert phonemes(written, language) != phonemes(spoken, language)  # espeak-ng alone


def test_lists_and_plain_numbers_stay_as_written() -> None:
    kk = messages("kk")
    for text in ("1, 2, 3", "1,2,3", "2026 жыл", "10 000", "1.2.3.4.5 нұсқа"):
        said = narration.speech_text(Sentence("s", text), kk, "kk")
        assert ("бүтін" in said) is False, text
    assert narration.speech_text(Sentence("s", "9" * 40 + ",5"), kk, "kk").endswith(",5")
