"""``-f cc``: the Common Cartridge 1.1 package against the official IMS schemas (CC 1.1
manifest, CC QTI 1.2.1 profile), closed (every path inside, every file in the manifest)
and free of teacher material; quizzes graded as the course marks them."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from tests.conftest import ROOT, casekit
from tests.lms_helpers import (
    HOSTILE,
    LESSON,
    MINI_SOLUTIONS,
    TOML,
    build_format,
    cc_manifest_errors,
    schemas,
)

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
ASSOCIATED = "associatedcontent/imscc_xmlv1p1/learning-application-resource"


def build_cc(course: Path) -> Path:
    (package,) = build_format(course, "cc").glob("*.imscc")
    return package


def read(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_cartridge_valid_closed_and_for_learners(mini_course: Path) -> None:
    package = build_cc(mini_course)
    files = read(package)
    folder = schemas()
    manifest = etree.fromstring(files["imsmanifest.xml"])
    assert cc_manifest_errors(manifest) == []
    qti = etree.XMLSchema(etree.parse(str(folder / "cc11" / "ccv1p1_qtiasiv1p2p1_v1p0.xsd")))
    resources = manifest.findall(f".//{CP}resource")
    listed = {f.get("href") for f in manifest.iter(f"{CP}file")}
    # no file outside the manifest, and every file the manifest names is in the package
    assert listed == set(files) - {"imsmanifest.xml"}
    for resource in resources:
        assert resource.get("href") in (None, *listed)
        if resource.get("type") == "imsqti_xmlv1p2/imscc_xmlv1p1/assessment":
            (href,) = [f.get("href") for f in resource.iter(f"{CP}file")]
            assert qti.validate(etree.fromstring(files[href])), qti.error_log
    refs = {r.get("identifier") for r in resources}
    assert {i.get("identifierref") for i in manifest.iter(f"{CP}item")} - {None} <= refs
    # the organization mirrors the course: modules, then each lesson and its quizzes
    (root,) = manifest.find(f"{CP}organizations/{CP}organization").findall(f"{CP}item")
    titles = [
        [item.findtext(f"{CP}title") for item in module.findall(f"{CP}item")]
        for module in root.findall(f"{CP}item")
    ]
    assert titles[0] == [
        "1.1 Компьютер деген не?",
        "Өзін-өзі тексеру 1.1: Бөліктерді тексеру",
        "1.2 Файлдар мен қалталар",
        "1.1-тапсырма: Өз қалтаңызды жасаңыз",  # the assignment: an item of its own
    ]
    # every link and image of a page resolves inside the package
    pages = [name for name in files if name.endswith(".html")]
    assert len(pages) == 4
    for page in pages:
        html = files[page].decode("utf-8")
        for target in re.findall(r'(?:src|href)="([^"#][^"]*)"', html):
            parts = urlsplit(target)
            assert not parts.scheme and not parts.netloc, (page, target)
            path = PurePosixPath(page).parent / unquote(parts.path)
            assert str(path) in files, (page, target)
        assert "<script" not in html
    # nothing of the teacher edition
    for name, data in files.items():
        text = data.decode("utf-8", "replace")
        for solution in MINI_SOLUTIONS:
            assert solution not in text, name
        assert 'class="correct"' not in text, name
    # same sources, same bytes
    first = package.read_bytes()
    package.unlink()
    assert build_cc(mini_course).read_bytes() == first


def test_quizzes_graded_as_the_course_marks_them(make_course: Callable[..., Path]) -> None:
    course = make_course({"a.md": LESSON, "b.md": "# Б\n\nТекст.\n"}, toml=TOML)
    files = read(build_cc(course))
    assessments = [name for name in files if name.endswith("assessment.xml")]
    assert len(assessments) == 1
    items = etree.fromstring(files[assessments[0]]).findall(f".//{QTI}item")

    def field(item: etree._Element) -> str:
        return item.findtext(f".//{QTI}fieldentry")

    def choices(item: etree._Element) -> list[tuple[str, str]]:
        return [
            (label.get("ident"), label.findtext(f".//{QTI}mattext"))
            for label in item.iter(f"{QTI}response_label")
        ]

    def right(item: etree._Element) -> set[str]:
        """The labels the grading condition wants ticked."""
        return {v.text for v in item.iter(f"{QTI}varequal") if v.getparent().tag != f"{QTI}not"}

    single, multiple, truefalse, short = items
    assert [field(i) for i in items] == [
        "cc.multiple_choice.v0p1",
        "cc.multiple_response.v0p1",
        "cc.true_false.v0p1",
        "cc.fib.v0p1",
    ]
    text = etree.fromstring(files[assessments[0]]).findtext(f".//{QTI}item//{QTI}mattext")
    assert text == f"<p>{HOSTILE.replace('&', '&amp;')}</p>"
    labels = choices(single)
    assert [t for _, t in labels] == ["Ответ ~ не = этот", "Ответ #{верный}: да"]
    assert right(single) == {labels[1][0]}
    labels = choices(multiple)
    assert right(multiple) == {labels[0][0], labels[1][0]}
    assert len(list(multiple.iter(f"{QTI}not"))) == 2
    assert right(truefalse) == {choices(truefalse)[0][0]}
    assert right(short) == {"Астана {2}"}
    for name, data in files.items():
        assert "Потому что" not in data.decode("utf-8", "replace"), name


def test_listed_in_build_help() -> None:
    done = casekit("build", "--help")
    assert "cc" in re.findall(r"\b[a-z0-9-]+\b", done.stdout)


MOODLE_LESSON = """\
# A

Схема: ![Схема](media/схема 1.png). Дальше [урок Б](b.md) и [раздел Б](b.md#part).

::: {.quiz}
1. Что на схеме ![Схема](media/d.png)? См. [урок Б](b.md).
   - [x] Да
   - [ ] Нет
:::

::: assignment
Сдайте работу: ![Схема](media/схема 1.png).
:::
"""


def moodle_full_path(path: str) -> str:
    """``entities::full_path`` of Moodle's CC import: the token dropped, ``.`` segments
    dropped, each ``..`` cancelling the next segment to its left (an empty one too)."""
    kept: list[str] = []
    up = 0
    for part in reversed(path.replace("$IMS-CC-FILEBASE$", "").split("/")):
        if part == ".":
            continue
        if part == "..":
            up += 1
        elif up:
            up -= 1
        else:
            kept.append(part)
    return "/".join(reversed(kept))


def test_moodle_cc11_import_rules(make_course: Callable[..., Path]) -> None:
    """The cartridge as Moodle's own Common Cartridge 1.1 import reads it (moodle/moodle
    backup/cc/, read through the search tool; no Moodle can run here, so its rules are
    encoded instead of run):

    - cc2moodle.php ``create_instances`` with ROOT_DEEP = 2 (includes/constants.php): the
      items under the organization's root item are sections; one without identifierref is
      a label whose title becomes the section summary; every item below maps by its
      resource type (``convert_to_moodle_type``): webcontent → resource, the CC 1.1
      assessment type (cc112moodle.php) → quiz; any other type is "[UNKNOWN]" and lost;
    - entities11.class.php ``get_all_files``: only the files of webcontent and
      associatedcontent resources are copied into the course's files, at their paths in
      the package;
    - entity11.resource.class.php: a webcontent page (.html) becomes the text of the
      resource; each href/src without "://" is taken as a literal path from the page's
      folder (no URL decoding, a #fragment is not stripped) and, when that is a file,
      linked to the course file; anything else stays as written;
    - entity11.quiz.class.php ``get_questions`` → entities.class.php ``update_sources``:
      in question text, img src and a href without a scheme lose the $IMS-CC-FILEBASE$
      token and are joined to the assessment file's folder + "/" through ``full_path``;
      question kinds come from cc_profile (CC_QUIZ_* in includes/constants.php).
    """
    png = (ROOT / "tests" / "data" / "mini" / "media" / "diagram.png").read_bytes()
    course = make_course(
        {"a.md": MOODLE_LESSON, "b.md": "# Б\n\n## Часть {#part}\n\nТекст.\n"},
        files={"media/d.png": png, "media/схема 1.png": png},
    )
    package = build_cc(course)
    files = read(package)
    manifest = etree.fromstring(files["imsmanifest.xml"])
    assert cc_manifest_errors(manifest) == []
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    copied = {
        f.get("href")
        for r in resources.values()
        if r.get("type") in ("webcontent", ASSOCIATED)
        for f in r.iter(f"{CP}file")
    }

    def moodle_type(item: etree._Element) -> str:
        ref = item.get("identifierref")
        if ref is None:
            return "label"
        kinds = {"webcontent": "resource", ASSESSMENT: "quiz"}
        return kinds.get(resources[ref].get("type"), "[UNKNOWN]")

    (root,) = manifest.find(f"{CP}organizations/{CP}organization").findall(f"{CP}item")
    sections = [
        (
            moodle_type(section),
            section.findtext(f"{CP}title"),
            [(moodle_type(i), i.findtext(f"{CP}title")) for i in section.iter(f"{CP}item")][1:],
        )
        for section in root.findall(f"{CP}item")
    ]
    assert sections == [
        (
            "label",
            "Module 1: M",
            [
                ("resource", "1.1 A"),
                ("quiz", "Self-check 1.1"),
                ("resource", "Assignment 1.1"),
                ("resource", "1.2 Б"),
            ],
        )
    ]

    # web content: every picture is a course file; links Moodle cannot follow are only
    # those into another page's middle (documented in docs/moodle.md)
    unresolved = []
    for resource in resources.values():
        page = resource.get("href") or ""
        if resource.get("type") != "webcontent" or not page.endswith(".html"):
            continue
        body = files[page].decode("utf-8").split("<body>", 1)[1]
        for attribute, target in re.findall(r'(href|src)="([^"]*)"', body):
            if "://" in target:
                unresolved.append(target)
                continue
            literal = str(PurePosixPath(page).parent / html.unescape(target))
            if literal in copied:
                continue
            assert attribute == "href" and "#" in target, (page, target)
            path, _, fragment = html.unescape(target).partition("#")
            if path:  # another page's anchor: Moodle leaves the link as written
                unresolved.append(target)
                assert f'id="{fragment}"' in files[f"web_resources/{path}"].decode("utf-8")
    assert unresolved == ["b.html#b--part"]

    # quizzes: pictures resolve from the assessment's folder; kinds Moodle knows
    known = {f"cc.{kind}.v0p1" for kind in ("multiple_choice", "true_false", "fib")} | {
        "cc.multiple_response.v0p1"
    }
    quizzes = [r for r in resources.values() if r.get("type") == ASSESSMENT]
    assert len(quizzes) == 1
    for quiz in quizzes:
        (href,) = [f.get("href") for f in quiz.iter(f"{CP}file")]
        qti = etree.fromstring(files[href])
        for item in qti.iter(f"{QTI}item"):
            profile = item.findtext(f".//{QTI}fieldentry")
            assert profile in known
            text = item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
            sources = re.findall(r'<img [^>]*src="([^"]+)"', text)
            assert len(sources) == 1
            for source in sources:
                joined = moodle_full_path(
                    f"{PurePosixPath(href).parent}/{source.replace('$IMS-CC-FILEBASE$', '')}"
                )
                assert re.sub("/+", "/", joined) in copied, source


ASSIGNMENTS = """\
# A

Вступление.

::: {.assignment #essay title="Эссе"}
Напишите эссе о файлах[^1], см. ![схему](media/d.png) и [вступление](#intro-text).

::: solution
Эталонное эссе учителя.
:::
:::

## Вступление {#intro-text}

::: assignment
Вторая работа: см. [урок Б](b.md).
:::

[^1]: Сноска к эссе.
"""


def test_each_assignment_is_web_content_of_its_own(make_course: Callable[..., Path]) -> None:
    """CC 1.1 has no assignment type: each assignment is a web content item after its
    lesson (valid against the CC 1.1 schema), a page of its instructions whose links all
    resolve inside the package, without the teacher's solution."""
    png = (ROOT / "tests" / "data" / "mini" / "media" / "diagram.png").read_bytes()
    course = make_course({"a.md": ASSIGNMENTS, "b.md": "# Б\n"}, files={"media/d.png": png})
    files = read(build_cc(course))
    manifest = etree.fromstring(files["imsmanifest.xml"])
    assert cc_manifest_errors(manifest) == []
    (module,) = manifest.find(f"{CP}organizations/{CP}organization/{CP}item").findall(f"{CP}item")
    items = [
        (i.findtext(f"{CP}title"), i.get("identifierref")) for i in module.findall(f"{CP}item")
    ]
    assert [title for title, _ in items] == [
        "1.1 A",
        "Assignment 1.1: Эссе",
        "Assignment 1.2",
        "1.2 Б",
    ]
    resources = {r.get("identifier"): r for r in manifest.iter(f"{CP}resource")}
    pages = []
    for _title, ref in items[1:3]:
        resource = resources[ref]
        assert resource.get("type") == "webcontent"
        (href,) = [f.get("href") for f in resource.iter(f"{CP}file")]
        assert href == resource.get("href") and href.startswith("web_resources/")
        assert href not in {resources[items[0][1]].get("href"), resources[items[3][1]].get("href")}
        pages.append((href, files[href].decode("utf-8")))
    (essay_href, essay), (second_href, second) = pages
    assert "Напишите эссе о файлах" in essay and "Вторая работа" not in essay
    assert "Вторая работа" in second and "Вступление." not in second
    for href, page in pages:
        assert "Эталонное эссе учителя" not in page
        for target in re.findall(r'(?:src|href)="([^"]+)"', page):
            parts = urlsplit(target)
            assert not parts.scheme and not parts.netloc, (href, target)
            path = str(PurePosixPath(href).parent / unquote(parts.path)) if parts.path else href
            assert path in files, (href, target)
            if parts.fragment:  # the anchor is on the page the link leads to
                assert f'id="{parts.fragment}"' in files[path].decode("utf-8"), (href, target)
    assert 'href="a.html#a--intro-text"' in essay  # the rest of the lesson: its own page
    assert "a.html#a--fn-1" in essay  # the footnote too
    assert "Эталонное эссе учителя" not in "".join(
        d.decode("utf-8", "replace") for d in files.values()
    )


def test_schematron_rules_of_the_schema_run(mini_course: Path) -> None:
    """The CC schema's embedded rules do run: a learning-object item with a child item
    (RULE 8b) and a resource listing one file twice (RULE 9a) are refused."""
    manifest = etree.fromstring(read(build_cc(mini_course))["imsmanifest.xml"])
    assert cc_manifest_errors(manifest) == []
    lesson = manifest.find(f".//{CP}item[@identifierref]")
    child = etree.SubElement(lesson, f"{CP}item", identifier="I_child")
    etree.SubElement(child, f"{CP}title").text = "x"  # valid for the XSD alone
    resource = manifest.find(f".//{CP}resource")
    first = resource.find(f"{CP}file")
    first.addnext(etree.fromstring(etree.tostring(first)))
    errors = cc_manifest_errors(manifest)
    assert [e.split("]")[0] for e in errors] == ["[RULE 8b", "[RULE 9a"], errors
