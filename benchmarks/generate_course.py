"""A large synthetic course for benchmarks: about 25 printed A4 pages per lesson
(40 lessons: about 1,000 pages) with headings, paragraphs, footnotes, lists, tables,
images, code, callouts and quizzes. Deterministic: the same arguments give the same files.

With ``--images`` the figures are a dozen large pictures instead of three small ones:
eight 3000x2000 PNG screenshots, two 3000x2000 PNG photos (a photo saved as a
screenshot: nearly incompressible) and two 3000x2000 JPEG photos. ``--image-sets N``
makes N such dozens (other pictures, the same kinds), shown in turn by the sections: the
same lessons with N times the media (the first dozen is the same in every N).

    python benchmarks/generate_course.py OUT_FOLDER [--lessons 40] [--language kk] [--images]
                                         [--image-sets 1]
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WORDS = {
    "kk": [
        "білім",
        "оқушы",
        "сабақ",
        "компьютер",
        "файл",
        "қалта",
        "мәтін",
        "құпиясөз",
        "қауіпсіздік",
        "желі",
        "әріп",
        "тапсырма",
        "жауап",
        "сұрақ",
        "мұғалім",
        "кітап",
        "дәптер",
        "өнер",
        "ғылым",
        "тарих",
        "қазақ",
        "тілі",
        "әдебиет",
        "еңбек",
        "үй",
        "мектеп",
        "қала",
        "ауыл",
        "жол",
        "көлік",
        "өмір",
        "денсаулық",
        "спорт",
        "су",
        "жер",
        "күн",
        "ай",
        "жұлдыз",
        "өзен",
        "көл",
        "тау",
        "орман",
        "дала",
        "құс",
        "жануар",
        "өсімдік",
        "гүл",
        "ағаш",
        "жеміс",
        "көкөніс",
        "нан",
        "сүт",
        "ет",
    ],
    "ru": [
        "знание",
        "ученик",
        "урок",
        "компьютер",
        "файл",
        "папка",
        "текст",
        "пароль",
        "безопасность",
        "сеть",
        "буква",
        "задание",
        "ответ",
        "вопрос",
        "учитель",
        "книга",
        "тетрадь",
        "искусство",
        "наука",
        "история",
        "язык",
        "литература",
        "труд",
        "дом",
        "школа",
        "город",
        "село",
        "дорога",
        "жизнь",
        "здоровье",
        "спорт",
        "вода",
        "земля",
    ],
    "en": [
        "knowledge",
        "learner",
        "lesson",
        "computer",
        "file",
        "folder",
        "text",
        "password",
        "safety",
        "network",
        "letter",
        "task",
        "answer",
        "question",
        "teacher",
        "book",
        "notebook",
        "art",
        "science",
        "history",
        "language",
        "literature",
        "work",
        "home",
        "school",
        "town",
        "village",
        "road",
        "life",
        "health",
        "sport",
        "water",
        "earth",
    ],
}
SECTIONS_PER_LESSON = 10
LESSONS_PER_MODULE = 5


def _sentence(rng: random.Random, words: list[str]) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 16))]
    return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."


def _paragraph(rng: random.Random, words: list[str], sentences: int = 7) -> str:
    text = " ".join(_sentence(rng, words) for _ in range(sentences))
    first, rest = text.split(" ", 1)
    return f"{first} **{rng.choice(words)}** *{rng.choice(words)}* `{rng.choice(words)}` {rest}"


def _table(rng: random.Random, words: list[str], rows: int) -> str:
    lines = ["| № | " + " | ".join(w.capitalize() for w in rng.sample(words, 3)) + " |"]
    lines.append("|--:|:--|:--|--:|")
    for index in range(1, rows + 1):
        cells = [" ".join(rng.sample(words, 2)), " ".join(rng.sample(words, 4))]
        lines.append(f"| {index} | {cells[0]} | {cells[1]} | {rng.randint(100, 99999)} |")
    return "\n".join(lines) + f"\n\nTable: {_sentence(rng, words)}\n"


LARGE = (3000, 2000)
#: the image-heavy course's pictures: (file, kind)
LARGE_IMAGES = [(f"screen-{n:02d}.png", "screen") for n in range(1, 9)] + [
    ("photo-01.png", "photo"),
    ("photo-02.png", "photo"),
    ("photo-03.jpg", "photo"),
    ("photo-04.jpg", "photo"),
]


def pictures(sets: int) -> list[tuple[str, str, int]]:
    """The image-heavy course's pictures with ``sets`` dozens: (file, kind, seed)."""
    pictures = []
    for number in range(sets):
        suffix = f"-{number + 1}" if number else ""
        for seed, (name, kind) in enumerate(LARGE_IMAGES, start=1 + 1000 * number):
            stem, extension = name.rsplit(".", 1)
            pictures.append((f"{stem}{suffix}.{extension}", kind, seed))
    return pictures


def _lesson(index: int, language: str, large_images: bool = False, sets: int = 1) -> str:
    rng = random.Random(index)
    words = WORDS[language]
    parts = [f"---\ntitle: {_sentence(rng, words)[:-1]}\nhours: 2\n---\n"]
    parts.append("::: objectives\n" + "".join(f"- {_sentence(rng, words)}\n" for _ in range(3)))
    parts.append(":::\n")
    for section in range(1, SECTIONS_PER_LESSON + 1):
        parts.append(f"## {_sentence(rng, words)[:-1]} {{#s{section}}}\n")
        parts.append(_paragraph(rng, words) + f"[^n{section}]\n")
        parts.extend(_paragraph(rng, words) + "\n" for _ in range(3))
        image = "photo.jpg" if section % 2 else ("diagram.png" if section % 4 else "chart.svg")
        if large_images:  # a different large picture in every section, all twelve used
            shown = pictures(sets)
            image = shown[(index * SECTIONS_PER_LESSON + section) % len(shown)][0]
        parts.append(f"![{_sentence(rng, words)}](../media/{image})\n")
        parts.append(_table(rng, words, rows=14))
        parts.extend(f"{n}. {_sentence(rng, words)}\n" for n in range(1, 6))
        parts.append("")
        parts.append("```\n" + "\n".join(_sentence(rng, words) for _ in range(6)) + "\n```\n")
        parts.append(f"::: tip\n{_paragraph(rng, words, 2)}\n:::\n")
        parts.extend(_paragraph(rng, words) + "\n" for _ in range(2))
    parts.append('::: {.quiz title="' + _sentence(rng, words)[:-1] + '"}')
    for question in range(1, 4):
        parts.append(f"{question}. {_sentence(rng, words)}")
        parts.append(f"   - [x] {rng.choice(words)}\n   - [ ] {rng.choice(words)}")
    parts.append(":::\n")
    parts.extend(f"[^n{n}]: {_sentence(rng, words)}" for n in range(1, SECTIONS_PER_LESSON + 1))
    return "\n".join(parts) + "\n"


def _media(folder: Path) -> None:
    media = folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (1200, 700), "#dfe8f1")
    draw = ImageDraw.Draw(image)
    for step in range(12):
        draw.rectangle((60 + step * 90, 650 - step * 45, 120 + step * 90, 650), fill="#0b5394")
    out = io.BytesIO()
    image.save(out, format="PNG")
    (media / "diagram.png").write_bytes(out.getvalue())
    out = io.BytesIO()
    image.convert("L").save(out, format="JPEG", quality=80)
    (media / "photo.jpg").write_bytes(out.getvalue())
    bars = "".join(
        f'<rect x="{20 + i * 40}" y="{140 - i * 10}" width="30" height="{i * 10 + 10}" fill="#2e7d32"/>'
        for i in range(10)
    )
    (media / "chart.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="440" height="160">{bars}</svg>', "utf-8"
    )


FONT = Path(__file__).resolve().parent.parent / "templates" / "fonts" / "DejaVuSans.ttf"


def _screenshot(seed: int) -> Image.Image:
    """A desktop-application screenshot: window, toolbar, sidebar, anti-aliased text,
    buttons and a picture in the document (about 1 MB as PNG, like a real one)."""
    rng = random.Random(seed)
    image = Image.new("RGB", LARGE, "#f3f3f3")
    image.paste(_photo(seed + 100, (1100, 700)), (1800, 260))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    draw.rectangle((0, 0, LARGE[0], 90), fill="#2b579a")
    draw.rectangle((0, 90, LARGE[0], 190), fill="#e1e1e1")
    for x in range(40, 1400, 120):
        draw.rounded_rectangle((x, 110, x + 90, 170), 10, fill="#ffffff", outline="#9a9a9a")
    draw.rectangle((0, 190, 520, LARGE[1]), fill="#ebebeb")
    for y in range(230, LARGE[1] - 60, 70):
        draw.rectangle((40, y, 40 + rng.randint(200, 440), y + 28), fill="#6b6b6b")
    words = WORDS["kk"] + WORDS["ru"]
    for y in range(240, LARGE[1] - 80, 46):
        colour = rng.choice(["#202020", "#202020", "#202020", "#1a5fb4", "#c01c28"])
        right = 1750 if 240 <= y <= 980 else 2950
        line = " ".join(rng.choice(words) for _ in range(40))
        while draw.textlength(line, font=font) > right - 600:
            line = line.rsplit(" ", 1)[0]
        draw.text((600, y), line, fill=colour, font=font)
    draw.rounded_rectangle((2500, 1820, 2900, 1930), 16, fill="#2b579a")
    return image


def _photo(seed: int, size: tuple[int, int] = LARGE) -> Image.Image:
    """A photo-like picture: smooth colour fields and sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    channels = []
    for _ in range(3):
        a, b, c = rng.uniform(0.001, 0.004, 3)
        field = (
            128 + 60 * np.sin(x * a + rng.uniform(0, 6)) * np.cos(y * b) + 40 * np.sin((x + y) * c)
        )
        channels.append(field + rng.normal(0, 9, field.shape))
    pixels = np.clip(np.stack(channels, axis=-1), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, "RGB")


def _large_media(folder: Path, sets: int) -> None:
    media = folder / "media"
    for name, kind, seed in pictures(sets):
        picture = _screenshot(seed) if kind == "screen" else _photo(seed)
        if name.endswith(".jpg"):
            picture.save(media / name, format="JPEG", quality=92)
        else:
            picture.save(media / name, format="PNG")


def generate(
    folder: Path,
    lessons: int = 40,
    language: str = "kk",
    large_images: bool = False,
    image_sets: int = 1,
) -> Path:
    """Write the course into ``folder`` (replaced if it exists) and return it;
    ``large_images``: the image-heavy variant with ``image_sets`` dozens of pictures
    (see the module's docstring)."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "lessons").mkdir(parents=True)
    _media(folder)
    if large_images:
        _large_media(folder, image_sets)
    names = []
    for index in range(1, lessons + 1):
        name = f"lessons/{index:03d}.md"
        (folder / name).write_text(_lesson(index, language, large_images, image_sets), "utf-8")
        names.append(name)
    modules = []
    for start in range(0, lessons, LESSONS_PER_MODULE):
        chunk = ", ".join(f'"{n}"' for n in names[start : start + LESSONS_PER_MODULE])
        modules.append(
            f'[[modules]]\ntitle = "Модуль {start // LESSONS_PER_MODULE + 1}"\nlessons = [{chunk}]\n'
        )
    (folder / "course.toml").write_text(
        f'id = "bench-{language}"\ntitle = "Benchmark {language}"\nlanguage = "{language}"\n'
        'version = "1.0"\ndate = 2026-01-01\norganisation = "casekit"\nauthors = ["casekit"]\n'
        'licence = "CC0"\n\n' + "\n".join(modules),
        "utf-8",
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lessons", type=int, default=40)
    parser.add_argument("--language", choices=sorted(WORDS), default="kk")
    parser.add_argument("--images", action="store_true", help="a dozen large pictures")
    parser.add_argument(
        "--image-sets", type=int, default=1, help="with --images: this many dozens of pictures"
    )
    args = parser.parse_args()
    print(generate(args.folder, args.lessons, args.language, args.images, args.image_sets))


if __name__ == "__main__":
    main()
