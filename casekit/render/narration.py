"""Spoken lessons: each sentence synthesised with espeak-ng, one Ogg Opus file per lesson.

Sentences come from ``render/sentences.py`` (the ids of the page). Each is made
readable first (``speech_text``: short codes such as ``V2.3`` become "Video 2 point
3", decimals and section numbers are read as the language reads them, the
language's abbreviations are written out, a code block is announced with its
number of lines), then spoken by espeak-ng as 16-bit mono PCM. The lesson's
audio is the sentences one after another with a short pause after each, so each
sentence's clip is known exactly from its sample count: no alignment is needed.
ffmpeg encodes it to Ogg Opus (mono, 24 kbit/s), fed a sentence at a time as it is
spoken, with bit-exact flags, which also fix the Ogg stream serial number: the same
text always gives the same bytes.

A lesson's audio and clips are kept in the build cache under the hash of its
sentences, the voice and the tool versions: an unchanged lesson is not spoken again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import IO

from casekit.diagnostics import CasekitError, error
from casekit.files.cache import BuildCache, digest
from casekit.messages import Messages
from casekit.render.sentences import Sentence

#: espeak-ng voice per course language, by the voice file's name (what the library's
#: ``espeak_SetVoiceByName`` finds: British English is the file ``en``, named
#: "English_(Great_Britain)"; "en-gb" is only its language, which the library refuses)
VOICES = {"kk": "kk", "ru": "ru", "uk": "uk", "en": "en"}
RATE = 150  # words per minute: espeak-ng's default 175 is fast for learners
SAMPLE_RATE = 22050  # espeak-ng's output
PAUSE = 0.35  # seconds of silence after each sentence
AUDIO_TYPE = "audio/ogg; codecs=opus"
SHORT_CODE = re.compile(r"\b([VA])(\d+)\.(\d+)\b")
#: languages that write a decimal with a comma; num2words' name for each language
COMMA_DECIMALS = {"kk", "ru", "uk"}
NUM2WORDS = {"kk": "kz", "ru": "ru", "uk": "uk", "en": "en"}
#: ``2,5`` (not part of ``1,2,3`` or a longer run of digits); at most 15 digits a side
DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d{1,15}),(\d{1,15})(?![\d]|[,.]\d)")
#: ``1.2``, ``1.2.3``: integers joined by dots
DOTTED = re.compile(r"(?<![\d,.])\d+(?:\.\d+)+(?![\d]|[,.]\d)")


@dataclass(frozen=True)
class Clip:
    id: str  # the sentence's id in the page
    begin: float  # seconds
    end: float


@dataclass(frozen=True)
class Narration:
    audio: bytes  # Ogg Opus
    clips: list[Clip]

    @property
    def duration(self) -> float:
        return self.clips[-1].end if self.clips else 0.0


def _missing(package: str, program: str) -> CasekitError:
    return error(
        "casekit",
        f"narration needs {program}: install the Debian package {package} "
        "(scripts/install-system-deps.sh does it)",
        "narration-missing",
    )


def _tool(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise _missing(package, program)
    return path


@cache
def _versions() -> str:
    """What the bytes depend on besides the text: the espeak-ng and ffmpeg versions."""
    lib = _espeak().lib
    lib.espeak_Info.restype = ctypes.c_char_p
    espeak = lib.espeak_Info(None).decode("utf-8", "replace")
    run = subprocess.run([_tool("ffmpeg", "ffmpeg"), "-version"], capture_output=True, check=False)
    return espeak + "\n" + run.stdout.split(b"\n", 1)[0].decode("utf-8", "replace")


def _words(number: str, language: str) -> str:
    """``number`` (``2``, ``2.5``) in words (num2words: "две целых пять десятых"), or
    as written when num2words cannot say it."""
    from num2words import num2words  # imported when a number is said, not with the viewer

    try:
        return str(num2words(Decimal(number), lang=NUM2WORDS[language]))
    except (ArithmeticError, NotImplementedError, ValueError):  # e.g. beyond its range
        return number


def read_numbers(text: str, language: str, msg: Messages) -> str:
    """Numbers as the course language reads them, where espeak-ng's own rules do not.

    Kazakh, Russian and Ukrainian write decimals with a comma (``2,5``): those are
    said in words by num2words. A dot between digits (``1.2``, ``1.2.3``) is then a
    section or version number, its parts in words: "бір нүкте екі", "один точка
    два" (espeak-ng reads it as "one and two" in Kazakh and "one two" in Ukrainian,
    and stresses a Kazakh number read from digits on the wrong syllable). English
    reads both the decimal and the section number as "one point two", as espeak-ng
    does."""
    if language not in COMMA_DECIMALS:
        return text
    text = DECIMAL_COMMA.sub(lambda m: _words(f"{m[1]}.{m[2]}", language), text)
    point = f" {msg('speech_point')} "
    return DOTTED.sub(lambda m: point.join(_words(n, language) for n in m[0].split(".")), text)


def speech_text(sentence: Sentence, msg: Messages, language: str) -> str:
    """What is said for ``sentence``: short codes, numbers and abbreviations read out,
    code blocks announced."""
    if sentence.code_lines:
        return msg("speech_code", lines=sentence.code_lines)
    text = SHORT_CODE.sub(
        lambda m: f"{msg('video' if m[1] == 'V' else 'audio')} {m[2]} {msg('speech_point')} {m[3]}",
        sentence.text,
    )
    text = read_numbers(text, language, msg)
    for pair in msg("speech_abbreviations").split(";"):
        short, _, said = pair.partition("=")
        if short.strip() and said.strip():
            text = re.sub(rf"(?<!\w){re.escape(short.strip())}(?!\w)", said.strip(), text)
    return text


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Espeak:
    """The espeak-ng library, synchronous: ``espeak_Synth`` returns once the callback has
    had every sample (a process per sentence would cost a tenth of a second each)."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(name)
        except OSError:
            raise _missing("espeak-ng", "the espeak-ng library") from None
        self.lib.espeak_Initialize.restype = ctypes.c_int
        rate = self.lib.espeak_Initialize(2, 0, None, 0)  # AUDIO_OUTPUT_SYNCHRONOUS
        if rate != SAMPLE_RATE:
            raise _missing("espeak-ng", f"espeak-ng speaking at {SAMPLE_RATE} Hz (not {rate})")
        self.chunks: list[bytes] = []
        self.callback = _CALLBACK(self._receive)  # kept: the library holds a pointer to it
        self.lib.espeak_SetSynthCallback(self.callback)
        self.voice = ""

    def _receive(self, wav: ctypes.Array, samples: int, _events: int) -> int:
        if wav and samples > 0:
            self.chunks.append(ctypes.string_at(wav, samples * 2))
        return 0

    def speak(self, text: str, voice: str) -> bytes:
        """16-bit mono PCM at ``SAMPLE_RATE`` of ``text`` (plain text, not SSML)."""
        if voice != self.voice:
            if self.lib.espeak_SetVoiceByName(voice.encode("ascii")) != 0:
                raise _missing("espeak-ng-data", f"the espeak-ng voice {voice!r}")
            self.lib.espeak_SetParameter(1, RATE, 0)  # espeakRATE, words per minute
            self.voice = voice
        data = text.encode("utf-8") + b"\0"
        self.chunks = []
        if self.lib.espeak_Synth(data, len(data), 0, 1, 0, 1, None, None) != 0:  # UTF-8
            raise error("casekit", f"espeak-ng could not speak: {text[:60]!r}", "narration")
        self.lib.espeak_Synchronize()
        return b"".join(self.chunks)


@cache
def _espeak() -> _Espeak:
    return _Espeak()


@dataclass
class _Encoder:
    """ffmpeg encoding a lesson's PCM to Ogg Opus as it is spoken (``_encoding``)."""

    process: subprocess.Popen[bytes]
    out: IO[bytes]
    errors: IO[bytes]
    samples: int = 0  # written so far

    def write(self, pcm: bytes) -> None:
        """Encode ``pcm`` (16-bit mono samples) after what was written before."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # ffmpeg failed: ``audio`` says why
            self.process.stdin.write(pcm)
        self.samples += len(pcm) // 2

    def audio(self) -> bytes:
        """The Ogg Opus file of everything written."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        if self.process.wait() != 0:
            self.errors.seek(0)
            message = self.errors.read().decode("utf-8", "replace").strip()
            raise error("casekit", f"ffmpeg could not encode the narration: {message}", "narration")
        self.out.seek(0)
        return self.out.read()


@contextlib.contextmanager
def _encoding() -> Iterator[_Encoder]:
    """ffmpeg, fed a sentence's samples as soon as espeak-ng has made them: the lesson's
    raw audio (2.6 MB a minute) is never whole in memory, only its encoded file (24
    kbit/s). What ffmpeg writes goes to files, not pipes: it never waits for casekit to
    read."""
    command = [
        _tool("ffmpeg", "ffmpeg"),
        *("-nostdin", "-hide_banner", "-loglevel", "error"),
        *("-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0"),
        *("-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact"),
        *("-c:a", "libopus", "-b:a", "24k", "-application", "voip", "-compression_level", "3"),
        *("-f", "ogg", "pipe:1"),
    ]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=out, stderr=errors) as run,
    ):
        try:
            yield _Encoder(run, out, errors)
        finally:
            run.kill()  # nothing once it has ended; else the lesson was not spoken
            with contextlib.suppress(BrokenPipeError):  # what waited for it, dropped
                assert run.stdin is not None
                run.stdin.close()


def narrate(
    sentences: list[Sentence], language: str, msg: Messages, cache: BuildCache | None = None
) -> Narration:
    """The spoken ``sentences`` and each one's clip (kept in ``cache``)."""
    voice = VOICES[language]
    said = [speech_text(s, msg, language) for s in sentences]
    key = digest(
        _versions(),
        voice,
        str(RATE),
        str(PAUSE),
        json.dumps(said),
        json.dumps([s.id for s in sentences]),
    )
    if cache is not None:
        kept = cache.load("narration", key, bytes)
        if kept is not None:
            head, _, audio = kept.partition(b"\0")
            clips = [Clip(i, b, e) for i, b, e in json.loads(head)]
            return Narration(audio, clips)
    pause = b"\0\0" * round(PAUSE * SAMPLE_RATE)
    clips = []
    with _encoding() as encoder:
        for sentence, text in zip(sentences, said, strict=True):
            begin = encoder.samples
            encoder.write(_espeak().speak(text, voice))
            encoder.write(pause)
            clips.append(Clip(sentence.id, begin / SAMPLE_RATE, encoder.samples / SAMPLE_RATE))
        narration = Narration(encoder.audio(), clips)
    if cache is not None:
        head = json.dumps([[c.id, c.begin, c.end] for c in clips]).encode()
        cache.store("narration", key, head + b"\0" + narration.audio)
    return narration


def clock(seconds: float) -> str:
    """``0:01:02.345``: a SMIL clock value (and EPUB ``media:duration``)."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"
