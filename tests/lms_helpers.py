"""What the LMS package tests share: a quiz course with hostile text, building one
format, the official schema files and the npm tools in .tools/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import etree, isoschematron

from tests.conftest import IN_CI, ROOT, casekit

#: a question text that uses every character GIFT reserves, and a backslash
HOSTILE = r"Что даёт {x} = ~y # z: a\b?"

LESSON = f"""\
# Сабақ / урок

::: {{.quiz #check title="Тексеру: {{1}}"}}
1. {HOSTILE}
   - [ ] Ответ ~ не = этот
   - [x] Ответ #{{верный}}: да

   ::: solution
   Потому что {{x}} = 1 \\\\ и всё.
   :::
2. Қайсысы дұрыс?
   - [x] Монитор
   - [x] Жүйелік блок
   - [ ] Терезе
   - [ ] Есік
3. Земля круглая.
   - [x] Верно
   - [ ] Неверно
4. Столица Казахстана?

   ::: answer
   Астана {{2}}
   :::
:::
"""

TOML = """\
id = "lms"
title = "Курс / тест"
language = "ru"
version = "1"
date = 2026-01-01
organisation = "Org"
authors = ["A"]
licence = "CC0"

[[modules]]
title = "Первый"
lessons = ["a.md"]

[[modules]]
title = "Без тестов"
lessons = ["b.md"]
"""

#: teacher-only text of tests/data/mini (its assignment and exercise solutions)
MINI_SOLUTIONS = ("«Жаңа қалта» таңдаңыз", "F2 пернесін басыңыз")


def schemas() -> Path:
    """The official schema files (../shared/lms-schemas, or $CASEKIT_LMS_SCHEMAS)."""
    folder = Path(os.environ.get("CASEKIT_LMS_SCHEMAS", ROOT.parent / "shared" / "lms-schemas"))
    if not (folder / "cc11").is_dir():
        if IN_CI:
            pytest.fail(f"the IMS schemas are not in {folder}")
        pytest.skip(f"the IMS schemas are not in {folder}")
    return folder


def cc_manifest_errors(manifest: etree._Element) -> list[str]:
    """What the official CC 1.1 manifest schema says against ``manifest``: its XSD, and
    the Schematron rules embedded in it (item, resource, dependency and file rules the
    XSD alone does not check; lxml's schema check of the embedded Schematron itself is
    skipped, as the IMS file uses a title there that ISO Schematron's grammar refuses)."""
    path = str(schemas() / "cc11" / "ccv1p1_imscp_v1p2_v1p0.xsd")
    xsd = etree.XMLSchema(etree.parse(path))
    rules = isoschematron.Schematron(etree.parse(path), validate_schema=False)
    errors = [] if xsd.validate(manifest) else [str(e) for e in xsd.error_log]
    if not rules.validate(manifest):
        errors += [etree.fromstring(e.message).findtext("{*}text").strip() for e in rules.error_log]
    return errors


def build_format(course: Path, name: str) -> Path:
    """Build format ``name`` of ``course`` into ``course/build``; its output folder."""
    done = casekit(
        "build", "-f", name, "-o", course / "build", course, env={"SOURCE_DATE_EPOCH": "1767225600"}
    )
    assert done.returncode == 0, done.stderr
    (folder,) = (course / "build").glob(f"*/{name}")
    return folder


def node_tool(path: str) -> Path:
    """``path`` under .tools/node_modules (scripts/install-system-deps.sh), or under
    $CASEKIT_NODE_TOOLS; in CI a missing tool fails the test, elsewhere it skips."""
    tools = Path(os.environ.get("CASEKIT_NODE_TOOLS", ROOT / ".tools"))
    found = tools / "node_modules" / path
    if shutil.which("node") is None or not found.exists():
        message = f"node or {path} is not installed (make system-deps installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found
