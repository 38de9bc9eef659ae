"""Load ``course.toml`` into typed course settings; every error names the field."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casekit.config.dlt import CREDIT_LIMITS
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
BCP47 = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?$",
    re.I,
)
PAPERS = ("A4", "A5", "Letter")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass
class PrintOptions:
    paper: str = "A4"
    margins_mm: float = 20.0
    booklet: bool = False
    large_print: bool = False


@dataclass
class BrailleOptions:
    """The Braille edition (``-f brf``): page geometry and contraction."""

    cells: int = 40  # per line
    lines: int = 25  # per page, the page-number line included
    grade: int = 1  # 1 uncontracted; 2 contracted where liblouis has a table (en, ru)


@dataclass
class NarrationOptions:
    """Spoken lessons (espeak-ng): in the USB bundle, and in the EPUB with embedded media."""

    enabled: bool = False


BRAILLE_LIMITS = {"cells": (20, 100), "lines": (10, 50), "grade": (1, 2)}


@dataclass
class FontOptions:
    """Font files (inside the course folder) replacing the bundled DejaVu fonts."""

    regular: str = ""
    bold: str = ""
    italic: str = ""
    bold_italic: str = ""
    mono: str = ""
    mono_bold: str = ""


@dataclass
class ScormOptions:
    """The ``[scorm]`` table: how ``-f scorm12`` cuts the course into SCOs."""

    one_sco: bool = False  # one SCO for the whole course instead of one per lesson
    mastery_score: int = 80  # percent of a SCO's questions right to pass


@dataclass
class ModuleConfig:
    title: str
    lessons: list[str]
    line: int = 1


@dataclass
class CourseConfig:
    id: str
    title: str
    language: str
    version: str
    date: dt.date
    organisation: str
    authors: list[str]
    licence: str
    modules: list[ModuleConfig]
    subtitle: str = ""
    credits: float | None = None
    programme: str = ""  # DLT programme type for the credit limits (casekit.config.dlt)
    level: str = ""
    outcomes: list[str] = field(default_factory=list)
    media_base_url: str = ""
    answers_appendix: bool = False
    templates: str = ""
    allow_html: bool = False
    stick_size: str = ""
    print: PrintOptions = field(default_factory=PrintOptions)
    braille: BrailleOptions = field(default_factory=BrailleOptions)
    narration: NarrationOptions = field(default_factory=NarrationOptions)
    fonts: FontOptions = field(default_factory=FontOptions)
    #: the formats' own tables (``[pdf]``, ``[usb]``, ...) as written; the build checks
    #: each against its format's options (``formats/options.py``)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    scorm: ScormOptions = field(default_factory=ScormOptions)
    labels: dict[str, str] = field(default_factory=dict)  # the course's own wording of labels


# field name -> (expected type(s), required, human description)
_TOP: dict[str, tuple[tuple[type, ...], bool, str]] = {
    "id": ((str,), True, "a string"),
    "title": ((str,), True, "a string"),
    "subtitle": ((str,), False, "a string"),
    "language": ((str,), True, "a string"),
    "version": ((str,), True, "a string"),
    "date": ((dt.date, str), True, "a date (YYYY-MM-DD)"),
    "organisation": ((str,), True, "a string"),
    "authors": ((list,), True, "a list of strings"),
    "licence": ((str,), True, "a string"),
    "credits": ((int, float), False, "a number"),
    "programme": ((str,), False, "a programme type"),
    "level": ((str,), False, "a string"),
    "outcomes": ((list,), False, "a list of strings"),
    "media_base_url": ((str,), False, "a string"),
    "answers_appendix": ((bool,), False, "true or false"),
    "templates": ((str,), False, "a folder path"),
    "allow_html": ((bool,), False, "true or false"),
    "stick_size": ((str,), False, 'a size such as "8GB"'),
    "print": ((dict,), False, "a table"),
    "braille": ((dict,), False, "a table"),
    "narration": ((dict,), False, "a table"),
    "fonts": ((dict,), False, "a table"),
    "scorm": ((dict,), False, "a table"),
    "labels": ((dict,), False, "a table of label names and texts"),
    "modules": ((list,), True, "an array of tables ([[modules]])"),
}
_PRINT: dict[str, tuple[tuple[type, ...], str]] = {
    "paper": ((str,), "A4, A5 or Letter"),
    "margins_mm": ((int, float), "a number"),
    "booklet": ((bool,), "true or false"),
    "large_print": ((bool,), "true or false"),
}
_BRAILLE = {
    name: ((int,), f"a whole number from {low} to {high}")
    for name, (low, high) in BRAILLE_LIMITS.items()
}
_NARRATION = {"enabled": ((bool,), "true or false")}
_SCORM: dict[str, tuple[tuple[type, ...], str]] = {
    "one_sco": ((bool,), "true or false"),
    "mastery_score": ((int,), "a whole number of percent"),
}
_FONTS = {name: ((str,), "a font file path") for name in FontOptions.__dataclass_fields__}
_MODULE: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "a string"),
    "lessons": ((list,), "a list of lesson file paths"),
}


def _key_line(text: str, key: str, after: int = 0) -> int:
    """The line where ``key =`` (or ``[key]``) is written, at or after line ``after``."""
    pattern = re.compile(rf"^\s*(\[+\s*{re.escape(key)}\s*\]+|{re.escape(key)}\s*=)", re.M)
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= after and pattern.match(line):
            return number
    return 1


def config_field_line(root: Path, field: str) -> int:
    """The line of ``course.toml`` in ``root`` where ``field`` (``"templates"`` or a
    dotted ``"fonts.regular"``) is set; 1 when it cannot be told."""
    try:
        text = (root / COURSE_FILE).read_text("utf-8", "replace")
    except OSError:
        return 1
    table, _, key = field.rpartition(".")
    return _key_line(text, key, _key_line(text, table) if table else 0)


def _module_lines(text: str) -> list[int]:
    return [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if re.match(r"^\s*\[\[\s*modules\s*\]\]", line)
    ]


def _is_type(value: Any, types: tuple[type, ...]) -> bool:
    if bool in types:
        return isinstance(value, bool)
    return isinstance(value, types) and not isinstance(value, bool)


def _check_table(
    table: dict[str, Any],
    spec: dict[str, tuple[tuple[type, ...], str]],
    where: str,
    text: str,
    path: str,
    diags: Diagnostics,
    line_after: int = 0,
) -> dict[str, Any]:
    good: dict[str, Any] = {}
    for key, value in table.items():
        line = _key_line(text, key, line_after)
        if key not in spec:
            known = ", ".join(sorted(spec))
            diags.add(
                path,
                line,
                1,
                "error",
                "config-unknown-field",
                f"unknown field '{where}{key}' (known fields: {known})",
            )
            continue
        types, description = spec[key]
        if not _is_type(value, types):
            diags.add(
                path,
                line,
                1,
                "error",
                "config-type",
                f"field '{where}{key}' must be {description}, not {type(value).__name__}",
            )
            continue
        good[key] = value
    return good


def load_config(root: Path, diags: Diagnostics) -> CourseConfig | None:
    """Read ``root/course.toml``; returns ``None`` when it cannot be used at all."""
    path = COURSE_FILE
    file = root / COURSE_FILE
    if not file.is_file():
        diags.add(path, 1, 1, "error", "config-missing", f"no {COURSE_FILE} in {root}")
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
        diags.add(path, line, col, "error", "config-syntax", f"invalid TOML: {message}")
        return None
    except RecursionError:
        diags.add(path, 1, 1, "error", "config-syntax", "invalid TOML: values nested too deeply")
        return None

    top = {key: (types, desc) for key, (types, _req, desc) in _TOP.items()}
    tables = {k: v for k, v in data.items() if k not in _TOP and isinstance(v, dict)}
    fields = {k: v for k, v in data.items() if k not in tables}
    good = _check_table(fields, top, "", text, path, diags)
    missing = [key for key, (_t, required, _d) in _TOP.items() if required and key not in data]
    for key in missing:
        diags.add(path, 1, 1, "error", "config-missing-field", f"missing field '{key}'")
    if any(key not in good for key, (_t, req, _d) in _TOP.items() if req):
        return None

    ok = True

    def field_error(key: str, message: str, code: str = "config-value") -> None:
        nonlocal ok
        ok = False
        line = _key_line(text, key.rpartition(".")[2])
        diags.add(path, line, 1, "error", code, f"field '{key}' {message}")

    if not ID_PATTERN.match(good["id"]):
        field_error(
            "id", f"must be lower-case letters, digits and '-' (at most 64), not {good['id']!r}"
        )
    if not BCP47.match(good["language"]):
        field_error(
            "language",
            f"must be a BCP 47 language tag (kk, ru, en, uk, ...), not {good['language']!r}",
        )
    elif built_in_language(good["language"]) is None:
        diags.add(
            path,
            _key_line(text, "language"),
            1,
            "warning",
            "language-labels",
            f"casekit has no labels in {good['language']!r} (built in: {', '.join(BUILT_IN)}): "
            "English labels are used; reword them in a [labels] table",
        )
    labels = good.get("labels", {})
    for key, value in labels.items():
        if key not in label_names():
            field_error(
                f"labels.{key}",
                f"is not a label casekit adds; known: {', '.join(sorted(label_names()))}",
                "config-unknown-field",
            )
        elif not isinstance(value, str):
            field_error(f"labels.{key}", "must be a string", "config-type")
        else:
            try:
                value.format(**{name: "" for name in label_placeholders(key)})
            except (KeyError, IndexError, ValueError):
                field_error(
                    f"labels.{key}",
                    f"may only use the placeholders {label_placeholders(key) or 'none'} in braces, not {value!r}",
                )
    date = good["date"]
    if isinstance(date, dt.datetime):
        date = date.date()
    elif isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            field_error("date", f"must be a date like 2026-09-01, not {date!r}")
            date = dt.date(1970, 1, 1)
    for key in ("authors", "outcomes"):
        if key in good and not all(isinstance(v, str) for v in good[key]):
            field_error(key, "must be a list of strings", "config-type")
    url = good.get("media_base_url", "")
    if url and not re.match(r"^https?://[^\s]+$", url):
        field_error("media_base_url", f"must be an http(s) URL, not {url!r}")
    if "credits" in good and good["credits"] < 0:
        field_error("credits", "must not be negative")
    elif "credits" in good and not good["credits"] <= 1000:  # also inf and nan
        field_error("credits", "must be a number of credits up to 1000")

    programme = good.get("programme", "")
    if programme and programme not in CREDIT_LIMITS:
        field_error("programme", f"must be one of {', '.join(CREDIT_LIMITS)}, not {programme!r}")

    print_options = PrintOptions(
        **_check_table(
            good.get("print", {}), _PRINT, "print.", text, path, diags, _key_line(text, "print")
        )
    )
    if print_options.paper not in PAPERS:
        field_error("paper", f"must be one of {', '.join(PAPERS)}, not {print_options.paper!r}")
    if not 5 <= print_options.margins_mm <= 60:
        field_error("margins_mm", "must be between 5 and 60 (millimetres)")
    braille = BrailleOptions(
        **_check_table(
            good.get("braille", {}),
            _BRAILLE,
            "braille.",
            text,
            path,
            diags,
            _key_line(text, "braille"),
        )
    )
    for key, (low, high) in BRAILLE_LIMITS.items():
        if not low <= getattr(braille, key) <= high:
            field_error(f"braille.{key}", f"must be a whole number from {low} to {high}")
    narration = NarrationOptions(
        **_check_table(
            good.get("narration", {}),
            _NARRATION,
            "narration.",
            text,
            path,
            diags,
            _key_line(text, "narration"),
        )
    )
    fonts = FontOptions(
        **_check_table(
            good.get("fonts", {}), _FONTS, "fonts.", text, path, diags, _key_line(text, "fonts")
        )
    )
    scorm = ScormOptions(
        **_check_table(
            good.get("scorm", {}), _SCORM, "scorm.", text, path, diags, _key_line(text, "scorm")
        )
    )
    if not 0 <= scorm.mastery_score <= 100:
        field_error("scorm.mastery_score", "must be between 0 and 100 (percent)")

    modules: list[ModuleConfig] = []
    lines = _module_lines(text)
    if not good["modules"]:
        field_error("modules", "must list at least one module")
    for index, raw in enumerate(good["modules"], start=1):
        line = lines[index - 1] if index - 1 < len(lines) else _key_line(text, "modules")
        where = f"modules[{index}]."
        if not isinstance(raw, dict):
            diags.add(
                path, line, 1, "error", "config-type", f"field 'modules[{index}]' must be a table"
            )
            ok = False
            continue
        mod = _check_table(raw, _MODULE, where, text, path, diags, line)
        for key in _MODULE:
            if key not in mod and key not in raw:
                diags.add(
                    path, line, 1, "error", "config-missing-field", f"missing field '{where}{key}'"
                )
        if "title" not in mod or "lessons" not in mod:
            ok = False
            continue
        if not mod["lessons"] or not all(isinstance(v, str) for v in mod["lessons"]):
            diags.add(
                path,
                _key_line(text, "lessons", line),
                1,
                "error",
                "config-type",
                f"field '{where}lessons' must be a non-empty list of lesson file paths",
            )
            ok = False
            continue
        modules.append(ModuleConfig(mod["title"], list(mod["lessons"]), line))

    if not ok or diags.has_errors():
        return None
    return CourseConfig(
        id=good["id"],
        title=good["title"],
        language=good["language"],
        version=good["version"],
        date=date,
        organisation=good["organisation"],
        authors=list(good["authors"]),
        licence=good["licence"],
        modules=modules,
        subtitle=good.get("subtitle", ""),
        credits=good.get("credits"),
        programme=programme,
        level=good.get("level", ""),
        outcomes=list(good.get("outcomes", [])),
        media_base_url=url.rstrip("/") + "/" if url else "",
        answers_appendix=good.get("answers_appendix", False),
        templates=good.get("templates", ""),
        allow_html=good.get("allow_html", False),
        stick_size=good.get("stick_size", ""),
        print=print_options,
        braille=braille,
        narration=narration,
        fonts=fonts,
        tables=tables,
        scorm=scorm,
        labels=dict(labels),
    )
