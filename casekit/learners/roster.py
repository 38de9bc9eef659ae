"""Read the roster CSV a facility keeps: learners, their groups and needs.

What Excel writes in kk/ru/en locales is accepted: UTF-8 with or without a
byte-order mark, ``;`` or ``,`` between fields, quoted fields (which may hold
the delimiter or a line break). Column names follow common LMS user imports
(Moodle's ``username``, ``firstname``, ``lastname``, ``cohort1`` are accepted
as the same columns). Every bad row is reported as ``roster.csv:LINE: ...``;
the caller writes nothing unless the whole file is good.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from casekit.config.settings import LANGUAGES
from casekit.diagnostics import Diagnostics
from casekit.learners.records import ACCOMMODATIONS, CODE, NAME, Learner, RosterRow

#: column -> what it holds; ``*`` marks the required ones
COLUMNS: dict[str, str] = {
    "code": "* the learner's code, unique in the register (letters, digits, . _ -)",
    "last_name": "* family name",
    "first_name": "* given name",
    "middle_name": "patronymic, if any",
    "group": "* the group (cohort) the learner studies with",
    "facility": "the facility's code",
    "facility_name": "the facility's full name",
    "language": f"{', '.join(LANGUAGES)}: the learner's language, if not the course's",
    "accommodations": "needs, separated by spaces: " + ", ".join(ACCOMMODATIONS),
}
ALIASES = {
    "username": "code",
    "idnumber": "code",
    "lastname": "last_name",
    "firstname": "first_name",
    "middlename": "middle_name",
    "cohort1": "group",
    "lang": "language",
}
REQUIRED = [name for name, text in COLUMNS.items() if text.startswith("*")]
MAX_BYTES = 20 * 1024 * 1024
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class _Field:
    line: int
    value: str


def read_roster(path: Path, diags: Diagnostics) -> list[RosterRow]:
    """The learners of a roster file; problems go to ``diags`` (any error: use none)."""
    where = str(path)
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as exc:
        diags.error(where, f"cannot read: {exc.strerror or exc}", "roster-read")
        return []
    if data is None:
        diags.error(where, "larger than 20 MB: not a roster", "roster-size")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error(
            where,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as "
            "'CSV UTF-8' and import it again",
            "roster-encoding",
            line,
            column,
        )
        return []
    if "\x00" in text:
        diags.error(where, "binary data, not a CSV file", "roster-encoding")
        return []
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for fields in reader:
            records.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as exc:
        diags.error(where, f"not valid CSV: {exc}", "roster-syntax", line)
        return []
    records = [(n, fields) for n, fields in records if any(f.strip() for f in fields)]
    if not records:
        diags.error(where, "the roster is empty", "roster-empty")
        return []
    header_line, header = records[0]
    columns = _columns(header, where, header_line, diags)
    if columns is None:
        return []
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    facilities: dict[str, tuple[str, int]] = {}
    for number, fields in records[1:]:
        if len(fields) > len(columns):
            diags.error(
                where,
                f"{len(fields)} fields but the header names {len(columns)} columns",
                "roster-row",
                number,
            )
            continue
        # a line break typed inside an Excel cell (Alt+Enter) is a space in a name
        values = {
            name: " ".join(fields[i].split()) if i < len(fields) else ""
            for i, name in enumerate(columns)
        }
        row = _row(values, where, number, diags)
        if row is None:
            continue
        code = row.learner.code
        if code in seen:
            diags.error(
                where,
                f"learner code {code!r} is already on line {seen[code]}",
                "roster-duplicate",
                number,
            )
            continue
        seen[code] = number
        group_facility = facilities.setdefault(row.learner.group, (row.learner.facility, number))
        if group_facility[0] != row.learner.facility:
            diags.error(
                where,
                f"group {row.learner.group!r} is at facility {group_facility[0]!r} on line "
                f"{group_facility[1]}, here at {row.learner.facility!r}",
                "roster-group",
                number,
            )
            continue
        rows.append(row)
    return rows


def _columns(header: list[str], where: str, line: int, diags: Diagnostics) -> list[str] | None:
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS]
    if unknown:
        diags.error(
            where,
            f"unknown column {unknown[0].strip()!r} (columns: {', '.join(COLUMNS)})",
            "roster-header",
            line,
        )
        return None
    for name in REQUIRED:
        if name not in names:
            diags.error(where, f"the column {name!r} is missing", "roster-header", line)
            return None
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        diags.error(where, f"the column {twice[0]!r} appears twice", "roster-header", line)
        return None
    return names


def _row(values: dict[str, str], where: str, line: int, diags: Diagnostics) -> RosterRow | None:
    def bad(message: str) -> None:
        diags.error(where, message, "roster-row", line)

    for name in REQUIRED:
        if not values.get(name):
            bad(f"the {name!r} field is empty")
            return None
    for name in ("code", "group", "facility"):
        value = values.get(name, "")
        if value and (len(value) > CODE or not CODE_PATTERN.fullmatch(value)):
            bad(
                f"{name} {value!r} must be up to {CODE} letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
            return None
    for name, value in values.items():
        if len(value) > NAME:
            bad(f"the {name!r} field is longer than {NAME} characters")
            return None
        if any(not c.isprintable() for c in value):
            bad(f"the {name!r} field holds control characters")
            return None
    language = values.get("language", "").lower()
    if language and language not in LANGUAGES:
        bad(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
        return None
    needs = tuple(sorted(set(values.get("accommodations", "").replace(",", " ").split())))
    unknown = [n for n in needs if n not in ACCOMMODATIONS]
    if unknown:
        bad(f"unknown accommodation {unknown[0]!r} (known: {', '.join(ACCOMMODATIONS)})")
        return None
    learner = Learner(
        code=values["code"],
        last_name=values["last_name"],
        first_name=values["first_name"],
        middle_name=values.get("middle_name", ""),
        group=values["group"],
        facility=values.get("facility", ""),
        language=language,
        accommodations=needs,
    )
    return RosterRow(learner, values.get("facility_name", ""))
