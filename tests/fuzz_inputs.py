"""Hypothesis strategies for hostile course sources: random Markdown that mixes
every construct of the format, random ``course.toml`` text, and the harness
that runs ``check`` and the html build on them in-process; and damaged bundles
and zips given to ``verify``.

Used by ``tests/test_fuzz.py`` (a modest example count in CI) and by
``scripts/fuzz.py`` (a long session outside CI).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path

from hypothesis import strategies as st

from casekit.diagnostics import Diagnostics
from casekit.parse.divs import KNOWN_CLASSES
from tests.conftest import MINIMAL_TOML
from tests.hostile_build import build_formats

MINI_MEDIA = Path(__file__).resolve().parent / "data" / "mini" / "media"

KAZAKH = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"
WORDS = ["Сәлем", "әлем", "Қазақстан", "файл", "Привет", "word", "ұя", "Һ", "І", "ёж", "🙂"]
TARGETS = [
    "#t",
    "#missing",
    "a.md",
    "a.md#x",
    "b.md#y",
    "../outside.md",
    "/etc/passwd",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "http://example.org/x",
    "mailto:a@b.kz",
    "%2e%2e/%2e%2e/etc/passwd",
    "C:\\x",
    "\\\\server\\share",
    "media/diagram.png",
    "media/intro.mp4",
    "media/chart.svg",
    "media/none.png",
    "data:image/png;base64,AAAA",
    "",
    "<>",
    "a b",
]
MEDIA_SOURCES = [
    "media/diagram.png",
    "media/photo.jpg",
    "media/chart.svg",
    "media/intro.mp4",
    "media/greeting.mp3",
    "media/missing.mp4",
    "../x.png",
    "http://example.org/a.mp4",
    "media/intro.vtt",
]
DIV_CLASSES = sorted(KNOWN_CLASSES) + [
    "unknown",
    "{.quiz #q1}",
    '{.video src="media/intro.mp4" title="V"}',
    '{.audio src="media/greeting.mp3"}',
    '{.note title="*Т*"}',
    "{.broken",
    '{key="unclosed}',
]
RAW_HTML = [
    "<b>x</b>",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src=//e.org></iframe>",
    "<!-- c -->",
    "<a href='javascript:1'>j</a>",
    "<div>",
    "</span>",
]

words = st.sampled_from(WORDS) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(KAZAKH),
    max_size=8,
)


# The strategies are made once per depth and reused (functools.cache): making them anew
# in every draw cost more than drawing from them (hypothesis validates each new one).


@functools.cache
@st.composite
def inline(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 11 if depth < 3 else 1))
    text = draw(words)
    if kind <= 1:
        return text
    inner = draw(inline(depth + 1))
    return [
        f"*{inner}*",
        f"**{inner}**",
        f"~~{inner}~~",
        f"`{text}`",
        f"[{inner}]({draw(st.sampled_from(TARGETS))})",
        f"![{text}]({draw(st.sampled_from(MEDIA_SOURCES))})",
        f"[^{draw(st.integers(1, 3))}]",
        draw(st.sampled_from(RAW_HTML)),
        f"{inner}  \n{text}",
        f"{inner} {{#{text}}}",
    ][kind - 2]


@functools.cache
def line_of_inlines() -> st.SearchStrategy[str]:
    return st.lists(inline(), min_size=1, max_size=5).map(" ".join)


@functools.cache
def blocks(depth: int, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Blocks at ``depth``, a blank line apart."""
    return st.lists(block(depth), min_size=min_size, max_size=max_size).map("\n\n".join)


@functools.cache
@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 13 if depth < 3 else 3))
    text = draw(line_of_inlines())
    if kind == 0:
        return text
    if kind == 1:
        return "#" * draw(st.integers(1, 7)) + " " + text
    if kind == 2:
        return "\n".join(f"[^{n}]: {text}" for n in range(1, draw(st.integers(1, 3)) + 1))
    if kind == 3:
        return "```" + draw(st.sampled_from(["", "python", "{.x}"])) + f"\n{text}\n```"
    inner = draw(blocks(depth + 1, 1, 3))
    if kind == 4:
        fence = ":" * draw(st.integers(3, 5))
        close = draw(st.sampled_from([fence, "", ":::"]))
        return f"{fence} {draw(st.sampled_from(DIV_CLASSES))}\n{inner}\n{close}"
    if kind == 5:
        marker = draw(st.sampled_from(["-", "*", "1.", "2)", "- [ ]", "- [x]"]))
        indent = " " * draw(st.integers(0, 6))
        return "\n".join(f"{indent}{marker} {line}" for line in inner.split("\n"))
    if kind == 6:
        return "\n".join("> " + line for line in inner.split("\n"))
    if kind == 7:
        cols = draw(st.integers(1, 4))
        rows = draw(st.integers(0, 4))
        align = draw(st.sampled_from(["---", ":--", ":-:", "--:"]))
        table = ["| " + " | ".join([text] * cols) + " |", "|" + f"{align}|" * cols]
        table += ["| " + " | ".join([draw(words)] * cols) + " |" for _ in range(rows)]
        if draw(st.booleans()):
            table += ["", f"Table: {text} {{#tbl}}"]
        return "\n".join(table)
    if kind == 8:
        return f"{text}\n: {inner}"
    if kind == 9:
        return draw(st.sampled_from(RAW_HTML))
    if kind == 10:
        return "1. " + text + "\n   - [ ] a\n   - [x] b\n\n   ::: answer\n   " + text + "\n   :::"
    if kind == 11:
        return f"![{text}]({draw(st.sampled_from(MEDIA_SOURCES))}){{#{draw(words)}}}"
    if kind == 12:
        return "---"
    return f"{inner}\n{text}"


FRONT_MATTER = [
    "",
    "---\ntitle: Сабақ\nhours: 2\n---\n",
    "---\ntitle: [a\n---\n",
    "---\n- list\n---\n",
    "---\nhours: true\noutcomes: [1, 2]\nextra: x\n---\n",
    "---\ntitle: *a\n---\n",
    "---\n!!python/object:os.system x\n---\n",
]


@st.composite
def lesson_bytes(draw: st.DrawFn) -> bytes:
    """A lesson: optional front matter, blocks, and sometimes broken bytes or line ends."""
    body = draw(blocks(0, 0, 8))
    title = draw(st.sampled_from(["# Т {#t}\n\n", "", "# \n\n"]))
    text = draw(st.sampled_from(FRONT_MATTER)) + title + body + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n"])))
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(data)))
        data = (
            data[:cut]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xef\xbb\xbf"]))
            + data[cut:]
        )
    return data


TOML_LINES = [
    'id = "t"',
    'title = "Сынақ"',
    'language = "kk"',
    'version = "1"',
    "date = 2026-01-01",
    'organisation = "Org"',
    'authors = ["A"]',
    'licence = "CC0"',
]
TOML_NOISE = [
    'id = "Bad ID"',
    "id = 5",
    'language = "de"',
    'date = "yesterday"',
    "date = 2026-13-01",
    "authors = [1]",
    "credits = -1",
    "credits = 1e308",
    'media_base_url = "ftp://x"',
    'templates = "../"',
    'templates = "/etc"',
    "allow_html = true",
    "answers_appendix = true",
    "[print]\npaper = 'B5'\nmargins_mm = 1000",
    "[fonts]\nregular = '/etc/passwd'",
    '[fonts]\nregular = "../x.ttf"',
    "[[modules]]",
    "[[modules]]\ntitle = 3",
    '[[modules]]\ntitle = "M"\nlessons = []',
    '[[modules]]\ntitle = "M"\nlessons = ["../../etc/passwd"]',
    '[[modules]]\ntitle = "M"\nlessons = ["a.md", "a.md"]',
    "unknown = 1",
    "modules = 3",
    "= =",
    '"\\u0000" = 1',
]


@st.composite
def course_toml(draw: st.DrawFn) -> str:
    """``course.toml`` text: the required fields, some replaced or joined by noise."""
    lines = [line for line in TOML_LINES if draw(st.integers(0, 15))]
    lines += draw(st.lists(st.sampled_from(TOML_NOISE), max_size=3))
    lines.append('[[modules]]\ntitle = "Модуль"\nlessons = ["a.md", "b.md"]')
    if draw(st.integers(0, 5)) == 0:
        lines.append(draw(st.text(max_size=30)))
    return "\n".join(lines) + "\n"


def course_toml_for(lessons: list[str], allow_html: bool) -> str:
    """A valid Kazakh ``course.toml`` for the fuzzed lessons."""
    toml = MINIMAL_TOML.format(lessons=", ".join(f'"{name}"' for name in lessons))
    setting = f"allow_html = {str(allow_html).lower()}"
    return toml.replace('language = "en"', 'language = "kk"').replace(
        "\n\n[[", f"\n{setting}\n\n[["
    )


def run_course(
    toml: str, lessons: dict[str, bytes], format_names: tuple[str, ...] = ("html",)
) -> Diagnostics:
    """Check and build a course written to a temporary folder (html by default).

    Returns the diagnostics; anything but a ``CasekitError`` propagates (a bug)."""
    with tempfile.TemporaryDirectory(prefix="casekit-fuzz-") as temp:
        root = Path(temp) / "course"
        (root / "media").mkdir(parents=True)
        for media in MINI_MEDIA.iterdir():
            shutil.copy(media, root / "media" / media.name)
        (root / "course.toml").write_text(toml, "utf-8")
        for name, data in lessons.items():
            (root / name).write_bytes(data)
        diags, outputs = build_formats(root, Path(temp) / "out", format_names)
        assert all(path.stat().st_size > 0 for record in outputs for path in record.paths)
        return diags


# ---------------------------------------------------------------- bundles given to verify

#: names a hostile stick or zip may carry (object properties, climbing, control characters)
HOSTILE_NAMES = [
    "constructor",
    "__proto__",
    "toString",
    "autorun.inf",
    "setup.exe",
    "../evil.txt",
    "/etc/passwd",
    "C:/x.txt",
    "a\\b.txt",
    "x\nOK: forged",
    "manifest.json",
    "bagit.txt",
    ".casekit-tmp-1/manifest.json",
    "data/media/intro.mp4",
    "ö/ü.txt",
]


@functools.cache
def sample_bundle() -> Path:
    """The mini course's USB bundle (folder and zip), built once per process."""
    from tests.usb_helpers import fresh_bundle

    return fresh_bundle(Path(tempfile.mkdtemp(prefix="casekit-fuzz-bundle-")), zip=True)


def _edit(draw: st.DrawFn, data: bytes, edits: int) -> bytes:
    raw = bytearray(data)
    for _ in range(edits):
        if not raw:
            raw = bytearray(b"\0")
        at = draw(st.integers(0, len(raw) - 1))
        edit = draw(st.sampled_from(["set", "cut", "insert", "truncate"]))
        if edit == "set":
            raw[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del raw[at : at + draw(st.integers(1, 4096))]
        elif edit == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            del raw[at:]
    return bytes(raw)


@st.composite
def damaged_zip(draw: st.DrawFn) -> bytes:
    """The sample bundle's zip with entries added (hostile names, duplicates) and random
    bytes changed, cut out, inserted or cut off."""
    bundle = sample_bundle()
    data = bundle.with_name(bundle.name + ".zip").read_bytes()
    added = draw(st.lists(st.sampled_from(HOSTILE_NAMES), max_size=3))
    if added:
        buffer = io.BytesIO(data)
        with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
            warnings.simplefilter("ignore")  # duplicate names are the point
            for name in added:
                prefix = draw(st.sampled_from(["", f"{bundle.name}/"]))
                archive.writestr(prefix + name, draw(st.binary(max_size=64)))
        data = buffer.getvalue()
    return _edit(draw, data, draw(st.integers(0, 6)))


@st.composite
def damaged_bundle(draw: st.DrawFn) -> list[tuple[str, str, bytes]]:
    """Operations on a copy of the sample bundle folder: (operation, path, data)."""
    bundle = sample_bundle()
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    operation = st.sampled_from(["delete", "edit", "fifo", "symlink", "loop", "folder", "add"])
    operations = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(operation)
        if kind == "add":
            path = draw(st.sampled_from(HOSTILE_NAMES))
        else:
            path = draw(st.sampled_from(files))
        data = b""
        if kind == "edit":
            original = (bundle / path).read_bytes()
            data = _edit(draw, original, draw(st.integers(1, 4)))
        elif kind == "add":
            data = draw(st.binary(max_size=64))
        operations.append((kind, path, data))
    return operations


def apply_operations(folder: Path, operations: list[tuple[str, str, bytes]]) -> None:
    """Damage a bundle copy in place; operations that do not apply are skipped."""
    for kind, path, data in operations:
        target = folder / path
        if not Path(os.path.normpath(target)).is_relative_to(folder):
            continue  # a name that climbs out: stays inside the temporary folder
        with contextlib.suppress(OSError):
            if os.path.lexists(target) and not target.is_dir():  # a file, FIFO or link
                target.unlink()  # (writing into a FIFO made earlier would block for ever)
            target.parent.mkdir(parents=True, exist_ok=True)
            if kind == "edit" or kind == "add":
                target.write_bytes(data)
            elif kind == "fifo":
                os.mkfifo(target)
            elif kind == "symlink":
                target.symlink_to("/dev/zero")
            elif kind == "loop":
                target.symlink_to(target)
            elif kind == "folder":
                target.mkdir()


def run_verify(path: Path) -> None:
    """``verify`` on ``path``: reports, or one ``CasekitError`` line; anything else
    propagates (a bug, an internal error on the command line)."""
    from casekit.bundle.verify import verify
    from casekit.diagnostics import CasekitError

    try:
        reports = verify(path)
    except CasekitError as exc:
        assert "\n" not in str(exc), exc
        return
    for report in reports:
        for difference in report.differences:
            assert "\n" not in str(difference), difference


def verify_zip_bytes(data: bytes) -> None:
    """``run_verify`` on a zip holding ``data``."""
    with tempfile.TemporaryDirectory() as temp:
        archive = Path(temp) / "bundle.zip"
        archive.write_bytes(data)
        run_verify(archive)


def verify_damaged_copy(operations: list[tuple[str, str, bytes]], stick: bool) -> None:
    """``run_verify`` on a copy of the sample bundle damaged by ``operations`` (given as
    the bundle folder, or as the stick folder holding it)."""
    bundle = sample_bundle()
    with tempfile.TemporaryDirectory() as temp:
        copy = Path(temp) / "stick" / bundle.name
        shutil.copytree(bundle, copy)
        apply_operations(copy, operations)
        run_verify(copy.parent if stick else copy)
