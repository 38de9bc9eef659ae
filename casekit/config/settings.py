"""Load ``course.toml`` into typed course settings.

The dataclasses below are the schema of ``course.toml`` (``config/schema.py``): each
key's type, default, range or allowed values and help are declared once, and the
loader, the errors (one line naming the key and its line), the formats' fallbacks and
the table in docs/format.md all come from them.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casekit.config.dlt import CREDIT_LIMITS
from casekit.config.positions import field_path, key_lines, line_of
from casekit.config.schema import Reader, Spec, keys_of, setting
from casekit.diagnostics import Diagnostics
from casekit.messages import BUILT_IN, built_in_language, label_names, label_placeholders
from casekit.safety.sourcetext import read_source_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COURSE_FILE = "course.toml"
LANGUAGES = BUILT_IN  # the languages casekit has labels (and importer vocabulary) for
#: a well-formed BCP 47 language tag (RFC 5646 syntax: language, script, region, variants,
#: extensions, private use), e.g. ``uk``, ``sr-Cyrl-RS``, ``kk-KZ``
BCP47_PATTERN = (
    r"(?i)(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?"
)
BCP47 = re.compile(BCP47_PATTERN + r"\Z")  # used with .match
#: paper sizes casekit prints on, width and height in millimetres
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "A4": (210.0, 297.0),
    "A5": (148.0, 210.0),
    "Letter": (215.9, 279.4),
}
PAPERS = tuple(PAPER_SIZES_MM)


@dataclass
class PrintOptions:
    """The ``[print]`` table: page settings of every printed format."""

    paper: str = setting("A4", "Paper size.", choices=PAPERS)
    margins_mm: float = setting(
        20.0, "Page margins in millimetres.", minimum=5, maximum=60, unit="millimetres"
    )
    booklet: bool = setting(False, "PDF: A5 pages imposed two-up on A4 for saddle-stitch printing.")
    large_print: bool = setting(
        False, "PDF/DOCX: body text of 18 pt or more, for learners with low vision."
    )


@dataclass
class BrailleOptions:
    """The Braille edition (``-f brf``): page geometry and contraction."""

    cells: int = setting(40, "Cells per line.", minimum=20, maximum=100)
    lines: int = setting(
        25, "Lines per page, the page-number line included.", minimum=10, maximum=50
    )
    grade: int = setting(
        1,
        "1 uncontracted; 2 contracted where liblouis has a table (en, ru).",
        minimum=1,
        maximum=2,
    )


@dataclass
class NarrationOptions:
    """Spoken lessons (espeak-ng): in the USB bundle, and in the EPUB with embedded media."""

    enabled: bool = setting(False, "Read every lesson aloud.")


@dataclass
class FontOptions:
    """Font files (inside the course folder) replacing the bundled DejaVu fonts."""

    regular: str = setting("", "TrueType (`.ttf`) file of the regular face.")
    bold: str = setting("", "Bold face.")
    italic: str = setting("", "Italic face.")
    bold_italic: str = setting("", "Bold italic face.")
    mono: str = setting("", "Monospaced face (code).")
    mono_bold: str = setting("", "Bold monospaced face.")


@dataclass
class ScormOptions:
    """The ``[scorm]`` table: how ``-f scorm12`` cuts the course into SCOs."""

    one_sco: bool = setting(False, "One SCO for the whole course instead of one per lesson.")
    mastery_score: int = setting(
        80,
        "Percent of a SCO's quiz questions a learner must get right to pass.",
        minimum=0,
        maximum=100,
        unit="percent",
    )


@dataclass
class ModuleConfig:
    title: str = setting(help="Module title. Modules are numbered 1, 2, ... in this order.")
    lessons: list[str] = setting(
        help="Lesson files, relative to the course folder, in order (at least one).",
        minimum=1,
    )
    line: int = 1  # of its ``[[modules]]`` header


def _label_problem(entry: tuple[str, str]) -> str | None:
    key, value = entry
    try:
        value.format(**{name: "" for name in label_placeholders(key)})
    except (KeyError, IndexError, ValueError):
        allowed = label_placeholders(key) or "none"
        return f"may only use the placeholders {allowed} in braces, not {value!r}"
    return None


@dataclass
class CourseConfig:
    """The keys of ``course.toml``."""

    id: str = setting(
        help="Course id. Names the output folder `build/<id>/` and the output files.",
        pattern=r"[a-z0-9][a-z0-9-]{0,63}",
        pattern_help="lower-case letters, digits and '-' (at most 64)",
    )
    title: str = setting(help="Course title (cover, page titles, metadata).")
    language: str = setting(
        help="A BCP 47 tag (`kk`, `ru`, `en`, `uk`, `en-GB`, `de-AT` ...). Every output is "
        'tagged with it as written. casekit\'s own labels ("Video", "Solution", ...) are '
        "built in for `kk`, `ru`, `en` and `uk` (by the tag's first part); any other language "
        "gets English labels and a `language-labels` warning: reword them in `[labels]`.",
        pattern=BCP47_PATTERN,
        pattern_help="a BCP 47 language tag (kk, ru, en, uk, ...)",
    )
    version: str = setting(help="Course version, printed with the title.")
    date: dt.date = setting(
        help="`2026-09-01` (a TOML date or a string in that form). The date printed, and the "
        "fixed timestamp of outputs unless `SOURCE_DATE_EPOCH` is set."
    )
    organisation: str = setting(help="Issuing organisation.")
    authors: list[str] = setting(help="Authors.")
    licence: str = setting(help="Licence of the material, e.g. `CC BY-SA 4.0`.")
    modules: list[ModuleConfig] = setting(help="The ordered modules (at least one).", minimum=1)
    subtitle: str = setting("", "Shown under the title.")
    credits: int | float | None = setting(
        None,
        "Academic credits. 1 credit = 30 academic hours; `check` warns when the lessons' "
        "`hours` add up to more than 10% away from `credits × 30`.",
        minimum=0,
        maximum=1000,
        unit="credits",
    )
    programme: str = setting(
        "",
        "DLT programme type for the credit limits checked by `casekit enrol` "
        "([learners.md](learners.md)).",
        choices=tuple(CREDIT_LIMITS),
    )
    level: str = setting("", 'Programme level, e.g. "Adult continuing education".')
    outcomes: list[str] = setting([], "Course learning outcomes.")
    media_base_url: str = setting(
        "",
        "An `http(s)://` URL (e.g. a facility's intranet server). When set, QR codes and "
        "media links point to `media_base_url + bundle path`; otherwise they hold the bundle "
        "path itself (see [Media](#media)).",
        pattern=r"https?://\S+",
        pattern_help="an http(s) URL",
    )
    answers_appendix: bool = setting(
        False,
        "`true`: the learner edition gets an appendix with the quiz answers (self-check). "
        "Default `false`: learners get no answers at all.",
    )
    templates: str = setting(
        "",
        "A folder inside the course whose files replace casekit's templates of the same "
        "relative name, e.g. `templates/html/style.css`. `docx/reference.docx` there gives the "
        "DOCX its styles, page header and footer (a letterhead): start from casekit's "
        "`templates/docx/reference.docx` or a casekit DOCX restyled in Word or LibreOffice; "
        "styles it lacks are added.",
    )
    allow_html: bool = setting(
        False,
        "`true` lets a safe subset of raw HTML through: the text-level tags `b i em strong "
        "sub sup br wbr kbd abbr span small mark u ins s del q cite code dfn var samp`, with "
        "no attribute but `title`. The HTML-based outputs keep them as markup; the PDF and the "
        "DOCX draw them (bold, italic, underline, strike-through, sub- and superscript, "
        "smaller text, a highlight, monospace, a key cap, quotation marks of the course's "
        "language, an abbreviation followed by its `title` in parentheses, line breaks), and a "
        "raw HTML block becomes a paragraph. Everything else is left out (a `raw-html` warning "
        "names it); `<script>`, `<style>`, `<iframe>` and the like lose their content too. "
        "Default `false`: no tag is kept, only the text between tags (`H<sub>2</sub>O` reads "
        "H2O, `<br>` breaks the line, a raw HTML block becomes a paragraph of its text; "
        "scripts, styles and comments go whole), with one `raw-html` warning per line naming "
        "the tags. `<kbd>` is a key cap either way.",
    )
    stick_size: str = setting(
        "",
        'USB bundle: fail the build when the bundle would not fit a stick of this size, e.g. `"8GB"`.',
    )
    print: PrintOptions = setting(
        PrintOptions,
        "Print options for PDF and DOCX (the CLI's `--paper`, `--margins`, `--booklet`, "
        "`--large-print` and the `[pdf]`/`[docx]` tables override them).",
    )
    braille: BrailleOptions = setting(
        BrailleOptions, "The Braille edition; see [braille.md](braille.md)."
    )
    narration: NarrationOptions = setting(
        NarrationOptions,
        "Every lesson read aloud (USB viewer, EPUB with embedded media); see "
        "[narration.md](narration.md). The CLI's `--narrate`/`--no-narrate` override it.",
    )
    fonts: FontOptions = setting(
        FontOptions,
        "Font files (paths inside the course folder) replacing the bundled DejaVu fonts, which "
        "cover Kazakh, Russian and English. A replacement font must cover every character of "
        "the course.",
    )
    scorm: ScormOptions = setting(
        ScormOptions, "The SCORM 1.2 package (`-f scorm12`, [docs/moodle.md](moodle.md))."
    )
    labels: dict[str, str] = setting(
        {},
        'The course\'s own wording of any label casekit adds, by name: `tip = "Tipp"`, '
        '`figure = "Abbildung {number}"`. Names and `{placeholders}` are those of '
        "`casekit/messages/en.toml`; an unknown name or placeholder is an error.",
        keys=label_names,
        check=_label_problem,
    )
    #: the formats' own tables (``[pdf]``, ``[usb]``, ...) as written; the build checks
    #: each against its format's options (``formats/options.py``)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)


def setting_spec(dotted: str) -> Spec:
    """The declaration of a course setting by its dotted name (``"print.margins_mm"``),
    for a format option that falls back to it."""
    schema: Any = CourseConfig
    spec = None
    for part in dotted.split("."):
        key = {k.name: k for k in keys_of(schema)}[part]
        schema, spec = key.table, key.spec
    assert spec is not None
    return spec


def config_field_line(root: Path, field: str) -> int:
    """The line of ``course.toml`` in ``root`` where ``field`` (``"templates"``, a dotted
    ``"fonts.regular"`` or ``"modules[2].lessons"``) is set; 1 when it cannot be told."""
    try:
        text = (root / COURSE_FILE).read_text("utf-8", "replace")
    except OSError:
        return 1
    return line_of(key_lines(text), field_path(field))


def load_config(root: Path, diags: Diagnostics) -> CourseConfig | None:
    """Read ``root/course.toml``; returns ``None`` when it cannot be used at all."""
    path = COURSE_FILE
    file = root / COURSE_FILE
    if not file.is_file():
        diags.error(path, f"no {COURSE_FILE} in {root}", "config-missing")
        return None
    text = read_source_text(file, path, diags)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line, col = (int(match[1]), int(match[2])) if match else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        diags.error(path, f"invalid TOML: {message}", "config-syntax", line, col)
        return None
    except RecursionError:
        diags.error(path, "invalid TOML: values nested too deeply", "config-syntax")
        return None
    lines = key_lines(text)
    config: CourseConfig | None = Reader(path, lines, diags).table(CourseConfig, data)
    if config is None:
        return None
    if built_in_language(config.language) is None:
        diags.warning(
            path,
            f"casekit has no labels in {config.language!r} (built in: {', '.join(BUILT_IN)}): "
            "English labels are used; reword them in a [labels] table",
            "language-labels",
            lines.get(("language",), 1),
        )
    if config.media_base_url:
        config.media_base_url = config.media_base_url.rstrip("/") + "/"
    return config
