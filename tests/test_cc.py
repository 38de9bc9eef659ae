"""``-f cc``: the Common Cartridge 1.1 package against the official IMS schemas (CC 1.1
manifest, CC QTI 1.2.1 profile), closed (every path inside, every file in the manifest)
and free of teacher material; quizzes graded as the course marks them."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from tests.conftest import ROOT, casekit
from tests.lms_helpers import HOSTILE, LESSON, MINI_SOLUTIONS, TOML, build_format, schemas

pytestmark = pytest.mark.slow  # builds, real validators or browsers: see pyproject.toml

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


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
    cc11 = etree.XMLSchema(etree.parse(str(folder / "cc11" / "ccv1p1_imscp_v1p2_v1p0.xsd")))
    assert cc11.validate(manifest), cc11.error_log
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


def test_question_images_and_links_reach_web_content(make_course: Callable[..., Path]) -> None:
    lesson = (
        "# A\n\n::: {.quiz}\n1. Что на схеме ![Схема](media/d.png)? См. [урок Б](b.md).\n"
        "   - [x] Да\n   - [ ] Нет\n:::\n"
    )
    png = (ROOT / "tests" / "data" / "mini" / "media" / "diagram.png").read_bytes()
    files = read(
        build_cc(make_course({"a.md": lesson, "b.md": "# B\n"}, files={"media/d.png": png}))
    )
    (quiz,) = [name for name in files if name.endswith("assessment.xml")]
    text = etree.fromstring(files[quiz]).findtext(f".//{QTI}item//{QTI}mattext")
    targets = re.findall(r'(?:src|href)="\$IMS-CC-FILEBASE\$/([^"#]+)', text)
    assert len(targets) == 2, text
    for target in targets:
        assert f"web_resources/{target}" in files
    manifest = etree.fromstring(files["imsmanifest.xml"])
    cc11 = etree.XMLSchema(etree.parse(str(schemas() / "cc11" / "ccv1p1_imscp_v1p2_v1p0.xsd")))
    assert cc11.validate(manifest), cc11.error_log
    (resource,) = [
        r for r in manifest.iter(f"{CP}resource") if r.get("type", "").endswith("assessment")
    ]
    media = [d.get("identifierref") for d in resource.iter(f"{CP}dependency")]
    (images,) = [r for r in manifest.iter(f"{CP}resource") if r.get("identifier") in media]
    assert {f.get("href") for f in images.iter(f"{CP}file")} >= {f"web_resources/{targets[0]}"}


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
    cc11 = etree.XMLSchema(etree.parse(str(schemas() / "cc11" / "ccv1p1_imscp_v1p2_v1p0.xsd")))
    assert cc11.validate(manifest), cc11.error_log
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
    for href, html in pages:
        assert "Эталонное эссе учителя" not in html
        for target in re.findall(r'(?:src|href)="([^"]+)"', html):
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
