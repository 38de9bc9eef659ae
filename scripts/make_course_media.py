"""Regenerate the media of the example courses (images, narrated video, audio).

Run from the repository root: ``python scripts/make_course_media.py``. Needs Pillow,
``espeak-ng`` (Kazakh and English voices) and ``ffmpeg`` with libx264,
libmp3lame and libvorbis. The outputs are committed, so builds and tests do not
need these tools; this script only documents and reproduces how they were made. It lives in
``scripts/`` rather than ``courses/`` so that ``casekit check courses/*`` sees
only course folders.

Every narration is spoken by espeak-ng from the same text that is written into
the WebVTT transcript beside the media file, so captions and sound agree.
ffmpeg runs single-threaded with bit-exact flags and no metadata, so a rerun on
the same tool versions gives the same bytes.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COURSES = Path(__file__).resolve().parent.parent / "courses"
FONTS = COURSES.parent / "templates" / "fonts"
SIZE = (640, 360)
PAUSE = 0.5  # seconds of silence after each narrated cue
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
BITEXACT += ["-map_metadata", "-1", "-threads", "1"]


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


@dataclass
class Cue:
    """One slide (or one audio sentence) and the words spoken over it."""

    heading: str
    speech: str


# ----------------------------------------------------------------------------- sound


def speak(text: str, voice: str, out: Path) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(out), text], check=True)


def narrate(cues: list[Cue], voice: str, work: Path) -> tuple[Path, list[tuple[float, float]]]:
    """One WAV of every cue's speech with pauses, and each cue's start and end."""
    frames: list[bytes] = []
    times: list[tuple[float, float]] = []
    params = None
    clock = 0.0
    for index, cue in enumerate(cues):
        part = work / f"cue{index}.wav"
        speak(cue.speech, voice, part)
        with wave.open(str(part), "rb") as reader:
            params = reader.getparams()
            data = reader.readframes(reader.getnframes())
        rate = params.framerate
        silence = b"\x00" * (int(PAUSE * rate) * params.sampwidth * params.nchannels)
        length = len(data) / (params.sampwidth * params.nchannels) / rate
        frames.append(data + silence)
        times.append((clock, clock + length))
        clock += length + PAUSE
    assert params is not None
    joined = work / "narration.wav"
    with wave.open(str(joined), "wb") as writer:
        writer.setparams(params)
        writer.writeframes(b"".join(frames))
    return joined, times


def write_vtt(cues: list[Cue], times: list[tuple[float, float]], out: Path) -> None:
    def stamp(seconds: float) -> str:
        millis = round(seconds * 1000)
        minutes, millis = divmod(millis, 60_000)
        secs, millis = divmod(millis, 1000)
        return f"00:{minutes:02d}:{secs:02d}.{millis:03d}"

    lines = ["WEBVTT", ""]
    for cue, (start, end) in zip(cues, times, strict=True):
        lines += [f"{stamp(start)} --> {stamp(end)}", cue.speech, ""]
    out.write_text("\n".join(lines), "utf-8")


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args], check=True)


# ----------------------------------------------------------------------------- pictures


def wrap(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def slide(cue: Cue, number: int, total: int, colour: str, out: Path) -> None:
    """A plain, high-contrast slide: heading band, the spoken words, page number."""
    image = Image.new("RGB", SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 70), fill=colour)
    draw.text((24, 18), cue.heading, font=font(28, bold=True), fill="white")
    body = font(22)
    y = 100
    for line in wrap(draw, cue.speech, body, SIZE[0] - 48):
        draw.text((24, y), line, font=body, fill="#1a1a1a")
        y += 32
    draw.text((SIZE[0] - 70, SIZE[1] - 36), f"{number}/{total}", font=font(18), fill="#555555")
    image.save(out)


def make_video(cues: list[Cue], voice: str, colour: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        audio, times = narrate(cues, voice, work)
        inputs: list[str] = []
        for index, cue in enumerate(cues):
            picture = work / f"slide{index}.png"
            slide(cue, index + 1, len(cues), colour, picture)
            start = times[index][0]
            end = times[index + 1][0] if index + 1 < len(cues) else times[index][1] + PAUSE
            inputs += ["-loop", "1", "-framerate", "10", "-t", f"{end - start:.3f}"]
            inputs += ["-i", str(picture)]
        chain = "".join(f"[{i}:v]" for i in range(len(cues)))
        ffmpeg(
            *inputs,
            "-i",
            str(audio),
            "-filter_complex",
            f"{chain}concat=n={len(cues)}:v=1:a=0,format=yuv420p[v]",
            "-map",
            "[v]",
            "-map",
            f"{len(cues)}:a",
            "-c:v",
            "libx264",
            "-preset",
            "veryslow",
            "-tune",
            "stillimage",
            "-crf",
            "30",
            "-r",
            "10",
            "-c:a",
            "aac",
            "-b:a",
            "40k",
            "-ac",
            "1",
            "-movflags",
            "+faststart",
            *BITEXACT,
            str(out),
        )
        write_vtt(cues, times, out.with_suffix(".vtt"))


def make_audio(cues: list[Cue], voice: str, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        audio, times = narrate(cues, voice, Path(tmp))
        codec = ["-c:a", "libmp3lame", "-b:a", "32k"] if out.suffix == ".mp3" else []
        if out.suffix == ".ogg":
            codec = ["-c:a", "libvorbis", "-q:a", "1"]
        ffmpeg("-i", str(audio), "-ac", "1", *codec, *BITEXACT, str(out))
        write_vtt(cues, times, out.with_suffix(".vtt"))


def diagram(out: Path, title: str, boxes: list[tuple[str, str]], colour: str) -> None:
    """A labelled block diagram (PNG): one box per part with a short description."""
    rows = (len(boxes) + 1) // 2
    image = Image.new("RGB", (800, 110 + rows * 120), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 20), title, font=font(30, bold=True), fill="#1a1a1a")
    columns = 2
    for index, (name, text) in enumerate(boxes):
        x = 30 + (index % columns) * 380
        y = 90 + (index // columns) * 120
        draw.rounded_rectangle((x, y, x + 350, y + 100), radius=14, outline=colour, width=4)
        draw.text((x + 16, y + 12), name, font=font(24, bold=True), fill=colour)
        for n, line in enumerate(wrap(draw, text, font(18), 320)[:2]):
            draw.text((x + 16, y + 46 + n * 24), line, font=font(18), fill="#1a1a1a")
    image.save(out, optimize=True)


def photo(out: Path, label: str) -> None:
    """A soft, photo-like desk scene (JPEG): window light, a desk, a monitor, paper."""
    width, height = 800, 500
    image = Image.new("RGB", (width, height))
    pixels = image.load()
    for y in range(height):
        for x in range(width):
            light = 1.0 - 0.45 * ((x - 620) ** 2 + (y - 60) ** 2) ** 0.5 / 900
            grain = ((x * 7919 + y * 104729) % 23) - 11
            base = (214, 205, 188) if y < 330 else (132, 96, 62)
            pixels[x, y] = tuple(max(0, min(255, int(c * light) + grain)) for c in base)
    draw = ImageDraw.Draw(image)
    draw.rectangle((560, 30, 760, 230), fill="#dfe9f2", outline="#8a8a8a", width=6)  # window
    draw.line((660, 30, 660, 230), fill="#8a8a8a", width=5)
    draw.rectangle((180, 120, 460, 300), fill="#2b2b2b")  # monitor
    draw.rectangle((195, 135, 445, 285), fill="#3d6fa3")
    draw.rectangle((300, 300, 340, 340), fill="#3a3a3a")
    draw.rectangle((230, 340, 410, 352), fill="#3a3a3a")
    draw.polygon([(190, 380), (470, 380), (490, 420), (170, 420)], fill="#d9d9d9")  # keyboard
    draw.polygon([(520, 360), (660, 350), (680, 440), (540, 452)], fill="#f7f7f2")  # paper
    draw.text((215, 150), label, font=font(22, bold=True), fill="white")
    image.save(out, quality=72, optimize=True, progressive=False)


def bar_chart_svg(out: Path, title: str, bars: list[tuple[str, int, str]], unit: str) -> None:
    """A small bar chart as hand-readable SVG (text stays text, so it scales)."""
    top = max(value for _, value, _ in bars)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="340" viewBox="0 0 600 340"'
        ' font-family="DejaVu Sans, sans-serif">',
        f"  <title>{title}</title>",
        f'  <text x="20" y="32" font-size="20" font-weight="bold">{title}</text>',
        '  <line x1="20" y1="290" x2="580" y2="290" stroke="#333" stroke-width="2"/>',
    ]
    step = 560 // len(bars)
    for index, (label, value, colour) in enumerate(bars):
        bar = round(220 * value / top)
        x = 30 + index * step
        parts += [
            f'  <rect x="{x}" y="{290 - bar}" width="{step - 30}" height="{bar}" fill="{colour}"/>',
            f'  <text x="{x}" y="{282 - bar}" font-size="15">{value}{unit}</text>',
            f'  <text x="{x}" y="312" font-size="14">{label}</text>',
        ]
    parts.append("</svg>")
    out.write_text("\n".join(parts) + "\n", "utf-8")


# ----------------------------------------------------------------------------- courses


@dataclass
class CourseMedia:
    """Everything one course's media are made from (file names are under ``media/``)."""

    folder: str
    voice: str  # espeak-ng voice
    colour: str
    diagram: tuple[str, str, list[tuple[str, str]]]  # file, title, (part, description)
    photo: tuple[str, str]  # file, label on the screen
    chart: tuple[str, str, list[tuple[str, int, str]], str]  # file, title, bars, unit
    video: tuple[str, list[Cue]]
    audio: tuple[str, list[Cue]]


def say(*sentences: str) -> list[Cue]:
    """Audio cues: one per sentence group, no slide heading."""
    return [Cue("", text) for text in sentences]


COURSE_MEDIA = [
    CourseMedia(
        folder="digital-literacy-kk",
        voice="kk",
        colour="#0b5394",
        diagram=(
            "computer-parts.png",
            "Компьютердің негізгі бөліктері",
            [
                ("Монитор", "Мәтін мен суретті экранға шығарады."),
                ("Жүйелік блок", "Есептейді және файлдарды сақтайды."),
                ("Пернетақта", "Әріптер мен сандарды енгізеді."),
                ("Тінтуір", "Меңзерді жылжытып, батырманы басады."),
            ],
        ),
        photo=("study-room.jpg", "Оқу сыныбы"),
        chart=(
            "password-strength.svg",
            "Құпиясөз беріктігі (10 балдық шкала)",
            [
                ("6 сан", 1, "#c0392b"),
                ("8 кіші әріп", 3, "#e67e22"),
                ("12 аралас таңба", 8, "#f1c40f"),
                ("4 кездейсоқ сөз", 9, "#27ae60"),
            ],
            "",
        ),
        video=(
            "video/files-and-folders.mp4",
            [
                Cue(
                    "Файлдар мен қалталар",
                    "Сәлеметсіз бе! Бұл бейнеде файлдар мен қалталар туралы айтамыз.",
                ),
                Cue(
                    "Файл",
                    "Файл дегеніміз компьютерде сақталған құжат, сурет немесе ән. "
                    "Әр файлдың аты болады.",
                ),
                Cue(
                    "Қалта",
                    "Қалта файлдарды ретке келтіреді. Ұқсас файлдарды бір қалтаға жинаңыз.",
                ),
                Cue(
                    "Көшірме",
                    "Маңызды файлдың көшірмесін флешкаға сақтаңыз. Сонда құжатыңыз жоғалмайды.",
                ),
            ],
        ),
        audio=(
            "audio/bank-call-warning.ogg",
            say(
                "Назар аударыңыз! Банк қызметкері ешқашан карта нөмірін, құпиясөзді "
                "немесе СМС кодты сұрамайды.",
                "Мұндай қоңырау келсе, сөйлесуді тоқтатыңыз да, банкке өзіңіз хабарласыңыз.",
            ),
        ),
    ),
    CourseMedia(
        folder="job-search-en",
        voice="en-us",
        colour="#1d6b48",
        diagram=(
            "cv-layout.png",
            "A one-page CV",
            [
                ("Contact details", "Name, phone, town. No photo needed."),
                ("Profile", "Three lines: who you are and what you offer."),
                ("Skills", "Practical skills, licences and certificates."),
                ("Experience", "Jobs, training and volunteering, newest first."),
            ],
        ),
        photo=("interview-room.jpg", "Interview"),
        chart=(
            "budget-plan.svg",
            "First month budget (share of net pay)",
            [
                ("Housing", 35, "#1d6b48"),
                ("Food", 25, "#2e86c1"),
                ("Transport", 10, "#af7ac5"),
                ("Bills", 10, "#e67e22"),
                ("Savings", 10, "#27ae60"),
                ("Other", 10, "#7f8c8d"),
            ],
            "%",
        ),
        video=(
            "video/interview-steps.mp4",
            [
                Cue(
                    "Before the interview",
                    "Before the interview, read the job advert again and write down "
                    "three things you can offer.",
                ),
                Cue(
                    "Answer with an example",
                    "When you answer a question, give a short example: the situation, "
                    "what you did, and the result.",
                ),
                Cue(
                    "A gap in your history",
                    "If there is a gap in your work history, be honest and brief, "
                    "then talk about what you learned.",
                ),
                Cue(
                    "At the end",
                    "At the end, thank the interviewer and ask one question about the job.",
                ),
            ],
        ),
        audio=(
            "audio/reading-a-payslip.mp3",
            say(
                "Your payslip shows your gross pay, the deductions, and your net pay.",
                "Gross pay is what you earn before deductions. Net pay is the money you receive.",
                "Check every payslip, and keep it in a safe place.",
            ),
        ),
    ),
]


def make_course_media(spec: CourseMedia) -> None:
    media = COURSES / spec.folder / "media"
    for sub in ("video", "audio"):
        (media / sub).mkdir(parents=True, exist_ok=True)
    name, title, boxes = spec.diagram
    diagram(media / name, title, boxes, spec.colour)
    photo(media / spec.photo[0], spec.photo[1])
    name, title, bars, unit = spec.chart
    bar_chart_svg(media / name, title, bars, unit)
    make_video(spec.video[1], spec.voice, spec.colour, media / spec.video[0])
    make_audio(spec.audio[1], spec.voice, media / spec.audio[0])


if __name__ == "__main__":
    for course in COURSE_MEDIA:
        make_course_media(course)
