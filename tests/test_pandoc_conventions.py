"""Pandoc, Quarto and Carpentries conventions read as their authors meant them."""

from __future__ import annotations

import subprocess
import textwrap
import types
from pathlib import Path

import pytest

from casekit import tree as t
from casekit.diagnostics import Diagnostics
from casekit.messages import messages
from casekit.parse.lesson import parse_lesson
from casekit.resolve.editions import apply_edition
from casekit.safety.svg import SvgError, drawable_svg, sanitize_svg
from tests.conftest import casekit


def parse(text: str) -> tuple[t.Lesson, Diagnostics]:
    diags = Diagnostics()
    return parse_lesson("a.md", textwrap.dedent(text), diags), diags


def blocks_of(text: str) -> list[t.Block]:
    lesson, _ = parse(text)
    return lesson.blocks


@pytest.mark.parametrize(
    ("source", "alt"),
    [
        ("![](f.svg){alt='A box'}", "A box"),
        ('![](f.svg){alt="A box"}', "A box"),
        (
            "![](f.svg){alt='Uses `ls {-l}` and \"quotes\"' width=50%}",
            'Uses `ls {-l}` and "quotes"',
        ),
        ('![Caption](f.svg){#fig-a alt="Say } and {"}', "Say } and {"),
        ('![Caption](f.svg){fig-alt="Quarto alt"}', "Quarto alt"),
    ],
)
def test_image_alt_attribute_is_read_whole(source: str, alt: str) -> None:
    [figure] = blocks_of(f"# T\n\n{source}\n")
    assert isinstance(figure, t.Figure)
    assert figure.alt == alt


def test_figure_without_caption_has_none_and_sizes_are_kept() -> None:
    [figure] = blocks_of("# T\n\n![](f.svg){alt='A' width=8cm height=\"40mm\"}\n")
    assert isinstance(figure, t.Figure)
    assert figure.caption == []
    assert (figure.width, figure.height) == ("8cm", "40mm")


def test_unreadable_size_is_a_warning() -> None:
    lesson, diags = parse("# T\n\n![A](f.svg){width=huge}\n")
    assert lesson.blocks[0].width == ""  # type: ignore[union-attr]
    assert [d.code for d in diags.items] == ["image-size"]


@pytest.mark.parametrize(
    ("fence", "language", "role"),
    [
        ("```bash", "bash", "command"),
        ("```{.bash}", "bash", "command"),
        ("```output", "", "output"),
        ("```error", "", "error"),
        ("```{.language-python}", "python", ""),
        ("```{python}", "python", ""),
        ("```r {.output}", "r", "output"),
    ],
)
def test_code_block_language_and_role(fence: str, language: str, role: str) -> None:
    [code] = blocks_of(f"# T\n\n{fence}\nx\n```\n")
    assert isinstance(code, t.CodeBlock)
    assert (code.language, code.role) == (language, role)


def test_kramdown_attribute_lines_apply_to_the_block_before() -> None:
    blocks = blocks_of(
        """\
        # T

        ~~~
        $ pwd
        ~~~
        {: .language-bash}

        > ## Paths
        > Which command goes home?
        >
        > > ## Solution
        > > `cd ~`
        > {: .solution}
        {: .challenge}
        """
    )
    code, exercise = blocks
    assert isinstance(code, t.CodeBlock) and code.role == "command"
    assert isinstance(exercise, t.Exercise)
    assert t.plain_text(exercise.title) == "Paths"
    solution = exercise.blocks[-1]
    assert isinstance(solution, t.Solution)
    assert not any(isinstance(b, t.Heading) for b in solution.blocks)


def test_kramdown_line_that_applies_to_nothing_is_a_warning_not_text() -> None:
    lesson, diags = parse("# T\n\nText.\n{: .challenge}\n")
    assert [d.code for d in diags.items] == ["kramdown-attributes"]
    assert "{:" not in t.plain_text(lesson.blocks[0].children)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "kind",
    ["questions", "prereq", "discussion", "spoiler", "checklist", "testimonial", "hint", "caution"],
)
def test_workbench_boxes_are_callouts_with_labels_in_every_language(kind: str) -> None:
    lesson, diags = parse(f"# T\n\n::: {kind}\nText.\n:::\n")
    assert not diags.items
    [box] = lesson.blocks
    assert isinstance(box, t.Callout) and box.kind == kind
    words = {messages(lang)(kind) for lang in ("kk", "ru", "en", "uk")}
    assert len(words) == 4  # a word of its own in each language


def test_instructor_notes_and_solutions_leave_the_learner_edition() -> None:
    lesson, _ = parse(
        """\
        # T

        ::: instructor
        SECRET
        :::

        ::: challenge
        Do it.

        ::: solution
        ## Solution
        Done.
        :::
        :::
        """
    )
    assert isinstance(lesson.blocks[0], t.Callout) and lesson.blocks[0].kind == "instructor"
    solution = lesson.blocks[1].blocks[-1]  # type: ignore[union-attr]
    assert isinstance(solution, t.Solution) and solution.title == []
    module = t.Module(1, "M", [lesson])
    config = types.SimpleNamespace(answers_appendix=False)
    course = t.Course(config=config, root=".", modules=[module])  # type: ignore[arg-type]
    learner = apply_edition(course, "learner")
    kept = list(t.iter_blocks(learner.modules[0].lessons[0].blocks))
    assert not any(isinstance(b, (t.Solution, t.Callout)) for b in kept)


def test_unknown_div_names_its_class() -> None:
    _, diags = parse("# T\n\n::: column-margin\nX\n:::\n")
    [warning] = diags.items
    assert warning.code == "unknown-div" and ".column-margin" in warning.message


# --------------------------------------------------------------------------- SVG

INKSCAPE_DOCTYPE = b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'


def test_doctype_of_drawing_programs_is_accepted_entities_are_not() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    assert sanitize_svg(INKSCAPE_DOCTYPE + svg).startswith(b"<svg")
    with pytest.raises(SvgError, match="DTDForbidden"):
        sanitize_svg(b'<!DOCTYPE svg [<!ENTITY a "b">]>' + svg)
    with pytest.raises(SvgError, match="DTDForbidden"):
        sanitize_svg(b'<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd">' + svg)


def test_invalid_ids_are_renamed_and_dangling_references_dropped() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<linearGradient id="1 grad"/><rect id="a" fill="url(#1 grad)" stroke="url(#gone)"'
        b' clip-path="url(#gone)"/><rect id="a"/><use xlink:href="#gone"/></svg>'
    )
    clean = sanitize_svg(svg).decode()
    assert 'id="id-1-grad"' in clean and 'fill="url(#id-1-grad)"' in clean
    assert 'stroke="none"' in clean and "clip-path" not in clean and "#gone" not in clean
    assert clean.count('id="a"') == 1 and 'id="a-2"' in clean


def test_switch_keeps_what_a_browser_draws() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><switch><foreignObject/>'
        b"<text>fallback</text><text>never</text></switch></svg>"
    )
    clean = sanitize_svg(svg).decode()
    assert "fallback" in clean and "never" not in clean


def test_nested_tspans_get_their_inherited_position() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><text><tspan font-size="9" font-weight="700">'
        b'<tspan x="30" y="40"><tspan fill="red">Hi</tspan></tspan></tspan></text></svg>'
    )
    flat = drawable_svg(sanitize_svg(svg)).decode()
    assert '<tspan font-size="9" font-weight="700" fill="red" x="30" y="40">Hi</tspan>' in flat


# --------------------------------------------------------------------------- languages


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return casekit(*args, cwd=cwd)


@pytest.mark.slow
def test_new_ukrainian_course_checks_and_builds(tmp_path: Path) -> None:
    assert run("new", "kurs", "--lang", "uk", cwd=tmp_path).returncode == 0
    check = run("check", "--strict", "kurs", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    build = run("build", "kurs", "-f", "html", "-o", "out", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    page = next((tmp_path / "out").rglob("*-learner.html")).read_text("utf-8")
    assert 'lang="uk"' in page and "Самоперевірка 1.1" in page and "Новий курс" in page


@pytest.mark.slow
def test_any_language_gets_english_labels_a_warning_and_its_own_tag(
    make_course, tmp_path: Path
) -> None:
    root = make_course({"a.md": "# A\n\n::: tip\nX\n:::\n"})
    toml = root / "course.toml"
    toml.write_text(
        toml.read_text("utf-8").replace('language = "en"', 'language = "de-AT"')
        + '\n[labels]\ntip = "Tipp"\nfigure = "Abbildung {number}"\n',
        "utf-8",
    )
    check = run("check", ".", cwd=root)
    assert check.returncode == 0
    assert "[language-labels]" in check.stderr
    build = run("build", ".", "-f", "html", "-o", str(tmp_path / "out"), cwd=root)
    assert build.returncode == 0, build.stderr
    page = next((tmp_path / "out").rglob("*-learner.html")).read_text("utf-8")
    assert 'lang="de-AT"' in page and ">Tipp<" in page and "Contents" in page


@pytest.mark.parametrize(
    ("labels", "message"),
    [('nonsense = "x"', "not a label"), ('figure = "Abb. {nummer}"', "placeholders")],
)
def test_bad_labels_name_the_field(make_course, labels: str, message: str) -> None:
    root = make_course({"a.md": "# A\n"})
    toml = root / "course.toml"
    toml.write_text(toml.read_text("utf-8") + f"\n[labels]\n{labels}\n", "utf-8")
    check = run("check", ".", cwd=root)
    assert check.returncode == 1 and message in check.stderr and "course.toml:" in check.stderr


def test_strict_failure_names_the_warnings_that_failed_it(make_course, tmp_path: Path) -> None:
    root = make_course({"a.md": "# A\n\n::: column-margin\nX\n:::\n"})
    build = run("build", ".", "--strict", "-f", "html", "-o", str(tmp_path / "out"), cwd=root)
    assert build.returncode == 1
    assert "[unknown-div]" in build.stderr and ".column-margin" in build.stderr
    assert "failed (0 errors, 1 warnings with --strict)" in build.stdout


def test_kbd_is_a_key_not_raw_html() -> None:
    lesson, diags = parse("# T\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>, or <b>not</b>.\n")
    children = lesson.blocks[0].children  # type: ignore[union-attr]
    assert [c.text for c in children if isinstance(c, t.Kbd)] == ["Ctrl", "C"]
    assert [d.code for d in diags.items] == ["raw-html"]  # <b> only, one per line
    assert "not" in t.plain_text(children) and "<b>" in diags.items[0].message
