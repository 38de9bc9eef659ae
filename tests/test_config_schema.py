"""course.toml is read through its declared schema: every problem is one diagnostic at
the line of its key, wherever the key is written (a table, an array of tables, a dotted
key, an inline table, after a multi-line value); the docs table is the schema's."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit.config.positions import key_lines
from casekit.config.schema import schema_markdown
from casekit.config.settings import CourseConfig, load_config
from casekit.diagnostics import Diagnostics
from casekit.formats.options import options_of
from casekit.formats.pdf import PdfOptions
from tests.conftest import COURSE_TOML, ROOT

BASE = COURSE_TOML.format(lessons='"a.md"')  # [[modules]] at line 10


def problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "course.toml").write_text(text, "utf-8")
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    assert (config is None) == diags.has_errors()
    return [str(d) for d in diags.sorted()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BASE + "\n[print]\nbooklet = true\nmargins_mm = 61\n",
            "course.toml:16:1: error: field 'print.margins_mm' must be between 5 and 60 "
            "(millimetres) [config-value]",
        ),
        (
            BASE + '\n[[modules]]\ntitle = "M2"\nlessons = []\n',
            "course.toml:16:1: error: field 'modules[2].lessons' must not be empty [config-value]",
        ),
        (
            BASE + '\n[[modules]]\nlessons = ["a.md"]\n',
            "course.toml:14:1: error: missing field 'modules[2].title' [config-missing-field]",
        ),
        (
            BASE.replace('authors = ["A"]', 'authors = [\n  "A",\n  """x\nsize = 1""",\n]').replace(
                'licence = "CC0"', 'licence = "CC0"\nbraille.cells = 7'
            ),
            "course.toml:13:1: error: field 'braille.cells' must be between 20 and 100 "
            "[config-value]",
        ),
        (
            BASE + '\n[labels]\nfigure = "Abb. {nummer}"\n',
            "course.toml:15:1: error: field 'labels.figure' may only use the placeholders "
            "['number'] in braces, not 'Abb. {nummer}' [config-value]",
        ),
        (
            BASE.replace('version = "1"', "version = 1.5"),
            "course.toml:4:1: error: field 'version' must be a string, not float [config-type]",
        ),
        (
            BASE + '\n[scorm]\n"mastery_score" = 101\n',
            "course.toml:15:1: error: field 'scorm.mastery_score' must be between 0 and 100 "
            "(percent) [config-value]",
        ),
        (
            'programme = "phd"\n' + BASE,
            "course.toml:1:1: error: field 'programme' must be one of mba, emba, dba, "
            "higher-special, academic-mobility, exchange-bachelor, exchange-master, not 'phd' "
            "[config-value]",
        ),
    ],
    ids=["table", "array", "missing", "dotted", "labels", "type", "quoted", "choices"],
)
def test_each_problem_is_one_line_at_its_key(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in problems(tmp_path, text)


def test_an_inline_table_is_checked_at_its_line(tmp_path: Path) -> None:
    text = BASE.replace('licence = "CC0"', 'licence = "CC0"\nprint = { paper = "B5" }')
    assert problems(tmp_path, text) == [
        "course.toml:9:1: error: field 'print.paper' must be one of A4, A5, Letter, "
        "not 'B5' [config-value]"
    ]


def test_a_good_file_reads_into_typed_settings(tmp_path: Path) -> None:
    text = BASE.replace('licence = "CC0"', 'licence = "CC0"\ncredits = 3\ndate2 = 1')
    assert problems(tmp_path, text)[0].startswith("course.toml:10:1: error: unknown field 'date2'")
    (tmp_path / "course.toml").write_text(
        BASE + "\n[print]\nmargins_mm = 20\n\n[pdf]\nbooklet = true\n", "utf-8"
    )
    config = load_config(tmp_path, Diagnostics())
    assert config is not None
    assert config.print.margins_mm == 20.0 and isinstance(config.print.margins_mm, float)
    assert config.modules[0].line == 10 and config.modules[0].lessons == ["a.md"]
    assert config.tables == {"pdf": {"booklet": True}}
    assert config.braille.cells == 40 and config.labels == {}


def test_key_lines_follow_toml_structure() -> None:
    text = (
        'a = """\n[not.a.table]\nb = 1\n"""\n'
        "c = [\n  1, # ]\n  2,\n]\n"
        "[[m]]\nx = 1\n[m.sub]\ny = 2\n[[m]]\nx = 'a#b'\n"
        '[t]\n"quoted key" = 1\nd.e = 2\n'
    )
    lines = key_lines(text)
    assert ("not", "a", "table") not in lines and ("b",) not in lines
    assert lines[("a",)] == 1 and lines[("c",)] == 5
    assert lines[("m", 0)] == 9 and lines[("m", 0, "x")] == 10
    assert lines[("m", 0, "sub", "y")] == 12
    assert lines[("m", 1, "x")] == 14
    assert lines[("t", "quoted key")] == 16 and lines[("t", "d", "e")] == 17


def test_format_options_take_their_range_from_the_course_setting() -> None:
    """The margin range, the papers and the Braille limits are declared once, in the
    course schema; the formats' options that fall back to them allow the same."""
    margins = {o.name: o for o in options_of(PdfOptions)}["margins_mm"]
    assert (margins.spec.minimum, margins.spec.maximum) == (5, 60)
    assert {o.name: o for o in options_of(PdfOptions)}["paper"].spec.choices == (
        "A4",
        "A5",
        "Letter",
    )


def test_docs_show_the_schema() -> None:
    text = (ROOT / "docs" / "format.md").read_text("utf-8")
    start = text.index("-->\n", text.index("<!-- course.toml keys")) + 4
    shown = text[start : text.index("\n<!-- end of course.toml keys -->")]
    assert shown == schema_markdown(CourseConfig), "regenerate docs/format.md from the schema"
