"""The ``scorm12`` format: a SCORM 1.2 package (``<id>-<version>-scorm12.zip``).

One SCO per lesson (or one for the whole course with ``[scorm] one_sco = true``): the
lesson's learner-edition page (the shared HTML writer, as in the ``cc`` format) and
casekit's own runtime script, ``casekit-scorm.js``, which finds the LMS's ``API`` and
reports the lesson status and the quiz score. The quiz answers the page checks against
come from the full course, as a ``data-key`` attribute of the page (a SCO that scores
itself carries its answers; solutions stay out). No third-party runtime, no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lxml import etree

from casekit import tree as t
from casekit.formats import BuildContext, Format, Output
from casekit.formats.lms import (
    MANIFEST,
    images,
    learner_edition,
    lesson_quizzes,
    lms_page,
    zip_package,
)
from casekit.render.common import lesson_title, module_title, short_answer
from casekit.render.html import HtmlWriter
from casekit.render.templates import builtin_templates

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{CP} imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 "
    f"imsmd_rootv1p2p1.xsd {ADLCP} adlcp_rootv1p2.xsd"
)
RUNTIME = "casekit-scorm.js"


class ScoWriter(HtmlWriter):
    """SCO pages side by side in ``sco/``; images under ``sco/data/media/``."""

    def __init__(self, course: t.Course, page_of: dict[str, str]) -> None:
        super().__init__(course)
        self.page_of = page_of  # lesson id -> its SCO page name

    def lesson_href(self, lesson_id: str, anchor: str | None) -> str:
        return self.page_of[lesson_id] + (f"#{anchor or lesson_id}")


def answer_key(quizzes: list[t.Quiz]) -> dict[str, list[object]]:
    """What the runtime checks: per quiz anchor, each question's right option indices
    (and kind), or the short answer's text."""
    key: dict[str, list[object]] = {}
    for quiz in quizzes:
        key[quiz.anchor] = [
            short_answer(q)
            if q.kind == "short"
            else {"kind": q.kind, "right": [i for i, o in enumerate(q.options) if o.correct]}
            for q in quiz.questions
        ]
    return key


@dataclass(frozen=True)
class Sco:
    identifier: str
    title: str
    page: str  # inside sco/
    lessons: list[t.Lesson]  # learner edition
    full: list[t.Lesson]  # the same lessons with their answers


def scos(learner: t.Course, full: t.Course) -> list[tuple[t.Module | None, list[Sco]]]:
    """The SCOs by module, or one SCO (module None) with ``one_sco``."""
    full_lessons = {lesson.id: lesson for m in full.modules for lesson in m.lessons}
    if learner.config.scorm.one_sco:
        lessons = [lesson for m in learner.modules for lesson in m.lessons]
        whole = Sco(
            "R_course",
            learner.config.title,
            "course.html",
            lessons,
            [full_lessons[x.id] for x in lessons],
        )
        return [(None, [whole])]
    return [
        (
            module,
            [
                Sco(
                    f"R_{lesson.id}",
                    lesson_title(lesson),
                    f"{lesson.id}.html",
                    [lesson],
                    [full_lessons[lesson.id]],
                )
                for lesson in module.lessons
            ],
        )
        for module in learner.modules
    ]


def sco_page(course: t.Course, writer: ScoWriter, sco: Sco) -> bytes:
    msg = writer.msg
    quizzes = [quiz for lesson in sco.full for quiz in lesson_quizzes(lesson)]
    data = (
        ("key", json.dumps(answer_key(quizzes), ensure_ascii=False, sort_keys=True)),
        ("mastery", str(course.config.scorm.mastery_score)),
        ("check", msg("check_answers")),
        ("result", msg("score_result", correct="{correct}", total="{total}")),
    )
    body = "".join(writer.lesson(lesson, level=1) for lesson in sco.lessons)
    return lms_page(course, sco.title, body, script=f"../{RUNTIME}", data=data)


def manifest(
    course: t.Course, by_module: list[tuple[t.Module | None, list[Sco]]], assets: list[str]
) -> bytes:
    msg = HtmlWriter(course).msg
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "adlcp": ADLCP, "xsi": XSI})
    root.set("identifier", f"M_{course.config.id}")
    root.set("version", course.config.version[:20])
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = etree.SubElement(root, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.2"
    organizations = etree.SubElement(root, f"{{{CP}}}organizations", default="O_1")
    organization = etree.SubElement(organizations, f"{{{CP}}}organization", identifier="O_1")
    etree.SubElement(organization, f"{{{CP}}}title").text = course.config.title
    resources = etree.SubElement(root, f"{{{CP}}}resources")
    for module, module_scos in by_module:
        parent = organization
        if module is not None:
            parent = etree.SubElement(organization, f"{{{CP}}}item", identifier=f"I_{module.id}")
            etree.SubElement(parent, f"{{{CP}}}title").text = module_title(module, msg)
        for sco in module_scos:
            item = etree.SubElement(
                parent,
                f"{{{CP}}}item",
                identifier=f"I_{sco.identifier[2:]}",
                identifierref=sco.identifier,
            )
            etree.SubElement(item, f"{{{CP}}}title").text = sco.title
            if any(lesson_quizzes(lesson) for lesson in sco.full):
                etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(
                    course.config.scorm.mastery_score
                )
            resource = etree.SubElement(
                resources,
                f"{{{CP}}}resource",
                identifier=sco.identifier,
                type="webcontent",
                href=f"sco/{sco.page}",
            )
            resource.set(f"{{{ADLCP}}}scormtype", "sco")
            etree.SubElement(resource, f"{{{CP}}}file", href=f"sco/{sco.page}")
            etree.SubElement(resource, f"{{{CP}}}dependency", identifierref="R_common")
    common = etree.SubElement(
        resources, f"{{{CP}}}resource", identifier="R_common", type="webcontent"
    )
    common.set(f"{{{ADLCP}}}scormtype", "asset")
    for path in assets:
        etree.SubElement(common, f"{{{CP}}}file", href=path)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def package(full: t.Course) -> bytes:
    learner = learner_edition(full)
    by_module = scos(learner, full)
    page_of = {
        lesson.id: sco.page for _, group in by_module for sco in group for lesson in sco.lessons
    }
    writer = ScoWriter(learner, page_of)
    files = images(learner, "sco")
    files[RUNTIME] = (builtin_templates() / "scorm" / RUNTIME).read_bytes()
    assets = sorted(files)
    for _, group in by_module:
        for sco in group:
            files[f"sco/{sco.page}"] = sco_page(learner, writer, sco)
    files[MANIFEST] = manifest(learner, by_module, assets)
    return zip_package(full, files)


def render_scorm12(course: t.Course, ctx: BuildContext) -> list[Output]:
    return [Output(f"{course.config.id}-{course.config.version}-scorm12.zip", package(course))]


FORMAT = Format(
    "scorm12",
    "SCORM 1.2 package: one SCO per lesson (or per course), status and quiz score",
    render_scorm12,
    per_edition=False,
)
