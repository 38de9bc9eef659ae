"""The format contract from outside: a plain-text format in one module that is not part
of casekit, registered through the ``casekit.formats`` entry-point group, is built, takes
its flags and its ``course.toml`` table from its options, and is checked like any other."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINI, ROOT

TOY_FORMAT = '''
"""A toy format: each edition's lesson titles as plain text."""

from __future__ import annotations

from dataclasses import dataclass

from casekit import tree as t
from casekit.formats import BuildContext, Format, Output, output_name
from casekit.formats.options import option
from casekit.render.common import lesson_title


@dataclass(frozen=True)
class TextOptions:
    capitals: bool = option(False, "lesson titles in capital letters")
    indent: int = option(0, "spaces before each title", minimum=0, maximum=8)


def render(course: t.Course, ctx: BuildContext) -> list[Output]:
    lines = [course.config.title]
    for module in course.modules:
        for lesson in module.lessons:
            title = lesson_title(lesson)
            lines.append(" " * ctx.options.indent + (title.upper() if ctx.options.capitals else title))
    return [Output(output_name(course, "txt"), ("\\n".join(lines) + "\\n").encode("utf-8"))]


FORMAT = Format("text", "lesson titles as plain text", render, TextOptions)
'''


def install_plugin(folder: Path, module: str, source: str, entry: str) -> Path:
    """A module and the metadata of a distribution naming it in ``casekit.formats``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(source, "utf-8")
    info = folder / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[casekit.formats]\n{entry}\n")
    return folder


def run(
    plugins: Path, *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": os.pathsep.join([str(plugins), *sys.path[:1]]),
    }
    return subprocess.run(
        [sys.executable, "-m", "casekit", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture
def course(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.mark.slow
def test_a_format_from_outside_casekit_builds(course: Path, tmp_path: Path) -> None:
    plugins = install_plugin(tmp_path / "plugins", "toy_text", TOY_FORMAT, "text = toy_text:FORMAT")
    out = tmp_path / "out"

    shown = run(plugins, "build", "--help", cwd=tmp_path)
    assert "--capitals / --no-capitals" in shown.stdout
    assert "TEXT: Spaces before each title" in shown.stdout

    built = run(plugins, "build", course, "-f", "text", "--capitals", "-o", out, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    # the command line is parsed with casekit's own formats first, then with every one
    html = run(plugins, "build", course, "-f", "html", "--indent", "3", "-o", out, cwd=tmp_path)
    assert html.returncode == 0, html.stderr
    learner = (out / "mini-kk/text/mini-kk-learner.txt").read_text("utf-8")
    assert learner.splitlines()[1] == "1.1 КОМПЬЮТЕР ДЕГЕН НЕ?"
    assert (out / "mini-kk/text/mini-kk-teacher.txt").is_file()
    assert re.search(r"^mini-kk\s+text\s+teacher\s+-\s+.*built$", built.stdout, re.M)

    # its course.toml table, checked against its options
    toml = course / "course.toml"
    toml.write_text(toml.read_text("utf-8") + "\n[text]\nindent = 2\n", "utf-8")
    built = run(plugins, "build", course, "-f", "text", "-o", out, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    learner = (out / "mini-kk/text/mini-kk-learner.txt").read_text("utf-8")
    assert learner.splitlines()[1] == "  1.1 Компьютер деген не?"
    line = len(toml.read_text("utf-8").splitlines())
    toml.write_text(toml.read_text("utf-8").replace("indent = 2", "indent = 20"), "utf-8")
    checked = run(plugins, "check", course, cwd=tmp_path)
    assert checked.returncode == 1
    assert f"course.toml:{line}:1: error: field 'text.indent' must be between 0 and 8" in (
        checked.stderr
    )
    assert "[config-value]" in checked.stderr

    # without the plugin, the table is an unknown one
    alone = run(tmp_path / "nothing", "check", course, cwd=tmp_path)
    assert alone.returncode == 1 and "unknown table '[text]'" in alone.stderr


@pytest.mark.slow
def test_a_broken_format_plugin_is_one_line(course: Path, tmp_path: Path) -> None:
    plugins = install_plugin(
        tmp_path / "plugins",
        "broken_fmt",
        "import not_installed_anywhere\n",
        "bad = broken_fmt:FORMAT",
    )
    result = run(plugins, "build", course, "-o", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "broken_fmt:FORMAT cannot be loaded" in result.stderr
    assert "[format-plugin]" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_second_format_of_the_same_name_is_refused(course: Path, tmp_path: Path) -> None:
    clash = TOY_FORMAT.replace('Format("text"', 'Format("pdf"')
    plugins = install_plugin(tmp_path / "plugins", "toy_pdf", clash, "pdf2 = toy_pdf:FORMAT")
    result = run(plugins, "check", course, cwd=tmp_path)
    assert result.returncode == 1
    assert "a second format named 'pdf'" in result.stderr and "Traceback" not in result.stderr


def test_docs_show_every_format_table_as_its_options_declare_it() -> None:
    from casekit.formats import formats
    from casekit.formats.options import options_markdown
    from tests.conftest import ROOT

    expected = "\n\n".join(
        options_markdown(name, fmt.options)
        for name, fmt in formats().items()
        if fmt.options.__dataclass_fields__
    )
    text = (ROOT / "docs" / "format.md").read_text("utf-8")
    start = text.index("-->\n", text.index("<!-- format tables")) + 4
    shown = text[start : text.index("\n<!-- end of format tables -->")]
    assert shown == expected, "docs/format.md should show:\n" + expected


TOY_PACKET = '''
"""A toy packet format: each learner's code and answer-sheet ids on the course title."""

from casekit.learners.packet_formats import PacketFormat


def body(course, scratch, large_print):
    return (course.config.title + (" (large print)" if large_print else "")).encode("utf-8")


def packet(body, pages):
    lines = [body.decode("utf-8"), pages.learner.code, pages.packet_id, *pages.sheet_ids]
    return ("\\n".join(lines) + "\\n").encode("utf-8")


TEXT = PacketFormat("txt", "Also a plain-text packet beside each PDF.", body, packet)
'''


@pytest.mark.slow
def test_a_packet_format_from_outside_casekit(tmp_path: Path) -> None:
    """Personal packets are a second plugin kind (``casekit.packet_formats``): a module
    and an entry point add a file per learner beside each PDF, behind its own flag."""
    from tests.learners_helpers import write_roster

    plugins = install_plugin(
        tmp_path / "plugins", "toy_packet", TOY_PACKET, "txt = toy_packet:TEXT"
    )
    (plugins / "toy_packet-1.0.dist-info" / "entry_points.txt").write_text(
        "[casekit.packet_formats]\ntxt = toy_packet:TEXT\n"
    )
    course = ROOT / "courses" / "digital-literacy-kk"
    register = str(tmp_path / "register.sqlite")
    env = {"CASEKIT_REGISTER": register}
    roster = write_roster(tmp_path / "roster.csv")
    assert run(plugins, "learners", "import", roster, cwd=tmp_path, env=env).returncode == 0
    enrol = ["--group", "G1", "--start", "2027-01-11", "--hours-per-week", "6"]
    assert run(plugins, "enrol", course, *enrol, cwd=tmp_path, env=env).returncode == 0

    shown = run(plugins, "packets", "--help", cwd=tmp_path, env=env)
    assert "--txt" in shown.stdout and "Also a plain-text packet" in shown.stdout
    assert "--docx" in shown.stdout

    out = tmp_path / "out"
    args = ("packets", course, "--group", "G1", "-o", out, "--txt", "-q")
    made = run(plugins, *args, cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    folder = out / "digital-literacy-kk-1.0.0" / "G1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "KZ-001.pdf",
        "KZ-001.txt",
        "KZ-002.pdf",
        "KZ-002.txt",
        "KZ-003.pdf",
        "KZ-003.txt",
        "issue-list.pdf",
    ]
    lines = (folder / "KZ-002.txt").read_text("utf-8").splitlines()
    assert lines[:2] == ["Сандық сауаттылық негіздері (large print)", "KZ-002"]
    assert len(lines) > 3 and all(line for line in lines)  # the sheet ids
    assert (folder / "KZ-001.txt").stat().st_mode & 0o777 == 0o600

    clash = TOY_PACKET.replace('PacketFormat("txt"', 'PacketFormat("docx"')
    again = install_plugin(tmp_path / "clash", "toy_packet", clash, "")
    (again / "toy_packet-1.0.dist-info" / "entry_points.txt").write_text(
        "[casekit.packet_formats]\ndocx = toy_packet:TEXT\n"
    )
    refused = run(again, *args[:-2], "-q", cwd=tmp_path, env=env)
    assert refused.returncode == 1
    assert "a second packet format named 'docx'" in refused.stderr
    assert "Traceback" not in refused.stderr
