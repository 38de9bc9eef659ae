"""Braille and narration speed, each beside a reference run on the same text.

    python benchmarks/accessible_benchmark.py [--lessons 40] [--narrated 3]

Braille: the generated Kazakh course (``generate_course.py``) as a BRF, both
editions, beside liblouis' own ``lou_translate`` on the course's plain text (pandoc):
what casekit adds (tree walk, layout, pages, the Unicode file) is the difference.
Narration: ``--narrated`` lessons spoken by casekit (espeak-ng library, one ffmpeg
encode per lesson) beside the espeak-ng program run once per sentence, the way a
script would call it, on the same sentences; seconds of speech per second of wall time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

from casekit.build.course import load_course
from casekit.config.settings import BrailleOptions
from casekit.diagnostics import Diagnostics
from casekit.formats.brf.render import braille_pages
from casekit.messages import course_messages
from casekit.render.html import HtmlWriter
from casekit.render.narration import VOICES, narrate
from casekit.render.sentences import mark_sentences
from casekit.resolve.editions import apply_edition

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_course import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--narrated", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "course", args.lessons, "kk")
        course = load_course(folder, Diagnostics())
        assert course is not None
        text = "\n".join(
            pypandoc.convert_file(str(p), "plain", format="markdown")
            for p in sorted((folder / "lessons").glob("*.md"))
        )
        started = time.perf_counter()
        pages = sum(
            len(braille_pages(apply_edition(course, e), BrailleOptions()))
            for e in ("learner", "teacher")
        )
        ours = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(2):  # two editions' worth of text
            subprocess.run(
                ["lou_translate", "--forward", "ru-brf.dis,kk.utb"],
                input=text.encode(), capture_output=True, check=True,
            )  # fmt: skip
        reference = time.perf_counter() - started
        print(f"course                         {args.lessons} lessons, {len(text):,} characters")
        print(f"brf: both editions             {ours:.2f} s, {pages} Braille pages")
        print(f"lou_translate, same text x2    {reference:.2f} s (ratio {ours / reference:.2f})")

        msg = course_messages(course.config)
        writer = HtmlWriter(course)
        lessons = course.lessons()[: args.narrated]
        sentences = [
            mark_sentences(writer.lesson(lesson), f"{lesson.id}-s")[1] for lesson in lessons
        ]
        started = time.perf_counter()
        spoken = sum(narrate(s, "kk", msg).duration for s in sentences)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        for lesson_sentences in sentences:
            for sentence in lesson_sentences:
                subprocess.run(
                    ["espeak-ng", "-v", VOICES["kk"], "-s", "150", "--stdout", sentence.text],
                    capture_output=True, check=True,
                )  # fmt: skip
        reference = time.perf_counter() - started
        count = sum(map(len, sentences))
        print(f"narration: {len(lessons)} lessons, {count} sentences, {spoken:.0f} s of speech")
        print(f"casekit (library + Opus)       {ours:.1f} s, {spoken / ours:.1f} s of speech/s")
        print(f"espeak-ng per sentence (WAV)   {reference:.1f} s (ratio {ours / reference:.2f})")


if __name__ == "__main__":
    main()
